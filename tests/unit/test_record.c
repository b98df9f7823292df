/*
 * test_record.c - unit tests of the Postfix record parser: ident
 * (instance / service / program), pid, severity prefix, queue ID kinds,
 * rejection of other programs, qid_classify and the delivery status names;
 * a table of program inference for tags cut at the '/' (rsyslog's RFC 5424
 * APP-NAME), record_parse_hdr's statuses (malformed, invalid queue ID).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "record.h"

#include "testutil.h"

static int
parse(const char *rest, struct pf_record *r)
{
	struct span s = { rest, strlen(rest) };

	memset(r, 0, sizeof(*r));
	return record_parse(s, r);
}

static enum qid_kind
classify(const char *s)
{
	struct span sp = { s, strlen(s) };

	return qid_classify(sp);
}

static void
test_smtp_delivery(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtp[123]: 4F2C31A0B7E: to=<alice@example.net>, "
			       "relay=smtp.fastmail.com[103.168.172.45]:587, status=sent (250 ok)", &r), 1);
	assert_span_eq(r.ident, "postfix/smtp");
	assert_span_eq(r.instance, "postfix");
	assert_span_eq(r.program, "smtp");
	assert_span_eq(r.service, "smtp");
	assert_int_equal(r.prog, PROG_SMTP);
	assert_int_equal(r.pid, 123);
	assert_int_equal(r.severity, SEV_INFO);
	assert_int_equal(r.qid_kind, QID_SHORT);
	assert_span_eq(r.qid, "4F2C31A0B7E");
	assert_span_eq(r.text, "to=<alice@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, "
		       "status=sent (250 ok)");
}

static void
test_instance_postfix_out(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix-out/smtp[9]: 16EA9582057: to=<b@example.org>, status=sent (ok)", &r), 1);
	assert_span_eq(r.ident, "postfix-out/smtp");
	assert_span_eq(r.instance, "postfix-out");
	assert_span_eq(r.program, "smtp");
	assert_span_eq(r.service, "smtp");
	assert_int_equal(r.prog, PROG_SMTP);
	assert_int_equal(r.pid, 9);
	assert_int_equal(r.qid_kind, QID_SHORT);
	assert_span_eq(r.qid, "16EA9582057");
	assert_span_eq(r.text, "to=<b@example.org>, status=sent (ok)");
}

static void
test_service_submission(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/submission/smtpd[7]: connect from client.example.com[192.0.2.7]", &r), 1);
	assert_span_eq(r.ident, "postfix/submission/smtpd");
	assert_span_eq(r.instance, "postfix");
	assert_span_eq(r.service, "submission");
	assert_span_eq(r.program, "smtpd");
	assert_int_equal(r.prog, PROG_SMTPD);
	assert_int_equal(r.pid, 7);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_int_equal(r.qid.len, 0);
	assert_span_eq(r.text, "connect from client.example.com[192.0.2.7]");
}

static void
test_service_relay(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/relay/smtp[5]: 4F2C31A0B7E: to=<c@example.com>, status=deferred (x)", &r), 1);
	assert_span_eq(r.instance, "postfix");
	assert_span_eq(r.service, "relay");
	assert_span_eq(r.program, "smtp");
	assert_int_equal(r.prog, PROG_SMTP);
	assert_int_equal(r.pid, 5);
	assert_span_eq(r.qid, "4F2C31A0B7E");

	/* multi-component instance and service */
	assert_int_equal(parse("postfix-out/relay/smtp[6]: x", &r), 1);
	assert_span_eq(r.instance, "postfix-out");
	assert_span_eq(r.service, "relay");
	assert_span_eq(r.program, "smtp");
}

