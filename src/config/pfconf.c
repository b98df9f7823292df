/*
 * pfconf.c - read main.cf, master.cf and the SASL password map source
 * the way Postfix does: logical lines (continuations start with
 * whitespace), '#' comments, later definitions override earlier ones.
 */
#include <ctype.h>
#include <strings.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pfconf.h"
#include "textsafe.h"

static void cf_inline_secrets(const char *maps);

/* Defaults of the parameters the diagnosis consults (Postfix 3.x). */
static const struct {
	const char *name;
	const char *value;
} cf_defaults[] = {
	{ "compatibility_level", "0" },
	{ "queue_directory", "/var/spool/postfix" },
	{ "relayhost", "" },
	{ "smtp_tls_security_level", "" },
	{ "smtp_tls_wrappermode", "no" },
	{ "smtp_tls_loglevel", "0" },
	{ "smtp_tls_CAfile", "" },
	{ "smtp_tls_CApath", "" },
	{ "tls_append_default_CA", "no" },
	{ "smtp_sasl_auth_enable", "no" },
	{ "smtp_sasl_password_maps", "" },
	{ "smtp_sasl_security_options", "noplaintext, noanonymous" },
	{ "smtp_sasl_tls_security_options", "$smtp_sasl_security_options" },
	{ "smtp_sasl_mechanism_filter", "" },
	{ "smtp_sender_dependent_authentication", "no" },
	{ "maillog_file", "" },
	{ "mydestination", "$myhostname, localhost.$mydomain, localhost" },
};

#define CF_MAX_LINE 65536

static const char *
cf_keep_line(struct pfconf *cf, const char *text)
{
	cf->lines = xreallocarray(cf->lines, cf->nlines + 1, sizeof(char *));
	cf->lines[cf->nlines] = xstrdup(text);
	return cf->lines[cf->nlines++];
}

static char *
cf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Read the logical lines of a Postfix-style file; calls fn(cf, text,
 * lineno, file) for each. Returns -1 with errno if the file can't be read.
 */
int
pfconf_read_logical(struct pfconf *cf, const char *path, cf_line_fn fn, void *arg)
{
	FILE *fp;
	struct strbuf logical;
	struct stat st;
	char *buf, *p;
	int lineno = 0, start = 0;
	const char *file;

	/* only regular files: a map named /dev/zero or a FIFO would hang */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	file = cf_keep_line(cf, path);
	buf = xmalloc(CF_MAX_LINE);
	sb_init(&logical);
	while (fgets(buf, CF_MAX_LINE, fp) != NULL) {
		lineno++;
		buf[strcspn(buf, "\r\n")] = '\0';
		p = buf;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		if (p != buf && logical.len > 0) {
			sb_addc(&logical, ' ');
			sb_adds(&logical, p);
			continue;
		}
		if (logical.len > 0)
			fn(cf, logical.s, start, file, arg);
		sb_reset(&logical);
		sb_adds(&logical, p);
		start = lineno;
	}
	if (logical.len > 0)
		fn(cf, logical.s, start, file, arg);
	sb_free(&logical);
	free(buf);
	fclose(fp);
	return 0;
}

static struct cf_param *
cf_find(const struct pfconf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nparams; i++)
		if (strcmp(cf->params[i].name, name) == 0)
			return &cf->params[i];
	return NULL;
}

static void
cf_main_line(struct pfconf *cf, char *text, int lineno, const char *file, void *arg)
{
	char *eq = strchr(text, '='), *name, *value;
	struct cf_param *p;
	const char *kept;

	(void)arg;
	if (eq == NULL)
		return;
	kept = cf_keep_line(cf, text);
	*eq = '\0';
	name = cf_trim(text);
	value = cf_trim(eq + 1);
	if (*name == '\0')
		return;
	if ((p = cf_find(cf, name)) == NULL) {
		cf->params = xreallocarray(cf->params, cf->nparams + 1, sizeof(*p));
		p = &cf->params[cf->nparams++];
		p->name = xstrdup(name);
	} else {
		free(p->value);
	}
	p->value = xstrdup(value);
	if (strstr(name, "password_maps") != NULL)
		cf_inline_secrets(value);
	p->where.file = file;
	p->where.line = lineno;
	p->where.text = kept;
}

