/*
 * jsonw.h - a minimal streaming JSON writer into a strbuf, for the hot
 * path of the JSON report (one object per completed message). Strings go
 * through ts_json_clean (valid UTF-8, secrets redacted) and are escaped
 * as RFC 8259 requires. Document-level objects still use json-c.
 */
#ifndef FMRD_JSONW_H
#define FMRD_JSONW_H

#include <stdint.h>
#include "util.h"

struct jsonw {
	struct strbuf *out;
	struct strbuf tmp;
	int need_comma;
};

void jw_init(struct jsonw *w, struct strbuf *out);
void jw_free(struct jsonw *w);
void jw_obj_begin(struct jsonw *w);
void jw_obj_end(struct jsonw *w);
void jw_arr_begin(struct jsonw *w);
void jw_arr_end(struct jsonw *w);
void jw_key(struct jsonw *w, const char *key);
/* A key given as its JSON text with the colon ("\"name\":"), for the
 * literal keys of the hot path: JW_KEY(w, "name"). */
void jw_keyn(struct jsonw *w, const char *quoted, size_t n);
#define JW_KEY(w, k) jw_keyn((w), "\"" k "\":", sizeof("\"" k "\":") - 1)
/* Values: a NULL string writes null. */
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n);
void jw_int(struct jsonw *w, int64_t v);
void jw_bool(struct jsonw *w, int v);
void jw_null(struct jsonw *w);
/* A number kept in its original notation when it is a valid JSON number,
 * else null. */
void jw_num(struct jsonw *w, const char *s);

/* Append s[0..n) to out as a JSON string literal (exposed for tests). */
void jw_escape(struct strbuf *out, const char *s, size_t n);

#endif
