/*
 * correlate.c - build each message's story from the lifecycle records
 * Postfix writes (pickup/smtpd, cleanup, qmgr, delivery agents, bounce)
 * and route catalog hits to the message they explain.
 */
#include <stdlib.h>
#include <string.h>

#include "correlate.h"
#include "textsafe.h"

/* --- small helpers ------------------------------------------------------ */

const char *
origin_name(enum msg_origin o)
{
	static const char *const names[] = { "unknown", "pickup", "smtpd", "bounce" };

	return o <= ORIGIN_BOUNCE ? names[o] : "unknown";
}

const char *
corr_str(const struct corr_msg *m, uint32_t off)
{
	return off == 0 ? NULL : m->arena.s + off;
}

static void
compact_one(struct strbuf *to, const struct corr_msg *m, uint32_t *off)
{
	const char *s;

	if (*off == 0)
		return;
	s = m->arena.s + *off;
	*off = (uint32_t)to->len;
	sb_add(to, s, strlen(s) + 1);
}

/* Rebuild the arena with only the strings still referenced: retries
 * replace a recipient's reason, relay, dsn and facts, and the old copies
 * are garbage. */
static void
arena_compact(struct corr_msg *m)
{
	struct strbuf to;
	uint32_t i, *fields[] = {
		&m->loghost, &m->instance, &m->qid, &m->from, &m->msgid, &m->client,
		&m->sasl_user, &m->parent
	};
	size_t k;

	sb_init(&to);
	sb_addc(&to, '\0');
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		compact_one(&to, m, fields[k]);
	for (k = 0; k < (size_t)m->nchildren; k++)
		compact_one(&to, m, &m->children[k]);
	for (i = 0; i < m->nrcpt; i++) {
		struct corr_rcpt *r = &m->rcpt[i];

		compact_one(&to, m, &r->to);
		compact_one(&to, m, &r->orig_to);
		compact_one(&to, m, &r->relay);
		compact_one(&to, m, &r->dsn);
		compact_one(&to, m, &r->reason);
		compact_one(&to, m, &r->delays);
		compact_one(&to, m, &r->delay);
		compact_one(&to, m, &r->facts);
	}
	sb_free(&m->arena);
	m->arena = to;
}

/* Copy s into the message arena; returns its offset (0 if no room even
 * after dropping the strings no longer referenced). */
static uint32_t
arena_add(struct corr_msg *m, const char *p, size_t n)
{
	uint32_t off;

	if (m->arena.len + n + 1 > CORR_ARENA_MAX) {
		if (m->arena_full)
			return 0;
		arena_compact(m);
		if (m->arena.len + n + 1 > CORR_ARENA_MAX) {
			m->arena_full = 1;	/* no more compaction per line */
			return 0;
		}
	}
	off = (uint32_t)m->arena.len;
	sb_add(&m->arena, p, n);
	sb_addc(&m->arena, '\0');
	return off;
}

static uint32_t
arena_span(struct corr_msg *m, struct span s)
{
	return arena_add(m, s.p, s.len);
}

/* Replace a field's string; on failure the old value stays. */
static void
arena_set(struct corr_msg *m, uint32_t *field, struct span s)
{
	uint32_t off = arena_span(m, s);

	if (off != 0)
		*field = off;
}

static uint64_t
msg_hash(struct span host, struct span inst, struct span qid)
{
	return hash_bytes(qid.p, qid.len, hash_bytes(inst.p, inst.len, hash_bytes(host.p, host.len, 0)));
}


/* --- message table ------------------------------------------------------- */

void
corr_init(struct corr *c, struct catalog *cat, const struct pfconf *cf,
	  struct diag *d, corr_emit_fn emit, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->nbuckets = 1u << 16;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->max_msgs = CORR_MAX_MESSAGES;
	c->stale_secs = CORR_STALE_SECS;
	c->procs = xcalloc(CORR_PROC_SLOTS, sizeof(*c->procs));
	c->cat = cat;
	c->cf = cf;
	c->diag = d;
	c->emit = emit;
	c->emit_ctx = ctx;
	sb_init(&c->tmp);
	nexthop_init(&c->nh, cf);
	if (cat != NULL)
		cat->nh = &c->nh;
	if (d != NULL)
		d->nh = &c->nh;
}

static void
msg_destroy(struct corr_msg *m)
{
	sb_free(&m->arena);
	if (m->story.s != NULL)
		sb_free(&m->story);
	free(m->rcpt);
	free(m->dropped);
	free(m);
}

void
corr_free(struct corr *c)
{
	struct corr_msg *m, *next;
	size_t i;

	for (m = c->lru_head; m != NULL; m = next) {
		next = m->lnext;
		msg_destroy(m);
	}
	for (m = c->freelist; m != NULL; m = next) {
		next = m->hnext;
		msg_destroy(m);
	}
	for (i = 0; i < CORR_PROC_SLOTS; i++)
		if (c->procs[i].story.s != NULL)
			sb_free(&c->procs[i].story);
	free(c->procs);
	free(c->buckets);
	free(c->track_qid);
	sb_free(&c->tmp);
	memset(c, 0, sizeof(*c));
}

void
corr_track(struct corr *c, const char *qid)
{
	free(c->track_qid);
	c->track_qid = qid ? xstrdup(qid) : NULL;
}

