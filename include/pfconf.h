/*
 * pfconf.h - Postfix configuration inspection: main.cf parameters (with
 * $name expansion and the defaults that matter for relaying), master.cf
 * services (type, chroot column, -o overrides) and the SASL password
 * maps. Passwords found there are registered with textsafe for
 * redaction and never stored anywhere else. Each value remembers the file
 * and line it came from, so findings can cite configuration evidence.
 */
#ifndef FMRD_PFCONF_H
#define FMRD_PFCONF_H

#include "util.h"

struct cf_where {
	const char *file;	/* path as read */
	int line;		/* 1-based; 0 = built-in default */
	const char *text;	/* the logical line as written */
};

struct cf_param {
	char *name;
	char *value;
	struct cf_where where;
};

struct cf_service {
	char *name;		/* smtp, relay, submission */
	char *type;		/* inet, unix, unix-dgram, fifo, pass */
	char chroot;		/* 'y', 'n' or '-' as written */
	char *command;		/* smtp, smtpd, qmgr */
	char *syslog_name;	/* from -o syslog_name=..., or NULL */
	struct cf_where where;
};

struct sasl_entry {
	char *key;		/* lookup key, e.g. [smtp.fastmail.com]:587 */
	char *user;		/* username part of the value */
	struct cf_where where;	/* text has the password masked */
};

struct pfconf {
	char *dir;
	char *root;		/* --root: absolute paths resolve under it, or NULL */
	int loaded;		/* main.cf was read */
	int master_loaded;
	char *error;		/* why the configuration could not be read */
	struct cf_param *params;
	size_t nparams;
	struct cf_service *services;
	size_t nservices;
	struct sasl_entry *sasl;
	size_t nsasl;
	char *sasl_file;	/* source file of the password map, if read */
	char *sasl_unavailable;	/* why a map under /etc/postfix/ was not read
				 * with another config dir (it is not in DIR
				 * and the host's file is not used), or NULL */
	int sasl_db_state;	/* SASL_DB_*: its postmap output vs. the source */
	struct cf_where sasl_db_where;	/* evidence: both modification times */
	char **lines;		/* owned copies of logical lines (evidence) */
	size_t nlines;
};

/* The host's own configuration directory, "/etc/postfix". When DIR is
 * another directory, a map path under it is looked up in DIR only (never
 * the host's file). Variable so that the unit tests can point it elsewhere. */
extern const char *pfconf_host_dir;

/* Read DIR/main.cf, DIR/master.cf and the password map source. Returns 0
 * on success, -1 if main.cf could not be read (cf->error says why). */
int pfconf_load(struct pfconf *cf, const char *dir);
/* The same for a system copy under ROOT (may be NULL: the host itself):
 * every absolute path the configuration names (maps, CA files,
 * queue_directory) is read under ROOT; DIR NULL means ROOT/etc/postfix. */
int pfconf_load_root(struct pfconf *cf, const char *dir, const char *root);
/* Is the configuration this host's own (pfconf_host_dir, no root)? */
int pfconf_dir_is_host(const struct pfconf *cf);
/* Where an absolute path P the configuration names is read: under the
 * root when there is one. Returns buf (cut to size). */
const char *pfconf_path(const struct pfconf *cf, const char *p, char *buf, size_t size);
void pfconf_free(struct pfconf *cf);

/* The reader of main.cf, master.cf and table sources: the logical lines
 * of a Postfix-style file ('#' lines and blank lines skipped, a line
 * starting with white space continues the last). fn gets each logical
 * line (valid during the call only), the number of the line it starts
 * on, and the file name as kept in cf (valid until pfconf_free). Only
 * regular files are read. Returns 0, or -1 with errno. */
typedef void (*cf_line_fn)(struct pfconf *cf, char *text, int lineno, const char *file,
			   void *arg);
int pfconf_read_logical(struct pfconf *cf, const char *path, cf_line_fn fn, void *arg);

/* Parameter value with $name expansion, or the Postfix default; NULL when
 * the configuration was not read. *where (may be NULL) gets its origin. */
const char *pfconf_get(const struct pfconf *cf, const char *name,
		       const struct cf_where **where);

/* chroot state of the delivery service NAME (type unix preferred):
 * 1 chrooted, 0 not, -1 unknown. */
int pfconf_service_chroot(const struct pfconf *cf, const char *name,
			  const struct cf_where **where);

/* Would Postfix find SASL credentials for relayhost in the password map?
 * It looks up the next-hop exactly as configured ("[host]:587") and the
 * server host name ("host"), case-insensitively (SASL_README, D.3).
 * 1 yes, 0 no, -1 cannot tell (no relayhost, map not read, static: or
 * inline: maps, sender-dependent authentication). */
int pfconf_sasl_key_found(const struct pfconf *cf);

/* The password map's database (postmap output) compared with its source. */
#define SASL_DB_UNKNOWN 0	/* not read, texthash:, or cannot tell */
#define SASL_DB_FRESH   1
#define SASL_DB_STALE   2	/* older than the source: old credentials in use */
#define SASL_DB_MISSING 3	/* postmap never run for this map type */

/* A lookup table's source file, read as postmap reads it: logical lines
 * "key value" ('#' comments, continuation lines). */
struct cf_entry {
	char *key;
	char *value;		/* with CF_TABLE_SECRET: the part before ':' */
	int has_secret;		/* CF_TABLE_SECRET: a ':password' part was there */
	int empty_secret;	/* ... and it was empty */
	int inline_entry;	/* from an inline:{...} table: "key=" is an
				 * entry with an empty value, not malformed */
	struct cf_where where;	/* text has any password masked */
};
struct cf_table {
	char *type;		/* "hash", "lmdb", "texthash", ... */
	char *name;		/* the path as configured, "/etc/postfix/sasl_passwd" */
	char *path;		/* the source file read (under the root), or NULL */
	char *why;		/* why it was not read, or NULL */
	int err;		/* errno of that failure, 0 if not a file error */
	unsigned flags;		/* CF_TABLE_* as read */
	struct cf_entry *e;
	size_t n;
	unsigned long malformed;	/* lines without a value */
};
#define CF_TABLE_SECRET 1	/* values are user:password: mask and register */
#define CF_TABLE_RAW 2		/* values as written (the probe's login): the
				 * line is not kept; the caller wipes them */

/* The next element of a main.cf list of tables ("hash:/a, inline:{ k=v,
 * k2=v2 }"): blanks and commas separate, except inside {...}. Returns its
 * start and length *n and moves *pp past it; NULL at the end. */
const char *pfconf_list_next(const char **pp, size_t *n);

/* Read the source of table SPEC ("type:/path" as in main.cf), looked up
 * like the password map (under the configuration directory, the root).
 * Types with a source file: hash btree lmdb cdb dbm texthash, and
 * inline:{...} from the specification itself; any other
 * type (static:, regexp:, pcre:, proxy:, ldap:, ...) is not read
 * and why says so. Returns 0 when the file was read. */
int pfconf_table_read(struct pfconf *cf, const char *spec, unsigned flags,
		      struct cf_table *t);
void pfconf_table_free(struct cf_table *t);
/* The compiled file postmap makes for a table type (".db" for hash and
 * btree, ".lmdb", ".cdb", ".pag" for dbm), NULL for types without one. */
const char *pfconf_table_suffix(const char *type);

/* Is a boolean parameter value true (yes/true/1)? */
int pfconf_true(const char *value);

#endif
