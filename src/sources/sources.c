/*
 * sources.c - choose and open the sources of a run: named files (with
 * their rotations when asked, or when a time window reaches back before a
 * file's first line), the default mail log, the journal; drop the sources
 * that end before the window and seek into the first one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "sources.h"
#include "timewin.h"

#define SRC_FIRST_SCAN 1000	/* lines read to date a source's start */

static int sources_fixed_year;

/* --year: the year of every year-less timestamp of a source */
static void
sources_year(struct input *in)
{
	if (sources_fixed_year > 0) {
		in->year.ref_year = sources_fixed_year;
		in->year.ref_month = 12;
	}
}

static void
set_add(struct source_set *set, struct input *in, const char *name)
{
	sources_year(in);
	set->in = xreallocarray(set->in, (size_t)set->n + 1, sizeof(*set->in));
	set->names = xreallocarray(set->names, (size_t)set->n + 1, sizeof(*set->names));
	set->in[set->n] = in;
	set->names[set->n] = xstrdup(name);
	set->n++;
}

void
sources_free(struct source_set *set)
{
	int i;

	for (i = 0; i < set->n; i++) {
		input_close(set->in[i]);
		free(set->names[i]);
	}
	free(set->in);
	free(set->names);
	memset(set, 0, sizeof(*set));
}

/* Path P as seen under the system copy ROOT (NULL: this host). */
static const char *
sources_path(const char *root, const char *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", root != NULL && p[0] == '/' ? root : "", p);
	return buf;
}

/* The mail log an admin would look at first (under root, if not NULL). */
static char *
sources_default_log(const struct pfconf *cf, const char *root)
{
	static const char *const candidates[] = {
		"/var/log/mail.log", "/var/log/maillog", "/var/log/mail", NULL
	};
	const char *mf = cf != NULL ? pfconf_get(cf, "maillog_file", NULL) : NULL;
	char path[4096];
	int i;

	if (mf != NULL && *mf != '\0' && strncmp(mf, "/dev/", 5) != 0
	    && access(sources_path(root, mf, path, sizeof(path)), R_OK) == 0)
		return xstrdup(path);
	for (i = 0; candidates[i] != NULL; i++)
		if (access(sources_path(root, candidates[i], path, sizeof(path)), R_OK) == 0)
			return xstrdup(path);
	return NULL;
}

/* Time of the first dated line of a source (opened and closed here, so
 * compressed rotations work too). 0 if found. */
static int
sources_first_time(const char *path, int64_t *epoch)
{
	struct input *in = input_open(path);
	struct line ln;
	int i, rc = -1;

	if (in == NULL)
		return -1;
	sources_year(in);
	for (i = 0; i < SRC_FIRST_SCAN && input_next(in, &ln) == INPUT_LINE; i++)
		if (timewin_line_time(ln.p, ln.len, &in->year, epoch)) {
			rc = 0;
			break;
		}
	input_close(in);
	return rc;
}

/* Time of the newest dated line of an open source: backwards from the
 * end of a regular file; a compressed one is read through (rare: the
 * newest log is seldom compressed). 0 if found. */
static int
sources_last_time(const char *path, int64_t *epoch)
{
	struct input *in = input_open(path);
	struct line ln;
	int64_t t;
	int rc = -1;

	if (in == NULL)
		return -1;
	sources_year(in);
	if (in->size >= 0 && in->ops->seek != NULL) {
		rc = timewin_last_time(in->fd, in->size, &in->year, epoch, NULL) == 1 ? 0 : -1;
	} else {
		while (input_next(in, &ln) == INPUT_LINE)
			if (timewin_line_time(ln.p, ln.len, &in->year, &t)) {
				*epoch = t;
				rc = 0;
			}
	}
	input_close(in);
	return rc;
}

/* The files of the run, oldest first: rotations (all of them with
 * --rotated; with a window, those needed to reach back to its start). */
static void
sources_list(const struct source_req *req, int64_t from, char ***list, int *n)
{
	char **rot;
	int64_t t;
	int i, j, nrot, first;

	*list = NULL;
	*n = 0;
	for (i = 0; i < req->nfiles; i++) {
		const char *f = req->files[i];

		if (strcmp(f, "-") != 0 && (req->rotated || from != TIMEWIN_NONE_SINCE)) {
			nrot = input_rotations(f, &rot);
			first = req->rotated ? 0 : nrot;
			/* reach back: newest rotation first, until one starts
			 * at or before the window's start */
			if (!req->rotated && (sources_first_time(f, &t) < 0 || t > from))
				for (first = nrot; first > 0; first--)
					if (sources_first_time(rot[first - 1], &t) == 0 && t <= from) {
						first--;
						break;
					}
			for (j = first; j < nrot; j++) {
				*list = xreallocarray(*list, (size_t)*n + 1, sizeof(**list));
				(*list)[(*n)++] = xstrdup(rot[j]);
			}
			input_rotations_free(rot);
		}
		*list = xreallocarray(*list, (size_t)*n + 1, sizeof(**list));
		(*list)[(*n)++] = xstrdup(f);
	}
}

