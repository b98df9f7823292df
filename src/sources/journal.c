/*
 * journal.c - the journald source (a record backend of input.h): reads
 * the entries of every Postfix instance and service with sd-journal and
 * hands each over with its header taken from the entry's fields, plus a
 * readable rendering of the entry as the line (evidence). sd-journal
 * matches are exact, so for a read through the wanted SYSLOG_IDENTIFIER
 * values (starting with "postfix" or a main.cf syslog_name) are
 * enumerated and matched one by one. A followed journal has no matches:
 * every entry is read and those of a wanted identifier kept, so an
 * instance or service that starts logging later (postfix/error, ...) is
 * never passed over, however its first entries and the reader's reads
 * interleave (a match added when the reader found it would come after
 * the entries it had already skipped). Files added to a followed directory (journald's rotation) are watched
 * and read by sd-journal, matches and position kept; like journalctl -f
 * it reads on in its one interleaved order (seqnum within a seqnum ID,
 * else monotonic time within a boot, else realtime), so an added file's
 * entries that sort before the position are passed over: never after
 * journald's own rotation, but with several sources in one directory
 * (journal-remote; systemd issues #359, #14911) or a made-up clock.
 * Without libsystemd only the rendering and stubs are built.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal.h"
#include "util.h"

/* Copy n bytes of src to dst for a rendering: newline and CR become a
 * space, NUL becomes '?' (as Postfix's printable() would). */
static void
journal_copy(char *dst, const char *src, size_t n)
{
	size_t i;

	memcpy(dst, src, n);
	for (i = 0; i < n; i++)
		if (dst[i] == '\n' || dst[i] == '\r')
			dst[i] = ' ';
		else if (dst[i] == '\0')
			dst[i] = '?';
}

/* Append at most max bytes of s (and never past limit) to buf at *pos;
 * returns the span written and sets *cut when s did not fit. */
static struct span
journal_put(char *buf, size_t *pos, size_t limit, struct span s, size_t max, int *cut)
{
	struct span out = { buf + *pos, 0 };
	size_t n = s.len < max ? s.len : max;

	if (n > limit - *pos)
		n = limit - *pos;
	if (n < s.len)
		*cut = 1;
	journal_copy(buf + *pos, s.p, n);
	*pos += n;
	out.len = n;
	return out;
}

/* The entry's time as a logtime with the local offset of that moment. */
static void
journal_time(int64_t usec, struct logtime *t)
{
	time_t sec;
	struct tm tm;

	memset(t, 0, sizeof(*t));
	if (usec < 0)
		return;
	sec = (time_t)(usec / 1000000);
	if (localtime_r(&sec, &tm) == NULL)
		return;
	t->sec = (int64_t)sec;
	t->usec = (int32_t)(usec % 1000000);
	t->tzoff = (int16_t)(tm.tm_gmtoff / 60);
	t->has_zone = 1;
	t->valid = 1;
}

size_t
journal_render(const struct journal_entry *e, char *buf, size_t size,
	       struct syslog_hdr *h, int *truncated)
{
	size_t pos = 0, limit = size - 1;
	char tbuf[48], pbuf[24];
	struct span text = e->text;
	int cut = e->text_cut;
	int n;

	if (limit > INPUT_MAX_LINE)
		limit = INPUT_MAX_LINE;
	memset(h, 0, sizeof(*h));
	h->fmt = HDR_JOURNAL;
	h->pri = (int16_t)(e->pri >= 0 && e->pri < 192 ? e->pri : -1);
	journal_time(e->usec, &h->time);
	logtime_format(&h->time, tbuf, sizeof(tbuf));
	if (tbuf[0] == '\0')
		h->time.valid = 0;
	else {
		journal_put(buf, &pos, limit, (struct span){ tbuf, strlen(tbuf) }, sizeof(tbuf), &cut);
		buf[pos++] = ' ';
	}
	if (e->host.len > 0) {
		h->host = journal_put(buf, &pos, limit, e->host, JOURNAL_MAX_FIELD, &cut);
		if (pos < limit)
			buf[pos++] = ' ';
	} else
		h->host = (struct span){ buf + pos, 0 };
	h->level = (struct span){ buf + pos, 0 };
	h->rest.p = buf + pos;
	h->tag.ident = journal_put(buf, &pos, limit, e->ident, JOURNAL_MAX_FIELD, &cut);
	h->tag.pid = e->pid >= 0 ? e->pid : -1;
	if (e->pid >= 0) {
		n = snprintf(pbuf, sizeof(pbuf), "[%ld]", e->pid);
		journal_put(buf, &pos, limit, (struct span){ pbuf, (size_t)n }, sizeof(pbuf), &cut);
	}
	journal_put(buf, &pos, limit, SPAN_LIT(": "), 2, &cut);
	/* journald keeps a trailing newline of what syslog() was given */
	while (text.len > 0 && (text.p[text.len - 1] == '\n' || text.p[text.len - 1] == '\r'))
		text.len--;
	h->tag.text = journal_put(buf, &pos, limit, text, text.len, &cut);
	h->tag.found = 1;
	h->rest.len = (size_t)(buf + pos - h->rest.p);
	buf[pos] = '\0';
	*truncated = cut;
	return pos;
}

