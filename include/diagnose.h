/*
 * diagnose.h - findings: every catalog hit is folded into one finding per
 * id and remote host (the hit's server/host/peer capture), with its
 * severity and rank, title/explanation/fix filled in from
 * the first hit's captures and the configuration, a count, first/last
 * time, the affected queue IDs and a bounded set of evidence (log lines
 * and the configuration lines that made a conditional match true).
 * Findings are ranked so the most likely root cause comes first.
 */
#ifndef FMRD_DIAGNOSE_H
#define FMRD_DIAGNOSE_H

#include "catalog.h"
#include "pfconf.h"
#include "syslog_hdr.h"

#define DIAG_MAX_FINDINGS 512
#define DIAG_MAX_QIDS 50
#define DIAG_MAX_LOG_EVIDENCE 5
#define DIAG_MAX_CONF_EVIDENCE 8

/* A log line as evidence. */
struct evref {
	int source;		/* index into the run's source list */
	unsigned long lineno;
	struct span text;	/* the whole line */
	struct logtime time;
};

struct evidence {
	int is_config;
	int source;		/* log source index (log evidence) */
	const char *file;	/* configuration file (config evidence) */
	unsigned long line;
	char *text;
	size_t cap;		/* allocated size of text (log evidence) */
	struct logtime time;
};

struct finding {
	const struct cat_finding *def;
	char *host;		/* remote host name it is about (lower case), or NULL */
	enum find_sev severity;	/* highest severity of its matches */
	int rank;
	char *title;
	char *explain;
	char *fix;
	unsigned long count;	/* matching log lines */
	struct logtime first, last;
	char *qids[DIAG_MAX_QIDS];
	size_t nqids;
	unsigned long nmessages;	/* distinct queue IDs, beyond the listed ones too */
	struct evidence ev[DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE];
	size_t nev;
	unsigned long order;	/* first-seen order */
};

struct diag {
	struct finding *f[DIAG_MAX_FINDINGS];
	size_t n;
	unsigned long dropped;	/* hits of findings beyond DIAG_MAX_FINDINGS */
	const struct pfconf *cf;
	const struct catalog *cat;	/* providers for ${provider:...} */
};

void diag_init(struct diag *d, const struct pfconf *cf, const struct catalog *cat);
void diag_free(struct diag *d);

/* Fold a hit into its finding; returns the finding index or -1. */
int diag_hit(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
	     const struct evref *ev);
/* Record that queue ID qid (instance-qualified if needed) is affected. */
void diag_attach(struct diag *d, int idx, const char *qid);

/* Sort findings: rank, then severity, then first seen. After this the
 * indices returned by diag_hit are no longer valid. */
void diag_rank(struct diag *d);
/* Worst severity of all findings. */
enum find_sev diag_worst(const struct diag *d);

/* Expand ${capture}, ${config:param}, ${provider:field} in tmpl. */
void diag_expand(struct diag *d, struct strbuf *out, const char *tmpl,
		 const struct cat_hit *hit, const struct pf_record *rec);

#endif
