/*
 * test_correlate.c - unit tests of the correlation: synthetic log lines
 * are driven through a pipeline (syslog header, record, correlation with
 * the real catalog from patterns/) into a report whose message() callback
 * copies each emitted message. Covers the message lifecycle, deferred
 * messages at the end of input, QID-less lines attached per (instance,
 * pid), instances, TLS facts (read through the typed fact API), bounce
 * parent/child links, table limits, stale eviction, the clock
 * (corr_tick), corr_set_limits, the muted prelude and retries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog.h"
#include "correlate.h"
#include "pipeline.h"
#include "report.h"
#include "textsafe.h"

/* 2026-11-23T12:00:00Z */
#define T0 INT64_C(1795435200)

#define GOT_FACTS 4
#define GOT_KVS 8

struct got_fact {
	char name[32];
	int nkv;
	char key[GOT_KVS][32];
	char value[GOT_KVS][256];
};

struct got_rcpt {
	char to[128], orig_to[128], relay[128], reason[256], dsn[16];
	char facts[1024];	/* rendered: name{key=value,...} per fact */
	int has_facts;
	int nfacts;
	struct got_fact fact[GOT_FACTS];
	enum dstatus status;
	unsigned attempts;
};

struct got_msg {
	char inst[32], qid[32], from[128], msgid[128], client[128], sasl_user[64];
	char parent[32];
	char children[CORR_MAX_CHILDREN][32];
	int nchildren;
	enum dstatus outcome;
	enum msg_origin origin;
	int removed, expired, evicted;
	long size, nrcpt_declared, uid;
	unsigned attempts;
	uint32_t nrcpt, rcpt_dropped;
	struct got_rcpt rcpt[4];
	int nfinds;
	char finds[CORR_MAX_FINDS][64];
	int64_t first, last;
	int story_lines;	/* lines of its story, -1: none kept */
};

struct fx {
	struct catalog cat;
	struct pipeline pl;
	struct report rep;
	struct got_msg *msgs;
	size_t nmsgs, cap;
	int ended;
	unsigned long lineno;
};

static void
cp(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s != NULL ? s : "");
}

/* Read the facts of r through the fact API into g; every value must
 * also be what corr_fact_get returns for the first fact of its name. */
static void
got_facts(struct got_rcpt *g, const struct corr_msg *m, const struct corr_rcpt *r)
{
	struct corr_fact_iter it;
	struct corr_fact cf;
	char buf[256];
	size_t n;
	int i;

	g->has_facts = corr_has_facts(m, r);
	corr_facts_begin(m, r, &it);
	while (corr_fact_next(&it, &cf)) {
		struct got_fact *f = &g->fact[g->nfacts];
		int j;

		assert_true(g->nfacts < GOT_FACTS);
		snprintf(f->name, sizeof(f->name), "%.*s", (int)cf.name.len, cf.name.p);
		n = strlen(g->facts);
		snprintf(g->facts + n, sizeof(g->facts) - n, "%s{", f->name);
		for (j = 0; j < cf.nkv; j++) {
			struct span key = cf.kv[j].key, value = cf.kv[j].value;

			assert_true(f->nkv < GOT_KVS);
			snprintf(f->key[f->nkv], sizeof(f->key[0]), "%.*s", (int)key.len, key.p);
			snprintf(f->value[f->nkv], sizeof(f->value[0]), "%.*s", (int)value.len, value.p);
			n = strlen(g->facts);
			snprintf(g->facts + n, sizeof(g->facts) - n, "%s%s=%s", f->nkv ? "," : "",
				 f->key[f->nkv], f->value[f->nkv]);
			f->nkv++;
		}
		n = strlen(g->facts);
		snprintf(g->facts + n, sizeof(g->facts) - n, "}");
		g->nfacts++;
	}
	assert_int_equal(g->has_facts, g->nfacts > 0);
	for (i = 0; i < g->nfacts; i++) {
		int k, first = 1, j;

		for (j = 0; j < i; j++)
			first &= strcmp(g->fact[j].name, g->fact[i].name) != 0;
		for (k = 0; first && k < g->fact[i].nkv; k++) {
			assert_int_equal(corr_fact_get(m, r, g->fact[i].name, g->fact[i].key[k],
						       buf, sizeof(buf)), 1);
			assert_string_equal(buf, g->fact[i].value[k]);
		}
	}
	assert_int_equal(corr_fact_get(m, r, "nosuchfact", "trust", buf, sizeof(buf)), 0);
}

static void
rep_message(struct report *rep, const struct corr_msg *m)
{
	struct fx *fx = rep->priv;
	struct got_msg *g;
	uint32_t i;
	int k;

	if (fx->nmsgs == fx->cap) {
		fx->cap = fx->cap ? 2 * fx->cap : 64;
		fx->msgs = realloc(fx->msgs, fx->cap * sizeof(*fx->msgs));
		assert_non_null(fx->msgs);
	}
	g = &fx->msgs[fx->nmsgs++];
	memset(g, 0, sizeof(*g));
	cp(g->inst, sizeof(g->inst), corr_str(m, m->instance));
	cp(g->qid, sizeof(g->qid), corr_str(m, m->qid));
	cp(g->from, sizeof(g->from), corr_str(m, m->from));
	cp(g->msgid, sizeof(g->msgid), corr_str(m, m->msgid));
	cp(g->client, sizeof(g->client), corr_str(m, m->client));
	cp(g->sasl_user, sizeof(g->sasl_user), corr_str(m, m->sasl_user));
	cp(g->parent, sizeof(g->parent), corr_str(m, m->parent));
	g->nchildren = m->nchildren;
	for (k = 0; k < m->nchildren && k < CORR_MAX_CHILDREN; k++)
		cp(g->children[k], sizeof(g->children[k]), corr_str(m, m->children[k]));
	g->outcome = corr_msg_outcome(m);
	g->origin = m->origin;
	g->removed = m->removed;
	g->expired = m->expired;
	g->evicted = m->evicted;
	g->size = m->size;
	g->nrcpt_declared = m->nrcpt_declared;
	g->uid = m->uid;
	g->attempts = m->attempts;
	g->nrcpt = m->nrcpt;
	g->rcpt_dropped = m->rcpt_dropped;
	g->first = m->first.sec;
	g->last = m->last.sec;
	g->story_lines = -1;
	if (m->story.s != NULL) {
		const char *p;

		g->story_lines = 0;
		for (p = m->story.s; (p = strchr(p, '\n')) != NULL; p++)
			g->story_lines++;
	}
	for (i = 0; i < m->nrcpt && i < 4; i++) {
		const struct corr_rcpt *r = &m->rcpt[i];

		cp(g->rcpt[i].to, sizeof(g->rcpt[i].to), corr_str(m, r->to));
		cp(g->rcpt[i].orig_to, sizeof(g->rcpt[i].orig_to), corr_str(m, r->orig_to));
		cp(g->rcpt[i].relay, sizeof(g->rcpt[i].relay), corr_str(m, r->relay));
		cp(g->rcpt[i].reason, sizeof(g->rcpt[i].reason), corr_str(m, r->reason));
		cp(g->rcpt[i].dsn, sizeof(g->rcpt[i].dsn), corr_str(m, r->dsn));
		got_facts(&g->rcpt[i], m, r);
		g->rcpt[i].status = r->status;
		g->rcpt[i].attempts = r->attempts;
	}
	/* finding indices are valid until pipeline_finish ranks them */
	g->nfinds = m->nfinds;
	for (k = 0; k < m->nfinds; k++) {
		assert_true(m->finds[k] >= 0 && (size_t)m->finds[k] < fx->pl.diag.n);
		cp(g->finds[k], sizeof(g->finds[k]), fx->pl.diag.f[m->finds[k]]->def->id);
	}
}

static void
rep_end(struct report *rep, struct diag *d, const struct corr_stats *cs, const struct run_stats *rs)
{
	struct fx *fx = rep->priv;

	(void)d;
	(void)cs;
	(void)rs;
	fx->ended++;
}

static const struct report_ops test_report_ops = { .message = rep_message, .end = rep_end };

