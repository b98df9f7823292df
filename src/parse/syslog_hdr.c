/*
 * syslog_hdr.c - recognise the syslog header of a log line by its
 * structure and convert its timestamp: optional <PRI>, optional RFC 5424
 * version, a BSD, ISO 8601 or journalctl short-full timestamp, then any
 * combination of host, facility.level and level word before the tag.
 * Hand-written, bounded scanners (no regex) because every line of a
 * multi-gigabyte log passes through here; nothing reads past len.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "syslog_hdr.h"

#define IS_BLANK(c) ((c) == ' ' || (c) == '\t')
#define IS_DIGIT(c) ((unsigned)((c) - '0') < 10u)
#define TAG_IDENT_MAX 255	/* longest ident before '[' or ':' */
#define TAG_PID_DIGITS 10
#define HDR_MAX_FIELDS 4	/* host, facility.level, level word, one spare */

/* syslog_hdr_parse's reference; never dated, so every line is judged
 * against the reference alone. */
static struct hdr_year hdr_default = { .year = 1970, .month = 0, .ref_year = 1970, .ref_month = 12 };

void
syslog_hdr_set_reference(int year, int month)
{
	hdr_default.ref_year = year;
	hdr_default.ref_month = month;
}

void
hdr_year_init(struct hdr_year *y, time_t ref)
{
	struct tm tm;

	localtime_r(&ref, &tm);
	y->ref_year = tm.tm_year + 1900;
	y->ref_month = tm.tm_mon + 1;
	y->year = y->ref_year;
	y->month = 0;
}

/* The year of a line in month mon. The first dated line: a month after
 * the reference month + 1 is last year. Later lines: a month more than
 * 6 before the latest line's is the next year (Dec -> Jan), one more
 * than 6 after it a straggler from the year before. */
static int
hdr_year_guess(const struct hdr_year *y, int mon)
{
	if (y->month == 0)
		return y->ref_year - (mon > y->ref_month + 1);
	if (mon < y->month - 6)
		return y->year + 1;
	if (mon > y->month + 6)
		return y->year - 1;
	return y->year;
}

/* Only forward: a straggler from before the latest line moves nothing. */
static void
hdr_year_commit(struct hdr_year *y, int year, int mon)
{
	if (y->month == 0 || year > y->year || (year == y->year && mon > y->month)) {
		y->year = year;
		y->month = mon;
	}
}

int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && IS_BLANK(*p))
		p++;
	return p;
}

