/*
 * relays.h - the next hops this host's mail uses, from the configuration:
 * relayhost, the next hops of transport_maps entries whose transport is
 * an smtp/lmtp service, sender_dependent_relayhost_maps, and
 * smtp_fallback_relay; each with where it was configured. The password
 * map check looks their credentials up, the TLS policy check their policy
 * entries, the probe connects to them.
 */
#ifndef FMRD_RELAYS_H
#define FMRD_RELAYS_H

#include <stddef.h>

#include "pfconf.h"

enum relay_from {
	RELAY_RELAYHOST = 0,	/* relayhost */
	RELAY_TRANSPORT,	/* a transport_maps entry */
	RELAY_SENDER,		/* a sender_dependent_relayhost_maps entry */
	RELAY_FALLBACK		/* smtp_fallback_relay */
};

struct relay {
	char *nexthop;		/* as written: "[smtp.fastmail.com]:587", "host:submission" */
	char *host;		/* host name without brackets and port, lower case */
	char *port;		/* port or service as written, or NULL (25) */
	int bracketed;		/* [host]: no MX lookup */
	enum relay_from from;
	char *key;		/* the map key it came from (domain, sender), or NULL */
	struct cf_where where;	/* main.cf or table line that names it */
};

struct relay_list {
	struct relay *r;
	size_t n;
};

/* Collect the relays (duplicates of one next hop kept once, the first
 * place it is named). Tables that cannot be read are skipped; their
 * reasons are the checks' business. */
void relays_collect(struct pfconf *cf, struct relay_list *out);
void relays_free(struct relay_list *l);
/* The keys Postfix tries in smtp_sasl_password_maps for relay r, in
 * order (SASL_README: the next hop as written, then the host name);
 * returns the number written to keys (at most max). */
size_t relays_sasl_keys(const struct relay *r, const char **keys, size_t max);
/* "relayhost", "transport_maps", "sender_dependent_relayhost_maps",
 * "smtp_fallback_relay" */
const char *relays_from_name(enum relay_from f);

#endif
