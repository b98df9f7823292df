/*
 * diagnose.h - findings: every catalog hit is folded into one finding per
 * id and remote host (the hit's server/host/peer capture), with its
 * severity and rank, title/explanation/fix filled in from
 * the first hit's captures and the configuration, a count, first/last
 * time, the affected queue IDs and a bounded set of evidence (log lines
 * and the configuration lines that made a conditional match true).
 * Findings are ranked so the most likely root cause comes first. Each
 * has a stable handle, and those created or changed are listed for the
 * live events of the sinks (diag_changed).
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
#define DIAG_MAX_LOGHOSTS 8	/* logging hosts listed per finding */
#define DIAG_MAX_DETAILS 20	/* per-domain rows of a class finding */
#define DIAG_SUCCESS_SLOTS 4096	/* next hops with a successful delivery */

/* A log line as evidence. */
struct evref {
	int source;		/* index into the run's source list */
	unsigned long lineno;
	struct span text;	/* the whole line */
	struct logtime time;
	struct span host;	/* the host that logged it (syslog header), or empty */
};

/* What a piece of evidence is (JSON "kind"). */
enum ev_kind {
	EV_LOG = 0,		/* a log line */
	EV_CONFIG,		/* a configuration or table line (file:line) */
	EV_FILE,		/* a fact about a file: mode, owner, times, missing */
	EV_CERT			/* a certificate: subject, issuer, dates */
};

struct evidence {
	int is_config;		/* not a log line (kind != EV_LOG) */
	enum ev_kind kind;
	int source;		/* log source index (log evidence) */
	const char *file;	/* configuration file (config evidence) */
	unsigned long line;
	char *text;
	size_t cap;		/* allocated size of text (log evidence) */
	struct logtime time;
};

/* A row of a class finding: recipient domain (or remote host) and count. */
struct diag_detail {
	char *key;
	char *host;		/* first remote host seen for it, or NULL */
	unsigned long count;
};

/* Where a finding stands at the end of the log. */
enum diag_status {
	DSTAT_ACTIVE = 0,	/* still failing (or a lasting state) */
	DSTAT_RESOLVED,		/* later deliveries over the same next hop succeeded */
	DSTAT_OVERCOME		/* every message it hit was delivered in the end */
};

/* What the correlator knows of a hit beyond the line itself. */
struct diag_hitctx {
	enum nh_path path;	/* relay, recipient's MX, local; unknown */
	struct span domain;	/* recipient domain of the delivery, or empty */
};

struct finding {
	const struct cat_finding *def;
	char *host;		/* remote host name it is about (lower case), or NULL */
	int direct;		/* about recipients' MX hosts, grouped by class */
	char *loghosts[DIAG_MAX_LOGHOSTS];	/* hosts that logged its lines */
	size_t nloghosts;
	struct diag_detail details[DIAG_MAX_DETAILS];
	size_t ndetails;
	unsigned long details_other;	/* hits for keys beyond the listed ones */
	enum diag_status status;
	struct logtime resolved_at;	/* DSTAT_RESOLVED: the delivery that showed it */
	enum find_sev orig_severity;	/* before resolution lowered it */
	unsigned long msgs_delivered;	/* affected messages delivered in the end */
	unsigned long msgs_failed;	/* affected messages not delivered */
	unsigned long msgs_lost;	/* of those: bounced, expired or rejected */
	unsigned long msgs_consequence;	/* affected bounce notifications */
	uint64_t last_seq;	/* input order of the latest hit */
	enum find_sev severity;	/* highest severity of its matches */
	int rank;
	char *title;
	char *explain;
	char *fix;
	unsigned long count;	/* matching log lines */
	unsigned long observations;	/* configuration observations that match */
	struct logtime first, last;
	char *qids[DIAG_MAX_QIDS];
	size_t nqids;
	unsigned long nmessages;	/* distinct queue IDs, beyond the listed ones too */
	struct evidence ev[DIAG_MAX_LOG_EVIDENCE + DIAG_MAX_CONF_EVIDENCE];
	size_t nev;
	unsigned long order;	/* first-seen order */
	unsigned long handle;	/* first-seen order, never reused nor changed by merging
				 * or ranking: a stable key for sinks */
	int dirty;		/* on the changed list (diag_changed) */
};

