/*
 * check_int.h - internals shared by the host checks, not for use outside
 * src/config/check_*.c: the relay host name from relayhost and the system
 * files under --root (check_util.c), and the sender domain as Postfix
 * computes it (check_sender.c), which the routing check compares
 * mydestination with. check.h is the public API.
 */
#ifndef FMRD_CHECK_INT_H
#define FMRD_CHECK_INT_H

#include <stddef.h>

#include "check.h"

#define HOST_MAX 256

/* ---- check_util.c ---------------------------------------------------- */

/* The next list element of a main.cf value (blanks and commas separate):
 * its start and length *n, *pp moved past it; NULL at the end. */
const char *host_token(const char **pp, size_t *n);
/* s in lower case, in place. */
void host_lower(char *s);
/* The host name of a relayhost destination: no brackets, no port, lower
 * case; a URL scheme or user@ written in front is skipped. Returns buf,
 * or NULL for an empty name or a number alone. */
const char *host_of(const char *dest, size_t n, char *buf, size_t size);
/* The first relayhost destination's host name, or NULL. */
const char *host_relay(struct pfconf *cf, char *buf, size_t size);
/* Where the system file P is under the root; absolute symbolic links
 * (/etc/resolv.conf -> /run/systemd/...) are followed under the root. */
const char *host_path(const struct pfconf *cf, const char *p, char *buf, size_t size);

/* ---- check_sender.c --------------------------------------------------- */

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

/* The domain of sender addresses: myorigin (default $myhostname; a file
 * name, as Debian's /etc/mailname, gives the file's first line), with
 * myhostname and mydomain as Postfix computes them. */
void origin_compute(struct pfconf *cf, struct origin *o);
/* Is the main.cf value v exactly $name, ${name} or $(name)? */
int origin_is_ref(const char *v, const char *name);

#endif