/* Drop leading sources that end before from (the next one starts at or
 * before it) and seek into the first one kept. */
static void
sources_window(struct source_set *set, int64_t from)
{
	int64_t t;
	off_t off;
	int k = 0, i;

	for (i = 1; i < set->n; i++)
		if (strcmp(set->names[i], "-") != 0 && sources_first_time(set->names[i], &t) == 0
		    && t <= from)
			k = i;
	for (i = 0; i < k; i++) {
		input_close(set->in[i]);
		free(set->names[i]);
	}
	if (k > 0) {
		memmove(set->in, set->in + k, (size_t)(set->n - k) * sizeof(*set->in));
		memmove(set->names, set->names + k, (size_t)(set->n - k) * sizeof(*set->names));
		set->n -= k;
	}
	if (set->n > 0 && set->in[0]->size >= 0 && set->in[0]->ops->seek != NULL
	    && timewin_seek(set->in[0]->fd, set->in[0]->size, timewin_seek_target(&set->win),
			    &set->in[0]->year, &off) == 0
	    && input_seek(set->in[0], off) == 0)
		set->seeked = 1;
}

static int
sources_journal(const struct source_req *req, struct source_set *set, struct strbuf *err)
{
	const char *extra[2] = { NULL, NULL };
	const char *sn = req->cf != NULL ? pfconf_get(req->cf, "syslog_name", NULL) : NULL;
	struct input *in;
	int64_t last;

	if (sn != NULL && strncmp(sn, "postfix", 7) != 0)
		extra[0] = sn;
	in = input_open_journal(req->journal_dir, extra, req->follow, err);
	if (in == NULL)
		return FMRD_EXIT_NOINPUT;
	if (req->last > 0)
		timewin_set_last(&set->win, (last = input_journal_last_time(in)) >= 0
				 ? last / 1000000 : (int64_t)time(NULL), req->last);
	if (set->win.since != TIMEWIN_NONE_SINCE)
		input_journal_seek_time(in, timewin_seek_target(&set->win) * 1000000);
	else if (req->follow)
		input_journal_seek_tail(in);
	set_add(set, in, req->journal_dir != NULL ? req->journal_dir : "journal");
	set->follow = req->follow;
	return 0;
}

static int
sources_files(const struct source_req *req, struct source_set *set, struct strbuf *err)
{
	char **list;
	int64_t last, from = TIMEWIN_NONE_SINCE;
	int i, n, rc = 0;

	if (req->last > 0)
		timewin_set_last(&set->win, req->nfiles > 0 && strcmp(req->files[req->nfiles - 1], "-") != 0
				 && sources_last_time(req->files[req->nfiles - 1], &last) == 0
				 ? last : (int64_t)time(NULL), req->last);
	if (set->win.since != TIMEWIN_NONE_SINCE)
		from = timewin_seek_target(&set->win);
	sources_list(req, from, &list, &n);
	for (i = 0; i < n; i++) {
		struct input *in;
		int follow = req->follow && i == n - 1 && strcmp(list[i], "-") != 0;

		in = follow ? input_open_follow(list[i], set->win.since == TIMEWIN_NONE_SINCE)
			    : input_open(list[i]);
		if (in == NULL) {
			if (follow && errno == ENOTSUP)
				sb_printf(err, "cannot follow %s: it is compressed (read it without --follow)",
					  list[i]);
			else
				sb_printf(err, "cannot open %s: %s", list[i], strerror(errno));
			rc = FMRD_EXIT_NOINPUT;
			break;
		}
		set_add(set, in, list[i]);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (rc != 0) {
		sources_free(set);
		return rc;
	}
	set->follow = req->follow;
	if (from != TIMEWIN_NONE_SINCE)
		sources_window(set, from);
	return 0;
}

int
sources_open(const struct source_req *req, struct source_set *set, struct strbuf *err)
{
	struct source_req r = *req;
	char *def;
	char *one[1];
	int rc;

	memset(set, 0, sizeof(*set));
	set->win = req->win;
	sources_fixed_year = req->fixed_year;
	journal_set_root(req->root);
	if (req->journal || req->journal_dir != NULL) {
		set->how = req->journal_dir != NULL ? "journal files" : "the system journal";
		return sources_journal(req, set, err);
	}
	if (req->nfiles > 0) {
		set->how = "named";
		return sources_files(req, set, err);
	}
	if ((def = sources_default_log(req->cf, req->root)) != NULL) {
		one[0] = def;
		r.files = one;
		r.nfiles = 1;
		set->how = "default";
		rc = sources_files(&r, set, err);
		free(def);
		return rc;
	}
	journal_set_root(req->root);
	if (journal_has_postfix(NULL) > 0) {
		set->how = "the system journal (no mail log file found)";
		set->auto_journal = 1;
		return sources_journal(req, set, err);
	}
	sb_printf(err, "no mail log found%s%s (tried maillog_file, /var/log/mail.log, "
		  "/var/log/maillog, /var/log/mail, and the system journal); "
		  "name one, or '-' for standard input", req->root != NULL ? " under " : "",
		  req->root != NULL ? req->root : "");
	return FMRD_EXIT_NOINPUT;
}
