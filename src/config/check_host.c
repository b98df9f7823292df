/*
 * check_host.c - what the system around Postfix gives smtp(8): the chroot
 * jail's copies of the system files (as Debian's configure-instance.sh
 * makes them) and a relay name that only /etc/hosts knows; the sender
 * domain mail leaves with (myorigin, myhostname, the host name); where
 * mail is routed (relayhost syntax, domains mydestination or
 * transport_maps keep on this host). Every system file is read under
 * --root (pfconf_path), absolute symbolic links too.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define HOST_MAX 256

/* A list element of a main.cf value (blanks and commas separate). */
static const char *
host_token(const char **pp, size_t *n)
{
	const char *p = *pp + strspn(*pp, " ,\t");

	*n = strcspn(p, " ,\t");
	*pp = p + *n;
	return *n > 0 ? p : NULL;
}

static void
host_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The host name of a relayhost destination: no brackets, no port, lower
 * case; a URL scheme or user@ written in front is skipped. Returns buf,
 * or NULL for an empty name or a number alone. */
static const char *
host_of(const char *dest, size_t n, char *buf, size_t size)
{
	const char *p = dest, *end = dest + n, *e;
	size_t i;
	int bracket;

	for (e = p; e + 3 <= end; e++)
		if (memcmp(e, "://", 3) == 0) {
			p = e + 3;
			break;
		}
	for (e = end; e > p; e--)
		if (e[-1] == '@') {
			p = e;
			break;
		}
	if ((bracket = p < end && *p == '[') != 0) {
		p++;
		bracket = memchr(p, ']', (size_t)(end - p)) != NULL;
	}
	for (e = p; e < end && *e != ']' && (bracket || *e != ':'); e++)
		;
	n = (size_t)(e - p);
	if (n == 0 || n >= size || strspn(p, "0123456789") >= n)
		return NULL;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[n] = '\0';
	return buf;
}

/* The first relayhost destination's host name, or NULL. */
static const char *
host_relay(struct pfconf *cf, char *buf, size_t size)
{
	const char *v = pfconf_get(cf, "relayhost", NULL), *t;
	size_t n;

	if (v == NULL || (t = host_token(&v, &n)) == NULL)
		return NULL;
	return host_of(t, n, buf, size);
}

/* Where the system file P is under the root; absolute symbolic links
 * (/etc/resolv.conf -> /run/systemd/...) are followed under the root. */
static const char *
host_path(const struct pfconf *cf, const char *p, char *buf, size_t size)
{
	char link[4096], tmp[4096];
	const char *slash;
	ssize_t n;
	int hops;

	pfconf_path(cf, p, buf, size);
	for (hops = 0; cf->root != NULL && hops < 8; hops++) {
		if ((n = readlink(buf, link, sizeof(link) - 1)) <= 0)
			break;
		link[n] = '\0';
		if (link[0] == '/') {
			pfconf_path(cf, link, buf, size);
		} else {
			slash = strrchr(buf, '/');
			if (snprintf(tmp, sizeof(tmp), "%.*s%s", (int)(slash - buf + 1), buf, link)
			    >= (int)sizeof(tmp))
				break;
			snprintf(buf, size, "%s", tmp);
		}
	}
	return buf;
}

/* A file fact for evidence: its modification time and size. */
static const char *
host_fact(const char *path, char *buf, size_t size)
{
	struct stat st;
	struct tm tm;
	char t[32];

	if (stat(path, &st) != 0) {
		snprintf(buf, size, "%s", errno == ENOENT ? "does not exist" : strerror(errno));
		return buf;
	}
	localtime_r(&st.st_mtime, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "modified %s, %lld bytes", t, (long long)st.st_size);
	return buf;
}

/* Compare two files' contents: 1 differ, 0 equal, -1 error (errno). */
static int
host_differ(const char *a, const char *b)
{
	FILE *fa, *fb;
	char ba[4096], bb[4096];
	size_t na, nb;
	int rc = 0;

	if ((fa = fopen(a, "r")) == NULL)
		return -1;
	if ((fb = fopen(b, "r")) == NULL) {
		fclose(fa);
		return -1;
	}
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na) != 0)
			rc = 1;
	} while (rc == 0 && na > 0);
	fclose(fa);
	fclose(fb);
	return rc;
}