#ifdef HAVE_SYSTEMD

#include <systemd/sd-journal.h>

#define JOURNAL_IDENT_FIELD "SYSLOG_IDENTIFIER="

struct journal_src {
	sd_journal *j;
	char **prefixes;	/* "postfix" and the syslog_name prefixes */
	size_t nprefixes;
	char **matched;		/* "SYSLOG_IDENTIFIER=value" already matched */
	size_t nmatched, cap;
	int follow;		/* no matches: the wanted entries kept in next() */
	struct syslog_hdr hdr;
	char *msg;		/* MESSAGE copied out of the journal */
	char *buf;		/* the rendering handed over as the line */
	char host[JOURNAL_MAX_FIELD + 1], ident[JOURNAL_MAX_FIELD + 1];
};

static int
journal_wanted(const struct journal_src *s, const char *v, size_t n)
{
	size_t i, plen;

	for (i = 0; i < s->nprefixes; i++) {
		plen = strlen(s->prefixes[i]);
		if (n >= plen && memcmp(v, s->prefixes[i], plen) == 0)
			return 1;
	}
	return 0;
}

/* Match SYSLOG_IDENTIFIER=v[0..n) unless it is matched already. */
static int
journal_match(struct journal_src *s, const char *v, size_t n)
{
	const size_t flen = sizeof(JOURNAL_IDENT_FIELD) - 1;
	char *m;
	size_t i;
	int r;

	for (i = 0; i < s->nmatched; i++)
		if (strlen(s->matched[i]) == flen + n && memcmp(s->matched[i] + flen, v, n) == 0)
			return 0;
	m = xmalloc(flen + n + 1);
	memcpy(m, JOURNAL_IDENT_FIELD, flen);
	memcpy(m + flen, v, n);
	m[flen + n] = '\0';
	if ((r = sd_journal_add_match(s->j, m, flen + n)) < 0) {
		free(m);
		return r;
	}
	if (s->nmatched == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->matched = xrealloc(s->matched, s->cap * sizeof(*s->matched));
	}
	s->matched[s->nmatched++] = m;
	return 1;
}

/* Add a match for every wanted identifier the journal knows. The values
 * are collected first: no match is added while enumerating. A match
 * added while reading keeps the position: next() goes on after the entry
 * read last with every match (test_journal checks this for a new file
 * and for entries appended to an open one). */
static int
journal_enumerate(struct journal_src *s)
{
	const size_t flen = sizeof(JOURNAL_IDENT_FIELD) - 1;
	struct strbuf found;
	const void *d;
	size_t l, off;
	int r;

	if ((r = sd_journal_query_unique(s->j, "SYSLOG_IDENTIFIER")) < 0)
		return r;
	sb_init(&found);
	SD_JOURNAL_FOREACH_UNIQUE(s->j, d, l) {
		if (l <= flen || memcmp(d, JOURNAL_IDENT_FIELD, flen) != 0
		    || l - flen > JOURNAL_MAX_FIELD
		    || !journal_wanted(s, (const char *)d + flen, l - flen)
		    || memchr((const char *)d + flen, '\0', l - flen) != NULL)
			continue;
		sb_add(&found, (const char *)d + flen, l - flen);
		sb_addc(&found, '\0');
	}
	for (off = 0, r = 0; off < found.len && r >= 0; off += strlen(found.s + off) + 1)
		r = journal_match(s, found.s + off, strlen(found.s + off));
	sb_free(&found);
	return r < 0 ? r : 0;
}

