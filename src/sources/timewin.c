/*
 * timewin.c - time windows over a log (--since, --until, --last): parses
 * the user's times and durations, converts zone-less log times to UTC
 * (offset cached per wall-clock hour), classifies a time against the
 * window, and finds where a window starts in a regular file by bisection
 * with small aligned preads (a one-block cache on the stack), so that
 * the last minutes of a multi-gigabyte log are found without reading the
 * rest. Nothing here allocates.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "syslog_hdr.h"
#include "timewin.h"

#define IS_DIGIT(c) ((unsigned)((c) - '0') < 10u)
#define IS_BLANK(c) ((c) == ' ' || (c) == '\t')
#define MAX_DURATION INT64_C(3155760000)	/* 100 years of 365.25 days */

/* --- window ------------------------------------------------------------ */

static int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

void
timewin_init(struct timewin *w)
{
	w->since = TIMEWIN_NONE_SINCE;
	w->until = TIMEWIN_NONE_UNTIL;
	w->lookback = TIMEWIN_LOOKBACK;
}

int
timewin_active(const struct timewin *w)
{
	return w->since != TIMEWIN_NONE_SINCE || w->until != TIMEWIN_NONE_UNTIL;
}

enum tw_pos
timewin_classify(const struct timewin *w, int64_t t)
{
	if (t > w->until)
		return TW_AFTER;
	if (t >= w->since)
		return TW_IN;
	if (t >= sat_add(w->since, -w->lookback))
		return TW_PRELUDE;
	return TW_BEFORE;
}

int64_t
timewin_seek_target(const struct timewin *w)
{
	if (w->since == TIMEWIN_NONE_SINCE)
		return TIMEWIN_NONE_SINCE;
	return sat_add(sat_add(w->since, -w->lookback), -TIMEWIN_SLACK);
}

int
timewin_past_end(const struct timewin *w, int64_t t)
{
	return w->until != TIMEWIN_NONE_UNTIL && t > sat_add(w->until, TIMEWIN_SLACK);
}

void
timewin_set_last(struct timewin *w, int64_t end, int64_t dur)
{
	w->since = sat_add(end, -dur);
}

/* --- local wall clock -> UTC ----------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static long
gmtoff_at(int64_t u)
{
	time_t t = (time_t)u;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* UTC of wall clock w (written as if UTC), without cache: try the
 * offsets in force a day before, at and a day after; of those that give
 * back w the earliest (autumn: the first of the two hours); none (spring
 * gap): the offset before the change. Deterministic, unlike mktime with
 * tm_isdst = -1, whose answer in the doubled hour depends on its past. */
static int64_t
local_to_utc_raw(int64_t w)
{
	long off[3];
	int64_t best = 0, u;
	int i, found = 0;

	off[0] = gmtoff_at(w - 86400);
	off[1] = gmtoff_at(w);
	off[2] = gmtoff_at(w + 86400);
	for (i = 0; i < 3; i++) {
		u = w - off[i];
		if (gmtoff_at(u) == off[i] && (!found || u < best)) {
			best = u;
			found = 1;
		}
	}
	return found ? best : w - off[0];
}

static struct {
	int64_t hour;		/* wall-clock hour (w / 3600) */
	int64_t off;		/* w - utc within it */
	int valid;
} tz_cache;

void
logtime_epoch_reset(void)
{
	tz_cache.valid = 0;
}

static int64_t
local_to_utc(int64_t w)
{
	int64_t h = floor_div(w, 3600), h0 = h * 3600, o0, o1;

	if (tz_cache.valid && tz_cache.hour == h)
		return w - tz_cache.off;
	o0 = h0 - local_to_utc_raw(h0);
	o1 = h0 + 3599 - local_to_utc_raw(h0 + 3599);
	if (o0 != o1)		/* a change within the hour (:30 zones) */
		return local_to_utc_raw(w);
	tz_cache.hour = h;
	tz_cache.off = o0;
	tz_cache.valid = 1;
	return w - o0;
}

int64_t
logtime_epoch(const struct logtime *t)
{
	return t->has_zone ? t->sec : local_to_utc(t->sec);
}