static void
test_postfix_command(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix[843]: Postfix is running with backwards-compatible default settings", &r), 1);
	assert_span_eq(r.ident, "postfix");
	assert_span_eq(r.instance, "postfix");
	assert_span_eq(r.program, "postfix");
	assert_span_eq(r.service, "postfix");
	assert_int_equal(r.prog, PROG_POSTFIX);
	assert_int_equal(r.pid, 843);
	assert_int_equal(r.severity, SEV_INFO);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_span_eq(r.text, "Postfix is running with backwards-compatible default settings");
}

static void
test_warning_without_qid(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtp[1]: warning: hash:/etc/postfix/sasl_passwd is unavailable. "
			       "open database /etc/postfix/sasl_passwd.db: No such file or directory", &r), 1);
	assert_int_equal(r.severity, SEV_WARNING);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_int_equal(r.qid.len, 0);
	assert_span_eq(r.text, "hash:/etc/postfix/sasl_passwd is unavailable. "
		       "open database /etc/postfix/sasl_passwd.db: No such file or directory");
}

static void
test_warning_with_qid(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtp[1]: warning: 16EA9582057: smtp_sasl_password_maps lookup error", &r), 1);
	assert_int_equal(r.severity, SEV_WARNING);
	assert_int_equal(r.qid_kind, QID_SHORT);
	assert_span_eq(r.qid, "16EA9582057");
	assert_span_eq(r.text, "smtp_sasl_password_maps lookup error");
}

static void
test_other_severities(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtp[1]: error: open database x: y", &r), 1);
	assert_int_equal(r.severity, SEV_ERROR);
	assert_span_eq(r.text, "open database x: y");
	assert_int_equal(parse("postfix/master[2]: fatal: bind 0.0.0.0 port 25: Address already in use", &r), 1);
	assert_int_equal(r.severity, SEV_FATAL);
	assert_int_equal(r.prog, PROG_MASTER);
	assert_span_eq(r.text, "bind 0.0.0.0 port 25: Address already in use");
	assert_int_equal(parse("postfix/qmgr[3]: panic: myfree: corrupt or unallocated memory block", &r), 1);
	assert_int_equal(r.severity, SEV_PANIC);
	assert_span_eq(r.text, "myfree: corrupt or unallocated memory block");
	/* "warning:" must be followed by a space to count */
	assert_int_equal(parse("postfix/smtp[1]: warnings: 3", &r), 1);
	assert_int_equal(r.severity, SEV_INFO);
	assert_span_eq(r.text, "warnings: 3");

	assert_string_equal(severity_name(SEV_INFO), "info");
	assert_string_equal(severity_name(SEV_WARNING), "warning");
	assert_string_equal(severity_name(SEV_ERROR), "error");
	assert_string_equal(severity_name(SEV_FATAL), "fatal");
	assert_string_equal(severity_name(SEV_PANIC), "panic");
}

static void
test_long_qid(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/cleanup[3]: 4bW4fw0sf8zFpTZ: message-id=<x@example.com>", &r), 1);
	assert_int_equal(r.prog, PROG_CLEANUP);
	assert_int_equal(r.qid_kind, QID_LONG);
	assert_span_eq(r.qid, "4bW4fw0sf8zFpTZ");
	assert_span_eq(r.text, "message-id=<x@example.com>");
}

static void
test_words_are_not_qids(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/postsuper[4]: Deleted: 1 message", &r), 1);
	assert_int_equal(r.prog, PROG_POSTSUPER);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_span_eq(r.text, "Deleted: 1 message");

	assert_int_equal(parse("postfix/smtp[1]: connect to x[1.2.3.4]:25: Connection refused", &r), 1);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_span_eq(r.text, "connect to x[1.2.3.4]:25: Connection refused");

	assert_int_equal(parse("postfix/smtp[1]: Untrusted TLS connection established to h[1.2.3.4]:587: "
			       "TLSv1.3 with cipher X (256/256 bits)", &r), 1);
	assert_int_equal(r.qid_kind, QID_NONE);

	assert_int_equal(parse("postfix/postfix-script[5]: starting the Postfix mail system", &r), 1);
	assert_int_equal(r.prog, PROG_POSTFIX_SCRIPT);
	assert_int_equal(r.qid_kind, QID_NONE);

	assert_int_equal(parse("postfix/smtp[1]: warning: TLS library problem: error", &r), 1);
	assert_int_equal(r.severity, SEV_WARNING);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_span_eq(r.text, "TLS library problem: error");
}

