/*
 * test_diagnose.c - unit tests of the diagnosis: how hits fold into
 * findings (one per finding ID and remote host), host normalisation,
 * counts, queue IDs, severity and rank of the matches that hit, and
 * template expansion from the first hit of each finding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "diagnose.h"
#include "record.h"
#include "util.h"

#define S(x) ((struct span){ (x), strlen(x) })

static const char RULES[] =
	"[finding t.auth]\nseverity = error\nrank = 70\n"
	"title = auth failed at ${server|(no server)}\nexplain = e\nfix = f\n\n"
	"[match t.auth]\nregex = ^auth failed at (?<server>\\S+)$\n\n"
	"[match t.auth]\nrank = 40\nseverity = warning\nregex = ^auth trouble$\n\n"
	"[finding t.conn]\ntitle = refused by ${host}\nexplain = e\nfix = f\n\n"
	"[match t.conn]\nregex = ^connect to (?<host>\\S+): refused$\n\n"
	"[finding t.dns]\ntitle = no name ${name}\nexplain = e\nfix = f\n\n"
	"[match t.dns]\nregex = ^no such name (?<name>\\S+)$\n\n"
	"[finding t.svc]\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.svc]\nregex = ^service (?<service>\\S+) is busy$\n\n"
	"[finding t.state]\nseverity = warning\nresolved_by = never\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.state]\nregex = ^map of (?<server>\\S+) is stale$\n\n"
	"[finding t.msg]\nresolved_by = message\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.msg]\nregex = ^sender refused by (?<server>\\S+)$\n\n"
	"[finding t.class]\nseverity = warning\nrank = 10\ngroup = class\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.class]\nregex = ^mailbox full at (?<server>\\S+)$\n";

struct fx {
	struct catalog cat;
	struct diag d;
	char path[64];
	unsigned long lineno;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct strbuf err;
	FILE *fp;
	int fd;

	assert_non_null(fx);
	snprintf(fx->path, sizeof(fx->path), "/tmp/fmrd-test-diag.XXXXXX");
	fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(RULES, fp);
	fclose(fp);
	sb_init(&err);
	catalog_init(&fx->cat);
	if (catalog_load_path(&fx->cat, fx->path, &err) != 0
	    || catalog_finalize(&fx->cat, &err) != 0)
		fail_msg("rules: %s", err.s);
	sb_free(&err);
	diag_init(&fx->d, NULL, &fx->cat);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	diag_free(&fx->d);
	catalog_free(&fx->cat);
	unlink(fx->path);
	free(fx);
	return 0;
}

/* Feed one record ("postfix/smtp[1]: [QID: ]text"); the finding index. */
static int
feed(struct fx *fx, const char *rest)
{
	struct pf_record rec;
	struct cat_hit hit;
	struct evref ev;
	int idx;

	memset(&rec, 0, sizeof(rec));
	if (!record_parse((struct span){ rest, strlen(rest) }, &rec))
		fail_msg("not a Postfix record: %s", rest);
	if (!catalog_match(&fx->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &rec, DS_NONE, rec.text,
			   NULL, &hit))
		fail_msg("no rule matches: %s", rest);
	memset(&ev, 0, sizeof(ev));
	ev.lineno = ++fx->lineno;
	ev.text = (struct span){ rest, strlen(rest) };
	idx = diag_hit(&fx->d, &hit, &rec, &ev);
	assert_true(idx >= 0);
	if (rec.qid.len > 0) {
		char qid[32];

		snprintf(qid, sizeof(qid), "%.*s", (int)rec.qid.len, rec.qid.p);
		diag_attach(&fx->d, idx, qid);
	}
	return idx;
}

static const struct finding *
find(struct fx *fx, const char *id, const char *host)
{
	size_t i;

	for (i = 0; i < fx->d.n; i++) {
		const struct finding *f = fx->d.f[i];

		if (strcmp(f->def->id, id) == 0
		    && (host == NULL ? f->host == NULL : f->host != NULL && strcmp(f->host, host) == 0))
			return f;
	}
	fail_msg("no finding %s for host %s", id, host ? host : "(none)");
	return NULL;
}

