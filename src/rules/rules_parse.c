/*
 * rules_parse.c - the *.rules file parser (format: docs/RULES.md):
 * logical lines with continuations, [finding], [match], [fact] and
 * [provider] stanzas and their fields, regexes compiled with PCRE2 (JIT
 * unless FMRELAY_DOCTOR_NO_JIT), the literal prefilter derived from the
 * start of a "^" regex; and the catalog's life cycle (init, load, free).
 * Conditions are parsed by rules_cond.c, indexes built by rules_index.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog_int.h"

#define CAT_MAX_LINE 8192

static int
find_sev_parse(const char *s, enum find_sev *out)
{
	static const char *const names[] = { "ok", "info", "warning", "error" };
	int i;

	for (i = 0; i <= FSEV_ERROR; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum find_sev)i;
			return 0;
		}
	return -1;
}

void
catalog_init(struct catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
}

static void
rule_free(struct cat_rule *r)
{
	int i;

	free(r->id);
	free(r->literal);
	free(r->regex);
	if (r->re != NULL)
		pcre2_code_free(r->re);
	for (i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->groups);
	for (i = 0; i < r->nconds; i++) {
		free(r->conds[i].param);
		free(r->conds[i].value);
	}
	free(r->conds);
	for (i = 0; i < r->nexamples; i++)
		free(r->examples[i]);
	free(r->examples);
	free(r->file);
}

void
catalog_free(struct catalog *cat)
{
	size_t i;
	int s, p;

	for (i = 0; i < cat->nrules; i++)
		rule_free(&cat->rules[i]);
	for (i = 0; i < cat->nfindings; i++) {
		free(cat->findings[i].id);
		free(cat->findings[i].title);
		free(cat->findings[i].explain);
		free(cat->findings[i].fix);
		free(cat->findings[i].docs);
		free(cat->findings[i].file);
	}
	for (i = 0; i < cat->nproviders; i++) {
		struct cat_provider *pv = &cat->providers[i];

		for (s = 0; s < pv->nhosts; s++)
			free(pv->hosts[s]);
		for (s = 0; s < pv->nfields; s++) {
			free(pv->keys[s]);
			free(pv->values[s]);
		}
		free(pv->hosts);
		free(pv->keys);
		free(pv->values);
		free(pv->name);
		free(pv->file);
	}
	free(cat->providers);
	for (s = 0; s < SCOPE_COUNT; s++)
		for (p = 0; p < PROG_COUNT; p++) {
			free(cat->index[s][p][0]);
			free(cat->index[s][p][1]);
		}
	free(cat->rules);
	free(cat->findings);
	if (cat->md != NULL)
		pcre2_match_data_free(cat->md);
	memset(cat, 0, sizeof(*cat));
}

/* --- parsing ------------------------------------------------------------ */

enum stanza { ST_NONE, ST_FINDING, ST_MATCH, ST_FACT, ST_PROVIDER };

struct cat_parser {
	struct catalog *cat;
	const char *file;
	int line;		/* line of the current logical line */
	enum stanza st;
	struct cat_finding *f;	/* current finding stanza */
	struct cat_rule *r;	/* current match/fact stanza */
	struct cat_provider *pv;	/* current provider stanza */
	struct strbuf *err;
};

static int
cat_error(struct cat_parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
cat_error(struct cat_parser *ps, const char *fmt, ...)
{
	va_list ap;

	sb_printf(ps->err, "%s:%d: ", ps->file, ps->line);
	va_start(ap, fmt);
	sb_vprintf(ps->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int
valid_id(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s)
		      || *s == '.' || *s == '_'))
			return 0;
	return 1;
}

/* The ']' closing the character class that opens at p ("[]x]", "[^]x]",
 * "[\]]"), or the terminating NUL when there is none. */
static const char *
class_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p != '\0' && *p != ']')
		p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
	return p;
}

/* Length of a group opener at p: "(", "(?:" or "(?<name>"; 0 for none
 * (lookarounds, inline options and other "(?" forms). */
static size_t
group_opener_len(const char *p)
{
	const char *q;

	if (p[0] != '(')
		return 0;
	if (p[1] != '?')
		return 1;
	if (p[2] == ':')
		return 3;
	if (p[2] == '<' && p[3] != '=' && p[3] != '!') {
		for (q = p + 3; *q != '\0' && *q != '>'; q++)
			if (!isalnum((unsigned char)*q) && *q != '_')
				return 0;
		return *q == '>' ? (size_t)(q + 1 - p) : 0;
	}
	return 0;
}

