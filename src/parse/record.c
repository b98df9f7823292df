/*
 * record.c - split a Postfix syslog record into ident (instance, service,
 * program), pid, severity, queue ID and text, from the tag the header
 * scanner split off; infer the program where a collector cut the tag at
 * the '/'. No allocation: every field is a span into the caller's line
 * (or a program name from the static table).
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

static const char *rec_syslog_name;
static size_t rec_syslog_name_len;

void
record_set_syslog_name(const char *name)
{
	rec_syslog_name = name;
	rec_syslog_name_len = name != NULL ? strlen(name) : 0;
}

int
record_is_postfix_name(struct span instance)
{
	if (instance.len >= 7 && memcmp(instance.p, "postfix", 7) == 0)
		return 1;
	return rec_syslog_name_len > 0 && instance.len == rec_syslog_name_len
	    && memcmp(instance.p, rec_syslog_name, instance.len) == 0;
}

#define STARTS(s, lit) ((s).len >= sizeof(lit) - 1 && memcmp((s).p, lit, sizeof(lit) - 1) == 0)
#define ENDS(s, lit) ((s).len >= sizeof(lit) - 1 \
		      && memcmp((s).p + (s).len - (sizeof(lit) - 1), lit, sizeof(lit) - 1) == 0)
#define HAS(s, lit) (memmem((s).p, (s).len, lit, sizeof(lit) - 1) != NULL)

/* A delivery line "to=<...>, [orig_to=<...>, ]relay=R, ..., status=...":
 * local and virtual name themselves; "host[addr]:port" is smtp(8) (lmtp
 * over TCP looks the same, but a relay is far more often smtp); anything
 * else (none, unix sockets, pipe transports) is not certain. */
static enum prog_id
infer_delivery(struct span t)
{
	const char *end = t.p + t.len, *v, *e, *lb, *rb, *d;

	if ((v = memmem(t.p, t.len, ", relay=", 8)) == NULL || !HAS(t, ", status="))
		return PROG_OTHER;
	v += 8;
	if ((e = memchr(v, ',', (size_t)(end - v))) == NULL)
		e = end;
	if (e - v == 5 && memcmp(v, "local", 5) == 0)
		return PROG_LOCAL;
	if (e - v == 7 && memcmp(v, "virtual", 7) == 0)
		return PROG_VIRTUAL;
	if ((lb = memchr(v, '[', (size_t)(e - v))) == NULL || lb == v
	    || (rb = memchr(lb, ']', (size_t)(e - lb))) == NULL || e - rb < 3 || rb[1] != ':')
		return PROG_OTHER;
	for (d = rb + 2; d < e && *d >= '0' && *d <= '9'; d++)
		;
	return d == e ? PROG_SMTP : PROG_OTHER;
}

/* The program of a record whose tag was cut at the '/', from texts only
 * one program writes; PROG_OTHER when the text does not tell for certain. */
static enum prog_id
infer_prog(const struct pf_record *r)
{
	struct span t = r->text;

	if (r->severity != SEV_INFO)
		return PROG_OTHER;
	if (r->qid_kind == QID_SHORT || r->qid_kind == QID_LONG) {
		if (STARTS(t, "to=<"))
			return infer_delivery(t);
		if (STARTS(t, "from=<")) {
			if (ENDS(t, " (queue active)") && HAS(t, ", nrcpt="))
				return PROG_QMGR;
			if (ENDS(t, ", status=expired, returned to sender"))
				return PROG_QMGR;
			return PROG_OTHER;
		}
		if (t.len == 7 && memcmp(t.p, "removed", 7) == 0)
			return PROG_QMGR;
		if (STARTS(t, "message-id=<"))
			return PROG_CLEANUP;
		if (STARTS(t, "uid=") && HAS(t, " from=<"))
			return PROG_PICKUP;
		if (STARTS(t, "client="))
			return PROG_SMTPD;
		if (STARTS(t, "sender non-delivery notification: ")
		    || STARTS(t, "sender delay notification: ")
		    || STARTS(t, "postmaster non-delivery notification: ")
		    || STARTS(t, "postmaster delay notification: "))
			return PROG_BOUNCE;
		return PROG_OTHER;
	}
	if (r->qid_kind == QID_NONE
	    && (STARTS(t, "connect from ") || STARTS(t, "disconnect from ")))
		return PROG_SMTPD;
	return PROG_OTHER;
}