/* The first smtp(8) or lmtp(8) delivery service that runs chrooted. */
static const struct cf_service *
host_jailed_agent(const struct pfconf *cf)
{
	const char *compat = pfconf_get(cf, "compatibility_level", NULL);
	size_t i;

	for (i = 0; i < cf->nservices; i++) {
		const struct cf_service *s = &cf->services[i];

		if (strcmp(s->type, "unix") != 0
		    || (strcmp(s->command, "smtp") != 0 && strcmp(s->command, "lmtp") != 0))
			continue;
		if (s->chroot == 'y' || (s->chroot == '-' && compat != NULL && atof(compat) < 1))
			return s;
	}
	return NULL;
}

/* The files configure-instance.sh copies into the jail (those the
 * resolver, getservbyname and the time zone need). */
static const char *const jail_files[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf",
	"/etc/services", "/etc/localtime", NULL
};

static void
jail_compare(struct pfconf *cf, struct obs_out *out, const struct cf_service *s,
	     const char *qdir, const char *file, const char *host)
{
	char sys[4096], copy[4096], name[4200], f1[128], f2[128];
	struct obs_ev ev[3];
	struct stat st;
	int d;

	host_path(cf, file, sys, sizeof(sys));
	if (stat(sys, &st) != 0) {
		if (errno != ENOENT)
			check_skipped(out, "chroot_files", sys, strerror(errno));
		return;		/* nothing to copy */
	}
	snprintf(name, sizeof(name), "%s%s", qdir, file);
	host_path(cf, name, copy, sizeof(copy));
	ev[0] = (struct obs_ev){ s->where.file, (unsigned long)s->where.line, s->where.text };
	ev[1] = (struct obs_ev){ copy, 0, host_fact(copy, f1, sizeof(f1)) };
	ev[2] = (struct obs_ev){ sys, 0, host_fact(sys, f2, sizeof(f2)) };
	if (stat(copy, &st) != 0 && errno == ENOENT) {
		obs_emit(out, OBS_CONFIG, "chroot_files", host, ev, 3,
			 "chroot: %s runs chrooted; %s (the jail's copy of %s) is missing",
			 s->name, name, file);
		return;
	}
	if ((d = host_differ(copy, sys)) < 0)
		check_skipped(out, "chroot_files", copy, strerror(errno));
	else if (d > 0)
		obs_emit(out, OBS_CONFIG, "chroot_files", host, ev, 3,
			 "chroot: %s runs chrooted; %s (the jail's copy of %s) differs from it",
			 s->name, name, file);
}

/* Is name an address literal rather than a host name? */
static int
host_is_addr(const char *name)
{
	return strchr(name, ':') != NULL || strspn(name, "0123456789.") == strlen(name);
}

/* Does smtp(8) use the native naming service (nsswitch: /etc/hosts)? */
static int
host_native_lookup(struct pfconf *cf)
{
	const char *v = pfconf_get(cf, "smtp_host_lookup", NULL);

	if (v != NULL && strstr(v, "native") != NULL)
		return 1;
	if (pfconf_true(pfconf_get(cf, "disable_dns_lookups", NULL)))
		return 1;
	v = pfconf_get(cf, "smtp_dns_support_level", NULL);
	return v != NULL && strcasecmp(v, "disabled") == 0;
}

