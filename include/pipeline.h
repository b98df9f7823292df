/*
 * pipeline.h - the data flow of one run: input -> syslog header ->
 * Postfix record -> correlation (+ catalog, diagnosis) -> sinks.
 * main.c builds a pipeline from the command line and feeds it sources.
 * The pipeline also judges the input as a whole (run_stats.verdict): lines
 * with a Postfix tag that could not be read are counted by reason.
 */
#ifndef FMRD_PIPELINE_H
#define FMRD_PIPELINE_H

#include "catalog.h"
#include "pfconf.h"
#include "correlate.h"
#include "diagnose.h"
#include "input.h"
#include "report.h"
#include "timewin.h"

struct pipeline {
	struct catalog *cat;
	const struct pfconf *cf;
	struct diag diag;
	struct corr corr;
	struct sinks sinks;	/* the outputs, fed in order (not owned) */
	int64_t stats_interval;	/* seconds between stats events; 0: none */
	int64_t stats_due;	/* wall time of the next one; 0: not started */
	int64_t clock_wall, clock_log;	/* log time clock_log was seen at wall time clock_wall */
	struct run_stats stats;
	int fixed_year;		/* --year, or 0 to infer from the file */
	char *scratch;		/* a line with NUL bytes, made printable */
	char syslog_name[64];	/* main.cf syslog_name when it is not postfix*, else "" */
	const char *const *hosts;	/* --host: only lines of these hosts, or NULL */
	int nhosts;
	struct hdr_year *year;	/* the current source's year state, or NULL */
	const struct input *cur_in;	/* the source being read, or NULL */
	struct logtime t_first, t_last;	/* first and last dated line read */
	struct timewin win;	/* --since/--until/--last, with the look-back */
	int win_on;		/* a window is set */
	enum tw_pos win_pos;	/* where the latest dated line fell */
	int source_done;	/* past the window's end: stop reading this source */
	unsigned long long outside;	/* lines outside the window, skipped */
	int prefiltered;	/* a source hands over Postfix entries only (journal) */
	int no_log;		/* --config-only */
	/* Ends a run early (send-test: its message has ended, or time is
	 * up): run.c asks after every line and on every tick while a
	 * followed source waits; nonzero stops reading as a signal would,
	 * and the report is still finished. NULL: read to the end (or
	 * until a signal when following). */
	int (*stop)(void *ctx);
	void *stop_ctx;
};

void pipeline_init(struct pipeline *pl, struct catalog *cat, const struct pfconf *cf,
		   int fixed_year);
/* Feed only this sink (NULL: none). */
void pipeline_set_report(struct pipeline *pl, struct report *rep);
/* Feed this sink too. */
void pipeline_add_sink(struct pipeline *pl, struct report *rep);
/* The clock: now is wall-clock epoch seconds. While no line moves the
 * log time on, it advances with the wall clock from the latest log time
 * seen (so neither a batch run nor a log in another zone is moved) and
 * evicts what went stale (corr_tick); hands the findings made or changed since the last tick to
 * the sinks (once each), and a stats event when --stats-interval has
 * passed. A followed run ticks at least every 100 ms, a batch run every
 * so many lines; pipeline_finish ticks the findings once more. */
void pipeline_tick(struct pipeline *pl, int64_t now);
/* Run the configuration checks (check.h) over cf and fold what the
 * "on = config" rules make of their observations into the diagnosis;
 * before any log line, so log findings about the same cause join them. */
void pipeline_check_config(struct pipeline *pl, struct pfconf *cf);
/* Where other observers (the probe) send observations: into the same
 * diagnosis as the configuration checks. */
struct obs_out pipeline_obs_out(struct pipeline *pl);
/* No log is read (--config-only): the input verdict is "none". */
void pipeline_no_log(struct pipeline *pl);
/* Read only lines in window w (lines of its look-back feed correlation
 * only, muted). */
void pipeline_set_window(struct pipeline *pl, const struct timewin *w);
/* The lines that follow come from source in (index source). */
void pipeline_source(struct pipeline *pl, struct input *in, int source);
/* That source has been read (its bytes are counted). */
void pipeline_source_done(struct pipeline *pl, const struct input *in);
/* Read a whole source; returns 0, or -1 on a read error (errno in in->err). */
int pipeline_feed(struct pipeline *pl, struct input *in, int source);
/* Process one line (exposed for tests and future follow mode). */
void pipeline_line(struct pipeline *pl, const struct line *ln, int source);
/* End of input: judge the input (stats.verdict), flush messages, rank
 * findings, finish the report. */
void pipeline_finish(struct pipeline *pl);
void pipeline_free(struct pipeline *pl);

#endif
