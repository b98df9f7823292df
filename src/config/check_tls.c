/*
 * check_tls.c - the TLS side of a relay set-up (check.h): the security
 * level and wrapper mode each relay gets (main.cf, master.cf -o
 * overrides of its transport, its smtp_tls_policy_maps entry, obsolete
 * smtp_use_tls/smtp_enforce_tls), the CA trust smtp(8) gets (CAfile read
 * before the chroot, CApath searched inside it), and the client
 * certificate, key and chain files. Observation texts: docs/OBSERVATIONS.md.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certs.h"
#include "check.h"
#include "relays.h"

#define TLS_EXPIRY_DAYS 30	/* a client certificate expiring sooner is told */

/* Security levels in Postfix's order (tls/tls_level.c). */
enum tls_lev {
	LEV_BAD = -1, LEV_NONE, LEV_MAY, LEV_ENCRYPT, LEV_FINGERPRINT, LEV_DANE,
	LEV_DANE_ONLY, LEV_VERIFY, LEV_SECURE
};

static const char *const tls_lev_names[] = {
	"none", "may", "encrypt", "fingerprint", "dane", "dane-only", "verify", "secure"
};

/* What smtp(8) uses for one relay, and where each setting comes from. */
struct tls_eff {
	char level[64];		/* as configured ("" when empty) */
	enum tls_lev lev;
	struct obs_ev level_ev;	/* the line that sets it (or a fact) */
	int wrapper;
	struct obs_ev wrapper_ev;
	int has_wrapper_ev;
	int sasl;		/* smtp_sasl_auth_enable */
	struct obs_ev sasl_ev;
	int has_sasl_ev;
	int tafile;		/* a policy tafile= or smtp_tls_trust_anchor_file */
	char service[128];	/* master.cf service that delivers */
	char ovbuf[3][256];	/* -o values kept for level, wrapper, sasl */
	char lvfact[160];
	char maincf[4200];
};

static enum tls_lev
tls_lev_parse(const char *s)
{
	size_t i;

	if (*s == '\0')
		return LEV_NONE;
	for (i = 0; i < sizeof(tls_lev_names) / sizeof(tls_lev_names[0]); i++)
		if (strcasecmp(s, tls_lev_names[i]) == 0)
			return (enum tls_lev)i;
	return LEV_BAD;
}

static void
tls_ev_where(struct obs_ev *ev, const struct cf_where *w)
{
	ev->file = w->file;
	ev->line = w->line > 0 ? (unsigned long)w->line : 0;
	ev->text = w->text;
}

/* Add one evidence item unless it is there already or ev is full. */
static void
tls_ev_add(struct obs_ev *ev, size_t *nev, const struct obs_ev *item)
{
	size_t i;

	if (*nev >= OBS_MAX_EV || item->text == NULL)
		return;
	for (i = 0; i < *nev; i++)
		if (ev[i].file != NULL && item->file != NULL && strcmp(ev[i].file, item->file) == 0
		    && ev[i].line == item->line && ev[i].line > 0)
			return;
	ev[(*nev)++] = *item;
}

static size_t
tls_ev_param(const struct pfconf *cf, const char *name, struct obs_ev *ev)
{
	const struct cf_where *w;

	pfconf_get(cf, name, &w);
	if (w == NULL)
		return 0;
	tls_ev_where(ev, w);
	return 1;
}

/* The value of "-o NAME=value" on master.cf service SVC's line (copied to
 * buf), or NULL. */
static const char *
tls_override(const struct pfconf *cf, const char *svc, const char *name,
	     const struct cf_where **where, char *buf, size_t size)
{
	size_t i, nl = strlen(name), n;
	const char *p;

	for (i = 0; i < cf->nservices; i++) {
		const struct cf_service *s = &cf->services[i];

		if (strcmp(s->name, svc) != 0 || strcmp(s->type, "unix") != 0 || s->where.text == NULL)
			continue;
		for (p = s->where.text; (p = strstr(p, "-o")) != NULL; p += 2) {
			const char *q = p + 2;

			if (p != s->where.text && p[-1] != ' ' && p[-1] != '\t')
				continue;
			q += strspn(q, " \t{");
			if (strncmp(q, name, nl) != 0)
				continue;
			q += nl;
			q += strspn(q, " \t");
			if (*q != '=')
				continue;
			q++;
			q += strspn(q, " \t");
			n = strcspn(q, " \t}");
			snprintf(buf, size, "%.*s", (int)n, q);
			*where = &s->where;
			return buf;
		}
	}
	return NULL;
}

