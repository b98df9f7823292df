/*
 * msgtable.c - the message table: messages keyed by (logging host,
 * instance, queue ID) in hash buckets, kept on an LRU list (least
 * recently active first), recycled through a free list with their arena
 * and recipient array; per-message arena (offsets, 0 = unset, capped at
 * CORR_ARENA_MAX, compacted once when full), recipients, findings, and
 * the end of a message: finished, evicted when stale or when the table is
 * full, flushed at end of input.
 */
#include <stdlib.h>
#include <string.h>

#include "corr_int.h"

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

/* --- arena --------------------------------------------------------------- */

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
 * are garbage. Facts are stored NUL-terminated like every other string. */
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

uint32_t
msg_arena_add(struct corr_msg *m, const char *p, size_t n)
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

uint32_t
msg_arena_span(struct corr_msg *m, struct span s)
{
	return msg_arena_add(m, s.p, s.len);
}

void
msg_arena_set(struct corr_msg *m, uint32_t *field, struct span s)
{
	uint32_t off = msg_arena_span(m, s);

	if (off != 0)
		*field = off;
}

/* --- recipients and findings --------------------------------------------- */

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

struct corr_rcpt *
msg_rcpt_get(struct corr_msg *m, struct span to, struct span orig_to)
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
	if ((r->to = msg_arena_span(m, to)) == 0) {
		rcpt_drop(m, to, orig_to);	/* no room to list it */
		return NULL;
	}
	m->nrcpt++;
	if (orig_to.len > 0)
		r->orig_to = msg_arena_span(m, orig_to);
	return r;
}

void
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

void
msg_story_add(struct strbuf *sb, const struct evref *ev)
{
	if (sb->s == NULL || sb->len > 256 * 1024)
		return;
	sb_printf(sb, "%d:%lu:", ev->source, ev->lineno);
	sb_add(sb, ev->text.p, ev->text.len);
	sb_addc(sb, '\n');
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

/* --- the table ----------------------------------------------------------- */

static uint64_t
msg_hash(struct span host, struct span inst, struct span qid)
{
	return hash_bytes(qid.p, qid.len, hash_bytes(inst.p, inst.len, hash_bytes(host.p, host.len, 0)));
}

void
msgtable_init(struct corr *c)
{
	c->nbuckets = 1u << 16;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->max_msgs = CORR_MAX_MESSAGES;
	c->stale_secs = CORR_STALE_SECS;
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
msgtable_free(struct corr *c)
{
	struct corr_msg *m, *next;

	for (m = c->lru_head; m != NULL; m = next) {
		next = m->lnext;
		msg_destroy(m);
	}
	for (m = c->freelist; m != NULL; m = next) {
		next = m->hnext;
		msg_destroy(m);
	}
	free(c->buckets);
	c->buckets = NULL;
	c->lru_head = c->lru_tail = c->freelist = NULL;
	c->nmsgs = 0;
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

void
msgtable_finish(struct corr *c, struct corr_msg *m)
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
	/* a message seen only in a time window's look-back is not reported */
	if (!c->muted && m->in_window) {
		c->stats.messages++;
		(*counter[corr_msg_outcome(m)])++;
		msg_outcome_to_diag(c, m);
		c->stats.recipients += m->nrcpt + m->rcpt_dropped;
		if (c->emit != NULL)
			c->emit(c->emit_ctx, m);
	}
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

size_t
msgtable_evict(struct corr *c, int for_new)
{
	struct corr_msg *m;
	size_t n = 0;

	while ((m = c->lru_head) != NULL) {
		if (for_new && c->nmsgs >= c->max_msgs) {
			if (!c->muted)
				c->stats.evicted++;
		} else if (m->last.valid && c->now - m->last.sec > c->stale_secs) {
			if (!c->muted)
				c->stats.stale++;
		} else {
			break;
		}
		m->evicted = 1;
		msgtable_finish(c, m);
		n++;
	}
	return n;
}

struct corr_msg *
msgtable_lookup(struct corr *c, const struct pf_record *rec, const struct evref *ev, int create)
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
		(void)msgtable_evict(c, 1);
		m = msg_alloc(c);
		m->hash = h;
		if (ev->host.len > 0)
			m->loghost = msg_arena_span(m, ev->host);
		m->instance = msg_arena_span(m, rec->instance);
		m->qid = msg_arena_span(m, rec->qid);
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
		if (c->track_qid != NULL
		    && (c->track_new || strcmp(c->track_qid, corr_str(m, m->qid)) == 0))
			sb_init(&m->story);
	} else {
		lru_unlink(c, m);
	}
	lru_append(c, m);
	if (ev->time.valid)
		m->last = ev->time;
	if (!c->muted)
		m->in_window = 1;
	return m;
}

void
corr_flush(struct corr *c)
{
	while (c->lru_head != NULL)
		msgtable_finish(c, c->lru_head);
}
