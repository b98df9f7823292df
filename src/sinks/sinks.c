/*
 * sinks.c - the list of sinks the pipeline feeds: each event goes to
 * every sink that has an op for it, in the order they were added.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void
sinks_init(struct sinks *s)
{
	memset(s, 0, sizeof(*s));
}

void
sinks_add(struct sinks *s, struct report *r)
{
	if (s->n == SINKS_MAX)
		msg_fatal(FMRD_EXIT_SOFTWARE, "more than %d outputs", SINKS_MAX);
	s->v[s->n++] = r;
	if (r->ops->record != NULL)
		s->want |= SINK_WANT_RECORD;
	if (r->ops->finding != NULL)
		s->want |= SINK_WANT_FINDING;
	if (r->ops->stats != NULL)
		s->want |= SINK_WANT_STATS;
}

void
sinks_begin(struct sinks *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->begin != NULL)
			s->v[i]->ops->begin(s->v[i]);
}

void
sinks_record(struct sinks *s, const struct pf_record *rec, const struct evref *ev)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->record != NULL)
			s->v[i]->ops->record(s->v[i], rec, ev);
}

void
sinks_message(struct sinks *s, const struct corr_msg *m)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->message != NULL)
			s->v[i]->ops->message(s->v[i], m);
}

void
sinks_finding(struct sinks *s, const struct finding *f)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->finding != NULL)
			s->v[i]->ops->finding(s->v[i], f);
}

void
sinks_stats(struct sinks *s, const struct diag *d, const struct corr_stats *cs,
	    const struct run_stats *rs, int64_t now)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->stats != NULL)
			s->v[i]->ops->stats(s->v[i], d, cs, rs, now);
}

void
sinks_end(struct sinks *s, struct diag *d, const struct corr_stats *cs,
	  const struct run_stats *rs)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->ops->end != NULL)
			s->v[i]->ops->end(s->v[i], d, cs, rs);
}

void
sinks_free(struct sinks *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		report_free(s->v[i]);
	s->n = 0;
	s->want = 0;
}
