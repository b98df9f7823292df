/*
 * ndjson.c - the NDJSON stream: one JSON object a line, flushed per
 * line, each with a "type": "message" when a message completes or is
 * evicted (the JSON document's messages[] object), "finding" when a
 * finding is made and again when it changes (at most once a tick; the
 * document's finding object with a stable "handle"), "stats" every
 * --stats-interval, and a final "summary" (the document without its
 * messages). Schema in the README.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* One line: the object text and a newline, flushed at once so a reader
 * of a followed run sees each event as it happens. */
static void
nd_line(struct report *r, const char *s, size_t n)
{
	fwrite(s, 1, n, r->out);
	fputc('\n', r->out);
	fflush(r->out);
}

static void
nd_emit(struct report *r, json_object *o)
{
	size_t n;
	const char *s = json_object_to_json_string_length(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

	nd_line(r, s, n);
}

static json_object *
nd_object(const char *type)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

static void
nd_message(struct report *r, const struct corr_msg *m)
{
	struct json_priv *jp = r->priv;
	struct jsonw *w = &jp->w;

	if (!report_msg_wanted(r, m))
		return;
	sb_reset(&jp->out);
	w->need_comma = 0;
	jw_obj_begin(w);
	JW_KEY(w, "type");
	jw_str(w, "message");
	report_json_message(r, m);
	jw_obj_end(w);
	nd_line(r, jp->out.s, jp->out.len);
}

static void
nd_finding(struct report *r, const struct finding *f)
{
	json_object *o;

	if (!report_finding_wanted(r, f))
		return;
	o = nd_object("finding");
	json_object_object_add(o, "handle", json_object_new_int64((int64_t)f->handle));
	report_json_finding(r, o, f);
	nd_emit(r, o);
	json_object_put(o);
}

static void
nd_stats(struct report *r, const struct diag *d, const struct corr_stats *cs,
	 const struct run_stats *rs, int64_t now)
{
	json_object *o = nd_object("stats");
	time_t t = (time_t)now;
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) != NULL && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		json_object_object_add(o, "time", json_object_new_string(buf));
	else
		json_object_object_add(o, "time", NULL);
	report_json_stats(r, o, d, cs, rs);
	nd_emit(r, o);
	json_object_put(o);
}

static void
nd_end(struct report *r, struct diag *d, const struct corr_stats *cs,
       const struct run_stats *rs)
{
	json_object *o = nd_object("summary"), *st = json_object_new_object();

	json_object_object_add(o, "schema_version", json_object_new_int(1));
	json_object_object_add(o, "generator", json_object_new_string(PACKAGE_STRING));
	json_object_object_add(o, "sources", report_json_sources(r));
	json_object_object_add(o, "findings", report_json_findings(r, d, 1));
	json_object_object_add(o, "config", report_json_config(r));
	report_json_stats(r, st, d, cs, rs);
	json_object_object_add(o, "stats", st);
	nd_emit(r, o);
	json_object_put(o);
}

static void
nd_free(struct report *r)
{
	report_json_priv_free(r->priv);
	free(r->priv);
}

static const struct report_ops ndjson_ops = {
	.begin = NULL,
	.message = nd_message,
	.end = nd_end,
	.free = nd_free,
	.record = NULL,
	.finding = nd_finding,
	.stats = nd_stats,
};

struct report *
report_ndjson_new(FILE *out, const struct run_info *info, const struct diag *d)
{
	return report_json_alloc(out, info, d, &ndjson_ops);
}
