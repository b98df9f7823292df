/*
 * catalog.h - the pattern catalog: findings (id, severity, rank, title,
 * explanation, fix) and the matches that produce them (programs, scope,
 * PCRE2 regex with named captures, configuration conditions), loaded from
 * the *.rules files in patterns/. Regexes are compiled once with JIT and
 * guarded by a cheap prefilter (program mask, literal prefix or
 * substring) so most lines never reach PCRE2. File format: docs/RULES.md.
 * Implementation: src/rules/rules_parse.c (loading), rules_index.c
 * (index, matching), rules_cond.c (conditions), rules_print.c
 * (--list-rules, --explain); shared internals in catalog_int.h.
 */
#ifndef FMRD_CATALOG_H
#define FMRD_CATALOG_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>

#include "pfconf.h"
#include "nexthop.h"
#include "record.h"
#include "util.h"

enum find_sev {
	FSEV_OK = 0, FSEV_INFO, FSEV_WARNING, FSEV_ERROR
};

/* Where a match applies. */
enum cat_scope {
	SCOPE_LINE = 0,		/* record text (with or without queue ID) */
	SCOPE_REASON,		/* the "(...)" reason of a delivery status */
	SCOPE_DELIVERY,		/* a whole delivery line: to=<...>, relay=..., status=... */
	SCOPE_CONFIG,		/* an observation of the configuration checks (observe.h) */
	SCOPE_PROBE,		/* an observation of the live probe (probe.h) */
	SCOPE_COUNT
};

enum cat_kind {
	KIND_FINDING = 0,	/* produces a finding */
	KIND_FACT		/* records captures as a fact of the delivery */
};

#define CAT_FACT_MAX_NAMES 16	/* named captures of a [fact] rule */

/* resolved_by = next_hop (default): a later successful delivery over the
 * same next hop, or every affected message delivered in the end;
 * message: only the affected messages' own later delivery; never: a
 * lasting state (configuration, files) that deliveries do not change. */
enum { RESOLVED_BY_NEXT_HOP = 0, RESOLVED_BY_MESSAGE, RESOLVED_BY_NEVER };

struct cat_finding {
	char *id;
	enum find_sev severity;
	int rank;		/* 0..100: higher = more likely the root cause */
	char *title;
	char *explain;
	char *fix;
	char *docs;		/* Postfix documentation to read, or NULL */
	int group_class;	/* group = class: one finding, remote hosts as detail */
	int resolved_by;	/* RESOLVED_BY_*: what shows that it no longer happens */
	char *file;
	int line;
};

/* A condition of a match ("when = ..."): an entry of the one registry of
 * condition names in rules_cond.c (chroot, sasl_key, direct, ...; the
 * operators =, ~, ~= between a parameter and a value; a parameter alone
 * for "set"), possibly negated with '!'. */
struct cond_def;

/* What the correlator knows of the message a text belongs to
 * (catalog_match_ctx); 0 when nothing is known. */
#define CTX_SUBMITTED 1u	/* pickup, or smtpd from loopback or a SASL client */
#define CTX_RECEIVED  2u	/* smtpd from another host without SASL */
#define CTX_DIRECT    4u	/* the delivery went to a recipient's MX host */
#define CTX_RELAYED   8u	/* the delivery went to a relay (relayhost, transport) */

struct cat_cond {
	const struct cond_def *def;
	int negate;		/* written with '!': holds when the test says no */
	char *param;		/* the parameter (operators and "set"), or NULL */
	char *value;		/* the operator's value or capture name, or NULL */
};

/* The registry name of a condition: a keyword ("chroot", "sasl_key"),
 * an operator ("=", "~", "~="), or "set" for a parameter alone. */
const char *cat_cond_name(const struct cat_cond *c);
/* Is it about the message (submitted, received, direct), not the
 * configuration? */
int cat_cond_about_message(const struct cat_cond *c);
/* The configuration lines that show the condition (evidence): add is
 * called for each. */
typedef void (*cat_ev_fn)(void *ctx, const struct cf_where *w);
void cat_cond_evidence(const struct cat_cond *c, const struct pfconf *cf,
		       const struct pf_record *rec, cat_ev_fn add, void *ctx);

