/*
 * rules_cond.c - the conditions of a match ("when = ..."): parsing a
 * condition word, writing it back (--explain), and testing it after the
 * regex matched: parameters of main.cf/master.cf (set, unset, equal,
 * contains or lists a capture), facts computed by pfconf (chroot,
 * sasl_key, sasl_db_stale, sasl_db_missing), the message's origin
 * (submitted, received) and where the delivery went (direct).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* Conditions that are a keyword alone (no parameter). */
static const struct cond_word {
	const char *word;
	enum cond_op op;
} cond_words[] = {
	{ "sasl_db_stale", COND_SASL_DB_STALE },
	{ "sasl_db_missing", COND_SASL_DB_MISSING },
	{ "sasl_key", COND_SASL_KEY },
	{ "!sasl_key", COND_NO_SASL_KEY },
	{ "chroot", COND_CHROOT },
	{ "!chroot", COND_NOCHROOT },
	{ "submitted", COND_SUBMITTED },
	{ "!submitted", COND_NOT_SUBMITTED },
	{ "received", COND_RECEIVED },
	{ "!received", COND_NOT_RECEIVED },
	{ "direct", COND_DIRECT },
	{ "!direct", COND_NOT_DIRECT },
};

/* Operators between a parameter and a value, longest first. */
static const struct cond_infix {
	const char *op_text;
	enum cond_op op;
} cond_infixes[] = {
	{ "!~=", COND_LIST_LACKS },
	{ "~=", COND_LIST_HAS },
	{ "~", COND_CONTAINS },
	{ "!=", COND_NE },
	{ "=", COND_EQ },
};

/* One condition: a keyword, param OP value, param or !param. */
void
cat_cond_parse(const char *tok, struct cat_cond *c)
{
	const char *at;
	size_t i;

	c->op = COND_SET;
	c->param = c->value = NULL;
	for (i = 0; i < sizeof(cond_words) / sizeof(cond_words[0]); i++)
		if (strcmp(tok, cond_words[i].word) == 0) {
			c->op = cond_words[i].op;
			return;
		}
	for (i = 0; i < sizeof(cond_infixes) / sizeof(cond_infixes[0]); i++)
		if ((at = strstr(tok, cond_infixes[i].op_text)) != NULL) {
			c->op = cond_infixes[i].op;
			c->param = xstrndup(tok, (size_t)(at - tok));
			c->value = xstrdup(at + strlen(cond_infixes[i].op_text));
			return;
		}
	if (tok[0] == '!') {
		c->op = COND_UNSET;
		c->param = xstrdup(tok + 1);
	} else {
		c->param = xstrdup(tok);
	}
}

/* Does the condition look at the configuration (or at the message)? */
int
cat_cond_uses_config(enum cond_op op)
{
	return op < COND_SUBMITTED;
}

/* How a condition is written back (--explain). */
void
cat_cond_print(FILE *out, const struct cat_cond *c)
{
	size_t i;

	for (i = 0; i < sizeof(cond_words) / sizeof(cond_words[0]); i++)
		if (cond_words[i].op == c->op) {
			fprintf(out, " %s", cond_words[i].word);
			return;
		}
	for (i = 0; i < sizeof(cond_infixes) / sizeof(cond_infixes[0]); i++)
		if (cond_infixes[i].op == c->op) {
			fprintf(out, " %s%s%s", c->param, cond_infixes[i].op_text, c->value);
			return;
		}
	fprintf(out, " %s%s", c->op == COND_UNSET ? "!" : "", c->param);
}

/* --- testing conditions ------------------------------------------------ */

/* Does the list value (elements separated by blanks or commas) have an
 * element equal to s, ignoring case? */
static int
list_has(const char *v, struct span s)
{
	size_t n;

	for (;;) {
		v += strspn(v, " \t,");
		if (*v == '\0')
			return 0;
		n = strcspn(v, " \t,");
		if (n == s.len && strncasecmp(v, s.p, n) == 0)
			return 1;
		v += n;
	}
}

