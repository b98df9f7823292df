/*
 * main.c - command line: options from a table (which also prints
 * --help), log discovery, configuration and catalog loading, exit codes.
 */
/* PACKAGE_STRING and PKGDATADIR come from the build (-include config.h) */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "journal.h"
#include "pipeline.h"
#include "report.h"
#include "run.h"
#include "sources.h"
#include "timewin.h"
#include "probe.h"
#include "send_test.h"
#include "textsafe.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/fmrelay-doctor"
#endif

struct options {
	int json;
	int ndjson;
	long stats_interval;
	const char *config_dir;
	int config_dir_given;
	const char *root;	/* --root */
	int no_config;
	const char *queue_id;
	const char *patterns[16];
	int npatterns;
	const char *hosts[64];
	int nhosts;
	enum msg_filter msgs;
	int year;
	int list_rules;
	const char *explain;
	int journal;		/* --journal */
	const char *journal_dir;	/* --journal-dir */
	int follow;		/* --follow */
	int rotated;		/* --rotated */
	int config_only;	/* --config-only */
	struct timewin win;	/* --since, --until, --lookback */
	int64_t last;		/* --last, seconds; 0 if not given */
	long max_messages;	/* --max-messages, 0: default */
	const struct cmd_entry *cmd;	/* a subcommand (probe, send-test), or NULL */
	struct probe_opts probe;	/* probe's options */
	struct send_test_opts send;	/* send-test's options */
	long timeout;		/* --timeout, seconds; 0: the command's default */
};

/* Subcommands, given as the first argument; the usual options follow. */
enum cmd_id { CMD_PROBE = 1, CMD_SEND_TEST };
static const struct cmd_entry {
	const char *name;
	enum cmd_id id;
	const char *args;
	const char *about;
} cmd_table[] = {
	{ "probe", CMD_PROBE, "[DEST]",
	  "connect to the relay (DEST, default the relay of main.cf) as smtp(8) would and\n"
	  "      tell each phase: resolution, connection, greeting, EHLO, STARTTLS, the\n"
	  "      certificate against smtp(8)'s trust, AUTH mechanisms (--auth: the login,\n"
	  "      --mail-from/--rcpt: the sender and recipient; no message is sent)" },
	{ "send-test", CMD_SEND_TEST, "--to ADDR [--from ADDR] [LOGFILE]",
	  "submit a short test message through the local Postfix (sendmail) and follow\n"
	  "      the log until it is delivered, deferred or bounced; then tell its story" },
};
#define CMD_N (sizeof(cmd_table) / sizeof(cmd_table[0]))

typedef int (*opt_fn)(struct options *, const char *);

static int opt_json(struct options *o, const char *a) { (void)a; o->json = 1; return 0; }
static int opt_no_config(struct options *o, const char *a) { (void)a; o->no_config = 1; return 0; }
static int opt_ndjson(struct options *o, const char *a) { (void)a; o->ndjson = 1; return 0; }

static int
opt_stats_interval(struct options *o, const char *a)
{
	char *end;
	long v = strtol(a, &end, 10);

	if (end == a || *end != '\0' || v < 0 || v > 86400) {
		msg_warn("--stats-interval: \"%s\" is not a number of seconds (0 to 86400)", a);
		return -1;
	}
	o->stats_interval = v;
	return 0;
}

