/*
 * probe.c - fmrelay-doctor probe (probe.h): the phases, in the order
 * smtp(8) goes through them, with the settings smtp(8) would use - the
 * next hop and its port, wrapper mode, the TLS level, the CA files and
 * directories as seen inside its chroot, the SASL mechanism filter and
 * security options, the password map's entry for the next hop. Each
 * phase's result goes to the report (struct probe_result); a phase that
 * fails is also stated as an observation (docs/OBSERVATIONS.md, "Probe")
 * for the "on = probe" rules of patterns/probe.rules. The network part is
 * smtpc (smtpc.h); name resolution is probe_dns.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "probe.h"
#include "probe_int.h"
#include "relays.h"
#include "smtpc.h"
#include "textsafe.h"
#include "util.h"

static const char *const phase_names[PH_COUNT] = {
	"resolve", "connect", "greeting", "ehlo", "starttls", "tls", "verify", "auth_mechs",
	"auth", "mail"
};
static const char *const status_names[] = { "skipped", "ok", "warning", "failed" };

const char *
probe_phase_name(enum probe_phase p)
{
	return (unsigned)p < PH_COUNT ? phase_names[p] : "?";
}

const char *
probe_status_name(enum probe_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

/* ---- the run's state ------------------------------------------------- */

struct probe {
	struct pfconf *cf;
	const struct probe_opts *o;
	struct obs_out *out;
	struct probe_result *res;
	struct smtpc *c;
	struct smtpc_reply r;
	struct smtpc_ehlo e;
	struct smtpc_tls_info tls;
	int chrooted;
	char server[400];	/* "host[addr]:port" for observations */
	struct timespec t0;
};

static long
probe_ms(const struct probe *p)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - p->t0.tv_sec) * 1000 + (t.tv_nsec - p->t0.tv_nsec) / 1000000;
}

