/*
 * report_json.c - the JSON document (schema_version 1, see README):
 * written incrementally so memory stays flat: the head and "messages"
 * array first, one message object as each message completes (written
 * with jsonw, the hot path), then findings, config and stats (json-c). Every string goes through ts_json_clean, so
 * the output is valid UTF-8 whatever bytes the log holds. The builders
 * of the message, finding, config and stats objects are shared with the
 * NDJSON stream (ndjson.c).
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "report.h"
#include "textsafe.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static json_object *
jstr_n(struct report *r, const char *p, size_t n)
{
	struct json_priv *jp = r->priv;

	if (p == NULL)
		return NULL;
	sb_reset(&jp->sb);
	ts_json_clean(&jp->sb, p, n);
	return json_object_new_string_len(jp->sb.s, (int)jp->sb.len);
}

static json_object *
jstr(struct report *r, const char *s)
{
	return s == NULL ? NULL : jstr_n(r, s, strlen(s));
}

static json_object *
jtime(const struct logtime *t)
{
	char buf[48];

	if (!t->valid)
		return NULL;
	logtime_format(t, buf, sizeof(buf));
	return json_object_new_string(buf);
}

void
report_json_emit(struct report *r, json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_FLAGS), r->out);
}

json_object *
report_json_sources(struct report *r)
{
	json_object *src = json_object_new_array();
	int i;

	for (i = 0; i < r->info->nsources; i++)
		json_object_array_add(src, jstr(r, r->info->sources[i]));
	return src;
}

static void
json_begin(struct report *r)
{
	json_object *src = report_json_sources(r);

	fputs("{\"schema_version\":1,\"generator\":\"" PACKAGE_STRING "\",\"sources\":", r->out);
	report_json_emit(r, src);
	fputs(",\"messages\":[", r->out);
	json_object_put(src);
}

static void
fact_name(char *buf, size_t size, const char *p, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* Facts of a recipient ("tls": {...}); a fact without captures is left
 * out. */
static void
rcpt_facts(struct jsonw *w, const struct corr_msg *m, const struct corr_rcpt *rc)
{
	struct corr_fact_iter it;
	struct corr_fact f;
	char buf[64];
	int i;

	corr_facts_begin(m, rc, &it);
	while (corr_fact_next(&it, &f)) {
		if (f.nkv == 0)
			continue;
		fact_name(buf, sizeof(buf), f.name.p, f.name.len);
		jw_key(w, buf);
		jw_obj_begin(w);
		for (i = 0; i < f.nkv; i++) {
			fact_name(buf, sizeof(buf), f.kv[i].key.p, f.kv[i].key.len);
			jw_key(w, buf);
			jw_strn(w, f.kv[i].value.p, f.kv[i].value.len);
		}
		jw_obj_end(w);
	}
}

