/*
 * check_sasl.c - the SASL client as smtp(8) will run it. check_sasl_map:
 * the password maps of smtp_sasl_password_maps (compiled file present and
 * not older than its source, owner and mode of both, the source's lines)
 * and, for every relay of relays.c, the entry under the keys smtp(8)
 * tries. check_sasl_settings: smtp_sasl_auth_enable, the security
 * options and mechanism filter that may refuse PLAIN and LOGIN, and the
 * Cyrus SASL client plugins. Passwords are never read into anything but
 * the masked table of pfconf_table_read; usernames and keys are not
 * secret. The observation texts are listed in docs/OBSERVATIONS.md.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "relays.h"

#define MAP_CHECK "sasl_map"
#define SET_CHECK "sasl_settings"
#define SASL_MAX_MAPS 8
#define SASL_MAX_KEYS 6

/* The password maps as read, and the relays smtp(8) authenticates to. */
struct sasl_state {
	struct pfconf *cf;
	struct obs_out *out;
	struct relay_list relays;
	const char *one_host;	/* the relays' host when they all share one */
	struct cf_table maps[SASL_MAX_MAPS];
	size_t nmaps;
	int lookups_known;	/* every map was read: lookups can be simulated */
};

/* Does relay r deliver with smtp(8)? lmtp(8) has lmtp_sasl_* of its own. */
static int
sasl_smtp_relay(const struct pfconf *cf, const struct relay *r)
{
	size_t i;

	if (strncmp(r->nexthop, "inet:", 5) == 0)
		return 0;
	if (r->transport == NULL)
		return 1;
	for (i = 0; i < cf->nservices; i++) {
		const struct cf_service *s = &cf->services[i];
		const char *cmd = strrchr(s->command, '/');

		cmd = cmd != NULL ? cmd + 1 : s->command;
		if (strcmp(s->name, r->transport) == 0 && strcmp(s->type, "unix") == 0)
			return strcmp(cmd, "lmtp") != 0;
	}
	return 1;
}

static void
sasl_relays(struct sasl_state *st)
{
	struct relay_list all;
	size_t i;

	relays_collect(st->cf, &all);
	memset(&st->relays, 0, sizeof(st->relays));
	st->relays.r = xreallocarray(NULL, all.n + 1, sizeof(struct relay));
	for (i = 0; i < all.n; i++) {
		struct relay *r = &all.r[i];

		if (sasl_smtp_relay(st->cf, r)) {
			st->relays.r[st->relays.n++] = *r;
			continue;
		}
		free(r->nexthop);
		free(r->host);
		free(r->port);
		free(r->key);
		free(r->transport);
	}
	free(all.r);
	st->one_host = st->relays.n > 0 ? st->relays.r[0].host : NULL;
	for (i = 1; i < st->relays.n && st->one_host != NULL; i++)
		if (strcmp(st->relays.r[i].host, st->one_host) != 0)
			st->one_host = NULL;
}

static void
sasl_done(struct sasl_state *st)
{
	size_t i;

	for (i = 0; i < st->nmaps; i++)
		pfconf_table_free(&st->maps[i]);
	relays_free(&st->relays);
}

/* Evidence for a main.cf parameter: its line, or its default. */
static void
sasl_param_ev(const struct pfconf *cf, const char *name, struct obs_ev *ev, char *buf,
	      size_t size)
{
	const struct cf_where *w;
	const char *v = pfconf_get(cf, name, &w);

	if (w != NULL) {
		ev->file = w->file;
		ev->line = (unsigned long)w->line;
		ev->text = w->text;
		return;
	}
	snprintf(buf, size, "%s not set (default: %s)", name, v != NULL && *v != '\0' ? v : "empty");
	ev->file = cf->nparams > 0 ? cf->params[0].where.file : cf->dir;
	ev->line = 0;
	ev->text = buf;
}

static void
sasl_where_ev(const struct cf_where *w, struct obs_ev *ev)
{
	ev->file = w->file;
	ev->line = (unsigned long)w->line;
	ev->text = w->text;
}

/* ---- the map files ---------------------------------------------------- */