/* Exactly n digits at p (bounded by end); the value or -1. */
static int
digits_n(const char *p, const char *end, int n)
{
	int v = 0;

	if (end - p < n)
		return -1;
	while (n-- > 0) {
		if (!IS_DIGIT(*p))
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	return v;
}

/* "Jan".."Dec" at p (3 bytes readable): 1..12, else 0. */
static int
month_at(const char *p)
{
	switch (p[0]) {
	case 'J':
		if (p[1] == 'a')
			return p[2] == 'n' ? 1 : 0;
		if (p[1] == 'u')
			return p[2] == 'n' ? 6 : p[2] == 'l' ? 7 : 0;
		return 0;
	case 'F':
		return p[1] == 'e' && p[2] == 'b' ? 2 : 0;
	case 'M':
		if (p[1] != 'a')
			return 0;
		return p[2] == 'r' ? 3 : p[2] == 'y' ? 5 : 0;
	case 'A':
		if (p[1] == 'p')
			return p[2] == 'r' ? 4 : 0;
		return p[1] == 'u' && p[2] == 'g' ? 8 : 0;
	case 'S':
		return p[1] == 'e' && p[2] == 'p' ? 9 : 0;
	case 'O':
		return p[1] == 'c' && p[2] == 't' ? 10 : 0;
	case 'N':
		return p[1] == 'o' && p[2] == 'v' ? 11 : 0;
	case 'D':
		return p[1] == 'e' && p[2] == 'c' ? 12 : 0;
	default:
		return 0;
	}
}

static int
weekday_at(const char *p)
{
	static const char names[] = "MonTueWedThuFriSatSun";
	int i;

	for (i = 0; i < 7; i++)
		if (memcmp(names + 3 * i, p, 3) == 0)
			return 1;
	return 0;
}

/* "hh:mm:ss" at p; seconds of day or -1. */
static int
hms_at(const char *p, const char *end)
{
	int h, m, s;

	if (end - p < 8 || p[2] != ':' || p[5] != ':')
		return -1;
	h = digits_n(p, end, 2);
	m = digits_n(p + 3, end, 2);
	s = digits_n(p + 6, end, 2);
	if (h < 0 || m < 0 || s < 0 || h > 23 || m > 59 || s > 60)
		return -1;
	return h * 3600 + m * 60 + s;
}

/* Optional ".ffffff" (any number of digits, microseconds kept): bytes
 * consumed; stores usec or -1. */
static size_t
fraction(const char *p, const char *end, int32_t *usec)
{
	const char *q = p;
	int32_t v = 0;
	int n = 0;

	*usec = -1;
	if (q >= end || *q != '.')
		return 0;
	for (q++; q < end && IS_DIGIT(*q); q++, n++)
		if (n < 6)
			v = v * 10 + (*q - '0');
	if (n == 0)
		return 0;
	for (; n < 6; n++)
		v *= 10;
	*usec = v;
	return (size_t)(q - p);
}

/* "YYYY-MM-DD" at p, a real calendar date; days since the epoch or INT64_MIN. */
static int64_t
ymd_at(const char *p, const char *end)
{
	int y, m, d;

	if (end - p < 10 || p[4] != '-' || p[7] != '-')
		return INT64_MIN;
	y = digits_n(p, end, 4);
	m = digits_n(p + 5, end, 2);
	d = digits_n(p + 8, end, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return INT64_MIN;
	return days_from_civil(y, (unsigned)m, (unsigned)d);
}

/* Optional zone after an ISO time: "Z", "+hh:mm", "+hhmm". Bytes
 * consumed (0: no zone), or -1 when a zone is there but malformed. */
static int
zone_at(const char *p, const char *end, int *off, int *has)
{
	int zh, zm, n;

	*has = 0;
	*off = 0;
	if (p >= end)
		return 0;
	if (*p == 'Z') {
		*has = 1;
		return 1;
	}
	if (*p != '+' && *p != '-')
		return 0;
	if (end - p >= 6 && p[3] == ':') {
		zh = digits_n(p + 1, end, 2);
		zm = digits_n(p + 4, end, 2);
		n = 6;
	} else {
		zh = digits_n(p + 1, end, 2);
		zm = digits_n(p + 3, end, 2);
		n = 5;
	}
	if (zh < 0 || zm < 0 || zh > 14 || zm > 59)
		return -1;
	*off = (*p == '-' ? -1 : 1) * (zh * 60 + zm);
	*has = 1;
	return n;
}

/* BSD timestamp "Mmm d hh:mm:ss[.f]" at q; year < 0: infer it from the
 * reference. Returns the end of the timestamp or NULL. */
static const char *
ts_bsd(const char *q, const char *end, int year, const struct hdr_year *yr,
       struct syslog_hdr *h)
{
	int mon, day, tod;

	if (end - q < 4 || (mon = month_at(q)) == 0 || !IS_BLANK(q[3]))
		return NULL;
	q = skip_blanks(q + 3, end);
	if (q >= end || !IS_DIGIT(*q))
		return NULL;
	day = *q++ - '0';
	if (q < end && IS_DIGIT(*q))
		day = day * 10 + (*q++ - '0');
	if (q >= end || !IS_BLANK(*q))
		return NULL;
	q = skip_blanks(q, end);
	if ((tod = hms_at(q, end)) < 0)
		return NULL;
	q += 8;
	q += fraction(q, end, &h->time.usec);
	if (year < 0) {
		year = hdr_year_guess(yr, mon);
		/* the year is a guess: Feb 29 may belong to another year */
		if (day < 1 || day > (mon == 2 ? 29 : days_in_month(2001, mon)))
			return NULL;
		h->fmt = h->time.usec >= 0 ? HDR_BSD_PRECISE : HDR_BSD;
	} else {
		if (day < 1 || day > days_in_month(year, mon))
			return NULL;
		h->fmt = HDR_BSD_YEAR;
	}
	h->time.sec = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + tod;
	h->time.valid = 1;
	return q;
}

/* ISO 8601 "YYYY-MM-DD(T|blanks)hh:mm:ss[.f][zone]" at q; with_zone 0
 * reads no zone (short-full names its zone in a word of its own). */
static const char *
ts_iso(const char *q, const char *end, int with_zone, struct syslog_hdr *h)
{
	int64_t days;
	int tod, off = 0, has = 0, n;

	if ((days = ymd_at(q, end)) == INT64_MIN)
		return NULL;
	q += 10;
	if (q < end && *q == 'T' && with_zone)
		q++;
	else if (q < end && IS_BLANK(*q))
		q = skip_blanks(q, end);
	else
		return NULL;
	if ((tod = hms_at(q, end)) < 0)
		return NULL;
	q += 8;
	q += fraction(q, end, &h->time.usec);
	if (with_zone) {
		if ((n = zone_at(q, end, &off, &has)) < 0)
			return NULL;
		q += n;
	}
	h->fmt = has ? HDR_RFC3339 : HDR_ISO_LOCAL;
	h->time.sec = days * 86400 + tod - off * 60;
	h->time.tzoff = (int16_t)off;
	h->time.has_zone = (uint8_t)has;
	h->time.valid = 1;
	return q;
}

/* journalctl short-full: "Www YYYY-MM-DD hh:mm:ss ZONE" (zone 1-6 bytes,
 * not interpreted). */
static const char *
ts_full(const char *q, const char *end, struct syslog_hdr *h)
{
	const char *z;

	q = skip_blanks(q + 3, end);
	if ((q = ts_iso(q, end, 0, h)) == NULL || q >= end || !IS_BLANK(*q))
		return NULL;
	z = q = skip_blanks(q, end);
	while (q < end && !IS_BLANK(*q) && q - z <= 6)
		q++;
	if (q == z || q - z > 6)
		return NULL;
	h->fmt = HDR_FULL;
	return q;
}

/* Words some collectors put before the tag. */
static int
level_word(const char *p, size_t n)
{
	static const char *const words[] = {
		"EMERG", "ALERT", "CRIT", "ERR", "ERROR", "WARN", "WARNING",
		"NOTICE", "INFO", "DEBUG", "CRITICAL", "FATAL", "PANIC",
	};
	size_t i;

	if (n < 3 || n > 8 || p[0] < 'A' || p[0] > 'Z')
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], p, n) == 0)
			return 1;
	return 0;
}