/* Does the group opening at p match exactly once, without an
 * alternation at its own level? */
static int
group_required_plain(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '[') {
			if (*(p = class_end(p)) == '\0')
				return 0;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			if (--depth == 0)
				return p[1] != '?' && p[1] != '*' && p[1] != '{';
		} else if (*p == '|' && depth == 1) {
			return 0;
		}
	}
	return 0;
}

/* Literal text at the start of an anchored regex ("^literal..."). */
static char *
regex_prefix(const char *re)
{
	struct strbuf sb;
	const char *p;
	char *out;

	int depth = 0;

	if (re[0] != '^')
		return NULL;
	/* a top-level alternation ("^a|b") has no common prefix */
	for (p = re; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '[') {
			if (*(p = class_end(p)) == '\0')
				break;
		} else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == '|' && depth == 0)
			return NULL;
	}
	p = re + 1;
	/* "^(?<why>connect to ..." and "^(?:host ...": the literal inside a
	 * group that must match once and has no alternation of its own */
	while (group_opener_len(p) > 0 && group_required_plain(p))
		p += group_opener_len(p);
	sb_init(&sb);
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] != '\0' && ispunct((unsigned char)p[1])) {
				sb_addc(&sb, p[1]);
				p++;
				continue;
			}
			break;
		}
		if (strchr("^$.|?*+()[]{}", *p) != NULL)
			break;
		sb_addc(&sb, *p);
	}
	/* a quantifier applies to the last literal character */
	if (sb.len > 0 && (*p == '?' || *p == '*' || *p == '{'))
		sb.len--;
	sb.s[sb.len] = '\0';
	if (sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	out = xstrdup(sb.s);
	sb_free(&sb);
	return out;
}

static int
compile_rule(struct cat_parser *ps, struct cat_rule *r)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SPTR table;
	uint32_t count = 0, size = 0, i;
	PCRE2_SIZE off;
	int code;

	r->re = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED, 0,
			      &code, &off, NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		ps->line = r->regex_line;
		return cat_error(ps, "bad regex at offset %zu: %s", (size_t)off, (char *)msg);
	}
	/* interpreter if no JIT; FMRELAY_DOCTOR_NO_JIT=1 for valgrind, which
	 * cannot follow JIT-generated code */
	if (getenv("FMRELAY_DOCTOR_NO_JIT") == NULL)
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(r->re, PCRE2_INFO_NAMETABLE, &table);
	r->nnames = (int)count;
	r->names = xcalloc(count ? count : 1, sizeof(char *));
	r->groups = xcalloc(count ? count : 1, sizeof(int));
	for (i = 0; i < count; i++) {
		const unsigned char *e = table + i * size;

		r->groups[i] = (e[0] << 8) | e[1];
		r->names[i] = xstrdup((const char *)e + 2);
	}
	if (r->literal == NULL && (r->literal = regex_prefix(r->regex)) != NULL)
		r->anchored = 1;
	if (r->literal != NULL)
		r->literal_len = strlen(r->literal);
	return 0;
}

static int
parse_programs(struct cat_parser *ps, const char *v)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	int rc = 0;

	ps->r->progmask = 0;
	for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		enum prog_id id;

		if (strcmp(tok, "*") == 0) {
			ps->r->progmask = 0;
			break;
		}
		if ((id = prog_lookup(tok, strlen(tok))) == PROG_OTHER) {
			rc = cat_error(ps, "unknown program \"%s\"", tok);
			break;
		}
		ps->r->progmask |= (uint64_t)1 << id;
	}
	free(copy);
	return rc;
}

static const char *const scope_names[SCOPE_COUNT] = { "line", "reason", "delivery", "config",
						     "probe" };

const char *
catalog_scope_name(enum cat_scope s)
{
	return s < SCOPE_COUNT ? scope_names[s] : "?";
}

static int
parse_scopes(struct cat_parser *ps, const char *v)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	int rc = 0, s;

	ps->r->scopes = 0;
	for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		for (s = 0; s < SCOPE_COUNT && strcmp(tok, scope_names[s]) != 0; s++)
			;
		if (s < SCOPE_COUNT)
			ps->r->scopes |= 1u << s;
		else
			rc = cat_error(ps, "unknown scope \"%s\" (line, reason, delivery, config, probe)", tok);
	}
	free(copy);
	return rc;
}

static int
parse_statuses(struct cat_parser *ps, const char *v)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	int rc = 0;

	ps->r->statuses = 0;
	for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		enum dstatus st = dstatus_lookup(tok, strlen(tok));

		if (st == DS_NONE) {
			rc = cat_error(ps, "unknown status \"%s\"", tok);
			break;
		}
		ps->r->statuses |= 1u << st;
	}
	free(copy);
	return rc;
}