/* The message's finding ids, most likely root cause first. */
static void
msg_findings(struct jsonw *w, const struct diag *d, const struct corr_msg *m)
{
	int idx[CORR_MAX_FINDS], n = 0, i, j, t;

	for (i = 0; i < m->nfinds; i++)
		if (m->finds[i] >= 0 && (size_t)m->finds[i] < d->n)
			idx[n++] = m->finds[i];
	for (i = 1; i < n; i++)		/* insertion sort by rank, n <= 8 */
		for (j = i; j > 0 && d->f[idx[j]]->rank > d->f[idx[j - 1]]->rank; j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	jw_arr_begin(w);
	for (i = 0; i < n; i++)
		jw_str(w, d->f[idx[i]]->def->id);
	jw_arr_end(w);
}

static void
msg_story(struct jsonw *w, struct report *r, const struct corr_msg *m)
{
	const char *p = m->story.s, *nl, *c1, *c2;
	int src;

	jw_arr_begin(w);
	while (p != NULL && (nl = strchr(p, '\n')) != NULL) {
		c1 = strchr(p, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 == NULL || c2 == NULL || c2 > nl)
			break;
		src = atoi(p);
		jw_obj_begin(w);
		JW_KEY(w, "source");
		jw_str(w, src >= 0 && src < r->info->nsources ? r->info->sources[src] : NULL);
		JW_KEY(w, "line");
		jw_int(w, strtoll(c1 + 1, NULL, 10));
		JW_KEY(w, "text");
		jw_strn(w, c2 + 1, (size_t)(nl - c2 - 1));
		jw_obj_end(w);
		p = nl + 1;
	}
	jw_arr_end(w);
}

static void
jw_time(struct jsonw *w, const struct logtime *t)
{
	char buf[48];

	if (!t->valid) {
		jw_null(w);
		return;
	}
	logtime_format(t, buf, sizeof(buf));
	jw_str(w, buf);
}

#define KSTR(k, v) do { JW_KEY(w, k); jw_str(w, v); } while (0)
#define KINT(k, v) do { JW_KEY(w, k); jw_int(w, v); } while (0)

void
report_json_message(struct report *r, const struct corr_msg *m)
{
	struct json_priv *jp = r->priv;
	struct jsonw *w = &jp->w;
	uint32_t i;
	int k;

	KSTR("queue_id", corr_str(m, m->qid));
	KSTR("instance", corr_str(m, m->instance));
	KSTR("log_host", corr_str(m, m->loghost));
	KSTR("outcome", dstatus_name(corr_msg_outcome(m)));
	JW_KEY(w, "complete");
	jw_bool(w, m->removed);
	JW_KEY(w, "first_seen");
	jw_time(w, &m->first);
	JW_KEY(w, "last_seen");
	jw_time(w, &m->last);
	KSTR("origin", origin_name(m->origin));
	JW_KEY(w, "uid");
	if (m->uid >= 0)
		jw_int(w, m->uid);
	else
		jw_null(w);
	KSTR("client", corr_str(m, m->client));
	KSTR("sasl_username", corr_str(m, m->sasl_user));
	KSTR("from", corr_str(m, m->from));
	JW_KEY(w, "size");
	if (m->size >= 0)
		jw_int(w, m->size);
	else
		jw_null(w);
	JW_KEY(w, "nrcpt");
	if (m->nrcpt_declared >= 0)
		jw_int(w, m->nrcpt_declared);
	else
		jw_null(w);
	KSTR("message_id", corr_str(m, m->msgid));
	KINT("delivery_rounds", m->attempts);
	KSTR("parent", corr_str(m, m->parent));
	JW_KEY(w, "children");
	jw_arr_begin(w);
	for (k = 0; k < m->nchildren; k++)
		jw_str(w, corr_str(m, m->children[k]));
	jw_arr_end(w);
	JW_KEY(w, "recipients");
	jw_arr_begin(w);
	for (i = 0; i < m->nrcpt; i++) {
		const struct corr_rcpt *rc = &m->rcpt[i];

		jw_obj_begin(w);
		KSTR("to", corr_str(m, rc->to));
		KSTR("orig_to", corr_str(m, rc->orig_to));
		KSTR("status", dstatus_name(rc->status));
		KSTR("relay", corr_str(m, rc->relay));
		KSTR("dsn", corr_str(m, rc->dsn));
		KSTR("reason", corr_str(m, rc->reason));
		JW_KEY(w, "delay");
		jw_num(w, corr_str(m, rc->delay));
		KSTR("delays", corr_str(m, rc->delays));
		KINT("attempts", rc->attempts);
		rcpt_facts(w, m, rc);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	KINT("recipients_not_listed", m->rcpt_dropped);
	JW_KEY(w, "findings");
	msg_findings(w, r->diag, m);
	if (r->info->queue_id != NULL) {
		JW_KEY(w, "story");
		msg_story(w, r, m);
	}
}

static void
json_message(struct report *r, const struct corr_msg *m)
{
	struct json_priv *jp = r->priv;
	struct jsonw *w = &jp->w;

	if (!report_msg_wanted(r, m))
		return;
	sb_reset(&jp->out);
	w->need_comma = 0;
	if (jp->nmsgs++ > 0)
		sb_addc(&jp->out, ',');
	sb_addc(&jp->out, '\n');
	jw_obj_begin(w);
	report_json_message(r, m);
	jw_obj_end(w);
	fwrite(jp->out.s, 1, jp->out.len, r->out);
}

/* Before diag_resolve the original severity is the severity. */
void
report_json_finding(struct report *r, json_object *o, const struct finding *f)
{
	json_object *q = json_object_new_array();
	json_object *ev = json_object_new_array();
	size_t i;

	json_object_object_add(o, "id", json_object_new_string(f->def->id));
	json_object_object_add(o, "severity", json_object_new_string(find_sev_name(f->severity)));
	json_object_object_add(o, "rank", json_object_new_int(f->rank));
	json_object_object_add(o, "host", f->host != NULL ? jstr(r, f->host) : NULL);
	json_object_object_add(o, "status", json_object_new_string(diag_status_name(f->status)));
	json_object_object_add(o, "resolved_at", f->status == DSTAT_RESOLVED ? jtime(&f->resolved_at)
			       : NULL);
	json_object_object_add(o, "original_severity", json_object_new_string(find_sev_name(
		r->diag != NULL && !r->diag->resolved ? f->severity : f->orig_severity)));
	json_object_object_add(o, "direct", json_object_new_boolean(f->direct));
	{
		json_object *lh = json_object_new_array();

		for (i = 0; i < f->nloghosts; i++)
			json_object_array_add(lh, jstr(r, f->loghosts[i]));
		json_object_object_add(o, "log_hosts", lh);
	}
	json_object_object_add(o, "consequence", json_object_new_boolean(
		f->msgs_consequence > 0 && f->msgs_delivered + f->msgs_failed == 0));
	if (f->direct) {
		json_object *dl = json_object_new_array();

		for (i = 0; i < f->ndetails; i++) {
			json_object *d = json_object_new_object();

			json_object_object_add(d, "key", jstr(r, f->details[i].key));
			json_object_object_add(d, "host", f->details[i].host != NULL
					       ? jstr(r, f->details[i].host) : NULL);
			json_object_object_add(d, "count",
					       json_object_new_int64((int64_t)f->details[i].count));
			json_object_array_add(dl, d);
		}
		json_object_object_add(o, "details", dl);
		json_object_object_add(o, "details_other",
				       json_object_new_int64((int64_t)f->details_other));
	}
	json_object_object_add(o, "title", jstr(r, f->title));
	json_object_object_add(o, "explanation", jstr(r, f->explain));
	json_object_object_add(o, "fix", jstr(r, f->fix));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)f->count));
	json_object_object_add(o, "observations", json_object_new_int64((int64_t)f->observations));
	json_object_object_add(o, "messages", json_object_new_int64((int64_t)f->nmessages));
	for (i = 0; i < f->nqids; i++)
		json_object_array_add(q, jstr(r, f->qids[i]));
	json_object_object_add(o, "queue_ids", q);
	json_object_object_add(o, "first_seen", jtime(&f->first));
	json_object_object_add(o, "last_seen", jtime(&f->last));
	for (i = 0; i < f->nev; i++) {
		const struct evidence *e = &f->ev[i];
		json_object *eo = json_object_new_object();

		json_object_object_add(eo, "kind", json_object_new_string(diag_ev_kind_name(e->kind)));
		if (e->is_config)
			json_object_object_add(eo, "file", jstr(r, e->file));
		else
			json_object_object_add(eo, "file", e->source >= 0 && e->source < r->info->nsources
					       ? jstr(r, r->info->sources[e->source]) : NULL);
		json_object_object_add(eo, "line", json_object_new_int64((int64_t)e->line));
		if (!e->is_config)
			json_object_object_add(eo, "time", jtime(&e->time));
		json_object_object_add(eo, "text", jstr(r, e->text));
		json_object_array_add(ev, eo);
	}
	json_object_object_add(o, "evidence", ev);
}