static int
opt_root(struct options *o, const char *a)
{
	struct stat st;

	if (stat(a, &st) != 0)
		msg_fatal(FMRD_EXIT_NOINPUT, "--root %s: %s", a, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		msg_fatal(FMRD_EXIT_NOINPUT, "--root %s: not a directory", a);
	o->root = a;
	return 0;
}

static int
opt_config_dir(struct options *o, const char *a)
{
	o->config_dir = a;
	o->config_dir_given = 1;
	return 0;
}

static int
opt_queue_id(struct options *o, const char *a)
{
	struct span s = { a, strlen(a) };
	enum qid_kind k = qid_classify(s);

	if (k != QID_SHORT && k != QID_LONG) {
		msg_warn("--queue-id: \"%s\" is not a Postfix queue ID", a);
		return -1;
	}
	o->queue_id = a;
	return 0;
}

static int
opt_patterns(struct options *o, const char *a)
{
	if (o->npatterns == (int)(sizeof(o->patterns) / sizeof(o->patterns[0]))) {
		msg_warn("--patterns: too many directories");
		return -1;
	}
	o->patterns[o->npatterns++] = a;
	return 0;
}

static int
opt_host(struct options *o, const char *a)
{
	if (o->nhosts == (int)(sizeof(o->hosts) / sizeof(o->hosts[0]))) {
		msg_warn("--host: more than 64 hosts");
		return -1;
	}
	if (*a == '\0') {
		msg_warn("--host: empty host name");
		return -1;
	}
	o->hosts[o->nhosts++] = a;
	return 0;
}

static int
opt_messages(struct options *o, const char *a)
{
	static const char *const names[] = { "all", "problems", "none" };
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(a, names[i]) == 0) {
			o->msgs = (enum msg_filter)i;
			return 0;
		}
	msg_warn("--messages: expected all, problems or none, not \"%s\"", a);
	return -1;
}

static int
opt_year(struct options *o, const char *a)
{
	char *end;
	long y = strtol(a, &end, 10);

	if (*end != '\0' || y < 1970 || y > 9999) {
		msg_warn("--year: \"%s\" is not a year", a);
		return -1;
	}
	o->year = (int)y;
	return 0;
}

static int opt_follow(struct options *o, const char *a) { (void)a; o->follow = 1; return 0; }
static int opt_rotated(struct options *o, const char *a) { (void)a; o->rotated = 1; return 0; }
static int opt_config_only(struct options *o, const char *a) { (void)a; o->config_only = 1; return 0; }

/* --since, --until: a point in time (timewin_parse_time's forms) */
static int
opt_time(const char *name, const char *a, int64_t *t)
{
	struct strbuf err;
	int rc;

	sb_init(&err);
	if ((rc = timewin_parse_time(a, time(NULL), t, &err)) < 0)
		msg_warn("--%s: %s", name, err.s);
	sb_free(&err);
	return rc;
}

static int
opt_duration(const char *name, const char *a, int64_t *secs)
{
	struct strbuf err;
	int rc;

	sb_init(&err);
	if ((rc = timewin_parse_duration(a, secs, &err)) < 0)
		msg_warn("--%s: %s", name, err.s);
	sb_free(&err);
	return rc;
}

static int opt_since(struct options *o, const char *a) { return opt_time("since", a, &o->win.since); }
static int opt_until(struct options *o, const char *a) { return opt_time("until", a, &o->win.until); }
static int opt_lookback(struct options *o, const char *a) { return opt_duration("lookback", a, &o->win.lookback); }

static int
opt_last(struct options *o, const char *a)
{
	if (opt_duration("last", a, &o->last) < 0)
		return -1;
	if (o->last <= 0) {
		msg_warn("--last: the duration must be more than 0");
		return -1;
	}
	return 0;
}

static int
opt_max_messages(struct options *o, const char *a)
{
	char *end;
	long v = strtol(a, &end, 10);

	if (end == a || *end != '\0' || v < 100 || v > 10000000) {
		msg_warn("--max-messages: \"%s\" is not a number from 100 to 10000000", a);
		return -1;
	}
	o->max_messages = v;
	return 0;
}

