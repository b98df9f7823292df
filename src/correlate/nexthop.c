/*
 * nexthop.c - tell deliveries through a configured relay from deliveries
 * straight to recipients' MX hosts (and from local and content-filter
 * services), from main.cf when it was read, else from the log itself.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "nexthop.h"

const char *
nexthop_path_name(enum nh_path p)
{
	static const char *const names[] = { "unknown", "relay", "direct", "local" };

	return p <= NH_LOCAL ? names[p] : "unknown";
}

size_t
nexthop_name(struct span hop, char *buf, size_t size, unsigned *port)
{
	const char *p = hop.p, *end = hop.p + hop.len, *stop, *colon;
	size_t n = 0;

	*port = 0;
	if (size == 0)
		return 0;
	buf[0] = '\0';
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '[') {	/* [name]:port or [addr] */
		stop = memchr(p, ']', (size_t)(end - p));
		if (stop == NULL)
			return 0;
		p++;
		colon = stop + 1;
	} else {
		stop = memchr(p, '[', (size_t)(end - p));
		if (stop != NULL) {	/* name[addr]:port */
			colon = memchr(stop, ']', (size_t)(end - stop));
			colon = colon != NULL ? colon + 1 : end;
		} else {		/* name or name:port */
			stop = memchr(p, ':', (size_t)(end - p));
			if (stop != NULL && memchr(stop + 1, ':', (size_t)(end - stop - 1)) != NULL)
				stop = NULL;	/* a bare IPv6 address */
			if (stop == NULL)
				stop = end;
			colon = stop;
		}
	}
	if (colon < end && *colon == ':')
		for (colon++; colon < end && *colon >= '0' && *colon <= '9' && *port < 100000; colon++)
			*port = *port * 10 + (unsigned)(*colon - '0');
	while (p < stop && n + 1 < size)
		buf[n++] = (char)tolower((unsigned char)*p++);
	buf[n] = '\0';
	return n;
}

/* Add every destination of a relay list ("[a]:587, b") to the relays. */
static void
add_relays(struct nexthop *nh, const char *list)
{
	const char *p = list;
	char name[NH_NAME_MAX];
	unsigned port;
	size_t n;

	while (p != NULL && *p != '\0' && nh->nrelays < NH_MAX_RELAYS) {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		if (nexthop_name((struct span){ p, n }, name, sizeof(name), &port) > 0)
			memcpy(nh->relays[nh->nrelays++], name, sizeof(name));
		p += n;
	}
}

/* "smtp:[host]:587" as default_transport or relay_transport: a next hop. */
static void
add_transport_nexthop(struct nexthop *nh, const char *v, int *relays_all)
{
	const char *colon = v != NULL ? strchr(v, ':') : NULL;

	if (colon == NULL || colon[1] == '\0')
		return;
	add_relays(nh, colon + 1);
	*relays_all = 1;
}

void
nexthop_init(struct nexthop *nh, const struct pfconf *cf)
{
	const char *v;
	int via_transport = 0;

	memset(nh, 0, sizeof(*nh));
	nh->inferred = -1;
	if (cf == NULL || !cf->loaded)
		return;
	nh->configured = 1;
	add_relays(nh, pfconf_get(cf, "relayhost", NULL));
	nh->all_relayed = nh->nrelays > 0;
	add_transport_nexthop(nh, pfconf_get(cf, "default_transport", NULL), &via_transport);
	if (via_transport)
		nh->all_relayed = 1;
	add_relays(nh, pfconf_get(cf, "smtp_fallback_relay", NULL));
	add_relays(nh, pfconf_get(cf, "fallback_relay", NULL));
	if (((v = pfconf_get(cf, "transport_maps", NULL)) != NULL && *v != '\0')
	    || ((v = pfconf_get(cf, "sender_dependent_relayhost_maps", NULL)) != NULL && *v != '\0')
	    || ((v = pfconf_get(cf, "sender_dependent_default_transport_maps", NULL)) != NULL
		&& *v != '\0')) {
		nh->routed = 1;
		nh->all_relayed = 0;	/* some destinations may go elsewhere */
	}
}

