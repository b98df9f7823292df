/*
 * fuzz_pipeline.c - libFuzzer target: the whole line pipeline (header,
 * record, correlation with the built-in rules, diagnosis, report) on a
 * small log. The catalog is loaded once from patterns/; the input size
 * selects the variant, so every variant sees every kind of input:
 *   bit 0: JSON or text report
 *   bit 1: without configuration (--no-config) or with a sample's
 *   bit 2: --queue-id for the first queue ID in the input (the "story")
 * The report is written to /dev/null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "pipeline.h"
#include "timewin.h"
#include "record.h"
#include "report.h"
#include "syslog_hdr.h"
#include "textsafe.h"
#include "fuzz_common.h"

#ifndef FMRD_SRC_PATTERNS
#error FMRD_SRC_PATTERNS must name the source tree's patterns directory
#endif
#define FUZZ_CONFIG FMRD_SRC_PATTERNS "/../samples/tls-capath-chroot-secure/postfix"

static struct catalog cat;
static struct pfconf cf;
static int have_cf;
static FILE *devnull;
static char *src_names[1] = { "fuzz.log" };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FMRELAY_DOCTOR_PATTERNS");
	struct strbuf err;

	(void)argc;
	(void)argv;
	sb_init(&err);
	catalog_init(&cat);
	if (catalog_load_path(&cat, dir != NULL ? dir : FMRD_SRC_PATTERNS, &err) < 0
	    || catalog_finalize(&cat, &err) < 0) {
		fprintf(stderr, "fuzz_pipeline: rules: %s\n", err.s);
		abort();
	}
	sb_free(&err);
	/* registers the sample's password with textsafe, once for the run */
	have_cf = pfconf_load(&cf, FUZZ_CONFIG) == 0;
	if (!have_cf)
		fprintf(stderr, "fuzz_pipeline: %s: %s (config variant off)\n", FUZZ_CONFIG, cf.error);
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

/* The first short or long queue ID of the input, NUL-terminated. */
static int
first_qid(const char *p, size_t size, char *qid, size_t qsize)
{
	const char *end = p + size, *nl;
	struct syslog_hdr h;
	struct pf_record r;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (syslog_hdr_parse(p, (size_t)(nl - p), &h) && record_parse(h.rest, &r)
		    && (r.qid_kind == QID_SHORT || r.qid_kind == QID_LONG) && r.qid.len < qsize) {
			memcpy(qid, r.qid.p, r.qid.len);
			qid[r.qid.len] = '\0';
			return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	unsigned mode = (unsigned)size & 31u;	/* output, config, tracking, NDJSON, window */
	struct pipeline pl;
	struct run_info info;
	struct report *rep;
	struct line ln;
	char qid[80];

	memset(&info, 0, sizeof(info));
	info.sources = src_names;
	info.nsources = 1;
	info.cf = (mode & 2) && have_cf ? &cf : NULL;
	info.config_dir = info.cf != NULL ? FUZZ_CONFIG : NULL;
	syslog_hdr_set_reference(2026, 12);
	pipeline_init(&pl, &cat, info.cf, 2026);
	rep = (mode & 8) ? report_ndjson_new(devnull, &info, &pl.diag)
	    : (mode & 1) ? report_json_new(devnull, &info, &pl.diag)
			 : report_text_new(devnull, &info, &pl.diag, (mode & 4) != 0);
	if (mode & 16) {
		/* a time window: 2026-11-23 20:00 to 2026-11-24 00:00 UTC */
		struct timewin w;

		timewin_init(&w);
		w.since = 1795464000;
		w.until = w.since + 4 * 3600;
		pipeline_set_window(&pl, &w);
	}
	pipeline_set_report(&pl, rep);
	if ((mode & 4) && first_qid(p, size, qid, sizeof(qid))) {
		info.queue_id = qid;
		corr_track(&pl.corr, qid);
	}
	sinks_begin(&pl.sinks);
	memset(&ln, 0, sizeof(ln));
	/* lines as input.c delivers them: no newline, no trailing CR, cut
	 * at INPUT_MAX_LINE; each in a buffer of its own exact size */
	for (; p < end; p = nl + 1) {
		char *copy;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			nl = end;
			ln.unterminated = 1;
		}
		ln.len = (size_t)(nl - p);
		ln.truncated = ln.len > INPUT_MAX_LINE;
		if (ln.truncated)
			ln.len = INPUT_MAX_LINE;
		if (ln.len > 0 && p[ln.len - 1] == '\r')
			ln.len--;
		copy = malloc(ln.len ? ln.len : 1);
		memcpy(copy, p, ln.len);
		ln.p = copy;
		ln.lineno++;
		pipeline_line(&pl, &ln, 0);
		free(copy);
		if ((mode & 8) && ln.lineno % 64 == 0)
			pipeline_tick(&pl, 1795464000 + (int64_t)ln.lineno);
		if (nl == end)
			break;
	}
	pl.stats.bytes = size;
	pipeline_finish(&pl);
	fflush(devnull);
	sinks_free(&pl.sinks);
	pipeline_free(&pl);
	return 0;
}
