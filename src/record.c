/*
 * record.c - split a Postfix syslog record into ident (instance, service,
 * program), pid, severity, queue ID and text. No allocation: every field
 * is a span into the caller's line.
 */
#include <string.h>

#include "record.h"

static const char *const prog_names[PROG_COUNT] = {
	"other",
	"smtp", "lmtp", "smtpd", "qmgr", "cleanup", "pickup",
	"bounce", "local", "virtual", "pipe", "error",
	"discard", "master", "postfix", "postfix-script",
	"postmap", "postsuper", "postdrop", "sendmail",
	"tlsmgr", "tlsproxy", "postlogd", "anvil", "scache",
	"proxymap", "trivial-rewrite", "postscreen", "dnsblog",
	"verify", "flush", "showq", "oqmgr", "spawn",
	"postqueue", "postconf",
};

enum prog_id
prog_lookup(const char *name, size_t len)
{
	static unsigned char lens[PROG_COUNT];
	int i;

	if (lens[1] == 0)
		for (i = 1; i < PROG_COUNT; i++)
			lens[i] = (unsigned char)strlen(prog_names[i]);
	for (i = 1; i < PROG_COUNT; i++)
		if (lens[i] == len && prog_names[i][0] == name[0]
		    && memcmp(prog_names[i], name, len) == 0)
			return (enum prog_id)i;
	return PROG_OTHER;
}

const char *
prog_name(enum prog_id id)
{
	return id < PROG_COUNT ? prog_names[id] : "other";
}

const char *
severity_name(enum severity sev)
{
	static const char *const names[] = {
		"info", "warning", "error", "fatal", "panic"
	};

	return sev <= SEV_PANIC ? names[sev] : "info";
}

/* Long queue ID alphabet: digits and letters without vowels (A.5). */
static int
qid_long_char(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return strchr("AEIOUaeiou", c) == NULL;
	return 0;
}

enum qid_kind
qid_classify(struct span s)
{
	size_t i, lastz = 0;
	int hex = 1, longok = 1;

	if (s.len == 7 && memcmp(s.p, "NOQUEUE", 7) == 0)
		return QID_NOQUEUE;
	if (s.len < 6 || s.len > 64)
		return QID_NONE;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			hex = 0;
		if (!qid_long_char(c))
			longok = 0;
		if (c == 'z')
			lastz = i;
	}
	if (hex)
		return QID_SHORT;
	if (longok && lastz >= 10 && lastz + 1 < s.len)
		return QID_LONG;
	return QID_NONE;
}

static const struct {
	const char *prefix;
	size_t len;
	enum severity sev;
} sev_prefixes[] = {
	{ "warning: ", 9, SEV_WARNING },
	{ "error: ", 7, SEV_ERROR },
	{ "fatal: ", 7, SEV_FATAL },
	{ "panic: ", 7, SEV_PANIC },
};

int
record_parse(struct span rest, struct pf_record *r)
{
	const char *p = rest.p, *end = rest.p + rest.len, *lb, *rb, *slash, *q;
	size_t i;
	long pid = 0;

	/* ident[pid]: */
	lb = memchr(p, '[', rest.len < 256 ? rest.len : 256);
	if (lb == NULL || lb == p)
		return 0;
	for (q = p; q < lb; q++)
		if (*q == ' ' || *q == ':')
			return 0;
	for (rb = lb + 1; rb < end && *rb >= '0' && *rb <= '9' && rb - lb < 12; rb++)
		pid = pid * 10 + (*rb - '0');
	if (rb == lb + 1 || rb + 2 >= end + 1 || rb >= end || *rb != ']'
	    || rb + 1 >= end || rb[1] != ':')
		return 0;
	r->ident.p = p;
	r->ident.len = (size_t)(lb - p);
	r->pid = pid;

	/* instance / [service /] program */
	slash = memchr(p, '/', r->ident.len);
	if (slash == NULL) {
		/* "postfix[pid]": the postfix(1) command itself */
		if (!(r->ident.len == 7 && memcmp(p, "postfix", 7) == 0))
			return 0;
		r->instance = r->ident;
		r->program = r->ident;
	} else {
		r->instance.p = p;
		r->instance.len = (size_t)(slash - p);
		for (q = lb - 1; *q != '/'; q--)
			;
		r->program.p = q + 1;
		r->program.len = (size_t)(lb - q - 1);
	}
	r->prog = prog_lookup(r->program.p, r->program.len);
	if (r->prog == PROG_OTHER
	    && !(r->instance.len >= 7 && memcmp(r->instance.p, "postfix", 7) == 0))
		return 0;
	/* The master.cf service: the component before the program when the
	 * syslog_name has one (postfix/relay/smtp), otherwise the program. */
	r->service = r->program;
	if (slash != NULL && r->program.p - 1 > slash) {
		for (q = r->program.p - 2; q > slash && *q != '/'; q--)
			;
		r->service.p = q + 1;
		r->service.len = (size_t)(r->program.p - 1 - (q + 1));
	}

	p = rb + 2;
	if (p < end && *p == ' ')
		p++;
	r->severity = SEV_INFO;
	for (i = 0; i < sizeof(sev_prefixes) / sizeof(sev_prefixes[0]); i++) {
		if ((size_t)(end - p) >= sev_prefixes[i].len
		    && memcmp(p, sev_prefixes[i].prefix, sev_prefixes[i].len) == 0) {
			r->severity = sev_prefixes[i].sev;
			p += sev_prefixes[i].len;
			break;
		}
	}

	/* QID: */
	r->qid_kind = QID_NONE;
	r->qid = SPAN_EMPTY;
	for (q = p; q < end && q - p <= 64 && ((*q >= '0' && *q <= '9')
	    || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')); q++)
		;
	if (q + 1 < end && q[0] == ':' && q[1] == ' ' && q > p) {
		struct span cand = { p, (size_t)(q - p) };
		enum qid_kind k = qid_classify(cand);

		if (k != QID_NONE) {
			r->qid_kind = k;
			r->qid = cand;
			p = q + 2;
		}
	}
	r->text.p = p;
	r->text.len = (size_t)(end - p);
	return 1;
}

const char *
dstatus_name(enum dstatus st)
{
	static const char *const names[DS_COUNT] = {
		"queued", "sent", "deferred", "bounced", "expired", "rejected", "held"
	};

	return st < DS_COUNT ? names[st] : "queued";
}

enum dstatus
dstatus_lookup(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum dstatus st;
	} tab[] = {
		{ "sent", DS_SENT }, { "deferred", DS_DEFERRED },
		{ "bounced", DS_BOUNCED }, { "SOFTBOUNCE", DS_DEFERRED },
		{ "expired", DS_EXPIRED }, { "force-expired", DS_EXPIRED },
		{ "deliverable", DS_SENT }, { "undeliverable", DS_BOUNCED },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == len && memcmp(tab[i].name, name, len) == 0)
			return tab[i].st;
	return DS_NONE;
}
