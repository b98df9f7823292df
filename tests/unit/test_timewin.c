/*
 * test_timewin.c - unit tests of time windows: tables for the time and
 * duration parsers (fixed now, TZ=Europe/Berlin, DST gap and doubled
 * hour; expected epochs from date -u -d ... +%s), logtime_epoch in
 * Berlin, UTC and Lord Howe (a 30-minute DST change inside an hour),
 * window classification; and the bisection on generated files (BSD
 * timestamps with equal times, a New Year crossing, ISO with zones, ISO
 * local across the spring DST change, garbage and binary regions, 20 KB
 * lines, files without dated lines, empty and unterminated files,
 * lines out of order by a few seconds) compared with a linear scan of
 * what the generator wrote, for thousands of targets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "syslog_hdr.h"
#include "timewin.h"

/* date -u -d '2026-11-23T20:30:00+01:00' +%s */
#define NOW INT64_C(1795462200)

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
	logtime_epoch_reset();
}

static int
setup_berlin(void **state)
{
	(void)state;
	set_tz("Europe/Berlin");
	return 0;
}

/* --- timewin_parse_time ------------------------------------------------ */

static const struct {
	const char *in;
	int64_t now;		/* 0: NOW */
	int64_t want;
} time_ok[] = {
	/* ISO 8601 with a zone */
	{ "2026-11-23T20:12:22+01:00", 0, 1795461142 },
	{ "2026-11-23T19:12:22Z", 0, 1795461142 },
	{ "2026-11-23t19:12:22z", 0, 1795461142 },
	{ "2026-11-23T20:12:22.75+0100", 0, 1795461142 },
	{ "2026-11-23 20:12:22 +01", 0, 1795461142 },
	{ "2026-11-23 19:12:22 UTC", 0, 1795461142 },
	{ "2026-11-23T14:12:22-05:00", 0, 1795461142 },
	/* ISO 8601 local (CET) */
	{ "2026-11-23 20:12:22", 0, 1795461142 },
	{ "2026-11-23T20:12:22", 0, 1795461142 },
	{ "2026-11-23   20:12", 0, 1795461120 },
	{ "2026-11-23 20:12:22,5", 0, 1795461142 },
	{ "2026-11-23", 0, 1795388400 },	/* 2026-11-22T23:00:00Z */
	{ "  2026-11-23 20:12  ", 0, 1795461120 },
	/* syslog form: the latest not after now */
	{ "Nov 23 20:12:22", 0, 1795461142 },
	{ "nov 23 20:12:22", 0, 1795461142 },
	{ "Nov 23 20:12", 0, 1795461120 },
	{ "Nov 23 20:30:00", 0, NOW },		/* now itself is not after now */
	{ "Nov 23 20:45", 0, 1763927100 },	/* future: 2025-11-23T20:45+01:00 */
	{ "Dec 24 10:00:00", 0, 1766566800 },	/* 2025-12-24T10:00+01:00 */
	{ "Feb 29 12:00", 0, 1709204400 },	/* 2024-02-29T12:00+01:00 */
	/* clock only: today, or yesterday if in the future */
	{ "20:12", 0, 1795461120 },
	{ "20:12:22", 0, 1795461142 },
	{ "21:00", 0, 1795377600 },		/* 2026-11-22T21:00+01:00 */
	/* relative */
	{ "-2h", 0, NOW - 7200 },
	{ "-15m", 0, NOW - 900 },
	{ "-30s", 0, NOW - 30 },
	{ "-7d", 0, NOW - 7 * 86400 },
	{ "-1h30m", 0, NOW - 5400 },
	{ "- 90 s", 0, NOW - 90 },
	{ "2h ago", 0, NOW - 7200 },
	{ "1h 30m ago", 0, NOW - 5400 },
	{ "2 hours ago", 0, NOW - 7200 },
	/* words */
	{ "now", 0, NOW },
	{ " now ", 0, NOW },
	{ "today", 0, 1795388400 },		/* 2026-11-22T23:00:00Z */
	{ "yesterday", 0, 1795302000 },		/* 2026-11-21T23:00:00Z */
	{ "@1795435672", 0, 1795435672 },
	/* DST, Europe/Berlin: spring gap 02:00-03:00 on 2026-03-29 */
	{ "2026-03-29 01:59:59", 0, 1774745999 },	/* 00:59:59Z */
	{ "2026-03-29 02:30", 0, 1774747800 },		/* gap: 01:30Z = 03:30 CEST */
	{ "2026-03-29 03:00", 0, 1774746000 },		/* 01:00Z */
	{ "2026-03-29", 0, 1774738800 },		/* 2026-03-28T23:00Z */
	/* autumn: 02:00-03:00 twice on 2026-10-25, the earlier one */
	{ "2026-10-25 01:59", 0, 1792886340 },		/* 2026-10-24T23:59Z */
	{ "2026-10-25 02:30", 0, 1792888200 },		/* 00:30Z, CEST */
	{ "2026-10-25 03:00", 0, 1792893600 },		/* 02:00Z, CET */
	{ "2026-10-26", 0, 1792969200 },		/* 2026-10-25T23:00Z */
	/* today/yesterday on DST days */
	{ "yesterday", 1774778400, 1774652400 },	/* now 03-29 12:00 CEST -> 03-27T23:00Z */
	{ "today", 1774778400, 1774738800 },		/* 03-28T23:00Z (CET midnight) */
	{ "today", 1792926000, 1792879200 },		/* now 10-25 12:00 CET -> 10-24T22:00Z */
};