static void
test_noqueue(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtpd[2]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: "
			       "554 5.7.1 <x@y>: Relay access denied", &r), 1);
	assert_int_equal(r.prog, PROG_SMTPD);
	assert_int_equal(r.qid_kind, QID_NOQUEUE);
	assert_span_eq(r.qid, "NOQUEUE");
	assert_span_eq(r.text, "reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 <x@y>: Relay access denied");
}

static void
assert_not_postfix(const char *rest)
{
	struct pf_record r;

	if (parse(rest, &r) != 0)
		fail_msg("accepted as a Postfix record: \"%s\"", rest);
}

static void
test_rejections(void **state)
{
	(void)state;
	assert_not_postfix("CRON[123]: (root) CMD (command -v debian-sa1 > /dev/null)");
	assert_not_postfix("systemd[1]: Started postfix.service - Postfix Mail Transport Agent.");
	assert_not_postfix("sshd[22]: Accepted publickey for root from 192.0.2.1 port 5555");
	assert_not_postfix("dovecot[99]: imap-login: Login: user=<x>");
	assert_not_postfix("kernel: [12345.678] eth0: link up");
	assert_not_postfix("postfix/smtp[abc]: x");
	assert_not_postfix("postfix/smtp[]: x");
	assert_not_postfix("postfix/smtp[12 x");
	assert_not_postfix("postfix/smtp[12]");
	assert_not_postfix("postfix/smtp[12] x");
	assert_not_postfix("postfix/smtp[12]x y");
	assert_not_postfix("postfix/smtp: x");
	assert_not_postfix("[12]: x");
	assert_not_postfix("postfix smtp[12]: x");
	assert_not_postfix("postfix:smtp[12]: x");
	assert_not_postfix("postfixx[1]: x");	/* no '/' and not "postfix" */
	assert_not_postfix("mta/unknownprog[4]: x");	/* custom name, unknown program */
	assert_not_postfix("");
}

static void
test_custom_syslog_name(void **state)
{
	struct pf_record r;

	(void)state;
	/* syslog_name = mta: accepted because the program is known */
	assert_int_equal(parse("mta/smtp[4]: 4F2C31A0B7E: to=<a@example.com>, status=sent (ok)", &r), 1);
	assert_span_eq(r.instance, "mta");
	assert_span_eq(r.program, "smtp");
	assert_span_eq(r.service, "smtp");
	assert_int_equal(r.prog, PROG_SMTP);
	assert_int_equal(r.pid, 4);
	assert_span_eq(r.qid, "4F2C31A0B7E");

	/* postfix* instance with an unknown program: kept as PROG_OTHER */
	assert_int_equal(parse("postfix-out/policyd-spf[8]: x", &r), 1);
	assert_int_equal(r.prog, PROG_OTHER);
	assert_span_eq(r.program, "policyd-spf");
	assert_span_eq(r.instance, "postfix-out");
}

static void
test_empty_text(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("postfix/smtp[1]:", &r), 1);
	assert_int_equal(r.pid, 1);
	assert_int_equal(r.text.len, 0);
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_int_equal(parse("postfix/smtp[1]: 4F2C31A0B7E:", &r), 1);
	/* "QID:" without the following space is not a queue ID prefix */
	assert_int_equal(r.qid_kind, QID_NONE);
	assert_span_eq(r.text, "4F2C31A0B7E:");
}