struct cat_rule {
	enum cat_kind kind;
	char *id;		/* finding id, or fact name for KIND_FACT */
	const struct cat_finding *finding;	/* NULL for facts */
	uint64_t progmask;	/* 0 = any program */
	unsigned scopes;	/* bit per enum cat_scope */
	unsigned statuses;	/* reason scope: bit per delivery status; 0 = any */
	enum severity min_level;	/* record severity at least this */
	enum find_sev severity;	/* finding severity for this match */
	int rank;
	int priority;		/* order in which matches are tried (default: rank) */
	int fallback;		/* only when a message has no other finding */
	char *literal;
	size_t literal_len;
	int anchored;		/* literal is a prefix of the text */
	char *regex;
	pcre2_code *re;
	int nnames;
	char **names;		/* named capture groups */
	int *groups;
	struct cat_cond *conds;
	int nconds;
	char **examples;
	int nexamples;
	char *file;
	int line;
	int order;		/* load order, tie-breaker for equal ranks */
	int regex_line;		/* line of the regex field, for errors */
};

/* A relay provider: host names and advice fields (${provider:FIELD}). */
struct cat_provider {
	char *name;
	char **hosts;		/* exact names, or ".suffix" */
	int nhosts;
	char **keys, **values;
	int nfields;
	char *file;
	int line;
};

struct catalog {
	struct cat_finding *findings;
	size_t nfindings;
	struct cat_provider *providers;
	size_t nproviders;
	struct cat_rule *rules;	/* sorted by rank, highest first */
	size_t nrules;
	/* per scope and program: rule indices, in rank order; [0] only the
	 * rules that apply to informational records (level = info), which are
	 * most lines, [1] all */
	uint32_t *index[SCOPE_COUNT][PROG_COUNT][2];
	uint32_t nindex[SCOPE_COUNT][PROG_COUNT][2];
	pcre2_match_data *md;
	struct nexthop *nh;	/* relay or MX: for direct conditions without context */
	int finalized;
};

/* Result of a successful match; captures point into the subject. */
struct cat_hit {
	const struct cat_rule *rule;
	struct span subject;
	const PCRE2_SIZE *ov;
};

void catalog_init(struct catalog *cat);
void catalog_free(struct catalog *cat);
/* Load one file or every *.rules file of a directory (sorted by name).
 * On error returns -1 and puts "file:line: message" into err. */
int catalog_load_path(struct catalog *cat, const char *path, struct strbuf *err);
/* Build indexes and the shared match data; -1 with err on a dangling id. */
int catalog_finalize(struct catalog *cat, struct strbuf *err);

/* Which rules catalog_match may return. */
#define CM_REGULAR  1		/* rules without fallback = yes */
#define CM_FALLBACK 2		/* rules with fallback = yes */

/* First rule of this kind (in rank order) that matches; 1 if found. */
int catalog_match(struct catalog *cat, enum cat_kind kind, int which, enum cat_scope scope,
		  const struct pf_record *rec, int status, struct span text,
		  const struct pfconf *cf, struct cat_hit *hit);

/* The same, for text of a message whose origin is known (CTX_* flags). */
int catalog_match_ctx(struct catalog *cat, enum cat_kind kind, int which, enum cat_scope scope,
		      const struct pf_record *rec, int status, struct span text,
		      const struct pfconf *cf, unsigned ctx, struct cat_hit *hit);

/* Where the remote host a hit names (server, peer, host:port captures)
 * sits: a relay, a recipient's MX, local; NH_UNKNOWN if it names none. */
enum nh_path catalog_hit_path(const struct nexthop *nh, const struct cat_hit *hit);

/* Named capture of a hit; 0 if the group is unknown or did not match. */
int catalog_capture(const struct cat_hit *hit, const char *name, struct span *out);

const struct cat_finding *catalog_finding(const struct catalog *cat, const char *id);
/* The provider serving host (a name, "name[addr]:port" or "[name]:port"),
 * and one of its fields; NULL if none. */
const struct cat_provider *catalog_provider(const struct catalog *cat, const char *host);
const char *provider_field(const struct cat_provider *p, const char *key);
const char *find_sev_name(enum find_sev s);

/* Name of a scope as written in rule files ("line", "reason", "delivery"). */
const char *catalog_scope_name(enum cat_scope s);

/* --list-rules and --explain ID (catalog_explain: 0, or -1 if unknown). */
void catalog_list(const struct catalog *cat, FILE *out);
int catalog_explain(const struct catalog *cat, const char *id, FILE *out);

#endif
