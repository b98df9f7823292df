/*
 * check.h - the configuration checks: each looks at one concern of a
 * Postfix set-up (the password map, SASL settings, TLS policy, CA trust
 * as the chrooted smtp(8) sees it, the client certificate, the chroot's
 * copies, sender identity, routing, parameter names) and states what it
 * sees as observations (observe.h). Which observation is a problem, how
 * bad, and the fix are decided by the "on = config" rules in patterns/.
 * check.c runs the checks from a table; one file per check.
 */
#ifndef FMRD_CHECK_H
#define FMRD_CHECK_H

#include "observe.h"
#include "pfconf.h"

typedef void (*check_fn)(struct pfconf *cf, struct obs_out *out);

struct check_entry {
	const char *name;	/* observation "check" name, for --explain */
	check_fn fn;
	const char *what;	/* one line: what it looks at */
};

/* Run every check over a loaded configuration (cf->loaded). */
void check_run(struct pfconf *cf, struct obs_out *out);
/* The table, for --list-rules and tests. */
extern const struct check_entry check_table[];
extern const size_t check_count;

/* An observation that a check could not be done: the file and why
 * ("skipped: sasl_map: cannot read ...: Permission denied"). */
void check_skipped(struct obs_out *out, const char *check, const char *file,
		   const char *why);

/* The checks (one file each, src/config/check_*.c). */
void check_sasl_map(struct pfconf *cf, struct obs_out *out);
void check_sasl_settings(struct pfconf *cf, struct obs_out *out);
void check_tls_policy(struct pfconf *cf, struct obs_out *out);
void check_ca(struct pfconf *cf, struct obs_out *out);
void check_client_cert(struct pfconf *cf, struct obs_out *out);
void check_chroot_files(struct pfconf *cf, struct obs_out *out);
void check_sender(struct pfconf *cf, struct obs_out *out);
void check_routing(struct pfconf *cf, struct obs_out *out);
void check_params(struct pfconf *cf, struct obs_out *out);
void check_maps(struct pfconf *cf, struct obs_out *out);
/* Where check_params finds postfix-params.list: the file, or the patterns
 * directory (or a rules file) it sits in; NULL: where the built-in rules
 * are ($FMRELAY_DOCTOR_PATTERNS, the source tree's, PKGDATADIR's). */
void check_params_set_list(const char *path);
/* Where a data file of the checks (postfix-params.list,
 * postfix-maptypes.list) is: beside the list check_params_set_list named,
 * else where the built-in rules are. Returns buf. */
const char *check_data_file(const char *file, char *buf, size_t size);

#endif
