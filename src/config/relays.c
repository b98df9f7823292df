/*
 * relays.c - the next hops of relays.h, read from main.cf, master.cf and
 * the tables they name: relayhost (a list since Postfix 3.5),
 * smtp_fallback_relay, default_transport and relay_transport, the
 * transport_maps entries whose transport is an smtp or lmtp service, and
 * sender_dependent_relayhost_maps. Also the keys smtp(8) tries in
 * smtp_sasl_password_maps for one of them (smtp_sasl_glue.c,
 * smtp_sasl_passwd_lookup): the sender address and "@domain" when
 * smtp_sender_dependent_authentication is on, then the server host name,
 * then the destination as written.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relays.h"

#define RELAY_SEP " ,\t"

/* Split a destination "[host]:port", "host:port", "host" (an lmtp
 * "inet:" prefix dropped) into r; 0 when it names no host. */
static int
relays_parse(const char *dest, size_t n, struct relay *r)
{
	const char *h = dest, *e, *end = dest + n, *port = NULL;
	size_t i;

	if (n > 5 && strncmp(h, "inet:", 5) == 0)
		h += 5;
	if (*h == '[') {
		h++;
		if ((e = memchr(h, ']', (size_t)(end - h))) == NULL)
			return 0;
		if (e + 1 < end && e[1] == ':')
			port = e + 2;
		r->bracketed = 1;
	} else {
		if ((e = memchr(h, ':', (size_t)(end - h))) != NULL)
			port = e + 1;
		else
			e = end;
	}
	if (e == h)
		return 0;
	r->nexthop = xstrndup(dest, n);
	r->host = xstrndup(h, (size_t)(e - h));
	for (i = 0; r->host[i] != '\0'; i++)
		r->host[i] = (char)tolower((unsigned char)r->host[i]);
	r->port = port != NULL && port < end ? xstrndup(port, (size_t)(end - port)) : NULL;
	return 1;
}

static int
relays_same(const struct relay *a, const struct relay *b)
{
	if (strcasecmp(a->nexthop, b->nexthop) != 0)
		return 0;
	/* one sender-dependent entry per sender: each has its own login */
	if (a->from == RELAY_SENDER || b->from == RELAY_SENDER)
		return a->from == b->from && a->key != NULL && b->key != NULL
		       && strcasecmp(a->key, b->key) == 0;
	return 1;
}

static void
relays_clear(struct relay *r)
{
	free(r->nexthop);
	free(r->host);
	free(r->port);
	free(r->key);
	free(r->transport);
}

/* Add each destination of LIST (comma or space separated). */
static void
relays_add_list(struct relay_list *l, const char *list, enum relay_from from,
		const char *key, const char *transport, const struct cf_where *where)
{
	struct relay r;
	const char *p;
	size_t n, i;

	for (p = list; *p != '\0'; p += n) {
		p += strspn(p, RELAY_SEP);
		if ((n = strcspn(p, RELAY_SEP)) == 0)
			break;
		memset(&r, 0, sizeof(r));
		if (strncmp(p, "unix:", 5) == 0 || !relays_parse(p, n, &r))
			continue;
		r.from = from;
		r.key = key != NULL ? xstrdup(key) : NULL;
		r.transport = transport != NULL ? xstrdup(transport) : NULL;
		if (where != NULL)
			r.where = *where;
		for (i = 0; i < l->n; i++)
			if (relays_same(&l->r[i], &r))
				break;
		if (i < l->n) {
			relays_clear(&r);
			continue;
		}
		l->r = xreallocarray(l->r, l->n + 1, sizeof(r));
		l->r[l->n++] = r;
	}
}

/* The master.cf service named NAME runs smtp(8) or lmtp(8)? An unknown
 * service (master.cf not read) is taken as one. */
int
relays_transport_delivers(const struct pfconf *cf, const char *name)
{
	size_t i;

	if (!cf->master_loaded)
		return 1;
	for (i = 0; i < cf->nservices; i++) {
		const struct cf_service *s = &cf->services[i];
		const char *cmd = strrchr(s->command, '/');

		cmd = cmd != NULL ? cmd + 1 : s->command;
		if (strcmp(s->name, name) == 0 && strcmp(s->type, "unix") == 0)
			return strcmp(cmd, "smtp") == 0 || strcmp(cmd, "lmtp") == 0;
	}
	return 0;
}

/* "transport:nexthop": add the next hop(s) when the transport delivers
 * with smtp/lmtp; an empty next hop (the recipient domain) is skipped. */