/* A parameter as the service sees it: its -o override, else main.cf. */
static const char *
tls_param(const struct pfconf *cf, const char *svc, const char *name, struct obs_ev *ev,
	  int *has_ev, char *buf, size_t size)
{
	const struct cf_where *w = NULL;
	const char *v;

	if ((v = tls_override(cf, svc, name, &w, buf, size)) == NULL)
		v = pfconf_get(cf, name, &w);
	*has_ev = w != NULL;
	if (w != NULL)
		tls_ev_where(ev, w);
	return v != NULL ? v : "";
}

/* The level smtp(8) derives from the obsolete parameters when
 * smtp_tls_security_level is empty (global/mail_params.c). */
static const char *
tls_obsolete_level(const struct pfconf *cf)
{
	if (pfconf_true(pfconf_get(cf, "smtp_enforce_tls", NULL))) {
		const char *peer = pfconf_get(cf, "smtp_tls_enforce_peername", NULL);

		return peer == NULL || *peer == '\0' || pfconf_true(peer) ? "verify" : "encrypt";
	}
	if (pfconf_true(pfconf_get(cf, "smtp_use_tls", NULL)))
		return "may";
	return "";
}

/* ---- smtp_tls_policy_maps ------------------------------------------- */

struct tls_policy {
	char *entry_key;	/* the key found, or NULL */
	char *value;		/* "secure match=..." */
	struct obs_ev ev;
	char *near;		/* another key for the same host (not used), or NULL */
	char *near_table;
	struct obs_ev near_ev;
};

static void
tls_policy_free(struct tls_policy *p)
{
	free(p->entry_key);
	free(p->value);
	free(p->near);
	free(p->near_table);
	memset(p, 0, sizeof(*p));
}

/* Same host, another form: "smtp.x.com" for "[smtp.x.com]:587". */
static int
tls_policy_near(const char *key, const struct relay *r)
{
	const char *h = key;
	size_t n;

	if (*h == '[')
		h++;
	n = strcspn(h, "]:");
	return strlen(r->host) == n && strncasecmp(h, r->host, n) == 0;
}

/* Look relay r up in table t as smtp(8) does: the next hop as written;
 * a bare domain also by its parent domains (".example.com"). */
static const struct cf_entry *
tls_policy_find(const struct cf_table *t, const struct relay *r)
{
	const char *d;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->e[i].key, r->nexthop) == 0)
			return &t->e[i];
	if (r->bracketed || r->port != NULL)
		return NULL;
	for (d = strchr(r->nexthop, '.'); d != NULL; d = strchr(d + 1, '.'))
		for (i = 0; i < t->n; i++)
			if (strcasecmp(t->e[i].key, d) == 0)
				return &t->e[i];
	return NULL;
}

/* A policy table whose source is missing: when its compiled file is
 * missing too, smtp(8) cannot open the table and defers every delivery
 * ("client TLS configuration problem"). Says so and returns 1; 0 when
 * that cannot be told (the compiled file is there or unreadable, a type
 * without one, a file of the host's /etc/postfix for another directory). */
static int
tls_policy_absent(struct pfconf *cf, struct obs_out *out, const char *spec,
		  const struct cf_table *t)
{
	const char *suffix = t->type != NULL ? pfconf_table_suffix(t->type) : NULL;
	const struct cf_where *w = NULL;
	char db[4200], path[4400];
	size_t h = strlen(pfconf_host_dir);
	struct obs_ev ev;
	struct stat st;

	if (t->err != ENOENT || suffix == NULL || t->name == NULL || *t->name != '/')
		return 0;
	snprintf(db, sizeof(db), "%s%s", t->name, suffix);
	/* a file of /etc/postfix is looked for in the configuration directory */
	if (strncmp(t->name, pfconf_host_dir, h) == 0 && t->name[h] == '/' && !pfconf_dir_is_host(cf))
		snprintf(path, sizeof(path), "%s/%s", cf->dir, db + h + 1);
	else
		pfconf_path(cf, db, path, sizeof(path));
	if (stat(path, &st) == 0 || errno != ENOENT)
		return 0;
	pfconf_get(cf, "smtp_tls_policy_maps", &w);
	if (w != NULL)
		tls_ev_where(&ev, w);
	obs_emit(out, OBS_CONFIG, "tls_policy", NULL, &ev, w != NULL,
		 "table %s (smtp_tls_policy_maps, read by smtp): neither the source %s nor "
		 "the compiled file %s exists", spec, t->name, path);
	return 1;
}

