/*
 * nexthop.h - where a delivery went: to a relay this host is configured
 * to use (relayhost, smtp_fallback_relay, a transport's next hop,
 * sender_dependent_relayhost_maps), straight to a recipient's MX host,
 * or to a local or content-filter service. With the configuration the
 * answer is read from main.cf; without it, it is inferred from the log:
 * a submission port (587, 465, 2525) is a relay, and one port-25 next hop
 * that carries most deliveries for several recipient domains is one too.
 */
#ifndef FMRD_NEXTHOP_H
#define FMRD_NEXTHOP_H

#include <stdint.h>
#include "pfconf.h"
#include "util.h"

#define NH_MAX_RELAYS 16
#define NH_MAX_HOPS 64		/* next hops tallied for inference */
#define NH_NAME_MAX 128

enum nh_path { NH_UNKNOWN = 0, NH_RELAY, NH_DIRECT, NH_LOCAL };

struct nh_hop {
	uint64_t hash;
	unsigned long n;	/* deliveries over this next hop */
	uint32_t domains[3];	/* hashes of the first distinct recipient domains */
	unsigned ndomains;
	char name[NH_NAME_MAX];
};

struct nexthop {
	int configured;		/* main.cf was read */
	int all_relayed;	/* relayhost set and no per-destination routing */
	int routed;		/* transport_maps or sender-dependent relays: mixed */
	char relays[NH_MAX_RELAYS][NH_NAME_MAX];	/* configured relay names */
	int nrelays;
	struct nh_hop hops[NH_MAX_HOPS];
	unsigned long total;	/* smtp deliveries tallied */
	unsigned nhops;		/* distinct port-25 next hops seen */
	int inferred;		/* index of the inferred port-25 relay, or -1 */
};

void nexthop_init(struct nexthop *nh, const struct pfconf *cf);

/* The host name of a next hop as logged ("name[addr]:port", "[name]:port",
 * "name:port", "name"), lower case, into buf; its port into *port (0 if
 * none). Returns the length (0: none). */
size_t nexthop_name(struct span hop, char *buf, size_t size, unsigned *port);

/* A relay= value taken apart once per delivery. */
struct nh_parsed {
	struct span relay;
	char name[NH_NAME_MAX];	/* lower case host name, "" if none */
	size_t len;
	unsigned port;
	int local;		/* local, virtual, a pipe, an LMTP socket */
};

void nexthop_parse(struct span relay, struct nh_parsed *np);
enum nh_path nexthop_classify_parsed(const struct nexthop *nh, const struct nh_parsed *np,
				     struct span rcpt_domain, struct span reason);
void nexthop_count_parsed(struct nexthop *nh, const struct nh_parsed *np,
			  struct span rcpt_domain);

/* Classify a delivery's relay= value for a recipient in domain rcpt_domain
 * (may be empty); reason (may be empty) helps for relay=none. */
enum nh_path nexthop_classify(const struct nexthop *nh, struct span relay,
			      struct span rcpt_domain, struct span reason);

/* Is host name (lower case) a recipient's MX host, as far as the whole
 * log and the configuration tell? */
int nexthop_is_mx(const struct nexthop *nh, const char *name);

/* Tally an SMTP delivery for inference without configuration. */
void nexthop_count(struct nexthop *nh, struct span relay, struct span rcpt_domain);

const char *nexthop_path_name(enum nh_path p);

#endif
