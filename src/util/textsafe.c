/*
 * textsafe.c - output sanitising for untrusted log text: UTF-8 repair for
 * JSON, control-character escaping for terminals, secret redaction.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "textsafe.h"

#define TS_MAX_SECRETS 64

static struct {
	char *s;
	size_t len;
} ts_secrets[TS_MAX_SECRETS];
static size_t ts_nsecrets;
static unsigned char ts_first[256];	/* first bytes of secrets */

void
ts_secret_add(const char *secret, size_t len)
{
	size_t i;

	if (len < 3 || ts_nsecrets == TS_MAX_SECRETS)
		return;
	for (i = 0; i < ts_nsecrets; i++)
		if (ts_secrets[i].len == len && memcmp(ts_secrets[i].s, secret, len) == 0)
			return;
	ts_first[(unsigned char)secret[0]] = 1;
	ts_secrets[ts_nsecrets].s = xstrndup(secret, len);
	ts_secrets[ts_nsecrets].len = len;
	ts_nsecrets++;
}

void
ts_secrets_clear(void)
{
	while (ts_nsecrets > 0)
		free(ts_secrets[--ts_nsecrets].s);
	memset(ts_first, 0, sizeof(ts_first));
}

/* Length of a secret starting at p, or 0. */
static size_t
ts_secret_at(const char *p, size_t n)
{
	size_t i, best = 0;

	for (i = 0; i < ts_nsecrets; i++)	/* the longest secret wins */
		if (ts_secrets[i].len <= n && ts_secrets[i].len > best && p[0] == ts_secrets[i].s[0]
		    && memcmp(p, ts_secrets[i].s, ts_secrets[i].len) == 0)
			best = ts_secrets[i].len;
	return best;
}

/* Eight bytes at a time: does any byte need escaping in JSON (below 0x20,
 * 0x7f and above, '"', '\\')? */
static int
word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t low = (w - ones * 0x20) & ~w;		/* a byte below 0x20 */
	uint64_t del = (w + ones * 0x01) & high;	/* 0x7f (and 0x80+) */
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	q = (q - ones) & ~q;
	b = (b - ones) & ~b;
	return ((low | del | q | b | w) & high) != 0;
}

int
ts_plain_ascii(const char *p, size_t n)
{
	static unsigned char special[256];	/* needs escaping or repair */
	const unsigned char *s = (const unsigned char *)p, *end = s + n;
	uint64_t w;
	int c;

	if (special[0] == 0)
		for (c = 0; c < 256; c++)
			special[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
	if (ts_nsecrets == 0) {		/* no secret to look for: a word at a time */
		for (; end - s >= 8; s += 8) {
			memcpy(&w, s, 8);
			if (word_special(w))
				return 0;
		}
		for (; s < end; s++)
			if (special[*s])
				return 0;
		return 1;
	}
	for (; s < end; s++)
		if (special[*s] | ts_first[*s])
			return 0;
	return 1;
}

size_t
ts_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;		/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;		/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
		    || (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;		/* overlong */
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;		/* > U+10FFFF */
		return 4;
	}
	return 0;
}

size_t
ts_json_clean(struct strbuf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, bad = 0, k;

	while (i < n) {
		size_t run = i;

		/* fast path: a run of ASCII that starts no secret */
		while (run < n && s[run] != 0 && s[run] < 0x80 && !ts_first[s[run]])
			run++;
		if (run > i) {
			sb_add(out, p + i, run - i);
			i = run;
			continue;
		}
		if (ts_nsecrets > 0 && (k = ts_secret_at(p + i, n - i)) > 0) {
			sb_adds(out, TS_REDACTED);
			i += k;
			continue;
		}
		k = s[i] == 0 ? 0 : ts_utf8_seq(s + i, n - i);
		if (k == 0) {
			sb_adds(out, "\xef\xbf\xbd");	/* U+FFFD */
			bad++;
			i++;
			continue;
		}
		sb_add(out, p + i, k);
		i += k;
	}
	return bad;
}

void
ts_text_clean(struct strbuf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k;

	while (i < n) {
		if (ts_nsecrets > 0 && (k = ts_secret_at(p + i, n - i)) > 0) {
			sb_adds(out, TS_REDACTED);
			i += k;
			continue;
		}
		k = ts_utf8_seq(s + i, n - i);
		if (k == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			if (s[i] == '\t') {
				sb_addc(out, ' ');
			} else {
				sb_printf(out, "\\x%02x", s[i]);
			}
			i++;
			continue;
		}
		if (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			/* C1 control (U+0080..U+009F), e.g. 8-bit CSI */
			sb_printf(out, "\\u%04x", s[i + 1]);
			i += 2;
			continue;
		}
		sb_add(out, p + i, k);
		i += k;
	}
}
