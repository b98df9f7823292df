/*
 * correlate.c - the correlator's policy: the table of lifecycle records
 * (lc_table: program mask and text prefix -> handler) that builds each
 * message's story (pickup/smtpd, cleanup, qmgr, delivery agents, bounce),
 * corr_record routing every record to its message or its process, which
 * text is matched against which catalog scope and how hits reach the
 * diagnosis; the clock (corr_tick), limits and the muted prelude. The
 * message table is msgtable.c, process state session.c, field parsing
 * fields.c (corr_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "corr_int.h"

void
corr_init(struct corr *c, struct catalog *cat, const struct pfconf *cf,
	  struct diag *d, corr_emit_fn emit, void *ctx)
{
	memset(c, 0, sizeof(*c));
	msgtable_init(c);
	c->procs = xcalloc(CORR_PROC_SLOTS, sizeof(*c->procs));
	c->proc_due = INT64_MAX;
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

void
corr_free(struct corr *c)
{
	size_t i;

	msgtable_free(c);
	for (i = 0; i < CORR_PROC_SLOTS; i++)
		if (c->procs[i].story.s != NULL)
			sb_free(&c->procs[i].story);
	free(c->procs);
	free(c->track_qid);
	sb_free(&c->tmp);
	memset(c, 0, sizeof(*c));
}

void
corr_track(struct corr *c, const char *qid)
{
	struct corr_msg *m;

	free(c->track_qid);
	c->track_qid = qid ? xstrdup(qid) : NULL;
	if (!c->track_new)
		return;
	c->track_new = 0;
	for (m = c->lru_head; m != NULL; m = m->lnext)
		if (m->story.s != NULL && (qid == NULL || strcmp(corr_str(m, m->qid), qid) != 0))
			sb_free(&m->story);
}

void
corr_track_new(struct corr *c)
{
	free(c->track_qid);
	c->track_qid = xstrdup("");
	c->track_new = 1;
}

void
corr_set_limits(struct corr *c, size_t max_msgs, int64_t stale_secs)
{
	c->max_msgs = max_msgs > 0 ? max_msgs : CORR_MAX_MESSAGES;
	c->stale_secs = stale_secs > 0 ? stale_secs : CORR_STALE_SECS;
	/* a smaller table: the least recently active go now */
	while (c->nmsgs > c->max_msgs) {
		struct corr_msg *m = c->lru_head;

		if (!c->muted)
			c->stats.evicted++;
		m->evicted = 1;
		msgtable_finish(c, m);
	}
}

void
corr_set_muted(struct corr *c, int muted)
{
	c->muted = muted != 0;
}

void
corr_tick(struct corr *c, int64_t now)
{
	if (now > c->now)
		c->now = now;
	/* the least recently active message is the first to go stale */
	if (c->lru_head != NULL && c->lru_head->last.valid
	    && c->now - c->lru_head->last.sec > c->stale_secs)
		(void)msgtable_evict(c, 0);
	session_expire(c);
}

/* --- catalog matching --------------------------------------------------- */

/* Match text of message m (NULL: none yet) in scope; on a hit fold it
 * into the diagnosis. idx is the finding, -2 when no rule matched (and
 * always while muted: the prelude builds state, not findings). */
