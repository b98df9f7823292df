/*
 * rules_cond.c - the conditions of a match ("when = ..."), from one
 * registry of names: each entry says how the condition is tested after
 * the regex matched (it may use the captures), whether it is about the
 * configuration or the message, and which configuration lines show it
 * (evidence). A condition word is a keyword (chroot, sasl_key, direct,
 * ...), "param OP value" with OP one of =, ~, ~= (each negatable with a
 * leading '!': !=, !~=), or a parameter alone ("set", "!param" unset).
 * '!' before a keyword negates it. A test answers yes, no or "cannot
 * tell" (configuration not read, capture missing): then neither the
 * condition nor its negation holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* What a test sees. */
struct cond_args {
	const struct cat_cond *c;
	const struct pfconf *cf;
	const struct pf_record *rec;
	const struct cat_hit *hit;
	unsigned ctx;
	const struct nexthop *nh;
};

enum { CT_NO = 0, CT_YES = 1, CT_UNKNOWN = -1 };
enum { CD_KEYWORD, CD_INFIX, CD_PARAM };

struct cond_def {
	const char *name;	/* keyword or operator, as written */
	int form;		/* CD_* */
	int about_message;	/* the message's origin or path, not the configuration */
	int (*test)(const struct cond_args *a);	/* CT_* */
	void (*evidence)(const struct cond_args *a, cat_ev_fn add, void *ctx);
};

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

/* --- tests ------------------------------------------------------------- */

static int
yes_no(int b)
{
	return b ? CT_YES : CT_NO;
}

static int
t_direct(const struct cond_args *a)
{
	if (a->ctx & (CTX_DIRECT | CTX_RELAYED))
		return yes_no((a->ctx & CTX_DIRECT) != 0);
	return yes_no(catalog_hit_path(a->nh, a->hit) == NH_DIRECT);
}

static int
t_submitted(const struct cond_args *a)
{
	return yes_no((a->ctx & CTX_SUBMITTED) != 0);
}

static int
t_received(const struct cond_args *a)
{
	return yes_no((a->ctx & CTX_RECEIVED) != 0);
}

static int
t_sasl_db(const struct cond_args *a, int state)
{
	if (a->cf == NULL || !a->cf->loaded || a->cf->sasl_db_state == SASL_DB_UNKNOWN)
		return CT_UNKNOWN;
	return yes_no(a->cf->sasl_db_state == state);
}

static int
t_sasl_db_stale(const struct cond_args *a)
{
	return t_sasl_db(a, SASL_DB_STALE);
}

static int
t_sasl_db_missing(const struct cond_args *a)
{
	return t_sasl_db(a, SASL_DB_MISSING);
}

static int
t_sasl_key(const struct cond_args *a)
{
	int k = pfconf_sasl_key_found(a->cf);

	return k < 0 ? CT_UNKNOWN : yes_no(k == 1);
}

/* The master.cf service of the record; 0 if there is none to ask about:
 * qmgr and error(8) repeat a delivery agent's reason ("delivery
 * temporarily suspended"), whose chroot is unknown. */
static int
rec_service(const struct pf_record *rec, char *svc, size_t size)
{
	if (rec == NULL || rec->service.len >= size || rec->prog == PROG_QMGR
	    || rec->prog == PROG_OQMGR || rec->prog == PROG_ERROR)
		return 0;
	memcpy(svc, rec->service.p, rec->service.len);
	svc[rec->service.len] = '\0';
	return 1;
}

static int
t_chroot(const struct cond_args *a)
{
	char svc[64];
	int ch;

	if (a->rec == NULL)	/* an observation: about smtp(8), the relay client */
		snprintf(svc, sizeof(svc), "smtp");
	else if (!rec_service(a->rec, svc, sizeof(svc)))
		return CT_UNKNOWN;
	ch = pfconf_service_chroot(a->cf, svc, NULL);
	return ch < 0 ? CT_UNKNOWN : yes_no(ch == 1);
}

/* The parameter's value; NULL when the configuration was not read. */
static const char *
param_value(const struct cond_args *a)
{
	return pfconf_get(a->cf, a->c->param, NULL);
}

static int
t_set(const struct cond_args *a)
{
	const char *v = param_value(a);

	return v == NULL ? CT_UNKNOWN : yes_no(*v != '\0');
}

static int
t_equals(const struct cond_args *a)
{
	const char *v = param_value(a);

	return v == NULL ? CT_UNKNOWN : yes_no(strcasecmp(v, a->c->value) == 0);
}

static int
t_contains(const struct cond_args *a)
{
	const char *v = param_value(a);
	struct span cap;

	if (v == NULL || !catalog_capture(a->hit, a->c->value, &cap) || cap.len == 0)
		return CT_UNKNOWN;
	return yes_no(memmem(v, strlen(v), cap.p, cap.len) != NULL);
}

static int
t_list_has(const struct cond_args *a)
{
	const char *v = param_value(a);
	struct span cap;

	if (v == NULL || !catalog_capture(a->hit, a->c->value, &cap) || cap.len == 0)
		return CT_UNKNOWN;
	return yes_no(list_has(v, cap));
}

/* --- evidence ---------------------------------------------------------- */

static void
ev_param(const struct cond_args *a, cat_ev_fn add, void *ctx)
{
	const struct cf_where *w;

	pfconf_get(a->cf, a->c->param, &w);
	if (w != NULL)
		add(ctx, w);
}

