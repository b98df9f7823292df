/*
 * probe_dns.c - the addresses smtp(8) tries for a next hop (probe_int.h):
 * [host] is looked up as is; a bare host name by its MX records, by
 * preference, falling back to the name itself when it has none
 * (smtp_addr.c). Each host's addresses as inet_protocols allows, from DNS
 * alone unless smtp_host_lookup has "native" (then the system's
 * resolver: nsswitch, /etc/hosts). When smtp(8) runs chrooted its
 * resolver reads the jail's copy of resolv.conf, so the probe asks the
 * name servers of that copy (IPv4 ones; 127.0.0.1 when the copy is
 * missing, as glibc does).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_int.h"
#include "util.h"

#define MX_MAX 10

struct mx {
	unsigned pref;
	char name[256];
};

static int
mx_cmp(const void *a, const void *b)
{
	const struct mx *x = a, *y = b;

	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The MX records of name, sorted: their count, 0 when there are none
 * (NODATA), -1 with *herr set when the lookup failed. */
static int
probe_mx(const char *name, struct mx *mx, int *herr)
{
	unsigned char ans[4096];
	const unsigned char *p, *end;
	int len, n = 0, skip;
	unsigned qd, an, i, type, rdlen;

	len = res_query(name, C_IN, T_MX, ans, sizeof(ans));
	if (len < 0) {
		*herr = h_errno;
		return *herr == NO_DATA ? 0 : -1;
	}
	if (len < HFIXEDSZ)
		return 0;
	end = ans + len;
	qd = get16(ans + 4);
	an = get16(ans + 6);
	p = ans + HFIXEDSZ;
	for (i = 0; i < qd && p < end; i++) {
		if ((skip = dn_skipname(p, end)) < 0 || p + skip + QFIXEDSZ > end)
			return 0;
		p += skip + QFIXEDSZ;
	}
	for (i = 0; i < an && p < end && n < MX_MAX; i++) {
		if ((skip = dn_skipname(p, end)) < 0 || p + skip + RRFIXEDSZ > end)
			break;
		p += skip;
		type = get16(p);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if (p + rdlen > end)
			break;
		if (type == T_MX && rdlen > 2
		    && dn_expand(ans, end, p + 2, mx[n].name, sizeof(mx[n].name)) > 0) {
			mx[n].pref = get16(p);
			n++;
		}
		p += rdlen;
	}
	qsort(mx, (size_t)n, sizeof(mx[0]), mx_cmp);
	return n;
}

static int
probe_family(struct pfconf *cf)
{
	const char *v = cf != NULL ? pfconf_get(cf, "inet_protocols", NULL) : NULL;
	int v4, v6;

	if (v == NULL || *v == '\0' || probe_word_in(v, "all"))
		return AF_UNSPEC;
	v4 = probe_word_in(v, "ipv4");
	v6 = probe_word_in(v, "ipv6");
	return v4 && !v6 ? AF_INET : v6 && !v4 ? AF_INET6 : AF_UNSPEC;
}

