/*
 * test_syslog_hdr.c - unit tests of the syslog header scanner: every
 * supported header layout, timestamp conversion (expected epochs computed
 * with date -u -d ... +%s), year inference for year-less headers,
 * rejections, logtime_format, and a table of header forms (BSD, leading
 * year, ISO 8601 with and without zone, short-full, <PRI>, RFC 5424 with
 * structured data, optional host, facility.level and level words, blank
 * runs) plus hostile lines (truncated, NUL, huge numbers, bad dates).
 *
 * Changed with issue 8: "Nov 3" (unpadded day), a missing host, ISO
 * without a zone and a space between date and time used to be rejected;
 * they are recognised now and appear in the table instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syslog_hdr.h"

/* date -u -d '2026-11-03T12:07:52Z' +%s */
#define T_2026_11_03_120752 INT64_C(1793707672)
/* date -u -d '2026-11-23T12:07:52Z' +%s */
#define T_2026_11_23_120752 INT64_C(1795435672)
/* date -u -d '2026-11-23T12:07:52+01:00' +%s */
#define T_2026_11_23_120752_P0100 INT64_C(1795432072)
/* date -u -d '2026-11-23T12:07:52-05:30' +%s */
#define T_2026_11_23_120752_M0530 INT64_C(1795455472)
/* date -u -d '2025-12-31T23:59:59Z' +%s */
#define T_2025_12_31_235959 INT64_C(1767225599)
/* date -u -d '2026-01-01T00:00:00Z' +%s */
#define T_2026_01_01_000000 INT64_C(1767225600)

#include "testutil.h"

static int
parse(const char *line, struct syslog_hdr *h)
{
	return syslog_hdr_parse(line, strlen(line), h);
}

static int
setup_ref(void **state)
{
	(void)state;
	syslog_hdr_set_reference(2026, 11);
	return 0;
}

static void
test_bsd_space_padded_day(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("Nov  3 12:07:52 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_BSD);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_int_equal(h.time.valid, 1);
	assert_true(h.time.sec == T_2026_11_03_120752);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.has_zone, 0);
	assert_int_equal(h.time.tzoff, 0);
}