/* Which field a data item is, from a table of field names. */
enum jfield { JF_MESSAGE, JF_HOST, JF_IDENT, JF_SYSLOG_PID, JF_PID, JF_PRIORITY,
	      JF_FACILITY, JF_SOURCE_TIME, JF_N };

static const struct {
	const char *name;	/* with '=' */
	size_t len;
} journal_fields[JF_N] = {
#define F(s) { s, sizeof(s) - 1 }
	[JF_MESSAGE] = F("MESSAGE="), [JF_HOST] = F("_HOSTNAME="),
	[JF_IDENT] = F("SYSLOG_IDENTIFIER="), [JF_SYSLOG_PID] = F("SYSLOG_PID="),
	[JF_PID] = F("_PID="), [JF_PRIORITY] = F("PRIORITY="),
	[JF_FACILITY] = F("SYSLOG_FACILITY="),
	[JF_SOURCE_TIME] = F("_SOURCE_REALTIME_TIMESTAMP="),
#undef F
};

/* A decimal field value; -1 when it is not a number of up to 18 digits. */
static int64_t
journal_number(const char *p, size_t n)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Copy at most JOURNAL_MAX_FIELD bytes of a short field into dst. */
static struct span
journal_keep(char *dst, const char *v, size_t n)
{
	if (n > JOURNAL_MAX_FIELD)
		n = JOURNAL_MAX_FIELD;
	memcpy(dst, v, n);
	return (struct span){ dst, n };
}

/* Read the current entry's fields into e (copies: sd-journal's pointers
 * are valid only until the next data call). */
static int
journal_entry_read(struct journal_src *s, struct journal_entry *e)
{
	int64_t num[JF_N];
	const void *d;
	const char *v;
	size_t l, n;
	uint64_t rt;
	int k, r;

	for (k = 0; k < JF_N; k++)
		num[k] = -1;
	memset(e, 0, sizeof(*e));
	e->host = e->ident = e->text = SPAN_EMPTY;
	SD_JOURNAL_FOREACH_DATA(s->j, d, l) {
		for (k = 0; k < JF_N; k++)
			if (l >= journal_fields[k].len
			    && memcmp(d, journal_fields[k].name, journal_fields[k].len) == 0)
				break;
		if (k == JF_N)
			continue;
		v = (const char *)d + journal_fields[k].len;
		n = l - journal_fields[k].len;
		switch (k) {
		case JF_MESSAGE:
			e->text_cut = n > INPUT_MAX_LINE;
			if (e->text_cut)
				n = INPUT_MAX_LINE;
			memcpy(s->msg, v, n);
			e->text = (struct span){ s->msg, n };
			break;
		case JF_HOST:
			e->host = journal_keep(s->host, v, n);
			break;
		case JF_IDENT:
			e->ident = journal_keep(s->ident, v, n);
			break;
		default:
			num[k] = journal_number(v, n);
			break;
		}
	}
	e->usec = num[JF_SOURCE_TIME];
	if (e->usec < 0) {
		if ((r = sd_journal_get_realtime_usec(s->j, &rt)) < 0)
			return r;
		e->usec = rt > INT64_MAX ? -1 : (int64_t)rt;
	}
	e->pid = (long)(num[JF_SYSLOG_PID] >= 0 && num[JF_SYSLOG_PID] <= 0x7fffffff ? num[JF_SYSLOG_PID]
			: num[JF_PID] >= 0 && num[JF_PID] <= 0x7fffffff ? num[JF_PID] : -1);
	e->pri = num[JF_PRIORITY] >= 0 && num[JF_PRIORITY] < 8
	    && num[JF_FACILITY] >= 0 && num[JF_FACILITY] < 24
	    ? (int)(num[JF_FACILITY] * 8 + num[JF_PRIORITY]) : -1;
	return 0;
}

/* 1: the current entry is wanted (always, with matches), 0: not, < 0 error. */
static int
journal_here(struct journal_src *s)
{
	const size_t flen = sizeof(JOURNAL_IDENT_FIELD) - 1;
	const void *d;
	size_t l;
	int r;

	if (!s->follow)
		return 1;
	if ((r = sd_journal_get_data(s->j, "SYSLOG_IDENTIFIER", &d, &l)) < 0)
		return r == -ENOENT ? 0 : r;
	return l > flen && l - flen <= JOURNAL_MAX_FIELD
	    && journal_wanted(s, (const char *)d + flen, l - flen)
	    && memchr((const char *)d + flen, '\0', l - flen) == NULL;
}

