/*
 * test_catalog.c - unit tests of the pattern catalog: loading *.rules
 * files, matching (program, level, status, scope and literal filters,
 * rank order, fallback rules), named captures, configuration conditions
 * ("when ="), load errors with their file:line, and a guard over the
 * real knowledge base in patterns/: every example line matches its own
 * rule, and no other finding claims it first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "catalog.h"
#include "catalog_int.h"
#include "pfconf.h"
#include "record.h"
#include "textsafe.h"

#include "testutil.h"

/* --- fixture: a temporary directory, a catalog, an error buffer ---------- */

struct ctx {
	char dir[64];
	char path[256];		/* last file written */
	struct catalog cat;
	struct strbuf err;
	struct pfconf cf;
	int cf_used;
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	strcpy(c->dir, "/tmp/fmrd-test-catalog.XXXXXX");
	if (mkdtemp(c->dir) == NULL) {
		free(c);
		return -1;
	}
	catalog_init(&c->cat);
	sb_init(&c->err);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	catalog_free(&c->cat);
	sb_free(&c->err);
	if (c->cf_used)
		pfconf_free(&c->cf);
	tu_tree_remove(c->dir);
	ts_secrets_clear();	/* pfconf_load may register secrets */
	free(c);
	return 0;
}

/* Write NAME into the fixture directory. */
static const char *
put(struct ctx *c, const char *name, const char *text)
{
	snprintf(c->path, sizeof(c->path), "%s/%s", c->dir, name);
	write_file(c->path, text);
	return c->path;
}

/* Write test.rules, load the directory and finalize; fail on any error. */
static void
load_ok(struct ctx *c, const char *text)
{
	put(c, "test.rules", text);
	if (catalog_load_path(&c->cat, c->dir, &c->err) != 0)
		fail_msg("load failed: %s", c->err.s);
	if (catalog_finalize(&c->cat, &c->err) != 0)
		fail_msg("finalize failed: %s", c->err.s);
	assert_int_equal(c->err.len, 0);
}

/* Write test.rules and load it; it must fail with exactly this error
 * ("<path>:" is prefixed here). */
static void
load_fails(struct ctx *c, const char *text, const char *expect)
{
	char want[1024];

	put(c, "test.rules", text);
	if (catalog_load_path(&c->cat, c->path, &c->err) != -1)
		fail_msg("load of\n%s\nsucceeded, expected: %s", text, expect);
	snprintf(want, sizeof(want), "%s:%s", c->path, expect);
	assert_string_equal(c->err.s, want);
}

static void
rec_parse(const char *rest, struct pf_record *r)
{
	struct span s = { rest, strlen(rest) };

	memset(r, 0, sizeof(*r));
	if (!record_parse(s, r))
		fail_msg("not a Postfix record: %s", rest);
}

/* First finding rule matching rest's text in line scope; its id or NULL. */
static const char *
match_line(struct ctx *c, const char *rest, const struct pfconf *cf, struct cat_hit *hit)
{
	struct pf_record r;
	struct cat_hit h;

	rec_parse(rest, &r);
	if (hit == NULL)
		hit = &h;
	if (!catalog_match(&c->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &r, DS_NONE, r.text, cf, hit))
		return NULL;
	return hit->rule->id;
}

#define assert_match(c, rest, cf, id) do {				\
	const char *got_ = match_line((c), (rest), (cf), NULL);		\
	if (got_ == NULL || strcmp(got_, (id)) != 0)			\
		fail_msg("\"%s\": matched %s, expected %s", (rest),	\
			 got_ ? got_ : "nothing", (id));		\
} while (0)

#define assert_no_match(c, rest, cf) do {				\
	const char *got_ = match_line((c), (rest), (cf), NULL);		\
	if (got_ != NULL)						\
		fail_msg("\"%s\": matched %s, expected no match", (rest), got_); \
} while (0)

/* --- loading ------------------------------------------------------------- */

static const char SASL_RULES[] =
	"# a finding and its match\n"				/* 1 */
	"[finding test.auth_failed]\n"				/* 2 */
	"severity = error\n"					/* 3 */
	"rank = 70\n"						/* 4 */
	"title = The relay host rejected the credentials (${server} said\n"	/* 5 */
	"    ${code})\n"					/* 6 */
	"explain = First paragraph.\n"				/* 7 */
	"    .\n"						/* 8 */
	"    Second paragraph.\n"				/* 9 */
	"fix = Fix the password.\n"				/* 10 */
	"\n"							/* 11 */
	"[match test.auth_failed]\n"				/* 12 */
	"programs = smtp lmtp\n"				/* 13 */
	"regex = ^SASL authentication failed; server (?<server>\\S+) said: "
	"(?<code>[45]\\d\\d)(?: (?<reply>.*))?$\n"		/* 14 */
	"example = SASL authentication failed; server x[1.2.3.4] said: 535 5.7.8 no\n";

static void
test_load_valid(void **state)
{
	struct ctx *c = *state;
	const struct cat_finding *f;
	const struct cat_rule *r;

	load_ok(c, SASL_RULES);
	assert_int_equal(c->cat.nfindings, 1);
	assert_int_equal(c->cat.nrules, 1);
	assert_int_equal(c->cat.finalized, 1);

	f = catalog_finding(&c->cat, "test.auth_failed");
	assert_non_null(f);
	assert_ptr_equal(f, &c->cat.findings[0]);
	assert_null(catalog_finding(&c->cat, "test.other"));
	assert_string_equal(f->id, "test.auth_failed");
	assert_int_equal(f->severity, FSEV_ERROR);
	assert_int_equal(f->rank, 70);
	/* continuation lines are joined with one space; "." is a paragraph */
	assert_string_equal(f->title, "The relay host rejected the credentials (${server} said ${code})");
	assert_string_equal(f->explain, "First paragraph.\nSecond paragraph.");
	assert_string_equal(f->fix, "Fix the password.");
	assert_string_equal(f->file, c->path);
	assert_int_equal(f->line, 2);

	r = &c->cat.rules[0];
	assert_int_equal(r->kind, KIND_FINDING);
	assert_string_equal(r->id, "test.auth_failed");
	assert_ptr_equal(r->finding, f);
	assert_true(r->progmask == (((uint64_t)1 << PROG_SMTP) | ((uint64_t)1 << PROG_LMTP)));
	assert_int_equal(r->scopes, 1u << SCOPE_LINE);
	assert_int_equal(r->statuses, 0);
	assert_int_equal(r->min_level, SEV_INFO);
	assert_int_equal(r->severity, FSEV_ERROR);	/* inherited */
	assert_int_equal(r->rank, 70);			/* inherited */
	assert_int_equal(r->fallback, 0);
	assert_int_equal(r->nconds, 0);
	assert_int_equal(r->anchored, 1);
	assert_string_equal(r->literal, "SASL authentication failed; server ");
	assert_int_equal(r->literal_len, strlen("SASL authentication failed; server "));
	assert_int_equal(r->nnames, 3);
	assert_int_equal(r->nexamples, 1);
	assert_string_equal(r->examples[0], "SASL authentication failed; server x[1.2.3.4] said: 535 5.7.8 no");
	assert_string_equal(r->file, c->path);
	assert_int_equal(r->line, 12);
	assert_string_equal(find_sev_name(FSEV_OK), "ok");
	assert_string_equal(find_sev_name(FSEV_WARNING), "warning");
	assert_string_equal(find_sev_name(FSEV_ERROR), "error");
}

