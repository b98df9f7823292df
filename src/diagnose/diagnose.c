/*
 * diagnose.c - aggregate catalog hits into ranked findings with evidence,
 * and list the findings that changed for the sinks (diag_changed).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "observe.h"

/* Put finding idx on the changed list (once until diag_changed). */
static void
diag_touch(struct diag *d, size_t idx)
{
	struct finding *f = d->f[idx];

	if (f->dirty || d->nchanged >= DIAG_MAX_FINDINGS)
		return;
	f->dirty = 1;
	d->changed[d->nchanged++] = (int)idx;
}

static void
changed_clear(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->f[i] != NULL)
			d->f[i]->dirty = 0;
	d->nchanged = 0;
}

void
diag_changed(struct diag *d, diag_changed_fn fn, void *ctx)
{
	size_t i, k;

	for (i = 0; i < d->nchanged; i++) {
		k = (size_t)d->changed[i];
		if (k >= d->n)
			continue;
		d->f[k]->dirty = 0;
		if (fn != NULL)
			fn(ctx, d->f[k]);
	}
	d->nchanged = 0;
}

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
		for (j = 0; j < f->nloghosts; j++)
			free(f->loghosts[j]);
		for (j = 0; j < f->ndetails; j++) {
			free(f->details[j].key);
			free(f->details[j].host);
		}
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
	free(d->succ);
	d->succ = NULL;
	for (i = 0; i < d->nstrs; i++)
		free(d->strs[i]);
	free(d->strs);
	d->strs = NULL;
	d->nstrs = 0;
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
		if (f->ev[i].is_config && f->ev[i].line == (unsigned long)w->line
		    && (f->ev[i].file == w->file || (f->ev[i].file != NULL && w->file != NULL
						    && strcmp(f->ev[i].file, w->file) == 0))
		    && (w->line > 0 || strcmp(f->ev[i].text, w->text) == 0))
			return;
	f->ev[f->nev].is_config = 1;
	f->ev[f->nev].kind = w->line > 0 ? EV_CONFIG : EV_FILE;
	f->ev[f->nev].file = w->file;
	f->ev[f->nev].line = (unsigned long)w->line;
	f->ev[f->nev].text = xstrdup(w->text);
	f->ev[f->nev].cap = strlen(w->text) + 1;
	f->nev++;
}

