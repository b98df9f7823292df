/*
 * report_common.c - what both report formats share: which messages are
 * problems, which are wanted, and the report life cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

int
report_msg_is_problem(const struct corr_msg *m)
{
	int i;

	if (corr_msg_outcome(m) != DS_SENT)
		return 1;
	for (i = 0; i < m->nfinds; i++)
		if (m->fsev[i] >= FSEV_WARNING)
			return 1;
	return 0;
}

int
report_msg_wanted(const struct report *r, const struct corr_msg *m)
{
	if (r->info->queue_id != NULL)
		return strcmp(corr_str(m, m->qid), r->info->queue_id) == 0;
	switch (r->info->msgs) {
	case MSGS_NONE:
		return 0;
	case MSGS_PROBLEMS:
		return report_msg_is_problem(m);
	default:
		return 1;
	}
}

void
report_free(struct report *r)
{
	if (r != NULL && r->ops->free != NULL)
		r->ops->free(r);
	free(r);
}

int
report_finding_wanted(const struct report *r, const struct finding *f)
{
	size_t i;

	if (r->info->queue_id == NULL)
		return 1;
	for (i = 0; i < f->nqids; i++)
		if (strcmp(f->qids[i], r->info->queue_id) == 0)
			return 1;
	return 0;
}
