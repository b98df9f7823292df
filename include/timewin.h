/*
 * timewin.h - time windows over a log (--since, --until, --last): the
 * user's times and durations, log times without a zone as UTC, which
 * part of the window a line's time falls in, and where a window starts
 * in a regular file (bisection with small preads, no full read), so that
 * "the last minutes after a failed test mail" of a multi-gigabyte log
 * cost milliseconds.
 *
 * Times are UTC epoch seconds (int64_t), compared at one-second
 * resolution: fractions of a second are dropped. Both ends of a window
 * are inclusive (like journalctl --since/--until).
 *
 * The window has a prelude: the lookback before since. Lines in it are
 * fed to correlation only, so that a message that began before the window
 * and ends in it is reported whole; the caller mutes findings and
 * completed messages there. TIMEWIN_LOOKBACK (2 hours) covers the whole
 * life of a message delivered or bounced at its first attempt (seconds),
 * and Postfix's default maximal_backoff_time (4000 s): the previous
 * delivery attempt of a deferred message that is retried in the window is
 * seen too. Deferred mail lives for days (maximal_queue_lifetime 5d), so
 * a message whose start is older than the lookback is reported from the
 * prelude on only: its arrival (client=, uid=, message-id=) and earlier
 * attempts are not in the report. A larger lookback costs only reading
 * time (about 9 MB per hour of a busy relay's log).
 */
#ifndef FMRD_TIMEWIN_H
#define FMRD_TIMEWIN_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "syslog_hdr.h"
#include "util.h"

#define TIMEWIN_LOOKBACK 7200	/* default prelude, seconds (see above) */
/* Lines of a syslog file may be out of order by a few seconds (each
 * process stamps its own time; with a zone-less log, the autumn DST hour
 * comes twice). timewin_seek_target and timewin_past_end allow this much
 * disorder, in seconds. */
#define TIMEWIN_SLACK 300
#define TIMEWIN_NONE_SINCE INT64_MIN	/* no lower bound */
#define TIMEWIN_NONE_UNTIL INT64_MAX	/* no upper bound */

struct timewin {
	int64_t since;		/* first second in the window (TIMEWIN_NONE_SINCE: none) */
	int64_t until;		/* last second in the window (TIMEWIN_NONE_UNTIL: none) */
	int64_t lookback;	/* prelude length before since, >= 0 */
};

enum tw_pos {
	TW_BEFORE,		/* older than since - lookback: skip the line */
	TW_PRELUDE,		/* in [since - lookback, since): correlation only */
	TW_IN,			/* in [since, until] */
	TW_AFTER,		/* later than until: skip */
};

/* No bounds, default lookback. */
void timewin_init(struct timewin *w);
/* Either bound is set. */
int timewin_active(const struct timewin *w);
/* Where epoch t falls. Saturating: since - lookback never overflows. */
enum tw_pos timewin_classify(const struct timewin *w, int64_t t);
/* Byte target for timewin_seek: since - lookback - TIMEWIN_SLACK
 * (TIMEWIN_NONE_SINCE when there is no lower bound: read from the start). */
int64_t timewin_seek_target(const struct timewin *w);
/* A line at t (in a file ordered by time up to TIMEWIN_SLACK) means no
 * later line can be in the window: t > until + TIMEWIN_SLACK. The caller
 * may stop reading that source. */
int timewin_past_end(const struct timewin *w, int64_t t);
/* --last DUR: since = end - dur, where end is the newest time of the log
 * (timewin_last_time of the newest file) or now when that cannot be known
 * beforehand (stdin, a followed or compressed newest source). */
void timewin_set_last(struct timewin *w, int64_t end, int64_t dur);

/* UTC epoch seconds of a log time: t->sec when t->has_zone, else t->sec
 * is the local wall clock written as if UTC and is converted with the
 * local time zone (TZ). A wall time that does not exist (the spring DST
 * gap) is read with the offset before the change (02:30 -> 03:30 CEST);
 * one that exists twice (the autumn hour) is the earlier of the two. The
 * offset is cached per wall-clock hour, so this is cheap per line; call
 * logtime_epoch_reset after changing TZ (tests). Not thread-safe. */
int64_t logtime_epoch(const struct logtime *t);
void logtime_epoch_reset(void);

