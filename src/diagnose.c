/*
 * diagnose.c - aggregate catalog hits into ranked findings with evidence.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"

void
diag_init(struct diag *d, const struct pfconf *cf, const struct catalog *cat)
{
	memset(d, 0, sizeof(*d));
	d->cf = cf;
	d->cat = cat;
}

void
diag_free(struct diag *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		struct finding *f = d->f[i];

		free(f->host);
		free(f->title);
		free(f->explain);
		free(f->fix);
		for (j = 0; j < f->nqids; j++)
			free(f->qids[j]);
		for (j = 0; j < f->nev; j++)
			free(f->ev[j].text);
		free(f);
	}
	d->n = 0;
}

/* Captures that name the remote host a hit is about, in order. */
static const char *const host_captures[] = { "server", "host", "peer", "name", NULL };

/* The host capture of a hit as logged ("name[addr]:port"); 0 if none. */
static int
hit_host_capture(const struct cat_hit *hit, struct span *cap)
{
	int i;

	for (i = 0; hit != NULL && host_captures[i] != NULL; i++)
		if (catalog_capture(hit, host_captures[i], cap) && cap->len > 0)
			return 1;
	return 0;
}

/* The relay host a hit is about: its server/host/peer capture, else the
 * configured relayhost. */
static const char *
hit_host(struct diag *d, const struct cat_hit *hit, char *buf, size_t size)
{
	struct span cap;

	if (hit_host_capture(hit, &cap) && cap.len < size) {
		memcpy(buf, cap.p, cap.len);
		buf[cap.len] = '\0';
		return buf;
	}
	return pfconf_get(d->cf, "relayhost", NULL);
}

/* The host name alone, lower case: "Smtp.X.com[1.2.3.4]:587" and
 * "[smtp.x.com]:587" give "smtp.x.com"; a bare IPv6 address is kept whole.
 * Returns buf, or NULL when the hit names no host. */
static const char *
hit_group_key(const struct cat_hit *hit, char *buf, size_t size)
{
	struct span cap;
	const char *p, *end;
	size_t n = 0;

	if (!hit_host_capture(hit, &cap))
		return NULL;
	p = cap.p;
	end = cap.p + cap.len;
	if (*p == '[') {
		p++;
		end = memchr(p, ']', (size_t)(end - p));
		if (end == NULL)
			end = cap.p + cap.len;
	} else {
		const char *lb = memchr(p, '[', cap.len), *colon = memchr(p, ':', cap.len);

		if (lb != NULL)
			end = lb;
		else if (colon != NULL && memchr(colon + 1, ':', (size_t)(end - colon - 1)) == NULL)
			end = colon;	/* host:port, not an IPv6 address */
	}
	while (p < end && n + 1 < size)
		buf[n++] = (char)tolower((unsigned char)*p++);
	buf[n] = '\0';
	return n > 0 ? buf : NULL;
}

/* ${name} or ${name|default}: a capture, config:param, program, service;
 * the default (or "(unknown)") when it has no value. */
/* The value of variable key (a capture, config:param, provider:field,
 * program, service) into val; 1 if it has one. *v_null is set when the
 * configuration was not read (for the "(not read)" marker). */
static int
var_value(struct diag *d, struct strbuf *val, const char *key, const struct cat_hit *hit,
	  const struct pf_record *rec, int *v_null)
{
	char hostbuf[256];
	const char *v;
	struct span cap;

	*v_null = 0;
	if (strncmp(key, "provider:", 9) == 0) {
		const struct cat_provider *pv =
		    catalog_provider(d->cat, hit_host(d, hit, hostbuf, sizeof(hostbuf)));

		if (pv != NULL && (v = provider_field(pv, key + 9)) != NULL) {
			diag_expand(d, val, v, hit, rec);
			return 1;
		}
		return 0;
	}
	if (strncmp(key, "config:", 7) == 0) {
		v = pfconf_get(d->cf, key + 7, NULL);
		*v_null = v == NULL;
		if (v == NULL || *v == '\0')
			return 0;
		sb_adds(val, v);
		return 1;
	}
	/* a capture of that name wins over the record's program and service */
	if (hit != NULL && catalog_capture(hit, key, &cap) && cap.len > 0) {
		sb_add(val, cap.p, cap.len);
		return 1;
	}
	if (strcmp(key, "program") == 0 && rec != NULL) {
		sb_add(val, rec->program.p, rec->program.len);
		return 1;
	}
	if (strcmp(key, "service") == 0 && rec != NULL) {
		sb_add(val, rec->service.p, rec->service.len);
		return 1;
	}
	return 0;
}

/* ${key}, ${key|default} (default when key has no value) or ${key?text}
 * (text when it has one); default and text may hold ${...} themselves. */
