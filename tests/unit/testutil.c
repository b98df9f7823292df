/*
 * testutil.c - the fixture root and the observation collector shared by
 * the unit tests (testutil.h): one temporary directory tree per test,
 * files written into it, its configuration loaded, and what a check
 * observes over it, with the root shown as "ROOT".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "testutil.h"

char tu_root[64];

int
tu_root_make(const char *tag)
{
	if (snprintf(tu_root, sizeof(tu_root), "/tmp/fmrd-%s.XXXXXX", tag) >= (int)sizeof(tu_root))
		return -1;
	return mkdtemp(tu_root) != NULL ? 0 : -1;
}

static int
tu_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
tu_tree_remove(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(dir, tu_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int
tu_root_remove(void)
{
	return tu_tree_remove(tu_root);
}

const char *
tu_path(const char *rel, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", tu_root, rel + (rel[0] == '/'));
	return buf;
}

/* Make every directory of path (absolute) up to, not including, the
 * last component. */
static void
tu_mkparents(char *path)
{
	char *p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

int
tu_mkdirs(const char *rel)
{
	char path[4096];
	struct stat st;

	tu_path(rel, path, sizeof(path));
	tu_mkparents(path);
	mkdir(path, 0755);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

FILE *
tu_open(const char *rel, const char *mode)
{
	char path[4096];
	FILE *fp;

	tu_path(rel, path, sizeof(path));
	tu_mkparents(path);
	fp = fopen(path, mode);
	assert_non_null(fp);
	return fp;
}

void
tu_put(const char *rel, const char *text)
{
	FILE *fp = tu_open(rel, "w");

	fputs(text, fp);
	fclose(fp);
}

void
tu_symlink(const char *target, const char *rel)
{
	char path[4096];

	assert_int_equal(symlink(target, tu_path(rel, path, sizeof(path))), 0);
}

void
tu_load(struct pfconf *cf)
{
	assert_int_equal(pfconf_load_root(cf, NULL, tu_root), 0);
}

/* s with the root replaced by "ROOT", appended to sb. */
static void
tu_unroot(struct strbuf *sb, const char *s)
{
	size_t n = strlen(tu_root);
	const char *p;

	while (n > 0 && (p = strstr(s, tu_root)) != NULL) {
		sb_add(sb, s, (size_t)(p - s));
		sb_adds(sb, "ROOT");
		s = p + n;
	}
	sb_adds(sb, s);
}

void
tu_collect(void *ctx, const struct observation *o)
{
	struct tu_seen *s = ctx;
	struct tu_obs *t;
	struct strbuf tmp;
	size_t i;

	assert_null(strstr(o->text, TU_SECRET));
	for (i = 0; i < o->nev; i++) {
		assert_non_null(o->ev[i].file);
		assert_non_null(o->ev[i].text);
		assert_null(strstr(o->ev[i].file, TU_SECRET));
		assert_null(strstr(o->ev[i].text, TU_SECRET));
	}
	if (s->skip != NULL && strncmp(o->text, s->skip, strlen(s->skip)) == 0)
		return;
	assert_true(s->n < TU_MAX_OBS);
	t = &s->o[s->n++];
	snprintf(t->host, sizeof(t->host), "%s", o->host != NULL ? o->host : "-");
	sb_init(&tmp);
	tu_unroot(&tmp, o->text);
	snprintf(t->text, sizeof(t->text), "%s", tmp.s);
	sb_printf(&s->lines, "%s|%s\n", t->host, tmp.s);
	sb_reset(&tmp);
	for (i = 0; i < o->nev; i++) {
		sb_printf(&tmp, "%s", i > 0 ? " " : "");
		tu_unroot(&tmp, o->ev[i].file);
		sb_printf(&tmp, ":%lu", o->ev[i].line);
		tu_unroot(&s->ev, o->ev[i].file);
		sb_printf(&s->ev, ":%lu ", o->ev[i].line);
		tu_unroot(&s->ev, o->ev[i].text);
		sb_addc(&s->ev, '\n');
	}
	snprintf(t->where, sizeof(t->where), "%s", tmp.s);
	sb_free(&tmp);
}

void
tu_check(check_fn fn, const char *skip, struct tu_seen *s)
{
	struct pfconf cf;
	struct obs_out out = { tu_collect, s, 0 };
	size_t i;

	s->n = 0;
	s->skip = skip;
	sb_init(&s->lines);
	sb_init(&s->ev);
	tu_load(&cf);
	fn(&cf, &out);
	pfconf_free(&cf);
	for (i = 0; i < s->n; i++)
		print_message("# %s\t%s\t%s\n", s->o[i].text, s->o[i].where, s->o[i].host);
}

void
tu_seen_free(struct tu_seen *s)
{
	sb_free(&s->lines);
	sb_free(&s->ev);
}