static int
word_in(const char *p, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(*list, p, n) == 0)
			return 1;
	return 0;
}

/* busybox syslogd's "facility.level" (mail.info, local0.warn). */
static int
facility_level(const char *p, size_t n)
{
	static const char *const fac[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
		"uucp", "cron", "authpriv", "ftp", "local0", "local1", "local2",
		"local3", "local4", "local5", "local6", "local7", NULL
	};
	static const char *const lvl[] = {
		"emerg", "alert", "crit", "err", "error", "warn", "warning",
		"notice", "info", "debug", "panic", NULL
	};
	const char *dot;

	if (n < 5 || n > 16 || p[0] < 'a' || p[0] > 'z'
	    || (dot = memchr(p, '.', n)) == NULL)
		return 0;
	return word_in(p, (size_t)(dot - p), fac)
	    && word_in(dot + 1, n - (size_t)(dot + 1 - p), lvl);
}

/* A tag at p: "ident[pid]:" (then one optional space) or "ident:" followed
 * by a blank or the end. On success fills t and returns 1; otherwise
 * returns 0 and stores the end of the word at p in *word_end. */
static const unsigned char tag_stop[256] = {
	[' '] = 1, ['\t'] = 1, ['['] = 2, [':'] = 2,
};

/* A tag was found: ident p..ident_end, then the text after the colon
 * (and one space) at q. */