static void
test_qid_classify(void **state)
{
	char buf[80];

	(void)state;
	assert_int_equal(classify("NOQUEUE"), QID_NOQUEUE);
	assert_int_equal(classify("4F2C31A0B7E"), QID_SHORT);
	assert_int_equal(classify("4F2C31"), QID_SHORT);		/* 6: shortest */
	assert_int_equal(classify("4F2C3"), QID_NONE);		/* 5: too short */
	assert_int_equal(classify(""), QID_NONE);
	assert_int_equal(classify("4f2c31a0b7e"), QID_NONE);	/* lower-case hex */
	assert_int_equal(classify("4F2C31A0B7G"), QID_NONE);
	assert_int_equal(classify("4F2C-31A0B7"), QID_NONE);
	assert_int_equal(classify("DEADBEEF"), QID_SHORT);

	assert_int_equal(classify("4bW4fw0sf8zFpTZ"), QID_LONG);
	assert_int_equal(classify("3Qt4jp6Zs1zBkGq"), QID_LONG);
	/* separator 'z' at offset 9: too early */
	assert_int_equal(classify("4bW4fw0sfzFpTZ"), QID_NONE);
	/* no 'z' at all */
	assert_int_equal(classify("4bW4fw0sf8xFpTZ"), QID_NONE);
	/* 'z' as the last character: nothing after the separator */
	assert_int_equal(classify("4bW4fw0sf8FpTz"), QID_NONE);
	/* vowels are not in the long queue ID alphabet */
	assert_int_equal(classify("4bW4fw0sf8zFaTZ"), QID_NONE);
	assert_int_equal(classify("4bW4fw0sE8zFpTZ"), QID_NONE);
	assert_int_equal(classify("4bW4fw0sf8zFpT-"), QID_NONE);
	/* upper-case Z is an ordinary digit, not the separator */
	assert_int_equal(classify("4bW4fw0sf8ZFpTZ"), QID_NONE);

	memset(buf, 'A', 65);
	buf[65] = '\0';
	assert_int_equal(classify(buf), QID_NONE);	/* > 64 */
}

static void
test_prog_lookup(void **state)
{
	(void)state;
	assert_int_equal(prog_lookup("smtp", 4), PROG_SMTP);
	assert_int_equal(prog_lookup("smtpd", 5), PROG_SMTPD);
	assert_int_equal(prog_lookup("smtpdx", 5), PROG_SMTPD);	/* length counts */
	assert_int_equal(prog_lookup("trivial-rewrite", 15), PROG_TRIVIAL_REWRITE);
	assert_int_equal(prog_lookup("qmgr", 4), PROG_QMGR);
	assert_int_equal(prog_lookup("smt", 3), PROG_OTHER);
	assert_int_equal(prog_lookup("SMTP", 4), PROG_OTHER);
	assert_int_equal(prog_lookup("", 0), PROG_OTHER);
	assert_string_equal(prog_name(PROG_SMTP), "smtp");
	assert_string_equal(prog_name(PROG_OTHER), "other");
	assert_string_equal(prog_name(PROG_POSTSCREEN), "postscreen");
	assert_string_equal(prog_name(PROG_COUNT), "other");
}

static enum dstatus
dlookup(const char *s)
{
	return dstatus_lookup(s, strlen(s));
}