static void
tls_policy_lookup(struct pfconf *cf, struct obs_out *out, const char *check,
		  const struct relay *r, struct tls_policy *pol, int report)
{
	const char *maps = pfconf_get(cf, "smtp_tls_policy_maps", NULL), *p, *lp;
	char list[4096], spec[4096];
	const struct cf_entry *e;
	struct cf_table t;
	size_t n, i;

	memset(pol, 0, sizeof(*pol));
	if (maps == NULL || *maps == '\0')
		return;
	snprintf(list, sizeof(list), "%s", maps);
	for (lp = list; pol->value == NULL && (p = pfconf_list_next(&lp, &n)) != NULL;) {
		snprintf(spec, sizeof(spec), "%.*s", (int)n, p);
		if (pfconf_table_read(cf, spec, 0, &t) < 0) {
			if (report && t.path == NULL && t.err != 0 && !tls_policy_absent(cf, out, spec, &t))
				check_skipped(out, check, t.name != NULL ? t.name : spec,
					      t.why != NULL ? t.why : strerror(t.err));
			pfconf_table_free(&t);
			continue;
		}
		if ((e = tls_policy_find(&t, r)) != NULL) {
			pol->entry_key = xstrdup(e->key);
			pol->value = xstrdup(e->value);
			tls_ev_where(&pol->ev, &e->where);
		} else {
			for (i = 0; i < t.n && pol->near == NULL; i++) {
				if (!tls_policy_near(t.e[i].key, r))
					continue;
				pol->near = xstrdup(t.e[i].key);
				pol->near_table = xstrdup(spec);
				tls_ev_where(&pol->near_ev, &t.e[i].where);
			}
		}
		pfconf_table_free(&t);
	}
}

/* Is there a tafile= attribute in a policy value? */
static int
tls_policy_tafile(const char *value)
{
	return value != NULL && strstr(value, "tafile=") != NULL;
}

/* ---- the effective settings of one relay ---------------------------- */

/* The master.cf service that delivers to relay r: its transport entry's,
 * else default_transport's (relayhost, sender-dependent and fallback
 * relays go through it), "smtp" by default. */
static void
tls_service(const struct pfconf *cf, const struct relay *r, char *buf, size_t size)
{
	const char *dt = pfconf_get(cf, "default_transport", NULL);
	size_t n;

	if (r != NULL && r->transport != NULL) {
		snprintf(buf, size, "%s", r->transport);
		return;
	}
	n = dt != NULL ? strcspn(dt, ":") : 0;
	if (n == 0)
		snprintf(buf, size, "smtp");
	else
		snprintf(buf, size, "%.*s", (int)n, dt);
}

static void
tls_effective(struct pfconf *cf, const struct relay *r, const struct tls_policy *pol,
	      struct tls_eff *e)
{
	const char *v;
	int has;

	memset(e, 0, sizeof(*e));
	tls_service(cf, r, e->service, sizeof(e->service));
	v = tls_param(cf, e->service, "smtp_tls_security_level", &e->level_ev, &has,
		      e->ovbuf[0], sizeof(e->ovbuf[0]));
	snprintf(e->level, sizeof(e->level), "%s", v);
	if (*v == '\0' && *(v = tls_obsolete_level(cf)) != '\0') {
		snprintf(e->level, sizeof(e->level), "%s", v);
		has = tls_ev_param(cf, pfconf_true(pfconf_get(cf, "smtp_enforce_tls", NULL))
				   ? "smtp_enforce_tls" : "smtp_use_tls", &e->level_ev) > 0;
	}
	if (pol != NULL && pol->value != NULL) {
		size_t n = strcspn(pol->value, " \t,");

		snprintf(e->level, sizeof(e->level), "%.*s", (int)n, pol->value);
		e->level_ev = pol->ev;
		has = 1;
	}
	if (!has) {
		snprintf(e->lvfact, sizeof(e->lvfact),
			 "smtp_tls_security_level is empty (the default): no TLS");
		snprintf(e->maincf, sizeof(e->maincf), "%s/main.cf", cf->dir);
		e->level_ev.file = e->maincf;
		e->level_ev.line = 0;
		e->level_ev.text = e->lvfact;
	}
	e->lev = tls_lev_parse(e->level);
	v = tls_param(cf, e->service, "smtp_tls_wrappermode", &e->wrapper_ev, &e->has_wrapper_ev,
		      e->ovbuf[1], sizeof(e->ovbuf[1]));
	e->wrapper = pfconf_true(v);
	v = tls_param(cf, e->service, "smtp_sasl_auth_enable", &e->sasl_ev, &e->has_sasl_ev,
		      e->ovbuf[2], sizeof(e->ovbuf[2]));
	e->sasl = pfconf_true(v);
	v = pfconf_get(cf, "smtp_tls_trust_anchor_file", NULL);
	e->tafile = (v != NULL && *v != '\0') || (pol != NULL && tls_policy_tafile(pol->value));
}

/* ---- check_tls_policy ----------------------------------------------- */

