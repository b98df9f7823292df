/*
 * check_chroot.c - what smtp(8)'s name lookups see: the chroot jail's
 * copies of the system files (resolv.conf, hosts, nsswitch.conf,
 * services, localtime, as Debian's configure-instance.sh makes them),
 * compared with the system's, and a relay name that only /etc/hosts
 * knows while smtp_host_lookup asks DNS. Both are the "chroot_files"
 * check. Every system file is read under --root (host_path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check_int.h"

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