static void
cf_master_line(struct pfconf *cf, char *text, int lineno, const char *file, void *arg)
{
	char *fields[8], *save = NULL, *tok, *rest;
	struct cf_service *sv;
	const char *kept = cf_keep_line(cf, text);
	int n = 0;

	(void)arg;
	cf_inline_secrets(text);	/* -o smtp_sasl_password_maps=static:... */
	for (tok = strtok_r(text, " \t", &save); tok != NULL && n < 8;
	     tok = strtok_r(NULL, " \t", &save))
		fields[n++] = tok;
	if (n < 8)
		return;
	cf->services = xreallocarray(cf->services, cf->nservices + 1, sizeof(*sv));
	sv = &cf->services[cf->nservices++];
	memset(sv, 0, sizeof(*sv));
	sv->name = xstrdup(fields[0]);
	sv->type = xstrdup(fields[1]);
	sv->chroot = fields[4][0];
	sv->command = xstrdup(fields[7]);
	sv->where.file = file;
	sv->where.line = lineno;
	sv->where.text = kept;
	while ((rest = strtok_r(NULL, " \t", &save)) != NULL) {
		if (strcmp(rest, "-o") == 0 && (rest = strtok_r(NULL, " \t", &save)) == NULL)
			break;
		if (strncmp(rest, "syslog_name=", 12) == 0 && sv->syslog_name == NULL)
			sv->syslog_name = xstrdup(rest + 12);

	}
}

/* Remember the password of a "user:password" value for redaction and
 * return a masked copy of the line. */
static void
cf_secret_value(const char *value, char **user)
{
	const char *colon = strchr(value, ':');

	if (colon == NULL) {
		*user = xstrdup(value);
		return;
	}
	*user = xstrndup(value, (size_t)(colon - value));
	ts_secret_add(colon + 1, strlen(colon + 1));
}

static void
cf_sasl_line(struct pfconf *cf, char *text, int lineno, const char *file, void *arg)
{
	struct sasl_entry *e;
	char *key = text, *value, *masked;
	size_t klen = strcspn(text, " \t");

	(void)arg;
	if (text[klen] == '\0')
		return;
	text[klen] = '\0';
	value = cf_trim(text + klen + 1);
	cf->sasl = xreallocarray(cf->sasl, cf->nsasl + 1, sizeof(*e));
	e = &cf->sasl[cf->nsasl++];
	e->key = xstrdup(key);
	cf_secret_value(value, &e->user);
	masked = xmalloc(strlen(key) + strlen(e->user) + sizeof(TS_REDACTED) + 3);
	sprintf(masked, "%s %s:%s", key, e->user, TS_REDACTED);
	e->where.file = file;
	e->where.line = lineno;
	e->where.text = cf_keep_line(cf, masked);
	free(masked);
}

/* End of the "{...}" group that starts at p (p[0] == '{'), honouring
 * nested braces as Postfix does; returns a pointer to the closing brace
 * or to the end of the string. */
static const char *
cf_brace_end(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			return p;
	}
	return p;
}

const char *
pfconf_list_next(const char **pp, size_t *n)
{
	const char *p = *pp + strspn(*pp, " ,\t\r\n"), *q;
	int depth = 0;

	for (q = p; *q != '\0'; q++) {
		if (*q == '{')
			depth++;
		else if (*q == '}' && depth > 0)
			depth--;
		else if (depth == 0 && strchr(" ,\t\r\n", *q) != NULL)
			break;
	}
	*n = (size_t)(q - p);
	*pp = q;
	return *n > 0 ? p : NULL;
}

static void
cf_secret_text(const char *p, size_t n)
{
	char *copy = xstrndup(p, n), *user;

	cf_secret_value(cf_trim(copy), &user);
	free(user);
	free(copy);
}

/*
 * static:user:pass, static:{ user:pass with spaces } and
 * inline:{ key=user:pass, { key = user:pass,with,commas } } carry secrets
 * in main.cf or master.cf itself; register them for redaction.
 */