/* Move to the next (back: previous) wanted entry: > 0 on it, 0 at the
 * end, < 0 error. Without matches (following) the others are stepped
 * over here. */
static int
journal_step(struct journal_src *s, int back)
{
	int r;

	while ((r = back ? sd_journal_previous(s->j) : sd_journal_next(s->j)) > 0
	       && (r = journal_here(s)) == 0)
		continue;
	return r;
}

static int
journal_next(struct input *in, struct line *ln)
{
	struct journal_src *s = in->priv;
	struct journal_entry e;
	int r, cut;

	if ((r = journal_step(s, 0)) == 0)
		return s->follow ? INPUT_AGAIN : INPUT_EOF;
	if (r < 0 || (r = journal_entry_read(s, &e)) < 0) {
		in->err = -r;
		return INPUT_ERROR;
	}
	memset(ln, 0, sizeof(*ln));
	ln->len = journal_render(&e, s->buf, INPUT_MAX_LINE + 1, &s->hdr, &cut);
	ln->p = s->buf;
	ln->truncated = cut;
	ln->hdr = &s->hdr;
	/* input_next numbers the entry (ln->lineno) */
	in->bytes += ln->len + 1;
	return INPUT_LINE;
}

/* Wait for the journal (sd_journal_wait processes its changes: files
 * added, rotated or removed are taken in, the position kept). */
static int
journal_wait(struct input *in, int timeout_ms)
{
	struct journal_src *s = in->priv;
	int r;

	r = sd_journal_wait(s->j, timeout_ms < 0 ? (uint64_t)-1 : (uint64_t)timeout_ms * 1000);
	if (r < 0) {
		in->err = errno = -r;	/* EINTR: a signal, the caller goes on */
		return -1;
	}
	return r != SD_JOURNAL_NOP;
}

static void
journal_src_free(struct journal_src *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->j != NULL)
		sd_journal_close(s->j);
	for (i = 0; i < s->nprefixes; i++)
		free(s->prefixes[i]);
	for (i = 0; i < s->nmatched; i++)
		free(s->matched[i]);
	free(s->prefixes);
	free(s->matched);
	free(s->msg);
	free(s->buf);
	free(s);
}

static void
journal_close(struct input *in)
{
	journal_src_free(in->priv);
	in->priv = NULL;
}

static const struct input_ops journal_ops = {
	.name = "journal", .next = journal_next, .close = journal_close
};
static const struct input_ops journal_follow_ops = {
	.name = "journal", .next = journal_next, .wait = journal_wait, .close = journal_close
};

static const char *journal_root;	/* journal_set_root */

void
journal_set_root(const char *root)
{
	journal_root = root;
}

/* Open the journal and, unless following, match the wanted identifiers;
 * NULL with err. */
static struct journal_src *
journal_src_open(const char *dir, const char *const *prefixes, int follow, struct strbuf *err)
{
	struct journal_src *s = xcalloc(1, sizeof(*s));
	size_t i, n = 1;
	int r;

	if (dir == NULL && journal_root != NULL)
		r = sd_journal_open_directory(&s->j, journal_root, SD_JOURNAL_OS_ROOT);
	else
		r = dir == NULL ? sd_journal_open(&s->j, SD_JOURNAL_LOCAL_ONLY)
		    : sd_journal_open_directory(&s->j, dir, 0);
	if (r < 0) {
		s->j = NULL;
		if (dir == NULL)
			dir = journal_root;
		sb_printf(err, "cannot open the journal%s%s: %s", dir ? " in " : "", dir ? dir : "",
			  strerror(-r));
		journal_src_free(s);
		return NULL;
	}
	sd_journal_set_data_threshold(s->j, INPUT_MAX_LINE + 1);
	for (i = 0; prefixes != NULL && prefixes[i] != NULL; i++)
		n++;
	s->prefixes = xcalloc(n, sizeof(*s->prefixes));
	s->prefixes[s->nprefixes++] = xstrdup("postfix");
	for (i = 0; prefixes != NULL && prefixes[i] != NULL; i++)
		if (prefixes[i][0] != '\0' && strlen(prefixes[i]) <= JOURNAL_MAX_FIELD)
			s->prefixes[s->nprefixes++] = xstrdup(prefixes[i]);
	s->follow = follow != 0;
	/* the bare prefixes first: never an empty match set (= everything) */
	for (i = 0, r = 0; !s->follow && i < s->nprefixes && r >= 0; i++)
		r = journal_match(s, s->prefixes[i], strlen(s->prefixes[i]));
	if (r >= 0 && !s->follow)
		r = journal_enumerate(s);
	if (r < 0) {
		sb_printf(err, "cannot read the journal%s%s: %s", dir ? " in " : "", dir ? dir : "",
			  strerror(-r));
		journal_src_free(s);
		return NULL;
	}
	return s;
}

