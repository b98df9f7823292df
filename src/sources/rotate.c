/*
 * rotate.c - find the rotated generations of a log beside it: NAME.N and
 * NAME.N.gz (logrotate's default, savelog, `postfix logrotate`), and
 * NAME-YYYYMMDD[.gz] (logrotate dateext; also -YYYYMMDDHH and
 * -YYYYMMDD-SECONDS). Oldest first: numeric by the highest N first,
 * dateext by date ascending, by modification time when both styles are
 * present. Other files (NAME.bak, NAME.1.swp) are ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"
#include "util.h"

#define ROT_DIGITS_MAX 18	/* fits in long long */

enum rot_style { ROT_NUMERIC, ROT_DATE };

struct rot {
	char *path;
	enum rot_style style;
	long long key, sub;	/* N; or YYYYMMDD and the hour/seconds after it */
	struct timespec mtime;
};

/* n digits at p as a number, or -1. */
static long long
rot_number(const char *p, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > ROT_DIGITS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYYMMDD" with a plausible month and day. */
static long long
rot_date(const char *p)
{
	long long v = rot_number(p, 8);
	int m = (int)(v / 100 % 100), d = (int)(v % 100);

	return v < 0 || m < 1 || m > 12 || d < 1 || d > 31 ? -1 : v;
}

/* Parse the suffix after NAME (".gz" already removed); 1 if it is a
 * rotation. */
static int
rot_suffix(const char *s, size_t n, struct rot *r)
{
	if (n >= 2 && s[0] == '.') {
		r->style = ROT_NUMERIC;
		r->key = rot_number(s + 1, n - 1);
		r->sub = 0;
		return r->key >= 0;
	}
	if (n < 9 || s[0] != '-' || (r->key = rot_date(s + 1)) < 0)
		return 0;
	r->style = ROT_DATE;
	s += 9, n -= 9;
	if (n == 0)
		r->sub = -1;		/* -YYYYMMDD sorts before its hourly forms */
	else if (n == 2)
		r->sub = rot_number(s, 2);	/* -YYYYMMDDHH */
	else if (s[0] == '-')
		r->sub = rot_number(s + 1, n - 1);	/* -YYYYMMDD-SECONDS */
	else
		return 0;
	return r->sub >= -1 && !(n > 0 && r->sub < 0);
}

static int
rot_before_time(const struct rot *a, const struct rot *b)
{
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec;
	return a->mtime.tv_nsec < b->mtime.tv_nsec;
}

/* Oldest first: by modification time when both styles are present,
 * else numeric by the highest N, dateext by date, then hour/seconds. */
static int
rot_cmp(const void *pa, const void *pb, void *mixed)
{
	const struct rot *a = pa, *b = pb;

	if (!*(int *)mixed) {
		if (a->key != b->key)
			return (a->style == ROT_NUMERIC) == (a->key > b->key) ? -1 : 1;
		if (a->sub != b->sub)
			return a->sub < b->sub ? -1 : 1;
	}
	if (rot_before_time(a, b))
		return -1;
	if (rot_before_time(b, a))
		return 1;
	return strcmp(a->path, b->path);
}

/* Is entry name (in directory dir) a rotation of base? Fills r. */
static int
rot_match(const char *dir, const char *base, const char *name, struct rot *r)
{
	size_t nb = strlen(base), n = strlen(name);
	struct strbuf sb;
	struct stat st;

	if (n <= nb || memcmp(name, base, nb) != 0)
		return 0;
	if (n - nb > 3 && memcmp(name + n - 3, ".gz", 3) == 0)
		n -= 3;
	if (!rot_suffix(name + nb, n - nb, r))
		return 0;
	sb_init(&sb);
	if (dir != NULL) {
		sb_adds(&sb, dir);
		sb_addc(&sb, '/');
	}
	sb_adds(&sb, name);
	if (stat(sb.s, &st) < 0 || !S_ISREG(st.st_mode)) {
		sb_free(&sb);
		return 0;
	}
	r->path = sb.s;		/* the strbuf's string is ours now */
	r->mtime = st.st_mtim;
	return 1;
}

/* Split path into its directory (NULL: the current one, names stay bare)
 * and base name. */
static char *
rot_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	struct span s;

	if (slash == NULL) {
		*base = path;
		return NULL;
	}
	*base = slash + 1;
	s.p = path;
	s.len = slash == path ? 1 : (size_t)(slash - path);
	return xspandup(s);
}

static char **
rot_list(struct rot *v, size_t n)
{
	char **list = xcalloc(n + 1, sizeof(*list));
	size_t i;
	unsigned styles = 0;
	int mixed;

	for (i = 0; i < n; i++)
		styles |= 1u << v[i].style;
	mixed = styles == 3;
	if (n > 1)
		qsort_r(v, n, sizeof(*v), rot_cmp, &mixed);
	for (i = 0; i < n; i++)
		list[i] = v[i].path;
	return list;
}

int
input_rotations(const char *path, char ***list)
{
	const char *base;
	char *dir = rot_dir(path, &base);
	struct rot *v = NULL, r;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*list = NULL;
	if (*base == '\0' || (d = opendir(dir != NULL ? dir : ".")) == NULL) {
		free(dir);
		if (*base == '\0')
			errno = EINVAL;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!rot_match(dir, base, de->d_name, &r))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = r;
	}
	closedir(d);
	free(dir);
	*list = rot_list(v, n);
	free(v);
	return (int)n;
}

void
input_rotations_free(char **list)
{
	char **p;

	if (list == NULL)
		return;
	for (p = list; *p != NULL; p++)
		free(*p);
	free(list);
}
