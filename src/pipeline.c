/*
 * pipeline.c - drive lines through the stages and count what could not
 * be understood (unknown header format, other programs, cut lines, and
 * Postfix lines whose header, queue ID or layout could not be read), and
 * judge at the end whether the input could be read at all. Feeds the list
 * of sinks, and keeps the clock (pipeline_tick): log time, finding events
 * once a tick, stats events.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pipeline.h"
#include "check.h"
#include "record.h"
#include "syslog_hdr.h"

static void
pipeline_emit(void *ctx, const struct corr_msg *m)
{
	struct pipeline *pl = ctx;

	sinks_message(&pl->sinks, m);
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
	pl->stats_interval = 60;
	pl->win_pos = TW_IN;	/* no window: every line is in */
	sinks_init(&pl->sinks);
	pipeline_syslog_name(pl, cf);
	diag_init(&pl->diag, cf, cat);
	corr_init(&pl->corr, cat, cf, &pl->diag, pipeline_emit, pl);
}

void
pipeline_set_report(struct pipeline *pl, struct report *rep)
{
	sinks_init(&pl->sinks);
	if (rep != NULL)
		sinks_add(&pl->sinks, rep);
}

void
pipeline_add_sink(struct pipeline *pl, struct report *rep)
{
	sinks_add(&pl->sinks, rep);
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
pipeline_set_window(struct pipeline *pl, const struct timewin *w)
{
	pl->win = *w;
	pl->win_on = timewin_active(w);
	pl->win_pos = pl->win_on ? TW_BEFORE : TW_IN;
}

/* Where a dated line falls in the window; lines without a time keep the
 * position of the line before them. The look-back feeds correlation
 * muted: messages that began before the window are reported whole. */
static void
pipeline_window(struct pipeline *pl, const struct logtime *t)
{
	int64_t e = logtime_epoch(t);
	enum tw_pos pos = timewin_classify(&pl->win, e);

	if (pos == TW_AFTER && timewin_past_end(&pl->win, e))
		pl->source_done = 1;
	if (pos != pl->win_pos) {
		corr_set_muted(&pl->corr, pos == TW_PRELUDE);
		pl->win_pos = pos;
	}
}

/* The header: given by the source (journal), else parsed from the text
 * with the source's year state. */
static int
pipeline_header(struct pipeline *pl, const struct line *ln, struct syslog_hdr *h)
{
	int ok;

	if (ln->hdr != NULL) {
		*h = *ln->hdr;
		ok = 1;
	} else if (pl->year != NULL) {
		ok = syslog_hdr_parse_year(ln->p, ln->len, h, pl->year);
	} else {
		ok = syslog_hdr_parse(ln->p, ln->len, h);
	}
	if (ok && h->time.valid) {
		if (pl->win_on)
			pipeline_window(pl, &h->time);
		if (pl->win_pos == TW_IN) {
			if (!pl->t_first.valid)
				pl->t_first = h->time;
			pl->t_last = h->time;
		}
	}
	return ok;
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
	int bad_header = 0, ok;

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
	ok = pipeline_header(pl, ln, &h);
	if (pl->win_pos == TW_BEFORE || pl->win_pos == TW_AFTER) {
		/* outside the time window: not part of this run's input */
		pl->stats.lines--;
		pl->outside++;
		return;
	}
	if (ok) {
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
	if (pl->sinks.want & SINK_WANT_RECORD)
		sinks_record(&pl->sinks, &rec, &ev);
	corr_record(&pl->corr, &rec, &ev);
}

/* Year for headers without one: --year, else the source's own state
 * (from its mtime: a log read in January may still hold December). */
void
pipeline_source(struct pipeline *pl, struct input *in, int source)
{
	(void)source;
	if (in->ops->next != NULL)
		pl->prefiltered = 1;
	if (pl->fixed_year > 0 && in->year.month == 0) {
		in->year.ref_year = pl->fixed_year;
		in->year.ref_month = 12;
	}
	pl->year = &in->year;
	pl->cur_in = in;
}

void
pipeline_source_done(struct pipeline *pl, const struct input *in)
{
	pl->stats.bytes += in->bytes;
	if (in->err != 0)
		pl->stats.read_errors++;
	pl->year = NULL;
	pl->cur_in = NULL;
}

int
pipeline_feed(struct pipeline *pl, struct input *in, int source)
{
	struct line ln;
	int rc;

	pipeline_source(pl, in, source);
	while ((rc = input_next(in, &ln)) == INPUT_LINE)
		pipeline_line(pl, &ln, source);
	pipeline_source_done(pl, in);
	return rc == INPUT_ERROR ? -1 : 0;
}

/* Was the input readable? Empty input is; input without any Postfix
 * record is not, nor is input in which most lines that carry a Postfix
 * tag could not be read. */
static void
pipeline_verdict(struct pipeline *pl)
{
	struct run_stats *s = &pl->stats;

	if (pl->no_log)
		s->verdict = INPUT_NONE;
	else if (s->lines == s->blank)
		/* a journal without Postfix entries is no mail log at all */
		s->verdict = pl->prefiltered && !pl->win_on ? INPUT_NO_POSTFIX : INPUT_EMPTY;
	else if (s->postfix == 0)
		s->verdict = s->unreadable > 0 ? INPUT_UNREADABLE : INPUT_NO_POSTFIX;
	else if (s->unreadable * 2 > s->tagged)
		s->verdict = INPUT_UNREADABLE;
	else
		s->verdict = INPUT_OK;
}

static void
pipeline_finding(void *ctx, const struct finding *f)
{
	struct pipeline *pl = ctx;

	sinks_finding(&pl->sinks, f);
}

/* The findings made or changed since the last time, once each. */
static void
pipeline_findings(struct pipeline *pl)
{
	if (pl->sinks.want & SINK_WANT_FINDING)
		diag_changed(&pl->diag, pipeline_finding, pl);
	else
		diag_changed(&pl->diag, NULL, NULL);
}

/* Log time goes on with the wall clock while no line arrives: anchored at
 * the latest log time a line brought, so lines read faster than the clock
 * (a batch run) or logged in another zone do not move it. */
static void
pipeline_clock(struct pipeline *pl, int64_t now)
{
	if (pl->corr.now != pl->clock_log || pl->clock_wall == 0) {
		pl->clock_log = pl->corr.now;	/* a line moved it: anchor */
		pl->clock_wall = now;
		return;
	}
	if (pl->corr.now == 0 || now <= pl->clock_wall)
		return;
	corr_tick(&pl->corr, pl->clock_log + (now - pl->clock_wall));
	pl->clock_log = pl->corr.now;
	pl->clock_wall = now;
}

void
pipeline_tick(struct pipeline *pl, int64_t now)
{
	pipeline_clock(pl, now);
	pipeline_findings(pl);
	if (!(pl->sinks.want & SINK_WANT_STATS) || pl->stats_interval <= 0)
		return;
	if (pl->stats_due == 0) {
		pl->stats_due = now + pl->stats_interval;
	} else if (now >= pl->stats_due) {
		unsigned long long done = pl->stats.bytes;

		/* the bytes of the source being read so far, too */
		if (pl->cur_in != NULL)
			pl->stats.bytes += pl->cur_in->bytes;
		pipeline_verdict(pl);
		sinks_stats(&pl->sinks, &pl->diag, &pl->corr.stats, &pl->stats, now);
		pl->stats.bytes = done;
		pl->stats_due = now + pl->stats_interval;
	}
}

static void
pipeline_observation(void *ctx, const struct observation *o)
{
	struct pipeline *pl = ctx;
	struct cat_hit hit;
	struct span text = { o->text, strlen(o->text) };

	pl->stats.observations++;
	if (catalog_match(pl->cat, KIND_FINDING, CM_REGULAR | CM_FALLBACK,
			  o->kind == OBS_PROBE ? SCOPE_PROBE : SCOPE_CONFIG, NULL,
			  DS_NONE, text, pl->cf, &hit))
		diag_observe(&pl->diag, &hit, o);
}

void
pipeline_check_config(struct pipeline *pl, struct pfconf *cf)
{
	struct obs_out out = { pipeline_observation, pl, 0 };

	check_run(cf, &out);
}

struct obs_out
pipeline_obs_out(struct pipeline *pl)
{
	struct obs_out out = { pipeline_observation, pl, 0 };

	return out;
}

void
pipeline_no_log(struct pipeline *pl)
{
	pl->no_log = 1;
}

void
pipeline_finish(struct pipeline *pl)
{
	pipeline_verdict(pl);
	corr_flush(&pl->corr);
	pipeline_findings(pl);	/* before ranking changes them */
	diag_rank(&pl->diag);
	sinks_end(&pl->sinks, &pl->diag, &pl->corr.stats, &pl->stats);
}

void
pipeline_free(struct pipeline *pl)
{
	corr_free(&pl->corr);
	diag_free(&pl->diag);
	free(pl->scratch);
	record_set_syslog_name(NULL);
}
