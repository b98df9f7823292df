/*
 * syslog_hdr.h - the syslog header in front of every Postfix record,
 * recognised by its structure rather than by a list of templates:
 *   [<PRI>][VERSION ] TIMESTAMP [HOST] [facility.level] [LEVEL] TAG text
 * TIMESTAMP is BSD ("Mar  7 02:09:33", day unpadded, space- or
 * zero-padded, optional fraction, optional leading year "2013 Jun 12 ..."),
 * ISO 8601 / RFC 3339 ('T' or blanks between date and time, fraction and
 * zone optional) or journalctl short-full ("Mon 2026-11-23 12:07:52 CET").
 * RFC 5424 lines ("<22>1 TS HOST APP PROCID MSGID SD MSG") carry the tag as
 * separate APP-NAME and PROCID fields. Fields may be separated by any run
 * of blanks. The tag ("ident[pid]:") is split here, so record.c does not
 * scan the line again.
 */
#ifndef FMRD_SYSLOG_HDR_H
#define FMRD_SYSLOG_HDR_H

#include <stdint.h>
#include <time.h>
#include "util.h"

enum hdr_format {
	HDR_UNKNOWN = 0,
	HDR_BSD,		/* Mmm d hh:mm:ss (rsyslog, journalctl short, postlogd, busybox) */
	HDR_BSD_PRECISE,	/* Mmm d hh:mm:ss.ffffff (journalctl short-precise) */
	HDR_RFC3339,		/* YYYY-MM-DD(T| )hh:mm:ss[.f](Z|+hh:mm|+hhmm) */
	HDR_FULL,		/* Www YYYY-MM-DD hh:mm:ss TZ (journalctl short-full) */
	HDR_RFC5424,		/* <PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD MSG */
	HDR_ISO_LOCAL,		/* YYYY-MM-DD(T| )hh:mm:ss[.f] without a zone */
	HDR_BSD_YEAR,		/* YYYY Mmm d hh:mm:ss[.f] (syslog-ng ts-format(full)) */
	HDR_JOURNAL,		/* no text header: fields of a journald entry (journal.c) */
	HDR_NFORMATS
};

struct logtime {
	int64_t sec;		/* epoch seconds (UTC if has_zone, else local wall clock as UTC) */
	int32_t usec;		/* microseconds, -1 if the header has no fraction */
	int16_t tzoff;		/* minutes east of UTC when has_zone */
	uint8_t has_zone;
	uint8_t valid;
};

/* The program tag: "ident[pid]: text", "ident: text", or the RFC 5424
 * APP-NAME and PROCID fields followed by MSG. */
struct syslog_tag {
	struct span ident;	/* postfix/submission/smtpd; RFC 5424 APP-NAME ("" for "-") */
	struct span text;	/* after "]: " / ": ", or the RFC 5424 MSG */
	long pid;		/* -1 when the tag has none (or PROCID is "-" or not a number) */
	uint8_t found;		/* ident, pid and text are set */
	uint8_t split;		/* from RFC 5424 fields: a collector may have cut ident at '/' */
};

struct syslog_hdr {
	enum hdr_format fmt;
	struct logtime time;
	struct span host;	/* empty when the collector wrote none */
	struct span level;	/* "mail.info" and/or "INFO" before the tag, else empty */
	struct span rest;	/* from the tag on (RFC 5424: from APP-NAME on) */
	struct syslog_tag tag;
	int16_t pri;		/* <PRI> value, -1 if absent */
};

/* Bytes from the start of a line within which a Postfix tag is looked
 * for when the header cannot be read (syslog_tag_find). */
#define SYSLOG_TAG_SEARCH 200

/* Year and month used for headers that carry no year (BSD formats):
 * a month later than ref_month + 1 belongs to the previous year. */
void syslog_hdr_set_reference(int year, int month);

/* The year of year-less timestamps as state of one source: starts from a
 * reference (the file's mtime, or now) and only moves forward, so a log
 * that crosses New Year while it is read stays ordered. */
struct hdr_year {
	int year;		/* year of the latest dated line */
	int month;		/* its month (1-12); 0: no line dated yet */
	int ref_year, ref_month;	/* reference for the first dated line */
	int64_t cache_day1;	/* day number + 1 of the latest date split, 0: none */
	int cache_year, cache_month;	/* its year and month */
};

/* Start y from reference time ref (the file's mtime, or now): its year
 * and month are the reference for the first dated line. */
void hdr_year_init(struct hdr_year *y, time_t ref);

/* Parse the header of line p[0..len); returns 1 and fills h (tag.found
 * tells whether a tag follows), or 0 with h cleared. Year-less
 * timestamps get their year from the reference of
 * syslog_hdr_set_reference alone (no state: each line on its own). */
int syslog_hdr_parse(const char *p, size_t len, struct syslog_hdr *h);

/* The same, with the year of year-less timestamps from the source's
 * state y, which a BSD-dated line moves forward (never back): after the
 * first dated line, a month more than 6 before the latest line's starts
 * the next year; a line more than 6 months after it (out of order across
 * New Year) belongs to the year before and moves nothing. */
int syslog_hdr_parse_year(const char *p, size_t len, struct syslog_hdr *h,
			  struct hdr_year *y);

/* Split a tag at p[0..len) ("ident[pid]: text" or "ident: text");
 * returns 1 and fills t, or 0. */
int syslog_tag_scan(const char *p, size_t len, struct syslog_tag *t);

/* Find a tag "name...[pid]:" whose ident starts with name (e.g.
 * "postfix") at a word start within the first SYSLOG_TAG_SEARCH bytes
 * of p[0..len). Returns a pointer to the tag and fills t, or NULL. */
const char *syslog_tag_find(const char *p, size_t len, struct span name,
			    struct syslog_tag *t);

const char *syslog_hdr_format_name(enum hdr_format fmt);

/* Format t as ISO 8601 into buf (at least 40 bytes); "" if invalid. */
void logtime_format(const struct logtime *t, char *buf, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