/* The relay host in /etc/hosts while smtp(8) asks DNS only. */
static void
hosts_file(struct pfconf *cf, struct obs_out *out)
{
	char relay[HOST_MAX], path[4096], line[1024], *name, *save, *addr;
	const struct cf_where *w, *lw;
	const char *lookup;
	struct obs_ev ev[3];
	unsigned long lineno = 0;
	size_t nev = 0;
	FILE *fp;

	if (host_relay(cf, relay, sizeof(relay)) == NULL || host_is_addr(relay)
	    || host_native_lookup(cf))
		return;
	host_path(cf, "/etc/hosts", path, sizeof(path));
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			check_skipped(out, "chroot_files", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char text[1024];

		lineno++;
		line[strcspn(line, "#\r\n")] = '\0';
		snprintf(text, sizeof(text), "%s", line);
		if ((addr = strtok_r(line, " \t", &save)) == NULL)
			continue;
		while ((name = strtok_r(NULL, " \t", &save)) != NULL)
			if (strcasecmp(name, relay) == 0)
				break;
		if (name == NULL)
			continue;
		lookup = pfconf_get(cf, "smtp_host_lookup", &lw);
		pfconf_get(cf, "relayhost", &w);
		if (w != NULL)
			ev[nev++] = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
		ev[nev++] = (struct obs_ev){ path, lineno, text };
		if (lw != NULL)
			ev[nev++] = (struct obs_ev){ lw->file, (unsigned long)lw->line, lw->text };
		obs_emit(out, OBS_CONFIG, "chroot_files", relay, ev, nev,
			 "hosts: relay host %s is in /etc/hosts (%s), but smtp_host_lookup = %s "
			 "looks it up in DNS only", relay, addr,
			 lookup != NULL && *lookup != '\0' ? lookup : "dns");
		break;
	}
	fclose(fp);
}

void
check_chroot_files(struct pfconf *cf, struct obs_out *out)
{
	const struct cf_service *s = host_jailed_agent(cf);
	char qdir[1024], relay[HOST_MAX];
	const char *host = host_relay(cf, relay, sizeof(relay));
	size_t i;

	if (s != NULL) {
		snprintf(qdir, sizeof(qdir), "%s", pfconf_get(cf, "queue_directory", NULL));
		for (i = strlen(qdir); i > 1 && qdir[i - 1] == '/'; i--)
			qdir[i - 1] = '\0';
		for (i = 0; jail_files[i] != NULL; i++)
			jail_compare(cf, out, s, qdir, jail_files[i], host);
	}
	hosts_file(cf, out);
}

/* ---- sender identity ------------------------------------------------ */

/* Where the sender domain comes from, with its evidence. */
struct origin {
	char hostname[HOST_MAX];	/* myhostname as Postfix computes it, or "" */
	char domain[HOST_MAX];		/* mydomain as Postfix computes it, or "" */
	char origin[HOST_MAX];		/* myorigin, or "" when it cannot be known */
	const char *from;		/* "myorigin", "myhostname", "the host name" */
	struct obs_ev ev[2];
	size_t nev;
	char file[4096];		/* a file named in evidence */
	char fact[HOST_MAX + 32];
};

/* The first line of a file under the root (/etc/hostname, /etc/mailname). */
static int
host_first_line(const struct pfconf *cf, const char *file, char *buf, size_t size,
		char *path, size_t psize)
{
	FILE *fp;

	host_path(cf, file, path, psize);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)size, fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, " \t\r\n")] = '\0';
	return buf[0] != '\0' ? 0 : -1;
}

static void
origin_ev(struct origin *o, const struct cf_where *w)
{
	if (w != NULL && o->nev < 2)
		o->ev[o->nev++] = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
}

/* myhostname and mydomain as Postfix computes them: set, or the host
 * name (gethostname, or /etc/hostname of the root) with ".localdomain"
 * (or ".$mydomain") appended when it has no dot (mail_params.c). */