static void
test_one_finding_per_host(void **state)
{
	struct fx *fx = *state;
	const struct finding *a, *b;

	/* the same host in every spelling: one finding */
	feed(fx, "postfix/smtp[1]: 1A2B3C4D5E: auth failed at smtp.a.example[192.0.2.1]:587");
	feed(fx, "postfix/smtp[2]: 2A2B3C4D5E: auth failed at SMTP.A.example[192.0.2.2]:25");
	feed(fx, "postfix/smtp[3]: 3A2B3C4D5E: auth failed at [smtp.a.example]:587");
	feed(fx, "postfix/smtp[4]: 4A2B3C4D5E: auth failed at smtp.a.example:587");
	/* another host: a finding of its own, texts from its own first hit */
	feed(fx, "postfix/smtp[5]: 5A2B3C4D5E: auth failed at smtp.b.example[198.51.100.7]:587");
	assert_int_equal(fx->d.n, 2);
	a = find(fx, "t.auth", "smtp.a.example");
	b = find(fx, "t.auth", "smtp.b.example");
	assert_int_equal(a->count, 4);
	assert_int_equal(a->nqids, 4);
	assert_int_equal(b->count, 1);
	assert_string_equal(a->title, "auth failed at smtp.a.example[192.0.2.1]:587");
	assert_string_equal(b->title, "auth failed at smtp.b.example[198.51.100.7]:587");
	assert_string_equal(b->qids[0], "5A2B3C4D5E");
}

static void
test_hit_without_host(void **state)
{
	struct fx *fx = *state;
	const struct finding *f;

	/* a hit naming no host starts a finding without host ... */
	feed(fx, "postfix/smtp[1]: 1A2B3C4D5E: auth trouble");
	assert_int_equal(fx->d.n, 1);
	assert_null(fx->d.f[0]->host);
	assert_string_equal(fx->d.f[0]->title, "auth failed at (no server)");
	/* ... which takes the first host named later */
	feed(fx, "postfix/smtp[2]: 2A2B3C4D5E: auth failed at smtp.a.example[192.0.2.1]:587");
	assert_int_equal(fx->d.n, 1);
	f = find(fx, "t.auth", "smtp.a.example");
	assert_int_equal(f->count, 2);
	/* the warning match lowered nothing: severity and rank are the highest */
	assert_int_equal(f->severity, FSEV_ERROR);
	assert_int_equal(f->rank, 70);
	/* another host now gets its own finding; host-less hits join the first */
	feed(fx, "postfix/smtp[3]: 3A2B3C4D5E: auth failed at smtp.b.example[198.51.100.7]:587");
	feed(fx, "postfix/smtp[4]: 4A2B3C4D5E: auth trouble");
	assert_int_equal(fx->d.n, 2);
	assert_int_equal(find(fx, "t.auth", "smtp.a.example")->count, 3);
	assert_int_equal(find(fx, "t.auth", "smtp.b.example")->count, 1);
}

static void
test_host_forms(void **state)
{
	struct fx *fx = *state;

	/* IPv6: in brackets, or bare (its colons are no port separator) */
	feed(fx, "postfix/smtp[1]: connect to [2001:DB8::25]:587: refused");
	feed(fx, "postfix/smtp[1]: connect to 2001:db8::25: refused");
	feed(fx, "postfix/smtp[1]: connect to mail.example[2001:db8::25]:25: refused");
	feed(fx, "postfix/smtp[1]: connect to mail.example:25: refused");
	assert_int_equal(fx->d.n, 2);
	assert_int_equal(find(fx, "t.conn", "2001:db8::25")->count, 2);
	assert_int_equal(find(fx, "t.conn", "mail.example")->count, 2);
	/* name= captures (DNS) key the finding too; different ids never mix */
	feed(fx, "postfix/smtp[1]: no such name Mail.Example");
	assert_int_equal(fx->d.n, 3);
	assert_int_equal(find(fx, "t.dns", "mail.example")->count, 1);
}

/* Expand tmpl against the hit of rest; compare with want. */
static void
expand_eq(struct fx *fx, const char *rest, const char *tmpl, const char *want)
{
	struct pf_record rec;
	struct cat_hit hit;
	struct strbuf out;

	memset(&rec, 0, sizeof(rec));
	assert_true(record_parse((struct span){ rest, strlen(rest) }, &rec));
	assert_true(catalog_match(&fx->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &rec, DS_NONE,
				  rec.text, NULL, &hit));
	sb_init(&out);
	diag_expand(&fx->d, &out, tmpl, &hit, &rec);
	assert_string_equal(out.s != NULL ? out.s : "", want);
	sb_free(&out);
}

#define WITH "postfix/relay/smtp[1]: auth failed at smtp.a.example[192.0.2.1]:587"
#define WITHOUT "postfix/smtp[1]: auth trouble"

