/*
 * probe.h - the live probe (fmrelay-doctor probe [DEST]): connect to a
 * relay the way Postfix's smtp(8) would - its name resolution, the port
 * and wrapper mode, STARTTLS, the trust smtp(8) has inside its chroot,
 * the AUTH mechanisms its SASL settings allow, optionally the login with
 * the password map's credentials and MAIL FROM/RCPT TO (no message is
 * sent) - and tell each phase's result. A failing phase is stated as an
 * observation (observe.h, kind OBS_PROBE) that the "on = probe" rules of
 * patterns/ turn into the same findings the log gives.
 */
#ifndef FMRD_PROBE_H
#define FMRD_PROBE_H

#include <stddef.h>

#include "observe.h"
#include "pfconf.h"

/* The phases in order; a probe stops at the first that fails. The exit
 * status of a probe that fails names it: PROBE_EXIT_BASE + phase. */
enum probe_phase {
	PH_RESOLVE = 0,	/* next hop -> addresses (MX unless [host]) */
	PH_CONNECT,	/* TCP, each address in turn */
	PH_GREETING,	/* 220 (or a TLS record: port 465 without wrapper mode) */
	PH_EHLO,	/* EHLO and its extensions */
	PH_STARTTLS,	/* STARTTLS offered and accepted */
	PH_TLS,		/* the handshake (STARTTLS or wrapper mode) */
	PH_VERIFY,	/* the chain against smtp(8)'s trust, and the name */
	PH_AUTH_MECHS,	/* AUTH mechanisms left after Postfix's filters */
	PH_AUTH,	/* --auth: the login with the password map's entry */
	PH_MAIL,	/* --mail-from: MAIL FROM and RCPT TO, then RSET */
	PH_COUNT
};
#define PROBE_EXIT_BASE 10

enum probe_status {
	PS_SKIPPED = 0,	/* not run: not asked for, or an earlier phase failed */
	PS_OK,
	PS_WARNING,	/* works, but not as it should (unverified, weak) */
	PS_FAILED
};

#define PROBE_DETAIL 512
#define PROBE_CHAIN_MAX 10
#define PROBE_NAMES_MAX 8

struct probe_step {
	enum probe_status status;
	char detail[PROBE_DETAIL];	/* one line, for the report */
	long ms;			/* how long it took */
};

struct probe_cert {
	char subject[256], issuer[256];
	char san[512];		/* DNS names, comma separated */
	char not_before[32], not_after[32];	/* ISO 8601 UTC */
	long days_left;
	char sha256[100];
};

struct probe_trust {
	int tried;
	int verified;
	char error[256];	/* OpenSSL's text of the first error, or "" */
	char source[512];	/* what it was: "smtp_tls_CAfile /etc/..., ..." */
};

struct probe_result {
	char dest[300];		/* the next hop as probed ("[h]:587") */
	char origin[64];	/* "argument", "relayhost", "transport_maps", ... */
	char host[256];		/* host name, lower case */
	char port[32];		/* as written ("submission"), or "25" */
	char port_num[8];	/* the number ("587") */
	int bracketed;		/* [host]: no MX lookup */
	char mx_host[256];	/* the MX host connected to, or "" */
	char address[80];	/* the address connected to ("127.0.0.1:587") */
	int wrapper;		/* implicit TLS (smtp_tls_wrappermode) */
	char level[32];		/* the TLS security level used */
	struct probe_step step[PH_COUNT];
	int failed;		/* the first failed phase, or -1 */
	/* EHLO (after TLS when TLS was used) */
	int ehlo_done, starttls_offered;
	char auth_mechs[256];	/* as offered, blank separated */
	char auth_usable[256];	/* after smtp_sasl_mechanism_filter and security options */
	unsigned long size_limit;
	/* TLS */
	int tls_done;
	char protocol[32], cipher[128];
	struct probe_cert chain[PROBE_CHAIN_MAX];
	size_t nchain;
	struct probe_trust configured, system;
	char names[PROBE_NAMES_MAX][256];	/* the names the certificate must match */
	size_t nnames;
	char matched[256];	/* the name that matched, or "" */
};

struct probe_opts {
	const char *dest;	/* NULL: the relay of main.cf */
	const char *sender;	/* --sender: its sender-dependent relay */
	int auth;		/* --auth */
	int insecure;		/* --insecure: --auth without verified TLS */
	const char *mail_from;	/* --mail-from */
	const char *rcpt;	/* --rcpt */
	int timeout_ms;		/* each phase */
};

/* Probe; every result goes to res and failing phases to out as
 * observations. Returns 0 when the probe ran (whatever it found), -1
 * when there is nothing to probe (no DEST and no relay in main.cf; a
 * message was printed). */
int probe_run(struct pfconf *cf, const struct probe_opts *o, struct obs_out *out,
	      struct probe_result *res);
/* "resolve", "connect", ... */
const char *probe_phase_name(enum probe_phase p);
/* "skipped", "ok", "warning", "failed" */
const char *probe_status_name(enum probe_status s);

#endif