static void
origin_hostname(struct pfconf *cf, struct origin *o)
{
	const struct cf_where *w, *dw;
	const char *v = pfconf_get(cf, "myhostname", &w), *d, *dot;
	char name[HOST_MAX];

	d = pfconf_get(cf, "mydomain", &dw);
	snprintf(o->domain, sizeof(o->domain), "%s", dw != NULL ? d : "");
	if (w != NULL && v != NULL && *v != '\0') {
		snprintf(o->hostname, sizeof(o->hostname), "%s", v);
		o->from = "myhostname";
		origin_ev(o, w);
	} else {
		if (cf->root != NULL) {
			if (host_first_line(cf, "/etc/hostname", name, sizeof(name), o->file,
					    sizeof(o->file)) < 0)
				return;
			snprintf(o->fact, sizeof(o->fact), "host name %s", name);
			o->ev[o->nev++] = (struct obs_ev){ o->file, 0, o->fact };
		} else if (gethostname(name, sizeof(name)) != 0) {
			return;
		}
		name[sizeof(name) - 1] = '\0';
		o->from = "the host name";
		if (strchr(name, '.') == NULL) {
			if (snprintf(o->hostname, sizeof(o->hostname), "%s.%s", name, o->domain[0] != '\0'
				     ? o->domain : "localdomain") >= (int)sizeof(o->hostname))
				o->hostname[0] = '\0';
		} else
			snprintf(o->hostname, sizeof(o->hostname), "%s", name);
	}
	host_lower(o->hostname);
	if (o->domain[0] == '\0' && (dot = strchr(o->hostname, '.')) != NULL)
		snprintf(o->domain, sizeof(o->domain), "%s", dot + 1);
}

/* Is v exactly $name, ${name} or $(name)? */
static int
is_ref(const char *v, const char *name)
{
	size_t n = strlen(name);

	if (v[0] != '$')
		return 0;
	if (v[1] == '{' || v[1] == '(')
		return strncmp(v + 2, name, n) == 0 && v[2 + n] == (v[1] == '{' ? '}' : ')')
		       && v[3 + n] == '\0';
	return strcmp(v + 1, name) == 0;
}

/* The domain of sender addresses: myorigin (default $myhostname; a file
 * name, as Debian's /etc/mailname, gives the file's first line). */
static void
origin_compute(struct pfconf *cf, struct origin *o)
{
	const struct cf_where *w;
	const char *v;
	size_t i;

	memset(o, 0, sizeof(*o));
	origin_hostname(cf, o);
	v = pfconf_get(cf, "myorigin", &w);
	for (i = 0; w != NULL && i < cf->nparams; i++)
		if (strcmp(cf->params[i].name, "myorigin") == 0)
			v = cf->params[i].value;	/* as written */
	if (w == NULL || is_ref(v, "myhostname")) {
		snprintf(o->origin, sizeof(o->origin), "%s", o->hostname);
		origin_ev(o, w);
		return;
	}
	o->from = "myorigin";
	o->nev = 0;
	origin_ev(o, w);
	if (is_ref(v, "mydomain")) {
		snprintf(o->origin, sizeof(o->origin), "%s", o->domain);
	} else if (v[0] == '/') {
		if (host_first_line(cf, v, o->origin, sizeof(o->origin), o->file,
				    sizeof(o->file)) == 0) {
			snprintf(o->fact, sizeof(o->fact), "mail name %s", o->origin);
			o->ev[o->nev++] = (struct obs_ev){ o->file, 0, o->fact };
		}
	} else {
		snprintf(o->origin, sizeof(o->origin), "%s", pfconf_get(cf, "myorigin", NULL));
	}
	host_lower(o->origin);
}

/* Why a domain is not one a provider accepts, or NULL. */
static const char *
origin_local(const char *d, char *buf, size_t size)
{
	static const char *const suffixes[] = {
		".localdomain", ".local", ".lan", ".home", ".internal", ".localnet",
		".home.arpa", ".intranet", ".private", ".corp", ".test", ".invalid",
		".example", NULL
	};
	size_t i, n = strlen(d), k;

	if (strcmp(d, "localhost") == 0 || (n > 10 && strcmp(d + n - 10, ".localhost") == 0))
		return "a localhost name";
	if (strchr(d, '.') == NULL)
		return "no dot";
	for (i = 0; suffixes[i] != NULL; i++) {
		k = strlen(suffixes[i]);
		if (n > k && strcmp(d + n - k, suffixes[i]) == 0) {
			snprintf(buf, size, "ends in %.32s", suffixes[i]);
			return buf;
		}
	}
	return NULL;
}