static void
relays_add_transport(struct pfconf *cf, struct relay_list *l, const char *value,
		     enum relay_from from, const char *key, const struct cf_where *where)
{
	const char *colon = strchr(value, ':');
	char transport[256];
	size_t n;

	if (colon == NULL)
		return;
	n = (size_t)(colon - value);
	if (n == 0)	/* ":nexthop": the default transport */
		snprintf(transport, sizeof(transport), "%s", "smtp");
	else
		snprintf(transport, sizeof(transport), "%.*s", (int)n, value);
	if (colon[1] == '\0' || !relays_transport_delivers(cf, transport))
		return;
	relays_add_list(l, colon + 1, from, key, transport, where);
}

/* The entries of each table of the list in PARAM. */
static void
relays_tables(struct pfconf *cf, struct relay_list *l, const char *param, enum relay_from from)
{
	const char *specs = pfconf_get(cf, param, NULL), *p;
	char spec[4200];
	struct cf_table t;
	size_t n, i;

	if (specs == NULL)
		return;
	snprintf(spec, sizeof(spec), "%s", specs);	/* pfconf_get's ring is small */
	for (p = spec; *p != '\0'; p += n) {
		char one[4200];

		p += strspn(p, RELAY_SEP);
		if ((n = strcspn(p, RELAY_SEP)) == 0)
			break;
		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (pfconf_table_read(cf, one, 0, &t) == 0) {
			for (i = 0; i < t.n; i++) {
				if (from == RELAY_SENDER && strcasecmp(t.e[i].value, "DUNNO") != 0)
					relays_add_list(l, t.e[i].value, from, t.e[i].key, NULL,
							&t.e[i].where);
				else if (from != RELAY_SENDER)
					relays_add_transport(cf, l, t.e[i].value, from, t.e[i].key,
							     &t.e[i].where);
			}
		}
		pfconf_table_free(&t);
	}
}

void
relays_collect(struct pfconf *cf, struct relay_list *out)
{
	static const struct {
		const char *param;
		enum relay_from from;
		char form;	/* 'l' list of next hops, 't' transport:nexthop, 'm' maps */
	} params[] = {
		{ "relayhost", RELAY_RELAYHOST, 'l' },
		{ "transport_maps", RELAY_TRANSPORT, 'm' },
		{ "sender_dependent_relayhost_maps", RELAY_SENDER, 'm' },
		{ "default_transport", RELAY_DEFAULT_TRANSPORT, 't' },
		{ "relay_transport", RELAY_RELAY_TRANSPORT, 't' },
		{ "smtp_fallback_relay", RELAY_FALLBACK, 'l' },
	};
	const struct cf_where *where;
	const char *v;
	char value[4200];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (cf == NULL || !cf->loaded)
		return;
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if (params[i].form == 'm') {
			relays_tables(cf, out, params[i].param, params[i].from);
			continue;
		}
		if ((v = pfconf_get(cf, params[i].param, &where)) == NULL || where == NULL)
			continue;	/* built-in defaults name no relay */
		snprintf(value, sizeof(value), "%s", v);
		if (params[i].form == 't')
			relays_add_transport(cf, out, value, params[i].from, NULL, where);
		else
			relays_add_list(out, value, params[i].from, NULL, NULL, where);
	}
}

void
relays_free(struct relay_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		relays_clear(&l->r[i]);
	free(l->r);
	memset(l, 0, sizeof(*l));
}

size_t
relays_sasl_keys(const struct relay *r, const char **keys, size_t max)
{
	size_t n = 0;

	if (n < max)
		keys[n++] = r->host;
	if (n < max && strcasecmp(r->nexthop, r->host) != 0)
		keys[n++] = r->nexthop;
	return n;
}

size_t
relays_sasl_keys_all(const struct relay *r, int sender_auth, const char **keys, size_t max)
{
	const char *at;
	size_t n = 0;

	if (sender_auth && r->from == RELAY_SENDER && r->key != NULL) {
		if (n < max)
			keys[n++] = r->key;
		at = strchr(r->key, '@');
		if (at != NULL && at != r->key && n < max)
			keys[n++] = at;
	}
	return n + relays_sasl_keys(r, keys + n, max - n);
}

const char *
relays_from_name(enum relay_from f)
{
	static const char *const names[] = {
		"relayhost", "transport_maps", "sender_dependent_relayhost_maps",
		"smtp_fallback_relay", "default_transport", "relay_transport"
	};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}
