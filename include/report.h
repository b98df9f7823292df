/*
 * report.h - output: a readable text report (problems first, healthy
 * traffic summarised, terminal control characters escaped, colour only
 * on a tty without NO_COLOR) or one JSON document (json-c) streamed as the
 * analysis goes: messages are written as they complete, findings and
 * statistics at the end. Both go through one ops table.
 */
#ifndef FMRD_REPORT_H
#define FMRD_REPORT_H

#include <stdio.h>

#include "pfconf.h"
#include "correlate.h"
#include "diagnose.h"
#include "syslog_hdr.h"

/* What the input as a whole turned out to be (pipeline_finish). */
enum input_verdict {
	INPUT_OK = 0,
	INPUT_EMPTY,		/* no lines, or only blank ones */
	INPUT_NO_POSTFIX,	/* lines, but no Postfix record among them */
	INPUT_UNREADABLE,	/* most lines with a Postfix tag could not be read */
};

#define RUN_FIRST_BAD_MAX 200	/* bytes kept of the first unreadable line */

struct run_stats {
	unsigned long long lines, bytes, postfix, non_postfix, malformed, unknown_format;
	unsigned long long truncated, unterminated, read_errors, with_nul;
	unsigned long long formats[HDR_NFORMATS];
	/* lines not understood, by reason (malformed above is "record") */
	unsigned long long bad_header, bad_qid, prog_uncertain;
	unsigned long long tagged;	/* lines that carry a Postfix tag */
	unsigned long long unreadable;	/* of those, not understood (each line once) */
	unsigned long long blank;
	unsigned long long other_hosts;	/* lines of hosts --host did not name */
	enum input_verdict verdict;
	int first_bad_source;		/* -1: none */
	unsigned long first_bad_lineno;
	char first_bad[RUN_FIRST_BAD_MAX + 1];	/* NUL-terminated copy, raw bytes */
};

enum msg_filter { MSGS_ALL = 0, MSGS_PROBLEMS, MSGS_NONE };

struct run_info {
	char **sources;
	int nsources;
	const struct pfconf *cf;	/* NULL with --no-config */
	const char *config_dir;
	const char *queue_id;	/* --queue-id, or NULL */
	enum msg_filter msgs;
};

struct report;

struct report_ops {
	void (*begin)(struct report *);
	void (*message)(struct report *, const struct corr_msg *);
	void (*end)(struct report *, struct diag *, const struct corr_stats *,
		    const struct run_stats *);
	void (*free)(struct report *);
};

struct report {
	const struct report_ops *ops;
	FILE *out;
	const struct run_info *info;
	const struct diag *diag;	/* findings as indexed during the run */
	int color;
	void *priv;
};

struct report *report_json_new(FILE *out, const struct run_info *info, const struct diag *d);
struct report *report_text_new(FILE *out, const struct run_info *info, const struct diag *d,
			       int color);
void report_free(struct report *r);

/* Value of key in fact name of a serialised fact list (see
 * corr_rcpt_facts); 1 if found, with the value copied into buf. */
int report_fact(const char *facts, const char *name, const char *key,
		char *buf, size_t size);

/* Does this message need attention (not delivered, or hit by a match of
 * severity warning or error)? */
int report_msg_is_problem(const struct corr_msg *m);
/* Should this message be reported under the run's filters? */
int report_msg_wanted(const struct report *r, const struct corr_msg *m);

#endif
