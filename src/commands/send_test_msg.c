/*
 * send_test_msg.c - the pure parts of send-test (send_test_int.h): address
 * checks, sendmail's argument vector, the Message-ID and text of the test
 * message, and the table that reads the log records of the message.
 */
#include <stdio.h>
#include <string.h>

#include "send_test_int.h"

const char *
st_addr_problem(const char *addr)
{
	const char *at = NULL, *p;

	if (addr == NULL || *addr == '\0')
		return "is empty";
	if (*addr == '-')
		return "starts with '-'";
	if (strlen(addr) > 254)
		return "is longer than 254 characters";
	for (p = addr; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f)
			return "contains white space or a control character";
		if (strchr(",;<>()\"\\", c) != NULL)
			return "is not one plain address (no list, display name, comment or quotes)";
		if (c == '@') {
			if (at != NULL)
				return "contains more than one '@'";
			at = p;
		}
	}
	if (at == addr)
		return "has nothing before the '@'";
	if (at != NULL && at[1] == '\0')
		return "has no domain after the '@'";
	return NULL;
}

int
st_default_confdir(const char *dir)
{
	size_t n;

	if (dir == NULL)
		return 1;
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n == 12 && memcmp(dir, "/etc/postfix", 12) == 0;
}

int
st_sendmail_argv(const char *sendmail, const char *confdir, const char *from,
		 const char *argv[ST_ARGV_MAX])
{
	int n = 0;

	argv[n++] = sendmail;
	argv[n++] = "-t";	/* the recipient from To:, as mail(1) does */
	argv[n++] = "-i";	/* a line with only "." is text */
	if (!st_default_confdir(confdir)) {
		argv[n++] = "-C";
		argv[n++] = confdir;
	}
	if (from != NULL) {
		argv[n++] = "-f";
		argv[n++] = from;
	}
	argv[n] = NULL;
	return n;
}

/* The host name characters of host, at most ST_HOST_MAX, into buf
 * (ST_HOST_MAX + 1 bytes); "localhost" when none. */
static void
st_host_clean(char *buf, const char *host)
{
	size_t n = 0;

	for (; host != NULL && *host != '\0' && n < ST_HOST_MAX; host++) {
		unsigned char c = (unsigned char)*host;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		    || c == '-' || c == '.')
			buf[n++] = (char)c;
	}
	while (n > 0 && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	if (n == 0 || buf[0] == '.')
		snprintf(buf, ST_HOST_MAX + 1, "localhost");
}

int
st_message_id(char *buf, size_t size, int64_t epoch, long pid, uint32_t rnd, const char *host)
{
	char h[ST_HOST_MAX + 1];
	int n;

	st_host_clean(h, host);
	n = snprintf(buf, size, "<fmrd-test.%lld.%ld.%08x@%s>", (long long)epoch, pid,
		     (unsigned)rnd, h);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

void
st_message_text(struct strbuf *out, const struct st_message *m)
{
	struct tm tm;
	char date[64], stamp[64], host[ST_HOST_MAX + 1];

	localtime_r(&m->when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S %z", &tm);
	st_host_clean(host, m->host);
	if (m->from != NULL)
		sb_printf(out, "From: %s\n", m->from);
	sb_printf(out, "To: %s\n", m->to);
	sb_printf(out, "Subject: fmrelay-doctor test %s\n", stamp);
	sb_printf(out, "Date: %s\n", date);
	sb_printf(out, "Message-ID: %s\n", m->msgid);
	sb_adds(out, "MIME-Version: 1.0\n");
	sb_adds(out, "Content-Type: text/plain; charset=us-ascii\n");
	sb_printf(out, "X-Mailer: %s send-test\n", m->generator);
	sb_adds(out, "\n");
	sb_printf(out, "A test message of \"fmrelay-doctor send-test\", submitted on %s\n", host);
	sb_printf(out, "at %s to see whether mail leaves this machine.\n", stamp);
	sb_adds(out, "No reply is needed.\n");
}

int
st_msgid_line(struct span text, const char *msgid)
{
	size_t n = strlen(msgid);

	return text.len == 11 + n && memcmp(text.p, "message-id=", 11) == 0
	    && memcmp(text.p + 11, msgid, n) == 0;
}

#define P(x) ((uint64_t)1 << (x))
static const struct {
	uint64_t progs;		/* programs it applies to; 0: any */
	const char *prefix;
	const char *infix;	/* also somewhere after the prefix, or NULL */
	int exact;		/* the text is the prefix */
	enum st_event ev;
} st_rules[] = {
	{ P(PROG_QMGR), "removed", NULL, 1, ST_EV_REMOVED },
	{ P(PROG_QMGR), "from=<", ", status=expired,", 0, ST_EV_EXPIRED },
	{ P(PROG_QMGR), "from=<", " (queue active)", 0, ST_EV_ACTIVE },
	{ 0, "to=<", ", status=sent ", 0, ST_EV_SENT },
	{ 0, "to=<", ", status=deferred ", 0, ST_EV_DEFERRED },
	{ 0, "to=<", ", status=bounced ", 0, ST_EV_BOUNCED },
	{ 0, "to=<", ", status=undeliverable ", 0, ST_EV_BOUNCED },
	{ P(PROG_CLEANUP), "hold: ", NULL, 0, ST_EV_HELD },
	{ P(PROG_CLEANUP), "milter-hold: ", NULL, 0, ST_EV_HELD },
	{ P(PROG_CLEANUP), "reject: ", NULL, 0, ST_EV_REJECTED },
	{ P(PROG_CLEANUP), "milter-reject: ", NULL, 0, ST_EV_REJECTED },
	{ P(PROG_CLEANUP), "discard: ", NULL, 0, ST_EV_DISCARDED },
	{ P(PROG_CLEANUP), "milter-discard: ", NULL, 0, ST_EV_DISCARDED },
};
#undef P

enum st_event
st_classify(enum prog_id prog, struct span text)
{
	size_t i, n;

	for (i = 0; i < sizeof(st_rules) / sizeof(st_rules[0]); i++) {
		n = strlen(st_rules[i].prefix);
		if (st_rules[i].progs != 0 && !(st_rules[i].progs & ((uint64_t)1 << prog)))
			continue;
		if (text.len < n || memcmp(text.p, st_rules[i].prefix, n) != 0)
			continue;
		if (st_rules[i].exact && text.len != n)
			continue;
		if (st_rules[i].infix != NULL
		    && memmem(text.p + n, text.len - n, st_rules[i].infix,
			      strlen(st_rules[i].infix)) == NULL)
			continue;
		return st_rules[i].ev;
	}
	return ST_EV_NONE;
}

int
st_event_final(enum st_event ev)
{
	return ev == ST_EV_DEFERRED || ev == ST_EV_HELD || ev == ST_EV_REJECTED
	    || ev == ST_EV_DISCARDED;
}