static void
lru_unlink(struct corr *c, struct corr_msg *m)
{
	if (m->lprev)
		m->lprev->lnext = m->lnext;
	else
		c->lru_head = m->lnext;
	if (m->lnext)
		m->lnext->lprev = m->lprev;
	else
		c->lru_tail = m->lprev;
	m->lprev = m->lnext = NULL;
}

static void
lru_append(struct corr *c, struct corr_msg *m)
{
	m->lprev = c->lru_tail;
	m->lnext = NULL;
	if (c->lru_tail)
		c->lru_tail->lnext = m;
	else
		c->lru_head = m;
	c->lru_tail = m;
}

enum dstatus
corr_msg_outcome(const struct corr_msg *m)
{
	int sent = 0, deferred = 0, bounced = 0;
	uint32_t i;

	if (m->expired)
		return DS_EXPIRED;
	for (i = 0; i < m->nrcpt; i++) {
		sent += m->rcpt[i].status == DS_SENT;
		deferred += m->rcpt[i].status == DS_DEFERRED;
		bounced += m->rcpt[i].status == DS_BOUNCED;
	}
	if (bounced)
		return DS_BOUNCED;
	if (deferred)
		return DS_DEFERRED;
	if (sent)
		return DS_SENT;
	return m->stopped;	/* DS_NONE unless cleanup(8) rejected or held it */
}

/* Tell the diagnosis how the message ended, for each finding that hit
 * it. A message delivered in the end is no problem any more: what delayed
 * it is history, unless the finding is a lasting state. */
static void
msg_outcome_to_diag(struct corr *c, struct corr_msg *m)
{
	enum dstatus outcome = corr_msg_outcome(m);
	int delivered = outcome == DS_SENT, i;

	for (i = 0; i < m->nfinds; i++) {
		if (!m->ffailed[i])
			continue;	/* it did not stop an attempt: not a failure */
		diag_outcome(c->diag, m->finds[i], outcome, m->origin == ORIGIN_BOUNCE);
		if (delivered && m->fsev[i] > FSEV_INFO && m->finds[i] >= 0
		    && (size_t)m->finds[i] < c->diag->n && c->diag->f[m->finds[i]]->def->resolved_by != RESOLVED_BY_NEVER)
			m->fsev[i] = FSEV_INFO;
	}
}

/* Remove m from the table, report it, and put it on the free list. */
static void
msg_finish(struct corr *c, struct corr_msg *m)
{
	struct corr_msg **pp = &c->buckets[m->hash & (c->nbuckets - 1)];
	unsigned long long *counter[DS_COUNT] = {
		&c->stats.queued, &c->stats.sent, &c->stats.deferred,
		&c->stats.bounced, &c->stats.expired, &c->stats.rejected, &c->stats.held
	};

	while (*pp != m)
		pp = &(*pp)->hnext;
	*pp = m->hnext;
	lru_unlink(c, m);
	c->nmsgs--;
	c->stats.messages++;
	(*counter[corr_msg_outcome(m)])++;
	msg_outcome_to_diag(c, m);
	c->stats.recipients += m->nrcpt + m->rcpt_dropped;
	if (c->emit != NULL)
		c->emit(c->emit_ctx, m);
	if (m->story.s != NULL)
		sb_free(&m->story);
	m->hnext = c->freelist;
	c->freelist = m;
}

static struct corr_msg *
msg_alloc(struct corr *c)
{
	struct corr_msg *m = c->freelist;
	struct strbuf arena;
	struct corr_rcpt *rcpt;
	uint32_t rcap, *dropped, dcap;

	if (m == NULL) {
		m = xcalloc(1, sizeof(*m));
		sb_init(&m->arena);
		m->rcap = 2;
		m->rcpt = xcalloc(m->rcap, sizeof(*m->rcpt));
	} else {
		c->freelist = m->hnext;
	}
	arena = m->arena;
	rcpt = m->rcpt;
	rcap = m->rcap;
	dropped = m->dropped;
	dcap = m->dcap;
	memset(m, 0, sizeof(*m));
	m->arena = arena;
	m->rcpt = rcpt;
	m->rcap = rcap;
	m->dropped = dropped;
	m->dcap = dcap;
	sb_reset(&m->arena);
	sb_addc(&m->arena, '\0');	/* offset 0 = unset */
	return m;
}

static void
evict_old(struct corr *c)
{
	struct corr_msg *m;

	while ((m = c->lru_head) != NULL) {
		if (c->nmsgs >= c->max_msgs) {
			c->stats.evicted++;
		} else if (m->last.valid && c->now - m->last.sec > c->stale_secs) {
			c->stats.stale++;
		} else {
			break;
		}
		m->evicted = 1;
		msg_finish(c, m);
	}
}