enum nh_path
catalog_hit_path(const struct nexthop *nh, const struct cat_hit *hit)
{
	struct span cap, port;
	char buf[300];

	if (nh == NULL || hit == NULL)
		return NH_UNKNOWN;
	if ((catalog_capture(hit, "server", &cap) && cap.len > 0)
	    || (catalog_capture(hit, "peer", &cap) && cap.len > 0))
		return nexthop_classify(nh, cap, SPAN_EMPTY, SPAN_EMPTY);
	if (catalog_capture(hit, "host", &cap) && cap.len > 0 && cap.len < 200) {
		if (catalog_capture(hit, "port", &port) && port.len > 0 && port.len < 8) {
			snprintf(buf, sizeof(buf), "%.*s:%.*s", (int)cap.len, cap.p, (int)port.len,
				 port.p);
			cap.p = buf;
			cap.len = strlen(buf);
		}
		return nexthop_classify(nh, cap, SPAN_EMPTY, SPAN_EMPTY);
	}
	return NH_UNKNOWN;
}

static int
cond_holds(const struct cat_cond *c, const struct pfconf *cf, const struct pf_record *rec,
	   const struct cat_hit *hit, unsigned ctx, const struct nexthop *nh)
{
	struct span cap;
	const char *v;
	char svc[64];
	int ch;

	switch (c->op) {
	case COND_DIRECT:
	case COND_NOT_DIRECT:
		if (ctx & (CTX_DIRECT | CTX_RELAYED))
			ch = (ctx & CTX_DIRECT) != 0;
		else
			ch = catalog_hit_path(nh, hit) == NH_DIRECT;
		return ch == (c->op == COND_DIRECT);
	case COND_SUBMITTED:
	case COND_NOT_SUBMITTED:
		return ((ctx & CTX_SUBMITTED) != 0) == (c->op == COND_SUBMITTED);
	case COND_RECEIVED:
	case COND_NOT_RECEIVED:
		return ((ctx & CTX_RECEIVED) != 0) == (c->op == COND_RECEIVED);
	case COND_SASL_DB_STALE:
		return cf != NULL && cf->loaded && cf->sasl_db_state == SASL_DB_STALE;
	case COND_SASL_DB_MISSING:
		return cf != NULL && cf->loaded && cf->sasl_db_state == SASL_DB_MISSING;
	case COND_SASL_KEY:
		return pfconf_sasl_key_found(cf) == 1;
	case COND_NO_SASL_KEY:
		return pfconf_sasl_key_found(cf) == 0;
	case COND_CHROOT:
	case COND_NOCHROOT:
		/* qmgr and error(8) repeat a delivery agent's reason
		 * ("delivery temporarily suspended"): whose chroot is unknown */
		if (rec == NULL || rec->service.len >= sizeof(svc) || rec->prog == PROG_QMGR
		    || rec->prog == PROG_OQMGR || rec->prog == PROG_ERROR)
			return 0;
		memcpy(svc, rec->service.p, rec->service.len);
		svc[rec->service.len] = '\0';
		ch = pfconf_service_chroot(cf, svc, NULL);
		if (ch < 0)
			return 0;
		return c->op == COND_CHROOT ? ch == 1 : ch == 0;
	default:
		break;
	}
	if ((v = pfconf_get(cf, c->param, NULL)) == NULL)
		return 0;
	switch (c->op) {
	case COND_SET:
		return *v != '\0';
	case COND_UNSET:
		return *v == '\0';
	case COND_EQ:
		return strcasecmp(v, c->value) == 0;
	case COND_NE:
		return strcasecmp(v, c->value) != 0;
	case COND_CONTAINS:
		return catalog_capture(hit, c->value, &cap) && cap.len > 0
		    && memmem(v, strlen(v), cap.p, cap.len) != NULL;
	case COND_LIST_HAS:
	case COND_LIST_LACKS:
		if (!catalog_capture(hit, c->value, &cap) || cap.len == 0)
			return 0;
		return list_has(v, cap) == (c->op == COND_LIST_HAS);
	default:
		return 0;
	}
}

/* Configuration conditions, after the regex (they may use captures). */
int
cat_rule_conditions(const struct cat_rule *r, const struct pf_record *rec,
		const struct pfconf *cf, const struct cat_hit *hit, unsigned ctx,
		const struct nexthop *nh)
{
	int i;

	for (i = 0; i < r->nconds; i++)
		if (!cond_holds(&r->conds[i], cf, rec, hit, ctx, nh))
			return 0;
	return 1;
}