static int
tls_port_in(const char *port, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(port, *list) == 0)
			return 1;
	return 0;
}

static const char *const tls_wrapper_ports[] = { "465", "smtps", "submissions", NULL };
static const char *const tls_starttls_ports[] = { "25", "smtp", "587", "submission", NULL };

static void
tls_relay_wrapper(struct obs_out *out, const struct relay *r, const struct tls_eff *e,
		  struct obs_ev *ev, size_t nev)
{
	const char *port = r->port != NULL ? r->port : "25";

	if (e->has_wrapper_ev)
		tls_ev_add(ev, &nev, &e->wrapper_ev);
	if (tls_port_in(port, tls_wrapper_ports) && !e->wrapper) {
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
			 "wrappermode off for %s: port %s expects TLS from the first byte",
			 r->nexthop, port);
	} else if (tls_port_in(port, tls_wrapper_ports) && e->lev != LEV_BAD
		   && e->lev < LEV_ENCRYPT) {
		tls_ev_add(ev, &nev, &e->level_ev);
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
			 "wrappermode on for %s at tls level \"%s\": smtp_tls_wrappermode requires "
			 "smtp_tls_security_level = encrypt or stronger",
			 r->nexthop, *e->level != '\0' ? e->level : "none");
	} else if (tls_port_in(port, tls_starttls_ports) && e->wrapper) {
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
			 "wrappermode on for %s: port %s expects STARTTLS", r->nexthop, port);
	}
}

static void
tls_relay_sasl(struct obs_out *out, const struct relay *r, const struct tls_eff *e,
	       struct obs_ev *ev, size_t nev)
{
	static const char *const why[] = {
		[LEV_NONE] = "the password is sent in plaintext",
		[LEV_MAY] = "the password is sent in plaintext when STARTTLS is missing or fails",
		[LEV_ENCRYPT] = "the password goes to a server whose certificate is not verified",
		[LEV_DANE] = "without DNSSEC TLSA records the password is sent as at level may",
	};

	if (!e->sasl || e->lev == LEV_BAD || (size_t)e->lev >= sizeof(why) / sizeof(why[0])
	    || why[e->lev] == NULL)
		return;
	tls_ev_add(ev, &nev, &e->level_ev);
	if (e->has_sasl_ev)
		tls_ev_add(ev, &nev, &e->sasl_ev);
	obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
		 "tls level \"%s\" for %s with SASL authentication: %s",
		 *e->level != '\0' ? e->level : "none", r->nexthop, why[e->lev]);
}

static void
tls_relay_policy(struct pfconf *cf, struct obs_out *out, const struct relay *r, int report)
{
	struct tls_policy pol;
	struct tls_eff e;
	struct obs_ev ev[OBS_MAX_EV];
	size_t nev = 0;

	tls_policy_lookup(cf, out, "tls_policy", r, &pol, report);
	tls_effective(cf, r, &pol, &e);
	tls_ev_where(&ev[nev++], &r->where);
	if (pol.value != NULL && e.lev == LEV_BAD) {
		ev[nev++] = pol.ev;
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
			 "tls policy for %s has an unknown level \"%s\"", r->nexthop, e.level);
		tls_policy_free(&pol);
		return;
	}
	if (pol.value == NULL && e.lev == LEV_BAD) {	/* smtp(8) stops: fatal */
		ev[nev++] = e.level_ev;
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev,
			 "smtp_tls_security_level for %s has an unknown level \"%s\"",
			 r->nexthop, e.level);
		tls_policy_free(&pol);
		return;
	}
	if (pol.value == NULL && pol.near != NULL) {
		ev[nev] = pol.near_ev;
		obs_emit(out, OBS_CONFIG, "tls_policy", r->host, ev, nev + 1,
			 "tls policy in %s is for \"%s\", not the next hop %s: it is not used",
			 pol.near_table, pol.near, r->nexthop);
	}
	if (pol.value != NULL)
		ev[nev++] = pol.ev;	/* the entry is evidence of what follows */
	tls_relay_wrapper(out, r, &e, ev, nev);
	tls_relay_sasl(out, r, &e, ev, nev);
	tls_policy_free(&pol);
}