/* Add host's addresses; 0, or the getaddrinfo error. */
static int
probe_addrs_of(const char *host, const char *port, int family, struct probe_addrs *a)
{
	struct addrinfo hints, *ai, *r;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return rc;
	for (r = ai; r != NULL && a->n < PROBE_ADDRS_MAX; r = r->ai_next) {
		struct probe_addr *pa = &a->a[a->n];
		const void *in = r->ai_family == AF_INET
		    ? (const void *)&((struct sockaddr_in *)r->ai_addr)->sin_addr
		    : (const void *)&((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;

		if (r->ai_addrlen > sizeof(pa->ss))
			continue;
		memcpy(&pa->ss, r->ai_addr, r->ai_addrlen);
		pa->len = r->ai_addrlen;
		inet_ntop(r->ai_family, in, pa->text, sizeof(pa->text));
		probe_fmt(pa->name, sizeof(pa->name), "%s", host);
		a->n++;
	}
	freeaddrinfo(ai);
	return 0;
}

/* The A or AAAA records of name from DNS into a; 0 when some were
 * found, else -1 with *herr. */
static int
probe_dns_addrs(const char *name, int type, const char *port, struct probe_addrs *a, int *herr)
{
	unsigned char ans[4096];
	const unsigned char *p, *end;
	unsigned qd, an, i, t, rdlen;
	int len, skip, found = 0;

	len = res_query(name, C_IN, type, ans, sizeof(ans));
	if (len < 0) {
		*herr = h_errno;
		return -1;
	}
	*herr = NO_DATA;
	if (len < HFIXEDSZ)
		return -1;
	end = ans + len;
	qd = get16(ans + 4);
	an = get16(ans + 6);
	p = ans + HFIXEDSZ;
	for (i = 0; i < qd && p < end; i++) {
		if ((skip = dn_skipname(p, end)) < 0 || p + skip + QFIXEDSZ > end)
			return -1;
		p += skip + QFIXEDSZ;
	}
	for (i = 0; i < an && p < end && a->n < PROBE_ADDRS_MAX; i++) {
		struct probe_addr *pa = &a->a[a->n];

		if ((skip = dn_skipname(p, end)) < 0 || p + skip + RRFIXEDSZ > end)
			break;
		p += skip;
		t = get16(p);
		rdlen = get16(p + 8);
		p += RRFIXEDSZ;
		if (p + rdlen > end)
			break;
		memset(pa, 0, sizeof(*pa));
		if (t == T_A && rdlen == 4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&pa->ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons((unsigned short)atoi(port));
			memcpy(&sin->sin_addr, p, 4);
			pa->len = sizeof(*sin);
			inet_ntop(AF_INET, p, pa->text, sizeof(pa->text));
		} else if (t == T_AAAA && rdlen == 16) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&pa->ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((unsigned short)atoi(port));
			memcpy(&sin6->sin6_addr, p, 16);
			pa->len = sizeof(*sin6);
			inet_ntop(AF_INET6, p, pa->text, sizeof(pa->text));
		} else {
			p += rdlen;
			continue;
		}
		probe_fmt(pa->name, sizeof(pa->name), "%s", name);
		a->n++;
		found = 1;
		p += rdlen;
	}
	return found ? 0 : -1;
}

/* A host's addresses as smtp_host_lookup says: DNS (A and AAAA as
 * inet_protocols allows) and/or the system's resolver. Returns 0, or -1
 * with *temp set for a temporary failure and why filled in. */
static int
probe_host_addrs(struct pfconf *cf, const char *host, const char *port, int family,
		 struct probe_addrs *a, int *temp, char *why, size_t wsize)
{
	const char *lookup = cf != NULL ? pfconf_get(cf, "smtp_host_lookup", NULL) : NULL;
	int dns, native, herr = 0, herr6 = 0, rc;
	size_t before = a->n;

	if (lookup == NULL || *lookup == '\0')
		lookup = "dns";
	dns = probe_word_in(lookup, "dns");
	native = probe_word_in(lookup, "native") || !dns;
	*temp = 0;
	if (dns) {
		if (family != AF_INET6)
			probe_dns_addrs(host, T_A, port, a, &herr);
		if (family != AF_INET)
			probe_dns_addrs(host, T_AAAA, port, a, &herr6);
		if (a->n > before)
			return 0;
		if (!native) {
			*temp = herr == TRY_AGAIN || herr6 == TRY_AGAIN;
			probe_fmt(why, wsize, "%s (DNS, smtp_host_lookup = %s)",
				  hstrerror(*temp ? TRY_AGAIN : herr), lookup);
			return -1;
		}
	}
	rc = probe_addrs_of(host, port, family, a);
	if (rc == 0 && a->n > before)
		return 0;
	*temp = rc == EAI_AGAIN || rc == EAI_FAIL;
	probe_fmt(why, wsize, "%s (the system's resolver, smtp_host_lookup = %s)",
		  rc != 0 ? gai_strerror(rc) : "no address", lookup);
	return -1;
}

/* The jail's resolv.conf as the resolver's configuration; a text for the
 * phase's detail. */
static void
probe_jail_resolver(struct pfconf *cf, int timeout_s, char *note, size_t size)
{
	const char *q = pfconf_get(cf, "queue_directory", NULL);
	char rel[4200], path[4400], line[512], addr[64];
	struct in_addr in;
	int n = 0, v6 = 0, missing = 0;
	FILE *fp;

	probe_fmt(rel, sizeof(rel), "%s/etc/resolv.conf", q != NULL && *q != '\0' ? q
		  : "/var/spool/postfix");
	pfconf_path(cf, rel, path, sizeof(path));
	res_init();
	_res.retrans = timeout_s > 2 ? timeout_s / 2 : 1;
	_res.retry = 1;
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL && n < MAXNS) {
			if (sscanf(line, " nameserver %63s", addr) != 1)
				continue;
			if (inet_pton(AF_INET, addr, &in) != 1) {
				v6 = 1;
				continue;
			}
			_res.nsaddr_list[n].sin_family = AF_INET;
			_res.nsaddr_list[n].sin_port = htons(53);
			_res.nsaddr_list[n].sin_addr = in;
			n++;
		}
		fclose(fp);
	} else {
		missing = 1;	/* glibc without resolv.conf asks 127.0.0.1 */
		inet_pton(AF_INET, "127.0.0.1", &in);
		_res.nsaddr_list[0].sin_family = AF_INET;
		_res.nsaddr_list[0].sin_port = htons(53);
		_res.nsaddr_list[0].sin_addr = in;
		n = 1;
	}
	if (n > 0) {
		_res.nscount = n;
		probe_fmt(note, size, "; name servers of the jail's %s%s", rel,
			  missing ? " (missing: 127.0.0.1)" : "");
	} else {
		probe_fmt(note, size, "; this host's name servers: the jail's %s has %s", rel,
			  v6 ? "IPv6 ones only" : "none");
	}
}