static int
tag_fill(struct syslog_tag *t, const char *p, const char *ident_end, long pid, const char *q,
	 const char *end)
{
	t->ident.p = p;
	t->ident.len = (size_t)(ident_end - p);
	t->pid = pid;
	if (q < end && *q == ' ')
		q++;
	t->text.p = q;
	t->text.len = (size_t)(end - q);
	t->found = 1;
	t->split = 0;
	return 1;
}

static int
tag_at(const char *p, const char *end, struct syslog_tag *t, const char **word_end)
{
	const char *q = p, *lim = end - p > TAG_IDENT_MAX ? p + TAG_IDENT_MAX : end;
	const char *lb;
	long pid = 0;

	while (q < lim && tag_stop[(unsigned char)*q] == 0)
		q++;
	if (q < lim && q > p) {
		if (*q == '[') {
			lb = q;
			for (q++; q < end && IS_DIGIT(*q) && q - lb <= TAG_PID_DIGITS; q++)
				pid = pid * 10 + (*q - '0');
			if (q > lb + 1 && end - q >= 2 && q[0] == ']' && q[1] == ':')
				return tag_fill(t, p, lb, pid, q + 2, end);
		} else if (*q == ':' && (end - q == 1 || IS_BLANK(q[1]))) {
			return tag_fill(t, p, q, -1, q + 1, end);
		}
	}
	while (q < end && tag_stop[(unsigned char)*q] != 1)
		q++;
	*word_end = q;
	return 0;
}

int
syslog_tag_scan(const char *p, size_t len, struct syslog_tag *t)
{
	const char *e;

	return tag_at(p, p + len, t, &e);
}

/* After the timestamp: [host] [facility.level] [LEVEL] then the tag (or
 * other text). The header is accepted when something follows it. */
static int
hdr_fields(const char *q, const char *end, struct syslog_hdr *h)
{
	const char *tok, *e;
	int n, have_host = 0;

	if (q >= end || !IS_BLANK(*q))
		return 0;
	for (n = 0; n < HDR_MAX_FIELDS; n++) {
		tok = q = skip_blanks(q, end);
		if (q >= end)
			return 0;
		if (tag_at(tok, end, &h->tag, &e))
			break;
		if (level_word(tok, (size_t)(e - tok)) || facility_level(tok, (size_t)(e - tok))) {
			if (h->level.len == 0)
				h->level.p = tok;
			h->level.len = (size_t)(e - h->level.p);
		} else if (!have_host) {
			h->host.p = tok;
			h->host.len = (size_t)(e - tok);
			have_host = 1;
		} else {
			break;
		}
		q = e;
	}
	q = skip_blanks(q, end);
	if (q >= end)
		return 0;
	h->rest.p = q;
	h->rest.len = (size_t)(end - q);
	return 1;
}

/* One RFC 5424 header field after blanks; NULL at the end of the line. */
static const char *
field_5424(const char *q, const char *end, struct span *f)
{
	if (q >= end || !IS_BLANK(*q))
		return NULL;
	q = skip_blanks(q, end);
	f->p = q;
	while (q < end && !IS_BLANK(*q))
		q++;
	f->len = (size_t)(q - f->p);
	return f->len > 0 ? q : NULL;
}

static int
is_nil(struct span f)
{
	return f.len == 1 && f.p[0] == '-';
}