static void
conf_evidence_cb(void *ctx, const struct cf_where *w)
{
	add_conf_evidence(ctx, w);
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
	char name[128];
	int i, k;

	for (i = 0; i < r->nconds; i++)
		cat_cond_evidence(&r->conds[i], cf, rec, conf_evidence_cb, f);
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
	slot->kind = EV_LOG;
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
diag_find(const struct diag *d, const struct cat_finding *def, const char *key, int direct)
{
	size_t i;

	if (direct) {
		for (i = 0; i < d->n; i++)
			if (d->f[i]->def == def && d->f[i]->direct)
				return (int)i;
		return -1;
	}
	for (i = 0; i < d->n; i++)
		if (d->f[i]->def == def && !d->f[i]->direct
		    && (key == NULL || (d->f[i]->host != NULL && strcmp(d->f[i]->host, key) == 0)))
			return (int)i;
	for (i = 0; i < d->n; i++)
		if (d->f[i]->def == def && !d->f[i]->direct && d->f[i]->host == NULL)
			return (int)i;
	return -1;
}

/* Remember which host logged a hit (a central log host's fleet). */
static void
add_loghost(struct finding *f, struct span host)
{
	size_t i;

	if (host.len == 0 || f->nloghosts == DIAG_MAX_LOGHOSTS)
		return;
	for (i = 0; i < f->nloghosts; i++)
		if (strlen(f->loghosts[i]) == host.len && memcmp(f->loghosts[i], host.p, host.len) == 0)
			return;
	f->loghosts[f->nloghosts++] = xstrndup(host.p, host.len);
}

/* Count a hit of a class finding under its recipient domain (else its
 * remote host). */
static void
add_detail(struct finding *f, struct span domain, const char *host)
{
	char buf[256];
	const char *key = host;
	size_t i, n;

	if (domain.len > 0) {
		n = domain.len < sizeof(buf) - 1 ? domain.len : sizeof(buf) - 1;
		for (i = 0; i < n; i++)
			buf[i] = (char)tolower((unsigned char)domain.p[i]);
		buf[n] = '\0';
		key = buf;
	}
	if (key == NULL)
		return;
	for (i = 0; i < f->ndetails; i++)
		if (strcmp(f->details[i].key, key) == 0) {
			f->details[i].count++;
			if (f->details[i].host == NULL && host != NULL && host != key)
				f->details[i].host = xstrdup(host);
			return;
		}
	if (f->ndetails == DIAG_MAX_DETAILS) {
		f->details_other++;
		return;
	}
	f->details[f->ndetails].key = xstrdup(key);
	f->details[f->ndetails].host = host != NULL && host != key ? xstrdup(host) : NULL;
	f->details[f->ndetails].count = 1;
	f->ndetails++;
}

int
diag_hit(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
	 const struct evref *ev)
{
	return diag_hit_ctx(d, hit, rec, ev, NULL);
}

int
diag_hit_ctx(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
	     const struct evref *ev, const struct diag_hitctx *hc)
{
	const struct cat_rule *r = hit->rule;
	struct finding *f = NULL;
	char keybuf[256];
	const char *key = hit_group_key(hit, keybuf, sizeof(keybuf));
	enum nh_path path = hc != NULL ? hc->path : NH_UNKNOWN;
	int direct, n;
	size_t i = 0;

	if (path == NH_UNKNOWN)
		path = catalog_hit_path(d->nh, hit);
	direct = r->finding->group_class || path == NH_DIRECT;
	if ((n = diag_find(d, r->finding, key, direct)) >= 0) {
		i = (size_t)n;
		f = d->f[i];
		if (!direct && f->host == NULL && key != NULL)
			f->host = xstrdup(key);
	}
	if (f == NULL) {
		if (d->n == DIAG_MAX_FINDINGS) {
			d->dropped++;
			return -1;
		}
		f = xcalloc(1, sizeof(*f));
		f->def = r->finding;
		f->direct = direct;
		f->host = key != NULL && !direct ? xstrdup(key) : NULL;
		f->severity = r->severity;
		f->rank = r->rank;
		f->order = d->n;
		f->handle = d->handles++;
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
	f->last_seq = d->seq;
	add_loghost(f, ev->host);
	if (direct)
		add_detail(f, hc != NULL ? hc->domain : SPAN_EMPTY, key);
	add_log_evidence(f, ev);
	diag_touch(d, i);
	return (int)i;
}

const char *
diag_ev_kind_name(enum ev_kind k)
{
	static const char *const names[] = { "log", "config", "file", "cert" };

	return (unsigned)k <= EV_CERT ? names[k] : "log";
}

/* A file name kept for the life of the diagnosis (evidence points to it). */
static const char *
diag_str(struct diag *d, const char *s)
{
	size_t i;

	for (i = 0; i < d->nstrs; i++)
		if (strcmp(d->strs[i], s) == 0)
			return d->strs[i];
	d->strs = xreallocarray(d->strs, d->nstrs + 1, sizeof(char *));
	return d->strs[d->nstrs++] = xstrdup(s);
}

/* The observation's evidence: lines, file facts, certificates. */
static void
add_obs_evidence(struct diag *d, struct finding *f, const struct observation *o)
{
	struct cf_where w;
	size_t i, before;

	for (i = 0; i < o->nev; i++) {
		if (o->ev[i].file == NULL || o->ev[i].text == NULL)
			continue;
		w.file = diag_str(d, o->ev[i].file);
		w.line = (int)o->ev[i].line;
		w.text = o->ev[i].text;
		before = f->nev;
		add_conf_evidence(f, &w);
		if (f->nev > before && o->ev[i].line == 0 && o->kind == OBS_CERT)
			f->ev[before].kind = EV_CERT;
	}
}

/* The host an observation is about: its rule's host capture, else the
 * relay the check named; lower case. */
static const char *
obs_host(const struct cat_hit *hit, const struct observation *o, char *buf, size_t size)
{
	size_t i;

	if (hit_group_key(hit, buf, size) != NULL)
		return buf;
	if (o->host == NULL || o->host[0] == '\0' || strlen(o->host) >= size)
		return NULL;
	for (i = 0; o->host[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)o->host[i]);
	buf[i] = '\0';
	return buf;
}

int
diag_observe(struct diag *d, const struct cat_hit *hit, const struct observation *o)
{
	const struct cat_rule *r = hit->rule;
	struct finding *f;
	char keybuf[256];
	const char *key = obs_host(hit, o, keybuf, sizeof(keybuf));
	int n;

	if ((n = diag_find(d, r->finding, key, r->finding->group_class)) >= 0) {
		f = d->f[n];
		if (f->host == NULL && key != NULL && !f->direct)
			f->host = xstrdup(key);
	} else {
		if (d->n == DIAG_MAX_FINDINGS) {
			d->dropped++;
			return -1;
		}
		f = xcalloc(1, sizeof(*f));
		f->def = r->finding;
		f->direct = r->finding->group_class;
		f->host = key != NULL && !f->direct ? xstrdup(key) : NULL;
		f->severity = r->severity;
		f->rank = r->rank;
		f->order = d->n;
		f->handle = d->handles++;
		f->title = expand_dup(d, r->finding->title, hit, NULL);
		f->explain = expand_dup(d, r->finding->explain, hit, NULL);
		f->fix = expand_dup(d, r->finding->fix, hit, NULL);
		n = (int)d->n;
		d->f[d->n++] = f;
	}
	if (r->severity > f->severity)
		f->severity = r->severity;
	if (r->rank > f->rank)
		f->rank = r->rank;
	f->observations++;
	add_obs_evidence(d, f, o);
	collect_conf_evidence(f, r, d->cf, NULL);
	diag_touch(d, (size_t)n);
	return n;
}

void
diag_outcome(struct diag *d, int idx, enum dstatus outcome, int consequence)
{
	struct finding *f;

	if (idx < 0 || (size_t)idx >= d->n)
		return;
	f = d->f[idx];
	diag_touch(d, (size_t)idx);
	if (consequence) {
		f->msgs_consequence++;
	} else if (outcome == DS_SENT) {
		f->msgs_delivered++;
	} else {
		f->msgs_failed++;
		f->msgs_lost += outcome != DS_DEFERRED && outcome != DS_NONE && outcome != DS_HELD;
	}
}

static struct diag_success *
success_slot(struct diag *d, uint64_t h, int create)
{
	struct diag_success *s, *victim = NULL;
	size_t i, base;

	if (d->succ == NULL) {
		if (!create)
			return NULL;
		d->succ = xcalloc(DIAG_SUCCESS_SLOTS, sizeof(*d->succ));
	}
	base = (size_t)(h % DIAG_SUCCESS_SLOTS);
	for (i = 0; i < 8; i++) {
		s = &d->succ[(base + i) % DIAG_SUCCESS_SLOTS];
		if (s->seq != 0 && s->hash == h)
			return s;
		if (victim == NULL || s->seq < victim->seq)
			victim = s;
	}
	if (!create)
		return NULL;
	victim->hash = h;
	return victim;
}

void
diag_success_name(struct diag *d, const char *name, size_t len, const struct logtime *t)
{
	struct diag_success *s;

	if (len == 0)
		return;
	s = success_slot(d, hash_bytes(name, len, 0), 1);
	s->seq = d->seq;
	s->time = *t;
}

void
diag_success(struct diag *d, struct span host, const struct logtime *t)
{
	char name[NH_NAME_MAX];
	unsigned port;
	size_t n = nexthop_name(host, name, sizeof(name), &port);

	diag_success_name(d, name, n, t);
}

const char *
diag_status_name(enum diag_status s)
{
	static const char *const names[] = { "active", "resolved", "overcome" };

	return s <= DSTAT_OVERCOME ? names[s] : "active";
}

/* A finding that failed deliveries is history when a later delivery over
 * the same next hop succeeded (resolved), or when every message it hit
 * was delivered in the end (overcome: a retry got through). Lasting
 * states (state = yes) and findings about no delivery stay active. */
static void
resolve_one(struct diag *d, struct finding *f)
{
	const struct diag_success *s = NULL;
	const char *host = f->host;
	char name[NH_NAME_MAX];
	unsigned port;
	size_t n;

	f->orig_severity = f->severity;
	if (f->def->resolved_by == RESOLVED_BY_NEVER || f->severity < FSEV_INFO
	    || f->observations > 0)
		return;
	if (host == NULL && !f->direct)
		host = pfconf_get(d->cf, "relayhost", NULL);
	if (!f->direct && host != NULL && f->def->resolved_by == RESOLVED_BY_NEXT_HOP
	    && (n = nexthop_name((struct span){ host, strlen(host) }, name, sizeof(name), &port)) > 0)
		s = success_slot(d, hash_bytes(name, n, 0), 0);
	/* mail that bounced at once proves nothing about later mail: the
	 * next hop's later success counts when the failures were delays */
	if (s != NULL && s->seq > f->last_seq && f->msgs_delivered + f->msgs_failed > f->msgs_lost) {
		f->status = DSTAT_RESOLVED;
		f->resolved_at = s->time;
	} else if (f->msgs_delivered > 0 && f->msgs_failed == 0) {
		f->status = DSTAT_OVERCOME;
	} else {
		return;
	}
	f->severity = FSEV_INFO;
}

/* Fold finding f (about one host) into g (the class finding of its id). */
static void
merge_into(struct finding *g, struct finding *f)
{
	size_t i;

	if (f->host != NULL) {
		for (i = 0; i < g->ndetails && strcmp(g->details[i].key, f->host) != 0; i++)
			;
		if (i < g->ndetails)
			g->details[i].count += f->count;
		else if (g->ndetails < DIAG_MAX_DETAILS) {
			g->details[g->ndetails].key = xstrdup(f->host);
			g->details[g->ndetails].host = NULL;
			g->details[g->ndetails++].count = f->count;
		} else {
			g->details_other += f->count;
		}
	}
	for (i = 0; i < f->nloghosts; i++)
		add_loghost(g, (struct span){ f->loghosts[i], strlen(f->loghosts[i]) });
	for (i = 0; i < f->nqids; i++) {
		if (g->nqids < DIAG_MAX_QIDS)
			g->qids[g->nqids++] = f->qids[i];
		else
			free(f->qids[i]);
	}
	f->nqids = 0;
	for (i = 0; i < f->nev; i++)
		if (!f->ev[i].is_config && count_log_evidence(g) < DIAG_MAX_LOG_EVIDENCE
		    && g->nev < DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE) {
			g->ev[g->nev++] = f->ev[i];
			f->ev[i].text = NULL;
		}
	if (f->severity > g->severity)
		g->severity = f->severity;
	if (f->rank > g->rank)
		g->rank = f->rank;
	g->count += f->count;
	g->nmessages += f->nmessages;
	g->msgs_delivered += f->msgs_delivered;
	g->msgs_failed += f->msgs_failed;
	g->msgs_lost += f->msgs_lost;
	g->msgs_consequence += f->msgs_consequence;
	if (f->last_seq > g->last_seq) {
		g->last_seq = f->last_seq;
		g->last = f->last;
	}
	if (f->order < g->order) {
		g->order = f->order;
		g->first = f->first;
	}
}

/* Hits about a host were classified as they came; by the end of the log
 * the host may be known as a recipient's MX: fold such findings into the
 * class finding of their id. */
static void
regroup_direct(struct diag *d)
{
	size_t i, j, k;

	for (i = 0; i < d->n; i++) {
		struct finding *f = d->f[i], *g = NULL;

		if (f->direct || f->host == NULL || !nexthop_is_mx(d->nh, f->host))
			continue;
		for (j = 0; j < d->n && g == NULL; j++)
			if (j != i && d->f[j]->def == f->def && d->f[j]->direct)
				g = d->f[j];
		if (g == NULL) {	/* it becomes the class finding */
			f->direct = 1;
			f->details[0].key = f->host;
			f->details[0].count = f->count;
			f->ndetails = 1;
			f->host = NULL;
			continue;
		}
		merge_into(g, f);
		d->f[i] = NULL;
		f->nev = 0;
		for (k = 0; k < f->ndetails; k++) {
			free(f->details[k].key);
			free(f->details[k].host);
		}
		free(f->host);
		for (k = 0; k < f->nloghosts; k++)
			free(f->loghosts[k]);
		free(f->title);
		free(f->explain);
		free(f->fix);
		for (k = 0; k < DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE; k++)
			free(f->ev[k].text);
		free(f);
	}
	for (i = j = 0; i < d->n; i++)
		if (d->f[i] != NULL)
			d->f[j++] = d->f[i];
	d->n = j;
}

void
diag_resolve(struct diag *d)
{
	size_t i;

	if (d->resolved)
		return;
	d->resolved = 1;
	changed_clear(d);
	regroup_direct(d);
	for (i = 0; i < d->n; i++) {
		struct finding *f = d->f[i];

		resolve_one(d, f);
		/* only bounce notifications of failed mail: a consequence */
		if (f->msgs_consequence > 0 && f->msgs_delivered + f->msgs_failed == 0
		    && f->severity > FSEV_WARNING)
			f->severity = FSEV_WARNING;
	}
}

static int
is_consequence(const struct finding *f)
{
	return f->msgs_consequence > 0 && f->msgs_delivered + f->msgs_failed == 0;
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
	diag_touch(d, (size_t)idx);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct finding *x = *(struct finding *const *)a, *y = *(struct finding *const *)b;

	if ((x->severity >= FSEV_WARNING) != (y->severity >= FSEV_WARNING))
		return x->severity >= FSEV_WARNING ? -1 : 1;	/* problems before notes */
	if ((x->status != DSTAT_ACTIVE) != (y->status != DSTAT_ACTIVE))
		return x->status != DSTAT_ACTIVE ? 1 : -1;
	if (is_consequence(x) != is_consequence(y))
		return is_consequence(x) ? 1 : -1;
	if (x->rank != y->rank)
		return y->rank - x->rank;
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return x->order < y->order ? -1 : x->order > y->order;
}

void
diag_rank(struct diag *d)
{
	diag_resolve(d);
	changed_clear(d);
	if (d->n > 0)
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
