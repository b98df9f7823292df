/*
 * check_params.c - parameter names in main.cf: a name Postfix does not
 * know (misspelled, so it has no effect) and a name set more than once
 * (the later line wins). Postfix's own names come from a data file,
 * patterns/postfix-params.list (postconf -d); on top of those, as
 * postconf(1) counts them (postconf_service.c, postconf_user.c):
 * per-service names (SERVICE_destination_concurrency_limit, ...) of the
 * master.cf services whose command is a delivery agent, names used as
 * $name in a value of main.cf or master.cf, smtpd_restriction_classes,
 * and the legacy NAME_xxx parameters of an ldap:NAME, mysql:NAME, ...
 * table. The observation texts are postconf's own warnings.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "textsafe.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/fmrelay-doctor"
#endif
#define PARAMS_LIST "postfix-params.list"

static char *params_list;	/* set by check_params_set_list, or NULL */

/* Data file FILE for PATH: PATH itself when it is FILE, FILE in the
 * patterns directory PATH, or beside the rules or list file PATH. */
static const char *
params_data_at(const char *path, const char *file, char *buf, size_t size)
{
	struct stat st;
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(buf, size, "%s/%s", path, file);
	else if (strcmp(file, PARAMS_LIST) == 0 && strlen(base) > 5
		 && strcmp(base + strlen(base) - 5, ".list") == 0)
		snprintf(buf, size, "%s", path);	/* a parameter list of its own */
	else if (strcmp(base, file) == 0)
		snprintf(buf, size, "%s", path);
	else if (slash != NULL)
		snprintf(buf, size, "%.*s/%s", (int)(slash - path), path, file);
	else
		snprintf(buf, size, "%s", file);
	return buf;
}

void
check_params_set_list(const char *path)
{
	char buf[4096];

	free(params_list);
	params_list = path != NULL ? xstrdup(params_data_at(path, PARAMS_LIST, buf, sizeof(buf)))
				   : NULL;
}

const char *
check_data_file(const char *file, char *buf, size_t size)
{
	const char *env = getenv("FMRELAY_DOCTOR_PATTERNS");
#ifdef FMRD_BUILD_BINDIR
	char exe[4096], *slash;
	ssize_t n;
#endif

	if (params_list != NULL)
		return params_data_at(params_list, file, buf, size);
	if (env != NULL && *env != '\0')
		return params_data_at(env, file, buf, size);
#ifdef FMRD_BUILD_BINDIR
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (strcmp(exe, FMRD_BUILD_BINDIR) == 0)
				return params_data_at(FMRD_SRC_PATTERNS, file, buf, size);
		}
	}
#endif
	snprintf(buf, size, "%s/patterns/%s", PKGDATADIR, file);
	return buf;
}

/* The names of the list, sorted for bsearch. */
struct names {
	char **v;
	size_t n;
};

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
names_load(struct names *nm, const char *path)
{
	FILE *fp;
	char line[256];

	memset(nm, 0, sizeof(*nm));
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		nm->v = xreallocarray(nm->v, nm->n + 1, sizeof(char *));
		nm->v[nm->n++] = xstrdup(line);
	}
	fclose(fp);
	qsort(nm->v, nm->n, sizeof(char *), names_cmp);
	return 0;
}

static int
names_has(const struct names *nm, const char *name)
{
	return nm->n > 0 && bsearch(&name, nm->v, nm->n, sizeof(char *), names_cmp) != NULL;
}