/* Parse a user's point in time into UTC epoch seconds; now is the
 * current time. Accepted (blanks around the whole are ignored):
 *   2026-11-23T20:12:22+01:00   ISO 8601, 'T' or blanks between date and
 *   2026-11-23 20:12:22.5Z      time, seconds and fraction optional,
 *   2026-11-23 20:12            zone Z, UTC, +hh:mm, +hhmm or +hh
 *   2026-11-23                  (optionally after a blank); no zone:
 *                               local time; a date alone: local midnight
 *   Nov 23 20:12:22             syslog form (month names in English, any
 *   Nov 23 20:12                case; seconds optional): the latest such
 *                               local time not after now (last year if it
 *                               would be in the future)
 *   20:12[:22]                  today, local; yesterday if in the future
 *   -2h, -1h30m, 2h ago         now minus a duration (timewin_parse_duration)
 *   now, today, yesterday       today/yesterday: local midnight
 *   @1795435672                 epoch seconds
 * Returns 0, or -1 with one message appended to err saying what was
 * expected (the input quoted, at most 64 bytes, non-printable bytes
 * as '?'). */
int timewin_parse_time(const char *s, time_t now, int64_t *epoch, struct strbuf *err);

/* Parse a duration: one or more NUMBER UNIT parts, blanks allowed
 * between and inside them ("15m", "2h", "1h30m", "1h 30m", "90 s",
 * "7 days"). Units: s sec secs second seconds, m min mins minute
 * minutes, h hr hrs hour hours, d day days, w week weeks (lower case;
 * no months: their length varies). A plain number is rejected because
 * "15" could mean seconds or minutes, except "0" (zero, e.g. no
 * lookback). At most 100 years. Returns 0, or -1 with a message
 * appended to err. */
int timewin_parse_duration(const char *s, int64_t *secs, struct strbuf *err);

/*
 * Files. fd is a regular file of size bytes, read with pread only (the
 * file position is not used or moved). A line is dated when the syslog
 * header in its first TIMEWIN_HEAD bytes gives a time
 * (syslog_hdr_parse_year); its time is logtime_epoch of that. Year-less
 * BSD timestamps get the year the source gives its first dated line:
 * the reference in *year (ref_year, ref_month: the file's mtime or
 * --year), where a month later than ref_month + 1 is last year. Each
 * line is dated on its own with that rule, so a file that spans New Year
 * (mtime in January) bisects right. year NULL: the reference is now.
 * Return 0, or -1 on a read error (errno set); nothing is allocated.
 */
#define TIMEWIN_HEAD 1024
#define TIMEWIN_BLOCK 16384	/* bytes per pread */

/* Byte offset of the first line whose time is >= target, in a file
 * ordered by time: the start of that dated line; 0 when target is at or
 * before the first dated line; size when dated lines exist but none is
 * >= target; 0 when no line is dated at all (a file the bisection cannot
 * read is read whole; the caller's per-line check decides). O(log size)
 * probes of one or two blocks each; undated lines (other formats,
 * garbage, binary) are skipped within the probed range, lines longer
 * than a block are stepped over. If lines are out of order by at most D
 * seconds, seeking to target - D loses no line >= target (use
 * timewin_seek_target). */
int timewin_seek(int fd, off_t size, int64_t target, const struct hdr_year *year, off_t *off);

/* Time of the newest (last) dated line, read backwards from the end in
 * blocks; returns 1 and sets *epoch, 0 when no line is dated, -1 on a
 * read error. *at (may be NULL) gets that line's offset. */
int timewin_last_time(int fd, off_t size, const struct hdr_year *year, int64_t *epoch, off_t *at);
/* Time of the first dated line from the start; same results. */
int timewin_first_time(int fd, off_t size, const struct hdr_year *year, int64_t *epoch, off_t *at);
/* preads made by the functions above since the program started (tests,
 * statistics). */
unsigned long timewin_nreads(void);
/* Is one line p[0..len) (at most TIMEWIN_HEAD bytes are looked at)
 * dated under the rule above? 1 and *epoch, else 0. For callers that
 * read lines themselves (a .gz rotation's first line). */
int timewin_line_time(const char *p, size_t len, const struct hdr_year *year, int64_t *epoch);

#endif