/* Template, the record whose hit fills it in, the expected text. */
static const struct {
	const char *rest, *tmpl, *want;
} template_cases[] = {
	{ WITH, "${server}", "smtp.a.example[192.0.2.1]:587" },
	{ WITHOUT, "${server}", "(unknown)" },
	/* ${x|default}: the value, else the default (which may hold ${...}) */
	{ WITH, "${server|none}", "smtp.a.example[192.0.2.1]:587" },
	{ WITHOUT, "${server|none via ${program}}", "none via smtp" },
	/* ${x?text}: text (with ${...}) only when x has a value */
	{ WITH, "a${server? at ${server}}.", "a at smtp.a.example[192.0.2.1]:587." },
	{ WITHOUT, "a${server? at ${server}}.", "a." },
	{ WITHOUT, "${server?x}${server|y}", "y" },
	/* program and service of the record; configuration not read */
	{ WITH, "${program}/${service}", "smtp/relay" },
	{ WITH, "${config:relayhost}", "(not read)" },
	{ WITH, "${config:relayhost|[h]:587}", "[h]:587" },
	{ WITH, "${config:relayhost?set}", "" },
	/* a capture named like a built-in wins */
	{ "postfix/relay/smtp[1]: service smtp is busy", "${service}/${program}", "smtp/smtp" },
	/* malformed: unknown operator, unclosed brace */
	{ WITH, "${server!x}", "?" },
	{ WITH, "${server", "${server" },
};

/* Resolution: (text, outcome of its message, success over the next hop
 * after it) -> status and severity after diag_resolve. */
static void
test_resolution_table(void **state)
{
	static const struct {
		const char *text;
		enum dstatus outcome;	/* DS_NONE: not attached to a message */
		int success_after, success_before, consequence;
		enum diag_status want;
		enum find_sev want_sev;
	} cases[] = {
		/* fixed, flushed or new mail went through: resolved */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_DEFERRED, 1, 0, 0,
		  DSTAT_RESOLVED, FSEV_INFO },
		/* the success came before the last failure: still failing */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_DEFERRED, 0, 1, 0,
		  DSTAT_ACTIVE, FSEV_ERROR },
		/* the message was delivered by a later attempt: overcome */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_SENT, 0, 0, 0,
		  DSTAT_OVERCOME, FSEV_INFO },
		/* bounced at once: later mail proves nothing for it */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_BOUNCED, 1, 0, 0,
		  DSTAT_ACTIVE, FSEV_ERROR },
		/* about no message: nothing to judge */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_NONE, 1, 0, 0,
		  DSTAT_ACTIVE, FSEV_ERROR },
		/* a lasting state is never resolved */
		{ "map of smtp.x.com is stale", DS_SENT, 1, 0, 0, DSTAT_ACTIVE, FSEV_WARNING },
		/* resolved_by = message: the next hop's success does not count */
		{ "sender refused by smtp.x.com[192.0.2.1]:587", DS_DEFERRED, 1, 0, 0,
		  DSTAT_ACTIVE, FSEV_ERROR },
		{ "sender refused by smtp.x.com[192.0.2.1]:587", DS_SENT, 1, 0, 0,
		  DSTAT_OVERCOME, FSEV_INFO },
		/* only a bounce notification failed: a consequence, a warning */
		{ "auth failed at smtp.x.com[192.0.2.1]:587", DS_BOUNCED, 0, 0, 1,
		  DSTAT_ACTIVE, FSEV_WARNING },
	};
	struct fx *fx = *state;
	struct logtime t = { 1000, -1, 0, 0, 1 };
	char rest[256];
	size_t i;
	int idx;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		diag_free(&fx->d);
		diag_init(&fx->d, NULL, &fx->cat);
		fx->d.seq = 10;
		if (cases[i].success_before)
			diag_success(&fx->d, S("smtp.x.com[192.0.2.1]:587"), &t);
		fx->d.seq = 20;
		snprintf(rest, sizeof(rest), "postfix/smtp[1]: %s", cases[i].text);
		idx = feed(fx, rest);
		if (cases[i].outcome != DS_NONE)
			diag_outcome(&fx->d, idx, cases[i].outcome, cases[i].consequence);
		fx->d.seq = 30;
		if (cases[i].success_after)
			diag_success(&fx->d, S("smtp.x.com[192.0.2.2]:587"), &t);
		diag_rank(&fx->d);
		assert_int_equal(fx->d.n, 1);
		if (fx->d.f[0]->status != cases[i].want || fx->d.f[0]->severity != cases[i].want_sev)
			fail_msg("case %zu (%s): status %s severity %s", i, cases[i].text,
				 diag_status_name(fx->d.f[0]->status),
				 find_sev_name(fx->d.f[0]->severity));
	}
}

