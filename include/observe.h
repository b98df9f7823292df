/*
 * observe.h - observations: what the configuration checks (and later the
 * probe) saw, told to the diagnosis the way the log tells it lines. Each
 * observation is one line of text in a documented form
 * (docs/OBSERVATIONS.md), matched by the "on = config" rules of
 * patterns/ exactly as log lines are matched by "on = line" rules: the
 * C code states what is on disk, the rules decide which finding it is,
 * how bad, and what to do. An observation carries its evidence (file and
 * line, certificate subject and dates) and may name the relay host it is
 * about, so that it joins a log finding about the same host.
 */
#ifndef FMRD_OBSERVE_H
#define FMRD_OBSERVE_H

#include <stddef.h>

#define OBS_MAX_TEXT 1024	/* an observation's text, cut beyond */
#define OBS_MAX_EV 4		/* evidence items per observation */

enum obs_kind {
	OBS_CONFIG = 0,		/* main.cf, master.cf, tables and their files */
	OBS_CERT,		/* certificates, keys and CA stores (OpenSSL) */
	OBS_PROBE		/* a step of the live probe (later) */
};

/* One piece of evidence: a configuration line (file, line >= 1, the line
 * as written) or a file fact (line 0, text such as "mode 0644 owner
 * alice" or a certificate's subject and dates). Secrets never appear. */
struct obs_ev {
	const char *file;
	unsigned long line;
	const char *text;
};

struct observation {
	enum obs_kind kind;
	const char *check;	/* the check that saw it: "sasl_map", "ca", ... */
	const char *host;	/* relay host it concerns (lower case), or NULL */
	char text[OBS_MAX_TEXT];	/* the subject the rules match */
	struct obs_ev ev[OBS_MAX_EV];
	size_t nev;
};

/* Where observations go: the diagnosis, or a test's collector. */
typedef void (*obs_fn)(void *ctx, const struct observation *o);
struct obs_out {
	obs_fn fn;
	void *ctx;
	unsigned long count;	/* observations emitted */
};

/* Emit one observation: text from fmt (printf), with nev evidence items
 * (may be 0) and the relay host (may be NULL). Text that does not fit is
 * cut; control characters are replaced by '?'. */
void obs_emit(struct obs_out *out, enum obs_kind kind, const char *check,
	      const char *host, const struct obs_ev *ev, size_t nev, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Name of a kind as written in rules and JSON ("config", "cert", "probe"). */
const char *obs_kind_name(enum obs_kind kind);

#endif
