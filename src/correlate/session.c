/*
 * session.c - per-process pending state and session facts. Lines without
 * a queue ID (TLS, SASL, map warnings, connect errors) belong to whatever
 * the same (logging host, instance, pid) delivers next: finding hits wait
 * in the process slot (CORR_PROC_SLOTS, 8-way probing, least recently
 * used replaced) and [fact] captures are kept as the facts of the current
 * SMTP session, then copied into the recipient of the next delivery.
 * This file alone knows how facts are encoded (below); readers use
 * corr_facts_begin / corr_fact_next / corr_fact_get.
 */
#include <string.h>

#include "corr_int.h"

/*
 * Encoding, in corr_proc.facts and in the message arena (NUL-terminated
 * there like every arena string): per fact
 *	name US key US value [US key US value ...] RS
 * with US = 0x1f and RS = 0x1e; values are cut at 200 bytes and US, RS
 * and NUL in them become '?'.
 */
#define FACT_US '\x1f'
#define FACT_RS '\x1e'
#define FACT_VALUE_MAX 200

static uint64_t
inst_hash(const struct corr *c, const struct pf_record *rec)
{
	return hash_bytes(rec->instance.p, rec->instance.len,
			  hash_bytes(c->cur_host.p, c->cur_host.len, 0));
}

static void
proc_clear(struct corr_proc *p)
{
	p->npending = 0;
	p->factlen = 0;
	p->fact_peer[0] = '\0';
	p->fact_msg = 0;
}

/* Does the slot hold anything that goes stale? */
static int
proc_has_state(const struct corr_proc *p)
{
	return p->used && (p->npending > 0 || p->factlen > 0 || p->fact_peer[0] != '\0'
			   || p->fact_msg != 0);
}

/* The process logged something that waits: keep the lower bound of the
 * time at which some slot's state goes stale up to date. */
static void
proc_touch(struct corr *c, struct corr_proc *p)
{
	p->last = c->now;
	if (c->now + CORR_PROC_IDLE < c->proc_due)
		c->proc_due = c->now + CORR_PROC_IDLE;
}

struct corr_proc *
session_get(struct corr *c, const struct pf_record *rec, int create)
{
	uint64_t ih = inst_hash(c, rec);
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
	proc_clear(p);
	if (p->story.s != NULL)
		sb_reset(&p->story);
	else if (c->track_qid != NULL)
		sb_init(&p->story);
	return p;
}

