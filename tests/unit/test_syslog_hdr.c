/*
 * test_syslog_hdr.c - unit tests of the syslog header scanner: every
 * supported header layout, timestamp conversion (expected epochs computed
 * with date -u -d ... +%s), year inference for year-less headers,
 * rejections, and logtime_format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
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
	assert_rejected("Nov 3 12:07:52 h x");		/* day neither padded */
	assert_rejected("Nov 23 12-07-52 h x");
	assert_rejected("Nov 23 12:07");			/* truncated */
	assert_rejected("Nov 23 12:07:52");
	assert_rejected("Nov 23 12:07:52 ");		/* no host */
	assert_rejected("Nov 23 12:07:52  postfix/smtp[1]: x");	/* empty host */
	assert_rejected("Nov 23 12:07:52 mx1");		/* host without rest */
	assert_rejected("Nov 23 12:07:52.mx1 x");
	assert_rejected("Nov 23 12:07:52x mx1 x");
	assert_rejected("2026-11-23T12:07:52 mx1 x");	/* RFC 3339 without zone */
	assert_rejected("2026-13-23T12:07:52Z mx1 x");
	assert_rejected("2026-11-00T12:07:52Z mx1 x");
	assert_rejected("2026-11-23 12:07:52Z mx1 x");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