json_object *
report_json_findings(struct report *r, const struct diag *d, int handles)
{
	json_object *fa = json_object_new_array(), *o;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (report_finding_wanted(r, d->f[i])) {
			o = json_object_new_object();
			if (handles)
				json_object_object_add(o, "handle",
						       json_object_new_int64((int64_t)d->f[i]->handle));
			report_json_finding(r, o, d->f[i]);
			json_object_array_add(fa, o);
		}
	return fa;
}

json_object *
report_json_config(struct report *r)
{
	static const char *const params[] = {
		"relayhost", "smtp_tls_security_level", "smtp_tls_wrappermode",
		"smtp_tls_CAfile", "smtp_tls_CApath", "smtp_sasl_auth_enable",
		"smtp_sasl_password_maps", "smtp_sasl_security_options", NULL
	};
	const struct pfconf *cf = r->info->cf;
	json_object *o = json_object_new_object(), *p;
	int i, ch;

	json_object_object_add(o, "dir", jstr(r, r->info->config_dir));
	json_object_object_add(o, "root", cf != NULL ? jstr(r, cf->root) : NULL);
	json_object_object_add(o, "read", json_object_new_boolean(cf != NULL && cf->loaded));
	json_object_object_add(o, "error", cf != NULL ? jstr(r, cf->error) : NULL);
	if (cf == NULL || !cf->loaded)
		return o;
	p = json_object_new_object();
	for (i = 0; params[i] != NULL; i++)
		json_object_object_add(p, params[i], jstr(r, pfconf_get(cf, params[i], NULL)));
	json_object_object_add(o, "parameters", p);
	ch = pfconf_service_chroot(cf, "smtp", NULL);
	json_object_object_add(o, "smtp_chroot", ch < 0 ? NULL : json_object_new_boolean(ch));
	json_object_object_add(o, "sasl_password_file", jstr(r, cf->sasl_file));
	{
		static const char *const st[] = { NULL, "fresh", "stale", "missing" };

		json_object_object_add(o, "sasl_password_db", cf->sasl_db_state > 0
				       ? json_object_new_string(st[cf->sasl_db_state]) : NULL);
	}
	json_object_object_add(o, "sasl_password_entries", json_object_new_int64((int64_t)cf->nsasl));
	return o;
}