static void
sasl_mtime(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Owner root and no group or other access, as SASL_README asks. */
static void
sasl_file_mode(struct sasl_state *st, const char *file, const struct stat *sb)
{
	struct passwd *pw;
	struct group *gr;
	char owner[64], group[64], fact[256];
	struct obs_ev ev;

	if (sb->st_uid == 0 && (sb->st_mode & 077) == 0)
		return;
	if ((pw = getpwuid(sb->st_uid)) != NULL)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%lu", (unsigned long)sb->st_uid);
	if ((gr = getgrgid(sb->st_gid)) != NULL)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%lu", (unsigned long)sb->st_gid);
	snprintf(fact, sizeof(fact), "mode %04o owner %s group %s",
		 (unsigned)(sb->st_mode & 07777), owner, group);
	ev.file = file;
	ev.line = 0;
	ev.text = fact;
	obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, &ev, 1,
		 "password map file %s: %s", file, fact);
}

/* The compiled file next to a source that was read. */
static void
sasl_compiled(struct sasl_state *st, const char *spec, const struct cf_table *t)
{
	const char *suffix = pfconf_table_suffix(t->type);
	char db[4200], t1[32], t2[32], f1[64], f2[64];
	struct stat ss, ds;
	struct obs_ev ev[2];

	if (stat(t->path, &ss) != 0)
		return;
	sasl_file_mode(st, t->path, &ss);
	if (suffix == NULL)	/* texthash: read as it is */
		return;
	snprintf(db, sizeof(db), "%s%s", t->path, suffix);
	sasl_mtime(ss.st_mtime, t1, sizeof(t1));
	snprintf(f1, sizeof(f1), "modified %s", t1);
	ev[0].file = t->path;
	ev[0].line = 0;
	ev[0].text = f1;
	if (stat(db, &ds) != 0) {
		if (errno == EACCES) {
			check_skipped(st->out, MAP_CHECK, db, strerror(errno));
			return;
		}
		obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, ev, 1,
			 "password map %s: compiled file %s does not exist (source %s)",
			 spec, db, t->path);
		return;
	}
	sasl_file_mode(st, db, &ds);
	if (ds.st_mtime >= ss.st_mtime)
		return;
	sasl_mtime(ds.st_mtime, t2, sizeof(t2));
	snprintf(f2, sizeof(f2), "modified %s", t2);
	ev[1].file = db;
	ev[1].line = 0;
	ev[1].text = f2;
	obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, ev, 2,
		 "password map %s: compiled file %s (modified %s) is older than its source %s "
		 "(modified %s)", spec, db, t2, t->path, t1);
}

/* Where the source of table NAME is looked for first: under the
 * configuration directory for a file of the host's /etc/postfix (never
 * the host's own file for another directory), else under the root. */
static const char *
sasl_source_path(const struct pfconf *cf, const char *name, char *buf, size_t size)
{
	size_t h = strlen(pfconf_host_dir);

	if (cf->root == NULL && strncmp(name, pfconf_host_dir, h) == 0 && name[h] == '/') {
		snprintf(buf, size, "%s%s", cf->dir, name + h);
		return buf;
	}
	return pfconf_path(cf, name, buf, size);
}

/* The source could not be read: missing altogether, or only the source. */
static void
sasl_unread(struct sasl_state *st, const char *spec, const struct cf_table *t)
{
	const char *suffix = pfconf_table_suffix(t->type);
	char path[4096], db[4200], fact[4400];
	struct stat ds;
	struct obs_ev ev;

	sasl_source_path(st->cf, t->name, path, sizeof(path));
	if (t->err != 0 && t->err != ENOENT && t->err != ENOTDIR) {
		check_skipped(st->out, MAP_CHECK, path, strerror(t->err));
		return;
	}
	snprintf(fact, sizeof(fact), "%s", t->why != NULL ? t->why : "not found");
	ev.file = path;
	ev.line = 0;
	ev.text = fact;
	if (suffix != NULL) {
		snprintf(db, sizeof(db), "%s%s", path, suffix);
		if (stat(db, &ds) == 0) {
			sasl_file_mode(st, db, &ds);
			obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, &ev, 1,
				 "password map %s: source file %s does not exist (compiled file "
				 "%s does); its entries cannot be checked", spec, path, db);
			return;
		}
		obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, &ev, 1,
			 "password map %s: neither the source file %s nor its compiled file %s "
			 "exists", spec, path, db);
		return;
	}
	obs_emit(st->out, OBS_CONFIG, MAP_CHECK, st->one_host, &ev, 1,
		 "password map %s: source file %s does not exist", spec, path);
}