static void
cf_inline_secrets(const char *maps)
{
	const char *p, *q, *end, *e, *eq;

	for (p = maps; (p = strstr(p, "static:")) != NULL; p = q) {
		p += 7;
		if (*p == '{') {
			q = cf_brace_end(p);
			cf_secret_text(p + 1, (size_t)(q - p - 1));
		} else {
			q = p + strcspn(p, " ,\t");
			cf_secret_text(p, (size_t)(q - p));
		}
	}
	for (p = maps; (p = strstr(p, "inline:{")) != NULL; p = end) {
		p += 7;
		end = cf_brace_end(p);
		for (q = p + 1; q < end; q = e + 1) {
			while (q < end && (*q == ' ' || *q == '\t' || *q == ','))
				q++;
			if (q >= end)
				break;
			if (*q == '{') {
				e = cf_brace_end(q);
				if (e > end)
					e = end;
				eq = memchr(q, '=', (size_t)(e - q));
				if (eq != NULL)
					cf_secret_text(eq + 1, (size_t)(e - eq - 1));
			} else {
				e = memchr(q, ',', (size_t)(end - q));
				if (e == NULL)
					e = end;
				eq = memchr(q, '=', (size_t)(e - q));
				if (eq != NULL)
					cf_secret_text(eq + 1, (size_t)(e - eq - 1));
			}
		}
		if (*end == '\0')
			break;
	}
}

const char *pfconf_host_dir = "/etc/postfix";

/* Length of "HOSTDIR/" when P[0..n) is a file under the host's
 * configuration directory, else 0. */
static size_t
cf_host_prefix(const char *p, size_t n)
{
	size_t h = strlen(pfconf_host_dir);

	while (h > 1 && pfconf_host_dir[h - 1] == '/')
		h--;
	if (n <= h + 1 || strncmp(p, pfconf_host_dir, h) != 0 || p[h] != '/')
		return 0;
	return h + 1;
}

/* Is the configuration directory the host's own one (the same directory,
 * however it was named)? */