void
check_sender(struct pfconf *cf, struct obs_out *out)
{
	static const char *const rewrite[] = {
		"smtp_generic_maps", "sender_canonical_maps", "canonical_maps", NULL
	};
	struct origin o;
	char relay[HOST_MAX], why[64];
	const char *reason, *v;
	const struct cf_where *w;
	struct obs_ev ev[3];
	size_t i;

	if (host_relay(cf, relay, sizeof(relay)) == NULL)
		return;
	for (i = 0; rewrite[i] != NULL; i++)
		if ((v = pfconf_get(cf, rewrite[i], NULL)) != NULL && *v != '\0')
			return;
	origin_compute(cf, &o);
	if (o.origin[0] == '\0' || (reason = origin_local(o.origin, why, sizeof(why))) == NULL)
		return;
	memcpy(ev, o.ev, o.nev * sizeof(ev[0]));
	pfconf_get(cf, "relayhost", &w);
	if (w != NULL)
		ev[o.nev++] = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
	obs_emit(out, OBS_CONFIG, "sender", relay, ev, o.nev,
		 "sender: mail leaves with sender addresses @%s (from %s; %s) through relayhost %s, "
		 "and no smtp_generic_maps or sender_canonical_maps rewrites them",
		 o.origin, o.from != NULL ? o.from : "myorigin", reason, relay);
}

/* ---- routing --------------------------------------------------------- */

/* Is name a TCP service in the root's /etc/services? 1 yes, 0 no, -1
 * cannot tell (no such file). */
static int
route_service(struct pfconf *cf, const char *name)
{
	char path[4096], line[1024], *tok, *save, *port;
	FILE *fp;
	int found = 0;

	host_path(cf, "/etc/services", path, sizeof(path));
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "#\r\n")] = '\0';
		if ((tok = strtok_r(line, " \t", &save)) == NULL
		    || (port = strtok_r(NULL, " \t", &save)) == NULL || strstr(port, "/tcp") == NULL)
			continue;
		for (; tok != NULL && !found; tok = strtok_r(NULL, " \t", &save))
			found = strcmp(tok, name) == 0;
	}
	fclose(fp);
	return found;
}

/* What is wrong with one relayhost destination, or NULL. */
static const char *
route_dest_problem(struct pfconf *cf, const char *d, char *buf, size_t size)
{
	const char *close = strchr(d, ']'), *port = NULL;
	size_t n;
	long v;
	char *end;

	if (strstr(d, "://") != NULL)
		return "a URL scheme; relayhost takes [host]:port";
	if (strchr(d, '@') != NULL)
		return "a user name; the login belongs in smtp_sasl_password_maps";
	if (strspn(d, "0123456789") == strlen(d))
		return "a port number alone; write host:port with no blank";
	if ((d[0] == '[') != (close != NULL) || strchr(d + 1, '[') != NULL
	    || (close != NULL && strchr(close + 1, ']') != NULL))
		return "unbalanced brackets";
	if (close != NULL && close[1] != '\0' && close[1] != ':')
		return "text after the closing bracket";
	if (close != NULL ? close == d + 1 : d[0] == ':')
		return "no host name";
	if (close != NULL)
		port = close[1] == ':' ? close + 2 : NULL;
	else if ((port = strchr(d, ':')) != NULL)
		port++;
	if (port == NULL)
		return NULL;
	if (*port == '\0')
		return "an empty port";
	if (isdigit((unsigned char)*port)) {
		errno = 0;
		v = strtol(port, &end, 10);
		if (*end == '\0' && errno == 0 && v >= 1 && v <= 65535)
			return NULL;
		snprintf(buf, size, "port %s is not a port number (1-65535)", port);
		return buf;
	}
	n = strlen(port);
	if (route_service(cf, port) == 0 || strspn(port, "abcdefghijklmnopqrstuvwxyz"
						   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n) {
		snprintf(buf, size, "port \"%s\" is neither a number nor a service in /etc/services",
			 port);
		return buf;
	}
	return NULL;
}

static void
route_relayhost(struct pfconf *cf, struct obs_out *out)
{
	const struct cf_where *w;
	const char *v = pfconf_get(cf, "relayhost", &w), *t, *p;
	char value[1024], dest[512], host[HOST_MAX], buf[600];
	const char *why;
	struct obs_ev ev;
	size_t n, count = 0;

	if (v == NULL || *v == '\0')
		return;
	snprintf(value, sizeof(value), "%s", v);
	if (w != NULL)
		ev = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
	for (p = value; (t = host_token(&p, &n)) != NULL; count++) {
		snprintf(dest, sizeof(dest), "%.*s", (int)n, t);
		if ((why = route_dest_problem(cf, dest, buf, sizeof(buf))) != NULL)
			obs_emit(out, OBS_CONFIG, "routing", host_of(t, n, host, sizeof(host)), &ev,
				 w != NULL, "relayhost destination \"%s\": %s", dest, why);
	}
	if (count > 1)
		obs_emit(out, OBS_CONFIG, "routing", host_relay(cf, host, sizeof(host)), &ev,
			 w != NULL, "relayhost lists %zu destinations: %s", count, value);
}

/* A raw mydestination element with $myhostname and $mydomain as Postfix
 * computes them (pfconf leaves unset ones empty). */
static void
route_element(struct pfconf *cf, const struct origin *o, const char *t, size_t n,
	      char *buf, size_t size)
{
	char name[128];

	snprintf(buf, size, "%.*s", (int)n, t);
	if (is_ref(buf, "myhostname"))
		snprintf(buf, size, "%s", o->hostname);
	else if (is_ref(buf, "mydomain"))
		snprintf(buf, size, "%s", o->domain);
	else if (buf[0] == '$') {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(buf + 1, "{}()") ,
			 buf + 1 + (buf[1] == '{' || buf[1] == '('));
		name[strcspn(name, "{}()")] = '\0';
		snprintf(buf, size, "%s", pfconf_get(cf, name, NULL));
	}
	host_lower(buf);
}