/* --- parsing the user's times and durations -------------------------- */

/* The input, quoted for an error message: at most 64 bytes, bytes that
 * are not printable ASCII as '?'. */
static void
err_quote(struct strbuf *err, const char *s)
{
	size_t i;

	sb_addc(err, '\'');
	for (i = 0; s[i] != '\0' && i < 64; i++)
		sb_addc(err, (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?');
	if (s[i] != '\0')
		sb_adds(err, "...");
	sb_addc(err, '\'');
}

static const char *
skip_blanks(const char *p)
{
	while (IS_BLANK(*p))
		p++;
	return p;
}

/* Up to maxd digits at *pp (at least mind); -1 if fewer. */
static int64_t
digits(const char **pp, int mind, int maxd)
{
	const char *p = *pp;
	int64_t v = 0;
	int n = 0;

	while (n < maxd && IS_DIGIT(p[n])) {
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n < mind)
		return -1;
	*pp = p + n;
	return v;
}

static const struct {
	const char *name;
	int64_t secs;
} units[] = {
	{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
	{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
	{ "h", 3600 }, { "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 }, { "hours", 3600 },
	{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
	{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
};

static int64_t
unit_secs(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, p, n) == 0)
			return units[i].secs;
	return -1;
}

#define DURATION_FORMS "a duration such as 15m, 2h, 1h30m, 90s or 7d " \
	"(units s, m, h, d, w)"

/* Duration in p up to end (not including end): 0 and *secs; -1 with
 * err (which names s, the whole argument). */
static int
duration_span(const char *p, const char *end, const char *s, int64_t *secs,
	      struct strbuf *err)
{
	int64_t total = 0, n, u;
	const char *w;
	int parts = 0;

	p = skip_blanks(p);
	while (end > p && IS_BLANK(end[-1]))
		end--;
	if (p == end)
		goto bad;
	if (end - p == 1 && *p == '0') {
		*secs = 0;
		return 0;
	}
	while (p < end) {
		if ((n = digits(&p, 1, 10)) < 0 || p > end)
			goto bad;
		p = skip_blanks(p);
		for (w = p; p < end && *p >= 'a' && *p <= 'z'; p++)
			;
		if (w == p) {
			sb_printf(err, "%s: expected a unit (s, m, h, d or w) after %lld: ",
				  parts == 0 && p == end ? "ambiguous duration" : "bad duration",
				  (long long)n);
			err_quote(err, s);
			return -1;
		}
		if ((u = unit_secs(w, (size_t)(p - w))) < 0)
			goto bad;
		if (n > MAX_DURATION / u || (total += n * u) > MAX_DURATION) {
			sb_adds(err, "duration longer than 100 years: ");
			err_quote(err, s);
			return -1;
		}
		parts++;
		p = skip_blanks(p);
	}
	*secs = total;
	return 0;
bad:
	sb_adds(err, "expected " DURATION_FORMS ", got ");
	err_quote(err, s);
	return -1;
}

int
timewin_parse_duration(const char *s, int64_t *secs, struct strbuf *err)
{
	return duration_span(s, s + strlen(s), s, secs, err);
}

/* "hh:mm[:ss[.fff]]" at *pp: seconds of the day, or -1 (pp unmoved). */
static int
clock_at(const char **pp)
{
	const char *p = *pp;
	int64_t h, m, sec = 0;

	if ((h = digits(&p, 1, 2)) < 0 || *p != ':')
		return -1;
	p++;
	if ((m = digits(&p, 2, 2)) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if ((sec = digits(&p, 2, 2)) < 0)
			return -1;
		if (*p == '.' || *p == ',') {
			p++;
			if (digits(&p, 1, 9) < 0)
				return -1;
			while (IS_DIGIT(*p))
				p++;
		}
	}
	if (h > 23 || m > 59 || sec > 60)
		return -1;
	if (sec == 60)		/* a leap second: the last second of its minute */
		sec = 59;
	*pp = p;
	return (int)(h * 3600 + m * 60 + sec);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int64_t y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Local wall clock of now: days since the epoch and seconds of the day. */
static void
local_now(time_t now, int64_t *days, int64_t *sod, int *year)
{
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL)
		gmtime_r(&now, &tm);
	*days = days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
	*sod = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	*year = tm.tm_year + 1900;
}

/* Zone after an ISO time: Z, UTC, +hh:mm, +hhmm, +hh. 1 and *off
 * (seconds east), 0 none, -1 malformed. */
static int
zone_at(const char **pp, int64_t *off)
{
	const char *p = skip_blanks(*pp);
	int64_t h, m = 0;
	int sign;

	if (*p == 'Z' || *p == 'z') {
		*off = 0;
		*pp = p + 1;
		return 1;
	}
	if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0) {
		*off = 0;
		*pp = p + 3;
		return 1;
	}
	if (*p != '+' && *p != '-')
		return 0;
	sign = *p++ == '-' ? -1 : 1;
	if ((h = digits(&p, 2, 2)) < 0)
		return -1;
	if (*p == ':')
		p++;
	if (IS_DIGIT(*p) && (m = digits(&p, 2, 2)) < 0)
		return -1;
	if (h > 14 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*pp = p;
	return 1;
}

enum { FORM_NO = 0, FORM_OK = 1, FORM_BAD = -1 };

/* ISO 8601: YYYY-MM-DD[(T|blanks)hh:mm[:ss[.f]][zone]]. */
static int
form_iso(const char *p, time_t now, int64_t *epoch)
{
	int64_t y, mo, d, off = 0;
	int tod = 0, z = 0;

	(void)now;
	if ((y = digits(&p, 4, 4)) < 0 || *p != '-')
		return FORM_NO;
	p++;
	if ((mo = digits(&p, 2, 2)) < 0 || *p++ != '-' || (d = digits(&p, 2, 2)) < 0)
		return FORM_BAD;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > mdays(y, (int)mo))
		return FORM_BAD;
	if (*p == 'T' || *p == 't' || IS_BLANK(*p)) {
		p = *p == 'T' || *p == 't' ? p + 1 : skip_blanks(p);
		if ((tod = clock_at(&p)) < 0)
			return FORM_BAD;
		if ((z = zone_at(&p, &off)) < 0)
			return FORM_BAD;
	}
	if (*skip_blanks(p) != '\0')
		return FORM_BAD;
	*epoch = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + tod;
	*epoch = z ? *epoch - off : local_to_utc_raw(*epoch);
	return FORM_OK;
}

static int
month_of(const char *p)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(p, names + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

/* Syslog "Mmm d hh:mm[:ss]": the latest such local time not after now. */
static int
form_bsd(const char *p, time_t now, int64_t *epoch)
{
	int64_t d, days, sod, t;
	int mo, tod, y, i;

	if ((mo = month_of(p)) == 0 || !IS_BLANK(p[3]))
		return FORM_NO;
	p = skip_blanks(p + 3);
	if ((d = digits(&p, 1, 2)) < 0 || !IS_BLANK(*p))
		return FORM_BAD;
	p = skip_blanks(p);
	if ((tod = clock_at(&p)) < 0 || *skip_blanks(p) != '\0')
		return FORM_BAD;
	if (d < 1 || d > (mo == 2 ? 29 : mdays(2001, mo)))
		return FORM_BAD;
	local_now(now, &days, &sod, &y);
	for (i = 0; i < 9; i++, y--) {	/* Feb 29: back to a leap year */
		if (d > mdays(y, mo))
			continue;
		t = local_to_utc_raw(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + tod);
		if (t <= (int64_t)now) {
			*epoch = t;
			return FORM_OK;
		}
	}
	return FORM_BAD;
}

/* "hh:mm[:ss]": today, or yesterday if that is in the future. */
static int
form_clock(const char *p, time_t now, int64_t *epoch)
{
	int64_t days, sod;
	int tod, y;

	if (!IS_DIGIT(*p) || (p[1] != ':' && p[2] != ':'))
		return FORM_NO;
	if ((tod = clock_at(&p)) < 0 || *skip_blanks(p) != '\0')
		return FORM_BAD;
	local_now(now, &days, &sod, &y);
	*epoch = local_to_utc_raw(days * 86400 + tod);
	if (*epoch > (int64_t)now)
		*epoch = local_to_utc_raw((days - 1) * 86400 + tod);
	return FORM_OK;
}

/* now, today, yesterday; @EPOCH. */
static int
form_word(const char *p, time_t now, int64_t *epoch)
{
	static const struct {
		const char *word;
		int days_back;		/* -1: now itself */
	} words[] = { { "now", -1 }, { "today", 0 }, { "yesterday", 1 } };
	int64_t days, sod;
	const char *q;
	size_t i, n;
	int y;

	if (*p == '@') {
		q = p + 1;
		if (*q == '-')
			q++;
		if ((days = digits(&q, 1, 12)) < 0 || *skip_blanks(q) != '\0')
			return FORM_BAD;
		*epoch = p[1] == '-' ? -days : days;
		return FORM_OK;
	}
	for (n = 0; p[n] >= 'a' && p[n] <= 'z'; n++)
		;
	if (*skip_blanks(p + n) != '\0')
		return FORM_NO;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i].word) != n || memcmp(words[i].word, p, n) != 0)
			continue;
		if (words[i].days_back < 0) {
			*epoch = (int64_t)now;
			return FORM_OK;
		}
		local_now(now, &days, &sod, &y);
		*epoch = local_to_utc_raw((days - words[i].days_back) * 86400);
		return FORM_OK;
	}
	return FORM_NO;
}

/* "-DURATION" or "DURATION ago": a duration before now. Errors in the
 * duration are reported by duration_span (-2: err already written). */
static int
form_relative(const char *p, time_t now, int64_t *epoch, const char *s,
	      struct strbuf *err)
{
	const char *end = p + strlen(p);
	int64_t secs;

	while (end > p && IS_BLANK(end[-1]))
		end--;
	if (*p == '-')
		p++;
	else if (end - p > 4 && memcmp(end - 3, "ago", 3) == 0 && IS_BLANK(end[-4]))
		end -= 4;
	else
		return FORM_NO;
	if (!IS_DIGIT(*skip_blanks(p)))
		return FORM_NO;
	if (duration_span(p, end, s, &secs, err) < 0)
		return -2;
	*epoch = (int64_t)now - secs;
	return FORM_OK;
}

#define TIME_FORMS "a time such as 2026-11-23T20:12:22+01:00, " \
	"'2026-11-23 20:12', 2026-11-23, 'Nov 23 20:12:22', 20:12, -2h, " \
	"'2h ago', now, today or yesterday"

int
timewin_parse_time(const char *s, time_t now, int64_t *epoch, struct strbuf *err)
{
	static int (*const forms[])(const char *, time_t, int64_t *) = {
		form_word, form_iso, form_bsd, form_clock,
	};
	const char *p = skip_blanks(s);
	size_t i, mark = err->len;
	int64_t secs;
	int r;

	if ((r = form_relative(p, now, epoch, s, err)) == FORM_OK)
		return 0;
	if (r == -2)
		return -1;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if ((r = forms[i](p, now, epoch)) == FORM_OK)
			return 0;
		if (r == FORM_BAD) {
			sb_adds(err, "not a valid date or time: ");
			err_quote(err, s);
			sb_adds(err, " (expected " TIME_FORMS ")");
			return -1;
		}
	}
	if (IS_DIGIT(*p) && duration_span(p, p + strlen(p), s, &secs, err) == 0) {
		sb_adds(err, "a duration is not a time: write -");
		sb_adds(err, p);
		sb_adds(err, " or '");
		sb_adds(err, p);
		sb_adds(err, " ago' for a time before now");
		return -1;
	}
	err->len = mark;	/* drop the message of the duration try */
	err->s[mark] = '\0';
	sb_adds(err, "expected " TIME_FORMS ", got ");
	err_quote(err, s);
	return -1;
}