/* Problems before notes, active before resolved, causes before
 * consequences, then rank. */
static void
test_rank_order_with_status(void **state)
{
	struct fx *fx = *state;
	struct logtime t = { 1000, -1, 0, 0, 1 };
	int a, b;

	fx->d.seq = 1;
	a = feed(fx, "postfix/smtp[1]: auth failed at smtp.x.com[192.0.2.1]:587");	/* rank 70 */
	diag_outcome(&fx->d, a, DS_BOUNCED, 1);	/* only a notification */
	fx->d.seq = 2;
	b = feed(fx, "postfix/smtp[1]: connect to smtp.y.com: refused");	/* rank 50 */
	diag_outcome(&fx->d, b, DS_DEFERRED, 0);
	fx->d.seq = 3;
	feed(fx, "postfix/smtp[1]: auth failed at smtp.z.com[192.0.2.3]:587");
	fx->d.seq = 4;
	diag_outcome(&fx->d, 2, DS_DEFERRED, 0);
	diag_success(&fx->d, S("smtp.z.com[192.0.2.3]:587"), &t);	/* resolves the third */
	diag_rank(&fx->d);
	assert_int_equal(fx->d.n, 3);
	assert_string_equal(fx->d.f[0]->host, "smtp.y.com");		/* active cause */
	assert_string_equal(fx->d.f[1]->host, "smtp.x.com");		/* consequence */
	assert_int_equal(fx->d.f[1]->severity, FSEV_WARNING);
	assert_string_equal(fx->d.f[2]->host, "smtp.z.com");		/* resolved: a note */
	assert_int_equal(fx->d.f[2]->status, DSTAT_RESOLVED);
}

/* group = class and hits about recipients' MX hosts: one finding per ID,
 * recipient domains as detail rows. */
static void
test_class_grouping(void **state)
{
	static const char *const lines[] = {
		"postfix/smtp[1]: mailbox full at mx.a.example[192.0.2.1]:25",
		"postfix/smtp[1]: mailbox full at mx.b.example[192.0.2.2]:25",
		"postfix/smtp[1]: mailbox full at mx.a.example[192.0.2.1]:25",
		"postfix/smtp[1]: connect to mx.c.example: refused",
		"postfix/smtp[1]: connect to mx.d.example: refused",
	};
	static const char *const domains[] = { "a.example", "b.example", "A.Example", "", "" };
	struct fx *fx = *state;
	struct pf_record rec;
	struct cat_hit hit;
	struct evref ev;
	struct diag_hitctx hc;
	const struct finding *f;
	size_t i;

	for (i = 0; i < 5; i++) {
		memset(&rec, 0, sizeof(rec));
		assert_true(record_parse(S(lines[i]), &rec));
		assert_true(catalog_match(&fx->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &rec, DS_NONE,
					  rec.text, NULL, &hit));
		memset(&ev, 0, sizeof(ev));
		ev.text = S(lines[i]);
		ev.host = S("web1");
		hc.path = i < 3 ? NH_UNKNOWN : NH_DIRECT;
		hc.domain = S(domains[i]);
		assert_true(diag_hit_ctx(&fx->d, &hit, &rec, &ev, &hc) >= 0);
	}
	assert_int_equal(fx->d.n, 2);
	f = find(fx, "t.class", NULL);
	assert_true(f->direct);
	assert_int_equal(f->ndetails, 2);
	assert_string_equal(f->details[0].key, "a.example");
	assert_int_equal(f->details[0].count, 2);
	assert_string_equal(f->details[0].host, "mx.a.example");
	assert_string_equal(f->details[1].key, "b.example");
	f = find(fx, "t.conn", NULL);
	assert_true(f->direct);
	assert_int_equal(f->ndetails, 2);
	assert_string_equal(f->details[1].key, "mx.d.example");
	assert_int_equal(f->nloghosts, 1);
	assert_string_equal(f->loghosts[0], "web1");
}

static void
test_templates(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(template_cases) / sizeof(template_cases[0]); i++)
		expand_eq(*state, template_cases[i].rest, template_cases[i].tmpl,
			  template_cases[i].want);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_one_finding_per_host),
		T(test_hit_without_host),
		T(test_host_forms),
		T(test_templates),
		T(test_resolution_table),
		T(test_rank_order_with_status),
		T(test_class_grouping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