static void
test_bsd_zero_padded_day(void **state)
{
	struct syslog_hdr h;

	(void)state;
	/* journalctl -o short and postlogd write "Nov 03" */
	assert_int_equal(parse("Nov 03 12:07:52 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_BSD);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_true(h.time.sec == T_2026_11_03_120752);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.has_zone, 0);

	assert_int_equal(parse("Nov 23 12:07:52 mail.example.com postfix/qmgr[7]: y", &h), 1);
	assert_span_eq(h.host, "mail.example.com");
	assert_span_eq(h.rest, "postfix/qmgr[7]: y");
	assert_true(h.time.sec == T_2026_11_23_120752);
}

static void
test_bsd_precise(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("Nov 03 12:07:52.123456 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_BSD_PRECISE);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_true(h.time.sec == T_2026_11_03_120752);
	assert_int_equal(h.time.usec, 123456);
	assert_int_equal(h.time.has_zone, 0);

	/* shorter fractions are scaled, longer ones cut to microseconds */
	assert_int_equal(parse("Nov  3 12:07:52.5 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_BSD_PRECISE);
	assert_int_equal(h.time.usec, 500000);
	assert_int_equal(parse("Nov  3 12:07:52.123456789 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.time.usec, 123456);
	assert_span_eq(h.host, "mx1");
	assert_int_equal(parse("Nov  3 12:07:52.000001 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.time.usec, 1);
}

static void
test_rfc3339_colon_offset(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("2026-11-23T12:07:52.123456+01:00 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_RFC3339);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_true(h.time.sec == T_2026_11_23_120752_P0100);
	assert_int_equal(h.time.usec, 123456);
	assert_int_equal(h.time.has_zone, 1);
	assert_int_equal(h.time.tzoff, 60);
	assert_int_equal(h.time.valid, 1);

	/* without a fraction */
	assert_int_equal(parse("2026-11-23T12:07:52+01:00 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_RFC3339);
	assert_true(h.time.sec == T_2026_11_23_120752_P0100);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.tzoff, 60);
}

static void
test_rfc3339_compact_offset(void **state)
{
	struct syslog_hdr h;

	(void)state;
	/* older systemd: +0100 without the colon */
	assert_int_equal(parse("2026-11-23T12:07:52+0100 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_RFC3339);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_true(h.time.sec == T_2026_11_23_120752_P0100);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.has_zone, 1);
	assert_int_equal(h.time.tzoff, 60);

	assert_int_equal(parse("2026-11-23T12:07:52.250+0100 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.time.usec, 250000);
	assert_true(h.time.sec == T_2026_11_23_120752_P0100);
}

static void
test_rfc3339_zulu(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("2026-11-23T12:07:52Z mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_RFC3339);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	assert_true(h.time.sec == T_2026_11_23_120752);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.has_zone, 1);
	assert_int_equal(h.time.tzoff, 0);

	assert_int_equal(parse("2026-11-23T12:07:52.000123Z mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.time.usec, 123);
	assert_true(h.time.sec == T_2026_11_23_120752);
}

static void
test_rfc3339_negative_offset(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("2026-11-23T12:07:52-05:30 mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_RFC3339);
	assert_true(h.time.sec == T_2026_11_23_120752_M0530);
	assert_int_equal(h.time.tzoff, -330);
	assert_int_equal(h.time.has_zone, 1);

	assert_int_equal(parse("2026-11-23T12:07:52.9-0530 mx1 postfix/smtp[1]: x", &h), 1);
	assert_true(h.time.sec == T_2026_11_23_120752_M0530);
	assert_int_equal(h.time.tzoff, -330);
	assert_int_equal(h.time.usec, 900000);

	/* crossing midnight backwards: 2025-12-31T23:59:59-01:00 = 2026-01-01T00:59:59Z */
	assert_int_equal(parse("2025-12-31T23:59:59-01:00 h x", &h), 1);
	assert_true(h.time.sec == T_2026_01_01_000000 + 3599);
}

static void
test_short_full(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_int_equal(parse("Mon 2026-11-23 12:07:52 CET mx1 postfix/smtp[1]: x", &h), 1);
	assert_int_equal(h.fmt, HDR_FULL);
	assert_span_eq(h.host, "mx1");
	assert_span_eq(h.rest, "postfix/smtp[1]: x");
	/* the zone name is not interpreted: wall clock stored as UTC */
	assert_true(h.time.sec == T_2026_11_23_120752);
	assert_int_equal(h.time.usec, -1);
	assert_int_equal(h.time.has_zone, 0);
	assert_int_equal(h.time.tzoff, 0);
	assert_int_equal(h.time.valid, 1);

	assert_int_equal(parse("Wed 2025-12-31 23:59:59 EST mx2 postfix/qmgr[2]: y", &h), 1);
	assert_int_equal(h.fmt, HDR_FULL);
	assert_span_eq(h.host, "mx2");
	assert_span_eq(h.rest, "postfix/qmgr[2]: y");
	assert_true(h.time.sec == T_2025_12_31_235959);
}

static void
test_format_switching(void **state)
{
	struct syslog_hdr h;
	int i;

	(void)state;
	/* the parser tries the last successful format first; alternating
	 * formats must all still be recognised */
	for (i = 0; i < 3; i++) {
		assert_int_equal(parse("2026-11-23T12:07:52Z mx1 a", &h), 1);
		assert_int_equal(h.fmt, HDR_RFC3339);
		assert_int_equal(parse("Nov 23 12:07:52 mx1 a", &h), 1);
		assert_int_equal(h.fmt, HDR_BSD);
		assert_int_equal(parse("Mon 2026-11-23 12:07:52 CET mx1 a", &h), 1);
		assert_int_equal(h.fmt, HDR_FULL);
		assert_int_equal(parse("Nov 23 12:07:52.1 mx1 a", &h), 1);
		assert_int_equal(h.fmt, HDR_BSD_PRECISE);
		assert_int_equal(parse("not a header at all", &h), 0);
	}
}

static void
test_year_inference(void **state)
{
	struct syslog_hdr h;

	(void)state;
	/* a log read in January 2026 still holds December 2025 */
	syslog_hdr_set_reference(2026, 1);
	assert_int_equal(parse("Dec 31 23:59:59 h postfix/smtp[1]: x", &h), 1);
	assert_true(h.time.sec == T_2025_12_31_235959);
	assert_int_equal(parse("Jan  1 00:00:00 h postfix/smtp[1]: x", &h), 1);
	assert_true(h.time.sec == T_2026_01_01_000000);
	/* ref_month + 1 still belongs to the reference year (clock skew) */
	assert_int_equal(parse("Feb  1 00:00:00 h x", &h), 1);
	assert_true(h.time.sec == T_2026_01_01_000000 + 31 * 86400);
	/* March is later than January + 1: previous year */
	assert_int_equal(parse("Mar  1 00:00:00 h x", &h), 1);
	assert_true(h.time.sec == (int64_t)days_from_civil(2025, 3, 1) * 86400);

	syslog_hdr_set_reference(2026, 11);
	assert_int_equal(parse("Nov 23 12:07:52 h x", &h), 1);
	assert_true(h.time.sec == T_2026_11_23_120752);
	assert_int_equal(parse("Dec 31 23:59:59 h x", &h), 1);
	assert_true(h.time.sec == T_2026_01_01_000000 + 365 * 86400 - 1);

	/* headers with a year ignore the reference */
	syslog_hdr_set_reference(2030, 6);
	assert_int_equal(parse("2026-11-23T12:07:52Z h x", &h), 1);
	assert_true(h.time.sec == T_2026_11_23_120752);
	assert_int_equal(parse("Mon 2026-11-23 12:07:52 CET h x", &h), 1);
	assert_true(h.time.sec == T_2026_11_23_120752);
	syslog_hdr_set_reference(2026, 11);
}

static void
assert_rejected(const char *line)
{
	struct syslog_hdr h;

	memset(&h, 0x5a, sizeof(h));
	if (parse(line, &h) != 0)
		fail_msg("accepted: \"%s\"", line);
	/* a failed parse leaves a cleared header */
	assert_int_equal(h.fmt, HDR_UNKNOWN);
	assert_int_equal(h.time.valid, 0);
}

static void
test_rejections(void **state)
{
	struct syslog_hdr h;

	(void)state;
	assert_rejected("");
	assert_rejected("garbage");
	assert_rejected("this is certainly not a syslog header line");
	assert_rejected("Foo 23 12:07:52 h x");
	assert_rejected("nov 23 12:07:52 h x");
	assert_rejected("Nov 23 25:07:52 h x");		/* hour 25 */
	assert_rejected("Nov 23 24:00:00 h x");
	assert_rejected("Nov 23 12:60:52 h x");
	assert_rejected("Nov 23 12:07:61 h x");
	assert_rejected("Nov 32 12:07:52 h x");
	assert_rejected("Nov 00 12:07:52 h x");
	assert_rejected("Nov 23 12-07-52 h x");
	assert_rejected("Nov 23 12:07");			/* truncated */
	assert_rejected("Nov 23 12:07:52");
	assert_rejected("Nov 23 12:07:52 ");		/* no host */
	assert_rejected("Nov 23 12:07:52 mx1");		/* host without rest */
	assert_rejected("Nov 23 12:07:52.mx1 x");
	assert_rejected("Nov 23 12:07:52x mx1 x");
	assert_rejected("2026-13-23T12:07:52Z mx1 x");
	assert_rejected("2026-11-00T12:07:52Z mx1 x");
	assert_rejected("2026-11-23T12:07:52+15:00 mx1 x");
	assert_rejected("2026-11-23T12:07:52+01:60 mx1 x");
	assert_rejected("2026-11-23T12:07:52+01 mx1 x");
	assert_rejected("2026-11-23T12:07:52Z");
	assert_rejected("2026-11-23T12:07:52Zmx1 x");
	assert_rejected("Mon 2026-11-23 12:07:52 CET");
	assert_rejected("Mon 2026-11-23 12:07:52 Europe/Zurich mx1 x");	/* zone > 6 */
	assert_rejected("Mon 2026-11-23 25:07:52 CET mx1 x");

	/* the parser must not read past len: a valid header cut short */
	assert_int_equal(syslog_hdr_parse("Nov 23 12:07:52 mx1 x", 15, &h), 0);
	assert_int_equal(syslog_hdr_parse("2026-11-23T12:07:52Z mx1 x", 20, &h), 0);
}


/* One row of the header table. fmt HDR_UNKNOWN: the line is rejected.
 * y == 0: the header has no valid time. ident NULL: no tag found. */
#define NOZ 9999		/* no zone */
#define NOPID (-1L)
struct hdr_case {
	const char *line;
	size_t len;
	enum hdr_format fmt;
	int y, mo, d, h, mi, s;
	int32_t usec;
	int zone;		/* minutes east of UTC, or NOZ */
	const char *host, *level;
	const char *ident;
	long pid;
	const char *text;	/* tag text, or rest when there is no tag */
	int split, pri;
};

#define L(lit) lit, sizeof(lit) - 1
#define REJECT(lit) { L(lit), HDR_UNKNOWN, 0, 0, 0, 0, 0, 0, -1, NOZ, "", "", NULL, NOPID, "", 0, -1 }

static const struct hdr_case hdr_cases[] = {
	/* BSD: space-, zero- and un-padded day, blank runs, fraction */
	{ L("Nov  3 12:07:52 mx1 postfix/smtp[1]: x"), HDR_BSD, 2026, 11, 3, 12, 7, 52, -1, NOZ,
	  "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Nov 03 12:07:52 mx1 postfix/smtp[1]: x"), HDR_BSD, 2026, 11, 3, 12, 7, 52, -1, NOZ,
	  "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Mar 7 02:09:33 mx1 postfix/qmgr[12]: y"), HDR_BSD, 2026, 3, 7, 2, 9, 33, -1, NOZ,
	  "mx1", "", "postfix/qmgr", 12, "y", 0, -1 },
	{ L("Mar  7 02:09:33.5 mx1 postfix/qmgr[12]: y"), HDR_BSD_PRECISE, 2026, 3, 7, 2, 9, 33,
	  500000, NOZ, "mx1", "", "postfix/qmgr", 12, "y", 0, -1 },
	{ L("Mar 07 02:09:33.123456789 mx1 postfix/qmgr[12]: y"), HDR_BSD_PRECISE, 2026, 3, 7, 2,
	  9, 33, 123456, NOZ, "mx1", "", "postfix/qmgr", 12, "y", 0, -1 },
	{ L("Mar\t7\t02:09:33\tmx1\tpostfix/smtp[1]: x"), HDR_BSD, 2026, 3, 7, 2, 9, 33, -1, NOZ,
	  "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Mar   7   02:09:33    mx1  \t  postfix/smtp[1]: x"), HDR_BSD, 2026, 3, 7, 2, 9, 33,
	  -1, NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Dec 31 23:59:59 mail.example.com postfix-out/relay/smtp[99999]: z"), HDR_BSD, 2026,
	  12, 31, 23, 59, 59, -1, NOZ, "mail.example.com", "", "postfix-out/relay/smtp", 99999,
	  "z", 0, -1 },
	/* glibc on the wire and busybox: <PRI>, no host, facility.level */
	{ L("<22>Dec  5 07:20:55 mail postfix/smtp[123]: 3F2A81C0D1: to=<b>"), HDR_BSD, 2026, 12,
	  5, 7, 20, 55, -1, NOZ, "mail", "", "postfix/smtp", 123, "3F2A81C0D1: to=<b>", 0, 22 },
	{ L("<22>Dec  5 07:20:55 postfix/smtp[123]: t"), HDR_BSD, 2026, 12, 5, 7, 20, 55, -1, NOZ,
	  "", "", "postfix/smtp", 123, "t", 0, 22 },
	{ L("Dec  5 07:20:55 mail mail.info postfix/smtp[123]: t"), HDR_BSD, 2026, 12, 5, 7, 20,
	  55, -1, NOZ, "mail", "mail.info", "postfix/smtp", 123, "t", 0, -1 },
	{ L("Dec  5 07:20:55 postfix/smtp[123]: t"), HDR_BSD, 2026, 12, 5, 7, 20, 55, -1, NOZ,
	  "", "", "postfix/smtp", 123, "t", 0, -1 },
	{ L("Dec  5 07:20:55 mail local3.warn postfix/smtp[123]: warning: t"), HDR_BSD, 2026, 12,
	  5, 7, 20, 55, -1, NOZ, "mail", "local3.warn", "postfix/smtp", 123, "warning: t", 0, -1 },
	{ L("<0>Nov 23 12:07:52 mx1 postfix/smtp[1]: x"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1,
	  NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, 0 },
	{ L("<191>Nov 23 12:07:52 mx1 postfix/smtp[1]: x"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1,
	  NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, 191 },
	/* leading year (syslog-ng ts-format(full)) */
	{ L("2013 Jun 12 06:35:24.123 host postfix/smtp[1]: t"), HDR_BSD_YEAR, 2013, 6, 12, 6, 35,
	  24, 123000, NOZ, "host", "", "postfix/smtp", 1, "t", 0, -1 },
	{ L("2013 Jun  2 06:35:24 host postfix/smtp[1]: t"), HDR_BSD_YEAR, 2013, 6, 2, 6, 35, 24,
	  -1, NOZ, "host", "", "postfix/smtp", 1, "t", 0, -1 },
	{ L("<13>2013 Jun 12 06:35:24 host x"), HDR_BSD_YEAR, 2013, 6, 12, 6, 35, 24, -1, NOZ,
	  "host", "", NULL, NOPID, "x", 0, 13 },
	{ L("2024 Feb 29 00:00:00 h x"), HDR_BSD_YEAR, 2024, 2, 29, 0, 0, 0, -1, NOZ, "h", "",
	  NULL, NOPID, "x", 0, -1 },
	/* ISO 8601 / RFC 3339: zones, 'T' or blanks, fraction */
	{ L("2026-11-23T12:07:52.123456+01:00 mx1 postfix/smtp[1]: x"), HDR_RFC3339, 2026, 11,
	  23, 12, 7, 52, 123456, 60, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23T12:07:52+0100 mx1 postfix/smtp[1]: x"), HDR_RFC3339, 2026, 11, 23, 12, 7,
	  52, -1, 60, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23T12:07:52Z mx1 postfix/smtp[1]: x"), HDR_RFC3339, 2026, 11, 23, 12, 7, 52,
	  -1, 0, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23T12:07:52-05:30 mx1 postfix/smtp[1]: x"), HDR_RFC3339, 2026, 11, 23, 12, 7,
	  52, -1, -330, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23 12:07:52Z mx1 postfix/smtp[1]: x"), HDR_RFC3339, 2026, 11, 23, 12, 7, 52,
	  -1, 0, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23T12:07:52 mx1 postfix/smtp[1]: x"), HDR_ISO_LOCAL, 2026, 11, 23, 12, 7, 52,
	  -1, NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2026-11-23  12:07:52.5 mx1 postfix/smtp[1]: x"), HDR_ISO_LOCAL, 2026, 11, 23, 12, 7,
	  52, 500000, NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("2024-02-29T00:00:00Z h x"), HDR_RFC3339, 2024, 2, 29, 0, 0, 0, -1, 0, "h", "", NULL,
	  NOPID, "x", 0, -1 },
	{ L("2026-06-30T23:59:60Z h x"), HDR_RFC3339, 2026, 6, 30, 23, 59, 60, -1, 0, "h", "",
	  NULL, NOPID, "x", 0, -1 },
	{ L("<22>2024-12-05T07:20:55+00:00 mail postfix/smtp[123]: t"), HDR_RFC3339, 2024, 12, 5,
	  7, 20, 55, -1, 0, "mail", "", "postfix/smtp", 123, "t", 0, 22 },
	/* docker images: no host, a level word and blanks */
	{ L("2021-01-24T14:43:33.171226+00:00 INFO    postfix/smtp[138]: t"), HDR_RFC3339, 2021, 1,
	  24, 14, 43, 33, 171226, 0, "", "INFO", "postfix/smtp", 138, "t", 0, -1 },
	{ L("2021-01-24T14:43:33.171226+00:00 mx1 WARNING postfix/smtp[138]: warning: t"),
	  HDR_RFC3339, 2021, 1, 24, 14, 43, 33, 171226, 0, "mx1", "WARNING", "postfix/smtp", 138,
	  "warning: t", 0, -1 },
	/* docker compose logs: "SERVICE-1  | " before the header */
	{ L("postfix-mailcow-1  | Jan 27 16:22:28 mail postfix/lmtp[15349]: t"), HDR_BSD, 2026, 1,
	  27, 16, 22, 28, -1, NOZ, "mail", "", "postfix/lmtp", 15349, "t", 0, -1 },
	/* journalctl short-full */
	{ L("Mon 2026-11-23 12:07:52 CET mx1 postfix/smtp[1]: x"), HDR_FULL, 2026, 11, 23, 12, 7,
	  52, -1, NOZ, "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Sun 2026-11-22  12:07:52  UTC  postfix/smtp[1]: x"), HDR_FULL, 2026, 11, 22, 12, 7,
	  52, -1, NOZ, "", "", "postfix/smtp", 1, "x", 0, -1 },
	/* RFC 5424: tag cut at '/', whole tag, structured data, nil values */
	{ L("<22>1 2024-03-07T02:09:33.123Z host postfix 1234 - - text"), HDR_RFC5424, 2024, 3, 7,
	  2, 9, 33, 123000, 0, "host", "", "postfix", 1234, "text", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55.123456+00:00 mail postfix 123 - -  3F2A81C0D1: to=<b>"),
	  HDR_RFC5424, 2024, 12, 5, 7, 20, 55, 123456, 0, "mail", "", "postfix", 123,
	  "3F2A81C0D1: to=<b>", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55.123456+00:00 mail postfix/smtp 123 - - x"), HDR_RFC5424,
	  2024, 12, 5, 7, 20, 55, 123456, 0, "mail", "", "postfix/smtp", 123, "x", 1, 22 },
	{ L("<20>1 2024-12-05T07:20:55Z mail postfix/smtp 123 ID47 [exampleSDID@32473 iut=\"3\" "
	    "eventSource=\"Application\"][examplePriority@32473 class=\"high\"] warning: x"),
	  HDR_RFC5424, 2024, 12, 5, 7, 20, 55, -1, 0, "mail", "", "postfix/smtp", 123,
	  "warning: x", 1, 20 },
	{ L("<22>1 2024-12-05T07:20:55Z mail postfix 9 - [a b=\"x\\\"]y\" c=\"\\\\\"] m"),
	  HDR_RFC5424, 2024, 12, 5, 7, 20, 55, -1, 0, "mail", "", "postfix", 9, "m", 1, 22 },
	{ L("<22>1 - - postfix 9 - - m"), HDR_RFC5424, 0, 0, 0, 0, 0, 0, -1, NOZ, "", "",
	  "postfix", 9, "m", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55Z mail postfix - - - m"), HDR_RFC5424, 2024, 12, 5, 7, 20,
	  55, -1, 0, "mail", "", "postfix", NOPID, "m", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55Z mail postfix 12ab - - m"), HDR_RFC5424, 2024, 12, 5, 7, 20,
	  55, -1, 0, "mail", "", "postfix", NOPID, "m", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55Z mail postfix 9 - -"), HDR_RFC5424, 2024, 12, 5, 7, 20, 55,
	  -1, 0, "mail", "", "postfix", 9, "", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55Z mail postfix 9 - - \xef\xbb\xbfm"), HDR_RFC5424, 2024, 12,
	  5, 7, 20, 55, -1, 0, "mail", "", "postfix", 9, "m", 1, 22 },
	{ L("<22>1 2024-12-05T07:20:55 mail sshd 9 - - m"), HDR_RFC5424, 2024, 12, 5, 7, 20, 55,
	  -1, NOZ, "mail", "", "sshd", 9, "m", 1, 22 },
	/* tags of other programs, no tag, odd hosts */
	{ L("Nov 23 12:07:52 mx1 kernel: [123.4] eth0"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1,
	  NOZ, "mx1", "", "kernel", NOPID, "[123.4] eth0", 0, -1 },
	{ L("Nov 23 12:07:52 mx1 -- MARK --"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1, NOZ, "mx1",
	  "", NULL, NOPID, "-- MARK --", 0, -1 },
	{ L("Nov 23 12:07:52 2001:db8::1 postfix/smtp[1]: x"), HDR_BSD, 2026, 11, 23, 12, 7, 52,
	  -1, NOZ, "2001:db8::1", "", "postfix/smtp", 1, "x", 0, -1 },
	{ L("Nov 23 12:07:52 mx1 postfix/smtp[1]:"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1, NOZ,
	  "mx1", "", "postfix/smtp", 1, "", 0, -1 },
	{ L("Nov 23 12:07:52 mx1 postfix/smtp[1]:x"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1, NOZ,
	  "mx1", "", "postfix/smtp", 1, "x", 0, -1 },
	/* a year-less Feb 29 is kept (the year is only a guess) */
	{ L("Feb 29 00:00:00 h x"), HDR_BSD, 2026, 2, 29, 0, 0, 0, -1, NOZ, "h", "", NULL, NOPID,
	  "x", 0, -1 },
	/* hostile, but the header itself is fine: the tag is not one */
	{ L("Nov 23 12:07:52 h postfix/smtp[12345678901]: x"), HDR_BSD, 2026, 11, 23, 12, 7, 52,
	  -1, NOZ, "h", "", NULL, NOPID, "postfix/smtp[12345678901]: x", 0, -1 },
	{ L("Nov 23 12:07:52 h postfix/smtp[1\0]: x"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1, NOZ,
	  "h", "", NULL, NOPID, "postfix/smtp[1", 0, -1 },
	{ L("Nov 23 12:07:52 h postfix/smtp[12 x"), HDR_BSD, 2026, 11, 23, 12, 7, 52, -1, NOZ,
	  "h", "", NULL, NOPID, "postfix/smtp[12 x", 0, -1 },

	/* bad dates and times */
	REJECT("Feb 30 12:00:00 h x"),
	REJECT("Apr 31 12:00:00 h x"),
	REJECT("2026-02-29T00:00:00Z h x"),
	REJECT("2026-02-30 12:00:00 h x"),
	REJECT("2013 Feb 29 00:00:00 h x"),
	REJECT("2026-04-31T12:00:00Z h x"),
	REJECT("Nov 23 25:00:00 h x"),
	REJECT("2026-11-23T25:00:00Z h x"),
	REJECT("2026-11-23T24:00:00 h x"),
	REJECT("Nov 23 12:61:00 h x"),
	REJECT("Mon 2026-02-30 12:07:52 CET mx1 x"),
	REJECT("<22>1 2024-13-05T07:20:55Z mail postfix 9 - - m"),
	/* huge numbers */
	REJECT("Nov 123 12:07:52 h x"),
	REJECT("Nov 23 123:07:52 h x"),
	REJECT("99999-11-23T12:07:52Z h x"),
	REJECT("2026-011-23T12:07:52Z h x"),
	REJECT("<99999999999999999999>Nov 23 12:07:52 h x"),
	REJECT("<192>Nov 23 12:07:52 h x"),
	REJECT("<1000>1 2024-12-05T07:20:55Z mail postfix 9 - - m"),
	REJECT("2026-11-23T12:07:52+99:00 h x"),
	REJECT("2026-11-23T12:07:52+0960 h x"),
	/* truncated */
	REJECT("<>Nov 23 12:07:52 h x"),
	REJECT("<22"),
	REJECT("<22>"),
	REJECT("<22>1"),
	REJECT("<22>1 "),
	REJECT("Nov 23 12:07:5"),
	REJECT("Nov 23 12:07:52"),
	REJECT("Nov 23 12:07:52 \t "),
	REJECT("2026-11-23T12:07"),
	REJECT("2026-11-23T12:07:52.123+01:"),
	REJECT("Mon 2026-11-23 12:07:52"),
	REJECT("Mon 2026-11-23 12:07:52 CET"),
	REJECT("<22>1 2024-12-05T07:20:55Z mail postfix"),
	REJECT("<22>1 2024-12-05T07:20:55Z mail postfix 9 -"),
	REJECT("<22>1 2024-12-05T07:20:55Z mail postfix 9 - [unclosed x=\"]\""),
	REJECT("<22>1 2024-12-05T07:20:55Z mail postfix 9 - x m"),
	REJECT("<22>1 2024-12-05T07:20:55Z mail postfix 9 - [a]m"),
	REJECT("<22>01 2024-12-05T07:20:55Z mail postfix 9 - - m"),
	REJECT("2013 Jun"),
	REJECT("Jun"),
	/* NUL bytes inside the header */
	REJECT("Nov 2\0 12:07:52 h x"),
	REJECT("Nov 23 12:07:52\0h x"),
	REJECT("2026-11-23T12:07:52\0 h x"),
	REJECT("<2\0>Nov 23 12:07:52 h x"),
	REJECT("\0Nov 23 12:07:52 h x"),
	/* neither a timestamp nor a header */
	REJECT("@4000000069236e2c1d0a2b3c postfix/smtp[72250]: x"),
	REJECT("23/11/2026 12:06:01 mx1 postfix/qmgr[1311]: y"),
	REJECT("mx1 postfix/smtp[72252]: no timestamp at all"),
	REJECT("Fri Nov 23 12:07:52 2026 h x"),
	REJECT("1733383255.123456 mail postfix/smtp[123]: x"),
};

static void
check_span(size_t i, const char *what, struct span got, const char *want)
{
	size_t n = strlen(want);

	if (got.len != n || (n > 0 && memcmp(got.p, want, n) != 0))
		fail_msg("case %zu \"%s\": %s is \"%.*s\", expected \"%s\"", i,
			 hdr_cases[i].line, what, (int)got.len, got.p, want);
}

static void
test_header_table(void **state)
{
	struct syslog_hdr h;
	size_t i;
	int64_t want;

	(void)state;
	for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		int ok;

		memset(&h, 0x5a, sizeof(h));
		ok = syslog_hdr_parse(c->line, c->len, &h);
		if (ok != (c->fmt != HDR_UNKNOWN))
			fail_msg("case %zu \"%s\": parse returned %d", i, c->line, ok);
		if (h.fmt != c->fmt)
			fail_msg("case %zu \"%s\": format %s, expected %s", i, c->line,
				 syslog_hdr_format_name(h.fmt), syslog_hdr_format_name(c->fmt));
		if (!ok) {
			assert_int_equal(h.time.valid, 0);
			assert_int_equal(h.tag.found, 0);
			continue;
		}
		if (c->y == 0) {
			if (h.time.valid)
				fail_msg("case %zu \"%s\": time should be invalid", i, c->line);
		} else {
			want = days_from_civil(c->y, (unsigned)c->mo, (unsigned)c->d) * 86400
			    + c->h * 3600 + c->mi * 60 + c->s - (c->zone == NOZ ? 0 : c->zone * 60);
			if (!h.time.valid || h.time.sec != want)
				fail_msg("case %zu \"%s\": time %lld, expected %lld", i, c->line,
					 (long long)h.time.sec, (long long)want);
			if (h.time.usec != c->usec)
				fail_msg("case %zu \"%s\": usec %d, expected %d", i, c->line,
					 (int)h.time.usec, (int)c->usec);
			if (h.time.has_zone != (c->zone != NOZ)
			    || (c->zone != NOZ && h.time.tzoff != c->zone))
				fail_msg("case %zu \"%s\": zone %d/%d, expected %d", i, c->line,
					 h.time.has_zone, h.time.tzoff, c->zone);
		}
		check_span(i, "host", h.host, c->host);
		check_span(i, "level", h.level, c->level);
		if (h.pri != c->pri)
			fail_msg("case %zu \"%s\": pri %d, expected %d", i, c->line, h.pri, c->pri);
		if (c->ident == NULL) {
			if (h.tag.found)
				fail_msg("case %zu \"%s\": unexpected tag", i, c->line);
			/* rest runs to the end of the line and starts with text */
			if (h.rest.p + h.rest.len != c->line + c->len
			    || h.rest.len < strlen(c->text)
			    || memcmp(h.rest.p, c->text, strlen(c->text)) != 0)
				fail_msg("case %zu \"%s\": rest is \"%.*s\"", i, c->line,
					 (int)h.rest.len, h.rest.p);
			continue;
		}
		if (!h.tag.found)
			fail_msg("case %zu \"%s\": no tag found", i, c->line);
		check_span(i, "ident", h.tag.ident, c->ident);
		check_span(i, "text", h.tag.text, c->text);
		if (h.tag.pid != c->pid || h.tag.split != c->split)
			fail_msg("case %zu \"%s\": pid %ld split %d, expected %ld %d", i, c->line,
				 h.tag.pid, h.tag.split, c->pid, c->split);
		/* rest starts at the tag (RFC 5424: at APP-NAME) */
		if (h.rest.p != h.tag.ident.p && !(c->split && c->ident[0] == '\0'))
			fail_msg("case %zu \"%s\": rest does not start at the tag", i, c->line);
	}
	print_message("%zu header table cases\n", i);
}

/* A Postfix tag near the start of a line whose header is unreadable. */
static void
test_tag_find(void **state)
{
	static const struct {
		const char *line, *name, *ident, *text;
		long pid;
	} cases[] = {
		{ "@4000000069236e2c1d0a2b3c postfix/smtp[72250]: x", "postfix", "postfix/smtp", "x", 72250 },
		{ "23/11/2026 12:06:01 mx1 postfix/qmgr[1311]: y", "postfix", "postfix/qmgr", "y", 1311 },
		{ "mx1 postfix-out/smtp[2]: z", "postfix", "postfix-out/smtp", "z", 2 },
		{ "postfix[3]: the command", "postfix", "postfix", "the command", 3 },
		{ "<x>postfix/smtp[4]: w", "postfix", "postfix/smtp", "w", 4 },
		{ "junk mta/smtp[5]: v", "mta", "mta/smtp", "v", 5 },
		/* the first candidate is no tag, the second is */
		{ "postfix.service postfix/smtp[6]: u", "postfix", "postfix/smtp", "u", 6 },
		{ "systemd[1]: Started postfix.service", "postfix", NULL, NULL, 0 },
		{ "mx1 /usr/lib/postfix/smtp[1]: x", "postfix", NULL, NULL, 0 },
		{ "mx1 xpostfix/smtp[1]: x", "postfix", NULL, NULL, 0 },
		{ "mx1 postfix/smtp[7229", "postfix", NULL, NULL, 0 },
		{ "mx1 postfix/smtp: no pid", "postfix", NULL, NULL, 0 },
		{ "mx1 postfix/smtp[123456789012]: x", "postfix", NULL, NULL, 0 },
		{ "", "postfix", NULL, NULL, 0 },
	};
	struct syslog_tag t;
	char longline[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *m;

		memset(&t, 0, sizeof(t));
		m = syslog_tag_find(cases[i].line, strlen(cases[i].line),
				    (struct span){ cases[i].name, strlen(cases[i].name) }, &t);
		if (cases[i].ident == NULL) {
			if (m != NULL)
				fail_msg("found a tag in \"%s\"", cases[i].line);
			continue;
		}
		if (m == NULL)
			fail_msg("no tag found in \"%s\"", cases[i].line);
		assert_ptr_equal(m, t.ident.p);
		check_span(0, cases[i].line, t.ident, cases[i].ident);
		check_span(0, cases[i].line, t.text, cases[i].text);
		assert_int_equal(t.pid, cases[i].pid);
	}
	/* only near the start of the line */
	memset(longline, 'x', sizeof(longline));
	memcpy(longline + SYSLOG_TAG_SEARCH - 10, " postfix/smtp[1]: y", 19);
	assert_non_null(syslog_tag_find(longline, sizeof(longline), SPAN_LIT("postfix"), &t));
	memset(longline, 'x', sizeof(longline));
	memcpy(longline + SYSLOG_TAG_SEARCH, " postfix/smtp[1]: y", 19);
	assert_null(syslog_tag_find(longline, sizeof(longline), SPAN_LIT("postfix"), &t));
	assert_null(syslog_tag_find("postfix/smtp[1]: y", 18, SPAN_EMPTY, &t));
}

/* Every prefix of a valid line must parse without reading past len
 * (run under ASan); only the whole line is accepted. */
static void
test_prefixes(void **state)
{
	static const char *const lines[] = {
		"<22>1 2024-12-05T07:20:55.123456+00:00 mail postfix 123 - [a b=\"c\\\"]\"] 3F2A81C0D1: x",
		"2021-01-24T14:43:33.171226+00:00 INFO    postfix/smtp[138]: t",
		"Mon 2026-11-23 12:07:52 CET mx1 postfix/smtp[1]: x",
		"<13>2013 Jun 12 06:35:24.123 host mail.info postfix/smtp[1]: t",
	};
	struct syslog_hdr h;
	size_t i, n, len;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		len = strlen(lines[i]);
		for (n = 0; n <= len; n++) {
			buf = malloc(n > 0 ? n : 1);
			assert_non_null(buf);
			memcpy(buf, lines[i], n);
			(void)syslog_hdr_parse(buf, n, &h);
			free(buf);
		}
		assert_int_equal(syslog_hdr_parse(lines[i], len, &h), 1);
	}
}

static void
test_logtime_format(void **state)
{
	struct logtime t;
	char buf[64];

	(void)state;
	memset(&t, 0, sizeof(t));
	t.valid = 1;
	t.sec = T_2026_11_23_120752_P0100;
	t.usec = 123456;
	t.has_zone = 1;
	t.tzoff = 60;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T12:07:52.123456+01:00");

	t.usec = -1;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T12:07:52+01:00");

	t.sec = T_2026_11_23_120752_M0530;
	t.tzoff = -330;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T12:07:52-05:30");

	t.sec = T_2026_11_23_120752;
	t.tzoff = 0;
	t.usec = 5;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T12:07:52.000005+00:00");

	/* no zone: wall clock, no suffix */
	t.has_zone = 0;
	t.usec = -1;
	t.sec = T_2025_12_31_235959;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12-31T23:59:59");
	t.usec = 500000;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12-31T23:59:59.500000");

	/* before the epoch */
	t.sec = -1;
	t.usec = -1;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59");

	/* invalid time: empty string */
	strcpy(buf, "junk");
	t.valid = 0;
	logtime_format(&t, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void
test_parse_format_roundtrip(void **state)
{
	static const struct {
		const char *line, *iso;
	} cases[] = {
		{ "2026-11-23T12:07:52.123456+01:00 mx1 x", "2026-11-23T12:07:52.123456+01:00" },
		{ "2026-11-23T12:07:52+0100 mx1 x", "2026-11-23T12:07:52+01:00" },
		{ "2026-11-23T12:07:52Z mx1 x", "2026-11-23T12:07:52+00:00" },
		{ "2026-11-23T12:07:52.5-08:00 mx1 x", "2026-11-23T12:07:52.500000-08:00" },
		{ "Nov  3 12:07:52 mx1 x", "2026-11-03T12:07:52" },
		{ "Nov 03 12:07:52.123456 mx1 x", "2026-11-03T12:07:52.123456" },
		{ "Mon 2026-11-23 12:07:52 CET mx1 x", "2026-11-23T12:07:52" },
	};
	struct syslog_hdr h;
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].line, &h), 1);
		logtime_format(&h.time, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].iso);
	}
}

static void
test_format_names_and_days(void **state)
{
	(void)state;
	assert_string_equal(syslog_hdr_format_name(HDR_UNKNOWN), "unknown");
	assert_string_equal(syslog_hdr_format_name(HDR_BSD), "bsd");
	assert_string_equal(syslog_hdr_format_name(HDR_BSD_PRECISE), "bsd-precise");
	assert_string_equal(syslog_hdr_format_name(HDR_RFC3339), "rfc3339");
	assert_string_equal(syslog_hdr_format_name(HDR_FULL), "short-full");
	assert_string_equal(syslog_hdr_format_name(HDR_NFORMATS), "unknown");

	assert_true(days_from_civil(1970, 1, 1) == 0);
	assert_true(days_from_civil(1969, 12, 31) == -1);
	assert_true(days_from_civil(2000, 3, 1) == 11017);
	/* date -u -d 2024-02-29 +%s = 1709164800 */
	assert_true(days_from_civil(2024, 2, 29) * 86400 == INT64_C(1709164800));
	assert_true(days_from_civil(2026, 11, 23) * 86400 + 12 * 3600 + 7 * 60 + 52
		    == T_2026_11_23_120752);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bsd_space_padded_day, setup_ref),
		cmocka_unit_test_setup(test_bsd_zero_padded_day, setup_ref),
		cmocka_unit_test_setup(test_bsd_precise, setup_ref),
		cmocka_unit_test_setup(test_rfc3339_colon_offset, setup_ref),
		cmocka_unit_test_setup(test_rfc3339_compact_offset, setup_ref),
		cmocka_unit_test_setup(test_rfc3339_zulu, setup_ref),
		cmocka_unit_test_setup(test_rfc3339_negative_offset, setup_ref),
		cmocka_unit_test_setup(test_short_full, setup_ref),
		cmocka_unit_test_setup(test_format_switching, setup_ref),
		cmocka_unit_test_setup(test_year_inference, setup_ref),
		cmocka_unit_test_setup(test_rejections, setup_ref),
		cmocka_unit_test(test_logtime_format),
		cmocka_unit_test_setup(test_parse_format_roundtrip, setup_ref),
		cmocka_unit_test(test_format_names_and_days),
		cmocka_unit_test_setup(test_header_table, setup_ref),
		cmocka_unit_test(test_tag_find),
		cmocka_unit_test_setup(test_prefixes, setup_ref),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