static int opt_journal(struct options *o, const char *a) { (void)a; o->journal = 1; return 0; }
static int opt_journal_dir(struct options *o, const char *a) { o->journal_dir = a; return 0; }
static int opt_auth(struct options *o, const char *a) { (void)a; o->probe.auth = 1; return 0; }
static int opt_insecure(struct options *o, const char *a) { (void)a; o->probe.insecure = 1; return 0; }
static int opt_mail_from(struct options *o, const char *a) { o->probe.mail_from = a; return 0; }
static int opt_rcpt(struct options *o, const char *a) { o->probe.rcpt = a; return 0; }
static int opt_sender(struct options *o, const char *a) { o->probe.sender = a; return 0; }
static int opt_to(struct options *o, const char *a) { o->send.to = a; return 0; }
static int opt_from(struct options *o, const char *a) { o->send.from = a; return 0; }

static int
opt_timeout(struct options *o, const char *a)
{
	char *end;
	long v = strtol(a, &end, 10);

	if (*a == '\0' || *end != '\0' || v < 1 || v > 3600) {
		msg_warn("--timeout: \"%s\" is not a number of seconds (1..3600)", a);
		return -1;
	}
	o->timeout = v;
	return 0;
}

static int opt_list_rules(struct options *o, const char *a) { (void)a; o->list_rules = 1; return 0; }
static int opt_explain(struct options *o, const char *a) { o->explain = a; return 0; }
static int opt_help(struct options *o, const char *a);
static int opt_version(struct options *o, const char *a);

static const struct opt_entry {
	const char *name;
	int short_name;
	const char *arg;	/* NULL: no argument */
	opt_fn fn;
	const char *help;
} opt_table[] = {
	{ "json", 'j', NULL, opt_json,
	  "write one JSON document (schema_version 1) instead of the text report" },
	{ "ndjson", 'N', NULL, opt_ndjson,
	  "write NDJSON events instead: one JSON object a line (message, finding, stats, summary)" },
	{ "stats-interval", 'S', "N", opt_stats_interval,
	  "NDJSON: a stats event every N seconds (default 60, 0 for none)" },
	{ "config-dir", 'c', "DIR", opt_config_dir,
	  "read main.cf, master.cf and the SASL password map from DIR (default /etc/postfix)" },
	{ "root", 'R', "DIR", opt_root,
	  "inspect a copy of a system: main.cf, maps, certificates, logs and journal under DIR" },
	{ "config-only", 'C', NULL, opt_config_only,
	  "read no log: check the configuration and the files it names (maps, certificates, chroot)" },
	{ "no-config", 'n', NULL, opt_no_config,
	  "do not read the Postfix configuration" },
	{ "queue-id", 'q', "ID", opt_queue_id,
	  "report only this message, with its whole story" },
	{ "patterns", 'p', "PATH", opt_patterns,
	  "also load rules from PATH (a *.rules file or a directory of them)" },
	{ "host", 'H', "NAME", opt_host,
	  "read only the lines logged by host NAME (repeatable; a central log host's fleet)" },
	{ "messages", 'm', "WHICH", opt_messages,
	  "which messages to list: all (default), problems or none" },
	{ "year", 'y', "YYYY", opt_year,
	  "year for timestamps without one (default: from the log file's mtime)" },
	{ "journal", 'J', NULL, opt_journal,
	  "read the Postfix entries of the local systemd journal instead of a log file" },
	{ "journal-dir", 'D', "DIR", opt_journal_dir,
	  "read the Postfix entries of the journal files in DIR (like journalctl -D)" },
	{ "follow", 'f', NULL, opt_follow,
	  "follow the log like tail -F (from its end, or from --since/--last), across rotations" },
	{ "rotated", 'r', NULL, opt_rotated,
	  "also read every rotation of each LOGFILE (NAME.1, NAME.2.gz, NAME-YYYYMMDD...), oldest first" },
	{ "since", 's', "TIME", opt_since,
	  "read from TIME (2026-11-23T20:12, 'Nov 23 20:12:22', -2h, yesterday, ...)" },
	{ "until", 'u', "TIME", opt_until,
	  "read up to TIME (same forms as --since)" },
	{ "last", 'L', "DURATION", opt_last,
	  "read the last DURATION of the log, up to its newest line (15m, 2h, 7d)" },
	{ "lookback", 'b', "DURATION", opt_lookback,
	  "with a window, read this much before it so messages begun earlier are whole (default 2h)" },
	{ "max-messages", 'M', "N", opt_max_messages,
	  "keep at most N messages in flight (default 50000); older ones are evicted and counted" },
	{ "auth", 'a', NULL, opt_auth,
	  "probe: log in with the password map's credentials (only over verified TLS)" },
	{ "insecure", 'k', NULL, opt_insecure,
	  "probe: --auth also over TLS that is not verified" },
	{ "mail-from", 'F', "ADDR", opt_mail_from,
	  "probe: send MAIL FROM:<ADDR> (and RCPT TO), then RSET: does the relay accept the sender?" },
	{ "rcpt", 'T', "ADDR", opt_rcpt,
	  "probe: the RCPT TO address with --mail-from (default: ADDR of --mail-from)" },
	{ "sender", 'E', "ADDR", opt_sender,
	  "probe: the relay this sender's mail goes to (sender_dependent_relayhost_maps)" },
	{ "to", 'o', "ADDR", opt_to, "send-test: the recipient of the test message" },
	{ "from", 'W', "ADDR", opt_from, "send-test: its sender (default: Postfix's own, as for root)" },
	{ "timeout", 't', "SECONDS", opt_timeout,
	  "probe: per phase (default 10); send-test: for the message's end (default 120)" },
	{ "list-rules", 'l', NULL, opt_list_rules,
	  "list the findings the rules can report (id, severity, rank, title) and exit" },
	{ "explain", 'e', "ID", opt_explain,
	  "explain finding ID: cause, fix, documentation, the log lines behind it" },
	{ "help", 'h', NULL, opt_help, "show this help and exit" },
	{ "version", 'V', NULL, opt_version, "show the version and exit" },
};
#define OPT_N (sizeof(opt_table) / sizeof(opt_table[0]))