static void
test_parse_time_table(void **state)
{
	struct strbuf err;
	int64_t got;
	size_t i;

	(void)state;
	sb_init(&err);
	for (i = 0; i < sizeof(time_ok) / sizeof(time_ok[0]); i++) {
		sb_reset(&err);
		got = -1;
		if (timewin_parse_time(time_ok[i].in, (time_t)(time_ok[i].now ? time_ok[i].now : NOW),
				       &got, &err) != 0 || got != time_ok[i].want) {
			print_error("'%s': got %lld, want %lld (%s)\n", time_ok[i].in,
				    (long long)got, (long long)time_ok[i].want, err.s);
			fail();
		}
		assert_int_equal(err.len, 0);
	}
	sb_free(&err);
}

static const struct {
	const char *in;
	const char *msg;	/* must be in the error */
} time_bad[] = {
	{ "", "expected a time such as" },
	{ "garbage", "expected a time such as 2026-11-23T20:12:22+01:00" },
	{ "2026-13-01", "not a valid date or time: '2026-13-01'" },
	{ "2026-02-30", "not a valid date" },
	{ "2026-11-23T25:00", "not a valid date" },
	{ "2026-11-23T20:61", "not a valid date" },
	{ "2026-11-23 20:12 junk", "not a valid date" },
	{ "2026-11-23T20:12:22+15:00", "not a valid date" },
	{ "2026-11-23T20:12:22+1", "not a valid date" },
	{ "1899-12-31", "not a valid date" },
	{ "2026-1-5", "not a valid date" },
	{ "Nov 31 10:00", "not a valid date" },
	{ "Nov 3", "not a valid date" },
	{ "Foo 23 10:00", "expected a time such as" },
	{ "15m", "a duration is not a time: write -15m or '15m ago'" },
	{ "-15", "ambiguous duration: expected a unit" },
	{ "-2x", "expected a duration such as 15m" },
	{ "2x ago", "expected a duration such as 15m" },
	{ "@abc", "not a valid date" },
	{ "tomorrow", "expected a time such as" },
	{ "24:00", "not a valid date" },
	{ "\x01\xff-x", "got '?" "?-x'" },	/* not a trigraph */
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
};

static void
test_parse_time_errors(void **state)
{
	struct strbuf err;
	int64_t got = 42;
	size_t i;

	(void)state;
	sb_init(&err);
	for (i = 0; i < sizeof(time_bad) / sizeof(time_bad[0]); i++) {
		sb_reset(&err);
		if (timewin_parse_time(time_bad[i].in, (time_t)NOW, &got, &err) != -1
		    || strstr(err.s, time_bad[i].msg) == NULL) {
			print_error("'%s': error '%s', want '%s'\n", time_bad[i].in, err.s,
				    time_bad[i].msg);
			fail();
		}
	}
	/* the error is appended to what err holds */
	sb_reset(&err);
	sb_adds(&err, "--since: ");
	assert_int_equal(timewin_parse_time("15", (time_t)NOW, &got, &err), -1);
	assert_true(strncmp(err.s, "--since: expected a time such as", 32) == 0);
	sb_free(&err);
}

/* --- timewin_parse_duration ---------------------------------------- */