static int
cf_dir_is_host(const struct pfconf *cf)
{
	struct stat a, b;

	if (cf->root != NULL)	/* a copy of a system: never the host's files */
		return 0;
	return stat(cf->dir, &a) == 0 && stat(pfconf_host_dir, &b) == 0
	       && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
pfconf_dir_is_host(const struct pfconf *cf)
{
	return cf_dir_is_host(cf);
}

/* Where to look for the map source P[0..n), in order: under the config
 * directory when P is under /etc/postfix/; the same file name beside
 * main.cf (postmulti instances keep their maps in their own directory);
 * P itself - but not when P is under /etc/postfix/ and the configuration
 * directory is another one (a copy of someone's configuration must never
 * be paired with this host's password map). Returns 0 to skip K. */
static int
cf_map_candidate(const struct pfconf *cf, const char *p, size_t n, int k,
		 char *path, size_t size)
{
	const char *base;
	size_t h = cf_host_prefix(p, n);

	switch (k) {
	case 0:
		if (h == 0)
			return 0;
		snprintf(path, size, "%s/%.*s", cf->dir, (int)(n - h), p + h);
		return 1;
	case 1:
		for (base = p + n; base > p && base[-1] != '/'; base--)
			;
		snprintf(path, size, "%s/%.*s", cf->dir, (int)(p + n - base), base);
		return 1;
	default:
		if (h != 0 && !cf_dir_is_host(cf) && cf->root == NULL)
			return 0;
		if (cf->root != NULL && n > 0 && p[0] == '/')
			snprintf(path, size, "%s%.*s", cf->root, (int)n, p);
		else
			snprintf(path, size, "%.*s", (int)n, p);
		return 1;
	}
}

/* Compare the map's database with its source, as postmap leaves them:
 * hash/btree -> FILE.db, lmdb -> FILE.lmdb, cdb -> FILE.cdb, dbm ->
 * FILE.pag. Postfix itself only warns about a stale database once the
 * source is 100 s old, so the files tell more than the log can. */
static void
cf_sasl_db(struct pfconf *cf, const char *type, const char *src)
{
	static const struct {
		const char *type, *suffix;
	} dbs[] = {
		{ "hash:", ".db" }, { "btree:", ".db" }, { "lmdb:", ".lmdb" },
		{ "cdb:", ".cdb" }, { "dbm:", ".pag" },
	};
	struct stat ss, ds;
	char db[4200], text[9000], t1[32], t2[32];
	struct tm tm;
	size_t i;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		if (strcmp(dbs[i].type, type) == 0)
			break;
	if (i == sizeof(dbs) / sizeof(dbs[0]) || stat(src, &ss) != 0)
		return;
	snprintf(db, sizeof(db), "%s%s", src, dbs[i].suffix);
	localtime_r(&ss.st_mtime, &tm);
	strftime(t1, sizeof(t1), "%Y-%m-%d %H:%M:%S", &tm);
	if (stat(db, &ds) != 0) {
		cf->sasl_db_state = SASL_DB_MISSING;
		snprintf(text, sizeof(text), "%s modified %s; %s does not exist", src, t1, db);
	} else {
		cf->sasl_db_state = ds.st_mtime < ss.st_mtime ? SASL_DB_STALE : SASL_DB_FRESH;
		localtime_r(&ds.st_mtime, &tm);
		strftime(t2, sizeof(t2), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(text, sizeof(text), "%s modified %s; %s modified %s", src, t1, db, t2);
	}
	cf->sasl_db_where.file = cf_keep_line(cf, src);
	cf->sasl_db_where.line = 0;
	cf->sasl_db_where.text = cf_keep_line(cf, text);
}

/* Find the source file of the first file-based password map and read it. */
static void
cf_load_sasl(struct pfconf *cf)
{
	static const char *const types[] = {
		"hash:", "btree:", "lmdb:", "cdb:", "dbm:", "texthash:", NULL
	};
	const char *maps = pfconf_get(cf, "smtp_sasl_password_maps", NULL), *p;
	char path[4096];
	size_t i, n;
	int k;

	if (maps == NULL || *maps == '\0')
		return;
	/* the first file-based map in the list: "type:path" tokens */
	for (p = maps; *p != '\0'; p += n) {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		for (i = 0; types[i] != NULL; i++)
			if (strncmp(p, types[i], strlen(types[i])) == 0)
				break;
		if (n == 0 || types[i] == NULL)
			continue;
		p += strlen(types[i]);
		n -= strlen(types[i]);
		for (k = 0; k < 3; k++) {
			if (!cf_map_candidate(cf, p, n, k, path, sizeof(path)))
				continue;
			if (pfconf_read_logical(cf, path, cf_sasl_line, NULL) == 0) {
				cf->sasl_file = xstrdup(path);
				cf_sasl_db(cf, types[i], path);
				return;
			}
		}
		if (cf_host_prefix(p, n) != 0 && !cf_dir_is_host(cf)) {
			char msg[9000];

			snprintf(msg, sizeof(msg), "%.*s is not available from %s (the host's "
				 "%s is not read for another configuration directory)",
				 (int)n, p, cf->dir, pfconf_host_dir);
			cf->sasl_unavailable = xstrdup(msg);
		}
		return;
	}
}

const char *
pfconf_path(const struct pfconf *cf, const char *p, char *buf, size_t size)
{
	if (cf != NULL && cf->root != NULL && p[0] == '/')
		snprintf(buf, size, "%s%s", cf->root, p);
	else
		snprintf(buf, size, "%s", p);
	return buf;
}

int
pfconf_load(struct pfconf *cf, const char *dir)
{
	return pfconf_load_root(cf, dir, NULL);
}

int
pfconf_load_root(struct pfconf *cf, const char *dir, const char *root)
{
	char path[4096];
	size_t n;

	memset(cf, 0, sizeof(*cf));
	if (root != NULL) {
		n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			n--;
		cf->root = n == 1 && root[0] == '/' ? NULL : xstrndup(root, n);
	}
	if (dir == NULL) {
		snprintf(path, sizeof(path), "%s/etc/postfix", cf->root != NULL ? cf->root : "");
		dir = path;
	}
	cf->dir = xstrdup(dir);
	dir = cf->dir;
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	if (pfconf_read_logical(cf, path, cf_main_line, NULL) < 0) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		cf->error = xstrdup(msg);
		return -1;
	}
	cf->loaded = 1;
	snprintf(path, sizeof(path), "%s/master.cf", dir);
	if (pfconf_read_logical(cf, path, cf_master_line, NULL) == 0)
		cf->master_loaded = 1;
	cf_load_sasl(cf);
	return 0;
}

void
pfconf_free(struct pfconf *cf)
{
	size_t i;

	for (i = 0; i < cf->nparams; i++) {
		free(cf->params[i].name);
		free(cf->params[i].value);
	}
	for (i = 0; i < cf->nservices; i++) {
		free(cf->services[i].name);
		free(cf->services[i].type);
		free(cf->services[i].command);
		free(cf->services[i].syslog_name);
	}
	for (i = 0; i < cf->nsasl; i++) {
		free(cf->sasl[i].key);
		free(cf->sasl[i].user);
	}
	for (i = 0; i < cf->nlines; i++)
		free(cf->lines[i]);
	free(cf->params);
	free(cf->services);
	free(cf->sasl);
	free(cf->lines);
	free(cf->sasl_file);
	free(cf->sasl_unavailable);
	free(cf->error);
	free(cf->dir);
	free(cf->root);
	memset(cf, 0, sizeof(*cf));
}

/* The value as written in main.cf, or the built-in default; NULL if the
 * parameter is unknown. */
static const char *
cf_raw(const struct pfconf *cf, const char *name, const struct cf_where **where)
{
	const struct cf_param *p;
	size_t i;

	if ((p = cf_find(cf, name)) != NULL) {
		if (where != NULL)
			*where = &p->where;
		return p->value;
	}
	for (i = 0; i < sizeof(cf_defaults) / sizeof(cf_defaults[0]); i++)
		if (strcmp(cf_defaults[i].name, name) == 0)
			return cf_defaults[i].value;
	/* the directory main.cf was read from, as the system sees it (a path
	 * inside the root is written without it: it is resolved later) */
	if (strcmp(name, "config_directory") == 0)
		return cf->root != NULL && strncmp(cf->dir, cf->root, strlen(cf->root)) == 0
		       && cf->dir[strlen(cf->root)] == '/' ? cf->dir + strlen(cf->root) : cf->dir;
	return NULL;
}

/* Expand $name, ${name} and $(name) into out; *budget bounds the number
 * of references followed, so a hostile main.cf cannot blow up. */
static size_t
cf_expand(const struct pfconf *cf, const char *in, char *out, size_t size, int depth,
	  int *budget)
{
	size_t o = 0, n;
	const char *p = in, *val;
	char name[128];

	while (*p != '\0' && o + 1 < size) {
		if (*p != '$' || depth > 8 || *budget <= 0) {
			out[o++] = *p++;
			continue;
		}
		p++;
		if (*p == '{' || *p == '(') {
			char close = *p == '{' ? '}' : ')';

			n = strcspn(p + 1, "}) ?:");
			if (p[1 + n] != close) {	/* ${name?...}: keep as written */
				out[o++] = '$';
				continue;
			}
			snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
			p += n + 2;
		} else {
			for (n = 0; isalnum((unsigned char)p[n]) || p[n] == '_'; n++)
				;
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			p += n;
		}
		(*budget)--;
		if ((val = cf_raw(cf, name, NULL)) != NULL)
			o += cf_expand(cf, val, out + o, size - o, depth + 1, budget);
	}
	out[o] = '\0';
	return o;
}

/* Expanded values live in a small ring so callers can hold a few. */
#define CF_RING 8
static char cf_ring[CF_RING][1024];
static int cf_ring_pos;

const char *
pfconf_get(const struct pfconf *cf, const char *name, const struct cf_where **where)
{
	const char *raw;
	char *out;
	int budget = 256;

	if (where != NULL)
		*where = NULL;
	if (cf == NULL || !cf->loaded)
		return NULL;
	if ((raw = cf_raw(cf, name, where)) == NULL)
		return "";
	if (strchr(raw, '$') == NULL)
		return raw;
	out = cf_ring[cf_ring_pos++ % CF_RING];
	cf_expand(cf, raw, out, sizeof(cf_ring[0]), 0, &budget);
	return out;
}

static const struct {
	const char *type, *suffix;
} cf_table_types[] = {
	{ "hash", ".db" }, { "btree", ".db" }, { "lmdb", ".lmdb" },
	{ "cdb", ".cdb" }, { "dbm", ".pag" }, { "texthash", NULL },
};

const char *
pfconf_table_suffix(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(cf_table_types) / sizeof(cf_table_types[0]); i++)
		if (strcmp(cf_table_types[i].type, type) == 0)
			return cf_table_types[i].suffix;
	return NULL;
}

