/*
 * report.h - the sinks: every output implements one ops table and the
 * pipeline feeds a list of them (struct sinks), so several outputs can
 * run at once. A readable text report (problems first, healthy traffic
 * summarised, terminal control characters escaped, colour only on a tty
 * without NO_COLOR); one JSON document (json-c) streamed as the analysis
 * goes: messages as they complete, findings and statistics at the end;
 * an NDJSON stream of events (message, finding, stats, summary), one
 * object a line, flushed per line. The JSON document and NDJSON share
 * the builders of their objects, so a message or finding is the same
 * object in both.
 */
#ifndef FMRD_REPORT_H
#define FMRD_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "pfconf.h"
#include "correlate.h"
#include "diagnose.h"
#include "jsonw.h"
#include "syslog_hdr.h"

/* What the input as a whole turned out to be (pipeline_finish). */
enum input_verdict {
	INPUT_OK = 0,
	INPUT_EMPTY,		/* no lines, or only blank ones */
	INPUT_NO_POSTFIX,	/* lines, but no Postfix record among them */
	INPUT_UNREADABLE,	/* most lines with a Postfix tag could not be read */
	INPUT_NONE,		/* no log was read (--config-only) */
};

#define RUN_FIRST_BAD_MAX 200	/* bytes kept of the first unreadable line */

struct run_stats {
	unsigned long long observations;	/* made by the configuration checks */
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
	int config_only;	/* --config-only or probe: no log is read */
	const struct probe_result *probe;	/* probe: its phases, or NULL */
};

struct report;

/* A sink. Every op but message and end may be NULL. Finding indices of
 * messages (corr_msg.finds) are valid in message; findings refer to
 * nothing by index: in finding, f->handle is the stable key. */
struct report_ops {
	void (*begin)(struct report *);
	void (*message)(struct report *, const struct corr_msg *);
	void (*end)(struct report *, struct diag *, const struct corr_stats *,
		    const struct run_stats *);
	void (*free)(struct report *);
	/* every Postfix record, as the correlator gets it */
	void (*record)(struct report *, const struct pf_record *, const struct evref *);
	/* a finding created or changed since the last tick (once a tick) */
	void (*finding)(struct report *, const struct finding *);
	/* every --stats-interval; now is wall-clock epoch seconds */
	void (*stats)(struct report *, const struct diag *, const struct corr_stats *,
		      const struct run_stats *, int64_t now);
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
/* NDJSON (ndjson.c): one event object a line, flushed per line. */
struct report *report_ndjson_new(FILE *out, const struct run_info *info, const struct diag *d);
void report_free(struct report *r);

/* The list of sinks the pipeline feeds (sinks.c). The list does not own
 * its sinks: sinks_free frees them, for callers that want it. */
#define SINKS_MAX 8
enum {
	SINK_WANT_RECORD = 1,	/* some sink has a record op */
	SINK_WANT_FINDING = 2,
	SINK_WANT_STATS = 4
};

struct sinks {
	struct report *v[SINKS_MAX];
	int n;
	unsigned want;		/* SINK_WANT_*: skip work no sink asked for */
};

void sinks_init(struct sinks *s);
/* Append a sink; fatal (internal error) when the list is full. */
void sinks_add(struct sinks *s, struct report *r);
void sinks_begin(struct sinks *s);
void sinks_record(struct sinks *s, const struct pf_record *rec, const struct evref *ev);
void sinks_message(struct sinks *s, const struct corr_msg *m);
void sinks_finding(struct sinks *s, const struct finding *f);
void sinks_stats(struct sinks *s, const struct diag *d, const struct corr_stats *cs,
		 const struct run_stats *rs, int64_t now);
void sinks_end(struct sinks *s, struct diag *d, const struct corr_stats *cs,
	       const struct run_stats *rs);
/* Free every sink (report_free) and empty the list. */
void sinks_free(struct sinks *s);

/* The objects the JSON document and the NDJSON stream share
 * (report_json.c). r->priv must be a struct json_priv. */
struct json_object;

struct json_priv {
	int nmsgs;
	struct strbuf sb;	/* scratch for json-c strings */
	struct strbuf out;	/* one message object (w writes here) */
	struct jsonw w;
};

void report_json_priv_init(struct json_priv *jp);
/* A JSON-writing sink with ops: the document or the NDJSON stream. */
struct report *report_json_alloc(FILE *out, const struct run_info *info, const struct diag *d,
				 const struct report_ops *ops);
void report_json_priv_free(struct json_priv *jp);
/* The members of message m's object, written with jp->w into an object
 * the caller has opened. */
void report_json_message(struct report *r, const struct corr_msg *m);
/* The members of finding f's object, added to o. */
void report_json_finding(struct report *r, struct json_object *o, const struct finding *f);
/* The wanted findings of d in its order; with handles, each object
 * starts with "handle" (NDJSON). */
struct json_object *report_json_findings(struct report *r, const struct diag *d, int handles);
struct json_object *report_json_sources(struct report *r);
struct json_object *report_json_config(struct report *r);
/* The members of the "stats" object, added to st. */
void report_json_stats(struct report *r, struct json_object *st, const struct diag *d,
		       const struct corr_stats *cs, const struct run_stats *rs);
/* Write o to r->out, without a newline. */
void report_json_emit(struct report *r, struct json_object *o);

/* The probe's part (report_probe.c): the JSON "probe" object, the text
 * section "Probe of DEST". */
struct probe_result;
struct json_object *report_json_probe(const struct probe_result *p);
void report_text_probe(FILE *out, const struct probe_result *p);

/* Does this message need attention (not delivered, or hit by a match of
 * severity warning or error)? */
int report_msg_is_problem(const struct corr_msg *m);
/* Should this message be reported under the run's filters? */
int report_msg_wanted(const struct report *r, const struct corr_msg *m);
/* Is finding f reported under --queue-id (attached to that message)? */
int report_finding_wanted(const struct report *r, const struct finding *f);

#endif