/* "XXXX: " that is no queue ID but looks like an attempt at one: long
 * enough and with a digit (words such as "Deleted:" have none). */
static int
qid_attempt(struct span s)
{
	size_t i;

	if (s.len < 8)
		return 0;
	for (i = 0; i < s.len; i++)
		if (s.p[i] >= '0' && s.p[i] <= '9')
			return 1;
	return 0;
}

enum rec_status
record_parse_tag(const struct syslog_tag *t, struct pf_record *r)
{
	const char *p, *end, *slash, *q;
	size_t i;
	int postfixy, infer = 0;
	enum prog_id id;

	if (!t->found || t->ident.len == 0)
		return REC_OTHER;
	memset(r, 0, sizeof(*r));
	r->ident = t->ident;
	p = t->ident.p;
	slash = memchr(p, '/', t->ident.len);
	r->instance.p = p;
	r->instance.len = slash != NULL ? (size_t)(slash - p) : t->ident.len;
	postfixy = record_is_postfix_name(r->instance);
	if (t->pid < 0)
		return postfixy ? REC_MALFORMED : REC_OTHER;
	r->pid = t->pid;

	/* instance / [service /] program */
	if (slash == NULL) {
		if (t->split && postfixy) {
			/* RFC 5424 APP-NAME cut at the '/': program from the text */
			infer = 1;
		} else if (!(t->ident.len == 7 && memcmp(p, "postfix", 7) == 0)) {
			return REC_OTHER;
		}
		/* "postfix[pid]": the postfix(1) command itself */
		r->program = r->ident;
	} else {
		for (q = p + t->ident.len - 1; *q != '/'; q--)
			;
		r->program.p = q + 1;
		r->program.len = (size_t)(p + t->ident.len - q - 1);
		if (r->program.len == 0 || r->instance.len == 0)
			return postfixy ? REC_MALFORMED : REC_OTHER;
	}
	r->prog = prog_lookup(r->program.p, r->program.len);
	if (r->prog == PROG_OTHER && !postfixy)
		return REC_OTHER;
	/* The master.cf service: the component before the program when the
	 * syslog_name has one (postfix/relay/smtp), otherwise the program. */
	r->service = r->program;
	if (slash != NULL && r->program.p - 1 > slash) {
		for (q = r->program.p - 2; q > slash && *q != '/'; q--)
			;
		r->service.p = q + 1;
		r->service.len = (size_t)(r->program.p - 1 - (q + 1));
	}

	p = t->text.p;
	end = t->text.p + t->text.len;
	r->severity = SEV_INFO;
	for (i = 0; p < end && (*p == 'w' || *p == 'e' || *p == 'f' || *p == 'p')
	     && i < sizeof(sev_prefixes) / sizeof(sev_prefixes[0]); i++) {
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
	if (end - q >= 2 && q[0] == ':' && q[1] == ' ' && q > p) {
		struct span cand = { p, (size_t)(q - p) };
		enum qid_kind k = qid_classify(cand);

		if (k != QID_NONE) {
			r->qid_kind = k;
			r->qid = cand;
			p = q + 2;
		} else if (qid_attempt(cand)) {
			r->qid = cand;
			r->text.p = q + 2;
			r->text.len = (size_t)(end - q - 2);
			return REC_BAD_QID;
		}
	}
	r->text.p = p;
	r->text.len = (size_t)(end - p);

	if (infer) {
		if ((id = infer_prog(r)) != PROG_OTHER) {
			r->prog = id;
			r->program.p = prog_name(id);
			r->program.len = strlen(r->program.p);
			r->prog_inferred = 1;
		} else {
			r->prog = PROG_OTHER;
			r->prog_uncertain = 1;
		}
		r->service = r->program;
	}
	return REC_OK;
}

enum rec_status
record_parse_hdr(const struct syslog_hdr *h, struct pf_record *r)
{
	return record_parse_tag(&h->tag, r);
}

int
record_parse(struct span rest, struct pf_record *r)
{
	struct syslog_tag t;

	memset(&t, 0, sizeof(t));
	if (!syslog_tag_scan(rest.p, rest.len, &t))
		return 0;
	return record_parse_tag(&t, r) == REC_OK;
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