static void
names_free(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/* Suffixes postconf derives per master.cf service (postconf_service.c):
 * delivery agents get the queue manager's per-transport parameters, pipe
 * also the time limit, spawn only the time limit. */
static const char *const service_suffixes[] = {
	"_recipient_limit", "_extra_recipient_limit", "_recipient_refill_limit",
	"_recipient_refill_delay", "_delivery_slot_cost", "_delivery_slot_loan",
	"_delivery_slot_discount", "_minimum_delivery_slots",
	"_initial_destination_concurrency", "_destination_concurrency_limit",
	"_destination_recipient_limit", "_destination_concurrency_positive_feedback",
	"_destination_concurrency_negative_feedback",
	"_destination_concurrency_failed_cohort_limit", "_destination_rate_delay",
	"_transport_rate_delay", NULL
};
static const char *const agents[] = { "local", "error", "virtual", "smtp", "lmtp", NULL };

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Is suffix ("_time_limit") derived for a service whose command is cmd
 * (NULL: any command)? */
static int
service_suffix(const char *suffix, const char *cmd)
{
	int pipe = cmd != NULL && strcmp(cmd, "pipe") == 0;
	int spawn = cmd != NULL && strcmp(cmd, "spawn") == 0;

	if ((cmd == NULL || pipe || spawn) && strcmp(suffix, "_time_limit") == 0)
		return 1;
	return (cmd == NULL || pipe || in_list(agents, cmd)) && in_list(service_suffixes, suffix);
}

/* SERVICE_suffix for a master.cf service that has it; without master.cf
 * any SOMETHING_suffix counts (postconf needs master.cf to tell). */
static int
service_param(const struct pfconf *cf, const char *name)
{
	const char *u;
	size_t i, n;

	if (!cf->master_loaded) {
		for (u = strchr(name, '_'); u != NULL && u > name; u = strchr(u + 1, '_'))
			if (service_suffix(u, NULL))
				return 1;
		return 0;
	}
	for (i = 0; i < cf->nservices; i++) {
		n = strlen(cf->services[i].name);
		if (strncmp(name, cf->services[i].name, n) == 0 && name[n] == '_'
		    && service_suffix(name + n, cf->services[i].command))
			return 1;
	}
	return 0;
}

/* Does text use $name, ${name...} or $(name...)? */
static int
text_refers(const char *text, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	for (p = text; (p = strchr(p, '$')) != NULL; ) {
		p++;
		if (*p == '{' || *p == '(')
			p++;
		if (strncmp(p, name, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_')
			return 1;
	}
	return 0;
}

/* Is name a list element of text (blank or comma separated)? */
static int
text_lists(const char *text, const char *name)
{
	size_t n = strlen(name), k;
	const char *p;

	for (p = text; *p != '\0'; p += k) {
		p += strspn(p, " ,\t");
		k = strcspn(p, " ,\t");
		if (k == n && strncmp(p, name, n) == 0)
			return 1;
	}
	return 0;
}

/* NAME_xxx of a legacy database client table type:NAME in a value. */
static int
dbms_param(const char *value, const char *name)
{
	static const char *const types[] = {
		"ldap:", "mysql:", "pgsql:", "sqlite:", "memcache:", "mongodb:", NULL
	};
	const char *p;
	size_t i, k;

	for (i = 0; types[i] != NULL; i++)
		for (p = value; (p = strstr(p, types[i])) != NULL; p += k) {
			p += strlen(types[i]);
			k = strcspn(p, " ,\t");
			if (*p != '/' && k > 0 && strncmp(name, p, k) == 0 && name[k] == '_')
				return 1;
		}
	return 0;
}

/* Is main.cf parameter name user-defined the way postconf accepts it? */
static int
user_param(const struct pfconf *cf, const struct names *nm, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nparams; i++) {
		if (strcmp(cf->params[i].name, name) == 0)
			continue;
		if (text_refers(cf->params[i].value, name))
			return 1;
		if (strcmp(cf->params[i].name, "smtpd_restriction_classes") == 0
		    && text_lists(cf->params[i].value, name))
			return 1;
		if (names_has(nm, cf->params[i].name) && dbms_param(cf->params[i].value, name))
			return 1;
	}
	for (i = 0; i < cf->nservices; i++)
		if (text_refers(cf->services[i].where.text, name))
			return 1;
	return 0;
}

/* A value that may carry a password (static:user:password, inline:{...},
 * a password map's) is not shown. */
static int
params_hidden(const char *name, const char *value)
{
	return strstr(name, "password_maps") != NULL || strstr(value, "static:") != NULL
	       || strstr(value, "inline:") != NULL;
}

static void
params_unknown(struct pfconf *cf, struct obs_out *out, const char *file)
{
	char buf[4096];
	const char *list = check_data_file(PARAMS_LIST, buf, sizeof(buf));
	struct names nm;
	struct obs_ev ev;
	const struct cf_param *p;
	size_t i;
	int hidden;

	if (names_load(&nm, list) < 0) {
		check_skipped(out, "params", list, strerror(errno));
		return;
	}
	if (nm.n == 0) {
		check_skipped(out, "params", list, "no parameter names in it");
		names_free(&nm);
		return;
	}
	for (i = 0; i < cf->nparams; i++) {
		p = &cf->params[i];
		if (names_has(&nm, p->name) || service_param(cf, p->name) || user_param(cf, &nm, p->name))
			continue;
		hidden = params_hidden(p->name, p->value);	/* a misspelled password map */
		ev.file = p->where.file;
		ev.line = (unsigned long)p->where.line;
		ev.text = hidden ? p->name : p->where.text;
		obs_emit(out, OBS_CONFIG, "params", NULL, &ev, 1, "%s: unused parameter: %s=%s",
			 file, p->name, hidden ? TS_REDACTED : p->value);
	}
	names_free(&nm);
}

/* Every definition in main.cf, in order (pfconf keeps the last one). */
struct def {
	char *name;
	char *value;
	char *text;
	unsigned long line;
};

static void
defs_add(struct def **d, size_t *n, const char *logical, unsigned long line)
{
	const char *eq = strchr(logical, '='), *v;
	size_t k;
	struct def *e;

	if (eq == NULL)
		return;
	for (k = (size_t)(eq - logical); k > 0 && isspace((unsigned char)logical[k - 1]); k--)
		;
	if (k == 0)
		return;
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	*d = xreallocarray(*d, *n + 1, sizeof(**d));
	e = &(*d)[(*n)++];
	e->name = xstrndup(logical, k);
	e->value = xstrdup(v);
	e->text = xstrdup(logical);
	e->line = line;
	for (k = strlen(e->value); k > 0 && isspace((unsigned char)e->value[k - 1]); k--)
		e->value[k - 1] = '\0';
}

/* Every definition, in order: what pfconf_read_logical hands over. */
struct defs {
	struct def *d;
	size_t n;
};

static void
defs_line(struct pfconf *cf, char *logical, int lineno, const char *file, void *arg)
{
	struct defs *ds = arg;

	(void)cf;
	(void)file;
	defs_add(&ds->d, &ds->n, logical, (unsigned long)lineno);
}

static void
params_twice(struct pfconf *cf, struct obs_out *out, const char *file)
{
	struct defs ds = { NULL, 0 };
	struct def *d;
	struct obs_ev ev[2];
	size_t n, i, j;
	int hidden;

	if (pfconf_read_logical(cf, file, defs_line, &ds) < 0)
		return;		/* pfconf read it a moment ago */
	d = ds.d;
	n = ds.n;
	for (i = 1; i < n; i++) {
		for (j = i; j-- > 0; )
			if (strcmp(d[j].name, d[i].name) == 0)
				break;
		if (j == (size_t)-1)
			continue;
		hidden = params_hidden(d[j].name, d[j].value);
		ev[0] = (struct obs_ev){ file, d[j].line, hidden ? d[j].name : d[j].text };
		ev[1] = (struct obs_ev){ file, d[i].line, hidden ? d[i].name : d[i].text };
		obs_emit(out, OBS_CONFIG, "params", NULL, ev, 2,
			 "%s, line %lu: overriding earlier entry: %s=%s", file, d[i].line,
			 d[j].name, hidden ? TS_REDACTED : d[j].value);
	}
	for (i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].value);
		free(d[i].text);
	}
	free(d);
}

void
check_params(struct pfconf *cf, struct obs_out *out)
{
	char file[4200];

	snprintf(file, sizeof(file), "%s/main.cf", cf->dir);
	params_twice(cf, out, file);
	params_unknown(cf, out, file);
}
