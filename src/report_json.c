/*
 * report_json.c - the JSON document (schema_version 1, see README):
 * written incrementally so memory stays flat: the head and "messages"
 * array first, one message object as each message completes, then
 * findings, config and stats. Every string goes through ts_json_clean, so
 * the output is valid UTF-8 whatever bytes the log holds.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "textsafe.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct json_priv {
	int nmsgs;
	struct strbuf sb;
};

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

static void
emit(struct report *r, json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_FLAGS), r->out);
}

static void
json_begin(struct report *r)
{
	json_object *src = json_object_new_array();
	int i;

	for (i = 0; i < r->info->nsources; i++)
		json_object_array_add(src, jstr(r, r->info->sources[i]));
	fputs("{\"schema_version\":1,\"generator\":\"" PACKAGE_STRING "\",\"sources\":", r->out);
	emit(r, src);
	fputs(",\"messages\":[", r->out);
	json_object_put(src);
}

/* A number that keeps Postfix's own notation ("0.05"). */
static json_object *
jnum(const char *s)
{
	char *end;
	double d;

	if (s == NULL || *s == '\0')
		return NULL;
	d = strtod(s, &end);
	if (*end != '\0')
		return NULL;
	return json_object_new_double_s(d, s);
}

static json_object *
rcpt_facts(struct report *r, const struct corr_msg *m, const struct corr_rcpt *rc,
	   json_object *obj)
{
	const char *f = corr_rcpt_facts(m, rc), *end, *us, *v, *ve;

	while (f != NULL && *f != '\0' && (end = strchr(f, '\x1e')) != NULL) {
		json_object *fact = json_object_new_object();

		us = memchr(f, '\x1f', (size_t)(end - f));
		if (us != NULL) {
			char name[64];
			size_t nl = (size_t)(us - f) < sizeof(name) - 1 ? (size_t)(us - f) : sizeof(name) - 1;

			memcpy(name, f, nl);
			name[nl] = '\0';
			while (us != NULL && us < end) {
				const char *k = us + 1;

				v = memchr(k, '\x1f', (size_t)(end - k));
				if (v == NULL)
					break;
				ve = memchr(v + 1, '\x1f', (size_t)(end - v - 1));
				if (ve == NULL)
					ve = end;
				{
					char key[64];
					size_t kl = (size_t)(v - k) < sizeof(key) - 1 ? (size_t)(v - k) : sizeof(key) - 1;

					memcpy(key, k, kl);
					key[kl] = '\0';
					json_object_object_add(fact, key, jstr_n(r, v + 1, (size_t)(ve - v - 1)));
				}
				us = ve < end ? ve : NULL;
			}
			json_object_object_add(obj, name, fact);
		} else {
			json_object_put(fact);
		}
		f = end + 1;
	}
	return obj;
}

static int
cmp_find_rank(const void *a, const void *b, void *ctx)
{
	const struct diag *d = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	return d->f[y]->rank - d->f[x]->rank;
}

/* The message's finding ids, most likely root cause first. */
static json_object *
msg_findings(const struct diag *d, const struct corr_msg *m)
{
	json_object *arr = json_object_new_array();
	int idx[CORR_MAX_FINDS], n = 0, i, j;

	for (i = 0; i < m->nfinds; i++)
		if (m->finds[i] >= 0 && (size_t)m->finds[i] < d->n)
			idx[n++] = m->finds[i];
	/* insertion sort by rank (n <= 8) */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cmp_find_rank(&idx[j - 1], &idx[j], (void *)d) > 0; j--) {
			int t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(d->f[idx[i]]->def->id));
	return arr;
}

static json_object *
msg_story(struct report *r, const struct corr_msg *m)
{
	json_object *arr = json_object_new_array();
	const char *p = m->story.s, *nl, *c1, *c2;

	while (p != NULL && (nl = strchr(p, '\n')) != NULL) {
		json_object *o = json_object_new_object();
		int src;

		c1 = strchr(p, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 == NULL || c2 == NULL || c2 > nl) {
			json_object_put(o);
			break;
		}
		src = atoi(p);
		json_object_object_add(o, "source", src >= 0 && src < r->info->nsources
				       ? jstr(r, r->info->sources[src]) : NULL);
		json_object_object_add(o, "line", json_object_new_int64(strtoll(c1 + 1, NULL, 10)));
		json_object_object_add(o, "text", jstr_n(r, c2 + 1, (size_t)(nl - c2 - 1)));
		json_object_array_add(arr, o);
		p = nl + 1;
	}
	return arr;
}