static void
usage(FILE *fp)
{
	size_t i;
	char left[64];

	fprintf(fp, "Usage: %s [OPTIONS] [LOGFILE...]\n", msg_progname);
	for (i = 0; i < CMD_N; i++)
		fprintf(fp, "       %s %s [OPTIONS] %s\n", msg_progname, cmd_table[i].name,
			cmd_table[i].args);
	fprintf(fp, "Explain why mail relayed by Postfix was not delivered: reads the mail log\n"
		"(default: maillog_file, /var/log/mail.log, /var/log/maillog, /var/log/mail;\n"
		"'-' reads standard input) and the Postfix configuration.\n\nCommands:\n");
	for (i = 0; i < CMD_N; i++)
		fprintf(fp, "  %s %s\n      %s\n", cmd_table[i].name, cmd_table[i].args,
			cmd_table[i].about);
	fprintf(fp, "\nOptions:\n");
	for (i = 0; i < OPT_N; i++) {
		snprintf(left, sizeof(left), "-%c, --%s%s%s", opt_table[i].short_name,
			 opt_table[i].name, opt_table[i].arg ? " " : "",
			 opt_table[i].arg ? opt_table[i].arg : "");
		fprintf(fp, "  %-26s %s\n", left, opt_table[i].help);
	}
	fprintf(fp, "\nExit status: 0 no problem found, 1 problems found, 64 usage error,\n"
		"66 input missing or unreadable, 70 internal error, 78 invalid rule file;\n"
		"probe: 10 + the first failing phase (10 resolve, 11 connect, 12 greeting,\n"
		"13 EHLO, 14 STARTTLS, 15 TLS handshake, 16 certificate, 17 AUTH mechanisms,\n"
		"18 login, 19 sender or recipient refused);\n"
		"send-test: 0 delivered, 1 deferred or bounced (see the report), 69 sendmail\n"
		"failed or refused the message, 75 no end within --timeout.\n");
}

