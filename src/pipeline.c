/*
 * pipeline.c - drive lines through the stages and count what could not
 * be understood (unknown header format, other programs, cut lines, and
 * Postfix lines whose header, queue ID or layout could not be read), and
 * judge at the end whether the input could be read at all.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* A syslog_name from main.cf that does not start with "postfix" (its
 * first component) is a Postfix instance name too. */
static void
pipeline_syslog_name(struct pipeline *pl, const struct pfconf *cf)
{
	const char *v = cf != NULL ? pfconf_get(cf, "syslog_name", NULL) : NULL;
	size_t n;

	pl->syslog_name[0] = '\0';
	if (v != NULL && strncmp(v, "postfix", 7) != 0) {
		n = strcspn(v, "/[: \t");
		if (n > 0 && n < sizeof(pl->syslog_name)) {
			memcpy(pl->syslog_name, v, n);
			pl->syslog_name[n] = '\0';
		}
	}
	record_set_syslog_name(pl->syslog_name);
}

void
pipeline_init(struct pipeline *pl, struct catalog *cat, const struct pfconf *cf, int fixed_year)
{
	memset(pl, 0, sizeof(*pl));
	pl->cat = cat;
	pl->cf = cf;
	pl->fixed_year = fixed_year;
	pl->stats.first_bad_source = -1;
	pipeline_syslog_name(pl, cf);
	diag_init(&pl->diag, cf, cat);
	corr_init(&pl->corr, cat, cf, &pl->diag, pipeline_emit, pl);
}

void
pipeline_set_report(struct pipeline *pl, struct report *rep)
{
	pl->rep = rep;
}

/* A Postfix tag somewhere near the start of a line whose header could not
 * be read (or has fields we do not know before the tag). */
static int
pipeline_find_tag(const struct pipeline *pl, const struct line *ln, struct syslog_hdr *h)
{
	const char *m;

	m = syslog_tag_find(ln->p, ln->len, SPAN_LIT("postfix"), &h->tag);
	if (m == NULL && pl->syslog_name[0] != '\0')
		m = syslog_tag_find(ln->p, ln->len,
				    (struct span){ pl->syslog_name, strlen(pl->syslog_name) }, &h->tag);
	if (m == NULL)
		return 0;
	h->rest.p = m;
	h->rest.len = (size_t)(ln->p + ln->len - m);
	return 1;
}

/* Does rest start with a Postfix syslog_name (a tag cut short)? */
static int
pipeline_postfix_prefix(const struct pipeline *pl, struct span rest)
{
	size_t n = strlen(pl->syslog_name);

	if (rest.len >= 7 && memcmp(rest.p, "postfix", 7) == 0)
		return 1;
	return n > 0 && rest.len > n && memcmp(rest.p, pl->syslog_name, n) == 0
	    && (rest.p[n] == '/' || rest.p[n] == '[');
}

/* A line with a Postfix tag that could not be read: count it under its
 * reason and remember the first one for the message at the end. */
static void
pipeline_unreadable(struct pipeline *pl, const struct line *ln, int source,
		    unsigned long long *reason)
{
	size_t n;

	(*reason)++;
	pl->stats.unreadable++;
	if (pl->stats.first_bad_source >= 0)
		return;
	pl->stats.first_bad_source = source;
	pl->stats.first_bad_lineno = ln->lineno;
	if (ln->len <= RUN_FIRST_BAD_MAX) {
		n = ln->len;
		memcpy(pl->stats.first_bad, ln->p, n);
	} else {
		n = RUN_FIRST_BAD_MAX - 3;
		memcpy(pl->stats.first_bad, ln->p, n);
		memcpy(pl->stats.first_bad + n, "...", 3);
		n += 3;
	}
	pl->stats.first_bad[n] = '\0';
}

static int
pipeline_blank(const struct line *ln)
{
	size_t i;

	for (i = 0; i < ln->len; i++)
		if (ln->p[i] != ' ' && ln->p[i] != '\t' && ln->p[i] != '\r')
			return 0;
	return 1;
}

/* --host: is the header's host one of those named (case-insensitive)? */
static int
pipeline_host_wanted(const struct pipeline *pl, struct span host)
{
	int i;

	for (i = 0; i < pl->nhosts; i++)
		if (strlen(pl->hosts[i]) == host.len
		    && strncasecmp(pl->hosts[i], host.p, host.len) == 0)
			return 1;
	return 0;
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
	int bad_header = 0;

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
	if (syslog_hdr_parse(ln->p, ln->len, &h)) {
		if (pl->nhosts > 0 && !pipeline_host_wanted(pl, h.host)) {
			pl->stats.other_hosts++;
			return;
		}
		pl->stats.formats[h.fmt]++;
		/* unknown fields between the header and a Postfix tag */
		if (!h.tag.found && pipeline_find_tag(pl, ln, &h))
			bad_header = 1;
	} else {
		pl->stats.unknown_format++;
		if (!pipeline_find_tag(pl, ln, &h)) {
			if (pipeline_blank(ln))
				pl->stats.blank++;
			return;
		}
		/* no header, but a Postfix tag: use the record without a time */
		bad_header = 1;
	}
	switch (record_parse_hdr(&h, &rec)) {
	case REC_OTHER:
		if (!bad_header && !pipeline_postfix_prefix(pl, h.rest)) {
			pl->stats.non_postfix++;
			return;
		}
		/* FALLTHROUGH */
	case REC_MALFORMED:
		/* "postfix..." that is not a whole record: cut or corrupted */
		pl->stats.tagged++;
		pipeline_unreadable(pl, ln, source, bad_header ? &pl->stats.bad_header
				    : &pl->stats.malformed);
		return;
	case REC_BAD_QID:
		pl->stats.tagged++;
		pipeline_unreadable(pl, ln, source, bad_header ? &pl->stats.bad_header
				    : &pl->stats.bad_qid);
		return;
	case REC_OK:
		break;
	}
	pl->stats.tagged++;
	if (bad_header)
		pipeline_unreadable(pl, ln, source, &pl->stats.bad_header);
	if (rec.prog_uncertain)
		pl->stats.prog_uncertain++;
	pl->stats.postfix++;
	ev.source = source;
	ev.lineno = ln->lineno;
	ev.text.p = ln->p;
	ev.text.len = ln->len;
	ev.time = h.time;
	ev.host = h.host;
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

/* Was the input readable? Empty input is; input without any Postfix
 * record is not, nor is input in which most lines that carry a Postfix
 * tag could not be read. */
static void
pipeline_verdict(struct pipeline *pl)
{
	struct run_stats *s = &pl->stats;

	if (s->lines == s->blank)
		s->verdict = INPUT_EMPTY;
	else if (s->postfix == 0)
		s->verdict = s->unreadable > 0 ? INPUT_UNREADABLE : INPUT_NO_POSTFIX;
	else if (s->unreadable * 2 > s->tagged)
		s->verdict = INPUT_UNREADABLE;
	else
		s->verdict = INPUT_OK;
}

void
pipeline_finish(struct pipeline *pl)
{
	pipeline_verdict(pl);
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
	record_set_syslog_name(NULL);
}