static void
expand_var(struct diag *d, struct strbuf *out, const char *name, size_t n,
	   const struct cat_hit *hit, const struct pf_record *rec)
{
	struct strbuf val;
	size_t klen = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-");
	char key[128], op;
	int has, v_null;

	if (klen > n)
		klen = n;
	op = klen < n ? name[klen] : '\0';
	if (klen >= sizeof(key) || (op != '\0' && op != '|' && op != '?')) {
		sb_adds(out, "?");
		return;
	}
	memcpy(key, name, klen);
	key[klen] = '\0';
	sb_init(&val);
	has = var_value(d, &val, key, hit, rec, &v_null);
	if (op != '\0' && has == (op == '?')) {
		char *sub = xstrndup(name + klen + 1, n - klen - 1);

		diag_expand(d, out, sub, hit, rec);
		free(sub);
	} else if (has && op != '?') {
		sb_add(out, val.s, val.len);
	} else if (op == '\0') {
		sb_adds(out, strncmp(key, "config:", 7) != 0 ? "(unknown)"
			: v_null ? "(not read)" : "(empty)");
	}
	sb_free(&val);
}

/* The '}' closing the "${" at p, allowing nested ${...}; NULL if none. */
static const char *
close_brace(const char *p)
{
	int depth = 0;

	for (p += 2; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] == '{') {
			depth++;
			p++;
		} else if (*p == '}' && depth-- == 0) {
			return p;
		}
	}
	return NULL;
}

void
diag_expand(struct diag *d, struct strbuf *out, const char *tmpl, const struct cat_hit *hit,
	    const struct pf_record *rec)
{
	const char *p = tmpl, *close;

	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '{' && (close = close_brace(p)) != NULL) {
			expand_var(d, out, p + 2, (size_t)(close - p - 2), hit, rec);
			p = close + 1;
			continue;
		}
		sb_addc(out, *p++);
	}
}

static char *
expand_dup(struct diag *d, const char *tmpl, const struct cat_hit *hit,
	   const struct pf_record *rec)
{
	struct strbuf sb;
	char *s;

	sb_init(&sb);
	diag_expand(d, &sb, tmpl, hit, rec);
	s = xstrndup(sb.s, sb.len);
	sb_free(&sb);
	return s;
}

static void
add_conf_evidence(struct finding *f, const struct cf_where *w)
{
	size_t i;

	if (w == NULL || w->text == NULL || f->nev >= DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE)
		return;
	for (i = 0; i < f->nev; i++)
		if (f->ev[i].is_config && f->ev[i].file == w->file
		    && f->ev[i].line == (unsigned long)w->line)
			return;
	f->ev[f->nev].is_config = 1;
	f->ev[f->nev].file = w->file;
	f->ev[f->nev].line = (unsigned long)w->line;
	f->ev[f->nev].text = xstrdup(w->text);
	f->ev[f->nev].cap = strlen(w->text) + 1;
	f->nev++;
}

/* Configuration lines behind a conditional match and the ${config:x}
 * references of the finding's texts. */
static void
collect_conf_evidence(struct finding *f, const struct cat_rule *r, const struct pfconf *cf,
		      const struct pf_record *rec)
{
	const struct cf_where *w;
	const char *p, *close;
	const char *texts[3] = { f->def->title, f->def->explain, f->def->fix };
	char name[128], svc[64];
	int i, k;

	for (i = 0; i < r->nconds; i++) {
		if (r->conds[i].op >= COND_SUBMITTED)	/* about the message, not the config */
			continue;
		if (r->conds[i].op == COND_SASL_DB_STALE || r->conds[i].op == COND_SASL_DB_MISSING) {
			if (cf != NULL)
				add_conf_evidence(f, &cf->sasl_db_where);
			continue;
		}
		if (r->conds[i].op == COND_SASL_KEY || r->conds[i].op == COND_NO_SASL_KEY) {
			size_t e;

			pfconf_get(cf, "relayhost", &w);
			add_conf_evidence(f, w);
			for (e = 0; cf != NULL && e < cf->nsasl && e < 4; e++)
				add_conf_evidence(f, &cf->sasl[e].where);
			continue;
		}
		if (r->conds[i].param == NULL) {
			if (rec != NULL && rec->service.len < sizeof(svc)) {
				memcpy(svc, rec->service.p, rec->service.len);
				svc[rec->service.len] = '\0';
				pfconf_service_chroot(cf, svc, &w);
				add_conf_evidence(f, w);
			}
			continue;
		}
		pfconf_get(cf, r->conds[i].param, &w);
		add_conf_evidence(f, w);
	}
	for (k = 0; k < 3; k++)
		for (p = texts[k]; (p = strstr(p, "${config:")) != NULL; p = close) {
			if ((close = close_brace(p)) == NULL)
				break;
			if ((size_t)(close - p - 9) < sizeof(name)) {
				memcpy(name, p + 9, (size_t)(close - p - 9));
				name[close - p - 9] = '\0';
				name[strcspn(name, "|")] = '\0';
				pfconf_get(cf, name, &w);
				add_conf_evidence(f, w);
			}
		}
}