static void
json_message(struct report *r, const struct corr_msg *m)
{
	json_object *o, *rcpts, *kids;
	uint32_t i;
	int k;

	if (!report_msg_wanted(r, m))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "queue_id", jstr(r, corr_str(m, m->qid)));
	json_object_object_add(o, "instance", jstr(r, corr_str(m, m->instance)));
	json_object_object_add(o, "outcome", json_object_new_string(dstatus_name(corr_msg_outcome(m))));
	json_object_object_add(o, "complete", json_object_new_boolean(m->removed));
	json_object_object_add(o, "first_seen", jtime(&m->first));
	json_object_object_add(o, "last_seen", jtime(&m->last));
	json_object_object_add(o, "origin", json_object_new_string(origin_name(m->origin)));
	json_object_object_add(o, "uid", m->uid >= 0 ? json_object_new_int64(m->uid) : NULL);
	json_object_object_add(o, "client", jstr(r, corr_str(m, m->client)));
	json_object_object_add(o, "sasl_username", jstr(r, corr_str(m, m->sasl_user)));
	json_object_object_add(o, "from", jstr(r, corr_str(m, m->from)));
	json_object_object_add(o, "size", m->size >= 0 ? json_object_new_int64(m->size) : NULL);
	json_object_object_add(o, "nrcpt", m->nrcpt_declared >= 0
			       ? json_object_new_int64(m->nrcpt_declared) : NULL);
	json_object_object_add(o, "message_id", jstr(r, corr_str(m, m->msgid)));
	json_object_object_add(o, "delivery_rounds", json_object_new_int64(m->attempts));
	json_object_object_add(o, "parent", jstr(r, corr_str(m, m->parent)));
	kids = json_object_new_array();
	for (k = 0; k < m->nchildren; k++)
		json_object_array_add(kids, jstr(r, corr_str(m, m->children[k])));
	json_object_object_add(o, "children", kids);
	rcpts = json_object_new_array();
	for (i = 0; i < m->nrcpt; i++) {
		const struct corr_rcpt *rc = &m->rcpt[i];
		json_object *ro = json_object_new_object();

		json_object_object_add(ro, "to", jstr(r, corr_str(m, rc->to)));
		json_object_object_add(ro, "orig_to", jstr(r, corr_str(m, rc->orig_to)));
		json_object_object_add(ro, "status", json_object_new_string(dstatus_name(rc->status)));
		json_object_object_add(ro, "relay", jstr(r, corr_str(m, rc->relay)));
		json_object_object_add(ro, "dsn", jstr(r, corr_str(m, rc->dsn)));
		json_object_object_add(ro, "reason", jstr(r, corr_str(m, rc->reason)));
		json_object_object_add(ro, "delay", jnum(corr_str(m, rc->delay)));
		json_object_object_add(ro, "delays", jstr(r, corr_str(m, rc->delays)));
		json_object_object_add(ro, "attempts", json_object_new_int64(rc->attempts));
		rcpt_facts(r, m, rc, ro);
		json_object_array_add(rcpts, ro);
	}
	json_object_object_add(o, "recipients", rcpts);
	json_object_object_add(o, "recipients_not_listed", json_object_new_int64(m->rcpt_dropped));
	json_object_object_add(o, "findings", msg_findings(r->diag, m));
	if (r->info->queue_id != NULL)
		json_object_object_add(o, "story", msg_story(r, m));
	if (((struct json_priv *)r->priv)->nmsgs++ > 0)
		fputc(',', r->out);
	fputs("\n", r->out);
	emit(r, o);
	json_object_put(o);
}

