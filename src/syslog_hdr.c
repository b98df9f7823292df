/*
 * syslog_hdr.c - recognise the syslog header of a log line and convert
 * its timestamp. Hand-written scanners (no regex) because every line of a
 * multi-gigabyte log passes through here.
 */
#include <stdio.h>
#include <string.h>

#include "syslog_hdr.h"

static int hdr_ref_year = 1970;
static int hdr_ref_month = 12;

void
syslog_hdr_set_reference(int year, int month)
{
	hdr_ref_year = year;
	hdr_ref_month = month;
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
digits(const char *p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	return v;
}

static int
month_index(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(names + 3 * i, p, 3) == 0)
			return i + 1;
	return 0;
}

/* "hh:mm:ss" at p; returns seconds of day or -1. */
static int
hms(const char *p)
{
	int h = digits(p, 2), m = digits(p + 3, 2), s = digits(p + 6, 2);

	if (h < 0 || m < 0 || s < 0 || p[2] != ':' || p[5] != ':'
	    || h > 23 || m > 59 || s > 60)
		return -1;
	return h * 3600 + m * 60 + s;
}

/* Optional ".ffffff": returns bytes consumed, stores usec or -1. */
static size_t
fraction(const char *p, const char *end, int32_t *usec)
{
	const char *q = p;
	int32_t v = 0;
	int n = 0;

	*usec = -1;
	if (q >= end || *q != '.')
		return 0;
	for (q++; q < end && *q >= '0' && *q <= '9'; q++, n++)
		if (n < 6)
			v = v * 10 + (*q - '0');
	if (n == 0)
		return 0;
	for (; n < 6; n++)
		v *= 10;
	*usec = v;
	return (size_t)(q - p);
}

/* "host " after the timestamp; fills host/rest. */
static int
host_and_rest(const char *p, const char *end, struct syslog_hdr *h)
{
	const char *sp;

	if (p >= end)
		return 0;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL || sp == p)
		return 0;
	h->host.p = p;
	h->host.len = (size_t)(sp - p);
	h->rest.p = sp + 1;
	h->rest.len = (size_t)(end - sp - 1);
	return 1;
}

static int
hdr_bsd(const char *p, size_t len, struct syslog_hdr *h)
{
	const char *end = p + len, *q;
	int mon, day, tod, year;

	if (len < 16 || p[3] != ' ' || (mon = month_index(p)) == 0)
		return 0;
	if (p[4] == ' ')
		day = digits(p + 5, 1);
	else
		day = digits(p + 4, 2);
	if (day < 1 || day > 31 || p[6] != ' ' || (tod = hms(p + 7)) < 0)
		return 0;
	q = p + 15;
	q += fraction(q, end, &h->time.usec);
	if (q >= end || *q != ' ')
		return 0;
	year = hdr_ref_year - (mon > hdr_ref_month + 1);
	h->fmt = h->time.usec >= 0 ? HDR_BSD_PRECISE : HDR_BSD;
	h->time.sec = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + tod;
	h->time.has_zone = 0;
	h->time.tzoff = 0;
	h->time.valid = 1;
	return host_and_rest(q + 1, end, h);
}

/* "YYYY-MM-DD" at p; returns days or INT64_MIN. */
static int64_t
ymd(const char *p)
{
	int y = digits(p, 4), m = digits(p + 5, 2), d = digits(p + 8, 2);

	if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || p[4] != '-' || p[7] != '-')
		return INT64_MIN;
	return days_from_civil(y, (unsigned)m, (unsigned)d);
}

static int
hdr_rfc3339(const char *p, size_t len, struct syslog_hdr *h)
{
	const char *end = p + len, *q;
	int64_t days;
	int tod, zh, zm, sign;

	if (len < 21 || p[10] != 'T' || (days = ymd(p)) == INT64_MIN
	    || (tod = hms(p + 11)) < 0)
		return 0;
	q = p + 19;
	q += fraction(q, end, &h->time.usec);
	if (q < end && *q == 'Z') {
		h->time.tzoff = 0;
		q++;
	} else if (q < end && (*q == '+' || *q == '-')) {
		sign = *q == '-' ? -1 : 1;
		if (end - q >= 6 && q[3] == ':') {
			zh = digits(q + 1, 2);
			zm = digits(q + 4, 2);
			q += 6;
		} else if (end - q >= 5) {
			zh = digits(q + 1, 2);
			zm = digits(q + 3, 2);
			q += 5;
		} else {
			return 0;
		}
		if (zh < 0 || zm < 0 || zh > 14 || zm > 59)
			return 0;
		h->time.tzoff = (int16_t)(sign * (zh * 60 + zm));
	} else {
		return 0;
	}
	if (q >= end || *q != ' ')
		return 0;
	h->fmt = HDR_RFC3339;
	h->time.sec = days * 86400 + tod - h->time.tzoff * 60;
	h->time.has_zone = 1;
	h->time.valid = 1;
	return host_and_rest(q + 1, end, h);
}

static int
hdr_full(const char *p, size_t len, struct syslog_hdr *h)
{
	const char *end = p + len, *q, *sp;
	int64_t days;
	int tod;

	/* "Mon 2026-11-23 12:07:52 CET host " */
	if (len < 30 || p[3] != ' ' || p[14] != ' ' || p[23] != ' '
	    || (days = ymd(p + 4)) == INT64_MIN || (tod = hms(p + 15)) < 0)
		return 0;
	q = p + 24;
	sp = memchr(q, ' ', (size_t)(end - q));
	if (sp == NULL || sp - q > 6)
		return 0;
	h->fmt = HDR_FULL;
	h->time.sec = days * 86400 + tod;
	h->time.usec = -1;
	h->time.has_zone = 0;
	h->time.tzoff = 0;
	h->time.valid = 1;
	return host_and_rest(sp + 1, end, h);
}

typedef int (*hdr_parser)(const char *, size_t, struct syslog_hdr *);

static const struct hdr_entry {
	const char *name;
	hdr_parser parse;
} hdr_table[] = {
	{ "bsd", hdr_bsd },
	{ "rfc3339", hdr_rfc3339 },
	{ "short-full", hdr_full },
};
#define HDR_TABLE_N (sizeof(hdr_table) / sizeof(hdr_table[0]))

int
syslog_hdr_parse(const char *p, size_t len, struct syslog_hdr *h)
{
	static size_t last;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (hdr_table[last].parse(p, len, h))
		return 1;
	for (i = 0; i < HDR_TABLE_N; i++) {
		if (i == last)
			continue;
		memset(h, 0, sizeof(*h));
		if (hdr_table[i].parse(p, len, h)) {
			last = i;
			return 1;
		}
	}
	memset(h, 0, sizeof(*h));
	return 0;
}

const char *
syslog_hdr_format_name(enum hdr_format fmt)
{
	static const char *names[HDR_NFORMATS] = {
		"unknown", "bsd", "bsd-precise", "rfc3339", "short-full"
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
