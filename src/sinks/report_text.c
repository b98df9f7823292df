/*
 * report_text.c - the readable report: findings first (most likely root
 * cause first) with explanation, fix and evidence, then the messages that
 * need attention, then healthy traffic (listed when short, else counted).
 * Log text is escaped by ts_text_clean: no terminal control sequences
 * reach the screen. Colour only on a tty and only without NO_COLOR.
 */
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "report.h"
#include "textsafe.h"

#define TEXT_MAX_PROBLEM_MSGS 50
#define TEXT_MAX_HEALTHY_MSGS 10
#define TEXT_WIDTH 78

struct text_priv {
	char *problems[TEXT_MAX_PROBLEM_MSGS];
	size_t nproblems;
	unsigned long more_problems;
	char *healthy[TEXT_MAX_HEALTHY_MSGS];
	size_t nhealthy;
	unsigned long more_healthy;
	struct strbuf sb;
};

static const char *
color(const struct report *r, const char *code)
{
	return r->color ? code : "";
}

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_GREEN "\033[1;32m"
#define C_DIM "\033[2m"

static const char *
sev_color(const struct report *r, enum find_sev s)
{
	return color(r, s == FSEV_ERROR ? C_RED : s == FSEV_WARNING ? C_YELLOW : C_GREEN);
}

static void
clean(struct strbuf *sb, const char *s)
{
	if (s != NULL)
		ts_text_clean(sb, s, strlen(s));
}

/* Clean text that may hold paragraph breaks ('\n' from "." lines). */
static void
clean_paragraphs(struct strbuf *sb, const char *s)
{
	const char *nl;

	while (s != NULL && (nl = strchr(s, '\n')) != NULL) {
		ts_text_clean(sb, s, (size_t)(nl - s));
		sb_addc(sb, '\n');
		s = nl + 1;
	}
	clean(sb, s);
}