static void
test_match_and_captures(void **state)
{
	struct ctx *c = *state;
	struct cat_hit hit;
	struct span v;
	const char *rest = "postfix/smtp[1]: SASL authentication failed; server x[1.2.3.4] said: 535 5.7.8 no";

	load_ok(c, SASL_RULES);
	assert_non_null(match_line(c, rest, NULL, &hit));
	assert_string_equal(hit.rule->id, "test.auth_failed");
	assert_ptr_equal(hit.rule->finding, catalog_finding(&c->cat, "test.auth_failed"));
	assert_span_eq(hit.subject, "SASL authentication failed; server x[1.2.3.4] said: 535 5.7.8 no");
	assert_int_equal(catalog_capture(&hit, "server", &v), 1);
	assert_span_eq(v, "x[1.2.3.4]");
	assert_int_equal(catalog_capture(&hit, "code", &v), 1);
	assert_span_eq(v, "535");
	assert_int_equal(catalog_capture(&hit, "reply", &v), 1);
	assert_span_eq(v, "5.7.8 no");
	assert_int_equal(catalog_capture(&hit, "nosuchgroup", &v), 0);

	/* the optional group did not take part: no capture */
	assert_non_null(match_line(c, "postfix/smtp[1]: SASL authentication failed; server y said: 454",
				   NULL, &hit));
	assert_int_equal(catalog_capture(&hit, "code", &v), 1);
	assert_span_eq(v, "454");
	assert_int_equal(catalog_capture(&hit, "reply", &v), 0);

	/* the same text with the queue ID prefix: the record text is matched */
	assert_match(c, "postfix/smtp[1]: 4F2C31A0B7E: SASL authentication failed; server x said: 535 no",
		     NULL, "test.auth_failed");
	assert_no_match(c, "postfix/smtp[1]: SASL authentication failed; server x said: 235 ok", NULL);
	assert_no_match(c, "postfix/smtp[1]: xSASL authentication failed; server x said: 535 no", NULL);
	assert_no_match(c, "postfix/smtp[1]: connect to x[1.2.3.4]:25: Connection refused", NULL);
}

static void
test_program_filter(void **state)
{
	struct ctx *c = *state;

	load_ok(c, SASL_RULES);
	assert_match(c, "postfix/smtp[1]: SASL authentication failed; server x said: 535 no", NULL,
		     "test.auth_failed");
	assert_match(c, "postfix/lmtp[1]: SASL authentication failed; server x said: 535 no", NULL,
		     "test.auth_failed");
	assert_match(c, "postfix/relay/smtp[1]: SASL authentication failed; server x said: 535 no", NULL,
		     "test.auth_failed");
	assert_no_match(c, "postfix/qmgr[1]: SASL authentication failed; server x said: 535 no", NULL);
	assert_no_match(c, "postfix/smtpd[1]: SASL authentication failed; server x said: 535 no", NULL);
	assert_no_match(c, "postfix-out/policyd[1]: SASL authentication failed; server x said: 535 no", NULL);
}

static void
test_any_program(void **state)
{
	struct ctx *c = *state;

	load_ok(c,
		"[finding t.any]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.any]\nregex = ^no programs field$\n\n"
		"[match t.any]\nprograms = *\nregex = ^programs star$\n");
	assert_int_equal(c->cat.rules[0].progmask, 0);
	assert_int_equal(c->cat.rules[1].progmask, 0);
	assert_match(c, "postfix/qmgr[1]: no programs field", NULL, "t.any");
	assert_match(c, "postfix/smtpd[1]: programs star", NULL, "t.any");
	assert_match(c, "postfix-out/policyd[1]: programs star", NULL, "t.any");
	assert_match(c, "postfix[1]: no programs field", NULL, "t.any");
}

static void
test_level_filter(void **state)
{
	struct ctx *c = *state;

	load_ok(c,
		"[finding t.lvl]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.lvl]\nlevel = warning\nregex = ^disk full$\n");
	assert_int_equal(c->cat.rules[0].min_level, SEV_WARNING);
	assert_no_match(c, "postfix/smtp[1]: disk full", NULL);
	assert_match(c, "postfix/smtp[1]: warning: disk full", NULL, "t.lvl");
	assert_match(c, "postfix/smtp[1]: error: disk full", NULL, "t.lvl");
	assert_match(c, "postfix/smtp[1]: fatal: disk full", NULL, "t.lvl");
	assert_match(c, "postfix/smtp[1]: warning: 4F2C31A0B7E: disk full", NULL, "t.lvl");
}

static const char RANK_RULES[] =
	"[finding t.low]\nrank = 40\ntitle = t\nexplain = e\nfix = f\n\n"
	"[finding t.high]\nrank = 60\nseverity = warning\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.low]\nregex = ^connect to (?<host>\\S+): Connection refused$\n\n"
	"[match t.high]\nregex = ^connect to \\S+: Connection\n\n"
	"[match t.low]\nrank = 90\nseverity = info\nregex = ^connect to special\\S+: Connection refused$\n";

static void
test_rank_order(void **state)
{
	struct ctx *c = *state;
	struct cat_hit hit;
	size_t i;

	load_ok(c, RANK_RULES);
	/* rules are sorted by rank, highest first */
	assert_int_equal(c->cat.nrules, 3);
	for (i = 1; i < c->cat.nrules; i++)
		assert_true(c->cat.rules[i - 1].rank >= c->cat.rules[i].rank);
	assert_int_equal(c->cat.rules[0].rank, 90);
	assert_string_equal(c->cat.rules[0].id, "t.low");
	assert_int_equal(c->cat.rules[0].severity, FSEV_INFO);	/* match overrides */
	assert_int_equal(c->cat.rules[1].rank, 60);
	assert_string_equal(c->cat.rules[1].id, "t.high");
	assert_int_equal(c->cat.rules[1].severity, FSEV_WARNING);
	assert_int_equal(c->cat.rules[2].rank, 40);
	/* the finding pointers survive the sort */
	for (i = 0; i < c->cat.nrules; i++)
		assert_ptr_equal(c->cat.rules[i].finding, catalog_finding(&c->cat, c->cat.rules[i].id));

	/* both t.low (40) and t.high (60) match: the higher rank wins */
	assert_non_null(match_line(c, "postfix/smtp[1]: connect to h[1.2.3.4]:25: Connection refused",
				   NULL, &hit));
	assert_string_equal(hit.rule->id, "t.high");
	assert_int_equal(hit.rule->rank, 60);
	/* a match-level rank lifts t.low above t.high */
	assert_non_null(match_line(c, "postfix/smtp[1]: connect to special[1.2.3.4]:25: Connection refused",
				   NULL, &hit));
	assert_string_equal(hit.rule->id, "t.low");
	assert_int_equal(hit.rule->rank, 90);
}