static int
opt_help(struct options *o, const char *a)
{
	(void)o;
	(void)a;
	usage(stdout);
	exit(FMRD_EXIT_OK);
}

static int
opt_version(struct options *o, const char *a)
{
	(void)o;
	(void)a;
	printf("%s (%s)\n", PACKAGE_STRING, journal_support());
	exit(FMRD_EXIT_OK);
}

/* The options of one command only, and what each command needs. */
static void
parse_command_options(int argc, struct options *o)
{
	int probe = o->cmd != NULL && o->cmd->id == CMD_PROBE;
	int send = o->cmd != NULL && o->cmd->id == CMD_SEND_TEST;

	if (!probe && (o->probe.auth || o->probe.insecure || o->probe.mail_from != NULL
		       || o->probe.rcpt != NULL || o->probe.sender != NULL)) {
		msg_warn("--auth, --insecure, --mail-from, --rcpt and --sender are options of "
			 "'probe'");
		exit(FMRD_EXIT_USAGE);
	}
	if (!send && (o->send.to != NULL || o->send.from != NULL)) {
		msg_warn("--to and --from are options of 'send-test'");
		exit(FMRD_EXIT_USAGE);
	}
	if (o->cmd == NULL && o->timeout > 0) {
		msg_warn("--timeout is an option of 'probe' and 'send-test'");
		exit(FMRD_EXIT_USAGE);
	}
	if ((probe || send) && (o->config_only || o->no_config || o->ndjson || o->list_rules
				|| o->explain != NULL || o->queue_id != NULL)) {
		msg_warn("%s: --config-only, --no-config, --ndjson, --queue-id, --list-rules and "
			 "--explain do not apply", o->cmd->name);
		exit(FMRD_EXIT_USAGE);
	}
	if (probe && (argc - optind > 1 || o->follow || o->rotated || o->journal
		      || o->journal_dir != NULL)) {
		msg_warn("probe: one DEST at most, and no log options");
		exit(FMRD_EXIT_USAGE);
	}
	if (probe && o->probe.rcpt != NULL && o->probe.mail_from == NULL) {
		msg_warn("probe: --rcpt needs --mail-from");
		exit(FMRD_EXIT_USAGE);
	}
	if (send && o->send.to == NULL) {
		msg_warn("send-test: --to ADDR is required");
		exit(FMRD_EXIT_USAGE);
	}
	o->probe.timeout_ms = (int)(o->timeout > 0 ? o->timeout : 10) * 1000;
	o->send.timeout_s = o->timeout > 0 ? o->timeout : 120;
	o->send.json = o->json;
}

/* A command given as the first argument: remembered and taken out of
 * argv, so that the options that follow it parse as usual. */