/* Word-wrap s (already clean) at TEXT_WIDTH with an indent. */
static void
wrap(FILE *out, const char *s, int indent, int first_used)
{
	int col = first_used;
	const char *p = s;

	while (*p != '\0') {
		size_t w;

		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		w = strcspn(p, " \n");
		if (col > indent && col + 1 + (int)w > TEXT_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
	}
	fputc('\n', out);
}

static void
text_begin(struct report *r)
{
	(void)r;
}

static void
render_message(struct report *r, struct strbuf *sb, const struct corr_msg *m)
{
	enum dstatus st = corr_msg_outcome(m);
	const struct diag *d = r->diag;
	char trust[64];
	uint32_t i;
	int k, best = -1;

	sb_reset(sb);
	sb_printf(sb, "  %s", color(r, C_BOLD));
	clean(sb, corr_str(m, m->qid));
	sb_printf(sb, "%s  %s%s%s", color(r, C_RESET),
		  st == DS_SENT ? color(r, C_GREEN) : color(r, C_RED), dstatus_name(st),
		  color(r, C_RESET));
	if (!m->removed && st != DS_SENT && st != DS_HELD)
		sb_adds(sb, " (still queued)");
	sb_adds(sb, "  from=<");
	clean(sb, corr_str(m, m->from));
	sb_adds(sb, ">");
	if (m->attempts > 1)
		sb_printf(sb, "  %u delivery rounds", m->attempts);
	if (m->parent != 0) {
		sb_adds(sb, "  (notification for ");
		clean(sb, corr_str(m, m->parent));
		sb_adds(sb, ")");
	}
	sb_addc(sb, '\n');
	for (i = 0; i < m->nrcpt && i < 5; i++) {
		const struct corr_rcpt *rc = &m->rcpt[i];

		sb_adds(sb, "      to=<");
		clean(sb, corr_str(m, rc->to));
		sb_printf(sb, "> %s", dstatus_name(rc->status));
		if (rc->relay) {
			sb_adds(sb, " via ");
			clean(sb, corr_str(m, rc->relay));
		}
		if (rc->dsn) {
			sb_adds(sb, " dsn=");
			clean(sb, corr_str(m, rc->dsn));
		}
		if (corr_fact_get(m, rc, "tls", "trust", trust, sizeof(trust))) {
			sb_adds(sb, ", TLS ");
			clean(sb, trust);
			if (corr_fact_get(m, rc, "tls", "protocol", trust, sizeof(trust))) {
				sb_adds(sb, " ");
				clean(sb, trust);
			}
		}
		if (rc->attempts > 1)
			sb_printf(sb, " (%u attempts)", rc->attempts);
		sb_addc(sb, '\n');
		if (rc->reason && rc->status != DS_SENT) {
			sb_adds(sb, "        ");
			clean(sb, corr_str(m, rc->reason));
			sb_addc(sb, '\n');
		}
	}
	if (m->nrcpt > 5)
		sb_printf(sb, "      ... and %u more recipients\n", m->nrcpt - 5);
	for (k = 0; k < m->nfinds; k++)
		if (m->finds[k] >= 0 && (size_t)m->finds[k] < d->n
		    && (best < 0 || d->f[m->finds[k]]->rank > d->f[m->finds[best]]->rank))
			best = k;
	if (best >= 0)
		sb_printf(sb, "      %s: %s\n", m->fsev[best] >= FSEV_WARNING ? "root cause" : "note",
			  d->f[m->finds[best]]->def->id);
}

static void
text_message(struct report *r, const struct corr_msg *m)
{
	struct text_priv *tp = r->priv;
	int problem = report_msg_is_problem(m);

	if (!report_msg_wanted(r, m))
		return;
	if (problem && tp->nproblems == TEXT_MAX_PROBLEM_MSGS) {
		tp->more_problems++;
		return;
	}
	if (!problem && tp->nhealthy == TEXT_MAX_HEALTHY_MSGS) {
		tp->more_healthy++;
		return;
	}
	render_message(r, &tp->sb, m);
	if (problem)
		tp->problems[tp->nproblems++] = xstrndup(tp->sb.s, tp->sb.len);
	else
		tp->healthy[tp->nhealthy++] = xstrndup(tp->sb.s, tp->sb.len);
}

/* Resolved, overcome, a consequence; the recipient domains of a class. */
static void
print_finding_state(struct report *r, const struct finding *f)
{
	struct text_priv *tp = r->priv;
	char when[48];
	size_t i;

	sb_reset(&tp->sb);
	if (f->status == DSTAT_RESOLVED) {
		logtime_format(&f->resolved_at, when, sizeof(when));
		sb_printf(&tp->sb, "Resolved since %s: a later delivery over the same next hop "
			  "succeeded", when);
	} else if (f->status == DSTAT_OVERCOME) {
		sb_adds(&tp->sb, "Overcome: every message it delayed was delivered by a later attempt");
	} else if (f->msgs_consequence > 0 && f->msgs_delivered + f->msgs_failed == 0) {
		sb_adds(&tp->sb, "A consequence: only bounce notifications of mail that had failed "
			"already were affected; see the failure of the original message.");
	}
	if (f->status != DSTAT_ACTIVE)
		sb_printf(&tp->sb, f->orig_severity != f->severity ? " (was %s)." : ".",
			  find_sev_name(f->orig_severity));
	if (tp->sb.len > 0) {
		fprintf(r->out, "   ");
		wrap(r->out, tp->sb.s, 3, 3);
	}
	if (f->nloghosts > 1) {
		sb_reset(&tp->sb);
		for (i = 0; i < f->nloghosts; i++) {
			if (i > 0)
				sb_adds(&tp->sb, ", ");
			clean(&tp->sb, f->loghosts[i]);
		}
		fprintf(r->out, "   Logged by: ");
		wrap(r->out, tp->sb.s, 14, 14);
	}
	if (!f->direct || f->ndetails == 0)
		return;
	sb_reset(&tp->sb);
	for (i = 0; i < f->ndetails; i++) {
		if (i > 0)
			sb_adds(&tp->sb, ", ");
		clean(&tp->sb, f->details[i].key);
		sb_printf(&tp->sb, " (%lu)", f->details[i].count);
	}
	if (f->details_other > 0)
		sb_printf(&tp->sb, " and %lu more", f->details_other);
	fprintf(r->out, "   Where: ");
	wrap(r->out, tp->sb.s, 10, 10);
}

static void
print_finding(struct report *r, size_t n, const struct finding *f)
{
	struct text_priv *tp = r->priv;
	size_t i;

	fprintf(r->out, "%zu. %s%s%s %s%s%s", n, sev_color(r, f->severity),
		f->severity == FSEV_ERROR ? "ERROR" : f->severity == FSEV_WARNING ? "WARNING" : "INFO",
		color(r, C_RESET), color(r, C_BOLD), f->def->id, color(r, C_RESET));
	if (f->count == 0 && f->observations > 0)	/* seen on disk or by the probe only */
		fprintf(r->out, "  (%lu observation%s, no log line)\n", f->observations,
			f->observations == 1 ? "" : "s");
	else if (f->observations > 0)
		fprintf(r->out, "  (%lu log line%s, %lu message%s, %lu observation%s)\n", f->count,
			f->count == 1 ? "" : "s", f->nmessages, f->nmessages == 1 ? "" : "s",
			f->observations, f->observations == 1 ? "" : "s");
	else
		fprintf(r->out, "  (%lu log line%s, %lu message%s)\n", f->count,
			f->count == 1 ? "" : "s", f->nmessages, f->nmessages == 1 ? "" : "s");
	sb_reset(&tp->sb);
	clean(&tp->sb, f->title);
	fprintf(r->out, "   ");
	wrap(r->out, tp->sb.s, 3, 3);
	print_finding_state(r, f);
	sb_reset(&tp->sb);
	clean_paragraphs(&tp->sb, f->explain);
	fprintf(r->out, "   Why: ");
	wrap(r->out, tp->sb.s, 8, 8);
	sb_reset(&tp->sb);
	clean_paragraphs(&tp->sb, f->fix);
	fprintf(r->out, "   Fix: ");
	wrap(r->out, tp->sb.s, 8, 8);
	fprintf(r->out, "   Evidence:\n");
	for (i = 0; i < f->nev; i++) {
		const struct evidence *e = &f->ev[i];

		sb_reset(&tp->sb);
		if (e->is_config)
			clean(&tp->sb, e->file);
		else if (e->source >= 0 && e->source < r->info->nsources)
			clean(&tp->sb, r->info->sources[e->source]);
		sb_printf(&tp->sb, ":%lu: ", e->line);
		clean(&tp->sb, e->text);
		fprintf(r->out, "     %s%s%s\n", color(r, C_DIM), tp->sb.s, color(r, C_RESET));
	}
	if (f->nqids > 0) {
		sb_reset(&tp->sb);
		for (i = 0; i < f->nqids; i++) {
			if (i > 0)
				sb_adds(&tp->sb, " ");
			clean(&tp->sb, f->qids[i]);
		}
		if (f->nmessages > f->nqids)
			sb_printf(&tp->sb, " ... (%lu in all)", f->nmessages);
		fprintf(r->out, "   Queue IDs: ");
		wrap(r->out, tp->sb.s, 14, 14);
	}
	fputc('\n', r->out);
}

/* One sentence on an input that could not be diagnosed (the verdict of
 * pipeline_finish); nothing for a readable log. */
static void
text_input_verdict(struct report *r, const struct run_stats *rs, const char *indent)
{
	struct text_priv *tp = r->priv;

	switch (rs->verdict) {
	case INPUT_EMPTY:
		fprintf(r->out, "%sNo log lines: there was nothing to diagnose.\n", indent);
		break;
	case INPUT_NO_POSTFIX:
		fprintf(r->out, "%s%sNo Postfix record found: the log could not be diagnosed.%s\n",
			indent, color(r, C_RED), color(r, C_RESET));
		break;
	case INPUT_UNREADABLE:
		fprintf(r->out, "%s%sThe log could not be read: %llu of %llu Postfix lines were not "
			"understood.%s\n", indent, color(r, C_RED), rs->unreadable, rs->tagged,
			color(r, C_RESET));
		if (*indent == '\0' && rs->first_bad_source >= 0
		    && rs->first_bad_source < r->info->nsources) {
			sb_reset(&tp->sb);
			clean(&tp->sb, r->info->sources[rs->first_bad_source]);
			sb_printf(&tp->sb, ":%lu: ", rs->first_bad_lineno);
			clean(&tp->sb, rs->first_bad);
			fprintf(r->out, "%s  first: %s\n", indent, tp->sb.s);
		}
		break;
	case INPUT_OK:
	case INPUT_NONE:
		break;
	}
}

static void
text_end(struct report *r, struct diag *d, const struct corr_stats *cs,
	 const struct run_stats *rs)
{
	struct text_priv *tp = r->priv;
	const struct pfconf *cf = r->info->cf;
	size_t i, shown = 0, notes = 0;
	int k;

	fprintf(r->out, "%sfmrelay-doctor%s: ", color(r, C_BOLD), color(r, C_RESET));
	sb_reset(&tp->sb);
	if (r->info->probe != NULL)
		sb_adds(&tp->sb, "probe of the relay, with the configuration it uses (no log read)");
	else if (r->info->config_only)
		sb_adds(&tp->sb, "configuration only (--config-only: no log read)");
	for (k = 0; k < r->info->nsources; k++) {
		if (k > 0)
			sb_adds(&tp->sb, ", ");
		clean(&tp->sb, r->info->sources[k]);
	}
	fprintf(r->out, "%s\n", tp->sb.s);
	sb_reset(&tp->sb);
	if (cf == NULL)
		sb_adds(&tp->sb, "not read (--no-config)");
	else if (!cf->loaded)
		clean(&tp->sb, cf->error);
	else
		clean(&tp->sb, cf->dir);
	fprintf(r->out, "configuration: %s\n\n", tp->sb.s);
	if (r->info->probe != NULL)
		report_text_probe(r->out, r->info->probe);

	if (rs->verdict != INPUT_OK && rs->verdict != INPUT_NONE) {
		text_input_verdict(r, rs, "");
		fputc('\n', r->out);
	}
	for (i = 0; i < d->n; i++)
		if (d->f[i]->severity >= FSEV_WARNING && report_finding_wanted(r, d->f[i])) {
			if (shown++ == 0)
				fprintf(r->out, "%sProblems, most likely root cause first%s\n\n",
					color(r, C_BOLD), color(r, C_RESET));
			print_finding(r, shown, d->f[i]);
		}
	if (shown == 0 && rs->verdict == INPUT_OK)
		fprintf(r->out, "%sNo problems found.%s\n\n", color(r, C_GREEN), color(r, C_RESET));
	else if (shown == 0 && r->info->probe != NULL && r->info->probe->failed < 0)
		fprintf(r->out, "%sThe relay answered as smtp(8) needs, and no problem was found in "
			"the configuration.%s\n\n", color(r, C_GREEN), color(r, C_RESET));
	else if (shown == 0 && rs->verdict == INPUT_NONE && cf != NULL && cf->loaded
		 && r->info->probe == NULL)
		fprintf(r->out, "%sNo problems found in the configuration%s (the log was not read: "
			"what happened to mail is not known).\n\n", color(r, C_GREEN),
			color(r, C_RESET));
	for (i = 0; i < d->n; i++)
		if (d->f[i]->severity < FSEV_WARNING && report_finding_wanted(r, d->f[i])) {
			if (notes++ == 0)
				fprintf(r->out, "Notes\n\n");
			print_finding(r, ++shown, d->f[i]);
		}
	if (tp->nproblems > 0) {
		fprintf(r->out, "%sMessages that need attention%s\n", color(r, C_BOLD), color(r, C_RESET));
		for (i = 0; i < tp->nproblems; i++)
			fputs(tp->problems[i], r->out);
		if (tp->more_problems)
			fprintf(r->out, "  ... and %lu more\n", tp->more_problems);
		fputc('\n', r->out);
	}
	if (tp->nhealthy > 0 && tp->more_healthy == 0) {
		fprintf(r->out, "%sDelivered%s\n", color(r, C_BOLD), color(r, C_RESET));
		for (i = 0; i < tp->nhealthy; i++)
			fputs(tp->healthy[i], r->out);
		fputc('\n', r->out);
	}
	if (rs->verdict == INPUT_NONE && r->info->probe != NULL) {
		fprintf(r->out, "Summary: probe %s; %llu observation%s of the configuration and "
			"the probe; no log read.\n", r->info->probe->failed < 0 ? "passed"
			: "failed", rs->observations, rs->observations == 1 ? "" : "s");
		return;
	}
	if (rs->verdict == INPUT_NONE) {
		fprintf(r->out, "Summary: %llu observation%s of the configuration checked; no log "
			"read.\n", rs->observations, rs->observations == 1 ? "" : "s");
		return;
	}
	fprintf(r->out, "Summary: %llu message%s: %llu sent, %llu deferred, %llu bounced, "
		"%llu expired, %llu without delivery attempt",
		cs->messages, cs->messages == 1 ? "" : "s", cs->sent, cs->deferred,
		cs->bounced, cs->expired, cs->queued);
	if (cs->rejected > 0)
		fprintf(r->out, ", %llu rejected", cs->rejected);
	if (cs->held > 0)
		fprintf(r->out, ", %llu held", cs->held);
	if (cs->evicted + cs->stale > 0)
		fprintf(r->out, ", %llu evicted", cs->evicted + cs->stale);
	fprintf(r->out, ".\n         %llu lines read, %llu Postfix records, %llu other programs, "
		"%llu unknown format, %llu truncated",
		rs->lines, rs->postfix, rs->non_postfix, rs->unknown_format, rs->truncated);
	if (rs->malformed > 0)
		fprintf(r->out, ", %llu malformed Postfix records", rs->malformed);
	if (rs->bad_header > 0)
		fprintf(r->out, ", %llu Postfix lines with an unreadable header", rs->bad_header);
	if (rs->bad_qid > 0)
		fprintf(r->out, ", %llu with an invalid queue ID", rs->bad_qid);
	if (rs->prog_uncertain > 0)
		fprintf(r->out, ", %llu with the program not certain (tag cut at '/')",
			rs->prog_uncertain);
	fputs(".\n", r->out);
	text_input_verdict(r, rs, "         ");
}

static void
text_free(struct report *r)
{
	struct text_priv *tp = r->priv;
	size_t i;

	for (i = 0; i < tp->nproblems; i++)
		free(tp->problems[i]);
	for (i = 0; i < tp->nhealthy; i++)
		free(tp->healthy[i]);
	sb_free(&tp->sb);
	free(tp);
}

static const struct report_ops text_ops = {
	.begin = text_begin, .message = text_message, .end = text_end, .free = text_free
};

struct report *
report_text_new(FILE *out, const struct run_info *info, const struct diag *d, int use_color)
{
	struct report *r = xcalloc(1, sizeof(*r));
	struct text_priv *tp = xcalloc(1, sizeof(*tp));

	sb_init(&tp->sb);
	r->ops = &text_ops;
	r->out = out;
	r->info = info;
	r->diag = d;
	r->color = use_color;
	r->priv = tp;
	return r;
}
