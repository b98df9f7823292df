/*
 * probe_util.c - small pieces of the probe (probe_int.h): next-hop syntax
 * and ports, what a TLS level asks for, and the AUTH mechanisms that
 * smtp(8) may use after smtp_sasl_mechanism_filter and the SASL security
 * options.
 */
#include <ctype.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_int.h"
#include "util.h"

/* Services a relay's port is written as, without /etc/services. */
static const struct {
	const char *name, *port;
} probe_services[] = {
	{ "smtp", "25" }, { "submission", "587" }, { "smtps", "465" },
	{ "submissions", "465" }, { "urd", "465" },
};

static int
probe_port_number(const char *port, char *out, size_t size)
{
	struct servent *se;
	size_t i;
	char *end;
	long v;

	v = strtol(port, &end, 10);
	if (*port != '\0' && *end == '\0') {
		if (v < 1 || v > 65535)
			return -1;
		snprintf(out, size, "%ld", v);
		return 0;
	}
	for (i = 0; i < sizeof(probe_services) / sizeof(probe_services[0]); i++)
		if (strcasecmp(port, probe_services[i].name) == 0) {
			snprintf(out, size, "%s", probe_services[i].port);
			return 0;
		}
	if ((se = getservbyname(port, "tcp")) != NULL) {
		snprintf(out, size, "%d", ntohs((unsigned short)se->s_port));
		return 0;
	}
	return -1;
}

int
probe_dest_parse(const char *dest, struct probe_result *res)
{
	const char *p = dest + strspn(dest, " \t"), *host, *colon;
	size_t n;

	snprintf(res->dest, sizeof(res->dest), "%s", p);
	n = strlen(res->dest);
	while (n > 0 && isspace((unsigned char)res->dest[n - 1]))
		res->dest[--n] = '\0';
	/* "smtp:[host]:587" (a transport's next hop) names the same */
	if (strncmp(res->dest, "smtp:", 5) == 0 || strncmp(res->dest, "relay:", 6) == 0)
		memmove(res->dest, strchr(res->dest, ':') + 1, strlen(strchr(res->dest, ':') + 1) + 1);
	p = res->dest;
	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (close == NULL || close == p + 1)
			goto bad;
		res->bracketed = 1;
		host = p + 1;
		n = (size_t)(close - host);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] != '\0' && colon == NULL)
			goto bad;
	} else {
		host = p;
		colon = strrchr(p, ':');
		if (colon != NULL && strchr(p, ':') != colon)
			colon = NULL;	/* an IPv6 address without brackets: no port */
		n = colon != NULL ? (size_t)(colon - host) : strlen(host);
	}
	if (n == 0 || n >= sizeof(res->host))
		goto bad;
	snprintf(res->host, sizeof(res->host), "%.*s", (int)n, host);
	for (char *h = res->host; *h != '\0'; h++) {
		if (isspace((unsigned char)*h) || *h == '/' || *h == '@')
			goto bad;
		*h = (char)tolower((unsigned char)*h);
	}
	snprintf(res->port, sizeof(res->port), "%s", colon != NULL ? colon + 1 : "smtp");
	if (probe_port_number(res->port, res->port_num, sizeof(res->port_num)) < 0) {
		msg_warn("probe: \"%s\": unknown port or service \"%s\"", dest, res->port);
		return -1;
	}
	if (colon == NULL)
		snprintf(res->port, sizeof(res->port), "25");
	return 0;
bad:
	msg_warn("probe: \"%s\" is not a next hop ([host]:port, host:port or host)", dest);
	return -1;
}

int
probe_port_is_smtps(const char *port_num)
{
	return strcmp(port_num, "465") == 0;
}

enum tls_want
probe_level_want(const char *level)
{
	static const struct {
		const char *name;
		enum tls_want want;
	} levels[] = {
		{ "", TW_NONE }, { "none", TW_NONE }, { "may", TW_MAY }, { "dane", TW_MAY },
		{ "encrypt", TW_ENCRYPT }, { "dane-only", TW_VERIFY }, { "fingerprint", TW_ENCRYPT },
		{ "verify", TW_VERIFY }, { "secure", TW_VERIFY },
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(level, levels[i].name) == 0)
			return levels[i].want;
	return TW_ENCRYPT;	/* unknown: smtp(8) stops; the config check says so */
}

void
probe_mechs_text(const struct smtpc_ehlo *e, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < e->nmech && o + 1 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i > 0 ? " " : "", e->mech[i]);
	if (o >= size)
		buf[size - 1] = '\0';
}

int
probe_word_in(const char *list, const char *word)
{
	size_t n = strlen(word), k;
	const char *p = list;

	while (*p != '\0') {
		p += strspn(p, " ,\t");
		k = strcspn(p, " ,\t");
		if (k == n && strncasecmp(p, word, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* What each mechanism is, for the security options (Cyrus SASL's
 * properties, as smtp_sasl_security_options applies them). */
static const struct {
	const char *mech;
	unsigned props;
} probe_mech_props[] = {
#define MP_PLAINTEXT 1
#define MP_ANONYMOUS 2
#define MP_DICTIONARY 4
#define MP_ACTIVE 8
	{ "PLAIN", MP_PLAINTEXT | MP_DICTIONARY | MP_ACTIVE },
	{ "LOGIN", MP_PLAINTEXT | MP_DICTIONARY | MP_ACTIVE },
	{ "ANONYMOUS", MP_ANONYMOUS | MP_ACTIVE },
	{ "CRAM-MD5", MP_DICTIONARY | MP_ACTIVE },
	{ "DIGEST-MD5", MP_DICTIONARY | MP_ACTIVE },
	{ "XOAUTH2", MP_ACTIVE },
	{ "OAUTHBEARER", MP_ACTIVE },
};

void
probe_mechs_usable(const struct smtpc_ehlo *e, const char *opts, const char *filter,
		   char *buf, size_t size)
{
	unsigned deny = 0, props;
	size_t i, j, o = 0;

	if (probe_word_in(opts, "noplaintext"))
		deny |= MP_PLAINTEXT;
	if (probe_word_in(opts, "noanonymous"))
		deny |= MP_ANONYMOUS;
	if (probe_word_in(opts, "nodictionary"))
		deny |= MP_DICTIONARY;
	if (probe_word_in(opts, "noactive"))
		deny |= MP_ACTIVE;
	buf[0] = '\0';
	for (i = 0; i < e->nmech; i++) {
		if (*filter != '\0' && !probe_word_in(filter, e->mech[i]))
			continue;
		props = 0;
		for (j = 0; j < sizeof(probe_mech_props) / sizeof(probe_mech_props[0]); j++)
			if (strcasecmp(probe_mech_props[j].mech, e->mech[i]) == 0)
				props = probe_mech_props[j].props;
		if (strncasecmp(e->mech[i], "SCRAM-", 6) == 0)
			props = MP_DICTIONARY;
		if ((props & deny) != 0 || o + 1 >= size)
			continue;
		o += (size_t)snprintf(buf + o, size - o, "%s%s", o > 0 ? " " : "", e->mech[i]);
	}
	if (o >= size)
		buf[size - 1] = '\0';
}

int
probe_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
