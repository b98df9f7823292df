/*
 * report_probe.c - the probe's part of the reports: its phases, the
 * server's certificate chain, the trust it was checked against and the
 * AUTH mechanisms, as a text section and as the JSON "probe" object.
 * Every string from the server goes through textsafe (terminal-safe
 * text, valid UTF-8 JSON).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "probe.h"
#include "report.h"
#include "textsafe.h"
#include "util.h"

static json_object *
pj_str(struct strbuf *sb, const char *s)
{
	if (s == NULL)
		return NULL;
	sb_reset(sb);
	ts_json_clean(sb, s, strlen(s));
	return json_object_new_string_len(sb->s, (int)sb->len);
}

static json_object *
pj_str_or_null(struct strbuf *sb, const char *s)
{
	return s == NULL || *s == '\0' ? NULL : pj_str(sb, s);
}

static json_object *
pj_trust(struct strbuf *sb, const struct probe_trust *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "verified", json_object_new_boolean(t->verified));
	json_object_object_add(o, "error", t->verified ? NULL : pj_str_or_null(sb, t->error));
	json_object_object_add(o, "source", pj_str(sb, t->source));
	return o;
}

static json_object *
pj_tls(struct strbuf *sb, const struct probe_result *p)
{
	json_object *o = json_object_new_object(), *chain = json_object_new_array();
	size_t i;

	json_object_object_add(o, "protocol", pj_str(sb, p->protocol));
	json_object_object_add(o, "cipher", pj_str(sb, p->cipher));
	for (i = 0; i < p->nchain; i++) {
		const struct probe_cert *c = &p->chain[i];
		json_object *co = json_object_new_object(), *san = json_object_new_array();
		const char *s = c->san, *e;

		json_object_object_add(co, "subject", pj_str(sb, c->subject));
		json_object_object_add(co, "issuer", pj_str(sb, c->issuer));
		while (*s != '\0') {
			e = strstr(s, ", ");
			sb_reset(sb);
			ts_json_clean(sb, s, e != NULL ? (size_t)(e - s) : strlen(s));
			json_object_array_add(san, json_object_new_string_len(sb->s, (int)sb->len));
			if (e == NULL)
				break;
			s = e + 2;
		}
		json_object_object_add(co, "san", san);
		json_object_object_add(co, "not_before", pj_str(sb, c->not_before));
		json_object_object_add(co, "not_after", pj_str(sb, c->not_after));
		json_object_object_add(co, "days_left", json_object_new_int64(c->days_left));
		json_object_object_add(co, "sha256", pj_str(sb, c->sha256));
		json_object_array_add(chain, co);
	}
	json_object_object_add(o, "chain", chain);
	json_object_object_add(o, "configured_trust", pj_trust(sb, &p->configured));
	json_object_object_add(o, "system_trust", pj_trust(sb, &p->system));
	json_object_object_add(o, "matched_name", pj_str_or_null(sb, p->matched));
	return o;
}

json_object *
report_json_probe(const struct probe_result *p)
{
	json_object *o = json_object_new_object(), *ph = json_object_new_array(), *eh;
	struct strbuf sb;
	const char *s;
	size_t i;

	sb_init(&sb);
	json_object_object_add(o, "destination", pj_str(&sb, p->dest));
	json_object_object_add(o, "origin", pj_str(&sb, p->origin));
	json_object_object_add(o, "host", pj_str(&sb, p->host));
	json_object_object_add(o, "port", pj_str(&sb, p->port_num));
	json_object_object_add(o, "address", pj_str_or_null(&sb, p->address));
	json_object_object_add(o, "tls_level", pj_str(&sb, *p->level != '\0' ? p->level : "none"));
	json_object_object_add(o, "wrapper_mode", json_object_new_boolean(p->wrapper));
	json_object_object_add(o, "result", json_object_new_string(p->failed < 0 ? "ok" : "failed"));
	json_object_object_add(o, "failed_phase", p->failed < 0 ? NULL
			       : json_object_new_string(probe_phase_name((enum probe_phase)p->failed)));
	for (i = 0; i < PH_COUNT; i++) {
		json_object *po = json_object_new_object();

		json_object_object_add(po, "phase", json_object_new_string(probe_phase_name(i)));
		json_object_object_add(po, "status",
				       json_object_new_string(probe_status_name(p->step[i].status)));
		json_object_object_add(po, "detail", pj_str_or_null(&sb, p->step[i].detail));
		json_object_object_add(po, "ms", json_object_new_int64(p->step[i].ms));
		json_object_array_add(ph, po);
	}
	json_object_object_add(o, "phases", ph);
	json_object_object_add(o, "tls", p->tls_done ? pj_tls(&sb, p) : NULL);
	if (p->ehlo_done) {
		json_object *mechs = json_object_new_array(), *usable = json_object_new_array();
		const char *lists[2] = { p->auth_mechs, p->auth_usable };
		json_object *arrs[2] = { mechs, usable };
		size_t k, n;

		eh = json_object_new_object();
		json_object_object_add(eh, "starttls", json_object_new_boolean(p->starttls_offered));
		for (k = 0; k < 2; k++)
			for (s = lists[k]; *s != '\0'; s += n + (s[n] != '\0')) {
				n = strcspn(s, " ");
				if (n == 0)
					continue;
				sb_reset(&sb);
				ts_json_clean(&sb, s, n);
				json_object_array_add(arrs[k], json_object_new_string_len(sb.s, (int)sb.len));
			}
		json_object_object_add(eh, "auth", mechs);
		json_object_object_add(eh, "auth_usable", usable);
		json_object_object_add(eh, "size", json_object_new_int64((int64_t)p->size_limit));
		json_object_object_add(o, "ehlo", eh);
	} else {
		json_object_object_add(o, "ehlo", NULL);
	}
	sb_free(&sb);
	return o;
}

static void
pt_line(FILE *out, struct strbuf *sb, const char *s)
{
	sb_reset(sb);
	ts_text_clean(sb, s, strlen(s));
	fputs(sb->s, out);
}

void
report_text_probe(FILE *out, const struct probe_result *p)
{
	static const char *const label[] = { "-", "ok", "WARNING", "FAILED" };
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	fputs("Probe of ", out);
	pt_line(out, &sb, p->dest);
	fprintf(out, " (%s, TLS level %s%s)\n", p->origin, *p->level != '\0' ? p->level : "none",
		p->wrapper ? ", wrapper mode" : "");
	for (i = 0; i < PH_COUNT; i++) {
		const struct probe_step *s = &p->step[i];

		if (s->status == PS_SKIPPED && *s->detail == '\0')
			continue;
		fprintf(out, "  %-10s %-7s ", probe_phase_name(i), label[s->status]);
		pt_line(out, &sb, *s->detail != '\0' ? s->detail : "not reached");
		fputc('\n', out);
	}
	if (p->tls_done)
		for (i = 0; i < p->nchain; i++) {
			fprintf(out, "  %s ", i == 0 ? "chain     " : "          ");
			pt_line(out, &sb, p->chain[i].subject);
			fputs(" <- ", out);
			pt_line(out, &sb, p->chain[i].issuer);
			fprintf(out, ", until %.10s\n", p->chain[i].not_after);
		}
	if (p->tls_done && p->configured.tried) {
		fputs("  trust      smtp(8): ", out);
		pt_line(out, &sb, p->configured.verified ? "verified" : p->configured.error);
		fputs(" (", out);
		pt_line(out, &sb, p->configured.source);
		fputs("); the system's: ", out);
		pt_line(out, &sb, p->system.verified ? "verified" : p->system.error);
		fputc('\n', out);
	}
	if (p->failed < 0)
		fputs("  => every phase passed\n\n", out);
	else
		fprintf(out, "  => failed at %s\n\n", probe_phase_name((enum probe_phase)p->failed));
	sb_free(&sb);
}