/* --- files: bisection ---------------------------------------------------- */

static unsigned long tw_nreads;

unsigned long
timewin_nreads(void)
{
	return tw_nreads;
}

/* Three aligned blocks of the file, cached, least recently used
 * replaced: a line that crosses a block boundary needs two, stepping
 * backwards looks at the byte before a block as well. */
#define RD_SLOTS 3

struct rd {
	int fd;
	off_t size;
	off_t boff[RD_SLOTS];	/* offset of blk[i] */
	size_t blen[RD_SLOTS];	/* valid bytes in blk[i]; 0: nothing cached */
	unsigned long used[RD_SLOTS];	/* when blk[i] was last used */
	unsigned long clock;
	struct hdr_year year;	/* reference only (month 0) */
	char blk[RD_SLOTS][TIMEWIN_BLOCK];
};

static void
rd_init(struct rd *r, int fd, off_t size, const struct hdr_year *year)
{
	int i;

	r->fd = fd;
	r->size = size;
	for (i = 0; i < RD_SLOTS; i++) {
		r->boff[i] = 0;
		r->blen[i] = 0;
		r->used[i] = 0;
	}
	r->clock = 0;
	if (year != NULL) {
		r->year = *year;
	} else {
		hdr_year_init(&r->year, time(NULL));
	}
	r->year.year = r->year.ref_year;
	r->year.month = 0;
}