static void
test_dstatus(void **state)
{
	(void)state;
	assert_int_equal(dlookup("sent"), DS_SENT);
	assert_int_equal(dlookup("deferred"), DS_DEFERRED);
	assert_int_equal(dlookup("bounced"), DS_BOUNCED);
	/* soft_bounce = yes: Postfix logs SOFTBOUNCE and keeps the message
	 * in the queue, i.e. it is deferred, not returned */
	assert_int_equal(dlookup("SOFTBOUNCE"), DS_DEFERRED);
	assert_int_equal(dlookup("expired"), DS_EXPIRED);
	assert_int_equal(dlookup("force-expired"), DS_EXPIRED);
	assert_int_equal(dlookup("undeliverable"), DS_BOUNCED);
	assert_int_equal(dlookup("deliverable"), DS_SENT);
	assert_int_equal(dlookup("Sent"), DS_NONE);
	assert_int_equal(dlookup("softbounce"), DS_NONE);
	assert_int_equal(dlookup("sen"), DS_NONE);
	assert_int_equal(dlookup("sentx"), DS_NONE);
	assert_int_equal(dlookup(""), DS_NONE);
	/* length, not NUL, ends the name */
	assert_int_equal(dstatus_lookup("sent (250 ok)", 4), DS_SENT);

	assert_string_equal(dstatus_name(DS_NONE), "queued");
	assert_string_equal(dstatus_name(DS_SENT), "sent");
	assert_string_equal(dstatus_name(DS_DEFERRED), "deferred");
	assert_string_equal(dstatus_name(DS_BOUNCED), "bounced");
	assert_string_equal(dstatus_name(DS_EXPIRED), "expired");
	assert_string_equal(dstatus_name(DS_COUNT), "queued");
}


/* RFC 5424 with APP-NAME "postfix": the program comes from the text,
 * only where a single program writes that text. */