/* After "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]. */
static int
hdr_5424(const char *q, const char *end, struct syslog_hdr *h)
{
	struct span host, app, procid, msgid;
	long pid = 0;
	size_t i;
	int inq;

	if (q < end && *q == '-' && (end - q == 1 || IS_BLANK(q[1]))) {
		q++;		/* NILVALUE: no time */
	} else if ((q = ts_iso(q, end, 1, h)) == NULL) {
		return 0;
	}
	if ((q = field_5424(q, end, &host)) == NULL
	    || (q = field_5424(q, end, &app)) == NULL
	    || (q = field_5424(q, end, &procid)) == NULL
	    || (q = field_5424(q, end, &msgid)) == NULL)
		return 0;
	if (q >= end || !IS_BLANK(*q))
		return 0;
	q = skip_blanks(q, end);
	if (q < end && *q == '-') {
		q++;
	} else if (q < end && *q == '[') {
		/* SD-ELEMENTs: [id name="value" ...] with \" \\ \] escapes in values */
		while (q < end && *q == '[') {
			for (inq = 0, q++; q < end; q++) {
				if (inq && *q == '\\') {
					if (end - q > 1)
						q++;
				} else if (*q == '"') {
					inq = !inq;
				} else if (*q == ']' && !inq) {
					break;
				}
			}
			if (q >= end)
				return 0;
			q++;
		}
	} else {
		return 0;
	}
	if (q < end && !IS_BLANK(*q))
		return 0;
	q = skip_blanks(q, end);
	if (end - q >= 3 && memcmp(q, "\xef\xbb\xbf", 3) == 0)
		q += 3;		/* MSG may start with a BOM */
	h->fmt = HDR_RFC5424;
	if (!is_nil(host))
		h->host = host;
	h->rest.p = app.p;
	h->rest.len = (size_t)(end - app.p);
	h->tag.ident = is_nil(app) ? (struct span){ app.p, 0 } : app;
	h->tag.pid = -1;
	if (procid.len <= TAG_PID_DIGITS) {
		for (i = 0; i < procid.len && IS_DIGIT(procid.p[i]); i++)
			pid = pid * 10 + (procid.p[i] - '0');
		if (i == procid.len)
			h->tag.pid = pid;
	}
	h->tag.text.p = q;
	h->tag.text.len = (size_t)(end - q);
	h->tag.found = 1;
	h->tag.split = 1;
	return 1;
}

static void
hdr_clear(struct syslog_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->time.usec = -1;
	h->tag.pid = -1;
	h->pri = -1;
}

/* "docker compose logs" puts "SERVICE-1  | " before each line: the end
 * of such a prefix, or NULL. */
static const char *
compose_prefix_end(const char *p, const char *end)
{
	const char *q = p, *b;

	while (q < end && q - p < 64 && (IS_DIGIT(*q) || (*q >= 'a' && *q <= 'z')
					 || (*q >= 'A' && *q <= 'Z') || *q == '_' || *q == '-'
					 || *q == '.'))
		q++;
	if (q == p)
		return NULL;
	for (b = q; q < end && *q == ' '; q++)
		;
	if (q == b || end - q < 2 || q[0] != '|' || q[1] != ' ')
		return NULL;
	return q + 2;
}

static int hdr_parse(const char *p, size_t len, struct syslog_hdr *h,
		     const struct hdr_year *yr);

static int
hdr_parse_with(const char *p, size_t len, struct syslog_hdr *h, const struct hdr_year *yr)
{
	const char *q;

	if (hdr_parse(p, len, h, yr))
		return 1;
	if ((q = compose_prefix_end(p, p + len)) == NULL)
		return 0;
	return hdr_parse(q, len - (size_t)(q - p), h, yr);
}

int
syslog_hdr_parse(const char *p, size_t len, struct syslog_hdr *h)
{
	return hdr_parse_with(p, len, h, &hdr_default);
}

int
syslog_hdr_parse_year(const char *p, size_t len, struct syslog_hdr *h, struct hdr_year *y)
{
	int64_t days;
	unsigned m, d;
	int year;

	if (!hdr_parse_with(p, len, h, y))
		return 0;
	if (h->fmt == HDR_BSD || h->fmt == HDR_BSD_PRECISE) {
		days = h->time.sec >= 0 ? h->time.sec / 86400 : -((-h->time.sec + 86399) / 86400);
		/* most lines fall on the day of the line before */
		if (y->cache_day1 != days + 1) {
			civil_from_days(days, &year, &m, &d);
			y->cache_day1 = days + 1;
			y->cache_year = year;
			y->cache_month = (int)m;
		}
		hdr_year_commit(y, y->cache_year, y->cache_month);
	}
	return 1;
}