static void
parse_command(int *argc, char **argv, struct options *o)
{
	size_t i;
	int k;

	if (*argc < 2)
		return;
	for (i = 0; i < CMD_N; i++)
		if (strcmp(argv[1], cmd_table[i].name) == 0)
			break;
	if (i == CMD_N)
		return;
	o->cmd = &cmd_table[i];
	for (k = 1; k < *argc - 1; k++)
		argv[k] = argv[k + 1];
	argv[--*argc] = NULL;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	struct option lopts[OPT_N + 1];
	char sopts[OPT_N * 2 + 2], *sp = sopts;
	size_t i;
	int c;

	*sp++ = ':';
	for (i = 0; i < OPT_N; i++) {
		lopts[i].name = opt_table[i].name;
		lopts[i].has_arg = opt_table[i].arg ? required_argument : no_argument;
		lopts[i].flag = NULL;
		lopts[i].val = opt_table[i].short_name;
		*sp++ = (char)opt_table[i].short_name;
		if (opt_table[i].arg)
			*sp++ = ':';
	}
	*sp = '\0';
	memset(&lopts[OPT_N], 0, sizeof(lopts[OPT_N]));
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (c == ':')
				msg_warn("option %s needs an argument", argv[optind - 1]);
			else
				msg_warn("unknown option %s", argv[optind - 1]);
			fprintf(stderr, "Try '%s --help'.\n", msg_progname);
			exit(FMRD_EXIT_USAGE);
		}
		for (i = 0; i < OPT_N; i++)
			if (opt_table[i].short_name == c && opt_table[i].fn(o, optarg) < 0)
				exit(FMRD_EXIT_USAGE);
	}
	if (o->no_config && o->config_dir_given) {
		msg_warn("--config-dir and --no-config exclude each other");
		exit(FMRD_EXIT_USAGE);
	}
	if (o->config_only && (o->no_config || optind < argc || o->journal || o->journal_dir != NULL
			       || o->follow || o->rotated || o->last > 0
			       || o->win.since != TIMEWIN_NONE_SINCE
			       || o->win.until != TIMEWIN_NONE_UNTIL)) {
		msg_warn("--config-only reads no log: no LOGFILE, --journal, --follow, window or "
			 "--no-config with it");
		exit(FMRD_EXIT_USAGE);
	}
	if (o->last > 0 && o->win.since != TIMEWIN_NONE_SINCE) {
		msg_warn("--last and --since exclude each other");
		exit(FMRD_EXIT_USAGE);
	}
	if (o->win.since != TIMEWIN_NONE_SINCE && o->win.until != TIMEWIN_NONE_UNTIL
	    && o->win.since > o->win.until) {
		msg_warn("--since is later than --until");
		exit(FMRD_EXIT_USAGE);
	}
	if ((o->journal || o->journal_dir != NULL) && optind < argc) {
		msg_warn("--journal and --journal-dir read no LOGFILE");
		exit(FMRD_EXIT_USAGE);
	}
	parse_command_options(argc, o);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Built-in rules: $FMRELAY_DOCTOR_PATTERNS, the source tree's when the
 * binary runs from its build tree (not installed yet), else installed. */
static const char *
builtin_patterns(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (getenv("FMRELAY_DOCTOR_PATTERNS") != NULL)
		return getenv("FMRELAY_DOCTOR_PATTERNS");
#ifdef FMRD_BUILD_BINDIR
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (strcmp(exe, FMRD_BUILD_BINDIR) == 0 && is_dir(FMRD_SRC_PATTERNS))
				return FMRD_SRC_PATTERNS;
		}
	}
#endif
	snprintf(buf, size, "%s/patterns", PKGDATADIR);
	return buf;
}

static void
load_catalog(struct catalog *cat, const struct options *o)
{
	struct strbuf err;
	char buf[PATH_MAX + 32];
	int i;

	sb_init(&err);
	catalog_init(cat);
	if (catalog_load_path(cat, builtin_patterns(buf, sizeof(buf)), &err) < 0)
		msg_fatal(FMRD_EXIT_CONFIG, "rules: %s", err.s);
	for (i = 0; i < o->npatterns; i++)
		if (catalog_load_path(cat, o->patterns[i], &err) < 0)
			msg_fatal(FMRD_EXIT_CONFIG, "rules: %s", err.s);
	if (catalog_finalize(cat, &err) < 0)
		msg_fatal(FMRD_EXIT_CONFIG, "rules: %s", err.s);
	sb_free(&err);
}

/* The log as a whole could not be read: say so on stderr (the report
 * has been written) and return 1; 0 for a readable or empty input. */