/* ---- the source's lines ---------------------------------------------- */

/* A line without a value: postmap skips it ("expected format: key
 * whitespace value"); "[host]:587:user:password" is one, so its key may
 * hold the password and is never shown. */
static int
sasl_malformed(const struct cf_entry *e)
{
	return *e->value == '\0' && !e->has_secret && !e->inline_entry;
}

static void
sasl_line_obs(struct sasl_state *st, const struct cf_table *t, const struct cf_entry *e,
	      const char *why)
{
	struct obs_ev ev;

	sasl_where_ev(&e->where, &ev);
	obs_emit(st->out, OBS_CONFIG, MAP_CHECK, NULL, &ev, 1, "password map %s line %d: %s",
		 t->path, e->where.line, why);
}

static void
sasl_entries(struct sasl_state *st, const struct cf_table *t)
{
	char why[1200];
	size_t i, j, klen;

	for (i = 0; i < t->n; i++) {
		const struct cf_entry *e = &t->e[i];

		klen = strlen(e->key);
		if (sasl_malformed(e)) {
			/* "[host]:587:user:pw" without a blank: the key may hold the
			 * password, so neither it nor the line is shown */
			struct obs_ev ev = { e->where.file, (unsigned long)e->where.line,
					     "(line not shown: it may hold the password)" };

			obs_emit(st->out, OBS_CONFIG, MAP_CHECK, NULL, &ev, 1,
				 "password map %s line %d: no whitespace between key and value",
				 t->path, e->where.line);
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcasecmp(t->e[j].key, e->key) == 0)
				break;
		if (j < i) {
			snprintf(why, sizeof(why), "key \"%s\" repeats line %d; postmap keeps line %d",
				 e->key, t->e[j].where.line, t->e[j].where.line);
			sasl_line_obs(st, t, e, why);
			continue;
		}
		if (e->inline_entry && *e->value == '\0' && !e->has_secret) {
			snprintf(why, sizeof(why), "smtp_sasl_password_maps entry \"%s\" has an "
				 "empty value", e->key);
			sasl_line_obs(st, t, e, why);
		} else if (klen > 1 && e->key[klen - 1] == ':') {
			snprintf(why, sizeof(why), "key \"%s\" ends with ':' (the \"key: value\" form "
				 "of aliases)", e->key);
			sasl_line_obs(st, t, e, why);
		} else if (!e->has_secret) {
			snprintf(why, sizeof(why), "smtp_sasl_password_maps entry \"%s\" has no ':' "
				 "between username and password", e->key);
			sasl_line_obs(st, t, e, why);
		} else if (*e->value == '\0') {
			snprintf(why, sizeof(why), "smtp_sasl_password_maps entry \"%s\" has an "
				 "empty username", e->key);
			sasl_line_obs(st, t, e, why);
		} else if (e->empty_secret) {
			snprintf(why, sizeof(why), "smtp_sasl_password_maps entry \"%s\" has an "
				 "empty password", e->key);
			sasl_line_obs(st, t, e, why);
		}
	}
}

/* ---- the maps of smtp_sasl_password_maps ------------------------------ */

/* One table of the list: "proxy:" unwrapped; static:, inline: and the
 * other non-file types cannot be simulated. Returns 1 when read. */
static int
sasl_map(struct sasl_state *st, const char *spec)
{
	struct cf_table *t;

	if (strncmp(spec, "proxy:", 6) == 0)
		spec += 6;
	if (st->nmaps == SASL_MAX_MAPS) {
		st->lookups_known = 0;
		return 0;
	}
	t = &st->maps[st->nmaps];
	if (pfconf_table_read(st->cf, spec, CF_TABLE_SECRET, t) != 0) {
		/* only file types have something on disk to look at */
		if (t->type != NULL && (pfconf_table_suffix(t->type) != NULL
					|| strcmp(t->type, "texthash") == 0))
			sasl_unread(st, spec, t);
		st->lookups_known = 0;
		pfconf_table_free(t);
		return 0;
	}
	st->nmaps++;
	sasl_compiled(st, spec, t);
	sasl_entries(st, t);
	return 1;
}