/* Obsolete TLS parameters set in main.cf and what they do now. */
static void
tls_obsolete(struct pfconf *cf, struct obs_out *out)
{
	static const char *const names[] = {
		"smtp_use_tls", "smtp_enforce_tls", "smtp_tls_enforce_peername", "smtp_tls_per_site"
	};
	const struct cf_where *w, *lw;
	const char *v, *level;
	struct obs_ev ev;
	size_t i;

	level = pfconf_get(cf, "smtp_tls_security_level", &lw);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = pfconf_get(cf, names[i], &w);
		if (w == NULL)
			continue;
		tls_ev_where(&ev, w);
		if (level != NULL && *level != '\0')
			obs_emit(out, OBS_CONFIG, "tls_policy", NULL, &ev, 1,
				 "obsolete parameter %s = %s: ignored, smtp_tls_security_level = %s "
				 "is set", names[i], v, level);
		else
			obs_emit(out, OBS_CONFIG, "tls_policy", NULL, &ev, 1,
				 "obsolete parameter %s = %s: in use, smtp_tls_security_level is empty",
				 names[i], v);
	}
}

/* Relay i repeats an earlier next hop over the same transport (one
 * sender_dependent_relayhost_maps entry per sender): its TLS is the same. */
static int
tls_relay_seen(const struct relay_list *rl, size_t i)
{
	const struct relay *r = &rl->r[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (strcasecmp(rl->r[j].nexthop, r->nexthop) == 0
		    && (rl->r[j].transport == NULL) == (r->transport == NULL)
		    && (r->transport == NULL || strcmp(rl->r[j].transport, r->transport) == 0))
			return 1;
	return 0;
}

void
check_tls_policy(struct pfconf *cf, struct obs_out *out)
{
	struct relay_list rl;
	size_t i;

	tls_obsolete(cf, out);
	relays_collect(cf, &rl);
	for (i = 0; i < rl.n; i++)
		if (!tls_relay_seen(&rl, i))
			tls_relay_policy(cf, out, &rl.r[i], i == 0);	/* unreadable maps: once */
	relays_free(&rl);
}

/* ---- check_ca -------------------------------------------------------- */

static void
tls_cafile(struct pfconf *cf, struct obs_out *out, const char *cafile,
	   const struct obs_ev *cfev)
{
	char path[4096], desc[900];
	struct cert_pem p;
	struct obs_ev ev[2];
	size_t i, nexp = 0, nfut = 0, first = 0;

	ev[0] = *cfev;
	pfconf_path(cf, cafile, path, sizeof(path));
	if (certs_pem_load(cf->root, cafile, 0, &p) < 0) {
		if (p.err == EACCES)
			check_skipped(out, "ca", path, p.why);
		else
			obs_emit(out, OBS_CERT, "ca", NULL, ev, 1,
				 "smtp_tls_CAfile \"%s\" cannot be read: %s", cafile, p.why);
		certs_pem_free(&p);
		return;
	}
	if (p.n == 0) {
		ev[1] = (struct obs_ev){ path, 0, "no PEM certificate block" };
		obs_emit(out, OBS_CERT, "ca", NULL, ev, 2,
			 "smtp_tls_CAfile \"%s\" holds no certificate", cafile);
		certs_pem_free(&p);
		return;
	}
	for (i = 0; i < p.n; i++) {
		if ((p.c[i].expired || p.c[i].not_yet_valid) && nexp + nfut == 0)
			first = i;
		nexp += p.c[i].expired != 0;
		nfut += p.c[i].not_yet_valid != 0;
	}
	if (nexp + nfut == 0) {
		certs_pem_free(&p);
		return;
	}
	ev[1] = (struct obs_ev){ path, 0, certs_describe(&p.c[first], desc, sizeof(desc)) };
	if (nexp > 0)
		obs_emit(out, OBS_CERT, "ca", NULL, ev, 2,
			 "smtp_tls_CAfile \"%s\": %zu of %zu certificates expired", cafile, nexp, p.n);
	if (nfut > 0)
		obs_emit(out, OBS_CERT, "ca", NULL, ev, 2,
			 "smtp_tls_CAfile \"%s\": %zu of %zu certificates not yet valid", cafile,
			 nfut, p.n);
	certs_pem_free(&p);
}

/* A CApath directory that gives OpenSSL nothing: say why. 1 if usable. */
static int
tls_capath_usable(struct obs_out *out, const char *what, const char *capath,
		  const struct cert_dir *d, const struct obs_ev *ev, size_t nev)
{
	if (d->ncerts > 0 && d->nmisnamed < d->nhashed) {
		if (d->nunreadable > 0)	/* typically links that point out of the jail */
			obs_emit(out, OBS_CERT, "ca", NULL, ev, nev,
				 "smtp_tls_CApath \"%s\"%s has %zu of %zu hashed names that lead to "
				 "no readable certificate", capath, what, d->nunreadable, d->nhashed);
		return 1;
	}
	if (d->nhashed == 0)
		obs_emit(out, OBS_CERT, "ca", NULL, ev, nev,
			 "smtp_tls_CApath \"%s\"%s has no hashed names (%zu certificate files, "
			 "none named <hash>.0)", capath, what, d->ncertfiles);
	else if (d->ncerts == 0)
		obs_emit(out, OBS_CERT, "ca", NULL, ev, nev,
			 "smtp_tls_CApath \"%s\"%s has %zu hashed names, none a readable certificate",
			 capath, what, d->nhashed);
	else
		obs_emit(out, OBS_CERT, "ca", NULL, ev, nev,
			 "smtp_tls_CApath \"%s\"%s has %zu hashed names, none matching its "
			 "certificate's subject hash", capath, what, d->nhashed);
	return 0;
}

/* Is smtp(8) chrooted for any service that delivers to a relay? */
static int
tls_chrooted(struct pfconf *cf, const struct relay_list *rl, struct obs_ev *ev)
{
	const struct cf_where *w;
	char svc[128];
	size_t i;

	for (i = 0; i <= rl->n; i++) {
		tls_service(cf, i < rl->n ? &rl->r[i] : NULL, svc, sizeof(svc));
		if (pfconf_service_chroot(cf, svc, &w) == 1) {
			tls_ev_where(ev, w);
			return 1;
		}
	}
	return 0;
}

static void
tls_capath(struct pfconf *cf, struct obs_out *out, const char *capath,
	   const struct obs_ev *cfev, const struct relay_list *rl)
{
	char sys[4096], jail[6144], qbase[4096], qdir[1024], fact[600], where[2100];
	struct cert_dir ds, dj;
	struct obs_ev ev[OBS_MAX_EV];
	size_t only_sys, only_jail;
	int sys_ok, chrooted;

	ev[0] = *cfev;
	chrooted = tls_chrooted(cf, rl, &ev[1]);
	pfconf_path(cf, capath, sys, sizeof(sys));
	sys_ok = certs_dir_load(cf->root, capath, 0, &ds) == 0;
	if (!chrooted) {
		ev[1] = (struct obs_ev){ sys, 0, sys_ok ? "directory" : ds.why };
		if (!sys_ok && ds.err == EACCES)
			check_skipped(out, "ca", sys, ds.why);
		else if (!sys_ok)
			obs_emit(out, OBS_CERT, "ca", NULL, ev, 2,
				 "smtp_tls_CApath \"%s\" cannot be read: %s", capath, ds.why);
		else
			tls_capath_usable(out, "", capath, &ds, ev, 2);
		certs_dir_free(&ds);
		return;
	}
	snprintf(qdir, sizeof(qdir), "%s", pfconf_get(cf, "queue_directory", NULL));
	pfconf_path(cf, qdir, qbase, sizeof(qbase));
	snprintf(jail, sizeof(jail), "%s%s", qbase, capath);
	if (certs_dir_load(qbase, capath, 0, &dj) < 0) {
		if (dj.err == EACCES) {
			check_skipped(out, "ca", jail, dj.why);
		} else {
			ev[2] = (struct obs_ev){ jail, 0, dj.why };
			obs_emit(out, OBS_CERT, "ca", NULL, ev, 3,
				 "smtp_tls_CApath \"%s\" is not in the chroot: %s%s: %s", capath,
				 qdir, capath, dj.why);
		}
		goto done;
	}
	snprintf(fact, sizeof(fact), "%zu hashed names, %zu certificates", dj.nhashed, dj.ncerts);
	ev[2] = (struct obs_ev){ jail, 0, fact };
	snprintf(where, sizeof(where), " in the chroot (%s%s)", qdir, capath);
	if (!tls_capath_usable(out, where, capath, &dj, ev, 3) || !sys_ok || ds.ncerts == 0)
		goto done;
	certs_dir_compare(&ds, &dj, &only_sys, &only_jail);
	if (only_sys + only_jail > 0) {
		ev[3] = (struct obs_ev){ sys, 0, "the system's directory" };
		obs_emit(out, OBS_CERT, "ca", NULL, ev, 4,
			 "chroot copy %s%s of smtp_tls_CApath %s differs: %zu certificates only "
			 "in the system's, %zu only in the chroot's", qdir, capath, capath,
			 only_sys, only_jail);
	}
done:
	certs_dir_free(&ds);
	certs_dir_free(&dj);
}

/* Relays at a level that verifies certificates with CAs, and no CA. */
static void
tls_no_trust(struct pfconf *cf, struct obs_out *out, const struct relay_list *rl)
{
	const char *append = pfconf_get(cf, "tls_append_default_CA", NULL);
	struct tls_policy pol;
	struct tls_eff e;
	struct obs_ev ev[3];
	size_t i, nev;
	int any = 0;

	for (i = 0; i <= rl->n; i++) {
		const struct relay *r = i < rl->n ? &rl->r[i] : NULL;

		if (r == NULL && any)
			break;
		if (r != NULL && tls_relay_seen(rl, i))
			continue;
		if (r != NULL)
			tls_policy_lookup(cf, out, "ca", r, &pol, 0);
		else
			memset(&pol, 0, sizeof(pol));
		tls_effective(cf, r, &pol, &e);
		any = 1;
		if (e.lev >= LEV_VERIFY && !e.tafile) {
			nev = 0;
			if (r != NULL)
				tls_ev_where(&ev[nev++], &r->where);
			ev[nev++] = e.level_ev;
			nev += tls_ev_param(cf, "tls_append_default_CA", &ev[nev]);
			obs_emit(out, OBS_CONFIG, "ca", r != NULL ? r->host : NULL, ev, nev,
				 "tls level \"%s\"%s%s trusts no CA: smtp_tls_CAfile and "
				 "smtp_tls_CApath are empty%s", e.level, r != NULL ? " for " : "",
				 r != NULL ? r->nexthop : "", pfconf_true(append)
				 ? " (tls_append_default_CA = yes adds nothing without them)" : "");
		}
		tls_policy_free(&pol);
	}
}

void
check_ca(struct pfconf *cf, struct obs_out *out)
{
	char cafile[1024], capath[1024];
	struct obs_ev ev = { NULL, 0, NULL };
	struct relay_list rl;
	const char *append;

	snprintf(cafile, sizeof(cafile), "%s", pfconf_get(cf, "smtp_tls_CAfile", NULL));
	snprintf(capath, sizeof(capath), "%s", pfconf_get(cf, "smtp_tls_CApath", NULL));
	relays_collect(cf, &rl);
	if (*cafile != '\0') {
		tls_ev_param(cf, "smtp_tls_CAfile", &ev);
		tls_cafile(cf, out, cafile, &ev);
	}
	if (*capath != '\0') {
		tls_ev_param(cf, "smtp_tls_CApath", &ev);
		tls_capath(cf, out, capath, &ev, &rl);
	}
	append = pfconf_get(cf, "tls_append_default_CA", NULL);
	if ((*cafile != '\0' || *capath != '\0') && pfconf_true(append)
	    && tls_ev_param(cf, "tls_append_default_CA", &ev) > 0)
		obs_emit(out, OBS_CONFIG, "ca", NULL, &ev, 1,
			 "tls_append_default_CA = yes: OpenSSL's default CAs are trusted as well");
	if (*cafile == '\0' && *capath == '\0')
		tls_no_trust(cf, out, &rl);
	relays_free(&rl);
}

/* ---- check_client_cert ---------------------------------------------- */

static void
tls_cert_expiry(struct obs_out *out, const char *param, const char *file,
		const struct cert_info *c, const struct obs_ev *cfev, const char *path)
{
	char desc[900];
	struct obs_ev ev[2] = { *cfev, { path, 0, NULL } };

	ev[1].text = certs_describe(c, desc, sizeof(desc));
	if (c->expired)
		obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
			 "client certificate in %s \"%s\" expired on %s (%ld days ago)", param, file,
			 c->not_after, -c->days_left);
	else if (c->not_yet_valid)
		obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
			 "client certificate in %s \"%s\" is not valid before %s", param, file,
			 c->not_before);
	else if (c->days_left <= TLS_EXPIRY_DAYS)
		obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
			 "client certificate in %s \"%s\" expires on %s (in %ld days)", param, file,
			 c->not_after, c->days_left);
}