/* Bytes from off to the end of its block: pointer and count (> 0), or
 * NULL at end of file (*n 0) or on a read error (*n 1, errno set). */
static const char *
rd_at(struct rd *r, off_t off, size_t *n)
{
	off_t b = off - off % TIMEWIN_BLOCK;
	ssize_t got;
	int i, old = 0;

	*n = 0;
	if (off >= r->size)
		return NULL;
	for (i = 0; i < RD_SLOTS && !(r->blen[i] > 0 && r->boff[i] == b); i++)
		if (r->used[i] < r->used[old])
			old = i;
	if (i == RD_SLOTS) {
		i = old;
		r->blen[i] = 0;
		tw_nreads++;
		do
			got = pread(r->fd, r->blk[i], TIMEWIN_BLOCK, b);
		while (got < 0 && errno == EINTR);
		if (got < 0) {
			*n = 1;
			return NULL;
		}
		r->boff[i] = b;
		r->blen[i] = (size_t)got;
		if (b + got > r->size)	/* the file grew: keep to size */
			r->blen[i] = (size_t)(r->size - b);
	}
	r->used[i] = ++r->clock;
	if (off - b >= (off_t)r->blen[i])	/* the file shrank */
		return NULL;
	*n = r->blen[i] - (size_t)(off - b);
	return r->blk[i] + (off - b);
}

