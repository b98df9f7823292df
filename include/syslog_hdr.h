/*
 * syslog_hdr.h - the syslog header in front of every Postfix record:
 * BSD/RFC 3164 ("Nov  3 12:07:52 host", day space- or zero-padded, as
 * written by rsyslog, journalctl -o short and Postfix postlogd),
 * journalctl -o short-precise (".123456" fraction), RFC 3339 with fraction
 * and zone (rsyslog high precision, journalctl -o short-iso[-precise]) and
 * journalctl -o short-full ("Mon 2026-11-23 12:07:52 CET host").
 * Formats are tried through a table, the last successful one first.
 */
#ifndef FMRD_SYSLOG_HDR_H
#define FMRD_SYSLOG_HDR_H

#include <stdint.h>
#include "util.h"

enum hdr_format {
	HDR_UNKNOWN = 0,
	HDR_BSD,		/* Mmm dd hh:mm:ss (rsyslog, journalctl short, postlogd) */
	HDR_BSD_PRECISE,	/* Mmm dd hh:mm:ss.ffffff (journalctl short-precise) */
	HDR_RFC3339,		/* YYYY-MM-DDThh:mm:ss[.f](Z|+hh:mm|+hhmm) */
	HDR_FULL,		/* Www YYYY-MM-DD hh:mm:ss TZ (journalctl short-full) */
	HDR_NFORMATS
};

struct logtime {
	int64_t sec;		/* epoch seconds (UTC if has_zone, else local wall clock as UTC) */
	int32_t usec;		/* microseconds, -1 if the header has no fraction */
	int16_t tzoff;		/* minutes east of UTC when has_zone */
	uint8_t has_zone;
	uint8_t valid;
};

struct syslog_hdr {
	enum hdr_format fmt;
	struct logtime time;
	struct span host;
	struct span rest;	/* text after "host " */
};

/* Year and month used for headers that carry no year (BSD formats):
 * a month later than ref_month + 1 belongs to the previous year. */
void syslog_hdr_set_reference(int year, int month);

/* Parse the header of line p[0..len); returns 1 and fills h, or 0. */
int syslog_hdr_parse(const char *p, size_t len, struct syslog_hdr *h);

const char *syslog_hdr_format_name(enum hdr_format fmt);

/* Format t as ISO 8601 into buf (at least 40 bytes); "" if invalid. */
void logtime_format(const struct logtime *t, char *buf, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