static void
tls_chain_order(struct obs_out *out, const char *param, const char *file,
		const struct cert_pem *p, size_t from, const struct obs_ev *cfev,
		const char *path)
{
	char desc[900];
	struct obs_ev ev[2] = { *cfev, { path, 0, NULL } };
	size_t i;

	for (i = from; i + 1 < p->n && !p->c[i + 1].key_before; i++) {
		if (p->c[i].issued_by_next)
			continue;
		ev[1].text = certs_describe(&p->c[i], desc, sizeof(desc));
		obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
			 "%s \"%s\": certificate %zu is not issued by certificate %zu "
			 "(chain out of order)", param, file, i + 1, i + 2);
		return;
	}
}

/* Load FILE of PARAM; NULL (and an observation) when unusable. */
static int
tls_client_load(struct pfconf *cf, struct obs_out *out, const char *param, const char *file,
		struct cert_pem *p, const struct obs_ev *cfev, char *path, size_t size)
{
	pfconf_path(cf, file, path, size);
	if (certs_pem_load(cf->root, file, 0, p) < 0) {
		if (p->err == EACCES)
			check_skipped(out, "client_cert", path, p->why);
		else
			obs_emit(out, OBS_CERT, "client_cert", NULL, cfev, 1,
				 "%s \"%s\" cannot be read: %s", param, file, p->why);
		return -1;
	}
	if (p->n == 0) {
		obs_emit(out, OBS_CERT, "client_cert", NULL, cfev, 1,
			 "%s \"%s\" holds no certificate", param, file);
		return -1;
	}
	return 0;
}