static struct corr_msg *
msg_lookup(struct corr *c, const struct pf_record *rec, const struct evref *ev, int create)
{
	uint64_t h = msg_hash(ev->host, rec->instance, rec->qid);
	struct corr_msg *m, **b = &c->buckets[h & (c->nbuckets - 1)];

	for (m = *b; m != NULL; m = m->hnext)
		if (m->hash == h && m->qid_len == rec->qid.len && m->instance_len == rec->instance.len
		    && m->loghost_len == ev->host.len
		    && memcmp(m->arena.s + m->qid, rec->qid.p, rec->qid.len) == 0
		    && memcmp(m->arena.s + m->instance, rec->instance.p, rec->instance.len) == 0
		    && (ev->host.len == 0
			|| memcmp(m->arena.s + m->loghost, ev->host.p, ev->host.len) == 0))
			break;
	if (m == NULL) {
		if (!create)
			return NULL;
		evict_old(c);
		m = msg_alloc(c);
		m->hash = h;
		if (ev->host.len > 0)
			m->loghost = arena_span(m, ev->host);
		m->instance = arena_span(m, rec->instance);
		m->qid = arena_span(m, rec->qid);
		/* the key: a line's fields are far below 64 KiB (INPUT_MAX_LINE) */
		m->loghost_len = m->loghost != 0 ? (uint16_t)ev->host.len : 0;
		m->instance_len = (uint16_t)rec->instance.len;
		m->qid_len = (uint16_t)rec->qid.len;
		m->first = ev->time;
		m->uid = -1;
		m->size = -1;
		m->nrcpt_declared = -1;
		m->hnext = *b;
		*b = m;
		c->nmsgs++;
		if (c->track_qid != NULL && strcmp(c->track_qid, corr_str(m, m->qid)) == 0)
			sb_init(&m->story);
	} else {
		lru_unlink(c, m);
	}
	lru_append(c, m);
	if (ev->time.valid)
		m->last = ev->time;
	return m;
}

/* A finding hit: its index in the diagnosis (< 0: none) and the severity
 * of the match that produced it. */
struct fhit {
	int idx;
	enum find_sev sev;
	int failed;		/* it explains a failed attempt (deferred, bounced, ...) */
};

/* Record finding idx against message m (once per message), with the
 * severity of the match that hit for this message. */
static void
msg_add_finding(struct corr *c, struct corr_msg *m, struct fhit h)
{
	int i;

	if (h.idx < 0)
		return;
	for (i = 0; i < m->nfinds; i++)
		if (m->finds[i] == h.idx) {
			if (h.sev > m->fsev[i])
				m->fsev[i] = (unsigned char)h.sev;
			m->ffailed[i] |= (unsigned char)(h.failed != 0);
			return;
		}
	if (m->nfinds < CORR_MAX_FINDS) {
		m->fsev[m->nfinds] = (unsigned char)h.sev;
		m->ffailed[m->nfinds] = (unsigned char)(h.failed != 0);
		m->finds[m->nfinds++] = h.idx;
	}
	diag_attach(c->diag, h.idx, corr_str(m, m->qid));
}

static void
story_add(struct strbuf *sb, const struct evref *ev)
{
	if (sb->s == NULL || sb->len > 256 * 1024)
		return;
	sb_printf(sb, "%d:%lu:", ev->source, ev->lineno);
	sb_add(sb, ev->text.p, ev->text.len);
	sb_addc(sb, '\n');
}

/* --- per-process pending state ------------------------------------------ */

static struct corr_proc *
proc_get(struct corr *c, const struct pf_record *rec, int create)
{
	uint64_t ih = hash_bytes(rec->instance.p, rec->instance.len,
				 hash_bytes(c->cur_host.p, c->cur_host.len, 0));
	size_t i, base = (size_t)((ih ^ (uint64_t)rec->pid * 0x9e3779b97f4a7c15ULL) % CORR_PROC_SLOTS);
	struct corr_proc *p, *victim = NULL;

	for (i = 0; i < 8; i++) {
		p = &c->procs[(base + i) % CORR_PROC_SLOTS];
		if (p->used && p->inst_hash == ih && p->pid == rec->pid)
			return p;
		if (victim == NULL || !p->used || (victim->used && p->last < victim->last))
			victim = p;
	}
	if (!create)
		return NULL;
	p = victim;
	p->used = 1;
	p->inst_hash = ih;
	p->pid = rec->pid;
	p->npending = 0;
	p->factlen = 0;
	p->fact_peer[0] = '\0';
	p->fact_msg = 0;
	if (p->story.s != NULL)
		sb_reset(&p->story);
	else if (c->track_qid != NULL)
		sb_init(&p->story);
	return p;
}

static void
proc_pend(struct corr *c, const struct pf_record *rec, struct fhit h)
{
	struct corr_proc *p = proc_get(c, rec, 1);
	int i;

	p->last = c->now;
	if (h.idx < 0)
		return;
	for (i = 0; i < p->npending; i++)
		if (p->pending[i] == h.idx) {
			if (h.sev > p->pending_sev[i])
				p->pending_sev[i] = (unsigned char)h.sev;
			return;
		}
	if (p->npending < CORR_PROC_PENDING) {
		p->pending_sev[p->npending] = (unsigned char)h.sev;
		p->pending[p->npending++] = h.idx;
	}
}

/* Drop the entry named name from a serialised fact list. */
static void
facts_remove(char *facts, size_t *len, const char *name)
{
	size_t nl = strlen(name), i = 0, e;

	while (i < *len) {
		for (e = i; e < *len && facts[e] != '\x1e'; e++)
			;
		if (e < *len)
			e++;
		if (e - i > nl && memcmp(facts + i, name, nl) == 0 && facts[i + nl] == '\x1f') {
			memmove(facts + i, facts + e, *len - e);
			*len -= e - i;
			continue;
		}
		i = e;
	}
}

