/*
 * rules_print.c - the catalog printed for people: --list-rules (one line
 * per finding, by rank) and --explain ID (texts, documentation, and every
 * match that triggers the finding: scopes, programs, severity,
 * conditions, regex, examples).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

static int
cmp_finding_rank(const void *a, const void *b)
{
	const struct cat_finding *x = *(const struct cat_finding *const *)a;
	const struct cat_finding *y = *(const struct cat_finding *const *)b;

	if (x->rank != y->rank)
		return y->rank - x->rank;
	return strcmp(x->id, y->id);
}

/* One line of a template: newlines (paragraphs) become spaces. */
static void
print_flat(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '\n' ? ' ' : *s, out);
}

void
catalog_list(const struct catalog *cat, FILE *out)
{
	const struct cat_finding **v = xcalloc(cat->nfindings + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < cat->nfindings; i++)
		v[i] = &cat->findings[i];
	qsort(v, cat->nfindings, sizeof(*v), cmp_finding_rank);
	fprintf(out, "%-28s %-8s %4s  %s\n", "ID", "SEVERITY", "RANK", "TITLE");
	for (i = 0; i < cat->nfindings; i++) {
		fprintf(out, "%-28s %-8s %4d  ", v[i]->id, find_sev_name(v[i]->severity), v[i]->rank);
		print_flat(out, v[i]->title);
		fputc('\n', out);
	}
	free(v);
}

static void
explain_para(FILE *out, const char *label, const char *text)
{
	fprintf(out, "%s:\n  ", label);
	for (; *text != '\0'; text++)
		fputs(*text == '\n' ? "\n  " : (char[2]){ *text, '\0' }, out);
	fputs("\n\n", out);
}

static const char *const scope_explain[SCOPE_COUNT] = {
	"log lines", "delivery reasons", "delivery lines", "configuration observations",
	"probe observations"
};

static void
explain_match(FILE *out, const struct cat_rule *r)
{
	const char *sep = "";
	int i;

	fprintf(out, "  - %s:%d: on ", r->file, r->line);
	for (i = 0; i < SCOPE_COUNT; i++)
		if (r->scopes & (1u << i)) {
			fprintf(out, "%s%s", sep, scope_explain[i]);
			sep = " and ";
		}
	fputs(", programs ", out);
	if (r->progmask == 0) {
		fputs("any", out);
	} else {
		sep = "";
		for (i = 1; i < PROG_COUNT; i++)
			if (r->progmask & ((uint64_t)1 << i)) {
				fprintf(out, "%s%s", sep, prog_name((enum prog_id)i));
				sep = " ";
			}
	}
	fprintf(out, ", severity %s%s\n", find_sev_name(r->severity),
		r->fallback ? ", only when nothing more specific explains the message" : "");
	if (r->nconds > 0) {
		fputs("    when:", out);
		int conf = 0;

		for (i = 0; i < r->nconds; i++) {
			cat_cond_print(out, &r->conds[i]);
			conf |= !cat_cond_about_message(&r->conds[i]);
		}
		fputs(conf ? " (needs the configuration)\n" : "\n", out);
	}
	fprintf(out, "    regex: %s\n", r->regex);
	for (i = 0; i < r->nexamples; i++)
		fprintf(out, "    example: %s\n", r->examples[i]);
}

int
catalog_explain(const struct catalog *cat, const char *id, FILE *out)
{
	const struct cat_finding *f = catalog_finding(cat, id);
	size_t i;

	if (f == NULL)
		return -1;
	fprintf(out, "%s (%s, rank %d)\n\n", f->id, find_sev_name(f->severity), f->rank);
	fputs("  ", out);
	print_flat(out, f->title);
	fputs("\n\n", out);
	explain_para(out, "Why", f->explain);
	explain_para(out, "Fix", f->fix);
	if (f->docs != NULL)
		explain_para(out, "Postfix documentation", f->docs);
	fputs("Triggered by (${name} in the texts above is filled in from the log or the\n"
	      "configuration):\n", out);
	for (i = 0; i < cat->nrules; i++)
		if (cat->rules[i].kind == KIND_FINDING && cat->rules[i].finding == f)
			explain_match(out, &cat->rules[i]);
	return 0;
}