static void
ev_sasl_db(const struct cond_args *a, cat_ev_fn add, void *ctx)
{
	if (a->cf != NULL && a->cf->sasl_db_where.text != NULL)
		add(ctx, &a->cf->sasl_db_where);
}

static void
ev_sasl_key(const struct cond_args *a, cat_ev_fn add, void *ctx)
{
	const struct cf_where *w;
	size_t e;

	pfconf_get(a->cf, "relayhost", &w);
	if (w != NULL)
		add(ctx, w);
	for (e = 0; a->cf != NULL && e < a->cf->nsasl && e < 4; e++)
		add(ctx, &a->cf->sasl[e].where);
}

static void
ev_chroot(const struct cond_args *a, cat_ev_fn add, void *ctx)
{
	const struct cf_where *w;
	char svc[64];

	if (a->rec == NULL)
		snprintf(svc, sizeof(svc), "smtp");
	if (a->rec == NULL || rec_service(a->rec, svc, sizeof(svc))) {
		pfconf_service_chroot(a->cf, svc, &w);
		if (w != NULL)
			add(ctx, w);
	}
}

/* --- the registry ------------------------------------------------------- */

static const struct cond_def cond_registry[] = {
	{ "sasl_db_stale", CD_KEYWORD, 0, t_sasl_db_stale, ev_sasl_db },
	{ "sasl_db_missing", CD_KEYWORD, 0, t_sasl_db_missing, ev_sasl_db },
	{ "sasl_key", CD_KEYWORD, 0, t_sasl_key, ev_sasl_key },
	{ "chroot", CD_KEYWORD, 0, t_chroot, ev_chroot },
	{ "submitted", CD_KEYWORD, 1, t_submitted, NULL },
	{ "received", CD_KEYWORD, 1, t_received, NULL },
	{ "direct", CD_KEYWORD, 1, t_direct, NULL },
	/* operators, longest first: "~=" before "~" */
	{ "~=", CD_INFIX, 0, t_list_has, ev_param },
	{ "~", CD_INFIX, 0, t_contains, ev_param },
	{ "=", CD_INFIX, 0, t_equals, ev_param },
	{ "set", CD_PARAM, 0, t_set, ev_param },
};
#define COND_NDEFS (sizeof(cond_registry) / sizeof(cond_registry[0]))

static const struct cond_def *
cond_lookup(int form, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < COND_NDEFS; i++)
		if (cond_registry[i].form == form && strlen(cond_registry[i].name) == len
		    && strncmp(cond_registry[i].name, name, len) == 0)
			return &cond_registry[i];
	return NULL;
}

/* One condition word: a keyword, param OP value, param or !param. */
void
cat_cond_parse(const char *tok, struct cat_cond *c)
{
	const char *word = tok, *at;
	size_t i, n;

	memset(c, 0, sizeof(*c));
	if (*word == '!') {
		c->negate = 1;
		word++;
	}
	if ((c->def = cond_lookup(CD_KEYWORD, word, strlen(word))) != NULL)
		return;
	c->negate = 0;
	for (i = 0; i < COND_NDEFS; i++) {
		if (cond_registry[i].form != CD_INFIX
		    || (at = strstr(tok, cond_registry[i].name)) == NULL || at == tok)
			continue;
		n = (size_t)(at - tok);
		if (tok[n - 1] == '!') {
			c->negate = 1;
			n--;
		}
		c->def = &cond_registry[i];
		c->param = xstrndup(tok, n);
		c->value = xstrdup(at + strlen(cond_registry[i].name));
		return;
	}
	c->def = cond_lookup(CD_PARAM, "set", 3);
	c->negate = tok[0] == '!';
	c->param = xstrdup(tok + c->negate);
}

const char *
cat_cond_name(const struct cat_cond *c)
{
	return c->def->name;
}

int
cat_cond_about_message(const struct cat_cond *c)
{
	return c->def->about_message;
}

/* How a condition is written back (--explain). */
void
cat_cond_print(FILE *out, const struct cat_cond *c)
{
	const char *neg = c->negate ? "!" : "";

	switch (c->def->form) {
	case CD_KEYWORD:
		fprintf(out, " %s%s", neg, c->def->name);
		break;
	case CD_INFIX:
		fprintf(out, " %s%s%s%s", c->param, neg, c->def->name, c->value);
		break;
	default:
		fprintf(out, " %s%s", neg, c->param);
		break;
	}
}

void
cat_cond_evidence(const struct cat_cond *c, const struct pfconf *cf, const struct pf_record *rec,
		  cat_ev_fn add, void *ctx)
{
	struct cond_args a = { c, cf, rec, NULL, 0, NULL };

	if (c->def->evidence != NULL && cf != NULL)
		c->def->evidence(&a, add, ctx);
}

/* Configuration conditions, after the regex (they may use captures). */
int
cat_rule_conditions(const struct cat_rule *r, const struct pf_record *rec,
		    const struct pfconf *cf, const struct cat_hit *hit, unsigned ctx,
		    const struct nexthop *nh)
{
	struct cond_args a = { NULL, cf, rec, hit, ctx, nh };
	int i, t;

	for (i = 0; i < r->nconds; i++) {
		a.c = &r->conds[i];
		if ((t = a.c->def->test(&a)) == CT_UNKNOWN || (t == CT_YES) == a.c->negate)
			return 0;
	}
	return 1;
}