/* Serialise a fact hit's captures into the process' fact buffer,
 * replacing an earlier fact of the same name (a new session). */
static void
proc_fact(struct corr *c, const struct pf_record *rec, const struct cat_hit *hit)
{
	struct corr_proc *p = proc_get(c, rec, 1);
	const struct cat_rule *r = hit->rule;
	struct span v;
	size_t need, i;
	int k;

	p->last = c->now;
	facts_remove(p->facts, &p->factlen, r->id);
	sb_reset(&c->tmp);
	sb_adds(&c->tmp, r->id);
	for (k = 0; k < r->nnames; k++) {
		if (!catalog_capture(hit, r->names[k], &v))
			continue;
		sb_addc(&c->tmp, '\x1f');
		sb_adds(&c->tmp, r->names[k]);
		sb_addc(&c->tmp, '\x1f');
		for (i = 0; i < v.len && i < 200; i++)
			sb_addc(&c->tmp, v.p[i] == '\x1f' || v.p[i] == '\x1e' || v.p[i] == 0
				? '?' : v.p[i]);
	}
	sb_addc(&c->tmp, '\x1e');
	need = c->tmp.len;
	if (p->factlen + need < sizeof(p->facts)) {
		memcpy(p->facts + p->factlen, c->tmp.s, need);
		p->factlen += need;
	}
	p->fact_msg = 0;
	p->fact_peer[0] = '\0';
	if (catalog_capture(hit, "peer", &v) && v.len < sizeof(p->fact_peer)) {
		memcpy(p->fact_peer, v.p, v.len);
		p->fact_peer[v.len] = '\0';
	}
}

/* --- catalog matching --------------------------------------------------- */

/* Is "name[addr]" a loopback client? */
static int
client_loopback(const char *client)
{
	const char *a = client != NULL ? strchr(client, '[') : NULL;

	if (a == NULL)
		return 0;
	a++;
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1]") == 0
	    || strncmp(a, "::ffff:127.", 11) == 0;
}

/* Match text of message m (NULL: none yet) in scope; on a hit fold it
 * into the diagnosis. idx is the finding, -2 when no rule matched. */
static struct fhit
match_finding_ctx(struct corr *c, int which, enum cat_scope scope, const struct pf_record *rec,
		  const struct corr_msg *m, int status, struct span text, const struct evref *ev,
		  const struct diag_hitctx *hc)
{
	static const unsigned path_ctx[] = { 0, CTX_RELAYED, CTX_DIRECT, CTX_RELAYED };
	struct cat_hit hit;
	struct fhit h = { -2, FSEV_OK, 0 };
	unsigned ctx = m != NULL ? m->ctx : 0;

	if (hc != NULL)
		ctx |= path_ctx[hc->path];
	else if (m != NULL)
		ctx |= m->path_ctx;	/* a line about the message's latest delivery */
	if (!catalog_match_ctx(c->cat, KIND_FINDING, which, scope, rec, status, text, c->cf,
			       ctx, &hit))
		return h;
	h.idx = diag_hit_ctx(c->diag, &hit, rec, ev, hc);
	h.sev = hit.rule->severity;
	return h;
}

static struct fhit
match_finding(struct corr *c, int which, enum cat_scope scope, const struct pf_record *rec,
	      const struct corr_msg *m, int status, struct span text, const struct evref *ev)
{
	return match_finding_ctx(c, which, scope, rec, m, status, text, ev, NULL);
}

/* --- lifecycle records -------------------------------------------------- */

/* Value of "key=" up to ", " (or '>' for <...> values). */
struct kv {
	struct span key, val;
};

static int
next_field(const char **pp, const char *end, struct kv *kv)
{
	const char *p = *pp, *eq, *q;

	while (p < end && (*p == ',' || *p == ' '))
		p++;
	if (p >= end)
		return 0;
	for (eq = p; eq < end && *eq != '=' && *eq != ' ' && *eq != ','; eq++)
		;
	if (eq >= end || *eq != '=')
		return 0;
	kv->key.p = p;
	kv->key.len = (size_t)(eq - p);
	q = eq + 1;
	if (q < end && *q == '<') {
		const char *gt = q + 1;

		/* the address ends at the '>' followed by ", " or the end */
		while (gt < end && !(*gt == '>' && (gt + 1 == end || gt[1] == ',' || gt[1] == ' ')))
			gt++;
		kv->val.p = q + 1;
		kv->val.len = (size_t)((gt < end ? gt : end) - (q + 1));
		*pp = gt < end ? gt + 1 : end;
		return 1;
	}
	if (kv->key.len == 6 && memcmp(kv->key.p, "status", 6) == 0) {
		kv->val.p = q;
		kv->val.len = (size_t)(end - q);
		*pp = end;
		return 1;
	}
	/* plain values end at ", " (delivery records) or ' ' (pickup) */
	for (p = q; p < end && *p != ' ' && !(*p == ',' && p + 1 < end && p[1] == ' '); p++)
		;
	kv->val.p = q;
	kv->val.len = (size_t)(p - q);
	*pp = p;
	return 1;
}