static void
test_equal_rank_load_order(void **state)
{
	struct ctx *c = *state;
	static const char finding_b[] =
		"[finding t.b]\ntitle = t\nexplain = e\nfix = f\n\n[match t.b]\nregex = ^same text$\n";
	static const char finding_a[] =
		"[finding t.a]\ntitle = t\nexplain = e\nfix = f\n\n[match t.a]\nregex = ^same\n";

	/* files load in name order: a.rules before b.rules, whatever the
	 * directory order; on equal ranks the first loaded rule wins */
	put(c, "b.rules", finding_b);
	put(c, "a.rules", finding_a);
	put(c, "ignored.txt", "this is not a rules file\n");
	put(c, ".rules", "neither is this\n");
	assert_int_equal(catalog_load_path(&c->cat, c->dir, &c->err), 0);
	assert_int_equal(catalog_finalize(&c->cat, &c->err), 0);
	assert_int_equal(c->cat.nfindings, 2);
	assert_string_equal(c->cat.findings[0].id, "t.a");
	assert_match(c, "postfix/smtp[1]: same text", NULL, "t.a");
}

static const char FALLBACK_RULES[] =
	"[finding t.fb]\nseverity = warning\nrank = 5\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.fb]\non = reason\nstatus = deferred\nfallback = yes\nregex = ^(?<reason>.+)$\n\n"
	"[finding t.reg]\nrank = 5\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.reg]\non = line reason\nfallback = no\nregex = ^only regular$\n";

static void
test_fallback(void **state)
{
	struct ctx *c = *state;
	struct pf_record r;
	struct cat_hit hit;
	struct span reason = SPAN_LIT("connect to h[1.2.3.4]:25: Connection timed out");
	struct span regular = SPAN_LIT("only regular");
	struct span v;

	load_ok(c, FALLBACK_RULES);
	rec_parse("postfix/smtp[1]: 4F2C31A0B7E: to=<a@example.com>, status=deferred (x)", &r);
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_REGULAR, SCOPE_REASON, &r,
				       DS_DEFERRED, reason, NULL, &hit), 0);
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_FALLBACK, SCOPE_REASON, &r,
				       DS_DEFERRED, reason, NULL, &hit), 1);
	assert_string_equal(hit.rule->id, "t.fb");
	assert_int_equal(hit.rule->fallback, 1);
	assert_int_equal(catalog_capture(&hit, "reason", &v), 1);
	assert_span_eq(v, "connect to h[1.2.3.4]:25: Connection timed out");
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_REGULAR | CM_FALLBACK, SCOPE_REASON,
				       &r, DS_DEFERRED, reason, NULL, &hit), 1);
	assert_string_equal(hit.rule->id, "t.fb");
	/* status and scope filters */
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_FALLBACK, SCOPE_REASON, &r,
				       DS_BOUNCED, reason, NULL, &hit), 0);
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_FALLBACK, SCOPE_LINE, &r,
				       DS_DEFERRED, reason, NULL, &hit), 0);
	/* "fallback = no" is a regular rule, in both scopes */
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_FALLBACK, SCOPE_REASON, &r,
				       DS_SENT, regular, NULL, &hit), 0);
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_REGULAR, SCOPE_REASON, &r,
				       DS_SENT, regular, NULL, &hit), 1);
	assert_string_equal(hit.rule->id, "t.reg");
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &r,
				       DS_NONE, regular, NULL, &hit), 1);
	/* facts are a different kind */
	assert_int_equal(catalog_match(&c->cat, KIND_FACT, CM_REGULAR | CM_FALLBACK, SCOPE_LINE, &r,
				       DS_NONE, regular, NULL, &hit), 0);
}

static void
test_facts_and_literal(void **state)
{
	struct ctx *c = *state;
	struct pf_record r;
	struct cat_hit hit;
	struct span v;

	load_ok(c,
		"[fact tls]\nprograms = smtp\n"
		"regex = ^(?<trust>Trusted|Untrusted) TLS connection established to (?<peer>\\S+):\n\n"
		"[finding t.lit]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.lit]\nliteral = needle\nregex = ^hay.*needle\n\n"
		"[match t.lit]\nregex = ^abc?d$\n");
	/* a fact has no finding and rank 0: it sorts after the matches */
	assert_int_equal(c->cat.nrules, 3);
	assert_int_equal(c->cat.rules[2].kind, KIND_FACT);
	assert_string_equal(c->cat.rules[2].id, "tls");
	assert_null(c->cat.rules[2].finding);
	assert_int_equal(c->cat.rules[2].rank, 0);
	rec_parse("postfix/smtp[1]: Trusted TLS connection established to h[1.2.3.4]:587: TLSv1.3", &r);
	assert_int_equal(catalog_match(&c->cat, KIND_FACT, CM_REGULAR, SCOPE_LINE, &r, DS_NONE,
				       r.text, NULL, &hit), 1);
	assert_string_equal(hit.rule->id, "tls");
	assert_int_equal(catalog_capture(&hit, "trust", &v), 1);
	assert_span_eq(v, "Trusted");
	assert_int_equal(catalog_capture(&hit, "peer", &v), 1);
	assert_span_eq(v, "h[1.2.3.4]:587");
	assert_int_equal(catalog_match(&c->cat, KIND_FINDING, CM_REGULAR, SCOPE_LINE, &r, DS_NONE,
				       r.text, NULL, &hit), 0);

	/* an explicit literal is an unanchored substring prefilter */
	assert_string_equal(c->cat.rules[0].literal, "needle");
	assert_int_equal(c->cat.rules[0].anchored, 0);
	/* the derived prefix of "^abc?d" stops before the optional c */
	assert_string_equal(c->cat.rules[1].literal, "ab");
	assert_int_equal(c->cat.rules[1].anchored, 1);
	assert_match(c, "postfix/smtp[1]: hay and a needle", NULL, "t.lit");
	assert_no_match(c, "postfix/smtp[1]: needle and hay", NULL);
	/* "^abc?d": the optional c is not part of the literal prefix */
	assert_match(c, "postfix/smtp[1]: abd", NULL, "t.lit");
	assert_match(c, "postfix/smtp[1]: abcd", NULL, "t.lit");
}

static void
test_alternation_prefix(void **state)
{
	struct ctx *c = *state;

	/* A top-level alternation: the text before '|' is not a prefix of
	 * every match, so the prefilter must not require it. */
	load_ok(c,
		"[finding t.alt]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.alt]\nregex = ^no worthy mechs|no mechanism available$\n");
	assert_match(c, "postfix/smtp[1]: no worthy mechs found", NULL, "t.alt");
	assert_match(c, "postfix/smtp[1]: cannot authenticate: no mechanism available", NULL, "t.alt");
}

/* The literal of an anchored regex may sit inside groups that match
 * exactly once; optional groups and alternations give none. */