static void
cf_table_line(struct pfconf *cf, char *text, int lineno, const char *file, void *arg)
{
	struct cf_table *t = arg;
	struct cf_entry *e;
	size_t klen = strcspn(text, " \t");
	char *value, *colon, *masked;

	t->e = xreallocarray(t->e, t->n + 1, sizeof(*e));
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	value = text[klen] != '\0' ? cf_trim(text + klen + 1) : text + klen;
	e->key = xstrndup(text, klen);
	if (*value == '\0')
		t->malformed++;
	e->where.file = file;
	e->where.line = lineno;
	if ((t->flags & CF_TABLE_SECRET) != 0 && (t->flags & CF_TABLE_RAW) == 0
	    && (colon = strchr(value, ':')) != NULL) {
		e->has_secret = 1;
		e->empty_secret = colon[1] == '\0';
		ts_secret_add(colon + 1, strlen(colon + 1));
		e->value = xstrndup(value, (size_t)(colon - value));
		masked = xmalloc(klen + strlen(e->value) + sizeof(TS_REDACTED) + 3);
		sprintf(masked, "%s %s:%s", e->key, e->value, TS_REDACTED);
		e->where.text = cf_keep_line(cf, masked);
		free(masked);
	} else {
		e->value = xstrdup(value);
		e->where.text = cf_keep_line(cf, (t->flags & (CF_TABLE_SECRET | CF_TABLE_RAW)) != 0
					     ? e->key : text);
	}
	t->n++;
}

