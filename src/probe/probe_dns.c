/*
 * probe_dns.c - the addresses smtp(8) tries for a next hop (probe_int.h):
 * [host] is looked up as is; a bare host name by its MX records, by
 * preference, falling back to the name itself when it has none
 * (smtp_addr.c). Each host's addresses as inet_protocols allows. The
 * answers come from this host's resolver: when smtp(8) runs chrooted it
 * uses the jail's copy of resolv.conf instead, which the configuration
 * check (dns.chroot_stale) compares.
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

static const char *
probe_family_name(int family)
{
	return family == AF_INET ? "A" : family == AF_INET6 ? "AAAA" : "A/AAAA";
}

int
probe_resolve(struct pfconf *cf, struct probe_result *res, struct probe_addrs *a,
	      struct obs_out *out)
{
	struct mx mx[MX_MAX];
	int family = probe_family(cf), n = 0, herr = 0, rc, i;
	struct obs_ev ev = { "probe", 0, res->dest };
	char what[PROBE_DETAIL] = "";

	if (!res->bracketed) {
		n = probe_mx(res->host, mx, &herr);
		if (n < 0 && herr == HOST_NOT_FOUND) {
			obs_emit(out, OBS_PROBE, "resolve", res->host, &ev, 1,
				 "probe resolve: lookup of %s (MX): not found", res->host);
			probe_fmt(a->why, sizeof(a->why), "%s: no such domain (MX lookup)", res->host);
			return -1;
		}
		if (n < 0) {
			obs_emit(out, OBS_PROBE, "resolve", res->host, &ev, 1,
				 "probe resolve: lookup of %s (MX): temporary failure: %s", res->host,
				 hstrerror(herr));
			probe_fmt(a->why, sizeof(a->why), "%s: MX lookup failed: %s", res->host,
				 hstrerror(herr));
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		size_t w = strlen(what);

		if (probe_addrs_of(mx[i].name, res->port_num, family, a) == 0 && i == 0)
			memcpy(res->mx_host, mx[i].name, sizeof(res->mx_host));
		if (w + 300 < sizeof(what))
			probe_fmt(what + w, sizeof(what) - w, "%sMX %u %.255s", i > 0 ? ", " : "",
				 mx[i].pref, mx[i].name);
	}
	if (n == 0) {
		rc = probe_addrs_of(res->host, res->port_num, family, a);
		if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_AGAIN || rc == EAI_FAIL) {
			int temp = rc == EAI_AGAIN || rc == EAI_FAIL;

			obs_emit(out, OBS_PROBE, "resolve", res->host, &ev, 1,
				 "probe resolve: lookup of %s (%s): %s%s", res->host,
				 probe_family_name(family), temp ? "temporary failure: " : "not found",
				 temp ? gai_strerror(rc) : "");
			probe_fmt(a->why, sizeof(a->why), "%s: %s", res->host, gai_strerror(rc));
			return -1;
		}
		if (rc != 0) {
			probe_fmt(a->why, sizeof(a->why), "%s: %s", res->host, gai_strerror(rc));
			return -1;
		}
	}
	if (a->n == 0) {
		obs_emit(out, OBS_PROBE, "resolve", res->host, &ev, 1,
			 "probe resolve: lookup of %s (%s): not found", n > 0 ? mx[0].name : res->host,
			 probe_family_name(family));
		probe_fmt(a->why, sizeof(a->why), "%s: no %s address%s", res->host,
			 probe_family_name(family), *what != '\0' ? " for its MX hosts" : "");
		return -1;
	}
	probe_fmt(a->why, sizeof(a->why), "%s%s%s -> %s%s", res->bracketed ? "[" : "", res->host,
		 res->bracketed ? "] (no MX lookup)" : *what != '\0' ? "" : " (no MX: the name itself)",
		 *what != '\0' ? what : a->a[0].text, a->n > 1 ? " ..." : "");
	if (*what != '\0')
		probe_fmt(a->why + strlen(a->why), sizeof(a->why) - strlen(a->why), " -> %s%s",
			 a->a[0].text, a->n > 1 ? " and more" : "");
	return 0;
}