static int
is_relay_name(const struct nexthop *nh, const char *name)
{
	int i;

	for (i = 0; i < nh->nrelays; i++)
		if (strcmp(nh->relays[i], name) == 0)
			return 1;
	return nh->inferred >= 0 && strcmp(nh->hops[nh->inferred].name, name) == 0;
}

/* relay=none: the reason names the looked-up name ("name=example.org
 * type=MX"); the recipient's own domain means a direct delivery. */
static enum nh_path
classify_none(const struct nexthop *nh, struct span rcpt_domain, struct span reason)
{
	const char *p = reason.len > 0 ? memmem(reason.p, reason.len, "name=", 5) : NULL;
	char name[NH_NAME_MAX];
	size_t n = 0;

	if (nh->configured && nh->all_relayed)
		return NH_RELAY;
	if (nh->configured && !nh->routed && nh->nrelays == 0)
		return NH_DIRECT;
	if (p == NULL)
		return NH_UNKNOWN;
	for (p += 5; p < reason.p + reason.len && *p != ' ' && n + 1 < sizeof(name); p++)
		name[n++] = (char)tolower((unsigned char)*p);
	name[n] = '\0';
	if (is_relay_name(nh, name))
		return NH_RELAY;
	if (rcpt_domain.len == n && strncasecmp(rcpt_domain.p, name, n) == 0)
		return NH_DIRECT;
	return NH_UNKNOWN;
}

static int
is_loopback_hop(struct span relay)
{
	const char *lb = memchr(relay.p, '[', relay.len);
	size_t rest;

	if (lb == NULL)
		return 0;
	lb++;
	rest = relay.len - (size_t)(lb - relay.p);
	return (rest >= 4 && memcmp(lb, "127.", 4) == 0) || (rest >= 4 && memcmp(lb, "::1]", 4) == 0);
}

static const struct nh_hop *
find_hop(const struct nexthop *nh, const char *name)
{
	uint64_t h = hash_bytes(name, strlen(name), 0);
	unsigned i;

	for (i = 0; i < NH_MAX_HOPS && nh->hops[i].n > 0; i++)
		if (nh->hops[i].hash == h && strcmp(nh->hops[i].name, name) == 0)
			return &nh->hops[i];
	return NULL;
}

/* Is host name (lower case) domain itself or a name below it? */
static int
name_in_domain(const char *name, struct span domain)
{
	size_t n = strlen(name);

	if (domain.len == 0 || n < domain.len)
		return 0;
	if (strncasecmp(name + n - domain.len, domain.p, domain.len) != 0)
		return 0;
	return n == domain.len || name[n - domain.len - 1] == '.';
}

/* local, virtual, a pipe (no '[', ':' or '.') or an LMTP socket
 * ("name[private/dovecot-lmtp]"). */
static int
is_local_hop(struct span relay)
{
	const char *lb = memchr(relay.p, '[', relay.len);
	size_t rest;

	if (lb == NULL)
		return memchr(relay.p, ':', relay.len) == NULL && memchr(relay.p, '.', relay.len) == NULL;
	rest = relay.len - (size_t)(lb + 1 - relay.p);
	return (rest >= 8 && memcmp(lb + 1, "private/", 8) == 0)
	    || (rest >= 7 && memcmp(lb + 1, "public/", 7) == 0);
}

void
nexthop_parse(struct span relay, struct nh_parsed *np)
{
	np->relay = relay;
	np->name[0] = '\0';
	np->len = 0;
	np->port = 0;
	np->local = relay.len > 0 && !span_eq_lit(relay, "none") && is_local_hop(relay);
	if (relay.len > 0 && !np->local && !span_eq_lit(relay, "none"))
		np->len = nexthop_name(relay, np->name, sizeof(np->name), &np->port);
}