/* Stats: whether the input could be read, and the Postfix lines that
 * were not understood, by reason. */
static void
input_stats_json(struct report *r, json_object *st, const struct run_stats *rs)
{
	static const char *const verdicts[] = { "ok", "empty", "no_postfix", "unreadable", "none" };
	json_object *nu = json_object_new_object(), *fb = NULL;

	json_object_object_add(st, "postfix_lines", json_object_new_int64((int64_t)rs->tagged));
	json_object_object_add(nu, "header", json_object_new_int64((int64_t)rs->bad_header));
	json_object_object_add(nu, "queue_id", json_object_new_int64((int64_t)rs->bad_qid));
	json_object_object_add(nu, "record", json_object_new_int64((int64_t)rs->malformed));
	json_object_object_add(nu, "program_uncertain",
			       json_object_new_int64((int64_t)rs->prog_uncertain));
	json_object_object_add(st, "not_understood", nu);
	json_object_object_add(st, "input", json_object_new_string(
		(unsigned)rs->verdict < sizeof(verdicts) / sizeof(verdicts[0])
		? verdicts[rs->verdict] : "ok"));
	if (rs->first_bad_source >= 0 && rs->first_bad_source < r->info->nsources) {
		fb = json_object_new_object();
		json_object_object_add(fb, "source", jstr(r, r->info->sources[rs->first_bad_source]));
		json_object_object_add(fb, "line", json_object_new_int64((int64_t)rs->first_bad_lineno));
		json_object_object_add(fb, "text", jstr(r, rs->first_bad));
	}
	json_object_object_add(st, "first_unreadable", fb);
}