static void
patterns_dir(char *buf, size_t size)
{
	const char *src = getenv("FMRD_SRCDIR");
	struct stat st;

	if (src != NULL && *src != '\0') {
		snprintf(buf, size, "%s/patterns", src);
		return;
	}
	snprintf(buf, size, "../patterns");
	if (stat(buf, &st) == 0)
		return;
	snprintf(buf, size, "../../patterns");
	if (stat(buf, &st) == 0)
		return;
	snprintf(buf, size, "patterns");
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct strbuf err;
	char dir[4096];

	if (fx == NULL)
		return -1;
	patterns_dir(dir, sizeof(dir));
	sb_init(&err);
	catalog_init(&fx->cat);
	if (catalog_load_path(&fx->cat, dir, &err) != 0 || catalog_finalize(&fx->cat, &err) != 0) {
		fprintf(stderr, "cannot load the catalog from %s: %s\n", dir, err.s);
		sb_free(&err);
		catalog_free(&fx->cat);
		free(fx);
		return -1;
	}
	sb_free(&err);
	pipeline_init(&fx->pl, &fx->cat, NULL, 2026);
	fx->rep.ops = &test_report_ops;
	fx->rep.diag = &fx->pl.diag;
	fx->rep.priv = fx;
	pipeline_set_report(&fx->pl, &fx->rep);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	pipeline_free(&fx->pl);
	catalog_free(&fx->cat);
	free(fx->msgs);
	free(fx);
	ts_secrets_clear();
	return 0;
}

/* Feed one line "<RFC 3339 time T0+dt> mx1 <rest>". */
static void
feed(struct fx *fx, int64_t dt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
feed(struct fx *fx, int64_t dt, const char *fmt, ...)
{
	char buf[2048];
	struct line ln;
	struct tm tm;
	time_t t = (time_t)(T0 + dt);
	size_t n;
	va_list ap;

	gmtime_r(&t, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ mx1 ", &tm);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	memset(&ln, 0, sizeof(ln));
	ln.p = buf;
	ln.len = strlen(buf);
	ln.lineno = ++fx->lineno;
	pipeline_line(&fx->pl, &ln, 0);
}

static const struct got_msg *
find_msg(const struct fx *fx, const char *inst, const char *qid)
{
	size_t i;

	for (i = 0; i < fx->nmsgs; i++)
		if (strcmp(fx->msgs[i].qid, qid) == 0 && strcmp(fx->msgs[i].inst, inst) == 0)
			return &fx->msgs[i];
	fail_msg("message %s/%s was not emitted", inst, qid);
	return NULL;
}

static int
has_finding(const struct got_msg *g, const char *id)
{
	int i;

	for (i = 0; i < g->nfinds; i++)
		if (strcmp(g->finds[i], id) == 0)
			return 1;
	return 0;
}

/* --- tests ----------------------------------------------------------------- */

static void
test_full_lifecycle(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/pickup[100]: 4F2C31A0B7E: uid=0 from=<root>");
	feed(fx, 0, "postfix/cleanup[101]: 4F2C31A0B7E: message-id=<20261123120000.4F2C31A0B7E@mx1.example.com>");
	feed(fx, 1, "postfix/qmgr[102]: 4F2C31A0B7E: from=<root@mx1.example.com>, size=512, nrcpt=1 (queue active)");
	assert_int_equal(fx->pl.corr.nmsgs, 1);
	feed(fx, 2, "postfix/smtp[103]: 4F2C31A0B7E: to=<alice@example.net>, "
	     "relay=smtp.fastmail.com[103.168.172.45]:587, delay=1.2, delays=0.1/0/0.5/0.6, "
	     "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4XyZ)");
	/* delivered, but still in the queue until qmgr removes it */
	assert_int_equal(fx->nmsgs, 0);
	feed(fx, 3, "postfix/qmgr[102]: 4F2C31A0B7E: removed");
	assert_int_equal(fx->nmsgs, 1);
	assert_int_equal(fx->pl.corr.nmsgs, 0);

	g = &fx->msgs[0];
	assert_string_equal(g->inst, "postfix");
	assert_string_equal(g->qid, "4F2C31A0B7E");
	assert_int_equal(g->outcome, DS_SENT);
	assert_int_equal(g->removed, 1);
	assert_int_equal(g->expired, 0);
	assert_int_equal(g->evicted, 0);
	assert_int_equal(g->origin, ORIGIN_PICKUP);
	assert_int_equal(g->uid, 0);
	assert_string_equal(g->msgid, "<20261123120000.4F2C31A0B7E@mx1.example.com>");
	assert_int_equal(g->size, 512);
	assert_int_equal(g->nrcpt_declared, 1);
	assert_int_equal(g->attempts, 1);
	assert_true(g->first == T0);
	assert_true(g->last == T0 + 3);
	assert_int_equal(g->nrcpt, 1);
	assert_string_equal(g->rcpt[0].to, "alice@example.net");
	assert_string_equal(g->rcpt[0].orig_to, "");
	assert_string_equal(g->rcpt[0].relay, "smtp.fastmail.com[103.168.172.45]:587");
	assert_string_equal(g->rcpt[0].dsn, "2.0.0");
	assert_string_equal(g->rcpt[0].reason, "250 2.0.0 Ok: queued as 4XyZ");
	assert_int_equal(g->rcpt[0].status, DS_SENT);
	assert_int_equal(g->rcpt[0].attempts, 1);
	assert_int_equal(g->nfinds, 0);

	/* the end of input does not report it twice */
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1);
	assert_int_equal(fx->ended, 1);
	assert_int_equal(fx->pl.corr.stats.messages, 1);
	assert_int_equal(fx->pl.corr.stats.sent, 1);
	assert_int_equal(fx->pl.corr.stats.recipients, 1);
	assert_int_equal(fx->pl.stats.lines, 5);
	assert_int_equal(fx->pl.stats.postfix, 5);
	assert_int_equal(fx->pl.stats.formats[HDR_RFC3339], 5);
}

static void
test_pickup_sender(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	/* pickup(8) logs "uid=N from=<sender>" separated by a space only */
	feed(fx, 0, "postfix/pickup[100]: 5A5A5A5A5A: uid=1000 from=<alice>");
	feed(fx, 0, "postfix/cleanup[101]: 5A5A5A5A5A: message-id=<x@mx1>");
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->origin, ORIGIN_PICKUP);
	assert_int_equal(g->uid, 1000);
	assert_string_equal(g->from, "alice");
}

static void
test_smtpd_origin(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/submission/smtpd[10]: 6B6B6B6B6B: client=client.example.com[192.0.2.7], "
	     "sasl_method=PLAIN, sasl_username=alice@example.com");
	feed(fx, 0, "postfix/qmgr[11]: 6B6B6B6B6B: from=<alice@example.com>, size=99, nrcpt=2 (queue active)");
	feed(fx, 1, "postfix/smtp[12]: 6B6B6B6B6B: to=<a@example.net>, relay=r[192.0.2.9]:25, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 1, "postfix/smtp[12]: 6B6B6B6B6B: to=<b@example.net>, orig_to=<list@example.com>, "
	     "relay=r[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, "
	     "status=bounced (host r[192.0.2.9] said: 550 5.1.1 <b@example.net>: unknown user (in reply to RCPT TO command))");
	feed(fx, 2, "postfix/qmgr[11]: 6B6B6B6B6B: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->origin, ORIGIN_SMTPD);
	assert_string_equal(g->client, "client.example.com[192.0.2.7]");
	assert_string_equal(g->sasl_user, "alice@example.com");
	assert_string_equal(g->from, "alice@example.com");
	assert_int_equal(g->nrcpt_declared, 2);
	assert_int_equal(g->nrcpt, 2);
	assert_string_equal(g->rcpt[1].to, "b@example.net");
	assert_string_equal(g->rcpt[1].orig_to, "list@example.com");
	assert_int_equal(g->rcpt[1].status, DS_BOUNCED);
	assert_string_equal(g->rcpt[1].reason, "host r[192.0.2.9] said: 550 5.1.1 <b@example.net>: "
			    "unknown user (in reply to RCPT TO command)");
	/* one bounced recipient makes the message bounced */
	assert_int_equal(g->outcome, DS_BOUNCED);
	assert_true(has_finding(g, "recipient.unknown_user"));
}

