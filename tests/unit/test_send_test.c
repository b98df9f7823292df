/*
 * test_send_test.c - unit tests of send-test's pure parts
 * (send_test_msg.c), as tables: which addresses are refused, the default
 * configuration directory, sendmail's argument vector, the Message-ID
 * and the message text (TZ=UTC, a fixed time), the cleanup line that
 * names the queue ID, and what the records of the message mean.
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

#include "send_test_int.h"

#define S(x) ((struct span){ (x), strlen(x) })
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_addr(void **state)
{
	static const struct {
		const char *addr;
		const char *why;	/* a word of the reason; NULL: accepted */
	} cases[] = {
		{ "someone@example.org", NULL },
		{ "root", NULL },
		{ "postmaster@[192.0.2.1]", NULL },
		{ "user+tag@sub.example.co.uk", NULL },
		{ "j\xc3\xbcrgen@example.de", NULL },
		{ "", "empty" },
		{ "-oi", "'-'" },
		{ "-f@example.org", "'-'" },
		{ "a@example.org, b@example.org", "list" },
		{ "a@example.org,b@example.org", "list" },
		{ "a@example.org;b@example.org", "list" },
		{ "Someone <a@example.org>", "white space" },
		{ "<a@example.org>", "list" },
		{ "a@example.org(comment)", "comment" },
		{ "\"a b\"@example.org", "quotes" },
		{ "\"ab\"@example.org", "quotes" },
		{ "a\\b@example.org", "plain" },
		{ "a@example.org\nBcc: x@y", "control" },
		{ "a@example.org\r", "control" },
		{ "a\tb@example.org", "white space" },
		{ "a\x7f@example.org", "control" },
		{ "a@b@c", "more than one" },
		{ "@example.org", "nothing before" },
		{ "someone@", "no domain" },
	};
	char longaddr[300];
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		why = st_addr_problem(cases[i].addr);
		if (cases[i].why == NULL) {
			if (why != NULL)
				fail_msg("\"%s\" refused: %s", cases[i].addr, why);
		} else if (why == NULL || strstr(why, cases[i].why) == NULL) {
			fail_msg("\"%s\": got %s, expected a reason with \"%s\"", cases[i].addr,
				 why ? why : "accepted", cases[i].why);
		}
	}
	memset(longaddr, 'a', sizeof(longaddr));
	memcpy(longaddr + 250, "@x.org", 7);
	assert_null(st_addr_problem(longaddr + 4));	/* 252 characters */
	assert_non_null(strstr(st_addr_problem(longaddr), "254"));
	assert_non_null(st_addr_problem(NULL));
}