static void
test_group_prefix(void **state)
{
	static const struct {
		const char *regex, *literal;
	} cases[] = {
		{ "^(?<why>connect to (?<h>\\S+): refused)$", "connect to " },
		{ "^(?:(?<w>lost connection with) x)$", "lost connection with" },
		{ "^(host )+said", "host " },
		{ "^(?:host (?<s>\\S+) said: )?x$", NULL },
		{ "^(?:host|peer) x$", NULL },
		{ "^(?:ab(c)|de)$", NULL },
		{ "^(?=ab)abc$", NULL },
		{ "^(?i:abc)$", NULL },
		{ "^(?<n>[ab]|c)x$", NULL },
	};
	struct ctx *c = *state;
	char rules[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		catalog_free(&c->cat);
		catalog_init(&c->cat);
		snprintf(rules, sizeof(rules), "[finding t.g]\ntitle = t\nexplain = e\nfix = f\n\n"
			 "[match t.g]\nregex = %s\n", cases[i].regex);
		load_ok(c, rules);
		if (cases[i].literal == NULL) {
			if (c->cat.rules[0].literal != NULL)
				fail_msg("%s: literal \"%s\", expected none", cases[i].regex,
					 c->cat.rules[0].literal);
		} else {
			assert_non_null(c->cat.rules[0].literal);
			assert_string_equal(c->cat.rules[0].literal, cases[i].literal);
			assert_int_equal(c->cat.rules[0].anchored, 1);
		}
	}
	/* the optional group still matches without its text */
	catalog_free(&c->cat);
	catalog_init(&c->cat);
	load_ok(c, "[finding t.g]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.g]\nregex = ^(?:host (?<s>\\S+) said: )?x$\n");
	assert_match(c, "postfix/smtp[1]: x", NULL, "t.g");
	assert_match(c, "postfix/smtp[1]: host a said: x", NULL, "t.g");
}

static void
test_providers(void **state)
{
	struct ctx *c = *state;
	const struct cat_provider *p;

	load_ok(c,
		"[provider acme]\nhosts = smtp.acme.test .relay.acme.test\nname = Acme\n"
		"password = an app\n    password\n\n"
		"[provider other]\nhosts = mail.other.test\n");
	p = catalog_provider(&c->cat, "smtp.acme.test");
	assert_non_null(p);
	assert_string_equal(p->name, "acme");
	assert_string_equal(provider_field(p, "password"), "an app password");
	assert_null(provider_field(p, "identity"));
	/* log and relayhost forms, case-insensitive, suffix patterns */
	assert_ptr_equal(catalog_provider(&c->cat, "SMTP.Acme.test[192.0.2.1]:587"), p);
	assert_ptr_equal(catalog_provider(&c->cat, "[smtp.acme.test]:465"), p);
	assert_ptr_equal(catalog_provider(&c->cat, "eu.relay.acme.test"), p);
	assert_null(catalog_provider(&c->cat, "relay.acme.test"));	/* suffix needs a label */
	assert_null(catalog_provider(&c->cat, "notsmtp.acme.test"));
	assert_string_equal(catalog_provider(&c->cat, "mail.other.test")->name, "other");
	assert_null(catalog_provider(&c->cat, NULL));
}

static void
test_alternation_after_class(void **state)
{
	struct ctx *c = *state;

	/* '(' inside a character class opens no group: the '|' is top-level */
	load_ok(c,
		"[finding t.cls]\ntitle = t\nexplain = e\nfix = f\n\n"
		"[match t.cls]\nregex = ^foo[(]|^bar baz\n");
	assert_match(c, "postfix/smtp[1]: foo(x", NULL, "t.cls");
	assert_match(c, "postfix/smtp[1]: bar baz", NULL, "t.cls");
}

/* --- configuration conditions ------------------------------------------- */

static const char COND_RULES[] =
	"[finding t.cond]\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.cond]\nregex = ^c_chroot$\nwhen = chroot\n\n"
	"[match t.cond]\nregex = ^c_nochroot$\nwhen = !chroot\n\n"
	"[match t.cond]\nregex = ^c_set_capath$\nwhen = smtp_tls_CApath\n\n"
	"[match t.cond]\nregex = ^c_set_cafile$\nwhen = smtp_tls_CAfile\n\n"
	"[match t.cond]\nregex = ^c_unset_cafile$\nwhen = !smtp_tls_CAfile\n\n"
	"[match t.cond]\nregex = ^c_unset_capath$\nwhen = !smtp_tls_CApath\n\n"
	"[match t.cond]\nregex = ^c_eq$\nwhen = smtp_tls_security_level=encrypt\n\n"
	"[match t.cond]\nregex = ^c_eq_case$\nwhen = smtp_tls_security_level=ENCRYPT\n\n"
	"[match t.cond]\nregex = ^c_eq_wrong$\nwhen = smtp_tls_security_level=secure\n\n"
	"[match t.cond]\nregex = ^c_ne$\nwhen = smtp_tls_security_level!=secure\n\n"
	"[match t.cond]\nregex = ^c_ne_false$\nwhen = smtp_tls_security_level!=encrypt\n\n"
	"[match t.cond]\nregex = ^c_expand$\nwhen = smtp_sasl_tls_security_options=noanonymous\n\n"
	"[match t.cond]\nregex = ^c_contains (?<map>\\S+)$\nwhen = smtp_sasl_password_maps~map\n\n"
	"[match t.cond]\nregex = ^c_list_has (?<d>\\S+)$\nwhen = mydestination~=d\n\n"
	"[match t.cond]\nregex = ^c_list_lacks (?<d>\\S+)$\nwhen = mydestination!~=d\n\n"
	"[match t.cond]\nregex = ^c_all$\nwhen = chroot smtp_tls_CApath !smtp_tls_CAfile\n\n"
	"[match t.cond]\nregex = ^c_all_false$\nwhen = chroot smtp_tls_CApath smtp_tls_CAfile\n\n"
	"[match t.cond]\nregex = ^c_none$\n";