/* when = chroot smtp_tls_CApath !smtp_tls_CAfile smtp_tls_security_level=secure */
static int
parse_when(struct cat_parser *ps, const char *v)
{
	char *copy = xstrdup(v), *tok, *save = NULL;
	struct cat_rule *r = ps->r;

	for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		r->conds = xreallocarray(r->conds, (size_t)r->nconds + 1, sizeof(*r->conds));
		cat_cond_parse(tok, &r->conds[r->nconds++]);
	}
	free(copy);
	return 0;
}

static int
provider_field_set(struct cat_parser *ps, const char *key, const char *v)
{
	struct cat_provider *pv = ps->pv;
	char *copy, *tok, *save = NULL;

	if (strcmp(key, "hosts") == 0) {
		copy = xstrdup(v);
		for (tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
			pv->hosts = xreallocarray(pv->hosts, (size_t)pv->nhosts + 1, sizeof(char *));
			pv->hosts[pv->nhosts++] = xstrdup(tok);
		}
		free(copy);
		return 0;
	}
	if (provider_field(pv, key) != NULL)
		return cat_error(ps, "duplicate field \"%s\"", key);
	pv->keys = xreallocarray(pv->keys, (size_t)pv->nfields + 1, sizeof(char *));
	pv->values = xreallocarray(pv->values, (size_t)pv->nfields + 1, sizeof(char *));
	pv->keys[pv->nfields] = xstrdup(key);
	pv->values[pv->nfields++] = xstrdup(v);
	return 0;
}

static char **
field_str(struct cat_parser *ps, const char *key)
{
	if (ps->st == ST_FINDING) {
		if (strcmp(key, "title") == 0)
			return &ps->f->title;
		if (strcmp(key, "explain") == 0)
			return &ps->f->explain;
		if (strcmp(key, "fix") == 0)
			return &ps->f->fix;
		if (strcmp(key, "docs") == 0)
			return &ps->f->docs;
		return NULL;
	}
	if (strcmp(key, "regex") == 0)
		return &ps->r->regex;
	if (strcmp(key, "literal") == 0)
		return &ps->r->literal;
	return NULL;
}

static int
set_field(struct cat_parser *ps, const char *key, const char *v)
{
	struct cat_rule *r = ps->r;
	char **slot, *end;
	long n;

	if (ps->st == ST_PROVIDER)
		return provider_field_set(ps, key, v);
	if ((slot = field_str(ps, key)) != NULL) {
		if (*slot != NULL)
			return cat_error(ps, "duplicate field \"%s\"", key);
		*slot = xstrdup(v);
		if (strcmp(key, "regex") == 0)
			r->regex_line = ps->line;
		return 0;
	}
	if (strcmp(key, "severity") == 0) {
		enum find_sev s;

		if (find_sev_parse(v, &s) < 0)
			return cat_error(ps, "bad severity \"%s\" (ok, info, warning, error)", v);
		if (ps->st == ST_FINDING)
			ps->f->severity = s;
		else
			r->severity = s;
		return 0;
	}
	if (strcmp(key, "rank") == 0) {
		n = strtol(v, &end, 10);
		if (*end != '\0' || n < 0 || n > 100)
			return cat_error(ps, "rank must be 0..100");
		if (ps->st == ST_FINDING)
			ps->f->rank = (int)n;
		else
			r->rank = (int)n;
		return 0;
	}
	if (ps->st == ST_FINDING && strcmp(key, "group") == 0) {
		if (strcmp(v, "host") != 0 && strcmp(v, "class") != 0)
			return cat_error(ps, "group must be host or class");
		ps->f->group_class = strcmp(v, "class") == 0;
		return 0;
	}
	if (ps->st == ST_FINDING && strcmp(key, "resolved_by") == 0) {
		static const char *const rb[] = { "next_hop", "message", "never" };
		int k;

		for (k = 0; k < 3; k++)
			if (strcmp(v, rb[k]) == 0) {
				ps->f->resolved_by = k;
				return 0;
			}
		return cat_error(ps, "resolved_by must be next_hop, message or never");
	}
	if (ps->st == ST_FINDING)
		return cat_error(ps, "unknown finding field \"%s\"", key);
	if (strcmp(key, "priority") == 0) {
		n = strtol(v, &end, 10);
		if (*end != '\0' || n < 0 || n > 100)
			return cat_error(ps, "priority must be 0..100");
		r->priority = (int)n;
		return 0;
	}
	if (strcmp(key, "programs") == 0)
		return parse_programs(ps, v);
	if (strcmp(key, "on") == 0)
		return parse_scopes(ps, v);
	if (strcmp(key, "status") == 0)
		return parse_statuses(ps, v);
	if (strcmp(key, "when") == 0)
		return parse_when(ps, v);
	if (strcmp(key, "fallback") == 0) {
		r->fallback = pfconf_true(v);
		return 0;
	}
	if (strcmp(key, "level") == 0) {
		static const char *const lv[] = { "info", "warning", "error", "fatal", "panic" };
		int i;

		for (i = 0; i < 5; i++)
			if (strcmp(v, lv[i]) == 0) {
				r->min_level = (enum severity)i;
				return 0;
			}
		return cat_error(ps, "bad level \"%s\"", v);
	}
	if (strcmp(key, "example") == 0) {
		r->examples = xreallocarray(r->examples, (size_t)r->nexamples + 1, sizeof(char *));
		r->examples[r->nexamples++] = xstrdup(v);
		return 0;
	}
	return cat_error(ps, "unknown match field \"%s\"", key);
}