enum nh_path
nexthop_classify_parsed(const struct nexthop *nh, const struct nh_parsed *np,
			struct span rcpt_domain, struct span reason)
{
	if (np->relay.len == 0)
		return NH_UNKNOWN;
	if (np->local)
		return NH_LOCAL;
	if (span_eq_lit(np->relay, "none"))
		return classify_none(nh, rcpt_domain, reason);
	if (np->len == 0)
		return NH_UNKNOWN;
	if (is_relay_name(nh, np->name))
		return NH_RELAY;
	if (is_loopback_hop(np->relay))
		return NH_LOCAL;	/* a content filter on this machine */
	if (nh->configured) {
		if (nh->all_relayed)
			return NH_RELAY;	/* relayhost's own MX hosts */
		if (!nh->routed)
			return NH_DIRECT;
	}
	if (np->port == 587 || np->port == 465 || np->port == 2525)
		return NH_RELAY;
	if (np->port == 0)	/* a name alone: known as a port-25 next hop? */
		return nh->nhops >= 2 && find_hop(nh, np->name) != NULL ? NH_DIRECT : NH_UNKNOWN;
	if (np->port != 25)
		return NH_RELAY;	/* an unusual port: a smarthost, not an MX */
	/* port 25: an MX host of the recipient's own domain, or a log that
	 * shows deliveries to several port-25 next hops */
	if (name_in_domain(np->name, rcpt_domain) || nh->nhops >= 2)
		return NH_DIRECT;
	return NH_UNKNOWN;
}

enum nh_path
nexthop_classify(const struct nexthop *nh, struct span relay, struct span rcpt_domain,
		 struct span reason)
{
	struct nh_parsed np;

	nexthop_parse(relay, &np);
	return nexthop_classify_parsed(nh, &np, rcpt_domain, reason);
}

void
nexthop_count(struct nexthop *nh, struct span relay, struct span rcpt_domain)
{
	struct nh_parsed np;

	if (nh->configured && !nh->routed)
		return;		/* the configuration answers */
	nexthop_parse(relay, &np);
	nexthop_count_parsed(nh, &np, rcpt_domain);
}

void
nexthop_count_parsed(struct nexthop *nh, const struct nh_parsed *np, struct span rcpt_domain)
{
	unsigned i;
	uint64_t h;
	uint32_t dh;
	struct nh_hop *hop = NULL;

	if (nh->configured && !nh->routed)
		return;		/* the configuration answers */
	if (np->len == 0 || (np->port != 25 && np->port != 0) || is_loopback_hop(np->relay))
		return;
	nh->total++;
	h = hash_bytes(np->name, np->len, 0);
	for (i = 0; i < NH_MAX_HOPS; i++) {
		if (nh->hops[i].n == 0) {
			hop = &nh->hops[i];
			hop->hash = h;
			memcpy(hop->name, np->name, np->len + 1);
			nh->nhops++;
			break;
		}
		if (nh->hops[i].hash == h && strcmp(nh->hops[i].name, np->name) == 0) {
			hop = &nh->hops[i];
			break;
		}
	}
	if (hop == NULL)
		return;
	hop->n++;
	dh = (uint32_t)hash_bytes(rcpt_domain.p, rcpt_domain.len, 3);
	for (i = 0; i < hop->ndomains && hop->domains[i] != dh; i++)
		;
	if (i == hop->ndomains && hop->ndomains < 3)
		hop->domains[hop->ndomains++] = dh;
	/* one next hop carries most deliveries, for several domains: a relay */
	if (hop->n >= 5 && hop->ndomains >= 3 && hop->n * 10 >= nh->total * 6)
		nh->inferred = (int)(hop - nh->hops);
	else if (nh->inferred >= 0 && nh->hops[nh->inferred].n * 10 < nh->total * 6)
		nh->inferred = -1;
}

int
nexthop_is_mx(const struct nexthop *nh, const char *name)
{
	if (nh == NULL || name == NULL || is_relay_name(nh, name))
		return 0;
	if (nh->configured && !nh->routed)
		return !nh->all_relayed;
	return nh->nhops >= 2 && find_hop(nh, name) != NULL;
}