/* Read each table of smtp_sasl_password_maps (comma or blank separated;
 * inline:{...} is read, static: and other "{...}" groups are skipped
 * whole). */
static void
sasl_maps(struct sasl_state *st, const char *maps)
{
	char *list = xstrdup(maps), *p, *tok;
	int depth;

	st->lookups_known = 1;
	for (p = list; *p != '\0';) {
		p += strspn(p, " ,\t");
		if (*p == '\0')
			break;
		tok = p;
		for (depth = 0; *p != '\0'; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			else if (depth == 0 && strchr(" ,\t", *p) != NULL)
				break;
		}
		if (*p != '\0')
			*p++ = '\0';
		if (strncmp(tok, "static:", 7) == 0
		    || (strchr(tok, '{') != NULL && strncmp(tok, "inline:{", 8) != 0)) {
			st->lookups_known = 0;	/* never shown: may hold a password */
			continue;
		}
		sasl_map(st, tok);
	}
	free(list);
}

/* Postfix's lookup of KEY: each table in turn (maps_find), the first
 * line of a key (postmap keeps it), case-insensitively. */
static const struct cf_entry *
sasl_find(const struct sasl_state *st, const char *key, const struct cf_table **tp)
{
	size_t m, i;

	for (m = 0; m < st->nmaps; m++) {
		for (i = 0; i < st->maps[m].n; i++) {
			const struct cf_entry *e = &st->maps[m].e[i];

			if (sasl_malformed(e))
				continue;	/* postmap skipped it */
			if (strcasecmp(e->key, key) == 0) {
				*tp = &st->maps[m];
				return e;
			}
		}
	}
	return NULL;
}

/* An entry for the relay's host under another key form ("host:587",
 * "[host]"), the usual near miss. */
static const struct cf_entry *
sasl_similar(const struct sasl_state *st, const struct relay *r, const struct cf_table **tp)
{
	const char *k, *e;
	size_t m, i, n;

	for (m = 0; m < st->nmaps; m++) {
		for (i = 0; i < st->maps[m].n; i++) {
			if (sasl_malformed(&st->maps[m].e[i]))
				continue;	/* its key may hold the password */
			k = st->maps[m].e[i].key;
			if (*k == '[') {
				k++;
				e = strchr(k, ']');
			} else {
				e = strchr(k, ':');
			}
			n = e != NULL ? (size_t)(e - k) : strlen(k);
			if (n == strlen(r->host) && strncasecmp(k, r->host, n) == 0) {
				*tp = &st->maps[m];
				return &st->maps[m].e[i];
			}
		}
	}
	return NULL;
}

static void
sasl_origin(const struct relay *r, char *buf, size_t size)
{
	if (r->key != NULL)
		snprintf(buf, size, "%s %s", relays_from_name(r->from), r->key);
	else
		snprintf(buf, size, "%s", relays_from_name(r->from));
}

static void
sasl_username(struct sasl_state *st, const struct relay *r, const struct cf_table *t,
	      const struct cf_entry *e)
{
	struct obs_ev ev;

	if (!e->has_secret || *e->value == '\0' || strchr(e->value, '@') != NULL)
		return;
	sasl_where_ev(&e->where, &ev);
	obs_emit(st->out, OBS_CONFIG, MAP_CHECK, r->host, &ev, 1,
		 "password map %s line %d: username \"%s\" for %s has no '@'", t->path,
		 e->where.line, e->value, r->host);
}

/* The keys smtp(8) tries for relay r: the entry found (its username
 * form), or what to write; SEEN keeps each lookup and entry reported once. */
static void
sasl_relay_keys(struct sasl_state *st, const struct relay *r, int sender_auth,
		struct strbuf *seen)
{
	const char *keys[SASL_MAX_KEYS], *write;
	const struct cf_entry *e = NULL, *near;
	const struct cf_table *t = NULL, *nt = NULL;
	struct strbuf tried;
	struct obs_ev ev[2];
	char origin[600], mark[1200];
	size_t n, i;

