/*
 * corr_int.h - internals shared by the correlation files, not for use
 * outside src/correlate/: the message table (msgtable.c: hash buckets,
 * LRU, free list, per-message arena, recipients), per-process session
 * state and the encoding of facts (session.c), the parsing of Postfix
 * record fields (fields.c). correlate.c routes records through them;
 * correlate.h is the public API.
 */
#ifndef FMRD_CORR_INT_H
#define FMRD_CORR_INT_H

#include "correlate.h"

/* A finding hit: its index in the diagnosis (< 0: none; -2: no rule
 * matched) and the severity of the match that produced it. */
struct fhit {
	int idx;
	enum find_sev sev;
	int failed;		/* it explains a failed attempt (deferred, bounced, ...) */
};

/* --- msgtable.c: messages by (logging host, instance, queue ID) ---------- */

void msgtable_init(struct corr *c);
void msgtable_free(struct corr *c);
/* The message of rec's queue ID (ev->host, rec->instance); created when
 * create is set (evicting first when the table is full or the least
 * recently active message is stale), else NULL if unknown. Moves it to
 * the back of the LRU list and updates its last time. */
struct corr_msg *msgtable_lookup(struct corr *c, const struct pf_record *rec,
				 const struct evref *ev, int create);
/* Remove m from the table, count and report it (unless muted), and put
 * it on the free list. */
void msgtable_finish(struct corr *c, struct corr_msg *m);
/* Evict least recently active messages: stale ones (idle longer than
 * c->stale_secs at c->now), and with for_new also while the table holds
 * max_msgs or more. Returns how many went. */
size_t msgtable_evict(struct corr *c, int for_new);

/* Copy bytes into the message arena: the offset, or 0 when there is no
 * room even after dropping the strings no longer referenced. */
uint32_t msg_arena_add(struct corr_msg *m, const char *p, size_t n);
uint32_t msg_arena_span(struct corr_msg *m, struct span s);
/* Replace a field's string; on failure the old value stays. */
void msg_arena_set(struct corr_msg *m, uint32_t *field, struct span s);
/* The recipient (to, orig_to) of m, added if new; NULL (counted as not
 * listed) beyond CORR_MAX_RCPTS or when the arena is full. */
struct corr_rcpt *msg_rcpt_get(struct corr_msg *m, struct span to, struct span orig_to);
/* Record finding h against m (once per finding, worst severity kept). */
void msg_add_finding(struct corr *c, struct corr_msg *m, struct fhit h);
/* Append the line to a story buffer (only while tracking a queue ID). */
void msg_story_add(struct strbuf *sb, const struct evref *ev);

/* --- session.c: per-process pending state and session facts -------------- */

/* The slot of rec's (logging host, instance, pid); created (replacing the
 * least recently used of its 8 probes) when create is set. */
struct corr_proc *session_get(struct corr *c, const struct pf_record *rec, int create);
/* A QID-less finding hit waits for the process' next delivery. */
void session_pend(struct corr *c, const struct pf_record *rec, struct fhit h);
/* A [fact] rule hit becomes a fact of the process' current session,
 * replacing an earlier fact of the same name. */
void session_fact(struct corr *c, const struct pf_record *rec, const struct cat_hit *hit);
/* The process exits (fatal, panic): nothing it logged waits. */
void session_drop(struct corr *c, const struct pf_record *rec);
/* Give the process' pending hits and session facts to delivery r (may be
 * NULL) of m over relay. */
void session_attach(struct corr *c, const struct pf_record *rec, struct corr_msg *m,
		    struct corr_rcpt *r, struct span relay, int reused, int failed);
/* Drop the pending state of processes idle for CORR_PROC_IDLE at c->now;
 * cheap when none can be due. */
void session_expire(struct corr *c);

/* --- fields.c: the key=value fields of Postfix records ------------------- */

/* Value of "key=" up to ", " (or '>' for <...> values). */
struct kv {
	struct span key, val;
};

/* Next key=value field of a record text at *pp; 0 at the end. */
int fields_next(const char **pp, const char *end, struct kv *kv);
/* Leading decimal digits of s (capped), 0 if none. */
long fields_long(struct span s);
/* Is "name[addr]" a loopback client? */
int fields_loopback(const char *client);

/* A delivery record: to=<...>, orig_to=<...>, relay=..., delay=...,
 * delays=..., dsn=..., conn_use=..., status=word (reason). */
struct dlv_fields {
	struct span to, orig_to, relay, dsn, delay, delays, reason;
	enum dstatus status;
	int reused;		/* conn_use= present: a cached connection */
};

/* Parse a delivery record's text; DS_NONE if it has no known status. */
enum dstatus fields_delivery(struct span text, struct dlv_fields *d);
/* Register the password a verbose smtp/lmtp record prints as a secret. */
void fields_secrets(const struct pf_record *rec);

#endif