static size_t
count_log_evidence(const struct finding *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->nev; i++)
		n += !f->ev[i].is_config;
	return n;
}

static void
add_log_evidence(struct finding *f, const struct evref *ev)
{
	struct evidence *slot = NULL;
	size_t i;

	if (count_log_evidence(f) < DIAG_MAX_LOG_EVIDENCE) {
		if (f->nev >= DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE)
			return;
		slot = &f->ev[f->nev++];
	} else {
		/* keep the first ones and replace the last: first and latest */
		for (i = f->nev; i-- > 0; )
			if (!f->ev[i].is_config) {
				slot = &f->ev[i];
				break;
			}
	}
	if (slot == NULL)
		return;
	/* the latest slot is rewritten for every further hit: reuse its memory */
	if (slot->text == NULL || slot->cap < ev->text.len + 1) {
		slot->cap = ev->text.len + 1 < 512 ? 512 : ev->text.len + 1;
		slot->text = xrealloc(slot->text, slot->cap);
	}
	memcpy(slot->text, ev->text.p, ev->text.len);
	slot->text[ev->text.len] = '\0';
	slot->is_config = 0;
	slot->source = ev->source;
	slot->file = NULL;
	slot->line = ev->lineno;
	slot->time = ev->time;
}

/* The finding a hit of def about host key (NULL: none named) folds into:
 * one finding per id and remote host. A hit that names no host joins the
 * first finding of its id; one that names a host joins the finding of
 * that host, else a finding of its id that had no host yet. -1: none. */
static int
diag_find(const struct diag *d, const struct cat_finding *def, const char *key)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->f[i]->def == def && (key == NULL || (d->f[i]->host != NULL
							   && strcmp(d->f[i]->host, key) == 0)))
			return (int)i;
	for (i = 0; i < d->n; i++)
		if (d->f[i]->def == def && d->f[i]->host == NULL)
			return (int)i;
	return -1;
}

int
diag_hit(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
	 const struct evref *ev)
{
	const struct cat_rule *r = hit->rule;
	struct finding *f = NULL;
	char keybuf[256];
	const char *key = hit_group_key(hit, keybuf, sizeof(keybuf));
	size_t i = 0;
	int n;

	if ((n = diag_find(d, r->finding, key)) >= 0) {
		i = (size_t)n;
		f = d->f[i];
		if (f->host == NULL && key != NULL)
			f->host = xstrdup(key);
	}
	if (f == NULL) {
		if (d->n == DIAG_MAX_FINDINGS) {
			d->dropped++;
			return -1;
		}
		f = xcalloc(1, sizeof(*f));
		f->def = r->finding;
		f->host = key != NULL ? xstrdup(key) : NULL;
		f->severity = r->severity;
		f->rank = r->rank;
		f->order = d->n;
		f->title = expand_dup(d, r->finding->title, hit, rec);
		f->explain = expand_dup(d, r->finding->explain, hit, rec);
		f->fix = expand_dup(d, r->finding->fix, hit, rec);
		f->first = ev->time;
		collect_conf_evidence(f, r, d->cf, rec);
		d->f[d->n] = f;
		i = d->n++;
	}
	if (r->severity > f->severity)
		f->severity = r->severity;
	if (r->rank > f->rank)
		f->rank = r->rank;
	f->count++;
	f->last = ev->time;
	add_log_evidence(f, ev);
	return (int)i;
}

void
diag_attach(struct diag *d, int idx, const char *qid)
{
	struct finding *f;
	size_t i;

	if (idx < 0 || (size_t)idx >= d->n)
		return;
	f = d->f[idx];
	for (i = 0; i < f->nqids; i++)
		if (strcmp(f->qids[i], qid) == 0)
			return;
	if (f->nqids < DIAG_MAX_QIDS)
		f->qids[f->nqids++] = xstrdup(qid);
	f->nmessages++;
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct finding *x = *(struct finding *const *)a, *y = *(struct finding *const *)b;

	if (x->rank != y->rank)
		return y->rank - x->rank;
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return x->order < y->order ? -1 : x->order > y->order;
}

void
diag_rank(struct diag *d)
{
	qsort(d->f, d->n, sizeof(d->f[0]), cmp_finding);
}

enum find_sev
diag_worst(const struct diag *d)
{
	enum find_sev w = FSEV_OK;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->f[i]->severity > w)
			w = d->f[i]->severity;
	return w;
}