/* Count a recipient that cannot be listed, once. */
static void
rcpt_drop(struct corr_msg *m, struct span to, struct span orig_to)
{
	uint32_t h = (uint32_t)hash_bytes(orig_to.p, orig_to.len, hash_bytes(to.p, to.len, 7));
	uint32_t i;

	for (i = 0; i < m->ndropped; i++)
		if (m->dropped[i] == h)
			return;
	if (m->ndropped < 4096) {
		if (m->ndropped == m->dcap) {
			m->dcap = m->dcap ? m->dcap * 2 : 16;
			m->dropped = xreallocarray(m->dropped, m->dcap, sizeof(*m->dropped));
		}
		m->dropped[m->ndropped++] = h;
	}
	m->rcpt_dropped++;
}

static struct corr_rcpt *
rcpt_get(struct corr_msg *m, struct span to, struct span orig_to)
{
	struct corr_rcpt *r;
	uint32_t i;

	for (i = 0; i < m->nrcpt; i++) {
		const char *t = corr_str(m, m->rcpt[i].to), *o = corr_str(m, m->rcpt[i].orig_to);

		if (t != NULL && strlen(t) == to.len && memcmp(t, to.p, to.len) == 0
		    && (o == NULL ? orig_to.len == 0
			: strlen(o) == orig_to.len && memcmp(o, orig_to.p, orig_to.len) == 0))
			return &m->rcpt[i];
	}
	if (m->nrcpt == CORR_MAX_RCPTS) {
		rcpt_drop(m, to, orig_to);
		return NULL;
	}
	if (m->nrcpt == m->rcap) {
		m->rcap *= 2;
		m->rcpt = xreallocarray(m->rcpt, m->rcap, sizeof(*m->rcpt));
	}
	r = &m->rcpt[m->nrcpt];
	memset(r, 0, sizeof(*r));
	if ((r->to = arena_span(m, to)) == 0) {
		rcpt_drop(m, to, orig_to);	/* no room to list it */
		return NULL;
	}
	m->nrcpt++;
	if (orig_to.len > 0)
		r->orig_to = arena_span(m, orig_to);
	return r;
}

/* Give the pending hits and facts of this process to message m. The
 * facts describe an SMTP session: they belong to deliveries whose relay
 * is the session's peer, within the message that opened the session or
 * over the reused connection (conn_use=N). A later session without its
 * own summary line had no TLS. */
static void
attach_pending(struct corr *c, const struct pf_record *rec, struct corr_msg *m,
	       struct corr_rcpt *r, struct span relay, int reused, int failed)
{
	struct corr_proc *p = proc_get(c, rec, 0);
	int i;

	if (p == NULL) {
		if (r != NULL)
			r->facts = 0;	/* nothing logged by this process: no session */
		return;
	}
	if (c->now - p->last > CORR_PROC_IDLE) {
		/* left over from an earlier process with the same pid */
		p->npending = 0;
		p->factlen = 0;
		p->fact_peer[0] = '\0';
		p->fact_msg = 0;
	}
	for (i = 0; i < p->npending; i++)
		msg_add_finding(c, m, (struct fhit){ p->pending[i],
						     (enum find_sev)p->pending_sev[i], failed });
	if (p->npending > 0)
		m->specific = 1;
	p->npending = 0;
	if (r != NULL) {
		if (p->factlen > 0 && (p->fact_peer[0] == '\0' || span_eq(relay, p->fact_peer))
		    && (p->fact_msg == 0 || p->fact_msg == m->hash || reused)) {
			uint32_t off = arena_add(m, p->facts, p->factlen);

			if (off != 0)
				r->facts = off;
			p->fact_msg = m->hash;
		} else {
			r->facts = 0;	/* the latest attempt has no session facts */
		}
	}
	if (m->story.s != NULL && p->story.s != NULL && p->story.len > 0)
		sb_add(&m->story, p->story.s, p->story.len);
	if (p->story.s != NULL)
		sb_reset(&p->story);
}

static const char SUSPENDED[] = "delivery temporarily suspended: ";

