/*
 * run.c - the run loop: every source of the set in order through the
 * pipeline; the followed source is waited on with a short timeout so the
 * pipeline's clock ticks while no line arrives; signals end it cleanly.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"

#define RUN_BATCH_TICK 65536	/* lines between ticks when reading through */

static volatile sig_atomic_t run_stop;

static void
run_on_signal(int sig)
{
	/* SIGHUP only interrupts the wait: the followed source then looks at
	 * its log's name again at once */
	if (sig != SIGHUP)
		run_stop = 1;
}

void
run_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a wait returns at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
run_interrupted(void)
{
	return run_stop != 0;
}

/* The output went away (a closed pipe): nothing more to say. */
static int
run_output_gone(void)
{
	return ferror(stdout) && errno == EPIPE;
}

/* A signal, a closed output or the pipeline's stop predicate ends the
 * reading. */
static int
run_done(struct pipeline *pl)
{
	return run_stop || run_output_gone() || (pl->stop != NULL && pl->stop(pl->stop_ctx));
}

static void
run_tick(struct pipeline *pl)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pipeline_tick(pl, (int64_t)ts.tv_sec);
}

/* One source to its end (or, followed, until a signal or a closed pipe). */
static int
run_one(struct pipeline *pl, struct input *in, int idx, const char *name)
{
	struct line ln;
	unsigned long n = 0;
	int r;

	pipeline_source(pl, in, idx);
	for (;;) {
		r = input_next(in, &ln);
		if (r == INPUT_LINE) {
			pipeline_line(pl, &ln, idx);
			if (pl->source_done) {
				pl->source_done = 0;	/* past the window's end */
				break;
			}
			if (pl->stop != NULL && pl->stop(pl->stop_ctx))
				break;
			if (++n % RUN_BATCH_TICK == 0) {
				run_tick(pl);
				if (run_stop || run_output_gone())
					break;
			}
			continue;
		}
		if (r == INPUT_AGAIN) {
			/* a signal ends a followed run once what was read is done */
			if (run_done(pl))
				break;
			run_tick(pl);
			fflush(stdout);
			if (input_wait(in, RUN_TICK_MS) < 0 && errno != EINTR) {
				msg_warn("cannot wait for %s: %s", name, strerror(errno));
				return -1;
			}
			continue;
		}
		if (r == INPUT_ERROR) {
			msg_warn("read error on %s: %s", name, strerror(in->err));
			pipeline_source_done(pl, in);
			return -1;
		}
		break;		/* INPUT_EOF */
	}
	pipeline_source_done(pl, in);
	return 0;
}

int
run_sources(struct pipeline *pl, struct source_set *set)
{
	int i, rc = 0;

	for (i = 0; i < set->n && !run_done(pl); i++)
		if (run_one(pl, set->in[i], i, set->names[i]) < 0)
			rc = FMRD_EXIT_NOINPUT;
	return rc;
}
