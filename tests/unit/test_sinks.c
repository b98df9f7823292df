/*
 * test_sinks.c - unit tests of the sink list and the pipeline's clock:
 * every sink gets every event it has an op for; finding events are
 * coalesced (one per finding and tick) and keyed by a handle that ranking
 * does not change; the last changes are handed out before ranking; stats
 * events come every --stats-interval of wall-clock time; log time goes on
 * with the wall clock while no line arrives.
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

#include "pipeline.h"
#include "report.h"

/* From samples/sasl-auth-failed/mail.log (a real run of Postfix 3.7
 * against Fastmail and Gmail with wrong passwords, addresses replaced). */
static const char *const LOG[] = {
	"2026-11-23T12:07:40+01:00 mx1 postfix/pickup[1376]: 85D079D3A7: uid=0 from=<root>",
	"2026-11-23T12:07:40+01:00 mx1 postfix/qmgr[1377]: 85D079D3A7: from=<root@mx1.example.com>, size=402, nrcpt=1 (queue active)",
	"2026-11-23T12:07:41+01:00 mx1 postfix/smtp[45291]: 85D079D3A7: to=<admin@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=0.66, delays=0.05/0.01/0.6/0, dsn=4.7.8, status=deferred (SASL authentication failed; server smtp.fastmail.com[103.168.172.45] said: 535 5.7.8 Error: authentication failed: authentication failure)",
	"2026-11-23T12:08:12+01:00 mx1 postfix/pickup[1376]: 154ED9D39E: uid=1001 from=<billing@example.com>",
	"2026-11-23T12:08:12+01:00 mx1 postfix/qmgr[1377]: 154ED9D39E: from=<billing@example.com>, size=38214, nrcpt=1 (queue active)",
	"2026-11-23T12:08:12+01:00 mx1 postfix/relay/smtp[45297]: 154ED9D39E: SASL authentication failed; server smtp.gmail.com[142.250.102.108] said: 535-5.7.8 Username and Password not accepted. Learn more at?535 5.7.8  https://support.google.com/mail/?p=BadCredentials ffacd0b85a97d-3822f9d4fb6sm1923745f8f.41 - gsmtp",
	"2026-11-23T12:08:12+01:00 mx1 postfix/relay/smtp[45297]: connect to smtp.gmail.com[2a00:1450:400c:c0b::6c]:587: Network is unreachable",
	"2026-11-23T12:08:12+01:00 mx1 postfix/relay/smtp[45297]: 154ED9D39E: to=<customer-1187@example.org>, relay=none, delay=0.72, delays=0.05/0.02/0.65/0, dsn=4.4.1, status=deferred (connect to smtp.gmail.com[2a00:1450:400c:c0b::6c]:587: Network is unreachable)",
};
#define NLOG (sizeof(LOG) / sizeof(LOG[0]))

/* The same failure again, later (the sample's line 22). */
static const char AGAIN[] =
	"2026-11-23T12:13:05+01:00 mx1 postfix/smtp[45342]: 85D079D3A7: to=<admin@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=325, delays=325/0.02/0.58/0, dsn=4.7.8, status=deferred (SASL authentication failed; server smtp.fastmail.com[103.168.172.45] said: 535 5.7.8 Error: authentication failed: authentication failure)";

#define MAX_EV 64

/* What a recording sink saw. */
struct got {
	int begins, ends, messages, records, stats;
	int nfind;
	struct { char id[64]; char host[128]; unsigned long handle, count; } find[MAX_EV];
	int64_t stats_at[MAX_EV];
	int ended_before_findings;	/* a finding event after end */
};

struct fx {
	struct catalog cat;
	struct pipeline pl;
	struct report a, b;	/* a: every op; b: message and end only */
	struct got ga, gb;
	unsigned long lineno;
};

static void
g_begin(struct report *r)
{
	((struct got *)r->priv)->begins++;
}

static void
g_message(struct report *r, const struct corr_msg *m)
{
	(void)m;
	((struct got *)r->priv)->messages++;
}

static void
g_end(struct report *r, struct diag *d, const struct corr_stats *cs, const struct run_stats *rs)
{
	(void)d;
	(void)cs;
	(void)rs;
	((struct got *)r->priv)->ends++;
}

static void
g_record(struct report *r, const struct pf_record *rec, const struct evref *ev)
{
	(void)rec;
	(void)ev;
	((struct got *)r->priv)->records++;
}