static void
lc_delivery(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	    const struct evref *ev)
{
	const char *p = rec->text.p, *end = rec->text.p + rec->text.len, *sp, *lp;
	struct span to = SPAN_EMPTY, orig = SPAN_EMPTY, status = SPAN_EMPTY;
	struct span reason = SPAN_EMPTY, relay = SPAN_EMPTY, dsn = SPAN_EMPTY;
	struct span delays = SPAN_EMPTY, delay = SPAN_EMPTY;
	struct corr_rcpt *r;
	enum dstatus st;
	struct kv kv;
	struct fhit found;
	struct diag_hitctx hc = { NH_UNKNOWN, SPAN_EMPTY };
	struct nh_parsed np;
	const char *at;
	int reused = 0;

	while (next_field(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "to"))
			to = kv.val;
		else if (span_eq_lit(kv.key, "orig_to"))
			orig = kv.val;
		else if (span_eq_lit(kv.key, "relay"))
			relay = kv.val;
		else if (span_eq_lit(kv.key, "dsn"))
			dsn = kv.val;
		else if (span_eq_lit(kv.key, "delay"))
			delay = kv.val;
		else if (span_eq_lit(kv.key, "delays"))
			delays = kv.val;
		else if (span_eq_lit(kv.key, "status"))
			status = kv.val;
		else if (span_eq_lit(kv.key, "conn_use"))
			reused = 1;
	}
	if (status.len == 0)
		return;
	sp = memchr(status.p, ' ', status.len);
	if (sp != NULL && sp + 1 < status.p + status.len && sp[1] == '(') {
		lp = status.p + status.len;
		reason.p = sp + 2;
		reason.len = (size_t)(lp - reason.p);
		if (reason.len > 0 && reason.p[reason.len - 1] == ')')
			reason.len--;
		status.len = (size_t)(sp - status.p);
	}
	st = dstatus_lookup(status.p, status.len);
	if (st == DS_NONE)
		return;
	at = memrchr(to.p, '@', to.len);
	if (at != NULL) {
		hc.domain.p = at + 1;
		hc.domain.len = to.len - (size_t)(at + 1 - to.p);
	}
	nexthop_parse(relay, &np);
	if (rec->prog == PROG_SMTP)
		nexthop_count_parsed(&c->nh, &np, hc.domain);
	hc.path = nexthop_classify_parsed(&c->nh, &np, hc.domain, reason);
	m->path_ctx = hc.path == NH_DIRECT ? CTX_DIRECT : hc.path == NH_UNKNOWN ? 0 : CTX_RELAYED;
	if (st == DS_SENT)
		diag_success_name(c->diag, np.name, np.len, &ev->time);
	r = rcpt_get(m, to, orig);
	attach_pending(c, rec, m, r, relay, reused, st != DS_SENT);
	if (r != NULL) {
		r->status = st;
		r->attempts++;
		if (relay.len)
			arena_set(m, &r->relay, relay);
		if (dsn.len)
			arena_set(m, &r->dsn, dsn);
		if (delay.len)
			arena_set(m, &r->delay, delay);
		if (delays.len)
			arena_set(m, &r->delays, delays);
		arena_set(m, &r->reason, reason);
	}
	/* rules on the whole line (recipient, relay=local) come first */
	found = match_finding_ctx(c, CM_REGULAR, SCOPE_DELIVERY, rec, m, st, rec->text, ev, &hc);
	found.failed = st != DS_SENT;
	if (found.idx >= 0) {
		m->specific = 1;
		msg_add_finding(c, m, found);
		return;
	}
	if (st == DS_SENT)
		return;
	if (span_starts(reason, SUSPENDED, sizeof(SUSPENDED) - 1)) {
		reason.p += sizeof(SUSPENDED) - 1;
		reason.len -= sizeof(SUSPENDED) - 1;
	}
	found = match_finding_ctx(c, CM_REGULAR, SCOPE_REASON, rec, m, st, reason, ev, &hc);
	if (found.idx >= 0)
		m->specific = 1;
	else if (found.idx == -2 && !m->specific)	/* nothing better explains it */
		found = match_finding_ctx(c, CM_FALLBACK, SCOPE_REASON, rec, m, st, reason, ev, &hc);
	found.failed = 1;
	msg_add_finding(c, m, found);
}

static long
span_long(struct span s)
{
	long v = 0;
	size_t i;

	for (i = 0; i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && v < 1000000000000L; i++)
		v = v * 10 + (s.p[i] - '0');
	return v;
}

static void
lc_pickup(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	  const struct evref *ev)
{
	const char *p = rec->text.p, *end = p + rec->text.len;
	struct kv kv;

	(void)c;
	(void)ev;
	m->origin = ORIGIN_PICKUP;
	m->ctx = CTX_SUBMITTED;
	while (next_field(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "uid"))
			m->uid = span_long(kv.val);
		else if (span_eq_lit(kv.key, "from"))
			m->from = arena_span(m, kv.val);
	}
}

static void
lc_client(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	  const struct evref *ev)
{
	const char *p = rec->text.p, *end = p + rec->text.len;
	struct kv kv;

	(void)c;
	(void)ev;
	m->origin = ORIGIN_SMTPD;
	while (next_field(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "client"))
			m->client = arena_span(m, kv.val);
		else if (span_eq_lit(kv.key, "sasl_username"))
			m->sasl_user = arena_span(m, kv.val);
	}
	/* for the rules' submitted/received conditions */
	m->ctx = m->sasl_user != 0 || client_loopback(corr_str(m, m->client)) ? CTX_SUBMITTED
	    : CTX_RECEIVED;
}

static void
lc_msgid(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	 const struct evref *ev)
{
	(void)c;
	(void)ev;
	if (m->msgid == 0)
		m->msgid = arena_add(m, rec->text.p + 11, rec->text.len - 11);
}

static void
lc_qmgr_from(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	     const struct evref *ev)
{
	const char *p = rec->text.p, *end = p + rec->text.len;
	struct kv kv;

	while (next_field(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "from")) {
			/* qmgr shows the rewritten envelope sender: it wins over
			 * pickup's, once (size is still unset on the first line) */
			if (m->from == 0 || m->size < 0)
				m->from = arena_span(m, kv.val);
		} else if (span_eq_lit(kv.key, "size")) {
			m->size = span_long(kv.val);
		} else if (span_eq_lit(kv.key, "nrcpt")) {
			m->nrcpt_declared = span_long(kv.val);
			m->attempts++;
		} else if (span_eq_lit(kv.key, "status")) {
			if (span_starts(kv.val, "expired", 7) || span_starts(kv.val, "force-expired", 13)) {
				uint32_t i;

				/* recipients still waiting were returned with the message */
				for (i = 0; i < m->nrcpt; i++)
					if (m->rcpt[i].status == DS_DEFERRED || m->rcpt[i].status == DS_NONE)
						m->rcpt[i].status = DS_EXPIRED;
				m->expired = 1;
				struct fhit h = match_finding(c, CM_REGULAR | CM_FALLBACK, SCOPE_LINE,
							      rec, m, DS_EXPIRED, rec->text, ev);

				h.failed = 1;
				msg_add_finding(c, m, h);
			}
		}
	}
}