static void
test_deferred_until_flush(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/qmgr[102]: 7C7C7C7C7C: from=<root@mx1.example.com>, size=300, nrcpt=1 (queue active)");
	feed(fx, 30, "postfix/smtp[103]: 7C7C7C7C7C: to=<bob@example.net>, relay=none, delay=30, "
	     "delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to smtp.example.net[198.51.100.1]:25: "
	     "Connection timed out)");
	assert_int_equal(fx->nmsgs, 0);
	assert_int_equal(fx->pl.corr.nmsgs, 1);
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_string_equal(g->qid, "7C7C7C7C7C");
	assert_int_equal(g->outcome, DS_DEFERRED);
	assert_int_equal(g->removed, 0);
	assert_int_equal(g->evicted, 0);
	assert_int_equal(g->rcpt[0].status, DS_DEFERRED);
	assert_string_equal(g->rcpt[0].dsn, "4.4.1");
	assert_string_equal(g->rcpt[0].reason, "connect to smtp.example.net[198.51.100.1]:25: Connection timed out");
	/* a specific rule explains it (no fallback finding besides) */
	assert_int_equal(g->nfinds, 1);
	assert_string_equal(g->finds[0], "net.connection_timeout");
	assert_int_equal(fx->pl.corr.stats.deferred, 1);
	assert_int_equal(fx->pl.corr.stats.messages, 1);
}

static void
test_specific_reason_beats_fallback(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/smtp[103]: 8D8D8D8D8D: to=<bob@example.net>, "
	     "relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, delays=0/0/0.5/0.5, dsn=4.7.8, "
	     "status=deferred (SASL authentication failed; server smtp.fastmail.com[103.168.172.45] said: "
	     "535 5.7.8 Error: authentication failed: authentication failure)");
	feed(fx, 600, "postfix/smtp[104]: 8D8D8D8D8D: to=<bob@example.net>, relay=none, delay=601, "
	     "delays=600/0/1/0, dsn=4.7.8, status=deferred (delivery temporarily suspended: "
	     "SASL authentication failed; server smtp.fastmail.com[103.168.172.45] said: 535 5.7.8 no)");
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->nrcpt, 1);
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_int_equal(g->nfinds, 1);
	assert_string_equal(g->finds[0], "sasl.auth_failed");
}

/* A "postfix-N" instance name with the same low 12 hash bits as
 * "postfix": the per-process table is indexed by them. */
static const char *
colliding_instance(char *buf, size_t size)
{
	uint64_t want = hash_bytes("postfix", 7, 0) & 0xfff;
	int n;

	for (n = 0; n < 1000000; n++) {
		snprintf(buf, size, "postfix-%d", n);
		if ((hash_bytes(buf, strlen(buf), 0) & 0xfff) == want)
			return buf;
	}
	fail_msg("no colliding instance name found");
	return NULL;
}

static void
test_qidless_line_attaches_to_same_process(void **state)
{
	struct fx *fx = *state;
	char inst[32];

	/* smtp pid 200 of instance "postfix" cannot pick a SASL mechanism */
	feed(fx, 0, "postfix/smtp[200]: warning: SASL authentication failure: No worthy mechs found");
	/* same pid, other instance: not that process */
	feed(fx, 1, "postfix-out/smtp[200]: B00000000001: to=<r1@example.net>, relay=r[192.0.2.9]:25, "
	     "status=sent (250 ok)");
	feed(fx, 1, "postfix-out/qmgr[51]: B00000000001: removed");
	/* same pid, an instance whose name hashes to the same process slot
	 * as "postfix" (so only the instance comparison tells them apart) */
	feed(fx, 1, "%s/smtp[200]: B00000000005: to=<r5@example.net>, relay=r[192.0.2.9]:25, "
	     "status=sent (250 ok)", colliding_instance(inst, sizeof(inst)));
	feed(fx, 1, "%s/qmgr[52]: B00000000005: removed", inst);
	/* same instance, other pid */
	feed(fx, 2, "postfix/smtp[201]: B00000000002: to=<r2@example.net>, relay=r[192.0.2.9]:25, "
	     "status=sent (250 ok)");
	feed(fx, 2, "postfix/qmgr[50]: B00000000002: removed");
	/* the next delivery of postfix/smtp[200] */
	feed(fx, 3, "postfix/smtp[200]: B00000000003: to=<r3@example.net>, relay=r[192.0.2.9]:25, "
	     "status=sent (250 ok)");
	feed(fx, 3, "postfix/qmgr[50]: B00000000003: removed");
	/* the pending finding was consumed by that delivery */
	feed(fx, 4, "postfix/smtp[200]: B00000000004: to=<r4@example.net>, relay=r[192.0.2.9]:25, "
	     "status=sent (250 ok)");
	feed(fx, 4, "postfix/qmgr[50]: B00000000004: removed");

	assert_int_equal(fx->nmsgs, 5);
	assert_int_equal(find_msg(fx, "postfix-out", "B00000000001")->nfinds, 0);
	assert_int_equal(find_msg(fx, inst, "B00000000005")->nfinds, 0);
	assert_int_equal(find_msg(fx, "postfix", "B00000000002")->nfinds, 0);
	assert_int_equal(find_msg(fx, "postfix", "B00000000003")->nfinds, 1);
	assert_string_equal(find_msg(fx, "postfix", "B00000000003")->finds[0], "sasl.no_mechanism");
	assert_int_equal(find_msg(fx, "postfix", "B00000000004")->nfinds, 0);
	/* the finding itself lists the affected queue ID */
	assert_int_equal(fx->pl.diag.n, 1);
	assert_string_equal(fx->pl.diag.f[0]->def->id, "sasl.no_mechanism");
	assert_int_equal(fx->pl.diag.f[0]->count, 1);
	assert_int_equal(fx->pl.diag.f[0]->nqids, 1);
	assert_string_equal(fx->pl.diag.f[0]->qids[0], "B00000000003");
}

static void
test_same_qid_two_instances(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/qmgr[50]: C1C1C1C1C1: from=<a@example.com>, size=10, nrcpt=1 (queue active)");
	feed(fx, 0, "postfix-out/qmgr[60]: C1C1C1C1C1: from=<b@example.com>, size=20, nrcpt=1 (queue active)");
	assert_int_equal(fx->pl.corr.nmsgs, 2);
	feed(fx, 1, "postfix/smtp[1]: C1C1C1C1C1: to=<r@example.net>, relay=r[192.0.2.9]:25, status=sent (250 ok)");
	feed(fx, 1, "postfix-out/smtp[2]: C1C1C1C1C1: to=<s@example.net>, relay=none, "
	     "status=deferred (connect to s.example.net[192.0.2.10]:25: Connection refused)");
	feed(fx, 2, "postfix/qmgr[50]: C1C1C1C1C1: removed");
	assert_int_equal(fx->nmsgs, 1);
	assert_int_equal(fx->pl.corr.nmsgs, 1);
	g = &fx->msgs[0];
	assert_string_equal(g->inst, "postfix");
	assert_string_equal(g->from, "a@example.com");
	assert_int_equal(g->size, 10);
	assert_int_equal(g->nrcpt, 1);
	assert_string_equal(g->rcpt[0].to, "r@example.net");
	assert_int_equal(g->outcome, DS_SENT);

	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 2);
	g = find_msg(fx, "postfix-out", "C1C1C1C1C1");
	assert_string_equal(g->from, "b@example.com");
	assert_int_equal(g->size, 20);
	assert_int_equal(g->nrcpt, 1);
	assert_string_equal(g->rcpt[0].to, "s@example.net");
	assert_int_equal(g->outcome, DS_DEFERRED);
	assert_int_equal(g->removed, 0);
}

/* Value of key in the first fact called name of a recipient; NULL if
 * absent. */
static const char *
fact_value(const struct got_rcpt *r, const char *name, const char *key, char *buf, size_t size)
{
	int i, k;

	for (i = 0; i < r->nfacts; i++) {
		if (strcmp(r->fact[i].name, name) != 0)
			continue;
		for (k = 0; k < r->fact[i].nkv; k++)
			if (strcmp(r->fact[i].key[k], key) == 0) {
				snprintf(buf, size, "%s", r->fact[i].value[k]);
				return buf;
			}
	}
	return NULL;
}

