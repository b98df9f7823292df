/*
 * rules_index.c - the catalog at run time: catalog_finalize resolves
 * match ids to findings, sorts the rules by priority and builds an index
 * per scope and program (rule indices in rank order; a second list for
 * records above level info) and the shared PCRE2 match data;
 * catalog_match tries the indexed rules, cheapest tests first (program,
 * level, status, literal with memcmp/memmem), then PCRE2 on the span,
 * then the conditions. Lookups of findings and providers.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

const char *
find_sev_name(enum find_sev s)
{
	static const char *const names[] = { "ok", "info", "warning", "error" };

	return s <= FSEV_ERROR ? names[s] : "info";
}

const struct cat_finding *
catalog_finding(const struct catalog *cat, const char *id)
{
	size_t i;

	for (i = 0; i < cat->nfindings; i++)
		if (strcmp(cat->findings[i].id, id) == 0)
			return &cat->findings[i];
	return NULL;
}

static int
cmp_rank(const void *a, const void *b)
{
	const struct cat_rule *x = a, *y = b;

	if (x->priority != y->priority)
		return y->priority - x->priority;
	return x->order - y->order;
}

int
catalog_finalize(struct catalog *cat, struct strbuf *err)
{
	uint32_t maxgroups = 1, cap;
	size_t i;
	int s, p;

	for (i = 0; i < cat->nrules; i++) {
		struct cat_rule *r = &cat->rules[i];

		if (r->kind == KIND_FINDING) {
			if ((r->finding = catalog_finding(cat, r->id)) == NULL) {
				sb_printf(err, "%s:%d: match for undefined finding %s",
					  r->file, r->line, r->id);
				return -1;
			}
			if ((int)r->severity < 0)
				r->severity = r->finding->severity;
			if (r->rank < 0)
				r->rank = r->finding->rank;
		} else if (r->rank < 0) {
			r->rank = 0;
		}
		if (r->priority < 0)
			r->priority = r->rank;
		pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &cap);
		if (cap + 1 > maxgroups)
			maxgroups = cap + 1;
	}
	if (cat->nrules > 0)
		qsort(cat->rules, cat->nrules, sizeof(*cat->rules), cmp_rank);
	for (i = 0; i < cat->nrules; i++)
		if (cat->rules[i].kind == KIND_FINDING)
			cat->rules[i].finding = catalog_finding(cat, cat->rules[i].id);
	for (s = 0; s < SCOPE_COUNT; s++)
		for (p = 0; p < PROG_COUNT; p++) {
			int k;

			for (k = 0; k < 2; k++) {
				free(cat->index[s][p][k]);
				cat->index[s][p][k] = xcalloc(cat->nrules ? cat->nrules : 1,
							      sizeof(uint32_t));
				cat->nindex[s][p][k] = 0;
			}
			for (i = 0; i < cat->nrules; i++) {
				const struct cat_rule *r = &cat->rules[i];

				if (!(r->scopes & (1u << s)))
					continue;
				if (r->progmask != 0 && !(r->progmask & ((uint64_t)1 << p)))
					continue;
				if (r->min_level <= SEV_INFO)
					cat->index[s][p][0][cat->nindex[s][p][0]++] = (uint32_t)i;
				cat->index[s][p][1][cat->nindex[s][p][1]++] = (uint32_t)i;
			}
		}
	if (cat->md != NULL)
		pcre2_match_data_free(cat->md);
	cat->md = pcre2_match_data_create(maxgroups, NULL);
	cat->finalized = 1;
	return 0;
}

/* Cheap tests before the regex: level, status, literal. */
static int
rule_prefilter(const struct cat_rule *r, const struct pf_record *rec, int status,
	       struct span text)
{
	if (rec != NULL && rec->severity < r->min_level)
		return 0;
	/* status applies to delivery reasons (and expiry), not to log lines */
	if (r->statuses != 0 && status != DS_NONE && !(r->statuses & (1u << status)))
		return 0;
	if (r->literal_len > 0) {
		if (r->anchored) {
			if (text.len < r->literal_len
			    || memcmp(text.p, r->literal, r->literal_len) != 0)
				return 0;
		} else if (memmem(text.p, text.len, r->literal, r->literal_len) == NULL) {
			return 0;
		}
	}
	return 1;
}

int
catalog_match(struct catalog *cat, enum cat_kind kind, int which, enum cat_scope scope,
	      const struct pf_record *rec, int status, struct span text,
	      const struct pfconf *cf, struct cat_hit *hit)
{
	return catalog_match_ctx(cat, kind, which, scope, rec, status, text, cf, 0, hit);
}

int
catalog_match_ctx(struct catalog *cat, enum cat_kind kind, int which, enum cat_scope scope,
		  const struct pf_record *rec, int status, struct span text,
		  const struct pfconf *cf, unsigned ctx, struct cat_hit *hit)
{
	enum prog_id prog = rec != NULL ? rec->prog : PROG_SMTP;
	int all = rec == NULL || rec->severity > SEV_INFO;
	const uint32_t *idx = cat->index[scope][prog][all];
	uint32_t i, n = cat->nindex[scope][prog][all];

	for (i = 0; i < n; i++) {
		const struct cat_rule *r = &cat->rules[idx[i]];

		if (r->kind != kind || !(which & (r->fallback ? CM_FALLBACK : CM_REGULAR))
		    || !rule_prefilter(r, rec, status, text))
			continue;
		if (pcre2_match(r->re, (PCRE2_SPTR)text.p, text.len, 0, 0, cat->md, NULL) < 0)
			continue;
		hit->rule = r;
		hit->subject = text;
		hit->ov = pcre2_get_ovector_pointer(cat->md);
		if (r->nconds > 0 && !cat_rule_conditions(r, rec, cf, hit, ctx, cat->nh))
			continue;
		return 1;
	}
	return 0;
}

int
catalog_capture(const struct cat_hit *hit, const char *name, struct span *out)
{
	const struct cat_rule *r = hit->rule;
	int i, g;

	for (i = 0; i < r->nnames; i++) {
		if (strcmp(r->names[i], name) != 0)
			continue;
		g = r->groups[i];
		if (hit->ov[2 * g] == PCRE2_UNSET)
			return 0;
		out->p = hit->subject.p + hit->ov[2 * g];
		out->len = hit->ov[2 * g + 1] - hit->ov[2 * g];
		return 1;
	}
	return 0;
}

const char *
provider_field(const struct cat_provider *p, const char *key)
{
	int i;

	for (i = 0; i < p->nfields; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->values[i];
	return NULL;
}

const struct cat_provider *
catalog_provider(const struct catalog *cat, const char *host)
{
	char name[256];
	size_t n, i, hl;
	int k;

	if (cat == NULL || host == NULL)
		return NULL;
	if (*host == '[')
		host++;
	n = strcspn(host, "[]:");
	if (n == 0 || n >= sizeof(name))
		return NULL;
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)host[i]);
	name[n] = '\0';
	for (i = 0; i < cat->nproviders; i++)
		for (k = 0; k < cat->providers[i].nhosts; k++) {
			const char *h = cat->providers[i].hosts[k];

			hl = strlen(h);
			if (h[0] == '.' ? n > hl && strcmp(name + n - hl, h) == 0
					: strcmp(name, h) == 0)
				return &cat->providers[i];
		}
	return NULL;
}