/* mydestination lists the domain of the sender addresses (myorigin) or
 * mydomain: mail for its users is delivered here, never relayed. */
static void
route_mydestination(struct pfconf *cf, struct obs_out *out)
{
	const struct cf_where *w, *rw, *ow;
	const char *t, *p, *what;
	char relay[HOST_MAX], el[HOST_MAX];
	struct origin o;
	struct obs_ev ev[4];
	size_t n, nev;
	int i;

	if (host_relay(cf, relay, sizeof(relay)) == NULL)
		return;
	pfconf_get(cf, "mydestination", &w);
	if (w == NULL)
		return;		/* the default lists host names only */
	origin_compute(cf, &o);
	pfconf_get(cf, "relayhost", &rw);
	for (i = 0; i < (int)cf->nparams; i++)
		if (strcmp(cf->params[i].name, "mydestination") == 0)
			break;
	for (p = cf->params[i].value; (t = host_token(&p, &n)) != NULL; ) {
		route_element(cf, &o, t, n, el, sizeof(el));
		if (el[0] == '\0' || el[0] == '/' || strchr(el, ':') != NULL
		    || strcmp(el, o.hostname) == 0 || strncmp(el, "localhost", 9) == 0)
			continue;
		if (strcmp(el, o.origin) == 0)
			what = "myorigin";
		else if (strcmp(el, o.domain) == 0)
			what = "mydomain";
		else
			continue;
		nev = 0;
		ev[nev++] = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
		pfconf_get(cf, what, &ow);
		if (ow != NULL)
			ev[nev++] = (struct obs_ev){ ow->file, (unsigned long)ow->line, ow->text };
		if (rw != NULL)
			ev[nev++] = (struct obs_ev){ rw->file, (unsigned long)rw->line, rw->text };
		obs_emit(out, OBS_CONFIG, "routing", relay, ev, nev,
			 "mydestination lists %s, the domain of %s, while relayhost is set: "
			 "mail for @%s is delivered on this host", el, what, el);
		break;
	}
}