static void
test_tls_fact(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	char buf[128];

	feed(fx, 0, "postfix/smtp[300]: Trusted TLS connection established to h[1.2.3.4]:587: "
	     "TLSv1.3 with cipher X (256/256 bits)");
	feed(fx, 1, "postfix/smtp[300]: D1D1D1D1D1: to=<a@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 1, "postfix/smtp[301]: D2D2D2D2D2: to=<c@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 2, "postfix/qmgr[50]: D1D1D1D1D1: removed");
	feed(fx, 2, "postfix/qmgr[50]: D2D2D2D2D2: removed");
	assert_int_equal(fx->nmsgs, 2);

	g = find_msg(fx, "postfix", "D1D1D1D1D1");
	assert_int_equal(g->nrcpt, 1);
	assert_int_equal(g->rcpt[0].has_facts, 1);
	/* one fact, "tls" */
	assert_int_equal(g->rcpt[0].nfacts, 1);
	assert_string_equal(g->rcpt[0].fact[0].name, "tls");
	assert_non_null(fact_value(&g->rcpt[0], "tls", "trust", buf, sizeof(buf)));
	assert_string_equal(buf, "Trusted");
	assert_non_null(fact_value(&g->rcpt[0], "tls", "peer", buf, sizeof(buf)));
	assert_string_equal(buf, "h[1.2.3.4]:587");
	assert_non_null(fact_value(&g->rcpt[0], "tls", "protocol", buf, sizeof(buf)));
	assert_string_equal(buf, "TLSv1.3");
	assert_non_null(fact_value(&g->rcpt[0], "tls", "cipher", buf, sizeof(buf)));
	assert_string_equal(buf, "X");
	assert_null(fact_value(&g->rcpt[0], "tls", "nosuchkey", buf, sizeof(buf)));
	/* a TLS line is a fact, not a finding */
	assert_int_equal(g->nfinds, 0);

	/* another process' delivery has no TLS facts */
	g = find_msg(fx, "postfix", "D2D2D2D2D2");
	assert_int_equal(g->rcpt[0].has_facts, 0);
}

static void
test_tls_fact_sessions(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	char buf[128];

	feed(fx, 0, "postfix/smtp[300]: Trusted TLS connection established to h[1.2.3.4]:587: "
	     "TLSv1.3 with cipher X (256/256 bits)");
	/* two recipients of one message in the same session */
	feed(fx, 1, "postfix/smtp[300]: D1D1D1D1D1: to=<a@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 1, "postfix/smtp[300]: D1D1D1D1D1: to=<b@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	/* the next message over the cached connection (conn_use=2) */
	feed(fx, 2, "postfix/smtp[300]: D3D3D3D3D3: to=<c@example.net>, relay=h[1.2.3.4]:587, "
	     "conn_use=2, delay=1, delays=0/0/0/0.5, dsn=2.0.0, status=sent (250 ok)");
	/* a new session without a TLS summary line: no facts */
	feed(fx, 3, "postfix/smtp[300]: D4D4D4D4D4: to=<d@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	/* a new session with its own summary: only the new facts */
	feed(fx, 4, "postfix/smtp[300]: Untrusted TLS connection established to h2[5.6.7.8]:25: "
	     "TLSv1.2 with cipher Y (128/128 bits)");
	feed(fx, 5, "postfix/smtp[300]: D5D5D5D5D5: to=<e@example.net>, relay=h2[5.6.7.8]:25, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	/* a deferral with a session, then error(8) (a process that logged
	 * nothing before): the latest attempt had no session */
	feed(fx, 6, "postfix/smtp[300]: Trusted TLS connection established to h[1.2.3.4]:587: "
	     "TLSv1.3 with cipher X (256/256 bits)");
	feed(fx, 6, "postfix/smtp[300]: D6D6D6D6D6: to=<f@example.net>, relay=h[1.2.3.4]:587, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=4.4.2, status=deferred (lost connection with h[1.2.3.4] "
	     "while sending RCPT TO)");
	feed(fx, 7, "postfix/error[301]: D6D6D6D6D6: to=<f@example.net>, relay=none, delay=9, "
	     "delays=9/0/0/0, dsn=4.4.2, status=deferred (delivery temporarily suspended: lost "
	     "connection with h[1.2.3.4] while sending RCPT TO)");
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 5);

	g = find_msg(fx, "postfix", "D6D6D6D6D6");
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_int_equal(g->rcpt[0].has_facts, 0);

	g = find_msg(fx, "postfix", "D1D1D1D1D1");
	assert_int_equal(g->nrcpt, 2);
	assert_int_equal(g->rcpt[0].has_facts, 1);
	assert_int_equal(g->rcpt[1].has_facts, 1);
	assert_string_equal(g->rcpt[0].facts, g->rcpt[1].facts);
	assert_non_null(fact_value(&g->rcpt[1], "tls", "trust", buf, sizeof(buf)));
	assert_string_equal(buf, "Trusted");

	g = find_msg(fx, "postfix", "D3D3D3D3D3");
	assert_int_equal(g->rcpt[0].has_facts, 1);
	assert_non_null(fact_value(&g->rcpt[0], "tls", "peer", buf, sizeof(buf)));
	assert_string_equal(buf, "h[1.2.3.4]:587");

	g = find_msg(fx, "postfix", "D4D4D4D4D4");
	assert_int_equal(g->rcpt[0].has_facts, 0);

	g = find_msg(fx, "postfix", "D5D5D5D5D5");
	assert_int_equal(g->rcpt[0].has_facts, 1);
	/* exactly one fact record */
	assert_int_equal(g->rcpt[0].nfacts, 1);
	assert_non_null(fact_value(&g->rcpt[0], "tls", "trust", buf, sizeof(buf)));
	assert_string_equal(buf, "Untrusted");
	assert_non_null(fact_value(&g->rcpt[0], "tls", "protocol", buf, sizeof(buf)));
	assert_string_equal(buf, "TLSv1.2");
	/* the untrusted connection is also a finding of that delivery */
	assert_true(has_finding(g, "tls.untrusted_server_cert"));
}

static void
test_fallback_only_without_other_finding(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	/* a pending finding of the process reaches the message first, so the
	 * generic "deferred" fallback is not added */
	feed(fx, 0, "postfix/smtp[200]: warning: SASL authentication failure: No worthy mechs found");
	feed(fx, 1, "postfix/smtp[200]: 9E9E9E9E9E: to=<r@example.net>, relay=r[192.0.2.9]:587, delay=1, "
	     "delays=0/0/1/0, dsn=4.7.0, status=deferred (connect to r[192.0.2.9]:587: lost connection)");
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->outcome, DS_DEFERRED);
	assert_int_equal(g->nfinds, 1);
	assert_string_equal(g->finds[0], "sasl.no_mechanism");
}

static void
test_cleanup_reject_and_hold(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	/* header_checks REJECT: the message ends right there */
	feed(fx, 0, "postfix/smtpd[10]: A1A1A1A1A1: client=localhost[127.0.0.1]");
	feed(fx, 0, "postfix/cleanup[11]: A1A1A1A1A1: reject: header Subject: Win big from "
	     "localhost[127.0.0.1]; from=<news@example.com> to=<c@example.org> proto=ESMTP "
	     "helo=<web>: 5.7.1 Message content rejected");
	assert_int_equal(fx->nmsgs, 1);	/* emitted at once, not at end of input */
	g = &fx->msgs[0];
	assert_int_equal(g->outcome, DS_REJECTED);
	assert_int_equal(g->removed, 1);
	assert_string_equal(g->from, "news@example.com");
	assert_true(has_finding(g, "delivery.content_rejected"));
	/* sendmail/pickup mail is bounced after the reject: cleanup logs the
	 * recipient as bounced, bounce(8) the notification; still one message */
	feed(fx, 2, "postfix/pickup[12]: C3C3C3C3C3: uid=0 from=<root>");
	feed(fx, 2, "postfix/cleanup[11]: C3C3C3C3C3: message-id=<x@web>");
	feed(fx, 2, "postfix/cleanup[11]: C3C3C3C3C3: reject: header Date: Mon, 23 Nov 2026 from "
	     "local; from=<root@web.example.com> to=<s@example.org>: 5.7.1 no");
	feed(fx, 2, "postfix/cleanup[11]: C3C3C3C3C3: to=<s@example.org>, relay=none, delay=0.01, "
	     "delays=0.01/0/0/0, dsn=5.7.1, status=bounced (no)");
	assert_int_equal(fx->nmsgs, 1);
	feed(fx, 2, "postfix/bounce[13]: C3C3C3C3C3: sender non-delivery notification: D4D4D4D4D4");
	assert_int_equal(fx->nmsgs, 2);
	g = find_msg(fx, "postfix", "C3C3C3C3C3");
	assert_int_equal(g->outcome, DS_BOUNCED);
	assert_int_equal(g->removed, 1);
	assert_int_equal(g->nfinds, 1);	/* the rule, no bounced fallback */
	assert_true(has_finding(g, "delivery.content_rejected"));
	/* HOLD: waits in the hold queue */
	feed(fx, 1, "postfix/pickup[12]: B2B2B2B2B2: uid=33 from=<www-data>");
	feed(fx, 1, "postfix/cleanup[11]: B2B2B2B2B2: hold: header X-Mailer: bulk from local; "
	     "from=<www-data@web.example.com> to=<j@example.net>: Message content held");
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 4);	/* with the notification D4D4D4D4D4 */
	g = find_msg(fx, "postfix", "B2B2B2B2B2");
	assert_int_equal(g->outcome, DS_HELD);
	assert_int_equal(g->removed, 0);
	assert_string_equal(g->from, "www-data");
	assert_true(has_finding(g, "delivery.content_rejected"));
	assert_string_equal(dstatus_name(DS_REJECTED), "rejected");
	assert_string_equal(dstatus_name(DS_HELD), "held");
}