static void
lc_removed(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	   const struct evref *ev)
{
	(void)rec;
	(void)ev;
	m->removed = 1;
	msg_finish(c, m);
}

/* cleanup(8) "QID: reject: ..." / "QID: hold: ..." from header_checks or
 * body_checks, and "QID: milter-reject: END-OF-MESSAGE ..." /
 * "milter-hold: ..." from a milter (rspamd, OpenDKIM, ...): the message
 * never reaches the queue (reject) or waits in the hold queue. The line
 * is also matched against the rules. */
static void
lc_cleanup_action(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
		  const struct evref *ev)
{
	struct fhit h = match_finding(c, CM_REGULAR, SCOPE_LINE, rec, m, DS_NONE, rec->text, ev);

	const char *end = rec->text.p + rec->text.len;
	const char *p = memmem(rec->text.p, rec->text.len, "; from=<", 8);
	struct kv kv;

	if (h.idx >= 0)
		m->specific = 1;
	h.failed = 1;
	msg_add_finding(c, m, h);
	/* "...; from=<sender> to=<rcpt> proto=...": the sender, if qmgr never
	 * logged it */
	if (p != NULL && m->from == 0 && (p += 2, next_field(&p, end, &kv))
	    && span_eq_lit(kv.key, "from"))
		m->from = arena_span(m, kv.val);
	if (rec->text.p[0] == 'h' || span_starts(rec->text, "milter-hold: ", 13)) {
		m->stopped = DS_HELD;
		return;
	}
	m->stopped = DS_REJECTED;
	m->removed = 1;
	/* mail from pickup is bounced next: cleanup logs the recipients as
	 * status=bounced and bounce(8) the notification (lc_notify finishes
	 * it); smtpd's client got the reply, nothing more follows */
	if (m->origin != ORIGIN_PICKUP)
		msg_finish(c, m);
}

/* "QID: sender non-delivery notification: NEWQID" links parent and child. */
static void
lc_notify(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	  const struct evref *ev)
{
	const char *colon = memchr(rec->text.p, ':', rec->text.len);
	struct pf_record child = *rec;
	struct corr_msg *cm;

	if (colon == NULL || colon + 2 > rec->text.p + rec->text.len)
		return;
	child.qid.p = colon + 2;
	child.qid.len = rec->text.len - (size_t)(colon + 2 - rec->text.p);
	if (qid_classify(child.qid) == QID_NONE)
		return;
	if (m->nchildren < CORR_MAX_CHILDREN)
		m->children[m->nchildren++] = arena_span(m, child.qid);
	cm = msg_lookup(c, &child, ev, 1);
	cm->origin = ORIGIN_BOUNCE;
	if (cm->parent == 0)
		cm->parent = arena_span(cm, rec->qid);
	if (m->stopped == DS_REJECTED)	/* no "removed" line will come */
		msg_finish(c, m);
}

typedef void (*lc_fn)(struct corr *, struct corr_msg *, const struct pf_record *,
		      const struct evref *);

/* Lifecycle records by program and text prefix. */
static const struct lc_entry {
	uint64_t progs;		/* 0 = any program */
	const char *prefix;
	size_t len;
	int exact;
	lc_fn fn;
} lc_table[] = {
#define P(x) ((uint64_t)1 << (x))
	{ 0, "to=<", 4, 0, lc_delivery },
	{ P(PROG_QMGR) | P(PROG_OQMGR), "from=<", 6, 0, lc_qmgr_from },
	{ P(PROG_QMGR) | P(PROG_OQMGR) | P(PROG_POSTSUPER), "removed", 7, 1, lc_removed },
	{ P(PROG_CLEANUP), "message-id=", 11, 0, lc_msgid },
	{ P(PROG_CLEANUP), "reject: ", 8, 0, lc_cleanup_action },
	{ P(PROG_CLEANUP), "hold: ", 6, 0, lc_cleanup_action },
	{ P(PROG_CLEANUP), "milter-reject: ", 15, 0, lc_cleanup_action },
	{ P(PROG_CLEANUP), "milter-hold: ", 13, 0, lc_cleanup_action },
	/* smtpd: only a refusal of the whole message ends it; a refused
	 * RCPT leaves the other recipients */
	{ P(PROG_SMTPD), "milter-reject: END-OF-MESSAGE ", 30, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "milter-reject: DATA ", 20, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "milter-reject: BDAT ", 20, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "milter-hold: END-OF-MESSAGE ", 28, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "reject: DATA ", 13, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "reject: BDAT ", 13, 0, lc_cleanup_action },
	{ P(PROG_SMTPD), "reject: END-OF-MESSAGE ", 23, 0, lc_cleanup_action },
	{ P(PROG_PICKUP), "uid=", 4, 0, lc_pickup },
	{ P(PROG_SMTPD), "client=", 7, 0, lc_client },
	{ P(PROG_BOUNCE), "sender non-delivery notification: ", 34, 0, lc_notify },
	{ P(PROG_BOUNCE), "sender delay notification: ", 27, 0, lc_notify },
	{ P(PROG_BOUNCE), "postmaster non-delivery notification: ", 38, 0, lc_notify },
	{ P(PROG_BOUNCE), "postmaster delay notification: ", 31, 0, lc_notify },
#undef P
};

