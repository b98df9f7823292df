/*
 * smtpc.c - the SMTP client connection (smtpc.h) without its TLS part:
 * non-blocking connect with a deadline, the read buffer and the bounded
 * reply reader (TLS record, garbage, stall and close told apart), command
 * lines with secrets kept out of the transcript, EHLO extensions, AUTH
 * PLAIN and LOGIN. The handshake and the chain are in smtpc_tls.c.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "smtpc_int.h"
#include "textsafe.h"
#include "util.h"

static const char *const smtpc_rc_names[] = {
	[SMTPC_OK] = "ok",
	[SMTPC_TIMEOUT] = "timeout",
	[SMTPC_EOF] = "eof",
	[SMTPC_GARBAGE] = "garbage",
	[SMTPC_TLS_RECORD] = "tls-record",
	[SMTPC_NOT_TLS] = "not-tls",
	[SMTPC_TLS_FAILED] = "tls-failed",
	[SMTPC_REFUSED] = "refused",
	[SMTPC_UNREACHABLE] = "unreachable",
	[SMTPC_RESOLVE] = "resolve",
	[SMTPC_IO] = "io",
	[SMTPC_USAGE] = "usage",
};

const char *
smtpc_rc_name(enum smtpc_rc rc)
{
	if ((size_t)rc >= sizeof(smtpc_rc_names) / sizeof(smtpc_rc_names[0]))
		return "?";
	return smtpc_rc_names[rc];
}

/* ---- time, errors, transcript ------------------------------------- */

