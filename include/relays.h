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
	RELAY_FALLBACK,		/* smtp_fallback_relay */
	RELAY_DEFAULT_TRANSPORT,	/* default_transport = smtp:[host]:port */
	RELAY_RELAY_TRANSPORT	/* relay_transport = relay:[host]:port */
};

struct relay {
	char *nexthop;		/* as written: "[smtp.fastmail.com]:587", "host:submission" */
	char *host;		/* host name without brackets and port, lower case */
	char *port;		/* port or service as written, or NULL (25) */
	int bracketed;		/* [host]: no MX lookup */
	enum relay_from from;
	char *key;		/* the map key it came from (domain, sender), or NULL */
	char *transport;	/* master.cf service of a transport entry, or NULL */
	struct cf_where where;	/* main.cf or table line that names it */
};

struct relay_list {
	struct relay *r;
	size_t n;
};

/* Collect the relays (duplicates of one next hop kept once, the first
 * place it is named; a sender_dependent_relayhost_maps entry is kept
 * once per sender, even when another place names its next hop: each
 * sender may have its own login). Order: relayhost,
 * transport_maps, sender_dependent_relayhost_maps, default_transport,
 * relay_transport, smtp_fallback_relay. Transport entries count when
 * their master.cf service runs smtp or lmtp and name a next hop (an
 * empty one means the recipient domain: skipped; "unix:" lmtp sockets
 * too). Tables that cannot be read are skipped; their reasons are the
 * checks' business. */
void relays_collect(struct pfconf *cf, struct relay_list *out);
void relays_free(struct relay_list *l);
/* The keys Postfix tries in smtp_sasl_password_maps for relay r, in
 * order (smtp_sasl_glue.c: the server host name, then the destination as
 * written, "[host]:587"; one key when they are the same). Without
 * brackets smtp(8) looks up MX records and tries each MX host's name
 * instead of r->host. Returns the number written to keys (at most max);
 * they point into r. */
size_t relays_sasl_keys(const struct relay *r, const char **keys, size_t max);
/* The same, preceded, when SENDER_AUTH (smtp_sender_dependent_authentication)
 * and r comes from sender_dependent_relayhost_maps, by the sender key
 * of that entry and its "@domain" (mail_addr_find order). */
size_t relays_sasl_keys_all(const struct relay *r, int sender_auth, const char **keys,
			    size_t max);
/* Does master.cf service NAME (type unix) run smtp(8) or lmtp(8)? 1 also
 * when master.cf was not read. */
int relays_transport_delivers(const struct pfconf *cf, const char *name);
/* "relayhost", "transport_maps", "sender_dependent_relayhost_maps",
 * "smtp_fallback_relay", "default_transport", "relay_transport" */
const char *relays_from_name(enum relay_from f);

#endif
