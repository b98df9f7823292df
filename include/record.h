/*
 * record.h - the Postfix record after the syslog header:
 *   <syslog_name>/<program>[<pid>]: [<severity>: ][<queue id>: ]<text>
 * syslog_name may itself contain '/' (postfix/submission, postfix-out);
 * the program is the last component. Queue IDs are short (hex), long
 * (enable_long_queue_ids) or NOQUEUE. When a collector cut the tag at the
 * '/' (rsyslog's RFC 5424 APP-NAME is just "postfix"), the program is
 * inferred from the text where that is certain.
 */
#ifndef FMRD_RECORD_H
#define FMRD_RECORD_H

#include <stdint.h>
#include "util.h"
#include "syslog_hdr.h"

/* Programs the catalog can filter on; bit i of a program mask = PROG i. */
enum prog_id {
	PROG_OTHER = 0,
	PROG_SMTP, PROG_LMTP, PROG_SMTPD, PROG_QMGR, PROG_CLEANUP, PROG_PICKUP,
	PROG_BOUNCE, PROG_LOCAL, PROG_VIRTUAL, PROG_PIPE, PROG_ERROR,
	PROG_DISCARD, PROG_MASTER, PROG_POSTFIX, PROG_POSTFIX_SCRIPT,
	PROG_POSTMAP, PROG_POSTSUPER, PROG_POSTDROP, PROG_SENDMAIL,
	PROG_TLSMGR, PROG_TLSPROXY, PROG_POSTLOGD, PROG_ANVIL, PROG_SCACHE,
	PROG_PROXYMAP, PROG_TRIVIAL_REWRITE, PROG_POSTSCREEN, PROG_DNSBLOG,
	PROG_VERIFY, PROG_FLUSH, PROG_SHOWQ, PROG_OQMGR, PROG_SPAWN,
	PROG_POSTQUEUE, PROG_POSTCONF,
	PROG_COUNT
};

enum severity {
	SEV_INFO = 0, SEV_WARNING, SEV_ERROR, SEV_FATAL, SEV_PANIC
};

enum qid_kind {
	QID_NONE = 0, QID_SHORT, QID_LONG, QID_NOQUEUE
};

/* Delivery status of a recipient (status= field), or of the message. */
enum dstatus {
	DS_NONE = 0,		/* no delivery attempt seen yet */
	DS_SENT,
	DS_DEFERRED,
	DS_BOUNCED,		/* also undeliverable (SOFTBOUNCE stays queued: deferred) */
	DS_EXPIRED,
	DS_REJECTED,		/* message outcome only: cleanup(8) rejected it */
	DS_HELD,		/* message outcome only: cleanup(8) put it on hold */
	DS_COUNT
};

const char *dstatus_name(enum dstatus st);
enum dstatus dstatus_lookup(const char *name, size_t len);

struct pf_record {
	struct span ident;	/* postfix/submission/smtpd */
	struct span instance;	/* first component: postfix, postfix-out */
	struct span service;	/* master.cf service (submission, relay) or the program */
	struct span program;	/* last component: smtpd */
	enum prog_id prog;
	long pid;
	enum severity severity;
	enum qid_kind qid_kind;
	struct span qid;
	struct span text;	/* after the severity and queue ID prefixes */
	uint8_t prog_inferred;	/* program taken from the text (tag cut at '/') */
	uint8_t prog_uncertain;	/* tag cut at '/' and the text does not tell */
};

enum rec_status {
	REC_OTHER = 0,		/* another program's line, or no tag at all */
	REC_OK,			/* a Postfix record */
	REC_MALFORMED,		/* a Postfix tag, but no pid or a broken layout */
	REC_BAD_QID,		/* "XXXX: " looks like a queue ID but is none (r->qid) */
};

/* Parse the record behind a syslog header, using the tag the header
 * scanner split off. r is filled for REC_OK and REC_BAD_QID. */
enum rec_status record_parse_hdr(const struct syslog_hdr *h, struct pf_record *r);
enum rec_status record_parse_tag(const struct syslog_tag *t, struct pf_record *r);

/* Parse rest (the text after the syslog host, starting with the tag).
 * Returns 1 for a Postfix record, 0 for anything else. */
int record_parse(struct span rest, struct pf_record *r);

/* Another syslog_name (main.cf) whose records are Postfix records even
 * when the instance does not start with "postfix"; NULL or "" for none.
 * The string must stay valid. */
void record_set_syslog_name(const char *name);
/* Does the ident's first component name a Postfix instance? */
int record_is_postfix_name(struct span instance);

enum prog_id prog_lookup(const char *name, size_t len);
const char *prog_name(enum prog_id id);
const char *severity_name(enum severity sev);

/* Queue ID classification of s (without the trailing ": "). */
enum qid_kind qid_classify(struct span s);

#endif
