/*
 * jsonw.c - streaming JSON writer: commas are tracked per nesting level by
 * need_comma, which is reset when a container opens.
 */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "textsafe.h"

void
jw_init(struct jsonw *w, struct strbuf *out)
{
	w->out = out;
	sb_init(&w->tmp);
	w->need_comma = 0;
}

void
jw_free(struct jsonw *w)
{
	sb_free(&w->tmp);
}

static void
jw_sep(struct jsonw *w)
{
	if (w->need_comma)
		sb_addc(w->out, ',');
	w->need_comma = 1;
}

void
jw_obj_begin(struct jsonw *w)
{
	jw_sep(w);
	sb_addc(w->out, '{');
	w->need_comma = 0;
}

void
jw_obj_end(struct jsonw *w)
{
	sb_addc(w->out, '}');
	w->need_comma = 1;
}

void
jw_arr_begin(struct jsonw *w)
{
	jw_sep(w);
	sb_addc(w->out, '[');
	w->need_comma = 0;
}

void
jw_arr_end(struct jsonw *w)
{
	sb_addc(w->out, ']');
	w->need_comma = 1;
}

void
jw_escape(struct strbuf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s, *end = s + n;

	sb_addc(out, '"');
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(out, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': sb_add(out, "\\\"", 2); break;
		case '\\': sb_add(out, "\\\\", 2); break;
		case '\n': sb_add(out, "\\n", 2); break;
		case '\r': sb_add(out, "\\r", 2); break;
		case '\t': sb_add(out, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			sb_add(out, u, 6);
		}
		}
	}
	sb_add(out, run, (size_t)(end - run));
	sb_addc(out, '"');
}

void
jw_key(struct jsonw *w, const char *key)
{
	jw_sep(w);
	sb_addc(w->out, '"');
	sb_adds(w->out, key);	/* keys are our own ASCII identifiers */
	sb_add(w->out, "\":", 2);
	w->need_comma = 0;
}

void
jw_keyn(struct jsonw *w, const char *quoted, size_t n)
{
	jw_sep(w);
	sb_add(w->out, quoted, n);
	w->need_comma = 0;
}

void
jw_strn(struct jsonw *w, const char *s, size_t n)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	jw_sep(w);
	if (ts_plain_ascii(s, n)) {
		/* common case: printable ASCII, nothing to repair or escape */
		sb_addc(w->out, '"');
		sb_add(w->out, s, n);
		sb_addc(w->out, '"');
		return;
	}
	sb_reset(&w->tmp);
	ts_json_clean(&w->tmp, s, n);
	jw_escape(w->out, w->tmp.s, w->tmp.len);
}

void
jw_str(struct jsonw *w, const char *s)
{
	jw_strn(w, s, s != NULL ? strlen(s) : 0);
}

void
jw_int(struct jsonw *w, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	jw_sep(w);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	sb_add(w->out, p, (size_t)(buf + sizeof(buf) - p));
}

void
jw_bool(struct jsonw *w, int v)
{
	jw_sep(w);
	sb_adds(w->out, v ? "true" : "false");
}

void
jw_null(struct jsonw *w)
{
	jw_sep(w);
	sb_adds(w->out, "null");
}

/* JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

void
jw_num(struct jsonw *w, const char *s)
{
	if (s == NULL || !json_number_ok(s)) {
		jw_null(w);
		return;
	}
	jw_sep(w);
	sb_adds(w->out, s);
}
