/*
 * fuzz_syslog_hdr.c - libFuzzer target: the syslog header scanner
 * (syslog_hdr_parse) and the tag scanners (syslog_tag_scan,
 * syslog_tag_find) on one line. Checks that every span lies inside the
 * line, that the timestamp formats, and that the result does not depend
 * on the line parsed before (each format primed once).
 */
#include <stdlib.h>
#include <string.h>

#include "syslog_hdr.h"
#include "fuzz_common.h"

/* One line of each kind: the parser must not remember anything of them. */
static const char *const primers[] = {
	"Nov  3 12:07:52 host postfix/smtp[1]: x",
	"2026-11-03T12:07:52.123456+01:00 host postfix/smtp[1]: x",
	"Mon 2026-11-23 12:07:52 CET host postfix/smtp[1]: x",
};
#define NPRIMERS (sizeof(primers) / sizeof(primers[0]))

static void
check_inside(struct span s, const char *p, size_t len)
{
	if (s.len > 0 && (s.p < p || s.p + s.len > p + len))
		abort();
}

static void
check_tag(const struct syslog_tag *t, const char *p, size_t len)
{
	if (!t->found)
		return;
	check_inside(t->ident, p, len);
	check_inside(t->text, p, len);
}

static int
same(const struct syslog_hdr *a, const struct syslog_hdr *b)
{
	return a->fmt == b->fmt && a->time.sec == b->time.sec && a->time.usec == b->time.usec
	       && a->time.tzoff == b->time.tzoff && a->time.has_zone == b->time.has_zone
	       && a->host.p == b->host.p && a->host.len == b->host.len
	       && a->rest.p == b->rest.p && a->rest.len == b->rest.len
	       && a->tag.found == b->tag.found && a->tag.pid == b->tag.pid
	       && a->tag.ident.p == b->tag.ident.p && a->tag.ident.len == b->tag.ident.len
	       && a->tag.text.p == b->tag.text.p && a->tag.text.len == b->tag.text.len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly size bytes, so ASan sees any over-read */
	char *line = malloc(size ? size : 1), buf[64];
	struct syslog_hdr h, first, pr;
	struct syslog_tag t;
	const char *at;
	size_t i;
	int ok, ok0 = 0;

	memcpy(line, data, size);
	syslog_hdr_set_reference(2026, size > 0 ? 1 + data[0] % 12 : 12);
	for (i = 0; i < NPRIMERS; i++) {
		if (!syslog_hdr_parse(primers[i], strlen(primers[i]), &pr))
			abort();
		ok = syslog_hdr_parse(line, size, &h);
		if (i == 0) {
			ok0 = ok;
			first = h;
		} else if (ok != ok0 || (ok && !same(&h, &first))) {
			abort();	/* the result depends on the line before */
		}
		if (!ok)
			continue;
		if (h.fmt <= HDR_UNKNOWN || h.fmt >= HDR_NFORMATS)
			abort();
		check_inside(h.host, line, size);
		check_inside(h.level, line, size);
		check_inside(h.rest, line, size);
		check_tag(&h.tag, line, size);
		logtime_format(&h.time, buf, sizeof(buf));
		(void)syslog_hdr_format_name(h.fmt);
	}
	memset(&t, 0, sizeof(t));
	if (syslog_tag_scan(line, size, &t))
		check_tag(&t, line, size);
	memset(&t, 0, sizeof(t));
	if ((at = syslog_tag_find(line, size, SPAN_LIT("postfix"), &t)) != NULL) {
		if (at < line || at >= line + size)
			abort();
		check_tag(&t, line, size);
	}
	free(line);
	return 0;
}