static void
tls_chain_file(struct pfconf *cf, struct obs_out *out, const char *file,
	       const struct obs_ev *cfev)
{
	char path[4096], desc[900];
	struct cert_pem p;
	size_t i;

	if (tls_client_load(cf, out, "smtp_tls_chain_files", file, &p, cfev, path,
			    sizeof(path)) == 0) {
		struct obs_ev ev[2] = { *cfev, { path, 0, NULL } };

		for (i = 0; i < p.n; i++) {
			if (i > 0 && !p.c[i].key_before)
				continue;
			ev[1].text = certs_describe(&p.c[i], desc, sizeof(desc));
			if (!p.c[i].key_before)
				obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
					 "smtp_tls_chain_files \"%s\": no private key before "
					 "certificate %zu", file, i + 1);
			else if (p.c[i].key_match == 0)
				obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
					 "smtp_tls_chain_files \"%s\": the private key does not match "
					 "certificate %zu", file, i + 1);
			tls_cert_expiry(out, "smtp_tls_chain_files", file, &p.c[i], cfev, path);
			tls_chain_order(out, "smtp_tls_chain_files", file, &p, i, cfev, path);
		}
	}
	certs_pem_free(&p);
}

static void
tls_cert_key(struct pfconf *cf, struct obs_out *out, const char *cert, const char *key,
	     const struct obs_ev *cfev, const struct obs_ev *kev)
{
	char path[4096], why[256];
	struct cert_pem p;
	struct obs_ev ev[2] = { *cfev, *kev };
	int m;

	if (tls_client_load(cf, out, "smtp_tls_cert_file", cert, &p, cfev, path,
			    sizeof(path)) == 0) {
		tls_cert_expiry(out, "smtp_tls_cert_file", cert, &p.c[0], cfev, path);
		tls_chain_order(out, "smtp_tls_cert_file", cert, &p, 0, cfev, path);
		m = certs_key_matches(cf->root, key, cert, why, sizeof(why));
		if (m == 0)
			obs_emit(out, OBS_CERT, "client_cert", NULL, ev, 2,
				 "smtp_tls_key_file \"%s\" does not match the certificate in "
				 "smtp_tls_cert_file \"%s\"", key, cert);
		else if (m < 0 && strcmp(why, strerror(EACCES)) == 0)
			check_skipped(out, "client_cert", pfconf_path(cf, key, path, sizeof(path)), why);
		else if (m < 0)
			obs_emit(out, OBS_CERT, "client_cert", NULL, ev + 1, 1,
				 "smtp_tls_key_file \"%s\" cannot be used: %s", key, why);
	}
	certs_pem_free(&p);
}

