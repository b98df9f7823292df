/*
 * check_sender.c - the sender identity: the domain mail leaves with
 * (myorigin, myhostname, mydomain, the host name, as Postfix computes
 * them; origin_compute, which the routing check uses too) and whether a
 * provider would take it through relayhost.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_int.h"

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
int
origin_is_ref(const char *v, const char *name)
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
void
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
	if (w == NULL || origin_is_ref(v, "myhostname")) {
		snprintf(o->origin, sizeof(o->origin), "%s", o->hostname);
		origin_ev(o, w);
		return;
	}
	o->from = "myorigin";
	o->nev = 0;
	origin_ev(o, w);
	if (origin_is_ref(v, "mydomain")) {
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