static int end_stanza_check(struct cat_parser *ps);

static int
end_stanza(struct cat_parser *ps)
{
	int here = ps->line, rc = end_stanza_check(ps);

	if (rc == 0)
		ps->line = here;	/* errors keep the stanza's own line */
	return rc;
}

static int
end_stanza_check(struct cat_parser *ps)
{
	if (ps->st == ST_PROVIDER) {
		ps->line = ps->pv->line;
		if (ps->pv->nhosts == 0)
			return cat_error(ps, "provider %s needs hosts", ps->pv->name);
	} else if (ps->st == ST_FINDING) {
		ps->line = ps->f->line;
		if (ps->f->title == NULL || ps->f->explain == NULL || ps->f->fix == NULL)
			return cat_error(ps, "finding %s needs title, explain and fix", ps->f->id);
	} else if (ps->st == ST_MATCH || ps->st == ST_FACT) {
		ps->line = ps->r->line;
		if (ps->r->regex == NULL)
			return cat_error(ps, "%s %s has no regex", ps->st == ST_FACT ? "fact" : "match",
					 ps->r->id);
		if (ps->r->scopes == 0)
			ps->r->scopes = 1u << SCOPE_LINE;
		if (compile_rule(ps, ps->r) < 0)
			return -1;
		if (ps->st == ST_FACT && ps->r->nnames > CAT_FACT_MAX_NAMES)
			return cat_error(ps, "fact %s has more than %d named captures", ps->r->id,
					 CAT_FACT_MAX_NAMES);
	}
	ps->st = ST_NONE;
	return 0;
}

static int
begin_stanza(struct cat_parser *ps, char *hdr)
{
	struct catalog *cat = ps->cat;
	char *kind = hdr, *id, *close = strchr(hdr, ']');

	if (close == NULL || close[1] != '\0')
		return cat_error(ps, "expected [finding ID], [match ID], [fact NAME] or [provider NAME]");
	*close = '\0';
	id = kind + strcspn(kind, " \t");
	if (*id != '\0')
		*id++ = '\0';
	while (*id == ' ' || *id == '\t')
		id++;
	if (!valid_id(id))
		return cat_error(ps, "bad id \"%s\" (lower case, digits, '.', '_')", id);
	if (strcmp(kind, "finding") == 0) {
		if (catalog_finding(cat, id) != NULL)
			return cat_error(ps, "finding %s defined twice", id);
		cat->findings = xreallocarray(cat->findings, cat->nfindings + 1, sizeof(*ps->f));
		ps->f = &cat->findings[cat->nfindings++];
		memset(ps->f, 0, sizeof(*ps->f));
		ps->f->id = xstrdup(id);
		ps->f->severity = FSEV_ERROR;
		ps->f->rank = 50;
		ps->f->file = xstrdup(ps->file);
		ps->f->line = ps->line;
		ps->st = ST_FINDING;
		return 0;
	}
	if (strcmp(kind, "provider") == 0) {
		size_t i;

		for (i = 0; i < cat->nproviders; i++)
			if (strcmp(cat->providers[i].name, id) == 0)
				return cat_error(ps, "provider %s defined twice", id);
		cat->providers = xreallocarray(cat->providers, cat->nproviders + 1,
					       sizeof(*ps->pv));
		ps->pv = &cat->providers[cat->nproviders++];
		memset(ps->pv, 0, sizeof(*ps->pv));
		ps->pv->name = xstrdup(id);
		ps->pv->file = xstrdup(ps->file);
		ps->pv->line = ps->line;
		ps->st = ST_PROVIDER;
		return 0;
	}
	if (strcmp(kind, "match") != 0 && strcmp(kind, "fact") != 0)
		return cat_error(ps, "unknown stanza [%s]", kind);
	cat->rules = xreallocarray(cat->rules, cat->nrules + 1, sizeof(*ps->r));
	ps->r = &cat->rules[cat->nrules++];
	memset(ps->r, 0, sizeof(*ps->r));
	ps->r->kind = strcmp(kind, "fact") == 0 ? KIND_FACT : KIND_FINDING;
	ps->r->id = xstrdup(id);
	ps->r->severity = (enum find_sev)-1;
	ps->r->rank = -1;
	ps->r->priority = -1;
	ps->r->file = xstrdup(ps->file);
	ps->r->line = ps->line;
	ps->r->order = (int)cat->nrules;
	ps->st = ps->r->kind == KIND_FACT ? ST_FACT : ST_MATCH;
	return 0;
}