static struct fhit
match_finding_ctx(struct corr *c, int which, enum cat_scope scope, const struct pf_record *rec,
		  const struct corr_msg *m, int status, struct span text, const struct evref *ev,
		  const struct diag_hitctx *hc)
{
	static const unsigned path_ctx[] = { 0, CTX_RELAYED, CTX_DIRECT, CTX_RELAYED };
	struct cat_hit hit;
	struct fhit h = { -2, FSEV_OK, 0 };
	unsigned ctx = m != NULL ? m->ctx : 0;

	if (c->muted)
		return h;
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

static const char SUSPENDED[] = "delivery temporarily suspended: ";

static void
lc_delivery(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	    const struct evref *ev)
{
	struct dlv_fields d;
	struct span reason;
	struct corr_rcpt *r;
	enum dstatus st;
	struct fhit found;
	struct diag_hitctx hc = { NH_UNKNOWN, SPAN_EMPTY };
	struct nh_parsed np;
	const char *at;

	if ((st = fields_delivery(rec->text, &d)) == DS_NONE)
		return;
	reason = d.reason;
	at = memrchr(d.to.p, '@', d.to.len);
	if (at != NULL) {
		hc.domain.p = at + 1;
		hc.domain.len = d.to.len - (size_t)(at + 1 - d.to.p);
	}
	nexthop_parse(d.relay, &np);
	if (rec->prog == PROG_SMTP)
		nexthop_count_parsed(&c->nh, &np, hc.domain);
	hc.path = nexthop_classify_parsed(&c->nh, &np, hc.domain, reason);
	m->path_ctx = hc.path == NH_DIRECT ? CTX_DIRECT : hc.path == NH_UNKNOWN ? 0 : CTX_RELAYED;
	if (st == DS_SENT && !c->muted)
		diag_success_name(c->diag, np.name, np.len, &ev->time);
	r = msg_rcpt_get(m, d.to, d.orig_to);
	session_attach(c, rec, m, r, d.relay, d.reused, st != DS_SENT);
	if (r != NULL) {
		r->status = st;
		r->attempts++;
		if (d.relay.len)
			msg_arena_set(m, &r->relay, d.relay);
		if (d.dsn.len)
			msg_arena_set(m, &r->dsn, d.dsn);
		if (d.delay.len)
			msg_arena_set(m, &r->delay, d.delay);
		if (d.delays.len)
			msg_arena_set(m, &r->delays, d.delays);
		msg_arena_set(m, &r->reason, reason);
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
	while (fields_next(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "uid"))
			m->uid = fields_long(kv.val);
		else if (span_eq_lit(kv.key, "from"))
			m->from = msg_arena_span(m, kv.val);
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
	while (fields_next(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "client"))
			m->client = msg_arena_span(m, kv.val);
		else if (span_eq_lit(kv.key, "sasl_username"))
			m->sasl_user = msg_arena_span(m, kv.val);
	}
	/* for the rules' submitted/received conditions */
	m->ctx = m->sasl_user != 0 || fields_loopback(corr_str(m, m->client)) ? CTX_SUBMITTED
	    : CTX_RECEIVED;
}

static void
lc_msgid(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	 const struct evref *ev)
{
	(void)c;
	(void)ev;
	if (m->msgid == 0)
		m->msgid = msg_arena_add(m, rec->text.p + 11, rec->text.len - 11);
}

static void
lc_qmgr_from(struct corr *c, struct corr_msg *m, const struct pf_record *rec,
	     const struct evref *ev)
{
	const char *p = rec->text.p, *end = p + rec->text.len;
	struct kv kv;

	while (fields_next(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "from")) {
			/* qmgr shows the rewritten envelope sender: it wins over
			 * pickup's, once (size is still unset on the first line) */
			if (m->from == 0 || m->size < 0)
				m->from = msg_arena_span(m, kv.val);
		} else if (span_eq_lit(kv.key, "size")) {
			m->size = fields_long(kv.val);
		} else if (span_eq_lit(kv.key, "nrcpt")) {
			m->nrcpt_declared = fields_long(kv.val);
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
	msgtable_finish(c, m);
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
	if (p != NULL && m->from == 0 && (p += 2, fields_next(&p, end, &kv))
	    && span_eq_lit(kv.key, "from"))
		m->from = msg_arena_span(m, kv.val);
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
		msgtable_finish(c, m);
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
		m->children[m->nchildren++] = msg_arena_span(m, child.qid);
	cm = msgtable_lookup(c, &child, ev, 1);
	cm->origin = ORIGIN_BOUNCE;
	if (cm->parent == 0)
		cm->parent = msg_arena_span(cm, rec->qid);
	if (m->stopped == DS_REJECTED)	/* no "removed" line will come */
		msgtable_finish(c, m);
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
		fields_secrets(rec);
	if (rec->qid_kind == QID_SHORT || rec->qid_kind == QID_LONG) {
		m = msgtable_lookup(c, rec, ev, 1);
		if (m->story.s != NULL)
			msg_story_add(&m->story, ev);
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
		struct corr_proc *p = session_get(c, rec, 1);

		msg_story_add(&p->story, ev);
	}
	if (rec->prog == PROG_SMTP || rec->prog == PROG_LMTP || rec->prog == PROG_TLSPROXY)
		if (catalog_match(c->cat, KIND_FACT, CM_REGULAR | CM_FALLBACK, SCOPE_LINE, rec,
				  DS_NONE, rec->text, c->cf, &hit))
			session_fact(c, rec, &hit);
	h = match_finding(c, CM_REGULAR, SCOPE_LINE, rec, NULL, DS_NONE, rec->text, ev);
	if (rec->severity >= SEV_FATAL) {
		/* the process exits: nothing it logged waits for a delivery */
		session_drop(c, rec);
		return;
	}
	if (h.idx >= 0 && rec->qid_kind == QID_NONE)
		session_pend(c, rec, h);
}