/* Offset after the next '\n' at or after off, looking at bytes before
 * lim only (lim or size if none); -1 error. */
static off_t
rd_eol(struct rd *r, off_t off, off_t lim)
{
	const char *p, *nl;
	size_t n;

	while (off < lim && (p = rd_at(r, off, &n)) != NULL) {
		if (n > (size_t)(lim - off))
			n = (size_t)(lim - off);
		if ((nl = memchr(p, '\n', n)) != NULL)
			return off + (nl - p) + 1;
		off += (off_t)n;
	}
	if (off >= lim)
		return lim;
	return n ? -1 : r->size;
}

/* The first line start at or after off, if it is before lim (else lim
 * or more); -1 error. Bounded, so that stepping back through a huge
 * line does not read it again and again. */
static off_t
rd_line_start(struct rd *r, off_t off, off_t lim)
{
	const char *p;
	size_t n;

	if (off <= 0)
		return 0;
	if ((p = rd_at(r, off - 1, &n)) == NULL)
		return n ? -1 : r->size;
	return *p == '\n' ? off : rd_eol(r, off, lim);
}

/* Time of the line at off (a line start): 1 dated, 0 not, -1 error;
 * *next is the start of the following line, or lim or more if that is
 * not before lim (a long line is not read to its end for nothing). */
