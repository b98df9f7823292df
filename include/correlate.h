/*
 * correlate.h - correlation: messages keyed by (logging host, instance,
 * queue ID), so that a central log host's Postfix fleet stays apart, with
 * their lifecycle (origin, from, size, message-id, per-recipient
 * delivery status, removed/expired, bounce parent/child), and per-process
 * pending state so that lines without a queue ID (TLS, SASL library, map
 * warnings, connect errors) attach to the next delivery of the same
 * (instance, pid). Each message keeps its strings in its own arena;
 * messages are recycled through a free list, so steady state allocates
 * nothing per line. A message is handed to the report when it is removed
 * from the queue, or evicted when it goes stale (on a new message or on
 * corr_tick) or the table is full. Facts of a delivery ([fact] rules,
 * e.g. the TLS summary) are read with corr_facts_begin/corr_fact_next or
 * corr_fact_get; their encoding is private.
 * Implementation: correlate.c (lifecycle records, policy), msgtable.c,
 * session.c, fields.c; their shared internals are in corr_int.h.
 */
#ifndef FMRD_CORRELATE_H
#define FMRD_CORRELATE_H

#include "catalog.h"
#include "pfconf.h"
#include "diagnose.h"
#include "record.h"
#include "syslog_hdr.h"

#define CORR_MAX_MESSAGES 50000
#define CORR_STALE_SECS (8 * 86400)	/* > maximal_queue_lifetime default 5d */
#define CORR_MAX_RCPTS 256
#define CORR_MAX_FINDS 8
#define CORR_MAX_CHILDREN 4
#define CORR_ARENA_MAX (64 * 1024)
#define CORR_PROC_SLOTS 4096
#define CORR_PROC_PENDING 8
#define CORR_PROC_IDLE 3600	/* pending state older than this is dropped */

struct corr_rcpt {
	uint32_t to, orig_to, relay, dsn, reason, delays, delay, facts;
	enum dstatus status;
	uint32_t attempts;
};

enum msg_origin { ORIGIN_UNKNOWN = 0, ORIGIN_PICKUP, ORIGIN_SMTPD, ORIGIN_BOUNCE };

struct corr_msg {
	struct corr_msg *hnext, *lprev, *lnext;
	uint64_t hash;
	uint32_t loghost, instance, qid, from, msgid, client, sasl_user, parent;
	uint16_t loghost_len, instance_len, qid_len;	/* the key's lengths */
	uint32_t children[CORR_MAX_CHILDREN];
	int nchildren;
	enum msg_origin origin;
	unsigned ctx;		/* CTX_* (catalog.h): submitted here or received */
	unsigned path_ctx;	/* CTX_DIRECT / CTX_RELAYED of its latest delivery */
	long uid;
	long size;
	long nrcpt_declared;
	unsigned attempts;	/* "(queue active)" lines: delivery rounds */
	struct logtime first, last;
	int removed, expired, evicted;
	int in_window;		/* a record arrived while not muted (corr_set_muted) */
	enum dstatus stopped;	/* DS_REJECTED or DS_HELD by cleanup(8), else DS_NONE */
	struct corr_rcpt *rcpt;
	uint32_t nrcpt, rcap, rcpt_dropped;
	int finds[CORR_MAX_FINDS];	/* finding indices (diag) */
	unsigned char fsev[CORR_MAX_FINDS];	/* worst severity of its hits here */
	unsigned char ffailed[CORR_MAX_FINDS];	/* it explained a failed attempt */
	int nfinds;
	int specific;		/* a non-fallback finding explains it */
	int arena_full;		/* compaction could not make room: stop adding */
	uint32_t *dropped;	/* hashes of recipients not listed (counted once) */
	uint32_t ndropped, dcap;
	struct strbuf arena;	/* offset 0 is "" */
	struct strbuf story;	/* whole story, only for the tracked queue ID */
};

struct corr_proc {
	uint64_t inst_hash;	/* of the logging host and the instance */
	long pid;
	int used;
	int64_t last;
	int pending[CORR_PROC_PENDING];
	unsigned char pending_sev[CORR_PROC_PENDING];
	int npending;
	char facts[512];	/* facts of the current session (session.c's encoding) */
	size_t factlen;
	char fact_peer[256];	/* "host[addr]:port" the facts describe, or "" */
	uint64_t fact_msg;	/* first message delivered in that session */
	struct strbuf story;	/* pending lines, only while tracking */
};

struct corr_stats {
	unsigned long long messages, sent, deferred, bounced, expired, queued;
	unsigned long long rejected, held;
	unsigned long long recipients, evicted, stale;
};