static void
test_recipient_limit(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	int i;

	feed(fx, 0, "postfix/qmgr[50]: 9F9F9F9F9F: from=<list@example.com>, size=5, nrcpt=300 (queue active)");
	for (i = 0; i < 300; i++)
		feed(fx, 1, "postfix/smtp[51]: 9F9F9F9F9F: to=<user%03d@example.net>, relay=r[192.0.2.9]:25, "
		     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)", i);
	/* the first recipient again: found, not added */
	feed(fx, 2, "postfix/smtp[51]: 9F9F9F9F9F: to=<user000@example.net>, relay=r[192.0.2.9]:25, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	/* a recipient beyond the limit again: counted once */
	feed(fx, 2, "postfix/smtp[51]: 9F9F9F9F9F: to=<user299@example.net>, relay=r[192.0.2.9]:25, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 2, "postfix/qmgr[50]: 9F9F9F9F9F: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->nrcpt, CORR_MAX_RCPTS);
	assert_int_equal(g->rcpt_dropped, 300 - CORR_MAX_RCPTS);
	assert_string_equal(g->rcpt[0].to, "user000@example.net");
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_string_equal(g->rcpt[3].to, "user003@example.net");
	assert_int_equal(g->outcome, DS_SENT);
	assert_int_equal(fx->pl.corr.stats.recipients, 300);
}

static void
test_bounce_link(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *parent, *child;

	feed(fx, 0, "postfix/qmgr[50]: A1B2C3D4E5: from=<sender@example.com>, size=100, nrcpt=1 (queue active)");
	feed(fx, 1, "postfix/smtp[51]: A1B2C3D4E5: to=<nobody@example.net>, relay=r[192.0.2.9]:25, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host r[192.0.2.9] said: 550 5.1.1 "
	     "<nobody@example.net>: Recipient address rejected (in reply to RCPT TO command))");
	feed(fx, 1, "postfix/cleanup[52]: F6A7B8C9D0: message-id=<20261123120001.F6A7B8C9D0@mx1.example.com>");
	feed(fx, 1, "postfix/bounce[1]: A1B2C3D4E5: sender non-delivery notification: F6A7B8C9D0");
	feed(fx, 1, "postfix/qmgr[50]: A1B2C3D4E5: removed");
	feed(fx, 2, "postfix/qmgr[50]: F6A7B8C9D0: from=<>, size=2000, nrcpt=1 (queue active)");
	feed(fx, 3, "postfix/smtp[51]: F6A7B8C9D0: to=<sender@example.com>, relay=local, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 3, "postfix/qmgr[50]: F6A7B8C9D0: removed");
	assert_int_equal(fx->nmsgs, 2);

	parent = find_msg(fx, "postfix", "A1B2C3D4E5");
	assert_int_equal(parent->outcome, DS_BOUNCED);
	assert_int_equal(parent->nchildren, 1);
	assert_string_equal(parent->children[0], "F6A7B8C9D0");
	assert_string_equal(parent->parent, "");
	assert_true(has_finding(parent, "recipient.unknown_user"));

	child = find_msg(fx, "postfix", "F6A7B8C9D0");
	assert_string_equal(child->parent, "A1B2C3D4E5");
	assert_int_equal(child->origin, ORIGIN_BOUNCE);
	assert_int_equal(child->outcome, DS_SENT);
	assert_string_equal(child->msgid, "<20261123120001.F6A7B8C9D0@mx1.example.com>");
	assert_string_equal(child->from, "");
	assert_int_equal(child->nchildren, 0);
	assert_int_equal(fx->pl.corr.stats.bounced, 1);
	assert_int_equal(fx->pl.corr.stats.sent, 1);
}

static void
test_expired(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/qmgr[50]: E0E0E0E0E0: from=<a@example.com>, size=5, nrcpt=1 (queue active)");
	feed(fx, 1, "postfix/smtp[51]: E0E0E0E0E0: to=<r@example.net>, relay=none, delay=1, "
	     "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to example.net[192.0.2.1]:25: Connection refused)");
	feed(fx, 432000, "postfix/qmgr[50]: E0E0E0E0E0: from=<a@example.com>, status=expired, returned to sender");
	feed(fx, 432000, "postfix/qmgr[50]: E0E0E0E0E0: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->expired, 1);
	assert_int_equal(g->removed, 1);
	assert_int_equal(g->outcome, DS_EXPIRED);
	assert_true(has_finding(g, "delivery.expired"));
	assert_int_equal(fx->pl.corr.stats.expired, 1);
}

static void
test_retry_then_sent(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/qmgr[50]: E1E1E1E1E1: from=<a@example.com>, size=5, nrcpt=1 (queue active)");
	feed(fx, 1, "postfix/smtp[400]: E1E1E1E1E1: to=<r@example.net>, relay=none, delay=1, "
	     "delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to example.net[192.0.2.1]:25: Connection refused)");
	feed(fx, 300, "postfix/qmgr[50]: E1E1E1E1E1: from=<a@example.com>, size=5, nrcpt=1 (queue active)");
	feed(fx, 301, "postfix/smtp[401]: E1E1E1E1E1: to=<r@example.net>, relay=example.net[192.0.2.1]:25, "
	     "delay=301, delays=300/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 ok)");
	assert_int_equal(fx->nmsgs, 0);
	feed(fx, 301, "postfix/qmgr[50]: E1E1E1E1E1: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->nrcpt, 1);
	assert_string_equal(g->rcpt[0].to, "r@example.net");
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_int_equal(g->rcpt[0].status, DS_SENT);
	assert_string_equal(g->rcpt[0].relay, "example.net[192.0.2.1]:25");
	assert_string_equal(g->rcpt[0].reason, "250 2.0.0 ok");
	assert_string_equal(g->rcpt[0].dsn, "2.0.0");
	assert_int_equal(g->attempts, 2);
	assert_int_equal(g->outcome, DS_SENT);
	assert_int_equal(fx->pl.corr.stats.sent, 1);
	assert_int_equal(fx->pl.corr.stats.deferred, 0);
}

static void
test_many_retries_keep_latest_reason(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	char pad[301];
	int i;

	/* five days of retries of a message to two recipients, each
	 * attempt with a long deferral reason: the report must show the
	 * latest reason and relay of each recipient */
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	feed(fx, 0, "postfix/qmgr[50]: 9B9B9B9B9B: from=<a@example.com>, size=5, nrcpt=2 (queue active)");
	for (i = 0; i < 120; i++) {
		feed(fx, i * 3600, "postfix/smtp[51]: 9B9B9B9B9B: to=<r1@example.net>, relay=mx%d.example.net[192.0.2.1]:25, "
		     "delay=%d, delays=0/0/1/0, dsn=4.0.0, status=deferred (host mx%d.example.net[192.0.2.1] said: "
		     "451 4.3.0 attempt %d %s (in reply to RCPT TO command))", i, i * 3600, i, i, pad);
		feed(fx, i * 3600, "postfix/smtp[51]: 9B9B9B9B9B: to=<r2@example.net>, relay=mx%d.example.net[192.0.2.1]:25, "
		     "delay=%d, delays=0/0/1/0, dsn=4.0.0, status=deferred (host mx%d.example.net[192.0.2.1] said: "
		     "451 4.3.0 attempt %d %s (in reply to RCPT TO command))", i, i * 3600, i, i, pad);
	}
	feed(fx, 432000, "postfix/smtp[51]: 9B9B9B9B9B: to=<r1@example.net>, relay=final.example.net[192.0.2.2]:25, "
	     "delay=432000, delays=0/0/1/0, dsn=2.0.0, status=sent (250 2.0.0 final)");
	feed(fx, 432000, "postfix/smtp[51]: 9B9B9B9B9B: to=<r2@example.net>, relay=final.example.net[192.0.2.2]:25, "
	     "delay=432000, delays=0/0/1/0, dsn=2.0.0, status=sent (250 2.0.0 final)");
	feed(fx, 432000, "postfix/qmgr[50]: 9B9B9B9B9B: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = &fx->msgs[0];
	assert_int_equal(g->nrcpt, 2);
	assert_int_equal(g->outcome, DS_SENT);
	for (i = 0; i < 2; i++) {
		assert_int_equal(g->rcpt[i].attempts, 121);
		assert_int_equal(g->rcpt[i].status, DS_SENT);
		assert_string_equal(g->rcpt[i].reason, "250 2.0.0 final");
		assert_string_equal(g->rcpt[i].relay, "final.example.net[192.0.2.2]:25");
		assert_string_equal(g->rcpt[i].dsn, "2.0.0");
	}
}

static void
test_eviction_when_full(void **state)
{
	struct fx *fx = *state;
	int i, over = 0;
	size_t k, evicted = 0;

	fx->pl.corr.max_msgs = 100;
	for (i = 0; i < 1000; i++) {
		feed(fx, i, "postfix/cleanup[7]: %010X: message-id=<%d@mx1.example.com>", (unsigned)i + 0xA00000u, i);
		if (fx->pl.corr.nmsgs > 100)
			over++;
	}
	assert_int_equal(over, 0);
	assert_int_equal(fx->pl.corr.nmsgs, 100);
	assert_int_equal(fx->pl.corr.stats.evicted, 900);
	assert_int_equal(fx->pl.corr.stats.stale, 0);
	assert_int_equal(fx->nmsgs, 900);
	/* least recently active first */
	assert_string_equal(fx->msgs[0].qid, "0000A00000");
	assert_string_equal(fx->msgs[899].qid, "0000A00383");
	for (k = 0; k < fx->nmsgs; k++)
		evicted += fx->msgs[k].evicted == 1 && fx->msgs[k].removed == 0;
	assert_int_equal(evicted, 900);

	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 1000);
	assert_int_equal(fx->pl.corr.nmsgs, 0);
	assert_int_equal(fx->msgs[999].evicted, 0);
	assert_int_equal(fx->pl.corr.stats.messages, 1000);
	assert_int_equal(fx->pl.corr.stats.queued, 1000);
}

static void
test_lru_touch(void **state)
{
	struct fx *fx = *state;

	/* activity moves a message to the back of the eviction order */
	fx->pl.corr.max_msgs = 2;
	feed(fx, 0, "postfix/cleanup[7]: AAAAAA0001: message-id=<1@x>");
	feed(fx, 1, "postfix/cleanup[7]: AAAAAA0002: message-id=<2@x>");
	feed(fx, 2, "postfix/qmgr[8]: AAAAAA0001: from=<a@x>, size=1, nrcpt=1 (queue active)");
	feed(fx, 3, "postfix/cleanup[7]: AAAAAA0003: message-id=<3@x>");
	assert_int_equal(fx->nmsgs, 1);
	assert_string_equal(fx->msgs[0].qid, "AAAAAA0002");
	assert_int_equal(fx->msgs[0].evicted, 1);
}

static void
test_stale_eviction(void **state)
{
	struct fx *fx = *state;

	fx->pl.corr.stale_secs = 3600;
	feed(fx, 0, "postfix/cleanup[7]: 9A9A9A9A01: message-id=<1@x>");
	feed(fx, 100, "postfix/cleanup[7]: 9A9A9A9A02: message-id=<2@x>");
	/* 3000 s idle is not stale yet */
	feed(fx, 3000, "postfix/qmgr[8]: 9A9A9A9A02: from=<a@x>, size=1, nrcpt=1 (queue active)");
	assert_int_equal(fx->nmsgs, 0);
	/* a new message 5000 s after the first message's last activity: the
	 * first is stale and goes; the second, created 4900 s ago but active
	 * 2000 s ago, stays: idle time counts, not age */
	feed(fx, 5000, "postfix/cleanup[7]: 9A9A9A9A03: message-id=<3@x>");
	assert_int_equal(fx->nmsgs, 1);
	assert_string_equal(fx->msgs[0].qid, "9A9A9A9A01");
	assert_int_equal(fx->msgs[0].evicted, 1);
	assert_int_equal(fx->msgs[0].removed, 0);
	assert_int_equal(fx->pl.corr.stats.stale, 1);
	assert_int_equal(fx->pl.corr.stats.evicted, 0);
	assert_int_equal(fx->pl.corr.nmsgs, 2);
	/* lines of existing messages do not evict anything */
	feed(fx, 20000, "postfix/qmgr[8]: 9A9A9A9A02: from=<a@x>, size=1, nrcpt=1");
	assert_int_equal(fx->nmsgs, 1);
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 3);
}

static void
test_non_postfix_and_unknown_lines(void **state)
{
	struct fx *fx = *state;
	struct line ln;
	static const char junk[] = "complete garbage";

	feed(fx, 0, "CRON[123]: (root) CMD (true)");
	feed(fx, 0, "postfix/smtp[1]: connect to x[192.0.2.1]:25: Connection refused");
	memset(&ln, 0, sizeof(ln));
	ln.p = junk;
	ln.len = sizeof(junk) - 1;
	ln.lineno = 3;
	ln.truncated = 1;
	pipeline_line(&fx->pl, &ln, 0);
	assert_int_equal(fx->pl.stats.lines, 3);
	assert_int_equal(fx->pl.stats.non_postfix, 1);
	assert_int_equal(fx->pl.stats.postfix, 1);
	assert_int_equal(fx->pl.stats.unknown_format, 1);
	assert_int_equal(fx->pl.stats.truncated, 1);
	assert_int_equal(fx->pl.corr.nmsgs, 0);
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->nmsgs, 0);
}

/* Facts of a session to one peer never land on a delivery to another. */
static void
test_tls_fact_other_peer(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	char buf[128];

	feed(fx, 0, "postfix/smtp[400]: Verified TLS connection established to mx.a[192.0.2.1]:25: "
	     "TLSv1.3 with cipher X (256/256 bits)");
	feed(fx, 1, "postfix/smtp[400]: E1E1E1E1E1: to=<x@a.example>, relay=mx.a[192.0.2.1]:25, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 2, "postfix/smtp[400]: E1E1E1E1E1: to=<y@b.example>, relay=mx.b[192.0.2.2]:25, "
	     "delay=1, delays=0/0/0.5/0, dsn=4.4.2, status=deferred (lost connection with "
	     "mx.b[192.0.2.2] while receiving the initial server greeting)");
	/* multi-MX: a failed first session, then a verified second one */
	feed(fx, 3, "postfix/smtp[401]: Untrusted TLS connection established to mx1.c[192.0.2.3]:25: "
	     "TLSv1.2 with cipher Y (128/128 bits)");
	feed(fx, 3, "postfix/smtp[401]: E2E2E2E2E2: lost connection with mx1.c[192.0.2.3] while "
	     "sending MAIL FROM");
	feed(fx, 4, "postfix/smtp[401]: Verified TLS connection established to mx2.c[192.0.2.4]:25: "
	     "TLSv1.3 with cipher Z (256/256 bits)");
	feed(fx, 4, "postfix/smtp[401]: E2E2E2E2E2: to=<z@c.example>, relay=mx2.c[192.0.2.4]:25, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	pipeline_finish(&fx->pl);
	g = find_msg(fx, "postfix", "E1E1E1E1E1");
	assert_int_equal(g->rcpt[0].has_facts, 1);
	assert_int_equal(g->rcpt[1].has_facts, 0);
	g = find_msg(fx, "postfix", "E2E2E2E2E2");
	assert_int_equal(g->rcpt[0].has_facts, 1);
	/* exactly one "tls" record, the second session's */
	assert_int_equal(g->rcpt[0].nfacts, 1);
	assert_non_null(fact_value(&g->rcpt[0], "tls", "trust", buf, sizeof(buf)));
	assert_string_equal(buf, "Verified");
}

/* A finding left by a process that died, or long ago, does not attach to
 * a later process that reuses the pid. */
static void
test_pending_does_not_outlive_process(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	feed(fx, 0, "postfix/smtp[500]: warning: SASL authentication failure: No worthy mechs found");
	feed(fx, 1, "postfix/smtp[500]: fatal: no SASL authentication mechanisms");
	feed(fx, 2, "postfix/smtp[500]: F1F1F1F1F1: to=<a@example.net>, relay=h[192.0.2.9]:587, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 10, "postfix/smtp[501]: warning: SASL authentication failure: No worthy mechs found");
	feed(fx, 10 + 3 * 86400, "postfix/smtp[501]: F2F2F2F2F2: to=<b@example.net>, relay=h[192.0.2.9]:587, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	pipeline_finish(&fx->pl);
	g = find_msg(fx, "postfix", "F1F1F1F1F1");
	assert_int_equal(g->nfinds, 0);
	g = find_msg(fx, "postfix", "F2F2F2F2F2");
	assert_int_equal(g->nfinds, 0);
}

/* NUL bytes in a record are read as '?', like Postfix's printable(). */
static void
test_nul_bytes_in_fields(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;
	static const char raw[] = "2026-11-23T10:00:00Z mx1 postfix/smtp[600]: A9A9A9A9A9: "
	    "to=<a\0b@example.net>, relay=h[192.0.2.9]:587, delay=1, delays=0/0/0.5/0.5, "
	    "dsn=4.0.0, status=deferred (x\0y)";
	struct line ln;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&ln, 0, sizeof(ln));
		ln.p = raw;
		ln.len = sizeof(raw) - 1;
		ln.lineno = ++fx->lineno;
		pipeline_line(&fx->pl, &ln, 0);
	}
	pipeline_finish(&fx->pl);
	g = find_msg(fx, "postfix", "A9A9A9A9A9");
	assert_int_equal(g->nrcpt, 1);		/* the retry is the same recipient */
	assert_string_equal(g->rcpt[0].to, "a?b@example.net");
	assert_string_equal(g->rcpt[0].reason, "x?y");
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_int_equal(fx->pl.stats.with_nul, 2);
}

/* The clock: messages begun at the given times (offsets from T0, idle
 * since; no arrival makes another one stale), a tick at T0 + tick: which
 * are handed over as stale. */
static const struct tick_case {
	const char *name;
	int64_t stale;		/* corr_set_limits stale time */
	int64_t t[4];		/* message-id lines of M0..M3 (-1: none) */
	int64_t tick;
	const char *emitted;	/* qids handed over, in order, "," separated */
	int64_t tick2;		/* a second tick (0: none) */
	const char *emitted2;	/* all handed over after it */
} tick_cases[] = {
	{ "nothing due", 3600, { 0, 10, 20, -1 }, 3600, "", 0, "" },
	{ "exactly stale is not stale", 3600, { 0, -1, -1, -1 }, 3600, "", 3601, "7C0000A0" },
	{ "oldest first, up to the first fresh one", 3600, { 0, 100, 3000, -1 }, 3750,
	  "7C0000A0,7C0000A1", 0, "" },
	{ "all of them", 60, { 0, 1, 2, 3 }, 1000, "7C0000A0,7C0000A1,7C0000A2,7C0000A3", 0, "" },
	{ "time does not go back", 60, { 0, 30, -1, -1 }, 61, "7C0000A0", 50,
	  "7C0000A0" },
	{ "default stale time (8 days)", 0, { 0, -1, -1, -1 }, 8 * 86400, "", 8 * 86400 + 1,
	  "7C0000A0" },
};

static void
emitted_list(const struct fx *fx, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < fx->nmsgs && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "", fx->msgs[i].qid);
}

static void
test_tick(void **state)
{
	struct fx *fx = *state;
	size_t k, i, nstale;
	char got[256];

	for (k = 0; k < sizeof(tick_cases) / sizeof(tick_cases[0]); k++) {
		const struct tick_case *tc = &tick_cases[k];

		teardown(state);
		assert_int_equal(setup(state), 0);
		fx = *state;
		corr_set_limits(&fx->pl.corr, 0, tc->stale);
		for (i = 0; i < 4; i++)
			if (tc->t[i] >= 0)
				feed(fx, tc->t[i], "postfix/cleanup[7]: 7C0000A%zu: message-id=<%zu@x>", i, i);
		assert_int_equal(fx->nmsgs, 0);
		corr_tick(&fx->pl.corr, T0 + tc->tick);
		emitted_list(fx, got, sizeof(got));
		if (strcmp(got, tc->emitted) != 0)
			fail_msg("%s: tick at +%lld handed over \"%s\", want \"%s\"", tc->name,
				 (long long)tc->tick, got, tc->emitted);
		if (tc->tick2 != 0) {
			corr_tick(&fx->pl.corr, T0 + tc->tick2);
			emitted_list(fx, got, sizeof(got));
			if (strcmp(got, tc->emitted2) != 0)
				fail_msg("%s: second tick at +%lld: \"%s\", want \"%s\"", tc->name,
					 (long long)tc->tick2, got, tc->emitted2);
		}
		for (i = 0, nstale = 0; i < fx->nmsgs; i++) {
			assert_int_equal(fx->msgs[i].evicted, 1);
			assert_int_equal(fx->msgs[i].removed, 0);
			nstale++;
		}
		assert_int_equal(fx->pl.corr.stats.stale, nstale);
		assert_int_equal(fx->pl.corr.stats.evicted, 0);
		assert_int_equal(fx->pl.corr.stats.messages, nstale);
	}
}

/* Pending process state older than CORR_PROC_IDLE goes at a tick: facts
 * of a session an hour ago do not reach a delivery after the same
 * process logged something new (without a tick they would). */
static void
test_tick_drops_process_state(void **state)
{
	static const struct {
		int tick;		/* tick between the TLS line and the warning */
		int has_facts;		/* the delivery has the old session's facts */
	} cases[] = { { 0, 1 }, { 1, 0 } };
	struct fx *fx;
	const struct got_msg *g;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		teardown(state);
		assert_int_equal(setup(state), 0);
		fx = *state;
		feed(fx, 0, "postfix/smtp[700]: Trusted TLS connection established to h[1.2.3.4]:587: "
		     "TLSv1.3 with cipher X (256/256 bits)");
		if (cases[k].tick)
			corr_tick(&fx->pl.corr, T0 + CORR_PROC_IDLE + 1);
		feed(fx, CORR_PROC_IDLE + 2, "postfix/smtp[700]: warning: SASL authentication failure: "
		     "No worthy mechs found");
		feed(fx, CORR_PROC_IDLE + 3, "postfix/smtp[700]: B7B7B7B7B7: to=<a@example.net>, "
		     "relay=h[1.2.3.4]:587, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
		pipeline_finish(&fx->pl);
		g = find_msg(fx, "postfix", "B7B7B7B7B7");
		assert_int_equal(g->rcpt[0].has_facts, cases[k].has_facts);
		/* the new warning reached the delivery either way */
		assert_int_equal(g->nfinds, 1);
	}
	/* a tick with nothing due is cheap and changes nothing */
	corr_tick(&fx->pl.corr, T0 + 10 * CORR_PROC_IDLE);
	assert_int_equal(fx->pl.corr.proc_due, INT64_MAX);
}

/* corr_set_limits: a smaller table evicts at once, least recently active
 * first; later arrivals keep it at the limit. */
static void
test_set_limits(void **state)
{
	struct fx *fx = *state;
	int i;

	for (i = 0; i < 10; i++)
		feed(fx, i, "postfix/cleanup[7]: 5E00000%03d: message-id=<%d@x>", i, i);
	corr_set_limits(&fx->pl.corr, 4, 0);
	assert_int_equal(fx->pl.corr.max_msgs, 4);
	assert_int_equal(fx->pl.corr.stale_secs, CORR_STALE_SECS);
	assert_int_equal(fx->pl.corr.nmsgs, 4);
	assert_int_equal(fx->nmsgs, 6);
	assert_string_equal(fx->msgs[0].qid, "5E00000000");
	assert_string_equal(fx->msgs[5].qid, "5E00000005");
	assert_int_equal(fx->pl.corr.stats.evicted, 6);
	feed(fx, 20, "postfix/cleanup[7]: 5E00000020: message-id=<20@x>");
	assert_int_equal(fx->pl.corr.nmsgs, 4);
	assert_int_equal(fx->pl.corr.stats.evicted, 7);
	corr_set_limits(&fx->pl.corr, 0, 0);
	assert_int_equal(fx->pl.corr.max_msgs, CORR_MAX_MESSAGES);
}

/* Muted (the prelude of a time window): messages that end while muted are
 * neither reported nor counted and no hit reaches the diagnosis; a message
 * begun in the prelude is reported whole once it ends after it, with the
 * findings of the lines after the prelude only. */
static void
test_muted_prelude(void **state)
{
	struct fx *fx = *state;
	const struct got_msg *g;

	corr_set_muted(&fx->pl.corr, 1);
	/* P1 begins in the prelude and ends after it */
	feed(fx, 0, "postfix/pickup[9]: 3C3C3C3C01: uid=0 from=<root>");
	feed(fx, 0, "postfix/cleanup[7]: 3C3C3C3C01: message-id=<p1@x>");
	feed(fx, 1, "postfix/qmgr[8]: 3C3C3C3C01: from=<root@mx1.example.com>, size=300, nrcpt=1 "
	     "(queue active)");
	feed(fx, 2, "postfix/smtp[20]: 3C3C3C3C01: to=<a@example.net>, relay=none, delay=2, "
	     "delays=0/0/2/0, dsn=4.4.1, status=deferred (connect to smtp.example.com[192.0.2.1]:587: "
	     "Connection timed out)");
	/* P2 is all in the prelude: failed, then removed */
	feed(fx, 3, "postfix/cleanup[7]: 3C3C3C3C02: message-id=<p2@x>");
	feed(fx, 3, "postfix/qmgr[8]: 3C3C3C3C02: from=<b@x>, size=300, nrcpt=1 (queue active)");
	feed(fx, 4, "postfix/smtp[21]: 3C3C3C3C02: to=<b@example.net>, relay=h[192.0.2.2]:25, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host h[192.0.2.2] said: 550 5.1.1 "
	     "<b@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))");
	feed(fx, 5, "postfix/qmgr[8]: 3C3C3C3C02: removed");
	assert_int_equal(fx->nmsgs, 0);
	assert_int_equal(fx->pl.corr.stats.messages, 0);
	assert_int_equal(fx->pl.corr.stats.bounced, 0);
	assert_int_equal(fx->pl.corr.stats.recipients, 0);
	assert_int_equal(fx->pl.diag.n, 0);

	corr_set_muted(&fx->pl.corr, 0);
	feed(fx, 600, "postfix/smtp[22]: 3C3C3C3C01: to=<a@example.net>, relay=h[192.0.2.3]:587, "
	     "delay=600, delays=0/598/1/1, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 600, "postfix/qmgr[8]: 3C3C3C3C01: removed");
	assert_int_equal(fx->nmsgs, 1);
	g = find_msg(fx, "postfix", "3C3C3C3C01");
	assert_int_equal(g->origin, ORIGIN_PICKUP);
	assert_string_equal(g->msgid, "<p1@x>");
	assert_string_equal(g->from, "root@mx1.example.com");
	assert_int_equal(g->first, T0);
	assert_int_equal(g->rcpt[0].attempts, 2);
	assert_int_equal(g->outcome, DS_SENT);
	assert_int_equal(g->nfinds, 0);	/* the deferral was in the prelude */
	assert_int_equal(fx->pl.corr.stats.messages, 1);
	assert_int_equal(fx->pl.corr.stats.sent, 1);
	assert_int_equal(fx->pl.corr.stats.recipients, 1);
	assert_int_equal(fx->pl.diag.n, 0);

	/* unmuted, the same failure is a finding again */
	feed(fx, 700, "postfix/cleanup[7]: 3C3C3C3C03: message-id=<p3@x>");
	feed(fx, 701, "postfix/smtp[21]: 3C3C3C3C03: to=<b@example.net>, relay=h[192.0.2.2]:25, delay=1, "
	     "delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host h[192.0.2.2] said: 550 5.1.1 "
	     "<b@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))");
	feed(fx, 702, "postfix/qmgr[8]: 3C3C3C3C03: removed");
	g = find_msg(fx, "postfix", "3C3C3C3C03");
	assert_true(g->nfinds > 0);
	assert_true(fx->pl.diag.n > 0);
	assert_int_equal(fx->pl.corr.stats.bounced, 1);
}

/* corr_track_new (send-test): the queue ID is learned after the
 * message's first line; its story still starts there, and the other
 * messages keep none once it is named. */
static void
test_track_new(void **state)
{
	struct fx *fx = *state;

	corr_track_new(&fx->pl.corr);
	feed(fx, 0, "postfix/pickup[100]: 1A1A1A1A01: uid=1000 from=<alice>");
	feed(fx, 0, "postfix/pickup[100]: 2B2B2B2B02: uid=0 from=<root>");
	feed(fx, 0, "postfix/cleanup[101]: 1A1A1A1A01: message-id=<a@x>");
	corr_track(&fx->pl.corr, "2B2B2B2B02");
	feed(fx, 0, "postfix/cleanup[101]: 2B2B2B2B02: message-id=<fmrd-test.1.2.3@x>");
	feed(fx, 1, "postfix/qmgr[102]: 1A1A1A1A01: from=<alice@x>, size=300, nrcpt=1 (queue active)");
	feed(fx, 1, "postfix/qmgr[102]: 2B2B2B2B02: from=<root@x>, size=300, nrcpt=1 (queue active)");
	feed(fx, 2, "postfix/smtp[103]: 2B2B2B2B02: to=<b@example.net>, relay=r[192.0.2.1]:587, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 2, "postfix/smtp[103]: 1A1A1A1A01: to=<c@example.net>, relay=r[192.0.2.1]:587, "
	     "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)");
	feed(fx, 3, "postfix/qmgr[102]: 2B2B2B2B02: removed");
	feed(fx, 3, "postfix/qmgr[102]: 1A1A1A1A01: removed");
	feed(fx, 4, "postfix/pickup[100]: 3C3C3C3C03: uid=0 from=<root>");
	feed(fx, 4, "postfix/qmgr[102]: 3C3C3C3C03: removed");
	assert_int_equal(find_msg(fx, "postfix", "2B2B2B2B02")->story_lines, 5);
	assert_int_equal(find_msg(fx, "postfix", "1A1A1A1A01")->story_lines, -1);
	assert_int_equal(find_msg(fx, "postfix", "3C3C3C3C03")->story_lines, -1);
	assert_int_equal(fx->pl.corr.track_new, 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_full_lifecycle),
		T(test_pickup_sender),
		T(test_smtpd_origin),
		T(test_deferred_until_flush),
		T(test_specific_reason_beats_fallback),
		T(test_qidless_line_attaches_to_same_process),
		T(test_same_qid_two_instances),
		T(test_tls_fact),
		T(test_tls_fact_sessions),
		T(test_cleanup_reject_and_hold),
		T(test_fallback_only_without_other_finding),
		T(test_recipient_limit),
		T(test_bounce_link),
		T(test_expired),
		T(test_retry_then_sent),
		T(test_many_retries_keep_latest_reason),
		T(test_eviction_when_full),
		T(test_lru_touch),
		T(test_stale_eviction),
		T(test_non_postfix_and_unknown_lines),
		T(test_tls_fact_other_peer),
		T(test_pending_does_not_outlive_process),
		T(test_nul_bytes_in_fields),
		T(test_tick),
		T(test_tick_drops_process_state),
		T(test_set_limits),
		T(test_muted_prelude),
		T(test_track_new),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