static void
g_finding(struct report *r, const struct finding *f)
{
	struct got *g = r->priv;

	if (g->ends > 0)
		g->ended_before_findings++;
	assert_true(g->nfind < MAX_EV);
	snprintf(g->find[g->nfind].id, sizeof(g->find[0].id), "%s", f->def->id);
	snprintf(g->find[g->nfind].host, sizeof(g->find[0].host), "%s", f->host ? f->host : "");
	g->find[g->nfind].handle = f->handle;
	g->find[g->nfind].count = f->count;
	g->nfind++;
}

static void
g_stats(struct report *r, const struct diag *d, const struct corr_stats *cs,
	const struct run_stats *rs, int64_t now)
{
	struct got *g = r->priv;

	(void)d;
	(void)cs;
	(void)rs;
	assert_true(g->stats < MAX_EV);
	g->stats_at[g->stats++] = now;
}

static const struct report_ops all_ops = {
	.begin = g_begin, .message = g_message, .end = g_end, .record = g_record,
	.finding = g_finding, .stats = g_stats
};
static const struct report_ops few_ops = { .message = g_message, .end = g_end };

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
	fx->a.ops = &all_ops;
	fx->a.priv = &fx->ga;
	fx->b.ops = &few_ops;
	fx->b.priv = &fx->gb;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	pipeline_free(&fx->pl);
	catalog_free(&fx->cat);
	free(fx);
	return 0;
}

static void
feed(struct fx *fx, const char *text)
{
	struct line ln;

	memset(&ln, 0, sizeof(ln));
	ln.p = text;
	ln.len = strlen(text);
	ln.lineno = ++fx->lineno;
	pipeline_line(&fx->pl, &ln, 0);
}

static void
feed_log(struct fx *fx)
{
	size_t i;

	for (i = 0; i < NLOG; i++)
		feed(fx, LOG[i]);
}

static int
count_events(const struct got *g, const char *id, const char *host)
{
	int i, n = 0;

	for (i = 0; i < g->nfind; i++)
		n += strcmp(g->find[i].id, id) == 0 && strcmp(g->find[i].host, host) == 0;
	return n;
}

static void
test_want_flags(void **state)
{
	struct fx *fx = *state;

	pipeline_add_sink(&fx->pl, &fx->b);
	assert_int_equal(fx->pl.sinks.want, 0);
	pipeline_add_sink(&fx->pl, &fx->a);
	assert_int_equal(fx->pl.sinks.want, SINK_WANT_RECORD | SINK_WANT_FINDING | SINK_WANT_STATS);
	pipeline_set_report(&fx->pl, &fx->b);
	assert_int_equal(fx->pl.sinks.n, 1);
	assert_int_equal(fx->pl.sinks.want, 0);
	pipeline_set_report(&fx->pl, NULL);
	assert_int_equal(fx->pl.sinks.n, 0);
}

/* Both sinks get begin (where they have it), every message and the end;
 * records only go to the sink that asked. */
static void
test_fan_out(void **state)
{
	struct fx *fx = *state;

	pipeline_add_sink(&fx->pl, &fx->a);
	pipeline_add_sink(&fx->pl, &fx->b);
	sinks_begin(&fx->pl.sinks);
	feed_log(fx);
	pipeline_finish(&fx->pl);
	assert_int_equal(fx->ga.begins, 1);
	assert_int_equal(fx->ga.messages, 2);
	assert_int_equal(fx->gb.messages, 2);
	assert_int_equal(fx->ga.ends, 1);
	assert_int_equal(fx->gb.ends, 1);
	assert_int_equal(fx->ga.records, (int)fx->pl.stats.postfix);
	assert_int_equal(fx->gb.records, 0);
}

/* One event per finding and tick, however many hits; the handle stays. */
static void
test_findings_coalesced(void **state)
{
	struct fx *fx = *state;
	struct got *g = &fx->ga;
	unsigned long h;
	int i;

	pipeline_add_sink(&fx->pl, &fx->a);
	feed_log(fx);
	assert_int_equal(g->nfind, 0);		/* nothing before the tick */
	pipeline_tick(&fx->pl, 1000);
	assert_int_equal(g->nfind, (int)fx->pl.diag.n);
	assert_int_equal(count_events(g, "sasl.auth_failed", "smtp.fastmail.com"), 1);
	assert_int_equal(count_events(g, "sasl.auth_failed", "smtp.gmail.com"), 1);
	for (i = 0; i < g->nfind; i++)
		assert_int_equal(g->find[i].handle, (unsigned long)i);	/* first-seen order */
	for (i = 0; i < g->nfind && strcmp(g->find[i].host, "smtp.fastmail.com") != 0; i++)
		;
	h = g->find[i].handle;
	assert_int_equal(g->find[i].count, 1);
	pipeline_tick(&fx->pl, 1000);		/* nothing changed */
	assert_int_equal(g->nfind, (int)fx->pl.diag.n);
	feed(fx, AGAIN);
	feed(fx, AGAIN);
	pipeline_tick(&fx->pl, 1001);
	assert_int_equal(g->nfind, (int)fx->pl.diag.n + 1);
	assert_string_equal(g->find[g->nfind - 1].host, "smtp.fastmail.com");
	assert_int_equal(g->find[g->nfind - 1].handle, h);
	assert_int_equal(g->find[g->nfind - 1].count, 3);
}