static int
hdr_parse(const char *p, size_t len, struct syslog_hdr *h, const struct hdr_year *yr)
{
	const char *q = p, *end = p + len, *v;
	int pri = -1, y;

	hdr_clear(h);
	if (q < end && *q == '<') {
		for (pri = 0, q++; q < end && IS_DIGIT(*q) && pri <= 191; q++)
			pri = pri * 10 + (*q - '0');
		if (q == p + 1 || q >= end || *q != '>' || pri > 191)
			goto fail;
		q++;
		/* RFC 5424 VERSION: 1-3 digits, no leading zero, then a blank */
		for (v = q; q < end && IS_DIGIT(*q) && q - v < 3; q++)
			;
		if (q > v && *v != '0' && q < end && IS_BLANK(*q)) {
			if (!hdr_5424(skip_blanks(q, end), end, h))
				goto fail;
			h->pri = (int16_t)pri;
			return 1;
		}
		q = v;
	}
	if (end - q < 8)
		goto fail;
	if (*q >= 'A' && *q <= 'Z' && IS_BLANK(q[3])) {
		if (month_at(q))
			q = ts_bsd(q, end, -1, yr, h);
		else if (weekday_at(q))
			q = ts_full(q, end, h);
		else
			goto fail;
	} else if (IS_DIGIT(*q) && (y = digits_n(q, end, 4)) >= 0) {
		if (q[4] == '-')
			q = ts_iso(q, end, 1, h);
		else if (IS_BLANK(q[4]))
			q = ts_bsd(skip_blanks(q + 4, end), end, y, yr, h);
		else
			goto fail;
	} else {
		goto fail;
	}
	if (q == NULL || !hdr_fields(q, end, h))
		goto fail;
	h->pri = (int16_t)pri;
	return 1;
fail:
	hdr_clear(h);
	return 0;
}

/* Bytes that continue a word: a tag found by searching must start one. */
static int
word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
	    || c == '.' || c == '_' || c == '-' || c == '/';
}

const char *
syslog_tag_find(const char *p, size_t len, struct span name, struct syslog_tag *t)
{
	const char *end = p + len, *lim = p + (len < SYSLOG_TAG_SEARCH ? len : SYSLOG_TAG_SEARCH);
	const char *q = p, *m, *e;
	struct syslog_tag tmp;

	if (name.len == 0)
		return NULL;
	while (q < lim && (m = memmem(q, (size_t)(lim - q), name.p, name.len)) != NULL) {
		memset(&tmp, 0, sizeof(tmp));
		if ((m == p || !word_byte((unsigned char)m[-1]))
		    && tag_at(m, end, &tmp, &e) && tmp.pid >= 0) {
			*t = tmp;
			return m;
		}
		q = m + 1;
	}
	return NULL;
}

const char *
syslog_hdr_format_name(enum hdr_format fmt)
{
	static const char *names[HDR_NFORMATS] = {
		"unknown", "bsd", "bsd-precise", "rfc3339", "short-full",
		"rfc5424", "iso-local", "bsd-year", "journal"
	};

	return fmt < HDR_NFORMATS ? names[fmt] : "unknown";
}

static char *
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void
logtime_format(const struct logtime *t, char *buf, size_t size)
{
	int64_t local, days, sod;
	unsigned m, d, off;
	int y;
	char tmp[48], *p = tmp;

	if (size > 0)
		buf[0] = '\0';
	if (!t->valid || size < 40)
		return;
	local = t->sec + (t->has_zone ? t->tzoff * 60 : 0);
	days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	sod = local - days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return;
	p = put2(p, (unsigned)y / 100);
	p = put2(p, (unsigned)y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)(sod / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(sod / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(sod % 60));
	if (t->usec >= 0) {
		*p++ = '.';
		p = put2(p, (unsigned)t->usec / 10000);
		p = put2(p, (unsigned)t->usec / 100 % 100);
		p = put2(p, (unsigned)t->usec % 100);
	}
	if (t->has_zone) {
		off = (unsigned)(t->tzoff < 0 ? -t->tzoff : t->tzoff);
		*p++ = t->tzoff < 0 ? '-' : '+';
		p = put2(p, off / 60);
		*p++ = ':';
		p = put2(p, off % 60);
	}
	*p = '\0';
	memcpy(buf, tmp, (size_t)(p - tmp) + 1);
}