	n = relays_sasl_keys_all(r, sender_auth, keys, SASL_MAX_KEYS);
	for (i = 0; i < n && e == NULL; i++)
		e = sasl_find(st, keys[i], &t);
	if (e != NULL) {
		snprintf(mark, sizeof(mark), "\n%s:%d\n", t->path, e->where.line);
		if (seen->len == 0 || strstr(seen->s, mark) == NULL) {
			sb_adds(seen, mark);
			sasl_username(st, r, t, e);
		}
		return;
	}
	sb_init(&tried);
	for (i = 0; i < n; i++)
		sb_printf(&tried, "%s\"%s\"", i > 0 ? ", " : "", keys[i]);
	snprintf(mark, sizeof(mark), "\n%s\n", tried.s);
	if (seen->len > 0 && strstr(seen->s, mark) != NULL) {
		sb_free(&tried);	/* the same lookup, reported already */
		return;
	}
	sb_adds(seen, mark);
	write = sender_auth && r->from == RELAY_SENDER && r->key != NULL ? r->key : r->nexthop;
	sasl_origin(r, origin, sizeof(origin));
	sasl_where_ev(&r->where, &ev[0]);
	if ((near = sasl_similar(st, r, &nt)) != NULL) {
		sasl_where_ev(&near->where, &ev[1]);
		obs_emit(st->out, OBS_CONFIG, MAP_CHECK, r->host, ev, 2,
			 "no password map entry for %s (%s): Postfix tries %s; write \"%s\" "
			 "instead of \"%s\" (%s line %d)", r->nexthop, origin, tried.s, write,
			 near->key, nt->path, near->where.line);
	} else {
		obs_emit(st->out, OBS_CONFIG, MAP_CHECK, r->host, ev, 1,
			 "no password map entry for %s (%s): Postfix tries %s; write \"%s\"",
			 r->nexthop, origin, tried.s, write);
	}
	sb_free(&tried);
}

void
check_sasl_map(struct pfconf *cf, struct obs_out *out)
{
	struct sasl_state st;
	struct strbuf seen;
	const struct cf_where *w;
	const char *v;
	char *maps;
	struct obs_ev ev[2];
	char def[300];
	int auth, sender_auth;
	size_t i;

	memset(&st, 0, sizeof(st));
	st.cf = cf;
	st.out = out;
	auth = pfconf_true(pfconf_get(cf, "smtp_sasl_auth_enable", &w));
	if ((v = pfconf_get(cf, "smtp_sasl_password_maps", NULL)) == NULL)
		return;
	maps = xstrdup(v);	/* pfconf_get's buffers are reused */
	if (*maps == '\0') {
		if (auth) {
			sasl_where_ev(w, &ev[0]);
			sasl_param_ev(cf, "smtp_sasl_password_maps", &ev[1], def, sizeof(def));
			obs_emit(out, OBS_CONFIG, MAP_CHECK, NULL, ev, 2,
				 "smtp_sasl_auth_enable = yes but smtp_sasl_password_maps is empty");
		}
		free(maps);
		return;
	}
	sender_auth = pfconf_true(pfconf_get(cf, "smtp_sender_dependent_authentication", NULL));
	sasl_relays(&st);
	sasl_maps(&st, maps);
	if (st.lookups_known && st.nmaps > 0) {
		sb_init(&seen);
		for (i = 0; i < st.relays.n; i++)
			sasl_relay_keys(&st, &st.relays.r[i], sender_auth, &seen);
		sb_free(&seen);
	}
	sasl_done(&st);
	free(maps);
}

/* ---- settings --------------------------------------------------------- */

/* Cyrus security properties that PLAIN and LOGIN do not have. */
static const char *const sasl_refusing[] = {
	"noplaintext", "noactive", "nodictionary", "mutual_auth", "forward_secrecy", NULL
};

/* The options of VALUE that refuse PLAIN and LOGIN, into buf ("" if none). */
static void
sasl_refused_by(const char *value, char *buf, size_t size)
{
	char *copy = xstrdup(value), *save = NULL, *tok;
	size_t o = 0, i;

	buf[0] = '\0';
	for (tok = strtok_r(copy, " ,\t", &save); tok != NULL; tok = strtok_r(NULL, " ,\t", &save))
		for (i = 0; sasl_refusing[i] != NULL; i++)
			if (strcasecmp(tok, sasl_refusing[i]) == 0 && o < size)
				o += (size_t)snprintf(buf + o, size - o, "%s%s", o > 0 ? ", " : "",
						      sasl_refusing[i]);
	free(copy);
}