/* The latest successful delivery over a next hop (by host name hash). */
struct diag_success {
	uint64_t hash;
	uint64_t seq;
	struct logtime time;
};

struct diag {
	struct finding *f[DIAG_MAX_FINDINGS];
	size_t n;
	unsigned long dropped;	/* hits of findings beyond DIAG_MAX_FINDINGS */
	const struct pfconf *cf;
	const struct catalog *cat;	/* providers for ${provider:...} */
	const struct nexthop *nh;	/* relay or MX, for hits without context */
	uint64_t seq;		/* input order of the line being handled */
	struct diag_success *succ;	/* DIAG_SUCCESS_SLOTS, allocated on first use */
	int resolved;		/* diag_resolve ran */
	unsigned long handles;	/* handles given out */
	char **strs;		/* file names of observations' evidence (owned) */
	size_t nstrs;
	int changed[DIAG_MAX_FINDINGS];	/* indices created or changed since diag_changed */
	size_t nchanged;
};

void diag_init(struct diag *d, const struct pfconf *cf, const struct catalog *cat);
void diag_free(struct diag *d);

/* Fold a hit into its finding; returns the finding index or -1. hc may
 * be NULL (nothing known beyond the line). Hits about recipients' MX hosts
 * and hits of "group = class" findings fold into one finding per id, with
 * the recipient domain (else the host) as a detail row. */
int diag_hit(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
	     const struct evref *ev);
int diag_hit_ctx(struct diag *d, const struct cat_hit *hit, const struct pf_record *rec,
		 const struct evref *ev, const struct diag_hitctx *hc);
/* Fold an observation of the configuration checks that rule hit->rule
 * matched into its finding: one finding per id and host, so a log
 * finding about the same relay gains the configuration's evidence. A
 * finding with observations stays active whatever later deliveries show
 * (the files still say so). Returns the finding index or -1. */
struct observation;
int diag_observe(struct diag *d, const struct cat_hit *hit, const struct observation *o);
/* "log", "config", "file", "cert" */
const char *diag_ev_kind_name(enum ev_kind k);

/* Record that queue ID qid (instance-qualified if needed) is affected. */
void diag_attach(struct diag *d, int idx, const char *qid);
/* A message that finding idx hit has ended: delivered or not; consequence
 * when the message is a bounce notification of another one. */
void diag_outcome(struct diag *d, int idx, enum dstatus outcome, int consequence);
/* A delivery over next hop host (any form nexthop_name reads) succeeded. */
void diag_success(struct diag *d, struct span host, const struct logtime *t);
/* The same for a host name already in nexthop_name's form. */
void diag_success_name(struct diag *d, const char *name, size_t len, const struct logtime *t);

/* Findings created or changed (severity, count, messages, outcome) since
 * the last call, once each in the order they first changed: fn (may be
 * NULL) is called for each and the list is cleared. Marking a finding
 * costs a flag and an append to a fixed array, nothing per hit beyond.
 * diag_resolve and diag_rank clear the list: indices change there, and
 * the ranked findings are reported whole. */
typedef void (*diag_changed_fn)(void *ctx, const struct finding *f);
void diag_changed(struct diag *d, diag_changed_fn fn, void *ctx);

/* Decide which findings are resolved or overcome (diag_rank does it
 * first), then sort: active before resolved, consequences last, then rank,
 * severity, first seen. After this the indices returned by diag_hit are
 * no longer valid. */
void diag_resolve(struct diag *d);
void diag_rank(struct diag *d);
const char *diag_status_name(enum diag_status s);
/* Worst severity of all findings. */
enum find_sev diag_worst(const struct diag *d);

/* Expand ${capture}, ${config:param}, ${provider:field} in tmpl. */
void diag_expand(struct diag *d, struct strbuf *out, const char *tmpl,
		 const struct cat_hit *hit, const struct pf_record *rec);

#endif
