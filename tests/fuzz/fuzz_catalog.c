/*
 * fuzz_catalog.c - libFuzzer target: the rules loader. The input is
 * written to a *.rules file in a private temporary directory and loaded
 * with catalog_load_path; when it loads and finalizes, --list-rules and
 * --explain run on it (to /dev/null), provider lookups run, and every
 * rule's examples and a few fixed lines are matched against it in every
 * scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "fuzz_common.h"

static FILE *devnull;
static char rules_path[4200];

static const char *const lines[] = {
	"connect to smtp.fastmail.com[103.168.172.45]:587: Connection timed out",
	("to=<a@b.example>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, "
	 "dsn=4.7.8, status=deferred (SASL authentication failed; server x said: 535 no)"),
	"SASL authentication failed; server smtp.fastmail.com[103.168.172.45] said: 535 5.7.8 no",
	"database /etc/postfix/sasl_passwd.db is older than source file /etc/postfix/sasl_passwd",
	"",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	return 0;
}

static void
match_all(struct catalog *cat, const char *text)
{
	struct pf_record rec;
	struct cat_hit hit;
	struct span cap;
	int s, k, w, sev;

	memset(&rec, 0, sizeof(rec));
	rec.text.p = text;
	rec.text.len = strlen(text);
	rec.program = SPAN_LIT("smtp");
	rec.service = rec.program;
	rec.instance = SPAN_LIT("postfix");
	for (sev = SEV_INFO; sev <= SEV_WARNING; sev++) {
		rec.severity = (enum severity)sev;
		rec.prog = sev == SEV_INFO ? PROG_SMTP : PROG_QMGR;
		for (s = 0; s < SCOPE_COUNT; s++)
			for (k = KIND_FINDING; k <= KIND_FACT; k++)
				for (w = CM_REGULAR; w <= CM_FALLBACK; w++)
					if (catalog_match(cat, (enum cat_kind)k, w, (enum cat_scope)s,
							  &rec, s == SCOPE_REASON ? DS_DEFERRED : 0,
							  rec.text, NULL, &hit)
					    && hit.rule->nnames > 0)
						(void)catalog_capture(&hit, hit.rule->names[0], &cap);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog cat;
	struct strbuf err;
	size_t i;
	int j;

	fuzz_write("fuzz.rules", data, size, rules_path, sizeof(rules_path));
	sb_init(&err);
	catalog_init(&cat);
	if (catalog_load_path(&cat, rules_path, &err) == 0 && catalog_finalize(&cat, &err) == 0) {
		catalog_list(&cat, devnull);
		for (i = 0; i < cat.nfindings; i++)
			(void)catalog_explain(&cat, cat.findings[i].id, devnull);
		(void)catalog_explain(&cat, "no.such_finding", devnull);
		for (i = 0; i < cat.nproviders; i++) {
			const struct cat_provider *pv = &cat.providers[i];

			if (pv->nhosts > 0)
				(void)catalog_provider(&cat, pv->hosts[0]);
			if (pv->nfields > 0)
				(void)provider_field(pv, pv->keys[0]);
		}
		(void)catalog_provider(&cat, "[smtp.fastmail.com]:587");
		(void)catalog_provider(&cat, "smtp.gmail.com[142.250.1.1]:587");
		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
			match_all(&cat, lines[i]);
		for (i = 0; i < cat.nrules && i < 64; i++)
			for (j = 0; j < cat.rules[i].nexamples && j < 4; j++)
				match_all(&cat, cat.rules[i].examples[j]);
		fflush(devnull);
	}
	catalog_free(&cat);
	sb_free(&err);
	return 0;
}