/* One "key = value" element of an inline: table (value may be empty). */
static void
cf_inline_entry(struct pfconf *cf, const char *file, const char *p, size_t n, struct cf_table *t)
{
	const char *eq = memchr(p, '=', n);
	char *text;
	size_t k, v;

	while (n > 0 && isspace((unsigned char)*p))
		p++, n--;
	if (eq == NULL) {	/* no '=': Postfix refuses the whole table */
		t->malformed++;
		return;
	}
	k = (size_t)(eq - p);
	while (k > 0 && isspace((unsigned char)p[k - 1]))
		k--;
	eq++;
	v = n - (size_t)(eq - p);
	while (v > 0 && isspace((unsigned char)*eq))
		eq++, v--;
	while (v > 0 && isspace((unsigned char)eq[v - 1]))
		v--;
	text = xmalloc(k + v + 2);
	memcpy(text, p, k);
	text[k] = ' ';
	memcpy(text + k + 1, eq, v);
	text[k + 1 + v] = '\0';
	cf_table_line(cf, text, 0, file, t);
	t->e[t->n - 1].inline_entry = 1;
	if (v == 0 && t->malformed > 0)
		t->malformed--;	/* "key=" is an entry with an empty value */
	free(text);
}

/* inline:{ key=value, { key = value, with commas } } (Postfix 3.0): read
 * from the specification itself; t->path is "inline:{...}" (the text may
 * hold passwords, which are never shown). */
static int
cf_inline_read(struct pfconf *cf, unsigned flags, struct cf_table *t)
{
	const char *end = cf_brace_end(t->name), *p, *q;
	const char *file = cf_keep_line(cf, "inline:{...}");	/* outlives t */
	size_t n;

	t->flags = flags;
	t->path = xstrdup(file);
	if (*end != '}') {
		t->why = xstrdup("inline: table without its closing '}'");
		return -1;
	}
	for (p = t->name + 1; p < end; p = q) {
		p += strspn(p, " ,\t\r\n");
		if (p >= end)
			break;
		if (*p == '{') {
			q = cf_brace_end(p);
			if (q > end)
				q = end;
			cf_inline_entry(cf, file, p + 1, (size_t)(q - p - 1), t);
			q++;
			continue;
		}
		for (q = p; q < end && *q != ','; q++)
			;
		n = (size_t)(q - p);
		cf_inline_entry(cf, file, p, n, t);
	}
	return 0;
}