void
check_client_cert(struct pfconf *cf, struct obs_out *out)
{
	char chain[4096], cert[1024], key[1024], one[1024];
	struct obs_ev cev = { NULL, 0, NULL }, kev = { NULL, 0, NULL };
	const char *p;
	size_t n;

	snprintf(chain, sizeof(chain), "%s", pfconf_get(cf, "smtp_tls_chain_files", NULL));
	if (*chain != '\0') {	/* Postfix >= 3.4: the cert and key files are ignored */
		tls_ev_param(cf, "smtp_tls_chain_files", &cev);
		for (p = chain; *p != '\0'; p += n) {
			p += strspn(p, " ,\t");
			if ((n = strcspn(p, " ,\t")) == 0)
				break;
			snprintf(one, sizeof(one), "%.*s", (int)n, p);
			tls_chain_file(cf, out, one, &cev);
		}
		return;
	}
	snprintf(cert, sizeof(cert), "%s", pfconf_get(cf, "smtp_tls_cert_file", NULL));
	snprintf(key, sizeof(key), "%s", pfconf_get(cf, "smtp_tls_key_file", NULL));
	if (*cert == '\0' || strcmp(cert, "none") == 0)
		return;
	if (*key == '\0')	/* the default: $smtp_tls_cert_file */
		snprintf(key, sizeof(key), "%s", cert);
	tls_ev_param(cf, "smtp_tls_cert_file", &cev);
	if (tls_ev_param(cf, "smtp_tls_key_file", &kev) == 0)
		kev = cev;
	tls_cert_key(cf, out, cert, key, &cev, &kev);
}