typedef void (*corr_emit_fn)(void *ctx, const struct corr_msg *m);

struct corr {
	struct corr_msg **buckets;
	size_t nbuckets;
	struct corr_msg *lru_head, *lru_tail;	/* least recently active first */
	size_t nmsgs, max_msgs;
	struct corr_msg *freelist;
	struct corr_proc *procs;
	int64_t now;		/* latest log time seen */
	int64_t stale_secs;
	struct catalog *cat;
	const struct pfconf *cf;
	struct diag *diag;
	corr_emit_fn emit;
	void *emit_ctx;
	char *track_qid;	/* --queue-id: keep this message's story */
	int track_new;		/* corr_track_new: every new message's story, for now */
	struct corr_stats stats;
	struct strbuf tmp;
	struct nexthop nh;	/* relay or recipient's MX: see nexthop.h */
	uint64_t seq;		/* records seen, for "later than" */
	struct span cur_host;	/* host of the record being handled */
	int64_t proc_due;	/* no process state goes stale before this */
	int muted;		/* prelude: build state, no findings, no output */
};

void corr_init(struct corr *c, struct catalog *cat, const struct pfconf *cf,
	       struct diag *d, corr_emit_fn emit, void *ctx);
void corr_free(struct corr *c);
void corr_track(struct corr *c, const char *qid);
/* The message to track is not known yet (send-test learns its queue ID
 * from the log, after its first lines): keep the story of every message
 * that appears from now on, until corr_track names the one wanted; the
 * other messages' stories are dropped then. */
void corr_track_new(struct corr *c);

/* Table size and idle time after which a message is handed over
 * unfinished (stats.evicted, stats.stale); 0 keeps the default
 * (CORR_MAX_MESSAGES, CORR_STALE_SECS). A smaller table evicts the least
 * recently active messages at once. */
void corr_set_limits(struct corr *c, size_t max_msgs, int64_t stale_secs);
/* While muted, records build message and process state, but catalog hits
 * are not folded into the diagnosis and messages that end (removed,
 * evicted, flushed) are freed without being reported or counted: the
 * prelude before a time window, read so that messages begun before it
 * are reported whole. */
void corr_set_muted(struct corr *c, int muted);

/* Feed one Postfix record. */
void corr_record(struct corr *c, const struct pf_record *rec, const struct evref *ev);
/* Log time (seconds, the domain of logtime.sec) moves on to now without a
 * record: messages idle for longer than the stale time are handed over
 * (stats.stale), pending process state older than CORR_PROC_IDLE is
 * dropped. Cheap when nothing is due. Time never goes back. */
void corr_tick(struct corr *c, int64_t now);
/* Hand every message still in the table to the report (end of input). */
void corr_flush(struct corr *c);

/* Message accessors for reports. */
const char *corr_str(const struct corr_msg *m, uint32_t off);
enum dstatus corr_msg_outcome(const struct corr_msg *m);
/* Facts of a recipient's latest delivery attempt: named facts (one per
 * [fact] rule that hit in its session, e.g. "tls"), each with key/value
 * pairs (the rule's captures, e.g. trust, peer, protocol, cipher). Spans
 * point into the message; valid while it is (during report message()).
 *
 *	corr_facts_begin(m, r, &it);
 *	while (corr_fact_next(&it, &f))
 *		for (i = 0; i < f.nkv; i++)
 *			... f.name, f.kv[i].key, f.kv[i].value ...
 */
#define CORR_FACT_MAX_KV CAT_FACT_MAX_NAMES

struct corr_fact {
	struct span name;
	int nkv;
	struct {
		struct span key, value;
	} kv[CORR_FACT_MAX_KV];
};

struct corr_fact_iter {		/* private: the next fact in the message */
	const char *next;
};
void corr_facts_begin(const struct corr_msg *m, const struct corr_rcpt *r,
		      struct corr_fact_iter *it);
/* The next fact into f; 0 at the end. */
int corr_fact_next(struct corr_fact_iter *it, struct corr_fact *f);
/* Has the latest attempt of r any facts? */
int corr_has_facts(const struct corr_msg *m, const struct corr_rcpt *r);
/* Value of key in fact name; 1 if found, copied NUL-terminated into buf
 * (cut to size - 1 bytes), else 0. */
int corr_fact_get(const struct corr_msg *m, const struct corr_rcpt *r, const char *name,
		  const char *key, char *buf, size_t size);
const char *origin_name(enum msg_origin o);

#endif