int
pfconf_table_read(struct pfconf *cf, const char *spec, unsigned flags, struct cf_table *t)
{
	const char *colon = strchr(spec, ':'), *p;
	char path[4096];
	size_t i, n;
	int k, err = ENOENT;

	memset(t, 0, sizeof(*t));
	if (colon == NULL) {
		t->why = xstrdup("not a type:name table");
		return -1;
	}
	t->type = xstrndup(spec, (size_t)(colon - spec));
	t->name = xstrdup(colon + 1);
	if (strcmp(t->type, "inline") == 0 && *t->name == '{')
		return cf_inline_read(cf, flags, t);
	for (i = 0; i < sizeof(cf_table_types) / sizeof(cf_table_types[0]); i++)
		if (strcmp(cf_table_types[i].type, t->type) == 0)
			break;
	if (i == sizeof(cf_table_types) / sizeof(cf_table_types[0])) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s: tables are not read (no source file)", t->type);
		t->why = xstrdup(msg);
		return -1;
	}
	p = t->name;
	n = strlen(p);
	for (k = 0; k < 3; k++) {
		if (!cf_map_candidate(cf, p, n, k, path, sizeof(path)))
			continue;
		t->flags = flags;
		if (pfconf_read_logical(cf, path, cf_table_line, t) == 0) {
			t->path = xstrdup(path);
			return 0;
		}
		if (errno != ENOENT || err == ENOENT)
			err = errno;
	}
	t->err = err;
	{
		char msg[4400];

		if (cf_host_prefix(p, n) != 0 && !cf_dir_is_host(cf))
			snprintf(msg, sizeof(msg), "%s is not in %s (the host's %s is not read for "
				 "another configuration)", p, cf->dir, pfconf_host_dir);
		else
			snprintf(msg, sizeof(msg), "%s: %s", p, strerror(err));
		t->why = xstrdup(msg);
	}
	return -1;
}

void
pfconf_table_free(struct cf_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].value);
	}
	free(t->e);
	free(t->type);
	free(t->name);
	free(t->path);
	free(t->why);
	memset(t, 0, sizeof(*t));
}

int
pfconf_true(const char *v)
{
	return v != NULL && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0
			     || strcmp(v, "1") == 0);
}

int
pfconf_service_chroot(const struct pfconf *cf, const char *name,
		      const struct cf_where **where)
{
	const struct cf_service *best = NULL;
	const char *compat;
	size_t i;

	if (where != NULL)
		*where = NULL;
	if (cf == NULL || !cf->master_loaded)
		return -1;
	for (i = 0; i < cf->nservices; i++) {
		const struct cf_service *s = &cf->services[i];

		if (strcmp(s->name, name) != 0)
			continue;
		if (best == NULL || strcmp(s->type, "unix") == 0)
			best = s;
	}
	if (best == NULL)
		return -1;
	if (where != NULL)
		*where = &best->where;
	if (best->chroot == 'y')
		return 1;
	if (best->chroot == 'n')
		return 0;
	compat = pfconf_get(cf, "compatibility_level", NULL);
	return compat != NULL && atof(compat) < 1 ? 1 : 0;
}

int
pfconf_sasl_key_found(const struct pfconf *cf)
{
	const char *relay, *maps, *h, *e;
	char host[256];
	size_t i, n;

	if (cf == NULL || !cf->loaded)
		return -1;
	relay = pfconf_get(cf, "relayhost", NULL);
	maps = pfconf_get(cf, "smtp_sasl_password_maps", NULL);
	if (relay == NULL || *relay == '\0' || maps == NULL || cf->sasl_file == NULL
	    || strstr(maps, "static:") != NULL || strstr(maps, "inline:") != NULL
	    || pfconf_true(pfconf_get(cf, "smtp_sender_dependent_authentication", NULL)))
		return -1;
	/* the server host name: "[host]:port" -> host, "host:port" -> host */
	h = relay;
	if (*h == '[') {
		h++;
		e = strchr(h, ']');
	} else {
		e = strchr(h, ':');
	}
	n = e != NULL ? (size_t)(e - h) : strlen(h);
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	for (i = 0; i < cf->nsasl; i++)
		if (strcasecmp(cf->sasl[i].key, relay) == 0 || strcasecmp(cf->sasl[i].key, host) == 0)
			return 1;
	return 0;
}