static const char *
probe_family_name(int family)
{
	return family == AF_INET ? "A" : family == AF_INET6 ? "AAAA" : "A/AAAA";
}

/* A failed lookup: an observation and the phase's detail. */
static int
probe_resolve_failed(struct obs_out *out, const struct probe_result *res, const char *name,
		     const char *type, int temp, int jail, const char *why, struct probe_addrs *a)
{
	struct obs_ev ev = { "probe", 0, res->dest };

	obs_emit(out, OBS_PROBE, "resolve", res->host, &ev, 1, "probe resolve: lookup of %s (%s)%s: %s%s",
		 name, type, jail ? " with the jail's resolv.conf" : "",
		 temp ? "temporary failure: " : "not found", temp ? why : "");
	probe_fmt(a->why, sizeof(a->why), "%s (%s): %s", name, type, why);
	return -1;
}

int
probe_resolve(struct pfconf *cf, struct probe_result *res, struct probe_addrs *a,
	      struct obs_out *out, int chrooted, int timeout_s)
{
	struct mx mx[MX_MAX];
	int family = probe_family(cf), n = 0, herr = 0, temp = 0, i;
	char what[PROBE_DETAIL] = "", why[300] = "", note[PROBE_DETAIL] = "";
	unsigned char bin[16];

	/* [address]: no lookup at all */
	if (inet_pton(AF_INET, res->host, bin) == 1 || inet_pton(AF_INET6, res->host, bin) == 1) {
		if (probe_addrs_of(res->host, res->port_num, AF_UNSPEC, a) != 0 || a->n == 0) {
			probe_fmt(a->why, sizeof(a->why), "%s: not a usable address", res->host);
			return -1;
		}
		probe_fmt(a->why, sizeof(a->why), "%s: an address, no lookup", res->host);
		return 0;
	}
	if (chrooted)
		probe_jail_resolver(cf, timeout_s, note, sizeof(note));
	if (!res->bracketed) {
		n = probe_mx(res->host, mx, &herr);
		if (n < 0)
			return probe_resolve_failed(out, res, res->host, "MX", herr != HOST_NOT_FOUND,
						    chrooted && strstr(note, "name servers of the jail") != NULL,
						    hstrerror(herr), a);
	}
	for (i = 0; i < n; i++) {
		size_t w = strlen(what);

		if (probe_host_addrs(cf, mx[i].name, res->port_num, family, a, &temp, why,
				     sizeof(why)) == 0 && res->mx_host[0] == '\0')
			memcpy(res->mx_host, mx[i].name, sizeof(res->mx_host));
		if (w + 300 < sizeof(what))
			probe_fmt(what + w, sizeof(what) - w, "%sMX %u %.255s", i > 0 ? ", " : "",
				  mx[i].pref, mx[i].name);
	}
	if (n == 0 && probe_host_addrs(cf, res->host, res->port_num, family, a, &temp, why,
				       sizeof(why)) < 0)
		return probe_resolve_failed(out, res, res->host, probe_family_name(family), temp,
					    chrooted && strstr(note, "name servers of the jail") != NULL,
					    why, a);
	if (a->n == 0)
		return probe_resolve_failed(out, res, n > 0 ? mx[0].name : res->host,
					    probe_family_name(family), temp,
					    chrooted && strstr(note, "name servers of the jail") != NULL,
					    *why != '\0' ? why : "no address", a);
	probe_fmt(a->why, sizeof(a->why), "%s%s%s -> %s%s%s", res->bracketed ? "[" : "", res->host,
		  res->bracketed ? "] (no MX lookup)" : *what != '\0' ? "" : " (no MX: the name itself)",
		  *what != '\0' ? what : a->a[0].text, *what == '\0' && a->n > 1 ? " and more" : "",
		  note);
	if (*what != '\0') {
		size_t w = strlen(a->why);

		probe_fmt(a->why + w, sizeof(a->why) - w, " -> %s%s", a->a[0].text,
			  a->n > 1 ? " and more" : "");
	}
	return 0;
}