static void
test_confdir(void **state)
{
	static const struct {
		const char *dir;
		int def;
	} cases[] = {
		{ "/etc/postfix", 1 },
		{ "/etc/postfix/", 1 },
		{ "/etc/postfix//", 1 },
		{ NULL, 1 },
		{ "/etc/postfix-out", 0 },
		{ "/etc/postfi", 0 },
		{ "/var/tmp/fmrd-pf/client", 0 },
		{ "etc/postfix", 0 },
		{ "/", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (st_default_confdir(cases[i].dir) != cases[i].def)
			fail_msg("%s: expected %d", cases[i].dir ? cases[i].dir : "NULL", cases[i].def);
}

static void
test_argv(void **state)
{
	static const struct {
		const char *sendmail, *confdir, *from;
		const char *want;	/* the vector joined with '|' */
	} cases[] = {
		{ "/usr/sbin/sendmail", "/etc/postfix", NULL, "/usr/sbin/sendmail|-t|-i" },
		{ "/usr/sbin/sendmail", NULL, NULL, "/usr/sbin/sendmail|-t|-i" },
		{ "/usr/sbin/sendmail", "/etc/postfix/", "me@example.org",
		  "/usr/sbin/sendmail|-t|-i|-f|me@example.org" },
		{ "/usr/sbin/sendmail", "/etc/postfix-out", NULL,
		  "/usr/sbin/sendmail|-t|-i|-C|/etc/postfix-out" },
		{ "/opt/pf/sbin/sendmail", "/var/tmp/fmrd-pf/client", "root@client.example.com",
		  "/opt/pf/sbin/sendmail|-t|-i|-C|/var/tmp/fmrd-pf/client|-f|root@client.example.com" },
	};
	const char *argv[ST_ARGV_MAX];
	char got[512];
	size_t i;
	int n, k;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		memset(argv, 0xff, sizeof(argv));
		n = st_sendmail_argv(cases[i].sendmail, cases[i].confdir, cases[i].from, argv);
		assert_true(n < ST_ARGV_MAX);
		assert_null(argv[n]);
		got[0] = '\0';
		for (k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? "|" : "",
				 argv[k]);
		assert_string_equal(got, cases[i].want);
	}
}

static void
test_message_id(void **state)
{
	static const struct {
		int64_t epoch;
		long pid;
		uint32_t rnd;
		const char *host, *want;
	} cases[] = {
		{ 1795471227, 4242, 0xdeadbeef, "client.example.com",
		  "<fmrd-test.1795471227.4242.deadbeef@client.example.com>" },
		{ 1, 2, 3, "mx1", "<fmrd-test.1.2.00000003@mx1>" },
		{ 1, 2, 3, "Bad Host>\r\n.example.", "<fmrd-test.1.2.00000003@BadHost.example>" },
		{ 1, 2, 3, "", "<fmrd-test.1.2.00000003@localhost>" },
		{ 1, 2, 3, NULL, "<fmrd-test.1.2.00000003@localhost>" },
		{ 1, 2, 3, "<>", "<fmrd-test.1.2.00000003@localhost>" },
		{ 1, 2, 3, ".leading.dot", "<fmrd-test.1.2.00000003@localhost>" },
	};
	char buf[ST_MSGID_MAX], small[20], longhost[400];
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		assert_int_equal(st_message_id(buf, sizeof(buf), cases[i].epoch, cases[i].pid,
					       cases[i].rnd, cases[i].host), 0);
		assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(st_message_id(small, sizeof(small), 1, 2, 3, "example.org"), -1);
	/* a host name is cut to ST_HOST_MAX: the whole fits in ST_MSGID_MAX */
	memset(longhost, 'h', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	assert_int_equal(st_message_id(buf, sizeof(buf), INT64_MAX, 2147483647L, 0xffffffffu,
				       longhost), 0);
	assert_true(strlen(buf) < ST_MSGID_MAX);
}

static void
test_message_text(void **state)
{
	struct st_message m = {
		.to = "someone@example.org",
		.from = NULL,
		.msgid = "<fmrd-test.1795471227.4242.deadbeef@client.example.com>",
		.host = "client.example.com",
		.generator = "fmrelay-doctor 0.1.0",
		.when = 1795471227,	/* 2026-11-23T22:00:27Z */
	};
	static const char want[] =
	    "To: someone@example.org\n"
	    "Subject: fmrelay-doctor test 2026-11-23 22:00:27 +0000\n"
	    "Date: Mon, 23 Nov 2026 22:00:27 +0000\n"
	    "Message-ID: <fmrd-test.1795471227.4242.deadbeef@client.example.com>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=us-ascii\n"
	    "X-Mailer: fmrelay-doctor 0.1.0 send-test\n"
	    "\n"
	    "A test message of \"fmrelay-doctor send-test\", submitted on client.example.com\n"
	    "at 2026-11-23 22:00:27 +0000 to see whether mail leaves this machine.\n"
	    "No reply is needed.\n";
	struct strbuf sb;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	sb_init(&sb);
	st_message_text(&sb, &m);
	assert_string_equal(sb.s, want);
	sb_reset(&sb);
	m.from = "sender@example.com";
	st_message_text(&sb, &m);
	assert_true(strncmp(sb.s, "From: sender@example.com\nTo: someone@example.org\n", 48) == 0);
	sb_free(&sb);
}

static void
test_msgid_line(void **state)
{
	static const char *const id = "<fmrd-test.1.2.00000003@mx1>";
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "message-id=<fmrd-test.1.2.00000003@mx1>", 1 },
		{ "message-id=<fmrd-test.1.2.00000003@mx1", 0 },
		{ "message-id=<fmrd-test.1.2.00000003@mx1>x", 0 },
		{ "message-id=<fmrd-test.1.2.00000004@mx1>", 0 },
		{ "resent-message-id=<fmrd-test.1.2.00000003@mx1>", 0 },
		{ "message-id=fmrd-test.1.2.00000003@mx1", 0 },
		{ "Message-ID=<fmrd-test.1.2.00000003@mx1>", 0 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++)
		if (st_msgid_line(S(cases[i].text), id) != cases[i].want)
			fail_msg("\"%s\": expected %d", cases[i].text, cases[i].want);
}

static void
test_classify(void **state)
{
	static const struct {
		enum prog_id prog;
		const char *text;
		enum st_event want;
		int final;
	} cases[] = {
		{ PROG_QMGR, "from=<root@client.example.com>, size=361, nrcpt=1 (queue active)",
		  ST_EV_ACTIVE, 0 },
		{ PROG_QMGR, "removed", ST_EV_REMOVED, 0 },
		{ PROG_QMGR, "removed by postsuper", ST_EV_NONE, 0 },
		{ PROG_SMTP, "removed", ST_EV_NONE, 0 },
		{ PROG_QMGR, "from=<root@x>, status=expired, returned to sender", ST_EV_EXPIRED, 0 },
		{ PROG_SMTP, "to=<someone@example.org>, relay=smtp.provider.test[127.0.0.1]:587, "
		  "delay=0.05, delays=0.01/0.01/0.02/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
		  ST_EV_SENT, 0 },
		{ PROG_SMTP, "to=<someone@example.org>, relay=smtp.provider.test[127.0.0.1]:587, "
		  "delay=0.03, delays=0.01/0.01/0/0, dsn=4.7.8, status=deferred (SASL authentication "
		  "failed; server smtp.provider.test[127.0.0.1] said: 535 5.7.8 Error)",
		  ST_EV_DEFERRED, 1 },
		{ PROG_QMGR, "to=<a@b>, relay=none, delay=0, delays=0/0/0/0, dsn=4.3.2, "
		  "status=deferred (delivery temporarily suspended: connect to x: refused)",
		  ST_EV_DEFERRED, 1 },
		{ PROG_LOCAL, "to=<someone@example.org>, relay=local, delay=0.02, delays=0.01/0/0/0, "
		  "dsn=5.1.1, status=bounced (unknown user: \"someone\")", ST_EV_BOUNCED, 0 },
		{ PROG_ERROR, "to=<a@b>, relay=none, delay=0, delays=0/0/0/0, dsn=5.0.0, "
		  "status=bounced (User unknown)", ST_EV_BOUNCED, 0 },
		{ PROG_SMTP, "to=<a@b>, orig_to=<x@y>, relay=h[192.0.2.1]:25, delay=1, "
		  "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)", ST_EV_SENT, 0 },
		{ PROG_CLEANUP, "hold: header Subject: fmrelay-doctor test from local; from=<root@x> "
		  "to=<a@b>", ST_EV_HELD, 1 },
		{ PROG_CLEANUP, "milter-hold: END-OF-MESSAGE from local", ST_EV_HELD, 1 },
		{ PROG_CLEANUP, "reject: header Subject: fmrelay-doctor test from local; "
		  "from=<root@x> to=<a@b>: 5.7.1 no", ST_EV_REJECTED, 1 },
		{ PROG_CLEANUP, "discard: header Subject: x from local; from=<root@x> to=<a@b>",
		  ST_EV_DISCARDED, 1 },
		{ PROG_SMTPD, "reject: RCPT from x[1.2.3.4]: 554 5.7.1 relay access denied",
		  ST_EV_NONE, 0 },
		{ PROG_CLEANUP, "message-id=<fmrd-test.1.2.3@x>", ST_EV_NONE, 0 },
		{ PROG_PICKUP, "uid=0 from=<root>", ST_EV_NONE, 0 },
		{ PROG_BOUNCE, "sender non-delivery notification: 3A99A10259E", ST_EV_NONE, 0 },
		{ PROG_SMTP, "to=<a@b>, relay=none, delay=0, status=deferred", ST_EV_NONE, 0 },
		{ PROG_SMTP, "", ST_EV_NONE, 0 },
	};
	size_t i;
	enum st_event e;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		e = st_classify(cases[i].prog, S(cases[i].text));
		if (e != cases[i].want)
			fail_msg("\"%s\": got %d, expected %d", cases[i].text, e, cases[i].want);
		assert_int_equal(st_event_final(e), cases[i].final);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_confdir),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_message_text),
		cmocka_unit_test(test_msgid_line),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