static int
input_unreadable(const struct run_stats *s, const struct run_info *info)
{
	struct strbuf sb;
	int src = s->first_bad_source;
	const char *name;

	if (s->verdict != INPUT_NO_POSTFIX && s->verdict != INPUT_UNREADABLE)
		return 0;
	if (src < 0 || src >= info->nsources)
		src = info->nsources == 1 ? 0 : -1;
	name = src < 0 ? "input" : strcmp(info->sources[src], "-") == 0
	    ? "standard input" : info->sources[src];
	sb_init(&sb);
	ts_text_clean(&sb, name, strlen(name));
	if (s->verdict == INPUT_NO_POSTFIX || s->first_bad_source < 0) {
		msg_info("%s: no Postfix record found (%llu line%s read)", sb.s, s->lines,
			 s->lines == 1 ? "" : "s");
	} else {
		size_t n = sb.len;

		ts_text_clean(&sb, s->first_bad, strlen(s->first_bad));
		msg_info("%.*s: %llu of %llu Postfix lines could not be read (first at line %lu: \"%s\")",
			 (int)n, sb.s, s->unreadable, s->tagged, s->first_bad_lineno, sb.s + n);
	}
	sb_free(&sb);
	return 1;
}

/* No LOGFILE and no window, at a terminal: which log, which period. */
static void
say_what_was_read(const struct source_set *set, const struct pipeline *pl)
{
	char a[40], b[40];
	struct strbuf sb;

	sb_init(&sb);
	ts_text_clean(&sb, set->n > 0 ? set->names[set->n - 1] : "", set->n > 0
		      ? strlen(set->names[set->n - 1]) : 0);
	logtime_format(&pl->t_first, a, sizeof(a));
	logtime_format(&pl->t_last, b, sizeof(b));
	if (pl->t_first.valid)
		msg_info("read %s: %s to %s (--last 15m or --since TIME for a shorter period)",
			 sb.s, a, b);
	else
		msg_info("read %s: no dated line", sb.s);
	sb_free(&sb);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct catalog cat;
	struct pfconf cf, *cfp = NULL;
	struct pipeline pl;
	struct run_info info;
	struct source_req req;
	struct source_set set;
	struct strbuf err;
	struct report *rep;
	struct probe_result *pres = NULL;
	int rc = FMRD_EXIT_OK, color, probing;
	size_t k;

	memset(&o, 0, sizeof(o));
	o.config_dir = "/etc/postfix";
	o.stats_interval = 60;
	timewin_init(&o.win);
	parse_command(&argc, argv, &o);
	parse_options(argc, argv, &o);
	probing = o.cmd != NULL && o.cmd->id == CMD_PROBE;
	if (o.list_rules || o.explain != NULL) {
		load_catalog(&cat, &o);
		if (o.list_rules)
			catalog_list(&cat, stdout);
		else if (catalog_explain(&cat, o.explain, stdout) < 0) {
			msg_warn("--explain: no finding \"%s\" (see --list-rules)", o.explain);
			rc = FMRD_EXIT_USAGE;
		}
		catalog_free(&cat);
		return rc;
	}

	if (!o.no_config) {
		if (pfconf_load_root(&cf, o.config_dir_given || o.root == NULL ? o.config_dir
				     : NULL, o.root) < 0) {
			if (o.config_dir_given || o.root != NULL)
				msg_fatal(FMRD_EXIT_NOINPUT, "cannot read the configuration: %s", cf.error);
		}
		cfp = &cf;
	}
	load_catalog(&cat, &o);

	memset(&info, 0, sizeof(info));
	memset(&req, 0, sizeof(req));
	req.files = argv + optind;
	req.nfiles = argc - optind;
	req.rotated = o.rotated;
	req.follow = o.follow;
	req.journal = o.journal;
	req.journal_dir = o.journal_dir;
	req.cf = cfp;
	req.win = o.win;
	req.last = o.last;
	req.fixed_year = o.year;
	req.root = o.root;
	/* open everything first: a missing file fails before any output */
	if (o.cmd != NULL && o.cmd->id == CMD_SEND_TEST) {
		req.follow = 1;
		rc = send_test_main(&o.send, cfp, &cat, &req);
		goto out;
	}
	sb_init(&err);
	if (o.config_only || probing) {
		memset(&set, 0, sizeof(set));
		timewin_init(&set.win);
	} else if ((rc = sources_open(&req, &set, &err)) != 0) {
		msg_warn("%s", err.s);
		sb_free(&err);
		goto out;
	}
	sb_free(&err);
	if (set.auto_journal)
		msg_info("no mail log file found: reading the Postfix entries of the system journal");
	info.sources = set.names;
	info.nsources = set.n;
	info.cf = cfp;
	info.config_dir = o.no_config ? NULL : cf.dir;
	info.queue_id = o.queue_id;
	info.msgs = o.msgs;
	info.config_only = o.config_only || probing;
	if (probing) {
		pres = xcalloc(1, sizeof(*pres));
		info.probe = pres;
		o.probe.dest = optind < argc ? argv[optind] : NULL;
	}

	pipeline_init(&pl, &cat, cfp, o.year);
	pl.hosts = o.hosts;
	pl.nhosts = o.nhosts;
	color = !o.json && !o.ndjson && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	rep = o.ndjson || (o.json && o.follow) ? report_ndjson_new(stdout, &info, &pl.diag)
	    : o.json ? report_json_new(stdout, &info, &pl.diag)
		     : report_text_new(stdout, &info, &pl.diag, color);
	pipeline_add_sink(&pl, rep);
	pl.stats_interval = o.stats_interval;
	if (o.queue_id != NULL)
		corr_track(&pl.corr, o.queue_id);
	pipeline_set_window(&pl, &set.win);
	if (o.max_messages > 0)
		corr_set_limits(&pl.corr, (size_t)o.max_messages, CORR_STALE_SECS);
	if (set.follow)
		run_signals();
	sinks_begin(&pl.sinks);
	/* the files a configuration names are its system's: checked with
	 * --config-only, --root, or for this host's own /etc/postfix; a
	 * configuration copied elsewhere (--config-dir with a log) names
	 * another machine's files, so a log run does not check them */
	if (cfp != NULL && cf.loaded
	    && (o.config_only || probing || o.root != NULL || pfconf_dir_is_host(&cf)))
		pipeline_check_config(&pl, &cf);
	if (probing) {
		struct obs_out pout = pipeline_obs_out(&pl);

		if (probe_run(cfp, &o.probe, &pout, pres) < 0) {
			rc = FMRD_EXIT_NOINPUT;
			sinks_free(&pl.sinks);
			pipeline_free(&pl);
			goto out;
		}
	}
	if (o.config_only || probing)
		pipeline_no_log(&pl);
	else
		rc = run_sources(&pl, &set);
	pipeline_finish(&pl);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)	/* a closed pipe ends the run quietly */
			msg_warn("write error on standard output: %s", strerror(errno));
		rc = FMRD_EXIT_SOFTWARE;
	}
	if (!o.config_only && req.nfiles == 0 && !timewin_active(&set.win) && isatty(STDOUT_FILENO))
		say_what_was_read(&set, &pl);
	if (rc == FMRD_EXIT_OK) {
		for (k = 0; k < pl.diag.n; k++) {
			const struct finding *f = pl.diag.f[k];
			size_t q;
			int mine = o.queue_id == NULL;

			for (q = 0; !mine && q < f->nqids; q++)
				mine = strcmp(f->qids[q], o.queue_id) == 0;
			if (mine && f->severity >= FSEV_WARNING)
				rc = FMRD_EXIT_PROBLEMS;
		}
	}
	if ((rc == FMRD_EXIT_OK || rc == FMRD_EXIT_PROBLEMS) && input_unreadable(&pl.stats, &info))
		rc = FMRD_EXIT_DATAERR;
	if (pres != NULL && pres->failed >= 0 && (rc == FMRD_EXIT_OK || rc == FMRD_EXIT_PROBLEMS))
		rc = PROBE_EXIT_BASE + pres->failed;
	sinks_free(&pl.sinks);
	pipeline_free(&pl);
	sources_free(&set);
out:
	free(pres);
	catalog_free(&cat);
	if (cfp != NULL)
		pfconf_free(cfp);
	ts_secrets_clear();
	return rc;
}