static int
cat_logical(struct cat_parser *ps, char *text)
{
	char *eq, *key, *v, *e;

	if (text[0] == '[') {
		if (ps->st != ST_NONE && end_stanza(ps) < 0)
			return -1;
		return begin_stanza(ps, text + 1);
	}
	if (ps->st == ST_NONE)
		return cat_error(ps, "field outside a [finding], [match], [fact] or [provider] stanza");
	if ((eq = strchr(text, '=')) == NULL)
		return cat_error(ps, "expected \"name = value\"");
	*eq = '\0';
	key = text;
	for (e = eq; e > key && isspace((unsigned char)e[-1]); )
		*--e = '\0';
	v = eq + 1;
	while (isspace((unsigned char)*v))
		v++;
	return set_field(ps, key, v);
}

static int
catalog_load_file(struct catalog *cat, const char *path, struct strbuf *err)
{
	struct cat_parser ps = { cat, path, 0, ST_NONE, NULL, NULL, NULL, err };
	struct strbuf logical;
	FILE *fp;
	char *buf, *p;
	int lineno = 0, rc = 0;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		sb_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(CAT_MAX_LINE);
	sb_init(&logical);
	while (rc == 0 && fgets(buf, CAT_MAX_LINE, fp) != NULL) {
		lineno++;
		n = strcspn(buf, "\r\n");
		if (buf[n] == '\0' && !feof(fp)) {
			ps.line = lineno;
			rc = cat_error(&ps, "line longer than %d bytes", CAT_MAX_LINE - 2);
			break;
		}
		buf[n] = '\0';
		for (p = buf; isspace((unsigned char)*p); p++)
			;
		if (*p == '#')
			continue;
		if (*p == '\0') {
			/* a blank line ends a logical line */
			if (logical.len > 0) {
				rc = cat_logical(&ps, logical.s);
				sb_reset(&logical);
			}
			continue;
		}
		if (p != buf && logical.len > 0) {
			/* continuation: "." alone starts a new paragraph */
			if (strcmp(p, ".") == 0)
				sb_addc(&logical, '\n');
			else {
				if (logical.s[logical.len - 1] != '\n')
					sb_addc(&logical, ' ');
				sb_adds(&logical, p);
			}
			continue;
		}
		if (logical.len > 0 && (rc = cat_logical(&ps, logical.s)) < 0)
			break;
		sb_reset(&logical);
		sb_adds(&logical, p);
		ps.line = lineno;
	}
	if (rc == 0 && logical.len > 0)
		rc = cat_logical(&ps, logical.s);
	if (rc == 0 && ps.st != ST_NONE) {
		rc = end_stanza(&ps);
	}
	sb_free(&logical);
	free(buf);
	fclose(fp);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
catalog_load_path(struct catalog *cat, const char *path, struct strbuf *err)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	char **names = NULL, full[4096];
	size_t n = 0, i, len;
	int rc = 0;

	if (stat(path, &st) < 0) {
		sb_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return catalog_load_file(cat, path, err);
	if ((dir = opendir(path)) == NULL) {
		sb_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	if (n > 0)
		qsort(names, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			rc = catalog_load_file(cat, full, err);
		}
		free(names[i]);
	}
	free(names);
	if (rc == 0 && n == 0) {
		sb_printf(err, "%s: no *.rules files", path);
		rc = -1;
	}
	return rc;
}
