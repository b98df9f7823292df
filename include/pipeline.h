/*
 * pipeline.h - the data flow of one run: input -> syslog header ->
 * Postfix record -> correlation (+ catalog, diagnosis) -> report.
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

struct pipeline {
	struct catalog *cat;
	const struct pfconf *cf;
	struct diag diag;
	struct corr corr;
	struct report *rep;
	struct run_stats stats;
	int fixed_year;		/* --year, or 0 to infer from the file */
	char *scratch;		/* a line with NUL bytes, made printable */
	char syslog_name[64];	/* main.cf syslog_name when it is not postfix*, else "" */
	const char *const *hosts;	/* --host: only lines of these hosts, or NULL */
	int nhosts;
};

void pipeline_init(struct pipeline *pl, struct catalog *cat, const struct pfconf *cf,
		   int fixed_year);
void pipeline_set_report(struct pipeline *pl, struct report *rep);
/* Read a whole source; returns 0, or -1 on a read error (errno in in->err). */
int pipeline_feed(struct pipeline *pl, struct input *in, int source);
/* Process one line (exposed for tests and future follow mode). */
void pipeline_line(struct pipeline *pl, const struct line *ln, int source);
/* End of input: judge the input (stats.verdict), flush messages, rank
 * findings, finish the report. */
void pipeline_finish(struct pipeline *pl);
void pipeline_free(struct pipeline *pl);

#endif