static const struct {
	const char *app;	/* APP-NAME */
	const char *text;	/* MSG */
	enum prog_id prog;	/* PROG_OTHER: not certain */
} infer_cases[] = {
	{ "postfix", "4F2C31A0B7E: to=<a@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, "
	  "delay=1.1, delays=0.1/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)", PROG_SMTP },
	{ "postfix", "4F2C31A0B7E: to=<a@example.net>, orig_to=<b@example.net>, "
	  "relay=mx.example.net[2001:db8::1]:25, delay=1, dsn=2.0.0, status=sent (ok)", PROG_SMTP },
	{ "postfix", "4F2C31A0B7E: to=<a@example.net>, relay=mx.example.net[192.0.2.1]:25, "
	  "delay=1, dsn=4.4.2, status=deferred (lost connection)", PROG_SMTP },
	{ "postfix", "4F2C31A0B7E: to=<root@mx1.example.com>, relay=local, delay=0.1, dsn=2.0.0, "
	  "status=sent (delivered to mailbox)", PROG_LOCAL },
	{ "postfix-out", "4F2C31A0B7E: to=<u@example.com>, relay=virtual, delay=0.1, dsn=2.0.0, "
	  "status=sent (delivered to maildir)", PROG_VIRTUAL },
	{ "postfix", "4bW4fw0sf8zFpTZ: from=<a@example.com>, size=4127, nrcpt=1 (queue active)", PROG_QMGR },
	{ "postfix", "4F2C31A0B7E: from=<a@example.com>, status=expired, returned to sender", PROG_QMGR },
	{ "postfix", "4F2C31A0B7E: removed", PROG_QMGR },
	{ "postfix", "4F2C31A0B7E: message-id=<x@example.com>", PROG_CLEANUP },
	{ "postfix", "4F2C31A0B7E: uid=0 from=<root>", PROG_PICKUP },
	{ "postfix", "4F2C31A0B7E: client=app1.example.com[192.0.2.10]", PROG_SMTPD },
	{ "postfix", "connect from app1.example.com[192.0.2.10]", PROG_SMTPD },
	{ "postfix", "disconnect from app1.example.com[192.0.2.10] ehlo=1 quit=1 commands=2", PROG_SMTPD },
	{ "postfix", "4F2C31A0B7E: sender non-delivery notification: 5A1B2C3D4E5", PROG_BOUNCE },
	/* not certain: lmtp, pipe, error, discard, and texts several programs write */
	{ "postfix", "4F2C31A0B7E: to=<u@example.com>, relay=mail.example.com[private/dovecot-lmtp], "
	  "delay=0.1, dsn=2.0.0, status=sent (250 ok)", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: to=<u@example.com>, relay=none, delay=0, dsn=4.4.1, "
	  "status=deferred (connect to x[1.2.3.4]:25: Connection refused)", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: to=<u@example.com>, relay=dovecot, delay=0.1, dsn=2.0.0, "
	  "status=sent (delivered via dovecot service)", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: to=<u@example.com>, relay=smtp.example.com[192.0.2.1]:587", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: to=<u@example.com>, relay=h[192.0.2.1]:x25, delay=1, dsn=2.0.0, "
	  "status=sent (ok)", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: from=<a@example.com>, size=4127, nrcpt=1", PROG_OTHER },
	{ "postfix", "4F2C31A0B7E: removed extra", PROG_OTHER },
	{ "postfix", "Untrusted TLS connection established to h[192.0.2.1]:587: TLSv1.3", PROG_OTHER },
	{ "postfix", "warning: 4F2C31A0B7E: removed", PROG_OTHER },
	{ "postfix", "CONNECT from [192.0.2.1]:4711 to [192.0.2.2]:25", PROG_OTHER },
	{ "postfix", "connect to smtp.fastmail.com[103.168.172.45]:587: Connection refused", PROG_OTHER },
	{ "postfix", "Postfix is running with backwards-compatible default settings", PROG_OTHER },
	{ "postfix", "", PROG_OTHER },
};

static void
test_infer_program(void **state)
{
	struct syslog_tag t;
	struct pf_record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(infer_cases) / sizeof(infer_cases[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.ident = (struct span){ infer_cases[i].app, strlen(infer_cases[i].app) };
		t.text = (struct span){ infer_cases[i].text, strlen(infer_cases[i].text) };
		t.pid = 77;
		t.found = 1;
		t.split = 1;
		if (record_parse_tag(&t, &r) != REC_OK)
			fail_msg("case %zu \"%s\": not a Postfix record", i, infer_cases[i].text);
		if (r.prog != infer_cases[i].prog)
			fail_msg("case %zu \"%s\": program %s, expected %s", i, infer_cases[i].text,
				 prog_name(r.prog), prog_name(infer_cases[i].prog));
		assert_int_equal(r.pid, 77);
		assert_int_equal(r.prog_inferred, r.prog != PROG_OTHER);
		assert_int_equal(r.prog_uncertain, r.prog == PROG_OTHER);
		assert_true(span_eq(r.instance, infer_cases[i].app));
		assert_true(r.program.len == r.service.len
			    && memcmp(r.program.p, r.service.p, r.program.len) == 0);
		if (r.prog != PROG_OTHER)
			assert_true(span_eq(r.program, prog_name(r.prog)));
	}
	print_message("%zu inference cases\n", i);

	/* the whole tag in APP-NAME (permitSlashInProgramName): nothing inferred */
	memset(&t, 0, sizeof(t));
	t.ident = SPAN_LIT("postfix/submission/smtpd");
	t.text = SPAN_LIT("connect to x");
	t.pid = 5;
	t.found = t.split = 1;
	assert_int_equal(record_parse_tag(&t, &r), REC_OK);
	assert_int_equal(r.prog, PROG_SMTPD);
	assert_span_eq(r.service, "submission");
	assert_int_equal(r.prog_inferred, 0);
	assert_int_equal(r.prog_uncertain, 0);
	/* other programs in RFC 5424, and a nil or non-numeric PROCID */
	t.ident = SPAN_LIT("sshd");
	assert_int_equal(record_parse_tag(&t, &r), REC_OTHER);
	t.ident = SPAN_LIT("postfix");
	t.pid = -1;
	assert_int_equal(record_parse_tag(&t, &r), REC_MALFORMED);
	t.ident = SPAN_LIT("");
	t.pid = 1;
	assert_int_equal(record_parse_tag(&t, &r), REC_OTHER);
	/* without split, "postfix[pid]" stays the postfix(1) command */
	t.ident = SPAN_LIT("postfix");
	t.text = SPAN_LIT("4F2C31A0B7E: removed");
	t.split = 0;
	assert_int_equal(record_parse_tag(&t, &r), REC_OK);
	assert_int_equal(r.prog, PROG_POSTFIX);
	assert_int_equal(r.prog_inferred, 0);
}

static enum rec_status
parse_line(const char *line, struct pf_record *r)
{
	struct syslog_hdr h;

	syslog_hdr_set_reference(2026, 11);
	if (!syslog_hdr_parse(line, strlen(line), &h))
		fail_msg("header not recognised: \"%s\"", line);
	return record_parse_hdr(&h, r);
}

static void
test_parse_hdr_status(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/smtp[1]: 4F2C31A0B7E: removed", &r), REC_OK);
	assert_int_equal(r.prog, PROG_SMTP);
	assert_span_eq(r.qid, "4F2C31A0B7E");
	assert_int_equal(parse_line("<22>1 2024-03-07T02:09:33.123Z host postfix 1234 - - "
				    "4F2C31A0B7E: message-id=<x@y>", &r), REC_OK);
	assert_int_equal(r.prog, PROG_CLEANUP);
	assert_int_equal(r.pid, 1234);
	assert_span_eq(r.qid, "4F2C31A0B7E");
	assert_span_eq(r.text, "message-id=<x@y>");
	/* a queue ID attempt that is none: counted, not taken as text */
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/qmgr[1]: 4F2C31A0B7G: removed", &r),
			 REC_BAD_QID);
	assert_span_eq(r.qid, "4F2C31A0B7G");
	assert_span_eq(r.text, "removed");
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/qmgr[1]: 4f2c31a0b7e: removed", &r),
			 REC_BAD_QID);
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/qmgr[1]: warning: 4bW4fw0sf8zFaTZ: x", &r),
			 REC_BAD_QID);
	/* words are no attempt */
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/postsuper[1]: Deleted: 1 message", &r),
			 REC_OK);
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/smtp[1]: SHA256: x", &r), REC_OK);
	/* a Postfix tag without pid */
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/smtp: x", &r), REC_MALFORMED);
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 sshd: x", &r), REC_OTHER);
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 -- MARK --", &r), REC_OTHER);
	assert_int_equal(parse_line("Nov 23 12:07:52 mx1 postfix/smtp[1", &r), REC_OTHER);
}

