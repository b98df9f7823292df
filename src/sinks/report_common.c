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
report_fact(const char *facts, const char *name, const char *key, char *buf, size_t size)
{
	const char *end, *p, *k, *v;
	size_t nl = strlen(name), kl = strlen(key), n;

	for (; facts != NULL && (end = strchr(facts, '\x1e')) != NULL; facts = end + 1) {
		if ((size_t)(end - facts) <= nl || memcmp(facts, name, nl) != 0
		    || facts[nl] != '\x1f')
			continue;
		for (p = facts + nl; p < end && *p == '\x1f'; p = v) {
			k = p + 1;
			if ((v = memchr(k, '\x1f', (size_t)(end - k))) == NULL)
				break;
			p = v + 1;
			v = memchr(p, '\x1f', (size_t)(end - p));
			if (v == NULL)
				v = end;
			if ((size_t)(p - 1 - k) == kl && memcmp(k, key, kl) == 0) {
				n = (size_t)(v - p) < size - 1 ? (size_t)(v - p) : size - 1;
				memcpy(buf, p, n);
				buf[n] = '\0';
				return 1;
			}
		}
	}
	return 0;
}
