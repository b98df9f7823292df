/*
 * check_routing.c - where mail is routed while relayhost is set: the
 * relayhost destinations' syntax, domains mydestination keeps on this
 * host, transport_maps entries or default_transport that hand mail to
 * a local agent (or refuse it) instead of the relay, and transports that
 * master.cf does not define.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_int.h"

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
	if (origin_is_ref(buf, "myhostname"))
		snprintf(buf, size, "%s", o->hostname);
	else if (origin_is_ref(buf, "mydomain"))
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

/* Does master.cf define a unix service NAME (what qmgr(8) connects to)? */
static int
route_service_defined(const struct pfconf *cf, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < cf->nservices; i++)
		if (strlen(cf->services[i].name) == n && strncmp(cf->services[i].name, name, n) == 0
		    && strcmp(cf->services[i].type, "unix") == 0)
			return 1;
	return 0;
}

/* A transport named in VALUE ("name" or "name:nexthop") that master.cf
 * does not define: qmgr(8) defers the mail ("mail transport unavailable"). */
static void
route_service_check(const struct pfconf *cf, struct obs_out *out, const char *param,
		    const char *key, const char *value, const struct cf_where *w)
{
	size_t n = strcspn(value, ":");
	struct obs_ev ev = { w->file, (unsigned long)(w->line > 0 ? w->line : 0), w->text };

	if (n == 0 || route_service_defined(cf, value, n))
		return;
	if (key != NULL)
		obs_emit(out, OBS_CONFIG, "routing", NULL, &ev, 1,
			 "%s entry %s = \"%s\": master.cf has no unix service \"%.*s\"",
			 param, key, value, (int)n, value);
	else
		obs_emit(out, OBS_CONFIG, "routing", NULL, &ev, 1,
			 "%s = \"%s\": master.cf has no unix service \"%.*s\"",
			 param, value, (int)n, value);
}

/* Every transport main.cf and the transport tables name must be a
 * master.cf service: default_transport, relay_transport, transport_maps
 * and sender_dependent_default_transport_maps entries. */
static void
route_services(struct pfconf *cf, struct obs_out *out)
{
	static const char *const params[] = { "default_transport", "relay_transport" };
	static const char *const tables[] = {
		"transport_maps", "sender_dependent_default_transport_maps"
	};
	const struct cf_where *w;
	const char *v, *t, *p;
	char list[1024], spec[1024];
	struct cf_table tab;
	size_t i, j, n;

	if (!cf->master_loaded)
		return;
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if ((v = pfconf_get(cf, params[i], &w)) != NULL && w != NULL)
			route_service_check(cf, out, params[i], NULL, v, w);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(list, sizeof(list), "%s", pfconf_get(cf, tables[i], NULL));
		for (p = list; (t = pfconf_list_next(&p, &n)) != NULL;) {
			snprintf(spec, sizeof(spec), "%.*s", (int)n, t);
			if (pfconf_table_read(cf, spec, 0, &tab) == 0)
				for (j = 0; j < tab.n; j++)
					route_service_check(cf, out, tables[i], tab.e[j].key,
							    tab.e[j].value, &tab.e[j].where);
			pfconf_table_free(&tab);
		}
	}
}

void
check_routing(struct pfconf *cf, struct obs_out *out)
{
	route_relayhost(cf, out);
	route_mydestination(cf, out);
	route_transports(cf, out);
	route_services(cf, out);
}