long long
smtpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
smtpc_deadline(int timeout_ms)
{
	return smtpc_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

int
smtpc_wait(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline - smtpc_now_ms();
		if (left <= 0)
			return 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

void
smtpc_why(struct smtpc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

const char *
smtpc_error(const struct smtpc *c)
{
	return c->why;
}

void
smtpc_note(struct smtpc *c, char dir, const char *p, size_t n)
{
	struct strbuf sb;

	if (c->ntr >= SMTPC_TRANSCRIPT_MAX)
		return;
	if (c->tr == NULL)
		c->tr = xcalloc(SMTPC_TRANSCRIPT_MAX, sizeof(*c->tr));
	sb_init(&sb);
	if (c->ntr == SMTPC_TRANSCRIPT_MAX - 1) {
		dir = '*';
		sb_adds(&sb, "(transcript full)");
	} else {
		ts_text_clean(&sb, p, n);
	}
	c->tr[c->ntr].dir = dir;
	c->tr[c->ntr].text = sb.s != NULL ? sb.s : xstrdup("");
	c->ntr++;
}

void
smtpc_notef(struct smtpc *c, char dir, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	smtpc_note(c, dir, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

const struct smtpc_tline *
smtpc_transcript(const struct smtpc *c, size_t *n)
{
	*n = c->ntr;
	return c->tr;
}

/* ---- the connection ------------------------------------------------ */

struct smtpc *
smtpc_new(void)
{
	struct smtpc *c = xcalloc(1, sizeof(*c));

	c->fd = -1;
	return c;
}

static void
smtpc_disconnect(struct smtpc *c)
{
	smtpc_tls_end(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
	c->peer[0] = '\0';
}

void
smtpc_close(struct smtpc *c, int quit_timeout_ms)
{
	struct smtpc_reply *r;
	size_t i;

	if (c == NULL)
		return;
	if (c->fd >= 0 && quit_timeout_ms > 0) {
		r = xmalloc(sizeof(*r));
		(void)smtpc_cmd(c, quit_timeout_ms, r, "QUIT");
		free(r);
	}
	smtpc_disconnect(c);
	for (i = 0; i < c->ntr; i++)
		free(c->tr[i].text);
	free(c->tr);
	free(c);
}

const char *
smtpc_peer(const struct smtpc *c)
{
	return c->peer;
}

int
smtpc_tls_active(const struct smtpc *c)
{
	return c->ssl != NULL;
}

/* Connect errors by errno: the result and the words for it. */
static const struct {
	int err;
	enum smtpc_rc rc;
} smtpc_connect_errs[] = {
	{ ECONNREFUSED, SMTPC_REFUSED },
	{ ETIMEDOUT, SMTPC_TIMEOUT },
	{ ENETUNREACH, SMTPC_UNREACHABLE },
	{ EHOSTUNREACH, SMTPC_UNREACHABLE },
	{ ENETDOWN, SMTPC_UNREACHABLE },
	{ EHOSTDOWN, SMTPC_UNREACHABLE },
	{ EADDRNOTAVAIL, SMTPC_UNREACHABLE },
	{ EAFNOSUPPORT, SMTPC_UNREACHABLE },
};

static enum smtpc_rc
smtpc_connect_errno(int err)
{
	size_t i;

	for (i = 0; i < sizeof(smtpc_connect_errs) / sizeof(smtpc_connect_errs[0]); i++)
		if (smtpc_connect_errs[i].err == err)
			return smtpc_connect_errs[i].rc;
	return SMTPC_IO;
}

static void
smtpc_addr_text(const struct sockaddr *sa, socklen_t salen, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN + 8], serv[16];

	if (getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, size, "(unknown address)");
		return;
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

enum smtpc_rc
smtpc_connect_addr(struct smtpc *c, const struct sockaddr *sa, socklen_t salen, int timeout_ms,
		   char *err, size_t errlen)
{
	int fd, e = 0, w;
	socklen_t elen = sizeof(e);
	enum smtpc_rc rc;

	smtpc_disconnect(c);
	c->why[0] = '\0';
	smtpc_addr_text(sa, salen, c->peer, sizeof(c->peer));
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
	} else if (connect(fd, sa, salen) != 0) {
		e = errno;
		if (e == EINPROGRESS || e == EINTR) {
			w = smtpc_wait(fd, POLLOUT, smtpc_deadline(timeout_ms));
			if (w == 0)
				e = ETIMEDOUT;
			else if (w < 0)
				e = errno;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
				e = errno;
		}
	}
	if (e == 0) {
		c->fd = fd;
		smtpc_notef(c, '*', "connected to %s", c->peer);
		if (err != NULL && errlen > 0)
			err[0] = '\0';
		return SMTPC_OK;
	}
	if (fd >= 0)
		close(fd);
	rc = smtpc_connect_errno(e);
	if (rc == SMTPC_TIMEOUT)
		smtpc_why(c, "connect to %s: no answer within %d ms", c->peer, timeout_ms);
	else
		smtpc_why(c, "connect to %s: %s", c->peer, strerror(e));
	smtpc_notef(c, '*', "%s", c->why);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", c->why);
	c->peer[0] = '\0';
	return rc;
}

enum smtpc_rc
smtpc_connect(struct smtpc *c, const char *host, const char *port, int family, int timeout_ms,
	      char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM }, *res, *ai;
	enum smtpc_rc rc = SMTPC_RESOLVE;
	char all[512] = "";
	size_t used = 0;
	int g;

	smtpc_disconnect(c);
	g = getaddrinfo(host, port, &hints, &res);
	if (g != 0) {
		smtpc_why(c, "%s port %s: %s", host, port, gai_strerror(g));
		smtpc_notef(c, '*', "%s", c->why);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", c->why);
		return SMTPC_RESOLVE;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		rc = smtpc_connect_addr(c, ai->ai_addr, ai->ai_addrlen, timeout_ms, NULL, 0);
		if (rc == SMTPC_OK)
			break;
		if (used < sizeof(all))	/* every address's failure, in order */
			used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s",
						 used > 0 ? "; " : "", c->why);
	}
	freeaddrinfo(res);
	if (rc != SMTPC_OK)
		snprintf(c->why, sizeof(c->why), "%s", all);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", rc == SMTPC_OK ? "" : c->why);
	return rc;
}

/* ---- reading ---------------------------------------------------------- */

/* Read more bytes into rbuf (after those not yet used) before DEADLINE. */
static enum smtpc_rc
rd_more(struct smtpc *c, long long deadline, int timeout_ms)
{
	enum smtpc_rc rc;
	size_t got = 0;
	ssize_t n;
	int w;

	if (c->fd < 0) {
		smtpc_why(c, "not connected");
		return SMTPC_USAGE;
	}
	if (c->rpos > 0) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	if (c->rlen == sizeof(c->rbuf))
		return SMTPC_OK;	/* full: the caller uses it first */
	if (c->ssl != NULL) {
		rc = smtpc_tls_read(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, &got, deadline);
		if (rc == SMTPC_TIMEOUT)
			smtpc_why(c, "no reply within %d ms", timeout_ms);
		c->rlen += got;
		return rc;
	}
	for (;;) {
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (n > 0) {
			c->rlen += (size_t)n;
			return SMTPC_OK;
		}
		if (n == 0) {
			smtpc_why(c, "the server closed the connection");
			return SMTPC_EOF;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			smtpc_why(c, "read: %s", strerror(errno));
			return SMTPC_IO;
		}
		w = smtpc_wait(c->fd, POLLIN, deadline);
		if (w == 0) {
			smtpc_why(c, "no reply within %d ms", timeout_ms);
			return SMTPC_TIMEOUT;
		}
		if (w < 0) {
			smtpc_why(c, "poll: %s", strerror(errno));
			return SMTPC_IO;
		}
	}
}

/* The bytes of a reply line so far (LEN) can start a reply: "2", "25",
 * "250", "250-", "250 ..." - first digit 2 to 5. */
static int
reply_prefix_ok(const char *p, size_t len)
{
	size_t i;

	if (len > 0 && (p[0] < '2' || p[0] > '5'))
		return 0;
	for (i = 1; i < 3 && i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return len <= 3 || p[3] == ' ' || p[3] == '-';
}

/* Append a line to R (cut to what fits); NUL bytes become '?'. */
static void
reply_add(struct smtpc_reply *r, const char *p, size_t len)
{
	size_t i, room;

	r->nread++;
	if (r->nlines == SMTPC_REPLY_LINES || r->len >= sizeof(r->text))
		return;
	room = sizeof(r->text) - r->len - 1;
	if (len > room)
		len = room;
	r->off[r->nlines++] = (unsigned short)r->len;
	for (i = 0; i < len; i++)
		r->text[r->len + i] = p[i] != '\0' ? p[i] : '?';
	r->len += len;
	r->text[r->len++] = '\0';
}

const char *
smtpc_reply_line(const struct smtpc_reply *r, size_t i)
{
	return i < r->nlines ? r->text + r->off[i] : "";
}

const char *
smtpc_reply_text(const struct smtpc_reply *r, size_t i)
{
	const char *s = smtpc_reply_line(r, i);

	return strlen(s) >= 4 ? s + 4 : "";
}

/* Enhanced status code at the start of TEXT when its class is the
 * reply's ("5.7.8 Error: ..."), into R->enh. */
static void
reply_enh(struct smtpc_reply *r, const char *text)
{
	size_t n = strspn(text, "0123456789.");

	if (n >= 5 && n < sizeof(r->enh) && text[0] == '0' + r->code / 100 && text[1] == '.'
	    && (text[n] == ' ' || text[n] == '\0')) {
		memcpy(r->enh, text, n);
		r->enh[n] = '\0';
	}
}

/* The first bytes of a TLS record: handshake (0x16) or alert (0x15),
 * major version 3, minor 0 (SSL 3) to 4. */
static int
tls_record_at(const unsigned char *p)
{
	return (p[0] == 0x15 || p[0] == 0x16) && p[1] == 0x03 && p[2] <= 0x04;
}

/* On a plaintext connection: does the next reply start with a TLS
 * record? SMTPC_TLS_RECORD (R line 0: the bytes in hex) or OK. */
static enum smtpc_rc
reply_tls_check(struct smtpc *c, long long deadline, int timeout_ms, struct smtpc_reply *r)
{
	char hex[3 * 16 + 1];
	enum smtpc_rc rc;
	size_t i, n;

	if (c->rpos == c->rlen && (rc = rd_more(c, deadline, timeout_ms)) != SMTPC_OK)
		return rc;
	if (c->rbuf[c->rpos] != 0x15 && c->rbuf[c->rpos] != 0x16)
		return SMTPC_OK;
	while (c->rlen - c->rpos < 3)
		if ((rc = rd_more(c, deadline, timeout_ms)) != SMTPC_OK)
			return rc == SMTPC_TIMEOUT || rc == SMTPC_EOF ? SMTPC_GARBAGE : rc;
	if (!tls_record_at(c->rbuf + c->rpos))
		return SMTPC_OK;
	n = c->rlen - c->rpos < 16 ? c->rlen - c->rpos : 16;
	for (i = 0; i < n; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", c->rbuf[c->rpos + i]);
	hex[3 * n - 1] = '\0';
	reply_add(r, hex, strlen(hex));
	smtpc_notef(c, '<', "(TLS record) %s", hex);
	smtpc_why(c, "a TLS record where an SMTP reply was expected (the port speaks TLS)");
	c->rpos = c->rlen = 0;
	return SMTPC_TLS_RECORD;
}

/* One line into LINE (at most SMTPC_LINE_MAX bytes kept, *CUT when more
 * came), CR LF removed; *TOTAL counts every byte of the reply. OK when a
 * line feed ended it; else the rc of the read, LINE holding the part. */
static enum smtpc_rc
rd_line(struct smtpc *c, long long deadline, int timeout_ms, char *line, size_t *len, int *cut,
	size_t *total)
{
	const unsigned char *nl;
	enum smtpc_rc rc;
	size_t avail, take, keep;

	*len = 0;
	*cut = 0;
	for (;;) {
		if (c->rpos == c->rlen && (rc = rd_more(c, deadline, timeout_ms)) != SMTPC_OK)
			break;
		avail = c->rlen - c->rpos;
		nl = memchr(c->rbuf + c->rpos, '\n', avail);
		take = nl != NULL ? (size_t)(nl - (c->rbuf + c->rpos)) : avail;
		keep = take;
		if (*len + keep > SMTPC_LINE_MAX + 1)	/* + 1: room for a CR */
			keep = SMTPC_LINE_MAX + 1 - *len;
		if (keep < take)
			*cut = 1;
		memcpy(line + *len, c->rbuf + c->rpos, keep);
		*len += keep;
		c->rpos += take + (nl != NULL);
		*total += take + (nl != NULL);
		if (*total > SMTPC_REPLY_BYTES) {
			smtpc_why(c, "a reply longer than %d bytes", SMTPC_REPLY_BYTES);
			rc = SMTPC_GARBAGE;
			break;
		}
		if (nl != NULL) {
			rc = SMTPC_OK;
			break;
		}
	}
	if (rc == SMTPC_OK && *len > 0 && line[*len - 1] == '\r')
		(*len)--;
	if (*len > SMTPC_LINE_MAX) {
		*len = SMTPC_LINE_MAX;
		*cut = 1;
	}
	return rc;
}

enum smtpc_rc
smtpc_read_reply(struct smtpc *c, int timeout_ms, struct smtpc_reply *r)
{
	long long deadline = smtpc_deadline(timeout_ms);
	char line[SMTPC_LINE_MAX + 2];
	size_t len, total = 0;
	enum smtpc_rc rc;
	int cut;

	r->code = 0;
	r->enh[0] = '\0';
	r->nlines = r->nread = r->len = 0;
	r->cut = 0;
	c->why[0] = '\0';
	if (c->ssl == NULL && (rc = reply_tls_check(c, deadline, timeout_ms, r)) != SMTPC_OK)
		return rc;
	for (;;) {
		rc = rd_line(c, deadline, timeout_ms, line, &len, &cut, &total);
		if (rc != SMTPC_OK && len == 0)
			return rc;
		smtpc_note(c, '<', line, len);
		reply_add(r, line, len);
		r->cut |= cut;
		if (!reply_prefix_ok(line, len) || (rc == SMTPC_OK && len < 3)) {
			smtpc_why(c, "not an SMTP reply");
			return SMTPC_GARBAGE;
		}
		if (rc != SMTPC_OK)	/* stalled or closed within a line */
			return rc;
		r->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (len == 3 || line[3] == ' ')
			break;
	}
	line[len] = '\0';	/* the last line, kept or not */
	reply_enh(r, len > 4 ? line + 4 : "");
	return SMTPC_OK;
}

/* ---- sending ------------------------------------------------------------ */

/* Send LINE[0..N) (with its CR LF); the transcript shows SHOWN. */
static enum smtpc_rc
smtpc_write(struct smtpc *c, const char *line, size_t n, const char *shown, size_t shown_len,
	    int timeout_ms)
{
	long long deadline = smtpc_deadline(timeout_ms);
	size_t off = 0;
	ssize_t w;
	int ok;

	c->why[0] = '\0';
	if (c->fd < 0) {
		smtpc_why(c, "not connected");
		return SMTPC_USAGE;
	}
	smtpc_note(c, '>', shown, shown_len);
	if (c->ssl != NULL)
		return smtpc_tls_write(c, line, n, deadline);
	while (off < n) {
		w = send(c->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			smtpc_why(c, "write: %s", strerror(errno));
			return errno == EPIPE ? SMTPC_EOF : SMTPC_IO;
		}
		ok = smtpc_wait(c->fd, POLLOUT, deadline);
		if (ok == 0) {
			smtpc_why(c, "could not send within %d ms", timeout_ms);
			return SMTPC_TIMEOUT;
		}
		if (ok < 0) {
			smtpc_why(c, "poll: %s", strerror(errno));
			return SMTPC_IO;
		}
	}
	return SMTPC_OK;
}

static enum smtpc_rc
smtpc_vsend(struct smtpc *c, int timeout_ms, int flags, const char *fmt, va_list ap)
{
	char line[SMTPC_CMD_MAX + 3];
	enum smtpc_rc rc;
	int n;

	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	if (n < 0 || (size_t)n > SMTPC_CMD_MAX || memchr(line, '\n', (size_t)n) != NULL
	    || memchr(line, '\r', (size_t)n) != NULL) {
		OPENSSL_cleanse(line, sizeof(line));
		smtpc_why(c, "command longer than %d bytes or with a line break", SMTPC_CMD_MAX);
		return SMTPC_USAGE;
	}
	memcpy(line + n, "\r\n", 3);
	if (flags & SMTPC_SECRET)
		rc = smtpc_write(c, line, (size_t)n + 2, "(secret)", 8, timeout_ms);
	else
		rc = smtpc_write(c, line, (size_t)n + 2, line, (size_t)n, timeout_ms);
	if (flags & SMTPC_SECRET)
		OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

enum smtpc_rc
smtpc_send(struct smtpc *c, int timeout_ms, int flags, const char *fmt, ...)
{
	enum smtpc_rc rc;
	va_list ap;

	va_start(ap, fmt);
	rc = smtpc_vsend(c, timeout_ms, flags, fmt, ap);
	va_end(ap);
	return rc;
}

enum smtpc_rc
smtpc_cmd(struct smtpc *c, int timeout_ms, struct smtpc_reply *r, const char *fmt, ...)
{
	enum smtpc_rc rc;
	va_list ap;

	r->code = 0;
	r->nlines = r->nread = r->len = 0;
	r->enh[0] = '\0';
	r->cut = 0;
	va_start(ap, fmt);
	rc = smtpc_vsend(c, timeout_ms, 0, fmt, ap);
	va_end(ap);
	if (rc != SMTPC_OK)
		return rc;
	return smtpc_read_reply(c, timeout_ms, r);
}

/* ---- EHLO ------------------------------------------------------------- */

/* Keywords that are flags, by where their flag is. */
static const struct {
	const char *kw;
	size_t off;
} smtpc_ehlo_flags[] = {
	{ "STARTTLS", offsetof(struct smtpc_ehlo, starttls) },
	{ "PIPELINING", offsetof(struct smtpc_ehlo, pipelining) },
	{ "8BITMIME", offsetof(struct smtpc_ehlo, eightbitmime) },
	{ "SMTPUTF8", offsetof(struct smtpc_ehlo, smtputf8) },
	{ "CHUNKING", offsetof(struct smtpc_ehlo, chunking) },
	{ "ENHANCEDSTATUSCODES", offsetof(struct smtpc_ehlo, enhancedstatuscodes) },
};

int
smtpc_ehlo_has_mech(const struct smtpc_ehlo *e, const char *mech)
{
	size_t i;

	for (i = 0; i < e->nmech; i++)
		if (strcasecmp(e->mech[i], mech) == 0)
			return 1;
	return 0;
}

/* The mechanisms in P (separated by blanks or, in the old form, '='). */
static void
ehlo_mechs(struct smtpc_ehlo *e, const char *p)
{
	char m[sizeof(e->mech[0])];
	size_t n, i;

	for (;;) {
		p += strspn(p, " \t=");
		n = strcspn(p, " \t=");
		if (n == 0)
			return;
		if (n < sizeof(m)) {
			for (i = 0; i < n; i++)
				m[i] = (p[i] >= 'a' && p[i] <= 'z') ? (char)(p[i] - 32) : p[i];
			m[n] = '\0';
			if (e->nmech < SMTPC_MECH_MAX && !smtpc_ehlo_has_mech(e, m))
				memcpy(e->mech[e->nmech++], m, n + 1);
		}
		p += n;
	}
}

void
smtpc_ehlo_parse(const struct smtpc_reply *r, struct smtpc_ehlo *e)
{
	const char *t, *arg;
	size_t i, k, n;

	memset(e, 0, sizeof(*e));
	t = smtpc_reply_text(r, 0);
	n = strcspn(t, " \t");
	if (n >= sizeof(e->domain))
		n = sizeof(e->domain) - 1;
	memcpy(e->domain, t, n);
	e->domain[n] = '\0';
	for (i = 1; i < r->nlines; i++) {
		t = smtpc_reply_text(r, i);
		n = strcspn(t, " \t=");
		arg = t + n + strspn(t + n, " \t");
		for (k = 0; k < sizeof(smtpc_ehlo_flags) / sizeof(smtpc_ehlo_flags[0]); k++)
			if (strlen(smtpc_ehlo_flags[k].kw) == n
			    && strncasecmp(t, smtpc_ehlo_flags[k].kw, n) == 0)
				*(int *)((char *)e + smtpc_ehlo_flags[k].off) = 1;
		if (n == 4 && strncasecmp(t, "SIZE", 4) == 0) {
			e->size = 1;
			e->size_limit = strtoull(arg, NULL, 10);
		} else if (n == 4 && strncasecmp(t, "AUTH", 4) == 0) {
			e->auth = 1;
			if (t[4] == '=')
				e->auth_old_form = 1;
			ehlo_mechs(e, t + 4);
		}
	}
}

enum smtpc_rc
smtpc_ehlo(struct smtpc *c, const char *name, int timeout_ms, struct smtpc_reply *r,
	   struct smtpc_ehlo *e)
{
	enum smtpc_rc rc = smtpc_cmd(c, timeout_ms, r, "EHLO %s", name);

	memset(e, 0, sizeof(*e));
	if (rc == SMTPC_OK && r->code / 100 == 2)
		smtpc_ehlo_parse(r, e);
	return rc;
}

/* ---- AUTH ----------------------------------------------------------- */

#define SMTPC_CRED_MAX 255

/* Base64 of P[0..N) into OUT (room for 4 * ((N + 2) / 3) + 1). */
static void
b64(char *out, const void *p, size_t n)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* AUTH PLAIN with the initial response: "\0user\0pass". */
static enum smtpc_rc
auth_plain(struct smtpc *c, const char *user, const char *pass, int timeout_ms,
	   struct smtpc_reply *r)
{
	unsigned char raw[2 * SMTPC_CRED_MAX + 2];
	char enc[4 * ((sizeof(raw) + 2) / 3) + 1];
	char line[sizeof(enc) + 16];
	size_t ul = strlen(user), pl = strlen(pass);
	enum smtpc_rc rc;
	int n;

	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, pass, pl);
	b64(enc, raw, ul + pl + 2);
	n = snprintf(line, sizeof(line), "AUTH PLAIN %s\r\n", enc);
	rc = smtpc_write(c, line, (size_t)n, "AUTH PLAIN (secret)", 19, timeout_ms);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(line, sizeof(line));
	if (rc != SMTPC_OK)
		return rc;
	return smtpc_read_reply(c, timeout_ms, r);
}

/* Send base64 of S as a secret line. */
static enum smtpc_rc
auth_step(struct smtpc *c, const char *s, int timeout_ms)
{
	char enc[4 * ((SMTPC_CRED_MAX + 2) / 3) + 1], line[sizeof(enc) + 2];
	enum smtpc_rc rc;
	int n;

	b64(enc, s, strlen(s));
	n = snprintf(line, sizeof(line), "%s\r\n", enc);
	rc = smtpc_write(c, line, (size_t)n, "(secret)", 8, timeout_ms);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

/* AUTH LOGIN: 334 for the user name, 334 for the password, then the end. */
static enum smtpc_rc
auth_login(struct smtpc *c, const char *user, const char *pass, int timeout_ms,
	   struct smtpc_reply *r)
{
	const char *const steps[] = { user, pass };
	enum smtpc_rc rc;
	size_t i;

	rc = smtpc_cmd(c, timeout_ms, r, "AUTH LOGIN");
	for (i = 0; i < 2 && rc == SMTPC_OK && r->code == 334; i++) {
		rc = auth_step(c, steps[i], timeout_ms);
		if (rc == SMTPC_OK)
			rc = smtpc_read_reply(c, timeout_ms, r);
	}
	return rc;
}

enum smtpc_rc
smtpc_auth(struct smtpc *c, const char *mech, const char *user, const char *pass, int timeout_ms,
	   struct smtpc_reply *r)
{
	enum smtpc_rc rc;

	r->code = 0;
	r->nlines = r->nread = r->len = 0;
	r->enh[0] = '\0';
	r->cut = 0;
	if (strlen(user) > SMTPC_CRED_MAX || strlen(pass) > SMTPC_CRED_MAX) {
		smtpc_why(c, "credentials longer than %d bytes", SMTPC_CRED_MAX);
		return SMTPC_USAGE;
	}
	if (strcasecmp(mech, "PLAIN") == 0)
		rc = auth_plain(c, user, pass, timeout_ms, r);
	else if (strcasecmp(mech, "LOGIN") == 0)
		rc = auth_login(c, user, pass, timeout_ms, r);
	else {
		smtpc_why(c, "mechanism %s is not supported (PLAIN, LOGIN)", mech);
		return SMTPC_USAGE;
	}
	/* A challenge after every credential was sent: cancel the exchange. */
	if (rc == SMTPC_OK && r->code == 334)
		rc = smtpc_cmd(c, timeout_ms, r, "*");
	return rc;
}