/* The last changes (messages flushed at the end) come before the end,
 * and ranking does not change a finding's handle. */
static void
test_finish(void **state)
{
	struct fx *fx = *state;
	struct got *g = &fx->ga;
	char key[DIAG_MAX_FINDINGS][200];
	unsigned long handle[DIAG_MAX_FINDINGS];
	size_t i, j, n;

	pipeline_add_sink(&fx->pl, &fx->a);
	feed_log(fx);
	pipeline_tick(&fx->pl, 1000);
	n = fx->pl.diag.n;
	for (i = 0; i < n; i++) {
		const struct finding *f = fx->pl.diag.f[i];

		snprintf(key[i], sizeof(key[i]), "%s %s", f->def->id, f->host ? f->host : "");
		handle[i] = f->handle;
	}
	g->nfind = 0;
	pipeline_finish(&fx->pl);
	/* the flush ended both messages: their findings changed */
	assert_true(g->nfind > 0);
	assert_int_equal(g->ended_before_findings, 0);
	assert_int_equal(g->ends, 1);
	assert_int_equal(fx->pl.diag.nchanged, 0);
	for (j = 0; j < fx->pl.diag.n; j++) {
		const struct finding *f = fx->pl.diag.f[j];
		char k[200];

		assert_int_equal(f->dirty, 0);
		snprintf(k, sizeof(k), "%s %s", f->def->id, f->host ? f->host : "");
		for (i = 0; i < n && strcmp(key[i], k) != 0; i++)
			;
		assert_true(i < n);
		assert_int_equal(f->handle, handle[i]);
	}
}

/* Stats events every interval of wall-clock time, from the first tick. */
static void
test_stats_interval(void **state)
{
	static const struct {
		int64_t interval;
		int64_t ticks[8];	/* 0 ends */
		int want;
		int64_t at[4];
	} cases[] = {
		{ 60, { 1000, 1030, 1059, 1060, 1061, 1119, 1120, 0 }, 2, { 1060, 1120 } },
		{ 60, { 1000, 5000, 5001, 0 }, 1, { 5000 } },
		{ 1, { 1000, 1001, 1002, 1003, 0 }, 3, { 1001, 1002, 1003 } },
		{ 0, { 1000, 2000, 3000, 0 }, 0, { 0 } },
	};
	struct fx *fx = *state;
	size_t c;
	int i;

	pipeline_add_sink(&fx->pl, &fx->a);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memset(&fx->ga, 0, sizeof(fx->ga));
		fx->pl.stats_interval = cases[c].interval;
		fx->pl.stats_due = 0;
		for (i = 0; cases[c].ticks[i] != 0; i++)
			pipeline_tick(&fx->pl, cases[c].ticks[i]);
		assert_int_equal(fx->ga.stats, cases[c].want);
		for (i = 0; i < cases[c].want; i++)
			assert_int_equal(fx->ga.stats_at[i], cases[c].at[i]);
	}
}

/* While no line arrives, log time goes on with the wall clock from the
 * latest log time seen: messages idle for longer than the stale time are
 * handed out. Lines that move log time re-anchor the clock, however far
 * the wall clock is from the log's own time. */
static void
test_clock(void **state)
{
	struct fx *fx = *state;
	int64_t t0 = 1900000000;	/* wall time: years after the log */

	pipeline_add_sink(&fx->pl, &fx->a);
	pipeline_tick(&fx->pl, t0);
	feed_log(fx);
	pipeline_tick(&fx->pl, t0 + 1);	/* a line moved log time: anchor only */
	assert_int_equal(fx->ga.messages, 0);
	pipeline_tick(&fx->pl, t0 + 2 * 86400);
	assert_int_equal(fx->ga.messages, 0);	/* idle 2 days: not stale yet */
	pipeline_tick(&fx->pl, t0 + 1 + CORR_STALE_SECS + 60);
	pipeline_tick(&fx->pl, t0 + 1 + CORR_STALE_SECS + 61);
	assert_int_equal(fx->ga.messages, 2);	/* idle 8 days: handed out */
	assert_int_equal(fx->pl.corr.stats.stale, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_want_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fan_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
