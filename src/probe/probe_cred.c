/*
 * probe_cred.c - the credentials smtp(8) would send to a next hop
 * (probe_int.h), for the probe's --auth: the keys Postfix tries
 * (relays.h), looked up in each table of smtp_sasl_password_maps as
 * postmap reads its source. The password is registered for redaction
 * (textsafe.h), handed to the login and wiped; it is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "probe_int.h"
#include "relays.h"
#include "textsafe.h"
#include "util.h"

static void
probe_table_wipe(struct cf_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		OPENSSL_cleanse(t->e[i].value, strlen(t->e[i].value));
	pfconf_table_free(t);
}

/* Look the keys up in one table; 1 found (cr filled), 0 not. */
static int
probe_cred_table(struct pfconf *cf, const char *spec, const char *const *keys, size_t nkeys,
		 struct probe_cred *cr)
{
	struct cf_table t;
	const char *colon;
	size_t k, i;

	if (strncmp(spec, "proxy:", 6) == 0)
		spec += 6;
	if (pfconf_table_read(cf, spec, CF_TABLE_SECRET | CF_TABLE_RAW, &t) < 0) {
		probe_fmt(cr->why, sizeof(cr->why), "cannot read the password map %.200s: %.200s", spec,
			 t.why != NULL ? t.why : "unknown reason");
		probe_table_wipe(&t);
		return 0;
	}
	for (k = 0; k < nkeys; k++)
		for (i = 0; i < t.n; i++) {
			if (strcasecmp(t.e[i].key, keys[k]) != 0)
				continue;
			if ((colon = strchr(t.e[i].value, ':')) == NULL) {
				probe_fmt(cr->why, sizeof(cr->why), "the entry for %.200s in %.200s has no "
					 "user:password", keys[k], spec);
				probe_table_wipe(&t);
				return 0;
			}
			probe_fmt(cr->user, sizeof(cr->user), "%.*s",
				 (int)(colon - t.e[i].value), t.e[i].value);
			probe_fmt(cr->pass, sizeof(cr->pass), "%s", colon + 1);
			ts_secret_add(cr->pass, strlen(cr->pass));
			probe_fmt(cr->key, sizeof(cr->key), "%s", keys[k]);
			probe_fmt(cr->source, sizeof(cr->source), "%.299s", t.path != NULL ? t.path : spec);
			probe_table_wipe(&t);
			return 1;
		}
	probe_table_wipe(&t);
	return 0;
}

int
probe_cred_find(struct pfconf *cf, const struct probe_result *res, const char *sender,
		struct probe_cred *cr)
{
	const char *maps, *t, *lp, *keys[8];
	struct relay r;
	char spec[4096], nexthop[320];
	size_t n, nkeys;
	int sender_auth;

	memset(cr, 0, sizeof(*cr));
	maps = cf != NULL ? pfconf_get(cf, "smtp_sasl_password_maps", NULL) : NULL;
	if (maps == NULL || *maps == '\0') {
		probe_fmt(cr->why, sizeof(cr->why), "smtp_sasl_password_maps is not set: no "
			 "credentials to send");
		return -1;
	}
	/* the keys of smtp_sasl_glue.c for this next hop */
	memset(&r, 0, sizeof(r));
	probe_fmt(nexthop, sizeof(nexthop), "%s", res->dest);
	r.nexthop = nexthop;
	r.host = (char *)(res->mx_host[0] != '\0' ? res->mx_host : res->host);
	r.bracketed = res->bracketed;
	r.from = sender != NULL ? RELAY_SENDER : RELAY_RELAYHOST;
	r.key = (char *)sender;
	sender_auth = pfconf_true(pfconf_get(cf, "smtp_sender_dependent_authentication", NULL));
	nkeys = relays_sasl_keys_all(&r, sender_auth, keys, sizeof(keys) / sizeof(keys[0]));
	for (lp = maps; (t = pfconf_list_next(&lp, &n)) != NULL;) {
		probe_fmt(spec, sizeof(spec), "%.*s", (int)n, t);
		if (probe_cred_table(cf, spec, keys, nkeys, cr))
			return 0;
		if (*cr->why != '\0')
			return -1;
	}
	probe_fmt(cr->why, sizeof(cr->why), "no entry for %.150s%s%.150s in %.150s", keys[0],
		 nkeys > 1 ? " or " : "", nkeys > 1 ? keys[1] : "", maps);
	return -1;
}

void
probe_cred_wipe(struct probe_cred *cr)
{
	OPENSSL_cleanse(cr->pass, sizeof(cr->pass));
}