static const struct lc_entry *
lc_find(const struct pf_record *rec)
{
	size_t i;

	for (i = 0; i < sizeof(lc_table) / sizeof(lc_table[0]); i++) {
		const struct lc_entry *e = &lc_table[i];

		if (e->progs != 0 && !(e->progs & ((uint64_t)1 << rec->prog)))
			continue;
		if (rec->text.len < e->len || memcmp(rec->text.p, e->prefix, e->len) != 0)
			continue;
		if (e->exact && rec->text.len != e->len)
			continue;
		return e;
	}
	return NULL;
}

/* Verbose logging (smtp -v, debug_peer_list) prints the password the
 * client looked up; register it as a secret before any output can carry
 * it, with or without the configuration. */
static const struct secret_form {
	const char *prefix;	/* the record text starts with it */
	const char *before;	/* the password follows this ... */
	char end;		/* ... up to this byte ('\0': end of text) */
	int after_colon;	/* the value is user:password */
} secret_forms[] = {
	{ "smtp_sasl_passwd_lookup: host ", "' pass `", '\'', 0 },
	{ "lmtp_sasl_passwd_lookup: host ", "' pass `", '\'', 0 },
	{ "maps_find: smtp_sasl_password_maps: ", " = ", '\0', 1 },
	{ "maps_find: lmtp_sasl_password_maps: ", " = ", '\0', 1 },
};

static void
harvest_secrets(const struct pf_record *rec)
{
	const char *p = rec->text.p, *end = p + rec->text.len, *v, *e;
	size_t i, bl;

	if (rec->text.len < 16 || (p[0] != 's' && p[0] != 'l' && p[0] != 'm'))
		return;
	for (i = 0; i < sizeof(secret_forms) / sizeof(secret_forms[0]); i++) {
		const struct secret_form *f = &secret_forms[i];

		if (!span_starts(rec->text, f->prefix, strlen(f->prefix)))
			continue;
		bl = strlen(f->before);
		if ((v = memmem(p, rec->text.len, f->before, bl)) == NULL)
			return;
		v += bl;
		e = f->end != '\0' ? memchr(v, f->end, (size_t)(end - v)) : NULL;
		if (e == NULL)
			e = end;
		if (f->after_colon && (v = memchr(v, ':', (size_t)(e - v))) != NULL)
			v++;
		if (v != NULL && e > v)
			ts_secret_add(v, (size_t)(e - v));
		return;
	}
}

void
corr_record(struct corr *c, const struct pf_record *rec, const struct evref *ev)
{
	const struct lc_entry *lc;
	struct corr_msg *m;
	struct cat_hit hit;
	struct fhit h;

	if (ev->time.valid && ev->time.sec > c->now)
		c->now = ev->time.sec;
	c->diag->seq = ++c->seq;
	c->cur_host = ev->host;
	if (rec->severity == SEV_INFO && (rec->prog == PROG_SMTP || rec->prog == PROG_LMTP))
		harvest_secrets(rec);
	if (rec->qid_kind == QID_SHORT || rec->qid_kind == QID_LONG) {
		m = msg_lookup(c, rec, ev, 1);
		if (m->story.s != NULL)
			story_add(&m->story, ev);
		if (rec->severity == SEV_INFO && (lc = lc_find(rec)) != NULL) {
			lc->fn(c, m, rec, ev);
			return;
		}
		/* intermediate errors and warnings that carry the queue ID */
		h = match_finding(c, CM_REGULAR, SCOPE_LINE, rec, m, DS_NONE, rec->text, ev);
		if (h.idx >= 0)
			m->specific = 1;
		msg_add_finding(c, m, h);
		return;
	}
	/* no queue ID: facts and findings wait for this process' next delivery */
	if (c->track_qid != NULL) {
		struct corr_proc *p = proc_get(c, rec, 1);

		story_add(&p->story, ev);
	}
	if (rec->prog == PROG_SMTP || rec->prog == PROG_LMTP || rec->prog == PROG_TLSPROXY)
		if (catalog_match(c->cat, KIND_FACT, CM_REGULAR | CM_FALLBACK, SCOPE_LINE, rec,
				  DS_NONE, rec->text, c->cf, &hit))
			proc_fact(c, rec, &hit);
	h = match_finding(c, CM_REGULAR, SCOPE_LINE, rec, NULL, DS_NONE, rec->text, ev);
	if (rec->severity >= SEV_FATAL) {
		/* the process exits: nothing it logged waits for a delivery */
		struct corr_proc *p = proc_get(c, rec, 0);

		if (p != NULL) {
			p->npending = 0;
			p->factlen = 0;
			p->fact_peer[0] = '\0';
		}
		return;
	}
	if (h.idx >= 0 && rec->qid_kind == QID_NONE)
		proc_pend(c, rec, h);
}

void
corr_flush(struct corr *c)
{
	while (c->lru_head != NULL)
		msg_finish(c, c->lru_head);
}

const char *
corr_rcpt_facts(const struct corr_msg *m, const struct corr_rcpt *r)
{
	return corr_str(m, r->facts);
}
