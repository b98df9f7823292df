/*
 * check_util.c - helpers of the host checks (check_int.h): the elements
 * of a main.cf list value, the relay host name of a relayhost
 * destination, and where a system file is read under --root (pfconf_path,
 * absolute symbolic links too).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_int.h"

const char *
host_token(const char **pp, size_t *n)
{
	const char *p = *pp + strspn(*pp, " ,\t");

	*n = strcspn(p, " ,\t");
	*pp = p + *n;
	return *n > 0 ? p : NULL;
}

void
host_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

const char *
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

const char *
host_relay(struct pfconf *cf, char *buf, size_t size)
{
	const char *v = pfconf_get(cf, "relayhost", NULL), *t;
	size_t n;

	if (v == NULL || (t = host_token(&v, &n)) == NULL)
		return NULL;
	return host_of(t, n, buf, size);
}

const char *
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
