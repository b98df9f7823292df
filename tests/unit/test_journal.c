/*
 * test_journal.c - unit tests of the journald source's rendering of an
 * entry (journal_render): a table of entries (time in usec, zone, host,
 * ident, pid, message with newlines, NUL, invalid UTF-8, over-long) ->
 * expected line, truncation flag and header fields; the rendering must
 * read back the same through syslog_hdr_parse and record_parse_hdr.
 * Times (TZ=Europe/Berlin): date -u -d '2026-11-23T11:07:52Z' +%s etc.
 * With libsystemd and systemd-journal-remote: a followed journal picks
 * up an identifier that appears after it was opened (a second journal
 * file), and seeking by time and to the tail. Also the stubs' contract
 * when built without libsystemd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "record.h"
#include "syslog_hdr.h"
#include "util.h"
#include "testutil.h"

#define LONG_TEXT ((const char *)1)	/* text: INPUT_MAX_LINE + 100 'x' */

static const struct render_case {
	const char *tz;
	int64_t usec;
	const char *host, *ident;
	long pid;
	const char *text;
	size_t textlen;		/* 0: strlen(text) */
	int text_cut;
	size_t size;		/* buffer size; 0: INPUT_MAX_LINE + 1 */
	const char *want;	/* NULL: only checked by length below */
	int truncated;
	int16_t tzoff;
	int valid;
} cases[] = {
	/* winter, CET: 2026-11-23T11:07:52.097918Z */
	{ "Europe/Berlin", INT64_C(1795432072097918), "mx1", "postfix/smtp", 802290,
	  "DBA322C1F03: to=<a@example.net>, status=sent", 0, 0, 0,
	  "2026-11-23T12:07:52.097918+01:00 mx1 postfix/smtp[802290]: DBA322C1F03: to=<a@example.net>, status=sent",
	  0, 60, 1 },
	/* summer, CEST: 2026-07-01T08:00:00.000001Z */
	{ "Europe/Berlin", INT64_C(1782892800000001), "mx1", "postfix-out/smtp", 7, "x", 0, 0, 0,
	  "2026-07-01T10:00:00.000001+02:00 mx1 postfix-out/smtp[7]: x", 0, 120, 1 },
	/* the last second of CET and the first of CEST (2026-03-29T01:00:00Z) */
	{ "Europe/Berlin", INT64_C(1774745999000000), "h", "postfix/qmgr", 1, "y", 0, 0, 0,
	  "2026-03-29T01:59:59.000000+01:00 h postfix/qmgr[1]: y", 0, 60, 1 },
	{ "Europe/Berlin", INT64_C(1774746000000000), "h", "postfix/qmgr", 1, "y", 0, 0, 0,
	  "2026-03-29T03:00:00.000000+02:00 h postfix/qmgr[1]: y", 0, 120, 1 },
	{ "UTC", 0, "h", "postfix/smtpd", 1, "connect from x", 0, 0, 0,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtpd[1]: connect from x", 0, 0, 1 },
	{ "America/St_Johns", INT64_C(1795432072000000), "h", "postfix/smtp", 2, "z", 0, 0, 0,
	  "2026-11-23T07:37:52.000000-03:30 h postfix/smtp[2]: z", 0, -210, 1 },
	/* no host, no pid, no time */
	{ "UTC", INT64_C(1795432072000000), "", "postfix/submission/smtpd", 3, "a", 0, 0, 0,
	  "2026-11-23T11:07:52.000000+00:00 postfix/submission/smtpd[3]: a", 0, 0, 1 },
	{ "UTC", INT64_C(1795432072000000), "mx1", "postfix/postfix-script", -1, "starting", 0, 0, 0,
	  "2026-11-23T11:07:52.000000+00:00 mx1 postfix/postfix-script: starting", 0, 0, 1 },
	{ "UTC", -1, "mx1", "postfix/smtp", 4, "b", 0, 0, 0, "mx1 postfix/smtp[4]: b", 0, 0, 0 },
	/* newlines become spaces, trailing ones go; NUL becomes '?' */
	{ "UTC", 0, "h", "postfix/smtp", 5, "line1\nline2\r\nline3\n", 0, 0, 0,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtp[5]: line1 line2  line3", 0, 0, 1 },
	{ "UTC", 0, "h", "postfix/smtp", 5, "a\0b", 3, 0, 0,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtp[5]: a?b", 0, 0, 1 },
	{ "UTC", 0, "h\nx", "postfix/smtp", 5, "c", 0, 0, 0,
	  "1970-01-01T00:00:00.000000+00:00 h x postfix/smtp[5]: c", 0, 0, 1 },
	/* invalid UTF-8 is kept as it is (textsafe repairs it on output) */
	{ "UTC", 0, "h", "postfix/smtp", 5, "\xff\xfe\xc3(", 0, 0, 0,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtp[5]: \xff\xfe\xc3(", 0, 0, 1 },
	/* over-long: the line is cut at INPUT_MAX_LINE and flagged */
	{ "UTC", 0, "h", "postfix/smtp", 5, LONG_TEXT, INPUT_MAX_LINE + 100, 0, 0, NULL, 1, 0, 1 },
	/* MESSAGE already cut when read from the journal */
	{ "UTC", 0, "h", "postfix/smtp", 5, "short", 0, 1, 0,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtp[5]: short", 1, 0, 1 },
	/* a small buffer: the text is cut to fit */
	{ "UTC", 0, "h", "postfix/smtp", 5, "0123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789", 0, 0, 128,
	  "1970-01-01T00:00:00.000000+00:00 h postfix/smtp[5]: 0123456789012345678901234567890123456789"
	  "01234567890123456789012345678901234", 1, 0, 1 },
};

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
check_case(const struct render_case *c, char *longtext)
{
	struct journal_entry e;
	struct syslog_hdr h, back;
	struct pf_record rec;
	size_t size = c->size ? c->size : INPUT_MAX_LINE + 1, n;
	char *buf = xmalloc(size);
	int cut = -1;

	set_tz(c->tz);
	memset(&e, 0, sizeof(e));
	e.usec = c->usec;
	e.host = (struct span){ c->host, strlen(c->host) };
	e.ident = (struct span){ c->ident, strlen(c->ident) };
	e.pid = c->pid;
	e.pri = 2 * 8 + 6;
	e.text.p = c->text == LONG_TEXT ? longtext : c->text;
	e.text.len = c->textlen ? c->textlen : strlen(c->text);
	e.text_cut = c->text_cut;
	n = journal_render(&e, buf, size, &h, &cut);
	assert_int_equal(n, strlen(buf));
	if (c->want != NULL)
		assert_string_equal(buf, c->want);
	else
		assert_int_equal(n, INPUT_MAX_LINE);
	assert_int_equal(cut, c->truncated);
	assert_int_equal(h.fmt, HDR_JOURNAL);
	assert_int_equal(h.pri, 2 * 8 + 6);
	assert_int_equal(h.time.valid, c->valid);
	if (c->valid) {
		assert_int_equal(h.time.sec, c->usec / 1000000);
		assert_int_equal(h.time.usec, c->usec % 1000000);
		assert_int_equal(h.time.has_zone, 1);
		assert_int_equal(h.time.tzoff, c->tzoff);
	}
	/* the header's spans point into the rendering */
	assert_true(h.tag.found);
	assert_int_equal(h.tag.pid, c->pid);
	assert_ptr_equal(h.rest.p, h.tag.ident.p);
	assert_ptr_equal(h.rest.p + h.rest.len, buf + n);
	assert_ptr_equal(h.tag.text.p + h.tag.text.len, buf + n);
	assert_true(h.tag.ident.p >= buf && h.tag.ident.p < buf + n);
	assert_int_equal(h.tag.ident.len, strlen(c->ident));
	assert_true(memcmp(h.tag.ident.p, c->ident, h.tag.ident.len) == 0);
	assert_int_equal(h.host.len, strlen(c->host));
	/* the record parser takes the header as it is */
	assert_int_equal(record_parse_hdr(&h, &rec), c->pid >= 0 ? REC_OK : REC_MALFORMED);
	/* and the text reads back the same (the fallback without hdr) */
	if (c->valid && c->host[0] != '\0' && strchr(c->host, '\n') == NULL && c->pid >= 0
	    && c->text != LONG_TEXT && memchr(c->text, '\n', strlen(c->text)) == NULL) {
		assert_true(syslog_hdr_parse(buf, n, &back));
		assert_true(back.tag.found);
		assert_int_equal(back.time.sec, h.time.sec);
		assert_int_equal(back.time.tzoff, h.time.tzoff);
		assert_int_equal(back.tag.pid, h.tag.pid);
		assert_int_equal(back.tag.text.len, h.tag.text.len);
		assert_ptr_equal(back.tag.text.p, h.tag.text.p);
		assert_ptr_equal(back.rest.p, h.rest.p);
	}
	free(buf);
}

static void
test_render_table(void **state)
{
	char *longtext = xmalloc(INPUT_MAX_LINE + 100);
	size_t i;

	(void)state;
	memset(longtext, 'x', INPUT_MAX_LINE + 100);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		check_case(&cases[i], longtext);
	}
	free(longtext);
}

/* An over-long host and ident are cut at JOURNAL_MAX_FIELD. */
static void
test_render_long_fields(void **state)
{
	char big[600], buf[INPUT_MAX_LINE + 1];
	struct journal_entry e;
	struct syslog_hdr h;
	int cut = 0;

	(void)state;
	set_tz("UTC");
	memset(big, 'a', sizeof(big));
	memset(&e, 0, sizeof(e));
	e.host = (struct span){ big, sizeof(big) };
	e.ident = (struct span){ big, sizeof(big) };
	e.text = SPAN_LIT("t");
	e.pid = 1;
	e.pri = -1;
	journal_render(&e, buf, sizeof(buf), &h, &cut);
	assert_int_equal(cut, 1);
	assert_int_equal(h.host.len, JOURNAL_MAX_FIELD);
	assert_int_equal(h.tag.ident.len, JOURNAL_MAX_FIELD);
	assert_int_equal(h.pri, -1);
	assert_span_eq(h.tag.text, "t");
}

static void
test_support(void **state)
{
	struct strbuf err;
	struct input *in;

	(void)state;
	sb_init(&err);
#ifdef HAVE_SYSTEMD
	assert_string_equal(journal_support(), "journald");
	in = input_open_journal("/nonexistent/journal/dir", NULL, 0, &err);
	if (in != NULL) {
		/* sd-journal may open a missing directory as an empty journal */
		struct line ln;

		assert_int_equal(input_next(in, &ln), INPUT_EOF);
		assert_int_equal(input_journal_last_time(in), -1);
		input_close(in);
	} else
		assert_true(err.len > 0);
#else
	assert_string_equal(journal_support(), "no journald");
	in = input_open_journal(NULL, NULL, 0, &err);
	assert_null(in);
	assert_string_equal(err.s, "built without journald support (libsystemd)");
	assert_int_equal(journal_has_postfix(NULL), -1);
#endif
	sb_free(&err);
}

#ifdef HAVE_SYSTEMD
static const char *
journal_remote(void)
{
	static const char *const paths[] = {
		"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote", NULL
	};
	int i;

	for (i = 0; paths[i] != NULL; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Write entries (ident, usec) as journal file dir/name; one boot, so
 * the monotonic clock goes on across files (sd-journal orders entries
 * of one boot by it). */
static void
write_journal(const char *dir, const char *name, const char *const *idents,
	      const int64_t *usec, int n)
{
	char cmd[1024];
	FILE *fp;
	int i;

	snprintf(cmd, sizeof(cmd), "%s -o %s/%s - >/dev/null 2>&1", journal_remote(), dir, name);
	assert_non_null(fp = popen(cmd, "w"));
	for (i = 0; i < n; i++)
		fprintf(fp, "__REALTIME_TIMESTAMP=%lld\n__MONOTONIC_TIMESTAMP=%lld\n"
			"_BOOT_ID=8f1b7c2a4d6e4f0a9b3c5d7e9f1a2b3c\n_HOSTNAME=mx1\n"
			"SYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\nMESSAGE=entry %d\n\n",
			(long long)usec[i], (long long)(usec[i] - INT64_C(1795400000000000)),
			idents[i], 100 + i, i);
	assert_int_equal(pclose(fp), 0);
}

static void
expect_entry(struct input *in, const char *ident, int64_t usec)
{
	struct line ln;

	assert_int_equal(input_next(in, &ln), INPUT_LINE);
	assert_non_null(ln.hdr);
	assert_int_equal(ln.hdr->tag.ident.len, strlen(ident));
	assert_memory_equal(ln.hdr->tag.ident.p, ident, strlen(ident));
	assert_int_equal(ln.hdr->time.sec * 1000000 + ln.hdr->time.usec, usec);
}

static void
test_follow_new_ident(void **state)
{
	static const char *const first[] = { "postfix/smtp", "CRON", "postfix/qmgr" };
	static const int64_t t1[] = { INT64_C(1795432072000000), INT64_C(1795432073000000),
				      INT64_C(1795432074000000) };
	static const char *const second[] = { "postfix-new/smtp", "sshd", "postfix/smtp" };
	static const int64_t t2[] = { INT64_C(1795432080000000), INT64_C(1795432081000000),
				      INT64_C(1795432082000000) };
	static const char *const third[] = { "postfix-third/smtp", "postfix/qmgr" };
	static const int64_t t3[] = { INT64_C(1795432090000000), INT64_C(1795432091000000) };
	static const char *const fourth[] = { "postfix/qmgr" };
	static const int64_t t4[] = { INT64_C(1795432095000000) };
	static const char *const fifth[] = { "postfix-fifth/smtp", "postfix/smtp" };
	static const int64_t t5[] = { INT64_C(1795432096000000), INT64_C(1795432097000000) };
	char dir[] = "/tmp/fmrd-journal.XXXXXX";
	struct strbuf err;
	struct input *in;
	struct line ln;
	int i, r = 0;

	(void)state;
	if (journal_remote() == NULL)
		skip();
	set_tz("UTC");
	assert_non_null(mkdtemp(dir));
	write_journal(dir, "a.journal", first, t1, 3);
	sb_init(&err);
	assert_int_equal(journal_has_postfix(dir), 1);

	/* batch: newest entry, seek by time */
	assert_non_null(in = input_open_journal(dir, NULL, 0, &err));
	assert_int_equal(input_journal_last_time(in), t1[2]);
	expect_entry(in, "postfix/smtp", t1[0]);
	assert_int_equal(input_journal_seek_time(in, t1[1]), 0);
	expect_entry(in, "postfix/qmgr", t1[2]);
	assert_int_equal(input_next(in, &ln), INPUT_EOF);
	input_close(in);

	/* follow from the tail: nothing old, then what a new file brings,
	 * including an identifier the journal did not know at the start */
	assert_non_null(in = input_open_journal(dir, NULL, 1, &err));
	assert_int_equal(input_journal_seek_tail(in), 0);
	assert_int_equal(input_next(in, &ln), INPUT_AGAIN);
	write_journal(dir, "b.journal", second, t2, 3);
	for (i = 0; i < 50 && (r = input_next(in, &ln)) == INPUT_AGAIN; i++)
		assert_true(input_wait(in, 100) >= 0);
	assert_int_equal(r, INPUT_LINE);
	assert_int_equal(ln.hdr->time.sec * 1000000, t2[0]);
	assert_memory_equal(ln.hdr->tag.ident.p, "postfix-new/smtp", 16);
	expect_entry(in, "postfix/smtp", t2[2]);
	assert_int_equal(input_next(in, &ln), INPUT_AGAIN);
	/* a new identifier appended to a file already open */
	write_journal(dir, "b.journal", third, t3, 2);
	for (i = 0; i < 50 && (r = input_next(in, &ln)) == INPUT_AGAIN; i++)
		assert_true(input_wait(in, 100) >= 0);
	assert_int_equal(r, INPUT_LINE);
	assert_int_equal(ln.hdr->time.sec * 1000000, t3[0]);
	assert_memory_equal(ln.hdr->tag.ident.p, "postfix-third/smtp", 18);
	expect_entry(in, "postfix/qmgr", t3[1]);
	assert_int_equal(input_next(in, &ln), INPUT_AGAIN);
	/* the append may still wake a wait: nothing more to read after it */
	assert_true(input_wait(in, 10) >= 0);
	assert_int_equal(input_next(in, &ln), INPUT_AGAIN);
	/* a new identifier written while the reader is between two entries
	 * (no end, no wait before it reads on), followed by a known one */
	write_journal(dir, "b.journal", fourth, t4, 1);
	for (i = 0; i < 50 && (r = input_next(in, &ln)) == INPUT_AGAIN; i++)
		assert_true(input_wait(in, 100) >= 0);
	assert_int_equal(r, INPUT_LINE);
	assert_int_equal(ln.hdr->time.sec * 1000000, t4[0]);
	write_journal(dir, "b.journal", fifth, t5, 2);
	expect_entry(in, "postfix-fifth/smtp", t5[0]);
	expect_entry(in, "postfix/smtp", t5[1]);
	assert_int_equal(input_next(in, &ln), INPUT_AGAIN);
	input_close(in);
	sb_free(&err);
	assert_int_equal(tu_tree_remove(dir), 0);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_table),
		cmocka_unit_test(test_render_long_fields),
		cmocka_unit_test(test_support),
#ifdef HAVE_SYSTEMD
		cmocka_unit_test(test_follow_new_ident),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