static const struct {
	const char *in;
	int64_t want;		/* -1: an error containing msg */
	const char *msg;
} dur_table[] = {
	{ "15m", 900, NULL },
	{ "2h", 7200, NULL },
	{ "7d", 604800, NULL },
	{ "90s", 90, NULL },
	{ "1h30m", 5400, NULL },
	{ "1h 30m", 5400, NULL },
	{ " 90 s ", 90, NULL },
	{ "7 days", 604800, NULL },
	{ "2 hours", 7200, NULL },
	{ "10 minutes", 600, NULL },
	{ "1 hour 1 minute 1 second", 3661, NULL },
	{ "1w", 604800, NULL },
	{ "2weeks", 1209600, NULL },
	{ "1d2h3m4s", 93784, NULL },
	{ "0", 0, NULL },
	{ "0s", 0, NULL },
	{ "36500d", 3153600000, NULL },
	{ "", -1, "expected a duration such as 15m" },
	{ "15", -1, "ambiguous duration: expected a unit (s, m, h, d or w) after 15: '15'" },
	{ "00", -1, "ambiguous duration" },
	{ "1h30", -1, "bad duration: expected a unit (s, m, h, d or w) after 30" },
	{ "1.5h", -1, "bad duration: expected a unit" },
	{ "2x", -1, "expected a duration such as 15m, 2h, 1h30m, 90s or 7d (units s, m, h, d, w), got '2x'" },
	{ "2M", -1, "bad duration" },
	{ "h", -1, "expected a duration" },
	{ "-5m", -1, "expected a duration" },
	{ "5m-", -1, "expected a duration" },
	{ "1000000w", -1, "duration longer than 100 years: '1000000w'" },
	{ "99999999999h", -1, "bad duration" },
	{ "9999999999w", -1, "longer than 100 years" },
};

static void
test_parse_duration_table(void **state)
{
	struct strbuf err;
	int64_t got;
	size_t i;
	int r;

	(void)state;
	sb_init(&err);
	for (i = 0; i < sizeof(dur_table) / sizeof(dur_table[0]); i++) {
		sb_reset(&err);
		got = -7;
		r = timewin_parse_duration(dur_table[i].in, &got, &err);
		if (dur_table[i].want >= 0 ? (r != 0 || got != dur_table[i].want || err.len != 0)
		    : (r != -1 || strstr(err.s, dur_table[i].msg) == NULL)) {
			print_error("'%s': r %d got %lld want %lld, error '%s'\n", dur_table[i].in, r,
				    (long long)got, (long long)dur_table[i].want, err.s);
			fail();
		}
	}
	sb_free(&err);
}

/* --- logtime_epoch ----------------------------------------------------- */

static const struct {
	const char *tz;
	int64_t wall;		/* local wall clock as if UTC */
	int has_zone;
	int64_t want;
} epoch_table[] = {
	{ "Europe/Berlin", 1795461142 + 3600, 0, 1795461142 },	/* 2026-11-23 20:12:22 CET */
	{ "Europe/Berlin", 1795461142, 1, 1795461142 },		/* zone: unchanged */
	{ "Europe/Berlin", 1782900000 + 7200, 0, 1782900000 },	/* 2026-07-01 12:00 CEST */
	/* spring gap, 2026-03-29 */
	{ "Europe/Berlin", 1774745999 + 3600, 0, 1774745999 },	/* 01:59:59 CET */
	{ "Europe/Berlin", 1774747800 + 3600, 0, 1774747800 },	/* 02:30 (gap) -> 01:30Z */
	{ "Europe/Berlin", 1774746000 + 7200, 0, 1774746000 },	/* 03:00 CEST */
	/* autumn, 2026-10-25: 02:00-02:59 is the first (CEST) hour */
	{ "Europe/Berlin", 1792886400 + 7200, 0, 1792886400 },	/* 02:00 -> 00:00Z */
	{ "Europe/Berlin", 1792889999 + 7200, 0, 1792889999 },	/* 02:59:59 -> 00:59:59Z */
	{ "Europe/Berlin", 1792893600 + 3600, 0, 1792893600 },	/* 03:00 CET -> 02:00Z */
	{ "UTC", 1795461142, 0, 1795461142 },
	{ "UTC", -86400, 0, -86400 },
	/* Lord Howe: +10:30 / +11, changes at :30 */
	{ "Australia/Lord_Howe", 1791042300 + 39600, 0, 1791042300 },	/* 10-04 02:45 +11 */
	{ "Australia/Lord_Howe", 1791042300 - 1800 + 39600, 0, 1791042300 },	/* 02:15 (gap) */
	{ "Australia/Lord_Howe", 1791041340 + 37800, 0, 1791041340 },	/* 01:59 +10:30 */
	{ "Australia/Lord_Howe", 1775313900 + 39600, 0, 1775313900 },	/* 04-05 01:45, first */
	{ "Australia/Lord_Howe", 1775317200 + 37800, 0, 1775317200 },	/* 04-05 02:10 +10:30 */
};