void
report_json_stats(struct report *r, json_object *st, const struct diag *d,
		  const struct corr_stats *cs, const struct run_stats *rs)
{
	json_object *msgs = json_object_new_object(), *fmts = json_object_new_object();
	int k;

	json_object_object_add(st, "observations", json_object_new_int64((int64_t)rs->observations));
	json_object_object_add(st, "lines", json_object_new_int64((int64_t)rs->lines));
	json_object_object_add(st, "bytes", json_object_new_int64((int64_t)rs->bytes));
	json_object_object_add(st, "parsed", json_object_new_int64((int64_t)rs->postfix));
	json_object_object_add(st, "not_postfix", json_object_new_int64((int64_t)rs->non_postfix));
	json_object_object_add(st, "other_hosts", json_object_new_int64((int64_t)rs->other_hosts));
	json_object_object_add(st, "malformed_postfix", json_object_new_int64((int64_t)rs->malformed));
	json_object_object_add(st, "unknown_format", json_object_new_int64((int64_t)rs->unknown_format));
	json_object_object_add(st, "truncated", json_object_new_int64((int64_t)rs->truncated));
	json_object_object_add(st, "unterminated", json_object_new_int64((int64_t)rs->unterminated));
	json_object_object_add(st, "read_errors", json_object_new_int64((int64_t)rs->read_errors));
	json_object_object_add(st, "lines_with_nul", json_object_new_int64((int64_t)rs->with_nul));
	for (k = 1; k < HDR_NFORMATS; k++)
		json_object_object_add(fmts, syslog_hdr_format_name((enum hdr_format)k),
				       json_object_new_int64((int64_t)rs->formats[k]));
	json_object_object_add(st, "header_formats", fmts);
	json_object_object_add(msgs, "total", json_object_new_int64((int64_t)cs->messages));
	json_object_object_add(msgs, "sent", json_object_new_int64((int64_t)cs->sent));
	json_object_object_add(msgs, "deferred", json_object_new_int64((int64_t)cs->deferred));
	json_object_object_add(msgs, "bounced", json_object_new_int64((int64_t)cs->bounced));
	json_object_object_add(msgs, "expired", json_object_new_int64((int64_t)cs->expired));
	json_object_object_add(msgs, "queued", json_object_new_int64((int64_t)cs->queued));
	json_object_object_add(msgs, "rejected", json_object_new_int64((int64_t)cs->rejected));
	json_object_object_add(msgs, "held", json_object_new_int64((int64_t)cs->held));
	json_object_object_add(msgs, "evicted", json_object_new_int64((int64_t)(cs->evicted + cs->stale)));
	json_object_object_add(st, "messages", msgs);
	json_object_object_add(st, "recipients", json_object_new_int64((int64_t)cs->recipients));
	json_object_object_add(st, "findings_dropped", json_object_new_int64((int64_t)d->dropped));
	input_stats_json(r, st, rs);
}

static void
json_end(struct report *r, struct diag *d, const struct corr_stats *cs,
	 const struct run_stats *rs)
{
	json_object *fa = report_json_findings(r, d, 0), *st = json_object_new_object();
	json_object *co = report_json_config(r);

	fputs("\n],\"findings\":", r->out);
	report_json_emit(r, fa);
	fputs(",\"config\":", r->out);
	report_json_emit(r, co);
	if (r->info->probe != NULL) {
		json_object *po = report_json_probe(r->info->probe);

		fputs(",\"probe\":", r->out);
		report_json_emit(r, po);
		json_object_put(po);
	}
	report_json_stats(r, st, d, cs, rs);
	fputs(",\"stats\":", r->out);
	report_json_emit(r, st);
	fputs("}\n", r->out);
	json_object_put(fa);
	json_object_put(co);
	json_object_put(st);
}

void
report_json_priv_init(struct json_priv *jp)
{
	memset(jp, 0, sizeof(*jp));
	sb_init(&jp->sb);
	sb_init(&jp->out);
	jw_init(&jp->w, &jp->out);
}

void
report_json_priv_free(struct json_priv *jp)
{
	sb_free(&jp->sb);
	sb_free(&jp->out);
	jw_free(&jp->w);
}

static void
json_free(struct report *r)
{
	report_json_priv_free(r->priv);
	free(r->priv);
}

static const struct report_ops json_ops = {
	.begin = json_begin, .message = json_message, .end = json_end, .free = json_free
};

struct report *
report_json_alloc(FILE *out, const struct run_info *info, const struct diag *d,
		  const struct report_ops *ops)
{
	struct report *r = xcalloc(1, sizeof(*r));
	struct json_priv *jp = xmalloc(sizeof(*jp));

	report_json_priv_init(jp);
	r->ops = ops;
	r->out = out;
	r->info = info;
	r->diag = d;
	r->priv = jp;
	return r;
}

struct report *
report_json_new(FILE *out, const struct run_info *info, const struct diag *d)
{
	return report_json_alloc(out, info, d, &json_ops);
}