struct input *
input_open_journal(const char *dir, const char *const *idents_prefix, int follow,
		   struct strbuf *err)
{
	struct journal_src *s;
	struct input *in;
	int r;

	if ((s = journal_src_open(dir, idents_prefix, follow, err)) == NULL)
		return NULL;
	if (s->follow && (r = sd_journal_get_fd(s->j)) < 0) {
		/* set up inotify before reading, so no change is missed */
		sb_printf(err, "cannot follow the journal: %s", strerror(-r));
		journal_src_free(s);
		return NULL;
	}
	/* zeroed: PCRE2's JIT may look a few bytes past a short line */
	s->msg = xcalloc(1, INPUT_MAX_LINE);
	s->buf = xcalloc(1, INPUT_MAX_LINE + 1);
	in = xcalloc(1, sizeof(*in));
	in->ops = s->follow ? &journal_follow_ops : &journal_ops;
	if (dir == NULL)
		in->name = xstrdup("journal");
	else {
		in->name = xmalloc(strlen(dir) + sizeof("journal:"));
		memcpy(in->name, "journal:", 8);
		strcpy(in->name + 8, dir);
	}
	in->fd = -1;
	in->size = -1;
	in->follow = s->follow;
	in->priv = s;
	return in;
}

int
input_journal_seek_time(struct input *in, int64_t usec_utc)
{
	struct journal_src *s = in->priv;

	if (in->ops != &journal_ops && in->ops != &journal_follow_ops)
		return -1;
	return sd_journal_seek_realtime_usec(s->j, usec_utc < 0 ? 0 : (uint64_t)usec_utc) < 0 ? -1 : 0;
}

int
input_journal_seek_tail(struct input *in)
{
	struct journal_src *s = in->priv;

	if (in->ops != &journal_ops && in->ops != &journal_follow_ops)
		return -1;
	if (sd_journal_seek_tail(s->j) < 0)
		return -1;
	/* on the newest entry: next() returns only what comes after it */
	return sd_journal_previous(s->j) < 0 ? -1 : 0;
}

int64_t
input_journal_last_time(struct input *in)
{
	struct journal_src *s = in->priv;
	uint64_t t;
	int64_t last = -1;

	if (in->ops != &journal_ops && in->ops != &journal_follow_ops)
		return -1;
	if (sd_journal_seek_tail(s->j) >= 0 && journal_step(s, 1) > 0
	    && sd_journal_get_realtime_usec(s->j, &t) >= 0 && t <= INT64_MAX)
		last = (int64_t)t;
	sd_journal_seek_head(s->j);
	return last;
}

int
journal_has_postfix(const char *dir)
{
	struct strbuf err;
	struct journal_src *s;
	int r;

	sb_init(&err);
	s = journal_src_open(dir, NULL, 0, &err);
	sb_free(&err);
	if (s == NULL)
		return -1;
	r = sd_journal_next(s->j);
	journal_src_free(s);
	return r < 0 ? -1 : r > 0;
}

const char *
journal_support(void)
{
	return "journald";
}

#else /* !HAVE_SYSTEMD */

void
journal_set_root(const char *root)
{
	(void)root;
}

struct input *
input_open_journal(const char *dir, const char *const *idents_prefix, int follow,
		   struct strbuf *err)
{
	(void)dir;
	(void)idents_prefix;
	(void)follow;
	sb_adds(err, "built without journald support (libsystemd)");
	return NULL;
}

int
input_journal_seek_time(struct input *in, int64_t usec_utc)
{
	(void)in;
	(void)usec_utc;
	return -1;
}

int
input_journal_seek_tail(struct input *in)
{
	(void)in;
	return -1;
}

int64_t
input_journal_last_time(struct input *in)
{
	(void)in;
	return -1;
}

int
journal_has_postfix(const char *dir)
{
	(void)dir;
	return -1;
}

const char *
journal_support(void)
{
	return "no journald";
}

#endif /* HAVE_SYSTEMD */