static void
test_syslog_name(void **state)
{
	struct pf_record r;

	(void)state;
	assert_int_equal(parse("mta/policyd[4]: x", &r), 0);
	record_set_syslog_name("mta");
	assert_int_equal(parse("mta/policyd[4]: x", &r), 1);
	assert_int_equal(r.prog, PROG_OTHER);
	assert_true(record_is_postfix_name(SPAN_LIT("mta")));
	assert_false(record_is_postfix_name(SPAN_LIT("mt")));
	assert_true(record_is_postfix_name(SPAN_LIT("postfix-out")));
	record_set_syslog_name(NULL);
	assert_false(record_is_postfix_name(SPAN_LIT("mta")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_delivery),
		cmocka_unit_test(test_instance_postfix_out),
		cmocka_unit_test(test_service_submission),
		cmocka_unit_test(test_service_relay),
		cmocka_unit_test(test_postfix_command),
		cmocka_unit_test(test_warning_without_qid),
		cmocka_unit_test(test_warning_with_qid),
		cmocka_unit_test(test_other_severities),
		cmocka_unit_test(test_long_qid),
		cmocka_unit_test(test_words_are_not_qids),
		cmocka_unit_test(test_noqueue),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_custom_syslog_name),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_qid_classify),
		cmocka_unit_test(test_prog_lookup),
		cmocka_unit_test(test_dstatus),
		cmocka_unit_test(test_infer_program),
		cmocka_unit_test(test_parse_hdr_status),
		cmocka_unit_test(test_syslog_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