static int
sasl_tls_on(const struct pfconf *cf)
{
	const char *level = pfconf_get(cf, "smtp_tls_security_level", NULL);

	if (pfconf_true(pfconf_get(cf, "smtp_tls_wrappermode", NULL)))
		return 1;
	if (level == NULL || *level == '\0')
		return pfconf_true(pfconf_get(cf, "smtp_use_tls", NULL))
		       || pfconf_true(pfconf_get(cf, "smtp_enforce_tls", NULL));
	return strcasecmp(level, "none") != 0;
}

static void
sasl_security_options(struct sasl_state *st)
{
	const char *param = sasl_tls_on(st->cf) ? "smtp_sasl_tls_security_options"
						: "smtp_sasl_security_options";
	const char *v = pfconf_get(st->cf, param, NULL);
	struct obs_ev ev[3];
	char value[1024], refused[200], d1[300], d2[300], d3[300];
	size_t nev = 0;

	snprintf(value, sizeof(value), "%s", v != NULL ? v : "");	/* buffers are reused */
	sasl_refused_by(value, refused, sizeof(refused));
	if (refused[0] == '\0')
		return;
	sasl_param_ev(st->cf, param, &ev[nev++], d1, sizeof(d1));
	if (strcmp(param, "smtp_sasl_tls_security_options") == 0) {
		const struct cf_where *w;

		pfconf_get(st->cf, param, &w);
		if (w == NULL)	/* inherits smtp_sasl_security_options */
			sasl_param_ev(st->cf, "smtp_sasl_security_options", &ev[nev++], d2,
				      sizeof(d2));
		sasl_param_ev(st->cf, "smtp_tls_security_level", &ev[nev++], d3, sizeof(d3));
	}
	obs_emit(st->out, OBS_CONFIG, SET_CHECK, st->one_host, ev, nev,
		 "%s = \"%s\" refuses PLAIN and LOGIN (%s)", param, value, refused);
}

/* Does the mechanism filter (a string list: first match decides, "!"
 * negates) let MECH through? An empty filter lets everything through. */
static int
sasl_filter_allows(const char *filter, const char *mech)
{
	char *copy = xstrdup(filter), *save = NULL, *tok;
	int allowed = *filter == '\0', neg;

	for (tok = strtok_r(copy, " ,\t", &save); tok != NULL; tok = strtok_r(NULL, " ,\t", &save)) {
		neg = *tok == '!';
		if (strcasecmp(tok + neg, mech) == 0) {
			allowed = !neg;
			break;
		}
	}
	free(copy);
	return allowed;
}

static void
sasl_mechanism_filter(struct sasl_state *st)
{
	const struct cf_where *w;
	const char *filter = pfconf_get(st->cf, "smtp_sasl_mechanism_filter", &w);
	struct obs_ev ev;

	if (filter == NULL || *filter == '\0' || w == NULL)
		return;
	if (sasl_filter_allows(filter, "plain") || sasl_filter_allows(filter, "login"))
		return;
	sasl_where_ev(w, &ev);
	obs_emit(st->out, OBS_CONFIG, SET_CHECK, st->one_host, &ev, 1,
		 "smtp_sasl_mechanism_filter = \"%s\" lets neither PLAIN nor LOGIN through", filter);
}

/* The Cyrus SASL plugin directories under the root ("" without one). */
static const char *const sasl_plugin_dirs[] = {
	"/usr/lib/*/sasl2", "/usr/lib/sasl2", "/usr/lib64/sasl2", "/usr/local/lib/sasl2", NULL
};