static json_object *
finding_json(struct report *r, const struct finding *f)
{
	json_object *o = json_object_new_object(), *q = json_object_new_array();
	json_object *ev = json_object_new_array();
	size_t i;

	json_object_object_add(o, "id", json_object_new_string(f->def->id));
	json_object_object_add(o, "severity", json_object_new_string(find_sev_name(f->severity)));
	json_object_object_add(o, "rank", json_object_new_int(f->rank));
	json_object_object_add(o, "title", jstr(r, f->title));
	json_object_object_add(o, "explanation", jstr(r, f->explain));
	json_object_object_add(o, "fix", jstr(r, f->fix));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)f->count));
	json_object_object_add(o, "messages", json_object_new_int64((int64_t)f->nmessages));
	for (i = 0; i < f->nqids; i++)
		json_object_array_add(q, jstr(r, f->qids[i]));
	json_object_object_add(o, "queue_ids", q);
	json_object_object_add(o, "first_seen", jtime(&f->first));
	json_object_object_add(o, "last_seen", jtime(&f->last));
	for (i = 0; i < f->nev; i++) {
		const struct evidence *e = &f->ev[i];
		json_object *eo = json_object_new_object();

		json_object_object_add(eo, "kind", json_object_new_string(e->is_config ? "config" : "log"));
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
	return o;
}

static int
finding_wanted(const struct report *r, const struct finding *f)
{
	size_t i;

	if (r->info->queue_id == NULL)
		return 1;
	for (i = 0; i < f->nqids; i++)
		if (strcmp(f->qids[i], r->info->queue_id) == 0)
			return 1;
	return 0;
}

static json_object *
config_json(struct report *r)
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
	json_object_object_add(o, "sasl_password_entries", json_object_new_int64((int64_t)cf->nsasl));
	return o;
}

static void
json_end(struct report *r, struct diag *d, const struct corr_stats *cs,
	 const struct run_stats *rs)
{
	json_object *fa = json_object_new_array(), *st = json_object_new_object();
	json_object *msgs = json_object_new_object(), *fmts = json_object_new_object();
	size_t i;
	int k;

	for (i = 0; i < d->n; i++)
		if (finding_wanted(r, d->f[i]))
			json_object_array_add(fa, finding_json(r, d->f[i]));
	fputs("\n],\"findings\":", r->out);
	emit(r, fa);
	fputs(",\"config\":", r->out);
	{
		json_object *co = config_json(r);

		emit(r, co);
		json_object_put(co);
	}
	json_object_object_add(st, "lines", json_object_new_int64((int64_t)rs->lines));
	json_object_object_add(st, "bytes", json_object_new_int64((int64_t)rs->bytes));
	json_object_object_add(st, "parsed", json_object_new_int64((int64_t)rs->postfix));
	json_object_object_add(st, "not_postfix", json_object_new_int64((int64_t)rs->non_postfix));
	json_object_object_add(st, "unknown_format", json_object_new_int64((int64_t)rs->unknown_format));
	json_object_object_add(st, "truncated", json_object_new_int64((int64_t)rs->truncated));
	json_object_object_add(st, "unterminated", json_object_new_int64((int64_t)rs->unterminated));
	json_object_object_add(st, "read_errors", json_object_new_int64((int64_t)rs->read_errors));
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
	json_object_object_add(msgs, "evicted", json_object_new_int64((int64_t)(cs->evicted + cs->stale)));
	json_object_object_add(st, "messages", msgs);
	json_object_object_add(st, "recipients", json_object_new_int64((int64_t)cs->recipients));
	json_object_object_add(st, "findings_dropped", json_object_new_int64((int64_t)d->dropped));
	fputs(",\"stats\":", r->out);
	emit(r, st);
	fputs("}\n", r->out);
	json_object_put(fa);
	json_object_put(st);
}

static void
json_free(struct report *r)
{
	struct json_priv *jp = r->priv;

	sb_free(&jp->sb);
	free(jp);
}

static const struct report_ops json_ops = {
	json_begin, json_message, json_end, json_free
};

struct report *
report_json_new(FILE *out, const struct run_info *info, const struct diag *d)
{
	struct report *r = xcalloc(1, sizeof(*r));
	struct json_priv *jp = xcalloc(1, sizeof(*jp));

	sb_init(&jp->sb);
	r->ops = &json_ops;
	r->out = out;
	r->info = info;
	r->diag = d;
	r->priv = jp;
	return r;
}