static void
probe_start(struct probe *p)
{
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

/* Set a phase's result; a failure is the probe's first (it stops). */
static void
probe_step(struct probe *p, enum probe_phase ph, enum probe_status st, const char *fmt, ...)
{
	struct probe_step *s = &p->res->step[ph];
	va_list ap;

	s->status = st;
	s->ms = probe_ms(p);
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	if (st == PS_FAILED && p->res->failed < 0)
		p->res->failed = (int)ph;
}

/* An observation of the probe: "probe PHASE ..." with the server as
 * evidence. */
static void
probe_obs(struct probe *p, enum probe_phase ph, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
probe_obs(struct probe *p, enum probe_phase ph, const char *fmt, ...)
{
	char text[OBS_MAX_TEXT - 64];
	struct obs_ev ev = { "probe", 0, p->res->dest };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	obs_emit(p->out, OBS_PROBE, phase_names[ph], p->res->host, &ev, 1, "probe %s: %s",
		 phase_names[ph], text);
}

/* A reply as one line: "535 5.7.8 Error: authentication failed". */
static const char *
probe_reply(const struct smtpc_reply *r, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nlines && o + 2 < size; i++)
		o += (size_t)probe_fmt(buf + o, size - o, "%s%s", i > 0 ? " " : "",
				      smtpc_reply_line(r, i));
	if (o >= size)
		buf[size - 1] = '\0';
	return buf;
}

/* ---- the settings smtp(8) uses ---------------------------------------- */

static const char *
probe_param(struct probe *p, const char *name, const char *dflt)
{
	const char *v = pfconf_get(p->cf, name, NULL);

	return v != NULL && *v != '\0' ? v : dflt;
}

/* The next hop: DEST, the sender's relay (--sender), or relayhost. */
static int
probe_target(struct probe *p)
{
	struct probe_result *res = p->res;
	struct relay_list rl;
	const struct relay *pick = NULL;
	size_t i;

	if (p->o->dest != NULL) {
		probe_fmt(res->origin, sizeof(res->origin), "argument");
		return probe_dest_parse(p->o->dest, res);
	}
	if (p->cf == NULL || !p->cf->loaded) {
		msg_warn("probe: no DEST given and no main.cf read: nothing to probe");
		return -1;
	}
	relays_collect(p->cf, &rl);
	for (i = 0; i < rl.n && pick == NULL && p->o->sender != NULL; i++)
		if (rl.r[i].from == RELAY_SENDER && rl.r[i].key != NULL
		    && (strcasecmp(rl.r[i].key, p->o->sender) == 0
			|| (rl.r[i].key[0] == '@' && strchr(p->o->sender, '@') != NULL
			    && strcasecmp(rl.r[i].key, strchr(p->o->sender, '@')) == 0)))
			pick = &rl.r[i];
	for (i = 0; i < rl.n && pick == NULL; i++)
		if (rl.r[i].from == RELAY_RELAYHOST)
			pick = &rl.r[i];
	if (pick == NULL) {
		relays_free(&rl);
		msg_warn("probe: main.cf (%s) names no relayhost%s: give DEST, e.g. "
			 "'[smtp.example.com]:587'", p->cf->dir,
			 p->o->sender != NULL ? " and no relay for that sender" : "");
		return -1;
	}
	probe_fmt(res->origin, sizeof(res->origin), "%s", relays_from_name(pick->from));
	i = (size_t)probe_dest_parse(pick->nexthop, res);
	relays_free(&rl);
	return (int)i;
}

/* ---- phases ---------------------------------------------------------- */

static int
probe_connect(struct probe *p, const struct probe_addrs *a)
{
	char err[256], last[300] = "", sv[400];
	enum smtpc_rc rc = SMTPC_IO;
	size_t i;

	for (i = 0; i < a->n; i++) {
		probe_start(p);
		rc = smtpc_connect_addr(p->c, (const struct sockaddr *)&a->a[i].ss, a->a[i].len,
					p->o->timeout_ms, err, sizeof(err));
		probe_fmt(sv, sizeof(sv), "%s[%s]:%s", a->a[i].name, a->a[i].text, p->res->port_num);
		if (rc == SMTPC_OK) {
			probe_fmt(p->server, sizeof(p->server), "%s", sv);
			probe_fmt(p->res->address, sizeof(p->res->address), "%s", smtpc_peer(p->c));
			probe_step(p, PH_CONNECT, PS_OK, "connected to %s", sv);
			return 0;
		}
		probe_fmt(last, sizeof(last), "%s: %s", sv, err);
		if (rc == SMTPC_REFUSED)
			probe_obs(p, PH_CONNECT, "connect to %s: refused", sv);
		else if (rc == SMTPC_TIMEOUT)
			probe_obs(p, PH_CONNECT, "connect to %s: timed out after %d s", sv,
				  p->o->timeout_ms / 1000);
		else
			probe_obs(p, PH_CONNECT, "connect to %s: unreachable: %s", sv, err);
		smtpc_close(p->c, 0);
		p->c = smtpc_new();
	}
	probe_step(p, PH_CONNECT, PS_FAILED, "%s%s", last,
		   a->n > 1 ? " (and every other address)" : "");
	return -1;
}

/* The TLS options smtp(8) has: CAfile read before the chroot, CApath and
 * the default directory looked up inside it. */
static void
probe_trust(struct probe *p, struct smtpc_tls_opts *to, char bufs[6][4096])
{
	const char *cafile = probe_param(p, "smtp_tls_CAfile", NULL);
	const char *capath = probe_param(p, "smtp_tls_CApath", NULL);
	const char *q = probe_param(p, "queue_directory", "/var/spool/postfix");
	const char *names = probe_param(p, "smtp_tls_servername", NULL);
	struct probe_result *res = p->res;
	char jail[4096];

	memset(to, 0, sizeof(*to));
	if (names == NULL)
		to->servername = NULL;	/* Postfix sends no SNI by default */
	else if (strcmp(names, "hostname") == 0 || strcmp(names, "nexthop") == 0)
		to->servername = res->host;
	else
		to->servername = names;
	probe_fmt(jail, sizeof(jail), "%s", p->chrooted ? q : "");
	if (cafile != NULL)
		to->configured.cafile = pfconf_path(p->cf, cafile, bufs[0], sizeof(bufs[0]));
	if (capath != NULL) {
		probe_fmt(bufs[5], sizeof(bufs[5]), "%s%s", jail, capath);
		to->configured.capath = pfconf_path(p->cf, bufs[5], bufs[1], sizeof(bufs[1]));
	}
	to->configured.add_default = pfconf_true(probe_param(p, "tls_append_default_CA", "no"));
	pfconf_path(p->cf, X509_get_default_cert_file(), bufs[2], sizeof(bufs[2]));
	to->configured.default_cafile = bufs[2];
	probe_fmt(bufs[5], sizeof(bufs[5]), "%s%s", jail, X509_get_default_cert_dir());
	to->configured.default_capath = pfconf_path(p->cf, bufs[5], bufs[3], sizeof(bufs[3]));
	to->system.add_default = 1;
	if (p->cf != NULL && p->cf->root != NULL) {	/* the copy's own system store */
		to->system.default_cafile = bufs[2];
		to->system.default_capath = pfconf_path(p->cf, X509_get_default_cert_dir(), bufs[4],
							sizeof(bufs[4]));
	}
	probe_fmt(res->configured.source, sizeof(res->configured.source), "%s%s%s%s%s%s%s",
		 cafile != NULL ? "smtp_tls_CAfile " : "", cafile != NULL ? cafile : "",
		 cafile != NULL && capath != NULL ? ", " : "",
		 capath != NULL ? "smtp_tls_CApath " : "", capath != NULL ? capath : "",
		 capath != NULL && p->chrooted ? " (inside the chroot)" : "",
		 to->configured.add_default ? ", the default CAs (tls_append_default_CA)"
		 : cafile == NULL && capath == NULL ? "none" : "");
	probe_fmt(res->system.source, sizeof(res->system.source), "the system's default CAs");
}

static void
probe_keep_tls(struct probe *p)
{
	struct probe_result *res = p->res;
	size_t i, j, o;
	struct tm tm;

	res->tls_done = 1;
	probe_fmt(res->protocol, sizeof(res->protocol), "%s", p->tls.protocol);
	probe_fmt(res->cipher, sizeof(res->cipher), "%s", p->tls.cipher);
	res->nchain = p->tls.nchain < PROBE_CHAIN_MAX ? p->tls.nchain : PROBE_CHAIN_MAX;
	for (i = 0; i < res->nchain; i++) {
		const struct smtpc_cert *c = &p->tls.chain[i];
		struct probe_cert *pc = &res->chain[i];

		probe_fmt(pc->subject, sizeof(pc->subject), "%s", c->subject);
		probe_fmt(pc->issuer, sizeof(pc->issuer), "%s", c->issuer);
		for (j = 0, o = 0; j < c->nsan && o + 2 < sizeof(pc->san); j++)
			o += (size_t)probe_fmt(pc->san + o, sizeof(pc->san) - o, "%s%s",
					      j > 0 ? ", " : "", c->san[j]);
		if (o >= sizeof(pc->san))
			pc->san[sizeof(pc->san) - 1] = '\0';
		gmtime_r(&c->not_before, &tm);
		strftime(pc->not_before, sizeof(pc->not_before), "%Y-%m-%dT%H:%M:%SZ", &tm);
		gmtime_r(&c->not_after, &tm);
		strftime(pc->not_after, sizeof(pc->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
		pc->days_left = c->days_left;
		probe_fmt(pc->sha256, sizeof(pc->sha256), "%s", c->sha256);
	}
	res->configured.tried = res->system.tried = 1;
	res->configured.verified = p->tls.configured.verified;
	res->system.verified = p->tls.system.verified;
	probe_fmt(res->configured.error, sizeof(res->configured.error), "%s%s%s",
		 p->tls.configured.verified ? "" : p->tls.configured.error_text,
		 *p->tls.configured.load_error != '\0' ? "; " : "", p->tls.configured.load_error);
	probe_fmt(res->system.error, sizeof(res->system.error), "%s",
		 p->tls.system.verified ? "" : p->tls.system.error_text);
}

/* The names the certificate must match at level verify or secure
 * (smtp_tls_verify_cert_match / smtp_tls_secure_cert_match). */
static void
probe_match_names(struct probe *p, int secure)
{
	const char *spec = secure ? probe_param(p, "smtp_tls_secure_cert_match", "nexthop, dot-nexthop")
				  : probe_param(p, "smtp_tls_verify_cert_match", "hostname");
	struct probe_result *res = p->res;
	const char *t, *lp = spec;
	size_t n;

	res->nnames = 0;
	while ((t = pfconf_list_next(&lp, &n)) != NULL && res->nnames < PROBE_NAMES_MAX) {
		char *dst = res->names[res->nnames];
		size_t sz = sizeof(res->names[0]);

		if (n == 8 && strncmp(t, "hostname", 8) == 0)
			probe_fmt(dst, sz, "%s", res->mx_host[0] != '\0' ? res->mx_host : res->host);
		else if (n == 7 && strncmp(t, "nexthop", 7) == 0)
			probe_fmt(dst, sz, "%s", res->host);
		else if (n == 11 && strncmp(t, "dot-nexthop", 11) == 0)
			probe_fmt(dst, sz, ".%s", res->host);
		else
			probe_fmt(dst, sz, "%.*s", (int)n, t);
		res->nnames++;
	}
}

static int
probe_verify(struct probe *p)
{
	struct probe_result *res = p->res;
	enum tls_want want = probe_level_want(res->level);
	const char *names[PROBE_NAMES_MAX], *err = p->tls.configured.error_text;
	char namelist[1024] = "";
	size_t i, o = 0;
	int m;

	probe_start(p);
	probe_match_names(p, strcasecmp(res->level, "secure") == 0);
	for (i = 0; i < res->nnames; i++) {
		names[i] = res->names[i];
		if (o + 1 < sizeof(namelist))
			o += (size_t)probe_fmt(namelist + o, sizeof(namelist) - o, "%s%s",
					       i > 0 ? ", " : "", res->names[i]);
	}
	m = smtpc_tls_match(p->c, names, res->nnames, res->matched, sizeof(res->matched));
	if (!p->tls.configured.verified) {
		int expired = p->tls.configured.error == X509_V_ERR_CERT_HAS_EXPIRED;
		int selfsigned = p->tls.configured.error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;

		if (want < TW_VERIFY) {
			probe_step(p, PH_VERIFY, PS_WARNING, "not verified (%s): level %s accepts "
				   "any certificate", err, *res->level != '\0' ? res->level : "none");
			return 0;
		}
		if (expired)
			probe_obs(p, PH_VERIFY, "certificate of %s has expired (not after %s)",
				  p->server, res->nchain > 0 ? res->chain[0].not_after : "?");
		else if (selfsigned)
			probe_obs(p, PH_VERIFY, "certificate of %s is self-signed (%s)", p->server,
				  res->nchain > 0 ? res->chain[0].subject : "?");
		else if (p->tls.system.verified)
			probe_obs(p, PH_VERIFY, "certificate of %s is not trusted by smtp(8)'s CAs "
				  "(%s: %s) but is by the system's", p->server,
				  res->configured.source, err);
		else
			probe_obs(p, PH_VERIFY, "certificate of %s is not trusted (%s), by smtp(8)'s "
				  "CAs (%s) nor by the system's", p->server, err,
				  res->configured.source);
		probe_step(p, PH_VERIFY, PS_FAILED, "not trusted by smtp(8)'s CAs (%s)%s", err,
			   p->tls.system.verified ? "; the system's CAs trust it" : "");
		return -1;
	}
	if (m < 0 && want >= TW_VERIFY) {
		probe_obs(p, PH_VERIFY, "certificate of %s names %s, not %s (%s)", p->server,
			  res->nchain > 0 && *res->chain[0].san != '\0' ? res->chain[0].san
			  : res->nchain > 0 ? res->chain[0].subject : "?", namelist,
			  strcasecmp(res->level, "secure") == 0 ? "smtp_tls_secure_cert_match"
			  : "smtp_tls_verify_cert_match");
		probe_step(p, PH_VERIFY, PS_FAILED, "trusted, but it does not name %s", namelist);
		return -1;
	}
	if (m < 0)
		probe_step(p, PH_VERIFY, PS_OK, "trusted by smtp(8)'s CAs (%s); it does not name "
			   "%s, which level %s does not check", res->configured.source, namelist,
			   *res->level != '\0' ? res->level : "none");
	else
		probe_step(p, PH_VERIFY, PS_OK, "trusted by smtp(8)'s CAs (%s), name %s matches",
			   res->configured.source, res->matched);
	return 0;
}

/* STARTTLS or wrapper mode, the handshake, the verification. */
static int
probe_tls(struct probe *p)
{
	struct smtpc_tls_opts to;
	char bufs[6][4096], err[256];
	enum smtpc_rc rc;

	probe_trust(p, &to, bufs);
	probe_start(p);
	rc = smtpc_tls_start(p->c, &to, p->o->timeout_ms, &p->tls, err, sizeof(err));
	if (rc == SMTPC_NOT_TLS) {	/* wrapper mode against a plaintext port */
		probe_obs(p, PH_TLS, "smtp_tls_wrappermode = yes, but %s answers in plaintext SMTP",
			  p->server);
		probe_step(p, PH_TLS, PS_FAILED, "wrapper mode, but the server speaks plaintext SMTP "
			   "(port %s is not an implicit-TLS port)", p->res->port);
		return -1;
	}
	if (rc != SMTPC_OK) {
		probe_obs(p, PH_TLS, "TLS handshake with %s failed: %s", p->server, err);
		probe_step(p, PH_TLS, PS_FAILED, "handshake failed: %s", err);
		return -1;
	}
	probe_keep_tls(p);
	probe_step(p, PH_TLS, PS_OK, "%s with %s; certificate %s, issued by %s, %ld days left",
		   p->res->protocol, p->res->cipher,
		   p->res->nchain > 0 ? p->res->chain[0].subject : "(none)",
		   p->res->nchain > 0 ? p->res->chain[0].issuer : "?",
		   p->res->nchain > 0 ? p->res->chain[0].days_left : 0L);
	return probe_verify(p);
}

static int
probe_greeting(struct probe *p)
{
	char reply[600];
	enum smtpc_rc rc;
	int on465 = probe_port_is_smtps(p->res->port_num);

	if (p->res->wrapper && probe_tls(p) < 0)
		return -1;
	probe_start(p);
	rc = smtpc_read_reply(p->c, p->o->timeout_ms, &p->r);
	if (rc == SMTPC_TLS_RECORD || (rc == SMTPC_TIMEOUT && on465 && !p->res->wrapper)) {
		probe_obs(p, PH_GREETING, "%s speaks TLS at once (%s): port %s needs "
			  "smtp_tls_wrappermode = yes", p->server,
			  rc == SMTPC_TLS_RECORD ? "a TLS record instead of the greeting"
			  : "no greeting: it waits for a TLS handshake", p->res->port);
		probe_step(p, PH_GREETING, PS_FAILED, "%s: port %s is implicit TLS; smtp(8) "
			   "needs smtp_tls_wrappermode = yes",
			   rc == SMTPC_TLS_RECORD ? "a TLS record instead of \"220\""
			   : "no greeting", p->res->port);
		return -1;
	}
	if (rc == SMTPC_TIMEOUT) {
		probe_obs(p, PH_GREETING, "conversation with %s timed out while receiving the "
			  "initial server greeting", p->server);
		probe_step(p, PH_GREETING, PS_FAILED, "no greeting within %d s",
			   p->o->timeout_ms / 1000);
		return -1;
	}
	if (rc != SMTPC_OK) {
		probe_obs(p, PH_GREETING, "lost connection with %s while receiving the initial "
			  "server greeting", p->server);
		probe_step(p, PH_GREETING, PS_FAILED, "%s", smtpc_error(p->c));
		return -1;
	}
	probe_reply(&p->r, reply, sizeof(reply));
	if (p->r.code != 220) {
		probe_obs(p, PH_GREETING, "host %s refused to talk to me: %s", p->server, reply);
		probe_step(p, PH_GREETING, PS_FAILED, "%s", reply);
		return -1;
	}
	probe_step(p, PH_GREETING, PS_OK, "%s", reply);
	return 0;
}

static int
probe_ehlo(struct probe *p, int again)
{
	const char *helo = probe_param(p, "smtp_helo_name", NULL);
	char name[256], reply[600];
	enum smtpc_rc rc;

	if (helo == NULL || *helo == '$')
		helo = probe_param(p, "myhostname", NULL);
	if (helo == NULL) {
		if (gethostname(name, sizeof(name)) != 0)
			probe_fmt(name, sizeof(name), "localhost");
		name[sizeof(name) - 1] = '\0';
		helo = name;
	}
	if (!again)
		probe_start(p);
	rc = smtpc_ehlo(p->c, helo, p->o->timeout_ms, &p->r, &p->e);
	if (rc != SMTPC_OK || p->r.code != 250) {
		probe_reply(&p->r, reply, sizeof(reply));
		if (rc == SMTPC_TIMEOUT)
			probe_obs(p, PH_EHLO, "conversation with %s timed out while performing the "
				  "EHLO handshake", p->server);
		else if (rc == SMTPC_OK)
			probe_obs(p, PH_EHLO, "host %s said: %s (in reply to EHLO command)", p->server,
				  reply);
		else
			probe_obs(p, PH_EHLO, "lost connection with %s while performing the EHLO "
				  "handshake", p->server);
		probe_step(p, PH_EHLO, PS_FAILED, "EHLO %s: %s", helo,
			   rc == SMTPC_OK ? reply : smtpc_error(p->c));
		return -1;
	}
	p->res->ehlo_done = 1;
	probe_mechs_text(&p->e, p->res->auth_mechs, sizeof(p->res->auth_mechs));
	p->res->size_limit = (unsigned long)p->e.size_limit;
	if (!again) {
		p->res->starttls_offered = p->e.starttls;
		probe_step(p, PH_EHLO, PS_OK, "EHLO %s: %s%sAUTH %s%s", helo,
			   p->e.starttls ? "STARTTLS, " : "no STARTTLS, ",
			   p->e.size ? "SIZE, " : "", *p->res->auth_mechs != '\0' ? p->res->auth_mechs
			   : "not offered", p->res->wrapper ? " (over TLS: wrapper mode)" : "");
	}
	return 0;
}

static int
probe_starttls(struct probe *p)
{
	enum tls_want want = probe_level_want(p->res->level);
	char reply[600];
	enum smtpc_rc rc;

	probe_start(p);
	if (p->res->wrapper) {
		probe_step(p, PH_STARTTLS, PS_SKIPPED, "wrapper mode: TLS from the start");
		return 0;
	}
	if (want == TW_NONE) {
		probe_step(p, PH_STARTTLS, PS_SKIPPED, "smtp_tls_security_level = %s: no TLS",
			   *p->res->level != '\0' ? p->res->level : "(empty)");
		return 0;
	}
	if (!p->e.starttls) {
		if (want == TW_MAY) {
			probe_step(p, PH_STARTTLS, PS_WARNING, "not offered: at level may smtp(8) "
				   "goes on in plaintext");
			return 0;
		}
		probe_obs(p, PH_STARTTLS, "%s does not offer STARTTLS (level %s)", p->server,
			  p->res->level);
		probe_step(p, PH_STARTTLS, PS_FAILED, "not offered; level %s requires TLS",
			   p->res->level);
		return -1;
	}
	rc = smtpc_cmd(p->c, p->o->timeout_ms, &p->r, "STARTTLS");
	if (rc != SMTPC_OK || p->r.code != 220) {
		probe_reply(&p->r, reply, sizeof(reply));
		probe_obs(p, PH_STARTTLS, "%s refused STARTTLS: %s", p->server,
			  rc == SMTPC_OK ? reply : smtpc_rc_name(rc));
		probe_step(p, PH_STARTTLS, PS_FAILED, "refused: %s",
			   rc == SMTPC_OK ? reply : smtpc_error(p->c));
		return -1;
	}
	probe_step(p, PH_STARTTLS, PS_OK, "220: ready to start TLS");
	if (probe_tls(p) < 0)
		return -1;
	return probe_ehlo(p, 1);
}

/* SIZE of the last EHLO against message_size_limit: mail Postfix
 * accepts that the relay refuses bounces there. A warning of the phase. */
static void
probe_size(struct probe *p)
{
	const char *v = probe_param(p, "message_size_limit", "10240000");
	struct probe_step *s = &p->res->step[PH_EHLO];
	unsigned long long msl = strtoull(v, NULL, 10);
	size_t n = strlen(s->detail);

	if (p->e.size_limit == 0 || msl == 0 || msl <= p->e.size_limit)
		return;
	s->status = PS_WARNING;
	probe_fmt(s->detail + n, sizeof(s->detail) - n, "; the relay takes at most %llu bytes "
		  "(SIZE), less than message_size_limit = %llu: larger mail bounces there",
		  p->e.size_limit, msl);
}

static int
probe_auth_mechs(struct probe *p)
{
	const char *enable = probe_param(p, "smtp_sasl_auth_enable", "no");
	const char *opts = smtpc_tls_active(p->c)
	    ? probe_param(p, "smtp_sasl_tls_security_options", "noplaintext, noanonymous")
	    : probe_param(p, "smtp_sasl_security_options", "noplaintext, noanonymous");
	const char *filter = probe_param(p, "smtp_sasl_mechanism_filter", "");
	struct probe_result *res = p->res;

	probe_start(p);
	if (!pfconf_true(enable) && !p->o->auth) {
		probe_step(p, PH_AUTH_MECHS, PS_SKIPPED, "smtp_sasl_auth_enable = no: smtp(8) "
			   "does not authenticate");
		return 0;
	}
	probe_mechs_usable(&p->e, opts, filter, res->auth_usable, sizeof(res->auth_usable));
	if (!p->e.auth) {
		probe_obs(p, PH_AUTH_MECHS, "%s offers no AUTH%s", p->server,
			  smtpc_tls_active(p->c) ? " (after TLS)" : " (without TLS)");
		probe_step(p, PH_AUTH_MECHS, PS_FAILED, "the server offers no AUTH%s",
			   smtpc_tls_active(p->c) ? "" : " before TLS");
		return -1;
	}
	if (*res->auth_usable == '\0') {
		probe_obs(p, PH_AUTH_MECHS, "%s offers AUTH %s; smtp_sasl%s_security_options = %s "
			  "and smtp_sasl_mechanism_filter = %s leave none", p->server,
			  res->auth_mechs, smtpc_tls_active(p->c) ? "_tls" : "", opts,
			  *filter != '\0' ? filter : "(empty)");
		probe_step(p, PH_AUTH_MECHS, PS_FAILED, "offered %s; none left after "
			   "smtp_sasl%s_security_options = %s%s%s", res->auth_mechs,
			   smtpc_tls_active(p->c) ? "_tls" : "", opts,
			   *filter != '\0' ? " and the filter " : "", filter);
		return -1;
	}
	probe_step(p, PH_AUTH_MECHS, PS_OK, "offered %s; smtp(8) may use %s", res->auth_mechs,
		   res->auth_usable);
	return 0;
}

static int
probe_auth(struct probe *p)
{
	struct probe_result *res = p->res;
	struct probe_cred cr;
	char reply[600];
	const char *mech;
	enum smtpc_rc rc;

	probe_start(p);
	if (!p->o->auth) {
		probe_step(p, PH_AUTH, PS_SKIPPED, "not asked (--auth)");
		return 0;
	}
	if (!p->o->insecure && !(smtpc_tls_active(p->c) && res->configured.verified)) {
		probe_step(p, PH_AUTH, PS_SKIPPED, "not over %s (--insecure allows it)",
			   smtpc_tls_active(p->c) ? "TLS that is not verified" : "plaintext");
		return 0;
	}
	mech = probe_word_in(res->auth_usable, "PLAIN") ? "PLAIN"
	     : probe_word_in(res->auth_usable, "LOGIN") ? "LOGIN" : NULL;
	if (mech == NULL) {
		probe_step(p, PH_AUTH, PS_SKIPPED, "neither PLAIN nor LOGIN is usable (%s)",
			   *res->auth_usable != '\0' ? res->auth_usable : "none");
		return 0;
	}
	if (probe_cred_find(p->cf, res, p->o->sender, &cr) < 0) {
		probe_step(p, PH_AUTH, PS_SKIPPED, "%s", cr.why);
		return 0;
	}
	rc = smtpc_auth(p->c, mech, cr.user, cr.pass, p->o->timeout_ms, &p->r);
	probe_cred_wipe(&cr);
	probe_reply(&p->r, reply, sizeof(reply));
	if (rc == SMTPC_OK && p->r.code == 235) {
		probe_step(p, PH_AUTH, PS_OK, "AUTH %s as %s (%s, key %s): %s", mech, cr.user,
			   cr.source, cr.key, reply);
		return 0;
	}
	if (rc == SMTPC_OK)
		probe_obs(p, PH_AUTH, "SASL authentication failed; server %s said: %s", p->server,
			  reply);
	else
		probe_obs(p, PH_AUTH, "lost connection with %s while performing the AUTH "
			  "handshake", p->server);
	probe_step(p, PH_AUTH, PS_FAILED, "AUTH %s as %s (%s, key %s): %s", mech, cr.user,
		   cr.source, cr.key, rc == SMTPC_OK ? reply : smtpc_error(p->c));
	return -1;
}

static int
probe_mail(struct probe *p)
{
	const char *from = p->o->mail_from, *rcpt = p->o->rcpt != NULL ? p->o->rcpt : from;
	char reply[600];
	enum smtpc_rc rc;

	probe_start(p);
	if (from == NULL) {
		probe_step(p, PH_MAIL, PS_SKIPPED, "not asked (--mail-from)");
		return 0;
	}
	rc = smtpc_cmd(p->c, p->o->timeout_ms, &p->r, "MAIL FROM:<%s>", from);
	probe_reply(&p->r, reply, sizeof(reply));
	if (rc == SMTPC_OK && p->r.code / 100 == 2) {
		rc = smtpc_cmd(p->c, p->o->timeout_ms, &p->r, "RCPT TO:<%s>", rcpt);
		probe_reply(&p->r, reply, sizeof(reply));
		if (rc == SMTPC_OK && p->r.code / 100 == 2) {
			smtpc_cmd(p->c, p->o->timeout_ms, &p->r, "RSET");
			probe_step(p, PH_MAIL, PS_OK, "MAIL FROM:<%s> and RCPT TO:<%s> accepted "
				   "(RSET: nothing sent)", from, rcpt);
			return 0;
		}
		probe_obs(p, PH_MAIL, "host %s said: %s (in reply to RCPT TO command)", p->server,
			  rc == SMTPC_OK ? reply : smtpc_rc_name(rc));
		probe_step(p, PH_MAIL, PS_FAILED, "RCPT TO:<%s> (sender %s): %s", rcpt, from,
			   rc == SMTPC_OK ? reply : smtpc_error(p->c));
		return -1;
	}
	probe_obs(p, PH_MAIL, "host %s said: %s (in reply to MAIL FROM command)", p->server,
		  rc == SMTPC_OK ? reply : smtpc_rc_name(rc));
	probe_step(p, PH_MAIL, PS_FAILED, "MAIL FROM:<%s>: %s", from,
		   rc == SMTPC_OK ? reply : smtpc_error(p->c));
	return -1;
}

/* ---- the run --------------------------------------------------------- */

int
probe_run(struct pfconf *cf, const struct probe_opts *o, struct obs_out *out,
	  struct probe_result *res)
{
	struct probe *p = xcalloc(1, sizeof(*p));
	struct probe_addrs *a = xcalloc(1, sizeof(*a));
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->failed = -1;
	p->cf = cf;
	p->o = o;
	p->out = out;
	p->res = res;
	if (probe_target(p) < 0) {
		rc = -1;
		goto done;
	}
	p->chrooted = cf != NULL && pfconf_service_chroot(cf, "smtp", NULL) == 1;
	res->wrapper = pfconf_true(probe_param(p, "smtp_tls_wrappermode", "no"));
	probe_fmt(res->level, sizeof(res->level), "%s", probe_param(p, "smtp_tls_security_level", ""));
	probe_start(p);
	if (probe_resolve(cf, res, a, out, p->chrooted, o->timeout_ms / 1000) < 0) {
		probe_step(p, PH_RESOLVE, PS_FAILED, "%s", a->why);
		goto done;
	}
	probe_step(p, PH_RESOLVE, PS_OK, "%s", a->why);
	p->c = smtpc_new();
	if (probe_connect(p, a) < 0 || probe_greeting(p) < 0 || probe_ehlo(p, 0) < 0
	    || probe_starttls(p) < 0)
		goto done;
	probe_size(p);
	if (probe_auth_mechs(p) < 0 || probe_auth(p) < 0)
		goto done;
	probe_mail(p);
done:
	if (p->c != NULL)
		smtpc_close(p->c, res->failed < 0 ? 2000 : 0);
	OPENSSL_cleanse(&p->r, sizeof(p->r));
	free(a);
	free(p);
	return rc;
}