static void
sasl_plugins(struct sasl_state *st)
{
	static const struct {
		const char *mech, *file;
	} plugins[] = { { "PLAIN", "libplain.so" }, { "LOGIN", "liblogin.so" } };
	const char *type = pfconf_get(st->cf, "smtp_sasl_type", NULL);
	char pat[4200], usrlib[4200], looked[4400], fact[4600];
	struct strbuf dirs;
	struct stat sb;
	glob_t g;
	size_t i, k;
	struct obs_ev ev;
	int found;

	if (type != NULL && *type != '\0' && strcasecmp(type, "cyrus") != 0)
		return;
	pfconf_path(st->cf, "/usr/lib", usrlib, sizeof(usrlib));
	if (stat(usrlib, &sb) != 0)	/* a copy of /etc only: cannot tell */
		return;
	sb_init(&dirs);
	for (i = 0; sasl_plugin_dirs[i] != NULL; i++) {
		pfconf_path(st->cf, sasl_plugin_dirs[i], pat, sizeof(pat));
		if (glob(pat, GLOB_ONLYDIR, NULL, &g) == 0)
			for (k = 0; k < g.gl_pathc; k++)
				sb_printf(&dirs, "%s%s", dirs.len > 0 ? "\n" : "", g.gl_pathv[k]);
		globfree(&g);
	}
	for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++) {
		char *list = xstrdup(dirs.s != NULL ? dirs.s : ""), *save = NULL, *d;

		found = 0;
		for (d = strtok_r(list, "\n", &save); d != NULL && !found;
		     d = strtok_r(NULL, "\n", &save)) {
			snprintf(pat, sizeof(pat), "%s/%s*", d, plugins[i].file);
			found = glob(pat, 0, NULL, &g) == 0;
			globfree(&g);
		}
		free(list);
		if (found)
			continue;
		if (dirs.len > 0) {
			char *first = xstrndup(dirs.s, strcspn(dirs.s, "\n"));

			snprintf(looked, sizeof(looked), "%s", first);
			free(first);
			snprintf(fact, sizeof(fact), "no %s in %s", plugins[i].file, looked);
		} else {
			snprintf(looked, sizeof(looked), "%s", usrlib);
			snprintf(fact, sizeof(fact), "no sasl2 plugin directory under %s", usrlib);
		}
		ev.file = looked;
		ev.line = 0;
		ev.text = fact;
		obs_emit(st->out, OBS_CONFIG, SET_CHECK, st->one_host, &ev, 1,
			 "Cyrus SASL client plugin for %s not found (%s)", plugins[i].mech, fact);
	}
	sb_free(&dirs);
}

/* smtp_sasl_auth_enable = no with relays and a password map: one
 * observation per relay host, so that each joins that host's log finding
 * ("Authentication required", "Relay access denied"). */
static void
sasl_auth_disabled(struct sasl_state *st)
{
	struct obs_ev ev[3];
	const struct cf_where *mw;
	char origin[600], def[300];
	size_t i, j;

	pfconf_get(st->cf, "smtp_sasl_password_maps", &mw);
	for (i = 0; i < st->relays.n; i++) {
		const struct relay *r = &st->relays.r[i];

		for (j = 0; j < i; j++)
			if (strcmp(st->relays.r[j].host, r->host) == 0)
				break;
		if (j < i)
			continue;
		sasl_param_ev(st->cf, "smtp_sasl_auth_enable", &ev[0], def, sizeof(def));
		sasl_where_ev(mw, &ev[1]);
		sasl_where_ev(&r->where, &ev[2]);
		sasl_origin(r, origin, sizeof(origin));
		obs_emit(st->out, OBS_CONFIG, SET_CHECK, r->host, ev, 3,
			 "smtp_sasl_auth_enable = no: no AUTH is sent to %s (%s) though "
			 "smtp_sasl_password_maps is set", r->nexthop, origin);
	}
}

void
check_sasl_settings(struct pfconf *cf, struct obs_out *out)
{
	struct sasl_state st;
	const struct cf_where *mw;
	const char *maps;
	int auth;

	memset(&st, 0, sizeof(st));
	st.cf = cf;
	st.out = out;
	maps = pfconf_get(cf, "smtp_sasl_password_maps", &mw);
	auth = pfconf_true(pfconf_get(cf, "smtp_sasl_auth_enable", NULL));
	if (maps == NULL || (!auth && (*maps == '\0' || mw == NULL)))
		return;
	sasl_relays(&st);
	if (st.relays.n > 0) {
		if (!auth)
			sasl_auth_disabled(&st);
		else {
			sasl_security_options(&st);
			sasl_mechanism_filter(&st);
			sasl_plugins(&st);
		}
	}
	sasl_done(&st);
}