static int
rd_line(struct rd *r, off_t off, off_t lim, int64_t *t, off_t *next)
{
	char head[TIMEWIN_HEAD];
	const char *p, *nl;
	size_t n, len = 0, take;
	int dated;

	for (;;) {
		if ((p = rd_at(r, off + (off_t)len, &n)) == NULL) {
			if (n)
				return -1;
			*next = r->size;
			break;
		}
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (take > sizeof(head) - len)
			take = sizeof(head) - len;
		memcpy(head + len, p, take);
		len += take;
		if (nl != NULL && len < sizeof(head)) {
			*next = off + (off_t)len + 1;
			break;
		}
		if (len == sizeof(head)) {
			if ((*next = rd_eol(r, off + (off_t)len, lim)) < 0)
				return -1;
			break;
		}
	}
	dated = timewin_line_time(head, len, &r->year, t);
	return dated;
}

int
timewin_line_time(const char *p, size_t len, const struct hdr_year *year, int64_t *epoch)
{
	struct syslog_hdr h;
	struct hdr_year y;

	if (year != NULL) {
		y = *year;
	} else {
		hdr_year_init(&y, time(NULL));
	}
	y.year = y.ref_year;
	y.month = 0;		/* each line on its own: the reference rule */
	if (len > TIMEWIN_HEAD)
		len = TIMEWIN_HEAD;
	if (!syslog_hdr_parse_year(p, len, &h, &y) || !h.time.valid)
		return 0;
	*epoch = logtime_epoch(&h.time);
	return 1;
}

/* The first dated line starting in [from, lim): 1 with *pos and *t,
 * 0 none, -1 error. */
static int
rd_probe(struct rd *r, off_t from, off_t lim, off_t *pos, int64_t *t)
{
	off_t off, next;
	int d;

	if ((off = rd_line_start(r, from, lim)) < 0)
		return -1;
	for (; off < lim && off < r->size; off = next) {
		if ((d = rd_line(r, off, lim, t, &next)) != 0) {
			*pos = off;
			return d;
		}
	}
	return 0;
}

int
timewin_seek(int fd, off_t size, int64_t target, const struct hdr_year *year, off_t *off)
{
	struct rd r;
	off_t lo = 0, hi = size, m, pos;
	int64_t t;
	int d;

	*off = 0;
	if (size <= 0 || target == TIMEWIN_NONE_SINCE)
		return 0;
	rd_init(&r, fd, size, year);
	/* Invariants: the last dated line starting before lo is < target
	 * (none if lo is 0); the first starting at or after hi is >= target
	 * (or there is none). */
	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if ((d = rd_probe(&r, m, hi, &pos, &t)) < 0)
			return -1;
		if (d == 0 || t >= target)
			hi = m;
		else
			lo = pos + 1 < hi ? pos + 1 : hi;
	}
	if ((d = rd_probe(&r, lo, size, &pos, &t)) < 0)
		return -1;
	if (d)
		*off = pos;
	else
		*off = lo == 0 ? 0 : size;	/* nothing dated at all: whole file */
	return 0;
}

int
timewin_first_time(int fd, off_t size, const struct hdr_year *year, int64_t *epoch, off_t *at)
{
	struct rd r;
	off_t pos;
	int d;

	rd_init(&r, fd, size, year);
	if ((d = rd_probe(&r, 0, size, &pos, epoch)) > 0 && at != NULL)
		*at = pos;
	return d;
}

int
timewin_last_time(int fd, off_t size, const struct hdr_year *year, int64_t *epoch, off_t *at)
{
	struct rd r;
	off_t lim = size, from, off, next, found = -1;
	int64_t t;
	int d;

	rd_init(&r, fd, size, year);
	/* Windows of one block from the end: the last dated line starting in
	 * [from, lim); a line that starts before from is the next window's. */
	while (lim > 0) {
		from = (lim - 1) - (lim - 1) % TIMEWIN_BLOCK;	/* aligned: one pread */
		if ((off = rd_line_start(&r, from, lim)) < 0)
			return -1;
		for (; off < lim; off = next) {
			if ((d = rd_line(&r, off, lim, &t, &next)) < 0)
				return -1;
			if (d) {
				*epoch = t;
				found = off;
			}
		}
		if (found >= 0) {
			if (at != NULL)
				*at = found;
			return 1;
		}
		lim = from;
	}
	return 0;
}
