/*
 * textsafe.h - make untrusted log bytes safe for output: valid UTF-8 for
 * JSON, no terminal control sequences for text, and secrets (SASL
 * passwords found in the configuration) redacted everywhere.
 */
#ifndef FMRD_TEXTSAFE_H
#define FMRD_TEXTSAFE_H

#include <stddef.h>
#include "util.h"

#define TS_REDACTED "********"

/* Register a secret that must never be printed (copied; min 3 bytes). */
void ts_secret_add(const char *secret, size_t len);
void ts_secrets_clear(void);

/* Append p[0..n) to out as valid UTF-8: invalid sequences and NUL bytes
 * become U+FFFD; secrets are redacted. Control characters are kept (the
 * JSON encoder escapes them). Returns the number of replaced bytes. */
size_t ts_json_clean(struct strbuf *out, const char *p, size_t n);

/* Append p[0..n) to out for a terminal: C0 controls, DEL and invalid
 * UTF-8 bytes are shown as \xNN, C1 controls as \u00NN, a tab as a
 * space; secrets are redacted. */
void ts_text_clean(struct strbuf *out, const char *p, size_t n);

/* True when p[0..n) is printable ASCII without '"', '\\' or the first
 * byte of a secret: safe to copy into JSON as is. */
int ts_plain_ascii(const char *p, size_t n);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
size_t ts_utf8_seq(const unsigned char *p, size_t n);

#endif
