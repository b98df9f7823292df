/*
 * util.h - memory wrappers that never return NULL, diagnostics to stderr
 * (msg_warn/msg_fatal), growable string buffers and byte spans.
 * Every other module builds on these; nothing here knows about Postfix.
 */
#ifndef FMRD_UTIL_H
#define FMRD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

/* Exit codes (sysexits.h values, documented in README and the man page). */
#define FMRD_EXIT_OK        0   /* nothing wrong found */
#define FMRD_EXIT_PROBLEMS  1   /* findings of severity error or warning */
#define FMRD_EXIT_USAGE    64   /* EX_USAGE: bad command line */
#define FMRD_EXIT_DATAERR  65   /* EX_DATAERR: the log could not be read (no Postfix record) */
#define FMRD_EXIT_NOINPUT  66   /* EX_NOINPUT: log or config missing or unreadable */
#define FMRD_EXIT_SOFTWARE 70   /* EX_SOFTWARE: internal error */
#define FMRD_EXIT_CONFIG   78   /* EX_CONFIG: a pattern file is invalid */

/* A byte range inside some buffer; never NUL-terminated by contract. */
struct span {
	const char *p;
	size_t len;
};

#define SPAN_LIT(s) ((struct span){ (s), sizeof(s) - 1 })
#define SPAN_EMPTY ((struct span){ "", 0 })

int span_eq(struct span a, const char *s);
/* span_eq for a string literal, without strlen. */
#define span_eq_lit(a, lit) ((a).len == sizeof(lit) - 1 && memcmp((a).p, (lit), sizeof(lit) - 1) == 0)
int span_starts(struct span a, const char *prefix, size_t plen);

/* A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *s;
	size_t len;
	size_t cap;
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_grow(struct strbuf *sb, size_t extra);
void sb_adds(struct strbuf *sb, const char *s);

/* Inline: these run for every field of every reported message. */
static inline void
sb_add(struct strbuf *sb, const char *p, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		sb_grow(sb, n);
	__builtin_memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

static inline void
sb_addc(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		sb_grow(sb, 1);
	sb->s[sb->len++] = c;
	sb->s[sb->len] = '\0';
}
void sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xspandup(struct span s);

extern const char *msg_progname;
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_fatal(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* FNV-1a, used by the correlation and catalog hash tables. */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