void
session_pend(struct corr *c, const struct pf_record *rec, struct fhit h)
{
	struct corr_proc *p = session_get(c, rec, 1);
	int i;

	proc_touch(c, p);
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

void
session_drop(struct corr *c, const struct pf_record *rec)
{
	struct corr_proc *p = session_get(c, rec, 0);

	if (p != NULL) {
		p->npending = 0;
		p->factlen = 0;
		p->fact_peer[0] = '\0';
	}
}

/* Drop the entry named name from an encoded fact list. */
static void
facts_remove(char *facts, size_t *len, const char *name)
{
	size_t nl = strlen(name), i = 0, e;

	while (i < *len) {
		for (e = i; e < *len && facts[e] != FACT_RS; e++)
			;
		if (e < *len)
			e++;
		if (e - i > nl && memcmp(facts + i, name, nl) == 0 && facts[i + nl] == FACT_US) {
			memmove(facts + i, facts + e, *len - e);
			*len -= e - i;
			continue;
		}
		i = e;
	}
}

void
session_fact(struct corr *c, const struct pf_record *rec, const struct cat_hit *hit)
{
	struct corr_proc *p = session_get(c, rec, 1);
	const struct cat_rule *r = hit->rule;
	struct span v;
	size_t need, i;
	int k;

	proc_touch(c, p);
	facts_remove(p->facts, &p->factlen, r->id);
	sb_reset(&c->tmp);
	sb_adds(&c->tmp, r->id);
	for (k = 0; k < r->nnames && k < CORR_FACT_MAX_KV; k++) {
		if (!catalog_capture(hit, r->names[k], &v))
			continue;
		sb_addc(&c->tmp, FACT_US);
		sb_adds(&c->tmp, r->names[k]);
		sb_addc(&c->tmp, FACT_US);
		for (i = 0; i < v.len && i < FACT_VALUE_MAX; i++)
			sb_addc(&c->tmp, v.p[i] == FACT_US || v.p[i] == FACT_RS || v.p[i] == 0
				? '?' : v.p[i]);
	}
	sb_addc(&c->tmp, FACT_RS);
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

/* The facts describe an SMTP session: they belong to deliveries whose
 * relay is the session's peer, within the message that opened the
 * session or over the reused connection (conn_use=N). A later session
 * without its own summary line had no TLS. */
void
session_attach(struct corr *c, const struct pf_record *rec, struct corr_msg *m,
	       struct corr_rcpt *r, struct span relay, int reused, int failed)
{
	struct corr_proc *p = session_get(c, rec, 0);
	int i;

	if (p == NULL) {
		if (r != NULL)
			r->facts = 0;	/* nothing logged by this process: no session */
		return;
	}
	if (c->now - p->last > CORR_PROC_IDLE)
		proc_clear(p);	/* left over from an earlier process with the same pid */
	for (i = 0; i < p->npending; i++)
		msg_add_finding(c, m, (struct fhit){ p->pending[i],
						     (enum find_sev)p->pending_sev[i], failed });
	if (p->npending > 0)
		m->specific = 1;
	p->npending = 0;
	if (r != NULL) {
		if (p->factlen > 0 && (p->fact_peer[0] == '\0' || span_eq(relay, p->fact_peer))
		    && (p->fact_msg == 0 || p->fact_msg == m->hash || reused)) {
			uint32_t off = msg_arena_add(m, p->facts, p->factlen);

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

void
session_expire(struct corr *c)
{
	int64_t due = INT64_MAX;
	size_t i;

	if (c->now <= c->proc_due)
		return;		/* no slot's state can be older than CORR_PROC_IDLE */
	for (i = 0; i < CORR_PROC_SLOTS; i++) {
		struct corr_proc *p = &c->procs[i];

		if (!proc_has_state(p))
			continue;
		if (c->now - p->last > CORR_PROC_IDLE) {
			proc_clear(p);
		} else if (p->last + CORR_PROC_IDLE < due) {
			due = p->last + CORR_PROC_IDLE;
		}
	}
	c->proc_due = due;
}

/* --- reading facts ------------------------------------------------------- */

/* A fact ends at RS (found with strchr: the arena string is NUL
 * terminated); names, keys and values end at the next US within it. */
void
corr_facts_begin(const struct corr_msg *m, const struct corr_rcpt *r, struct corr_fact_iter *it)
{
	it->next = r != NULL ? corr_str(m, r->facts) : NULL;
}

int
corr_fact_next(struct corr_fact_iter *it, struct corr_fact *f)
{
	const char *p = it->next, *rs, *k, *v, *e;

	if (p == NULL || (rs = strchr(p, FACT_RS)) == NULL) {
		it->next = NULL;	/* the end, or unterminated: never written so */
		return 0;
	}
	it->next = rs + 1;
	if ((e = memchr(p, FACT_US, (size_t)(rs - p))) == NULL)
		e = rs;
	f->name.p = p;
	f->name.len = (size_t)(e - p);
	f->nkv = 0;
	while (e < rs && f->nkv < CORR_FACT_MAX_KV) {
		k = e + 1;
		if ((v = memchr(k, FACT_US, (size_t)(rs - k))) == NULL)
			break;	/* a key without value: never written so */
		v++;
		if ((e = memchr(v, FACT_US, (size_t)(rs - v))) == NULL)
			e = rs;
		f->kv[f->nkv].key.p = k;
		f->kv[f->nkv].key.len = (size_t)(v - 1 - k);
		f->kv[f->nkv].value.p = v;
		f->kv[f->nkv].value.len = (size_t)(e - v);
		f->nkv++;
	}
	return 1;
}

int
corr_has_facts(const struct corr_msg *m, const struct corr_rcpt *r)
{
	(void)m;
	return r != NULL && r->facts != 0;
}

int
corr_fact_get(const struct corr_msg *m, const struct corr_rcpt *r, const char *name,
	      const char *key, char *buf, size_t size)
{
	struct corr_fact_iter it;
	struct corr_fact f;
	size_t len;
	int i;

	if (size == 0)
		return 0;
	corr_facts_begin(m, r, &it);
	while (corr_fact_next(&it, &f)) {
		if (!span_eq(f.name, name))
			continue;
		for (i = 0; i < f.nkv; i++) {
			if (!span_eq(f.kv[i].key, key))
				continue;
			len = f.kv[i].value.len < size - 1 ? f.kv[i].value.len : size - 1;
			memcpy(buf, f.kv[i].value.p, len);
			buf[len] = '\0';
			return 1;
		}
	}
	return 0;
}
