/*
 * testutil.h - helpers shared by the cmocka unit tests (include after
 * <cmocka.h>): assertions; a fixture root, a temporary directory tree
 * the tests write configuration and system files into; and a collector
 * of the observations a configuration check makes over that root. The
 * functions are in testutil.c, linked into the tests that use them.
 */
#ifndef FMRD_TESTUTIL_H
#define FMRD_TESTUTIL_H

#include <stdio.h>
#include <string.h>

#include "check.h"

/* A span (not NUL-terminated) equals the string literal lit. */
#define assert_span_eq(sp, lit) do {					\
	struct span s_ = (sp);						\
	char b_[512];							\
	assert_true(s_.len < sizeof(b_));				\
	memcpy(b_, s_.p, s_.len);					\
	b_[s_.len] = '\0';						\
	assert_string_equal(b_, (lit));					\
} while (0)

/* ---- the fixture root ------------------------------------------------- */

/* The root made by tu_root_make ("/tmp/fmrd-TAG.XXXXXX"). */
extern char tu_root[64];

/* Make a new tu_root for a test's setup: 0, or -1. */
int tu_root_make(const char *tag);
/* Remove tu_root and everything below it, for a teardown: 0, or -1. */
int tu_root_remove(void);
/* Remove the tree DIR (links are removed, not followed); a DIR that does
 * not exist is no error. 0, or -1. */
int tu_tree_remove(const char *dir);
/* ROOT/rel in buf ("etc/hosts" and "/etc/hosts" are the same); buf. */
const char *tu_path(const char *rel, char *buf, size_t size);
/* Make the directory ROOT/rel and its parents: 0 when it exists. */
int tu_mkdirs(const char *rel);
/* Open ROOT/rel (fopen mode) after making its parent directories;
 * asserts that it opened. */
FILE *tu_open(const char *rel, const char *mode);
/* Write ROOT/rel (parent directories made as needed). */
void tu_put(const char *rel, const char *text);
/* A symbolic link ROOT/rel to target (as written: absolute or relative). */
void tu_symlink(const char *target, const char *rel);
/* Load the configuration of the root (pfconf_load_root; asserts). */
void tu_load(struct pfconf *cf);

/* ---- observations of a check over the root ---------------------------- */

#define TU_MAX_OBS 16
/* Fixtures write passwords with this marker in them; no observation
 * text, evidence file or evidence text may show it. */
#define TU_SECRET "SECRET"

/* One observation, the fixture root shown as "ROOT" in every text. */
struct tu_obs {
	char text[OBS_MAX_TEXT + 64];
	char host[128];		/* the relay host it concerns, "-" for none */
	char where[512];	/* its evidence, "file:line file:line" */
};

struct tu_seen {
	struct tu_obs o[TU_MAX_OBS];
	size_t n;
	struct strbuf lines;	/* "host|text\n" per observation */
	struct strbuf ev;	/* "file:line text\n" per evidence item */
	const char *skip;	/* leave out observations whose text starts so */
};

/* The collector (an obs_fn; ctx is a struct tu_seen). */
void tu_collect(void *ctx, const struct observation *o);
/* Load the root, run fn over it and collect into s (which is set up
 * here; free it with tu_seen_free). Observations whose text starts with
 * skip (may be NULL) are left out. Each is printed as a TAP comment. */
void tu_check(check_fn fn, const char *skip, struct tu_seen *s);
void tu_seen_free(struct tu_seen *s);

#endif
