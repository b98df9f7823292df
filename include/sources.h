/*
 * sources.h - which sources a run reads, in which order: the named log
 * files (each with its rotations under --rotated, or when a time window
 * reaches back before its first line), else the mail log an admin would
 * look at first, else the system journal when it holds Postfix entries;
 * or the journal itself (--journal, --journal-dir). With a time window
 * the first source is positioned at the window's start (minus the
 * look-back) by seeking instead of reading; --last is measured back from
 * the newest line. With --follow the last source is followed.
 */
#ifndef FMRD_SOURCES_H
#define FMRD_SOURCES_H

#include <stdint.h>

#include "input.h"
#include "pfconf.h"
#include "timewin.h"
#include "util.h"

struct source_req {
	char *const *files;	/* LOGFILE arguments ("-" = stdin) */
	int nfiles;
	int rotated;		/* --rotated: also every rotation, oldest first */
	int follow;		/* --follow: follow the last source */
	int journal;		/* --journal */
	const char *journal_dir;	/* --journal-dir, or NULL */
	const struct pfconf *cf;
	struct timewin win;	/* --since, --until, look-back */
	int64_t last;		/* --last seconds, 0 if not given */
	int fixed_year;		/* --year, or 0 */
	const char *root;	/* --root: the default log and the system journal
				 * of the system copy under it; NULL: this host */
};

struct source_set {
	struct input **in;
	char **names;		/* shown in reports ("-" = stdin) */
	int n;
	int follow;		/* the last source is followed */
	const char *how;	/* how the sources were chosen, for the user */
	int auto_journal;	/* no log file found: the system journal instead */
	struct timewin win;	/* the window in effect (since resolved from --last) */
	int seeked;		/* the first source was positioned by seeking */
};

/* Open what req asks for. Returns 0, or an FMRD_EXIT_* status with the
 * reason in err (nothing left open). */
int sources_open(const struct source_req *req, struct source_set *set, struct strbuf *err);
void sources_free(struct source_set *set);

#endif
