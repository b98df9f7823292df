/*
 * log2export.c - test tool: convert a text mail log into the journal
 * export format (https://systemd.io/JOURNAL_EXPORT_FORMATS/), so that
 * systemd-journal-remote can turn a sample log into journal files for
 * the journald source's tests (journal.sh). Each line is read with
 * syslog_hdr_parse (the tag split with it); lines without a readable
 * header and tag are skipped and counted on stderr. Times without a zone
 * are local time (TZ); --year gives year-less timestamps their year.
 * --unescape turns "\n" and "\xHH" in the text into bytes, to put
 * newlines, NUL and invalid UTF-8 into MESSAGE.
 *
 *   log2export [--year YYYY] [--unescape] [FILE]   (default: stdin)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syslog_hdr.h"
#include "util.h"

#define BOOT_ID "8f1b7c2a4d6e4f0a9b3c5d7e9f1a2b3c"

/* UTC microseconds of a parsed time; -1 if there is none. */
static int64_t
l2e_usec(const struct logtime *t)
{
	time_t wall, utc;
	struct tm tm;

	if (!t->valid)
		return -1;
	if (t->has_zone)
		utc = (time_t)t->sec;
	else {
		/* local wall clock stored as if UTC: ask mktime for the zone */
		wall = (time_t)t->sec;
		if (gmtime_r(&wall, &tm) == NULL)
			return -1;
		tm.tm_isdst = -1;
		if ((utc = mktime(&tm)) == (time_t)-1)
			return -1;
	}
	return (int64_t)utc * 1000000 + (t->usec > 0 ? t->usec : 0);
}

static int
l2e_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "\n" -> newline, "\xHH" -> byte, into sb. */
static void
l2e_unescape(struct strbuf *sb, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n && p[i + 1] == 'n') {
			sb_addc(sb, '\n');
			i++;
		} else if (p[i] == '\\' && i + 3 < n && p[i + 1] == 'x'
			   && l2e_hex(p[i + 2]) >= 0 && l2e_hex(p[i + 3]) >= 0) {
			sb_addc(sb, (char)(l2e_hex(p[i + 2]) * 16 + l2e_hex(p[i + 3])));
			i += 3;
		} else
			sb_addc(sb, p[i]);
	}
}

/* One field, in the text form when it is printable, else binary. */
static void
l2e_field(FILE *out, const char *name, const char *v, size_t n)
{
	unsigned char le[8];
	uint64_t len = n;
	size_t i;
	int binary = 0;

	for (i = 0; i < n && !binary; i++)
		binary = (unsigned char)v[i] < 0x20 || v[i] == 0x7f;
	if (!binary) {
		fprintf(out, "%s=%.*s\n", name, (int)n, v);
		return;
	}
	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)(len >> (8 * i));
	fprintf(out, "%s\n", name);
	fwrite(le, 1, 8, out);
	fwrite(v, 1, n, out);
	fputc('\n', out);
}

int
main(int argc, char **argv)
{
	FILE *in = stdin, *out = stdout;
	struct syslog_hdr h;
	struct strbuf text;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long long entries = 0, skipped = 0;
	int64_t usec;
	int i, unescape = 0, year = 0;
	time_t now = time(NULL);
	struct tm tm;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--year") == 0 && i + 1 < argc)
			year = atoi(argv[++i]);
		else if (strcmp(argv[i], "--unescape") == 0)
			unescape = 1;
		else {
			fprintf(stderr, "usage: log2export [--year YYYY] [--unescape] [FILE]\n");
			return 64;
		}
	}
	if (i < argc && strcmp(argv[i], "-") != 0 && (in = fopen(argv[i], "r")) == NULL) {
		perror(argv[i]);
		return 66;
	}
	localtime_r(&now, &tm);
	if (year > 0)
		syslog_hdr_set_reference(year, 12);
	else
		syslog_hdr_set_reference(tm.tm_year + 1900, tm.tm_mon + 1);
	sb_init(&text);
	while ((n = getline(&line, &cap, in)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (!syslog_hdr_parse(line, (size_t)n, &h) || !h.tag.found
		    || (usec = l2e_usec(&h.time)) < 0) {
			skipped++;
			continue;
		}
		entries++;
		fprintf(out, "__REALTIME_TIMESTAMP=%lld\n__MONOTONIC_TIMESTAMP=%llu\n_BOOT_ID=%s\n",
			(long long)usec, entries * 1000, BOOT_ID);
		if (h.host.len > 0)
			l2e_field(out, "_HOSTNAME", h.host.p, h.host.len);
		l2e_field(out, "SYSLOG_IDENTIFIER", h.tag.ident.p, h.tag.ident.len);
		if (h.tag.pid >= 0)
			fprintf(out, "SYSLOG_PID=%ld\n_PID=%ld\n", h.tag.pid, h.tag.pid);
		sb_reset(&text);
		if (unescape)
			l2e_unescape(&text, h.tag.text.p, h.tag.text.len);
		else
			sb_add(&text, h.tag.text.p, h.tag.text.len);
		l2e_field(out, "MESSAGE", text.s, text.len);
		fprintf(out, "PRIORITY=%d\nSYSLOG_FACILITY=2\n\n", h.pri >= 0 ? h.pri & 7 : 6);
	}
	sb_free(&text);
	free(line);
	if (in != stdin)
		fclose(in);
	fprintf(stderr, "log2export: %llu entries, %llu lines skipped\n", entries, skipped);
	return fflush(out) == 0 && !ferror(out) ? 0 : 74;
}
