/*
 * run.h - the run loop: feed every source of the set to the pipeline in
 * order; follow the last one when asked, telling the pipeline the time
 * while no line arrives; SIGTERM/SIGINT end the run cleanly (the report
 * is still finished), SIGHUP reopens the followed log, a closed output
 * pipe ends the run quietly, and so does the pipeline's stop predicate
 * (pipeline.h: send-test ends when its message has).
 */
#ifndef FMRD_RUN_H
#define FMRD_RUN_H

#include "pipeline.h"
#include "sources.h"

#define RUN_TICK_MS 100		/* clock of a followed run: events within 100 ms */

/* Install the signal handlers of a followed run. */
void run_signals(void);
/* Read every source; returns 0, or FMRD_EXIT_NOINPUT after a read error
 * (reported on stderr, the other sources are still read). */
int run_sources(struct pipeline *pl, struct source_set *set);
/* The run was ended by a signal (the report is complete up to it). */
int run_interrupted(void);

#endif