static void
test_logtime_epoch(void **state)
{
	struct logtime t;
	int64_t got;
	size_t i;
	int pass;

	(void)state;
	/* twice: the second pass runs from the per-hour cache */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(epoch_table) / sizeof(epoch_table[0]); i++) {
			set_tz(epoch_table[i].tz);
			memset(&t, 0, sizeof(t));
			t.sec = epoch_table[i].wall;
			t.has_zone = (uint8_t)epoch_table[i].has_zone;
			t.valid = 1;
			got = logtime_epoch(&t);
			if (pass == 1)
				got = logtime_epoch(&t);
			if (got != epoch_table[i].want) {
				print_error("%s %lld: got %lld want %lld\n", epoch_table[i].tz,
					    (long long)epoch_table[i].wall, (long long)got,
					    (long long)epoch_table[i].want);
				fail();
			}
		}
	}
	set_tz("Europe/Berlin");
}

/* Every 7th second of the two DST days through the cache: the offset
 * is CET's or CEST's, and the times never go back, except into the
 * spring gap hour (02:00-03:00 wall clock does not exist; it is read
 * with CET, so 03:00 CEST comes out as early as 02:00 "CET"). */
static void
test_logtime_epoch_dst_days(void **state)
{
	struct logtime t;
	int64_t w, u, prev = INT64_MIN;
	int64_t days[] = { 1774742400, 1792886400 };	/* 2026-03-29, 2026-10-25 (as UTC) */
	size_t d;

	(void)state;
	set_tz("Europe/Berlin");
	memset(&t, 0, sizeof(t));
	for (d = 0; d < 2; d++, prev = INT64_MIN) {
		for (w = days[d]; w < days[d] + 86400; w += 7) {
			t.sec = w;
			u = logtime_epoch(&t);
			if (d == 0 && w >= days[0] + 2 * 3600 && w < days[0] + 3 * 3600)
				continue;	/* the gap */
			assert_true(u >= prev);
			assert_true(w - u == 3600 || w - u == 7200);
			prev = u;
		}
	}
}

/* --- window ------------------------------------------------------------ */

static void
test_classify(void **state)
{
	struct timewin w;
	static const struct {
		int64_t since, until, lookback, t;
		enum tw_pos want;
	} tab[] = {
		{ 1000, 2000, 100, 899, TW_BEFORE },
		{ 1000, 2000, 100, 900, TW_PRELUDE },
		{ 1000, 2000, 100, 999, TW_PRELUDE },
		{ 1000, 2000, 100, 1000, TW_IN },
		{ 1000, 2000, 100, 2000, TW_IN },
		{ 1000, 2000, 100, 2001, TW_AFTER },
		{ 1000, 2000, 0, 999, TW_BEFORE },
		{ TIMEWIN_NONE_SINCE, 2000, 100, INT64_MIN, TW_IN },
		{ TIMEWIN_NONE_SINCE, TIMEWIN_NONE_UNTIL, 7200, 0, TW_IN },
		{ 1000, TIMEWIN_NONE_UNTIL, 7200, INT64_MAX, TW_IN },
		{ INT64_MIN + 5, TIMEWIN_NONE_UNTIL, 7200, INT64_MIN, TW_PRELUDE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		w.since = tab[i].since;
		w.until = tab[i].until;
		w.lookback = tab[i].lookback;
		if (timewin_classify(&w, tab[i].t) != tab[i].want) {
			print_error("row %zu: got %d want %d\n", i, timewin_classify(&w, tab[i].t),
				    tab[i].want);
			fail();
		}
	}
	timewin_init(&w);
	assert_false(timewin_active(&w));
	assert_int_equal(w.lookback, TIMEWIN_LOOKBACK);
	assert_true(timewin_seek_target(&w) == TIMEWIN_NONE_SINCE);
	assert_false(timewin_past_end(&w, INT64_MAX));
	timewin_set_last(&w, 100000, 900);
	assert_true(timewin_active(&w));
	assert_true(w.since == 99100);
	assert_true(timewin_seek_target(&w) == 99100 - TIMEWIN_LOOKBACK - TIMEWIN_SLACK);
	w.until = 200000;
	assert_false(timewin_past_end(&w, 200000 + TIMEWIN_SLACK));
	assert_true(timewin_past_end(&w, 200001 + TIMEWIN_SLACK));
}

/* --- bisection on generated files ---------------------------------------- */

struct gline {
	off_t off;
	int dated;
	int64_t t;
};

struct gen {
	struct strbuf buf;
	struct gline *v;
	size_t n, cap;
	uint32_t rnd;
};

static uint32_t
rnd(struct gen *g)
{
	g->rnd = g->rnd * 1103515245u + 12345u;
	return (g->rnd >> 8) & 0xffffff;
}

static void
gen_init(struct gen *g, uint32_t seed)
{
	memset(g, 0, sizeof(*g));
	sb_init(&g->buf);
	g->rnd = seed;
}

static void
gen_free(struct gen *g)
{
	sb_free(&g->buf);
	free(g->v);
}

/* Append line p[0..len) and a newline (nl 0: none, the last line). */
static void
gen_raw(struct gen *g, const char *p, size_t len, int nl, int dated, int64_t t)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 1024;
		g->v = xreallocarray(g->v, g->cap, sizeof(*g->v));
	}
	g->v[g->n].off = (off_t)g->buf.len;
	g->v[g->n].dated = dated;
	g->v[g->n].t = t;
	g->n++;
	sb_add(&g->buf, p, len);
	if (nl)
		sb_addc(&g->buf, '\n');
}

