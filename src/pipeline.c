/*
 * pipeline.c - drive lines through the stages and count what could not
 * be understood (unknown header format, other programs, cut lines).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"
#include "record.h"
#include "syslog_hdr.h"

static void
pipeline_emit(void *ctx, const struct corr_msg *m)
{
	struct pipeline *pl = ctx;

	if (pl->rep != NULL)
		pl->rep->ops->message(pl->rep, m);
}

void
pipeline_init(struct pipeline *pl, struct catalog *cat, const struct pfconf *cf, int fixed_year)
{
	memset(pl, 0, sizeof(*pl));
	pl->cat = cat;
	pl->cf = cf;
	pl->fixed_year = fixed_year;
	diag_init(&pl->diag, cf, cat);
	corr_init(&pl->corr, cat, cf, &pl->diag, pipeline_emit, pl);
}

void
pipeline_set_report(struct pipeline *pl, struct report *rep)
{
	pl->rep = rep;
}

void
pipeline_line(struct pipeline *pl, const struct line *in, int source)
{
	struct syslog_hdr h;
	struct pf_record rec;
	struct evref ev;
	struct line copy;
	const struct line *ln = in;
	size_t i;

	pl->stats.lines++;
	if (memchr(in->p, '\0', in->len) != NULL) {
		/* as Postfix's own printable(): NUL becomes '?' */
		if (pl->scratch == NULL)
			pl->scratch = xmalloc(INPUT_MAX_LINE + 2);
		copy = *in;
		for (i = 0; i < in->len && i <= INPUT_MAX_LINE + 1; i++)
			pl->scratch[i] = in->p[i] == '\0' ? '?' : in->p[i];
		copy.p = pl->scratch;
		copy.len = i;
		ln = &copy;
		pl->stats.with_nul++;
	}
	pl->stats.truncated += ln->truncated;
	pl->stats.unterminated += ln->unterminated;
	if (!syslog_hdr_parse(ln->p, ln->len, &h)) {
		pl->stats.unknown_format++;
		return;
	}
	pl->stats.formats[h.fmt]++;
	if (!record_parse(h.rest, &rec)) {
		/* "postfix..." that is not a whole record: cut or corrupted */
		if (h.rest.len >= 7 && memcmp(h.rest.p, "postfix", 7) == 0)
			pl->stats.malformed++;
		else
			pl->stats.non_postfix++;
		return;
	}
	pl->stats.postfix++;
	ev.source = source;
	ev.lineno = ln->lineno;
	ev.text.p = ln->p;
	ev.text.len = ln->len;
	ev.time = h.time;
	corr_record(&pl->corr, &rec, &ev);
}

/* Year for headers without one: --year, else the file's mtime (a log
 * read in January may still hold December), else now. */
static void
pipeline_year(struct pipeline *pl, const struct input *in)
{
	time_t t = in->mtime ? in->mtime : time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	if (pl->fixed_year > 0)
		syslog_hdr_set_reference(pl->fixed_year, 12);
	else
		syslog_hdr_set_reference(tm.tm_year + 1900, tm.tm_mon + 1);
}

int
pipeline_feed(struct pipeline *pl, struct input *in, int source)
{
	struct line ln;
	int rc;

	pipeline_year(pl, in);
	while ((rc = input_next(in, &ln)) == 1)
		pipeline_line(pl, &ln, source);
	pl->stats.bytes += in->bytes;
	if (rc < 0) {
		pl->stats.read_errors++;
		return -1;
	}
	return 0;
}

void
pipeline_finish(struct pipeline *pl)
{
	corr_flush(&pl->corr);
	diag_rank(&pl->diag);
	if (pl->rep != NULL)
		pl->rep->ops->end(pl->rep, &pl->diag, &pl->corr.stats, &pl->stats);
}

void
pipeline_free(struct pipeline *pl)
{
	corr_free(&pl->corr);
	diag_free(&pl->diag);
	free(pl->scratch);
}
