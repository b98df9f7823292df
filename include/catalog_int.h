/*
 * catalog_int.h - internals shared by the catalog files, not for use
 * outside src/rules/: conditions (rules_cond.c) as the parser
 * (rules_parse.c), the matcher (rules_index.c) and the printer
 * (rules_print.c) need them. catalog.h is the public API.
 */
#ifndef FMRD_CATALOG_INT_H
#define FMRD_CATALOG_INT_H

#include <stdio.h>

#include "catalog.h"

/* One condition word: a keyword, param OP value, param or !param. */
void cat_cond_parse(const char *tok, struct cat_cond *c);
/* The condition as written in a rules file, after a blank (--explain). */
void cat_cond_print(FILE *out, const struct cat_cond *c);
/* Do all of r's conditions hold for this hit (after the regex matched:
 * they may use its captures)? ctx: CTX_* flags; nh for direct. */
int cat_rule_conditions(const struct cat_rule *r, const struct pf_record *rec,
			const struct pfconf *cf, const struct cat_hit *hit, unsigned ctx,
			const struct nexthop *nh);

#endif