/* The delivery agent (master.cf command) of transport name t, or NULL. */
static const char *
route_agent(const struct pfconf *cf, const char *t, size_t n)
{
	static const char *const agents[] = { "local", "virtual", "error", "discard", NULL };
	const char *cmd = NULL;
	size_t i;

	for (i = 0; i < cf->nservices; i++)
		if (strlen(cf->services[i].name) == n && strncmp(cf->services[i].name, t, n) == 0
		    && strcmp(cf->services[i].type, "unix") == 0)
			cmd = cf->services[i].command;
	for (i = 0; agents[i] != NULL; i++)
		if (cmd != NULL ? strcmp(cmd, agents[i]) == 0
		    : (strlen(agents[i]) == n && strncmp(agents[i], t, n) == 0))
			return agents[i];
	return NULL;
}

/* Is domain d an element of the list parameter param (as written)? */
static int
route_listed(struct pfconf *cf, const char *param, const char *d)
{
	const char *v = pfconf_get(cf, param, NULL), *t;
	size_t n;

	while (v != NULL && (t = host_token(&v, &n)) != NULL)
		if (strlen(d) == n && strncasecmp(t, d, n) == 0)
			return 1;
	return 0;
}

/* transport_maps entries and default_transport that hand mail to a local
 * agent (local, virtual) or refuse it (error, discard) while relayhost
 * is set. Local entries for a domain of mydestination (virtual ones of
 * virtual_mailbox_domains) are normal and not reported. */
static void
route_transports(struct pfconf *cf, struct obs_out *out)
{
	const struct cf_where *w, *rw;
	const char *v, *t, *agent, *p;
	char relay[HOST_MAX], maps[1024], spec[1024];
	struct cf_table tab;
	struct obs_ev ev[2];
	size_t n, i;

	if (host_relay(cf, relay, sizeof(relay)) == NULL)
		return;
	pfconf_get(cf, "relayhost", &rw);
	v = pfconf_get(cf, "default_transport", &w);
	if (w != NULL && (agent = route_agent(cf, v, strcspn(v, ":"))) != NULL) {
		ev[0] = (struct obs_ev){ w->file, (unsigned long)w->line, w->text };
		ev[1] = (struct obs_ev){ rw != NULL ? rw->file : NULL,
					 rw != NULL ? (unsigned long)rw->line : 0,
					 rw != NULL ? rw->text : NULL };
		obs_emit(out, OBS_CONFIG, "routing", relay, ev, rw != NULL ? 2 : 1,
			 "default_transport = %s: mail for other domains goes to %s(8), "
			 "not to relayhost %s", v, agent, relay);
	}
	snprintf(maps, sizeof(maps), "%s", pfconf_get(cf, "transport_maps", NULL));
	for (p = maps; (t = host_token(&p, &n)) != NULL; ) {
		snprintf(spec, sizeof(spec), "%.*s", (int)n, t);
		if (pfconf_table_read(cf, spec, 0, &tab) < 0) {
			if (tab.err != 0 && tab.err != ENOENT)
				check_skipped(out, "routing", tab.name, strerror(tab.err));
			pfconf_table_free(&tab);
			continue;
		}
		for (i = 0; i < tab.n; i++) {
			const struct cf_entry *e = &tab.e[i];
			const char *dom = strchr(e->key, '@') != NULL ? strchr(e->key, '@') + 1
			    : e->key + (e->key[0] == '.');

			if ((agent = route_agent(cf, e->value, strcspn(e->value, ":"))) == NULL)
				continue;
			if ((strcmp(agent, "local") == 0 && route_listed(cf, "mydestination", dom))
			    || (strcmp(agent, "virtual") == 0
				&& route_listed(cf, "virtual_mailbox_domains", dom)))
				continue;
			ev[0] = (struct obs_ev){ e->where.file, (unsigned long)e->where.line, e->where.text };
			obs_emit(out, OBS_CONFIG, "routing", relay, ev, 1,
				 "transport_maps sends %s to \"%s\": %s(8) delivers it, not relayhost %s",
				 e->key, e->value, agent, relay);
		}
		pfconf_table_free(&tab);
	}
}

void
check_routing(struct pfconf *cf, struct obs_out *out)
{
	route_relayhost(cf, out);
	route_mydestination(cf, out);
	route_transports(cf, out);
}