/* A Postfix line of some length after the header. */
static void
gen_dated(struct gen *g, const char *hdr, int64_t t)
{
	char line[512];
	int n, pad = (int)(rnd(g) % 200);

	n = snprintf(line, sizeof(line), "%s mx1 postfix/smtp[%u]: 4F2%05X: to=<u%u@example.net>, "
		     "relay=smtp.fastmail.com[103.168.172.45]:587, status=sent %.*s", hdr,
		     rnd(g) % 99999, rnd(g) & 0xfffff, rnd(g) % 1000, pad,
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	gen_raw(g, line, (size_t)n, 1, 1, t);
}

static void
hdr_bsd(char *b, size_t n, int64_t wall)
{
	time_t tt = (time_t)wall;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(b, n, "%b %e %H:%M:%S", &tm);
}

static void
hdr_iso_zone(char *b, size_t n, int64_t t, int offmin)
{
	time_t tt = (time_t)(t + offmin * 60);
	struct tm tm;
	char d[40];

	gmtime_r(&tt, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b, n, "%s.%06u%c%02d:%02d", d, (unsigned)(t % 1000000), offmin < 0 ? '-' : '+',
		 abs(offmin) / 60, abs(offmin) % 60);
}

static void
hdr_iso_local(char *b, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(b, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* What a linear scan finds: the first dated line >= target; size if
 * none is; 0 if no line is dated. */
static off_t
linear(const struct gen *g, int64_t target)
{
	size_t i;
	int any = 0;

	for (i = 0; i < g->n; i++) {
		if (!g->v[i].dated)
			continue;
		any = 1;
		if (g->v[i].t >= target)
			return g->v[i].off;
	}
	return any ? (off_t)g->buf.len : 0;
}

static int
gen_file(const struct gen *g, char *path)
{
	int fd;

	strcpy(path, "/tmp/test_timewin.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, g->buf.s, g->buf.len), (ssize_t)g->buf.len);
	return fd;
}

static void
seek_one(int fd, const struct gen *g, const struct hdr_year *y, int64_t target)
{
	off_t got = -1, want = linear(g, target);

	assert_int_equal(timewin_seek(fd, (off_t)g->buf.len, target, y, &got), 0);
	if (got != want) {
		print_error("target %lld: got offset %lld, want %lld (size %zu)\n",
			    (long long)target, (long long)got, (long long)want, g->buf.len);
		fail();
	}
}

/* timewin_seek against the linear scan for targets at, just before and
 * just after every dated line's time (every step-th line) and beyond
 * both ends; first and last time against the generator. */
static void
check_file(const struct gen *g, const struct hdr_year *y, size_t step)
{
	char path[64];
	int64_t t, tmin = INT64_MAX, tmax = INT64_MIN;
	off_t at = -1, first = -1, last = -1;
	size_t i;
	int fd, d;

	fd = gen_file(g, path);
	for (i = 0; i < g->n; i++) {
		if (!g->v[i].dated)
			continue;
		if (first < 0)
			first = (off_t)i;
		last = (off_t)i;
		if (g->v[i].t < tmin)
			tmin = g->v[i].t;
		if (g->v[i].t > tmax)
			tmax = g->v[i].t;
		if (i % step != 0 && i + 1 != g->n)
			continue;
		seek_one(fd, g, y, g->v[i].t - 1);
		seek_one(fd, g, y, g->v[i].t);
		seek_one(fd, g, y, g->v[i].t + 1);
	}
	if (first >= 0) {
		seek_one(fd, g, y, tmin - 100000);
		seek_one(fd, g, y, tmax + 100000);
		seek_one(fd, g, y, INT64_MAX);
	}
	seek_one(fd, g, y, 0);
	d = timewin_first_time(fd, (off_t)g->buf.len, y, &t, &at);
	assert_int_equal(d, first >= 0);
	if (d) {
		assert_true(t == g->v[first].t);
		assert_true(at == g->v[first].off);
	}
	d = timewin_last_time(fd, (off_t)g->buf.len, y, &t, &at);
	assert_int_equal(d, last >= 0);
	if (d) {
		assert_true(t == g->v[last].t);
		assert_true(at == g->v[last].off);
	}
	close(fd);
	unlink(path);
}

static const struct hdr_year year_2026_11 = { .year = 2026, .month = 0, .ref_year = 2026, .ref_month = 11 };

/* 5000 BSD lines, 0-3 s apart (many equal times). */
static void
test_seek_bsd(void **state)
{
	struct gen g;
	char h[64];
	int64_t t = 1795392000;		/* 2026-11-23T00:00:00Z */
	int i;

	(void)state;
	set_tz("UTC");
	gen_init(&g, 1);
	for (i = 0; i < 5000; i++) {
		t += rnd(&g) % 4;
		hdr_bsd(h, sizeof(h), t);
		gen_dated(&g, h, t);
	}
	check_file(&g, &year_2026_11, 1);
	/* the same lines under year references that put November last year */
	{
		struct hdr_year jan = { .year = 2027, .month = 0, .ref_year = 2027, .ref_month = 1 };
		off_t got;
		int fd;
		char path[64];

		fd = gen_file(&g, path);
		/* mtime January 2027: November is 2026, as generated */
		assert_int_equal(timewin_seek(fd, (off_t)g.buf.len, g.v[2500].t, &jan, &got), 0);
		assert_true(got == linear(&g, g.v[2500].t));
		close(fd);
		unlink(path);
	}
	gen_free(&g);
	set_tz("Europe/Berlin");
}

/* BSD timestamps across New Year; the file's mtime is in January. */
static void
test_seek_new_year(void **state)
{
	struct hdr_year jan = { .year = 2026, .month = 0, .ref_year = 2026, .ref_month = 1 };
	struct gen g;
	char h[64];
	int64_t t = 1767225600 - 7200;	/* 2025-12-31T22:00:00Z */
	int i;

	(void)state;
	set_tz("UTC");
	gen_init(&g, 2);
	for (i = 0; i < 4000; i++) {
		t += rnd(&g) % 5;
		hdr_bsd(h, sizeof(h), t);
		gen_dated(&g, h, t);
	}
	assert_true(t > 1767225600);
	check_file(&g, &jan, 1);
	gen_free(&g);
	set_tz("Europe/Berlin");
}

/* ISO 8601 with zones (+01:00 and -05:00 mixed: the UTC order counts). */
static void
test_seek_iso_zone(void **state)
{
	struct gen g;
	char h[64];
	int64_t t = 1795392000;
	int i;

	(void)state;
	gen_init(&g, 3);
	for (i = 0; i < 4000; i++) {
		t += rnd(&g) % 3;
		hdr_iso_zone(h, sizeof(h), t, (rnd(&g) & 1) ? 60 : -300);
		gen_dated(&g, h, t);
	}
	check_file(&g, NULL, 1);
	gen_free(&g);
}

/* ISO without zone, written in Europe/Berlin local time across the
 * spring DST change (the wall clock jumps from 02:00 to 03:00). */
static void
test_seek_iso_local_dst(void **state)
{
	struct gen g;
	char h[64];
	int64_t t = 1774742400 - 3600 * 2;	/* 2026-03-28T22:00:00Z */
	int i;

	(void)state;
	set_tz("Europe/Berlin");
	gen_init(&g, 4);
	for (i = 0; i < 4000; i++) {
		t += rnd(&g) % 8;
		hdr_iso_local(h, sizeof(h), t);
		gen_dated(&g, h, t);
	}
	assert_true(t > 1774746000);	/* past the change */
	check_file(&g, NULL, 1);
	gen_free(&g);
}

/* Dated lines among garbage: other programs' free text, empty lines,
 * binary regions (NUL, 0xff, no newline for 50 KB), 20 KB lines dated
 * and not, CRLF. */
static void
test_seek_garbage(void **state)
{
	struct gen g;
	char h[64], *big;
	int64_t t = 1795392000;
	size_t j, len;
	int i;

	(void)state;
	set_tz("UTC");
	big = xmalloc(60000);
	gen_init(&g, 5);
	for (i = 0; i < 3000; i++) {
		switch (rnd(&g) % 16) {
		case 0:
			gen_raw(&g, "", 0, 1, 0, 0);
			break;
		case 1:
			gen_raw(&g, "-- MARK --", 10, 1, 0, 0);
			break;
		case 2:		/* binary without newline */
			len = 1000 + rnd(&g) % 50000;
			for (j = 0; j < len; j++)
				big[j] = (char)(rnd(&g) % 255 == 10 ? 0 : rnd(&g) % 255);
			for (j = 0; j < len; j++)
				if (big[j] == '\n')
					big[j] = '\0';
			gen_raw(&g, big, len, 1, 0, 0);
			break;
		case 3:		/* a 20 KB line: dated */
			hdr_bsd(h, sizeof(h), t);
			len = (size_t)snprintf(big, 64, "%s mx1 postfix/smtp[1]: x", h);
			memset(big + len, 'y', 20000);
			gen_raw(&g, big, len + 20000, 1, 1, t);
			break;
		case 4:		/* a 20 KB line: not */
			memset(big, 'z', 20480);
			gen_raw(&g, big, 20480, 1, 0, 0);
			break;
		case 5:
			hdr_bsd(h, sizeof(h), t);
			len = (size_t)snprintf(big, 128, "%s mx1 postfix/qmgr[2]: 4F2: removed\r", h);
			gen_raw(&g, big, len, 1, 1, t);
			break;
		default:
			t += rnd(&g) % 30;
			hdr_bsd(h, sizeof(h), t);
			gen_dated(&g, h, t);
		}
	}
	gen_raw(&g, "trailing garbage", 16, 1, 0, 0);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	free(big);
	set_tz("Europe/Berlin");
}

/* Small and degenerate files. */
static void
test_seek_small(void **state)
{
	struct gen g;
	char h[64];
	int64_t t = 1795392000;
	int i;

	(void)state;
	set_tz("UTC");
	/* empty */
	gen_init(&g, 6);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	/* no dated line */
	gen_init(&g, 7);
	for (i = 0; i < 5000; i++)
		gen_raw(&g, "not a syslog line at all", 24, 1, 0, 0);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	/* one line, no newline */
	gen_init(&g, 8);
	hdr_bsd(h, sizeof(h), t);
	strcat(h, " mx1 postfix/smtp[1]: x");
	gen_raw(&g, h, strlen(h), 0, 1, t);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	/* one dated line among 300 KB of undated ones, unterminated end */
	gen_init(&g, 9);
	for (i = 0; i < 5000; i++)
		gen_raw(&g, "garbage garbage garbage garbage garbage garbage garbage", 55, 1, 0, 0);
	hdr_bsd(h, sizeof(h), t);
	gen_dated(&g, h, t);
	for (i = 0; i < 5000; i++)
		gen_raw(&g, "garbage garbage garbage garbage garbage garbage garbage", 55, 1, 0, 0);
	gen_raw(&g, "Nov 23 00:00:0", 14, 0, 0, 0);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	/* all the same second */
	gen_init(&g, 10);
	hdr_bsd(h, sizeof(h), t);
	for (i = 0; i < 3000; i++)
		gen_dated(&g, h, t);
	check_file(&g, &year_2026_11, 1);
	gen_free(&g);
	set_tz("Europe/Berlin");
}

/* Lines out of order by up to D seconds: seeking to target - D loses no
 * line >= target. */
static void
test_seek_disorder(void **state)
{
	enum { D = 5 };
	struct gen g;
	char h[64], path[64];
	int64_t t = 1795392000, lt;
	off_t off;
	size_t i, j;
	int fd;

	(void)state;
	set_tz("UTC");
	gen_init(&g, 11);
	for (i = 0; i < 5000; i++) {
		t += rnd(&g) % 3;
		lt = t - (int64_t)(rnd(&g) % (D + 1));
		hdr_bsd(h, sizeof(h), lt);
		gen_dated(&g, h, lt);
	}
	fd = gen_file(&g, path);
	for (i = 0; i < g.n; i += 3) {
		assert_int_equal(timewin_seek(fd, (off_t)g.buf.len, g.v[i].t - D, &year_2026_11, &off), 0);
		for (j = 0; j < g.n && g.v[j].off < off; j++)
			assert_true(g.v[j].t < g.v[i].t);
	}
	close(fd);
	unlink(path);
	gen_free(&g);
	set_tz("Europe/Berlin");
}

/* Cost: a seek reads O(log size) blocks; stepping back over a 4 MB
 * line at the end reads it about once, not once per block. */
static void
test_seek_cost(void **state)
{
	struct gen g;
	char h[64], path[64], *big;
	int64_t t = 1795392000, e;
	unsigned long before, most = 0, n;
	off_t off, at;
	size_t i, blocks;
	int fd, bound = 0;

	(void)state;
	set_tz("UTC");
	gen_init(&g, 12);
	for (i = 0; i < 20000; i++) {
		t += rnd(&g) % 3;
		hdr_bsd(h, sizeof(h), t);
		gen_dated(&g, h, t);
	}
	fd = gen_file(&g, path);
	for (blocks = g.buf.len / TIMEWIN_BLOCK + 1; blocks > 1; blocks /= 2)
		bound++;
	for (i = 0; i < g.n; i += 97) {
		before = timewin_nreads();
		assert_int_equal(timewin_seek(fd, (off_t)g.buf.len, g.v[i].t, &year_2026_11, &off), 0);
		assert_true(off == g.v[i].off || g.v[i].t == g.v[i - 1].t);
		n = timewin_nreads() - before;
		if (n > most)
			most = n;
	}
	if (most > (unsigned long)(2 * bound + 4)) {
		print_error("%lu preads for one seek in %zu bytes (bound %d)\n", most, g.buf.len,
			    2 * bound + 4);
		fail();
	}
	close(fd);
	unlink(path);
	/* a 4 MB line without newline at the end */
	big = xmalloc(4 << 20);
	memset(big, 'q', 4 << 20);
	gen_raw(&g, big, 4 << 20, 0, 0, 0);
	fd = gen_file(&g, path);
	before = timewin_nreads();
	assert_int_equal(timewin_last_time(fd, (off_t)g.buf.len, &year_2026_11, &e, &at), 1);
	n = timewin_nreads() - before;
	assert_true(e == t);
	assert_true(at == g.v[g.n - 2].off);
	if (n > (4 << 20) / TIMEWIN_BLOCK + 8) {
		print_error("%lu preads to step back over 4 MB\n", n);
		fail();
	}
	close(fd);
	unlink(path);
	free(big);
	gen_free(&g);
	set_tz("Europe/Berlin");
}

/* A read error is reported, not taken for the end of the file. */
static void
test_seek_errors(void **state)
{
	int64_t t;
	off_t off = 7;
	int fd;

	(void)state;
	fd = open("/", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(timewin_seek(fd, 100000, 1795392000, NULL, &off), -1);
	assert_int_equal(timewin_last_time(fd, 100000, NULL, &t, NULL), -1);
	assert_int_equal(timewin_first_time(fd, 100000, NULL, &t, NULL), -1);
	close(fd);
	/* no bound or empty: 0 without reading */
	assert_int_equal(timewin_seek(-1, 100000, TIMEWIN_NONE_SINCE, NULL, &off), 0);
	assert_true(off == 0);
	assert_int_equal(timewin_seek(-1, 0, 5, NULL, &off), 0);
	assert_true(off == 0);
}

static void
test_line_time(void **state)
{
	static const char line[] = "<22>Nov 23 20:12:22 mx1 postfix/smtp[1]: x";
	struct hdr_year y = { .year = 2026, .month = 0, .ref_year = 2026, .ref_month = 11 };
	int64_t t;

	(void)state;
	set_tz("Europe/Berlin");
	assert_int_equal(timewin_line_time(line, sizeof(line) - 1, &y, &t), 1);
	assert_true(t == 1795461142);
	assert_int_equal(timewin_line_time("hello world, no date", 20, &y, &t), 0);
	assert_int_equal(timewin_line_time("", 0, &y, &t), 0);
	/* December with an mtime in January: last year */
	y.ref_year = 2027;
	y.ref_month = 1;
	assert_int_equal(timewin_line_time("Dec 31 23:59:59 mx1 postfix/smtp[1]: x", 38, &y, &t), 1);
	assert_true(t == 1798757999);	/* 2026-12-31T23:59:59+01:00 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time_table),
		cmocka_unit_test(test_parse_time_errors),
		cmocka_unit_test(test_parse_duration_table),
		cmocka_unit_test(test_logtime_epoch),
		cmocka_unit_test(test_logtime_epoch_dst_days),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_line_time),
		cmocka_unit_test(test_seek_bsd),
		cmocka_unit_test(test_seek_new_year),
		cmocka_unit_test(test_seek_iso_zone),
		cmocka_unit_test(test_seek_iso_local_dst),
		cmocka_unit_test(test_seek_garbage),
		cmocka_unit_test(test_seek_small),
		cmocka_unit_test(test_seek_disorder),
		cmocka_unit_test(test_seek_cost),
		cmocka_unit_test(test_seek_errors),
	};

	return cmocka_run_group_tests(tests, setup_berlin, NULL);
}