static void
load_conf(struct ctx *c)
{
	char sub[128];

	snprintf(sub, sizeof(sub), "%s/etc", c->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(c->path, sizeof(c->path), "%s/main.cf", sub);
	write_file(c->path,
		   "# test configuration\n"
		   "compatibility_level = 3.6\n"
		   "smtp_tls_CApath = /etc/ssl/certs\n"
		   "smtp_tls_security_level = encrypt\n"
		   "smtp_sasl_security_options = noanonymous\n"
		   "smtp_sasl_password_maps = hash:/etc/postfix/no_such_map\n"
		   "myhostname = mx1.example.com\n"
		   "mydestination = $myhostname,Example.COM  localhost\n");
	snprintf(c->path, sizeof(c->path), "%s/master.cf", sub);
	write_file(c->path,
		   "smtp      inet  n       -       n       -       -       smtpd\n"
		   "smtp      unix  -       -       y       -       -       smtp\n"
		   "relay     unix  -       -       n       -       -       smtp\n"
		   "    -o syslog_name=postfix/$service_name\n"
		   "lmtp      unix  -       -       -       -       -       lmtp\n");
	assert_int_equal(pfconf_load(&c->cf, sub), 0);
	c->cf_used = 1;
	assert_int_equal(c->cf.loaded, 1);
	assert_int_equal(c->cf.master_loaded, 1);
}

/* The condition registry: each word is read as the entry it names, with
 * its negation, parameter and value, and written back as it was. */
static void
test_cond_registry(void **state)
{
	static const struct {
		const char *word, *name, *param, *value;
		int negate, about_message;
	} t[] = {
		{ "chroot", "chroot", NULL, NULL, 0, 0 },
		{ "!chroot", "chroot", NULL, NULL, 1, 0 },
		{ "sasl_key", "sasl_key", NULL, NULL, 0, 0 },
		{ "!sasl_key", "sasl_key", NULL, NULL, 1, 0 },
		{ "sasl_db_stale", "sasl_db_stale", NULL, NULL, 0, 0 },
		{ "!sasl_db_missing", "sasl_db_missing", NULL, NULL, 1, 0 },
		{ "submitted", "submitted", NULL, NULL, 0, 1 },
		{ "!received", "received", NULL, NULL, 1, 1 },
		{ "!direct", "direct", NULL, NULL, 1, 1 },
		{ "smtp_tls_security_level=encrypt", "=", "smtp_tls_security_level", "encrypt", 0, 0 },
		{ "smtp_tls_security_level!=secure", "=", "smtp_tls_security_level", "secure", 1, 0 },
		{ "smtp_sasl_password_maps~map", "~", "smtp_sasl_password_maps", "map", 0, 0 },
		{ "mydestination~=d", "~=", "mydestination", "d", 0, 0 },
		{ "mydestination!~=d", "~=", "mydestination", "d", 1, 0 },
		{ "smtp_tls_CApath", "set", "smtp_tls_CApath", NULL, 0, 0 },
		{ "!smtp_tls_CAfile", "set", "smtp_tls_CAfile", NULL, 1, 0 },
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cat_cond c;
		FILE *fp = fmemopen(buf, sizeof(buf), "w");

		cat_cond_parse(t[i].word, &c);
		assert_string_equal(cat_cond_name(&c), t[i].name);
		assert_int_equal(c.negate, t[i].negate);
		assert_int_equal(cat_cond_about_message(&c), t[i].about_message);
		if (t[i].param != NULL)
			assert_string_equal(c.param, t[i].param);
		else
			assert_null(c.param);
		if (t[i].value != NULL)
			assert_string_equal(c.value, t[i].value);
		else
			assert_null(c.value);
		assert_non_null(fp);
		cat_cond_print(fp, &c);
		fclose(fp);
		assert_string_equal(buf + 1, t[i].word);
		free(c.param);
		free(c.value);
	}
}

static void
test_when_conditions(void **state)
{
	struct ctx *c = *state;
	const struct pfconf *cf;

	load_ok(c, COND_RULES);
	load_conf(c);
	cf = &c->cf;

	/* chroot column of the record's service (type unix preferred) */
	assert_match(c, "postfix/smtp[1]: c_chroot", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_nochroot", cf);
	assert_no_match(c, "postfix/relay/smtp[1]: c_chroot", cf);
	assert_match(c, "postfix/relay/smtp[1]: c_nochroot", cf, "t.cond");
	/* "-" with compatibility_level >= 1: not chrooted */
	assert_no_match(c, "postfix/lmtp[1]: c_chroot", cf);
	assert_match(c, "postfix/lmtp[1]: c_nochroot", cf, "t.cond");
	/* a service master.cf does not define: unknown, neither holds */
	assert_no_match(c, "postfix/submission/smtp[1]: c_chroot", cf);
	assert_no_match(c, "postfix/submission/smtp[1]: c_nochroot", cf);

	/* param / !param (defaults count: smtp_tls_CAfile is empty) */
	assert_match(c, "postfix/smtp[1]: c_set_capath", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_set_cafile", cf);
	assert_match(c, "postfix/smtp[1]: c_unset_cafile", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_unset_capath", cf);

	/* param=value (case-insensitive), param!=value */
	assert_match(c, "postfix/smtp[1]: c_eq", cf, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_eq_case", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_eq_wrong", cf);
	assert_match(c, "postfix/smtp[1]: c_ne", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_ne_false", cf);
	/* $name expansion of the default "$smtp_sasl_security_options" */
	assert_match(c, "postfix/smtp[1]: c_expand", cf, "t.cond");

	/* param~capture: the value contains the captured text */
	assert_match(c, "postfix/smtp[1]: c_contains hash:/etc/postfix/no_such_map", cf, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_contains /etc/postfix/no_such_map", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_contains hash:/etc/postfix/sasl_passwd", cf);

	/* param~=capture: a list element (blank or comma separated, after
	 * $name expansion) equals the capture, ignoring case; !~= negates */
	assert_match(c, "postfix/smtp[1]: c_list_has example.com", cf, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_list_has mx1.example.com", cf, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_list_has LOCALHOST", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_list_has ample.com", cf);
	assert_no_match(c, "postfix/smtp[1]: c_list_has example.co", cf);
	assert_no_match(c, "postfix/smtp[1]: c_list_has $myhostname", cf);
	assert_match(c, "postfix/smtp[1]: c_list_lacks example.net", cf, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_list_lacks ample.com", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_list_lacks mx1.example.com", cf);

	/* all conditions must hold */
	assert_match(c, "postfix/smtp[1]: c_all", cf, "t.cond");
	assert_no_match(c, "postfix/smtp[1]: c_all_false", cf);
	assert_no_match(c, "postfix/relay/smtp[1]: c_all", cf);

	assert_match(c, "postfix/smtp[1]: c_none", cf, "t.cond");
}

static void
test_when_without_config(void **state)
{
	static const char *const texts[] = {
		"c_chroot", "c_nochroot", "c_set_capath", "c_set_cafile", "c_unset_cafile",
		"c_unset_capath", "c_eq", "c_eq_case", "c_eq_wrong", "c_ne", "c_ne_false",
		"c_expand", "c_contains hash:/etc/postfix/no_such_map", "c_all", "c_all_false",
		"c_list_has localhost", "c_list_lacks example.net",
	};
	struct ctx *c = *state;
	struct pfconf unloaded;
	char rest[128];
	size_t i;

	load_ok(c, COND_RULES);
	/* a directory without main.cf: not loaded */
	assert_int_equal(pfconf_load(&unloaded, c->dir), -1);
	assert_int_equal(unloaded.loaded, 0);
	assert_non_null(unloaded.error);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		snprintf(rest, sizeof(rest), "postfix/smtp[1]: %s", texts[i]);
		assert_no_match(c, rest, NULL);
		assert_no_match(c, rest, &unloaded);
	}
	/* a rule without conditions does not need the configuration */
	assert_match(c, "postfix/smtp[1]: c_none", NULL, "t.cond");
	assert_match(c, "postfix/smtp[1]: c_none", &unloaded, "t.cond");
	pfconf_free(&unloaded);
}

/* --- message context and the delivery scope ---------------------------- */

static const char CTX_RULES[] =
	"[finding t.ctx]\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.ctx]\nregex = ^x_sub$\nwhen = submitted\n\n"
	"[match t.ctx]\nregex = ^x_notsub$\nwhen = !submitted\n\n"
	"[match t.ctx]\nregex = ^x_rcv$\nwhen = received\n\n"
	"[match t.ctx]\nregex = ^x_notrcv$\nwhen = !received\n\n"
	"[finding t.dlv]\ntitle = t\nexplain = e\nfix = f\n\n"
	"[match t.dlv]\nprograms = local\non = delivery\nstatus = sent\nliteral = relay=local,\n"
	"regex = ^to=<[^>]*>, relay=local, .*status=sent\n";

/* catalog_match_ctx on rest in scope, with message context ctx. */
static const char *
match_ctx(struct ctx *c, const char *rest, enum cat_scope scope, int status, unsigned ctx)
{
	struct pf_record r;
	struct cat_hit h;

	rec_parse(rest, &r);
	if (!catalog_match_ctx(&c->cat, KIND_FINDING, CM_REGULAR, scope, &r, status, r.text,
			       NULL, ctx, &h))
		return NULL;
	return h.rule->id;
}

static void
test_message_context(void **state)
{
	struct ctx *c = *state;
	const char *dl = "postfix/local[2]: 1A2B3C: to=<a@example.com>, relay=local, delay=0, "
		"delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)";

	load_ok(c, CTX_RULES);
	/* submitted/received need no configuration, only the message's origin */
	assert_non_null(match_ctx(c, "postfix/smtp[1]: x_sub", SCOPE_LINE, DS_NONE, CTX_SUBMITTED));
	assert_null(match_ctx(c, "postfix/smtp[1]: x_sub", SCOPE_LINE, DS_NONE, 0));
	assert_null(match_ctx(c, "postfix/smtp[1]: x_sub", SCOPE_LINE, DS_NONE, CTX_RECEIVED));
	assert_non_null(match_ctx(c, "postfix/smtp[1]: x_notsub", SCOPE_LINE, DS_NONE, 0));
	assert_null(match_ctx(c, "postfix/smtp[1]: x_notsub", SCOPE_LINE, DS_NONE, CTX_SUBMITTED));
	assert_non_null(match_ctx(c, "postfix/smtp[1]: x_rcv", SCOPE_LINE, DS_NONE, CTX_RECEIVED));
	assert_null(match_ctx(c, "postfix/smtp[1]: x_rcv", SCOPE_LINE, DS_NONE, CTX_SUBMITTED));
	assert_non_null(match_ctx(c, "postfix/smtp[1]: x_notrcv", SCOPE_LINE, DS_NONE, 0));
	assert_null(match_ctx(c, "postfix/smtp[1]: x_notrcv", SCOPE_LINE, DS_NONE, CTX_RECEIVED));
	/* catalog_match is catalog_match_ctx without context */
	assert_no_match(c, "postfix/smtp[1]: x_sub", NULL);
	assert_match(c, "postfix/smtp[1]: x_notsub", NULL, "t.ctx");

	/* on = delivery: the whole delivery line, sent ones included */
	assert_string_equal(match_ctx(c, dl, SCOPE_DELIVERY, DS_SENT, 0), "t.dlv");
	assert_null(match_ctx(c, dl, SCOPE_DELIVERY, DS_DEFERRED, 0));
	assert_null(match_ctx(c, dl, SCOPE_LINE, DS_NONE, 0));
	assert_null(match_ctx(c, dl, SCOPE_REASON, DS_SENT, 0));
	/* other programs' delivery lines are not candidates */
	assert_null(match_ctx(c, "postfix/smtp[2]: 1A2B3C: to=<a@example.com>, relay=local, "
			      "status=sent (x)", SCOPE_DELIVERY, DS_SENT, 0));
	assert_string_equal(catalog_scope_name(SCOPE_DELIVERY), "delivery");
}

/* --- errors -------------------------------------------------------------- */

static const char OK_FINDING[] = "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n";

static void
test_error_bad_regex(void **state)
{
	struct ctx *c = *state;
	static const char bad[] = "^foo(?<name>bar$";
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;
	char text[512], expect[512];

	/* what PCRE2 itself says about the pattern */
	re = pcre2_compile((PCRE2_SPTR)bad, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	assert_null(re);
	pcre2_get_error_message(code, msg, sizeof(msg));

	snprintf(text, sizeof(text),
		 "%s"				/* lines 1-5 */
		 "[match t.x]\n"		/* 6 */
		 "programs = smtp\n"		/* 7 */
		 "regex = %s\n"			/* 8 */
		 "example = foobar\n"		/* 9 */
		 "\n"				/* 10 */
		 "[finding t.y]\n"		/* 11 */
		 "title = t\nexplain = e\nfix = f\n", OK_FINDING, bad);
	snprintf(expect, sizeof(expect), "8: bad regex at offset %zu: %s", (size_t)off, (char *)msg);
	load_fails(c, text, expect);
}

static void
test_error_bad_regex_at_eof(void **state)
{
	struct ctx *c = *state;
	char expect[512];
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int code;

	assert_null(pcre2_compile((PCRE2_SPTR)"a[b", PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL));
	pcre2_get_error_message(code, msg, sizeof(msg));
	snprintf(expect, sizeof(expect), "7: bad regex at offset %zu: %s", (size_t)off, (char *)msg);
	load_fails(c,
		   "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n"	/* 1-5 */
		   "[match t.x]\n"					/* 6 */
		   "regex = a[b\n"					/* 7 */
		   "example = ab\n",					/* 8 */
		   expect);
}

static void
test_error_unknown_field(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n[match t.x]\nregex = ^a$\n"
		   "frobnicate = 1\n", "8: unknown match field \"frobnicate\"");
}

static void
test_error_unknown_finding_field(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\ntitle = t\nprograms = smtp\n",
		   "3: unknown finding field \"programs\"");
}

static void
test_error_undefined_finding(void **state)
{
	struct ctx *c = *state;
	char want[512];

	put(c, "test.rules", "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n"
	    "[match t.x]\nregex = ^a$\n\n"
	    "[match t.nope]\nregex = ^b$\n");
	/* loading succeeds: the finding may come from a later file */
	assert_int_equal(catalog_load_path(&c->cat, c->path, &c->err), 0);
	assert_int_equal(c->err.len, 0);
	assert_int_equal(catalog_finalize(&c->cat, &c->err), -1);
	snprintf(want, sizeof(want), "%s:9: match for undefined finding t.nope", c->path);
	assert_string_equal(c->err.s, want);
}

static void
test_error_finding_missing_fix(void **state)
{
	struct ctx *c = *state;

	/* detected when the stanza ends; reported at the stanza's header */
	load_fails(c, "[finding t.x]\ntitle = t\nexplain = e\n\n[match t.x]\nregex = ^a$\n",
		   "1: finding t.x needs title, explain and fix");
}

static void
test_error_match_without_regex(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n"
		   "[match t.x]\nprograms = smtp\nexample = a\n\n"
		   "[finding t.y]\ntitle = t\nexplain = e\nfix = f\n",
		   "6: match t.x has no regex");
}

static void
test_error_duplicate_finding(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n"
		   "[finding t.x]\ntitle = t2\nexplain = e2\nfix = f2\n",
		   "6: finding t.x defined twice");
}

static void
test_error_duplicate_across_files(void **state)
{
	struct ctx *c = *state;
	char want[512];

	put(c, "a.rules", OK_FINDING);
	put(c, "b.rules", "# again\n[finding t.x]\ntitle = t\nexplain = e\nfix = f\n");
	assert_int_equal(catalog_load_path(&c->cat, c->dir, &c->err), -1);
	snprintf(want, sizeof(want), "%s/b.rules:2: finding t.x defined twice", c->dir);
	assert_string_equal(c->err.s, want);
}

static void
test_error_unknown_program(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\ntitle = t\nexplain = e\nfix = f\n\n"
		   "[match t.x]\nprograms = smtp, bogus lmtp\nregex = ^a$\n",
		   "7: unknown program \"bogus\"");
}

static void
test_error_misc(void **state)
{
	struct ctx *c = *state;

	load_fails(c, "[finding t.x]\nseverity = fatal\n",
		   "2: bad severity \"fatal\" (ok, info, warning, error)");
	sb_reset(&c->err);
	load_fails(c, "[finding t.y]\nrank = 101\n", "2: rank must be 0..100");
	sb_reset(&c->err);
	load_fails(c, "[finding t.z]\nrank = 5x\n", "2: rank must be 0..100");
	sb_reset(&c->err);
	load_fails(c, "[finding T.Upper]\n", "1: bad id \"T.Upper\" (lower case, digits, '.', '_')");
	sb_reset(&c->err);
	load_fails(c, "\n# comment\ntitle = x\n",
		   "3: field outside a [finding], [match], [fact] or [provider] stanza");
	sb_reset(&c->err);
	load_fails(c, "[rule t.r]\n", "1: unknown stanza [rule]");
	sb_reset(&c->err);
	load_fails(c, "[finding t.w\n", "1: expected [finding ID], [match ID], [fact NAME] or [provider NAME]");
	sb_reset(&c->err);
	load_fails(c, "[finding t.v]\ntitle t\n", "2: expected \"name = value\"");
	sb_reset(&c->err);
	load_fails(c, "[match t.u]\non = body\nregex = ^a$\n", "2: unknown scope \"body\" (line, reason, delivery, config, probe)");
	sb_reset(&c->err);
	load_fails(c, "[match t.s]\nstatus = lost\nregex = ^a$\n", "2: unknown status \"lost\"");
	sb_reset(&c->err);
	load_fails(c, "[match t.q]\nlevel = debug\nregex = ^a$\n", "2: bad level \"debug\"");
	sb_reset(&c->err);
	load_fails(c, "[match t.p]\nregex = ^a$\nregex = ^b$\n", "3: duplicate field \"regex\"");
}

static void
test_error_paths(void **state)
{
	struct ctx *c = *state;
	char p[256], want[512];

	snprintf(p, sizeof(p), "%s/missing.rules", c->dir);
	assert_int_equal(catalog_load_path(&c->cat, p, &c->err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", p);
	assert_string_equal(c->err.s, want);

	sb_reset(&c->err);
	assert_int_equal(catalog_load_path(&c->cat, c->dir, &c->err), -1);
	snprintf(want, sizeof(want), "%s: no *.rules files", c->dir);
	assert_string_equal(c->err.s, want);
}

/* --- the knowledge base in patterns/ ----------------------------------- */

static void
patterns_dir(char *buf, size_t size)
{
	const char *src = getenv("FMRD_SRCDIR");
	struct stat st;

	if (src != NULL && *src != '\0') {
		snprintf(buf, size, "%s/patterns", src);
		return;
	}
	snprintf(buf, size, "../patterns");
	if (stat(buf, &st) == 0)
		return;
	snprintf(buf, size, "../../patterns");
	if (stat(buf, &st) == 0)
		return;
	snprintf(buf, size, "patterns");
}

/* A configuration under which every condition of rule r holds for a
 * record of program prog whose text is ex. */
static int
kb_conf(struct ctx *c, const struct cat_rule *r, enum prog_id prog, const char *ex,
	struct pfconf *cf)
{
	char dir[128], path[192];
	struct strbuf mainc, master;
	pcre2_match_data *md;
	struct cat_hit hit;
	struct span cap;
	int i, rc;

	snprintf(dir, sizeof(dir), "%s/kbconf", c->dir);
	tu_tree_remove(dir);
	if (mkdir(dir, 0700) != 0)
		return -1;
	sb_init(&mainc);
	sb_init(&master);
	sb_adds(&mainc, "compatibility_level = 3.6\n");
	md = pcre2_match_data_create_from_pattern(r->re, NULL);
	rc = pcre2_match(r->re, (PCRE2_SPTR)ex, strlen(ex), 0, 0, md, NULL);
	hit.rule = r;
	hit.subject.p = ex;
	hit.subject.len = strlen(ex);
	hit.ov = pcre2_get_ovector_pointer(md);
	for (i = 0; i < r->nconds; i++) {
		const struct cat_cond *cd = &r->conds[i];

		const char *name = cat_cond_name(cd);

		/* by the registry's names (rules_cond.c) */
		if (strcmp(name, "chroot") == 0) {
			sb_printf(&master, "%s unix - - %c - - %s\n", prog_name(prog),
				  cd->negate ? 'n' : 'y', prog_name(prog));
		} else if (strcmp(name, "set") == 0) {
			sb_printf(&mainc, "%s =%s\n", cd->param, cd->negate ? "" : " /kb/test/value");
		} else if (strcmp(name, "=") == 0) {
			sb_printf(&mainc, "%s = %s%s\n", cd->param, cd->value, cd->negate ? "_not" : "");
		} else if (strcmp(name, "~") == 0) {
			if (rc >= 0 && catalog_capture(&hit, cd->value, &cap))
				sb_printf(&mainc, "%s = kbtest:{%.*s}\n", cd->param, (int)cap.len, cap.p);
		} else if (strcmp(name, "~=") == 0) {
			if (cd->negate)
				sb_printf(&mainc, "%s = kb.test\n", cd->param);
			else if (rc >= 0 && catalog_capture(&hit, cd->value, &cap))
				sb_printf(&mainc, "%s = kb.test, %.*s\n", cd->param, (int)cap.len, cap.p);
		} else if (strcmp(name, "sasl_db_stale") == 0 || strcmp(name, "sasl_db_missing") == 0) {
			sb_adds(&mainc, "smtp_sasl_password_maps = hash:/kb/sasl_passwd\n");
			snprintf(path, sizeof(path), "%s/sasl_passwd", dir);
			write_file(path, "[kb.test]:587 u:p\n");
			if (strcmp(name, "sasl_db_stale") == 0) {
				struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

				snprintf(path, sizeof(path), "%s/sasl_passwd.db", dir);
				write_file(path, "db");
				utimes(path, tv);
			}
		} else if (strcmp(name, "sasl_key") == 0) {
			/* the map sits beside main.cf; its key matches relayhost or not */
			sb_adds(&mainc, "relayhost = [kb.test]:587\n"
				"smtp_sasl_password_maps = hash:/kb/sasl_passwd\n");
			snprintf(path, sizeof(path), "%s/sasl_passwd", dir);
			write_file(path, !cd->negate ? "[kb.test]:587 u:p\n" : "[kb.test] u:p\n");
		}
		/* submitted, received, direct: kb_ctx */
	}
	pcre2_match_data_free(md);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	write_file(path, mainc.s);
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	write_file(path, master.len ? master.s : "# none\n");
	sb_free(&mainc);
	sb_free(&master);
	return pfconf_load(cf, dir);
}

/* The message context under which the message conditions of r hold. */
static unsigned
kb_ctx(const struct cat_rule *r)
{
	unsigned ctx = 0;
	int i;

	for (i = 0; i < r->nconds; i++) {
		const char *name = cat_cond_name(&r->conds[i]);
		int neg = r->conds[i].negate;

		if (strcmp(name, "submitted") == 0 && !neg)
			ctx |= CTX_SUBMITTED;
		else if (strcmp(name, "received") == 0 && !neg)
			ctx |= CTX_RECEIVED;
		else if (strcmp(name, "direct") == 0)
			ctx |= neg ? CTX_RELAYED : CTX_DIRECT;
	}
	return ctx;
}

static const char *
status_label(int status)
{
	return status == DS_NONE ? "-" : dstatus_name((enum dstatus)status);
}

/* Check one example of rule r in one context; fails the test if another
 * finding claims it first. */
static void
kb_check(struct ctx *c, const struct cat_rule *r, const char *ex, enum cat_scope scope,
	 enum prog_id prog, int status)
{
	struct pf_record rec;
	struct pfconf cf;
	const struct pfconf *cfp = NULL;
	struct cat_hit hit;
	struct span text = { ex, strlen(ex) };
	int found;

	memset(&rec, 0, sizeof(rec));
	rec.prog = prog;
	rec.program.p = prog_name(prog);
	rec.program.len = strlen(rec.program.p);
	rec.service = rec.program;
	rec.instance = SPAN_LIT("postfix");
	rec.ident = rec.program;
	rec.pid = 1;
	rec.severity = r->min_level;
	rec.qid_kind = QID_NONE;
	rec.qid = SPAN_EMPTY;
	rec.text = text;
	if (r->nconds > 0) {
		if (kb_conf(c, r, prog, ex, &cf) != 0)
			fail_msg("%s:%d: cannot build a configuration for the conditions", r->file, r->line);
		cfp = &cf;
	}
	if (r->fallback) {
		/* a fallback example must not be claimed by a regular rule */
		found = catalog_match_ctx(&c->cat, r->kind, CM_REGULAR, scope, &rec, status, text,
					  cfp, kb_ctx(r), &hit);
		if (found && strcmp(hit.rule->id, r->id) != 0)
			fail_msg("%s:%d: example of fallback %s [%s, %s, status %s] is claimed by %s "
				 "(%s:%d): %s", r->file, r->line, r->id,
				 catalog_scope_name(scope), prog_name(prog),
				 status_label(status), hit.rule->id, hit.rule->file,
				 hit.rule->line, ex);
	}
	found = catalog_match_ctx(&c->cat, r->kind, r->fallback ? CM_FALLBACK : CM_REGULAR, scope,
				  &rec, status, text, cfp, kb_ctx(r), &hit);
	if (!found)
		fail_msg("%s:%d: example of %s [%s, %s, status %s] matches no rule: %s",
			 r->file, r->line, r->id, catalog_scope_name(scope),
			 prog_name(prog), status_label(status), ex);
	if (strcmp(hit.rule->id, r->id) != 0)
		fail_msg("%s:%d: example of %s [%s, %s, status %s] is claimed first by %s (%s:%d, "
			 "rank %d): %s", r->file, r->line, r->id,
			 catalog_scope_name(scope), prog_name(prog),
			 status_label(status), hit.rule->id, hit.rule->file,
			 hit.rule->line, hit.rule->rank, ex);
	if (cfp != NULL)
		pfconf_free(&cf);
}

static void
test_knowledge_base(void **state)
{
	struct ctx *c = *state;
	char dir[4096];
	pcre2_match_data *md;
	size_t i, nexamples = 0, nchecks = 0;
	int e, s, p, st, rc;

	patterns_dir(dir, sizeof(dir));
	if (catalog_load_path(&c->cat, dir, &c->err) != 0)
		fail_msg("loading %s: %s", dir, c->err.s);
	if (catalog_finalize(&c->cat, &c->err) != 0)
		fail_msg("finalizing %s: %s", dir, c->err.s);
	assert_true(c->cat.nfindings > 0);
	assert_true(c->cat.nrules > 0);

	for (i = 0; i < c->cat.nrules; i++) {
		const struct cat_rule *r = &c->cat.rules[i];

		if (r->nexamples == 0)
			fail_msg("%s:%d: [%s %s] has no example line", r->file, r->line,
				 r->kind == KIND_FACT ? "fact" : "match", r->id);
		md = pcre2_match_data_create_from_pattern(r->re, NULL);
		for (e = 0; e < r->nexamples; e++) {
			const char *ex = r->examples[e];

			nexamples++;
			/* 1. the example matches its own regex */
			rc = pcre2_match(r->re, (PCRE2_SPTR)ex, strlen(ex), 0, 0, md, NULL);
			if (rc < 0)
				fail_msg("%s:%d: example does not match the regex of %s: %s",
					 r->file, r->line, r->id, ex);
			/* ... and passes the literal prefilter */
			if (r->literal_len > 0
			    && (r->anchored ? strncmp(ex, r->literal, r->literal_len) != 0
				: strstr(ex, r->literal) == NULL))
				fail_msg("%s:%d: example of %s lacks the literal \"%s\": %s",
					 r->file, r->line, r->id, r->literal, ex);
			/* 2. in every context the rule applies to, the first rule
			 * (rank order) matching the example carries the same id */
			for (s = 0; s < SCOPE_COUNT; s++) {
				if (!(r->scopes & (1u << s)))
					continue;
				for (p = 1; p < PROG_COUNT; p++) {
					if (r->progmask != 0 && !(r->progmask & ((uint64_t)1 << p)))
						continue;
					/* observations have no program */
					if ((s == SCOPE_CONFIG || s == SCOPE_PROBE) && p > 1)
						break;
					for (st = 0; st < DS_COUNT; st++) {
						if (r->statuses != 0 ? !(r->statuses & (1u << st))
						    : s == SCOPE_REASON ? st != DS_DEFERRED && st != DS_BOUNCED
						    : s == SCOPE_DELIVERY ? st != DS_DEFERRED && st != DS_BOUNCED
						    && st != DS_SENT
						    : st != DS_NONE)
							continue;
						kb_check(c, r, ex, (enum cat_scope)s, (enum prog_id)p, st);
						nchecks++;
					}
				}
			}
		}
		pcre2_match_data_free(md);
	}
	assert_true(nexamples >= c->cat.nrules);
	assert_true(nchecks >= nexamples);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_load_valid),
		T(test_match_and_captures),
		T(test_program_filter),
		T(test_any_program),
		T(test_level_filter),
		T(test_rank_order),
		T(test_equal_rank_load_order),
		T(test_fallback),
		T(test_facts_and_literal),
		T(test_alternation_prefix),
		T(test_group_prefix),
		T(test_alternation_after_class),
		T(test_providers),
		T(test_cond_registry),
		T(test_when_conditions),
		T(test_when_without_config),
		T(test_message_context),
		T(test_error_bad_regex),
		T(test_error_bad_regex_at_eof),
		T(test_error_unknown_field),
		T(test_error_unknown_finding_field),
		T(test_error_undefined_finding),
		T(test_error_finding_missing_fix),
		T(test_error_match_without_regex),
		T(test_error_duplicate_finding),
		T(test_error_duplicate_across_files),
		T(test_error_unknown_program),
		T(test_error_misc),
		T(test_error_paths),
		T(test_knowledge_base),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
