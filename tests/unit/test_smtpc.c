/*
 * test_smtpc.c - the probe's SMTP client connection (smtpc.c,
 * smtpc_tls.c) against scripted fake servers: each test forks a server on
 * 127.0.0.1 (an ephemeral port) that plays a script of send / expect /
 * TLS steps and exits non-zero when the client sent anything else, so the
 * server side is asserted too (waitpid). Certificates (two CAs, a server
 * certificate, an expired one) are made here with OpenSSL in a mkdtemp
 * directory. Loopback only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smtpc.h"
#include "util.h"

#define T_MS 2000		/* timeout for steps that should not time out */

/* ---- certificates ------------------------------------------------------ */

struct tc {
	EVP_PKEY *k;
	X509 *x;
};

static char tmpdir[64];
static struct tc ca1, ca2, leaf, expired, clientonly;

/* A certificate for CN valid FROM to TO days from now, signed by CA (NULL:
 * a self-signed CA), with the DNS names SAN ("DNS:a,DNS:b") if not NULL. */
static struct tc
tc_make(const char *cn, const struct tc *ca, long from, long to, const char *san)
{
	static long serial = 100;
	struct tc t;
	X509_NAME *nm;
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	t.k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(t.k);
	t.x = X509_new();
	assert_non_null(t.x);
	X509_set_version(t.x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(t.x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(t.x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(t.x), to * 86400 + 3600);
	nm = X509_get_subject_name(t.x);
	X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"fmrd test", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(t.x, ca != NULL ? X509_get_subject_name(ca->x) : nm);
	X509_set_pubkey(t.x, t.k);
	X509V3_set_ctx(&v3, ca != NULL ? ca->x : t.x, t.x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  ca == NULL ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(t.x, ext, -1);
	X509_EXTENSION_free(ext);
	if (san != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		assert_non_null(ext);
		X509_add_ext(t.x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(t.x, ca != NULL ? ca->k : t.k, EVP_sha256()) > 0);
	return t;
}

static const char *
tpath(const char *rel, char *buf, size_t size)
{
	if (rel == NULL || rel[0] == '/')
		return rel;
	snprintf(buf, size, "%s/%s", tmpdir, rel);
	return buf;
}

static void
write_cert(const char *rel, const struct tc *t)
{
	char path[256];
	FILE *fp = fopen(tpath(rel, path, sizeof(path)), "w");

	assert_non_null(fp);
	if (t != NULL)
		PEM_write_X509(fp, t->x);
	fclose(fp);
}

/* Files in tmpdir, removed by the teardown. */
static const char *const tfiles[] = { "ca1.pem", "ca2.pem", "empty.pem", "capath/HASH",
	"capath", "emptydir" };

static char capath_file[64];	/* capath/<hash>.0 */

static int
group_setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_smtpc.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	ca1 = tc_make("fmrd test CA", NULL, -1, 3650, NULL);
	ca2 = tc_make("fmrd other CA", NULL, -1, 3650, NULL);
	leaf = tc_make("mail.example.test", &ca1, -1, 30,
		       "DNS:mail.example.test,DNS:*.wild.example.test,DNS:mx*.part.example.test");
	expired = tc_make("mail.example.test", &ca1, -30, -2, "DNS:mail.example.test");
	clientonly = tc_make("mail.example.test", &ca1, -1, 30, "DNS:mail.example.test");
	{			/* a certificate for TLS clients only */
		X509V3_CTX v3;
		X509_EXTENSION *ext;

		X509V3_set_ctx(&v3, ca1.x, clientonly.x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, "clientAuth");
		X509_add_ext(clientonly.x, ext, -1);
		X509_EXTENSION_free(ext);
		assert_true(X509_sign(clientonly.x, ca1.k, EVP_sha256()) > 0);
	}
	write_cert("ca1.pem", &ca1);
	write_cert("ca2.pem", &ca2);
	write_cert("empty.pem", NULL);
	assert_int_equal(mkdir(tpath("capath", path, sizeof(path)), 0755), 0);
	assert_int_equal(mkdir(tpath("emptydir", path, sizeof(path)), 0755), 0);
	snprintf(capath_file, sizeof(capath_file), "capath/%08lx.0", X509_subject_name_hash(ca1.x));
	write_cert(capath_file, &ca1);
	return 0;
}

static int
group_teardown(void **state)
{
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tfiles) / sizeof(tfiles[0]); i++) {
		tpath(strcmp(tfiles[i], "capath/HASH") == 0 ? capath_file : tfiles[i], path,
		      sizeof(path));
		if (unlink(path) != 0)
			rmdir(path);
	}
	assert_int_equal(rmdir(tmpdir), 0);
	X509_free(ca1.x), EVP_PKEY_free(ca1.k);
	X509_free(ca2.x), EVP_PKEY_free(ca2.k);
	X509_free(leaf.x), EVP_PKEY_free(leaf.k);
	X509_free(expired.x), EVP_PKEY_free(expired.k);
	X509_free(clientonly.x), EVP_PKEY_free(clientonly.k);
	return 0;
}

/* ---- the scripted server --------------------------------------------- */

enum op {
	END = 0,		/* wait for the client to close, exit 0 */
	SEND,			/* send s (len bytes) */
	EXPECT,			/* read a line ending in CR LF: must be s */
	TLS,			/* server handshake with certificate len (CERT_*) */
	CLOSE,			/* close now, exit 0 */
	SLEEP,			/* len ms */
	READ,			/* read what is there (one recv), ignore it */
};

enum { CERT_LEAF, CERT_EXPIRED, CERT_CHAIN, CERT_CLIENTONLY };

struct step {
	enum op op;
	const char *s;
	size_t len;
};

#define S_SEND(lit) { SEND, (lit), sizeof(lit) - 1 }
#define S_EXPECT(lit) { EXPECT, (lit), 0 }
#define S_TLS(cert) { TLS, NULL, (cert) }

struct srv {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
};

static void
srv_send(struct srv *s, const char *p, size_t n)
{
	ssize_t w;
	int k;

	while (n > 0) {
		if (s->ssl != NULL) {
			k = SSL_write(s->ssl, p, (int)n);
			if (k <= 0)
				return;	/* the client went away: not this test's business */
			w = k;
		} else {
			w = send(s->fd, p, n, MSG_NOSIGNAL);
			if (w <= 0)
				return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One byte, or -1 at the end (or after 5 s of silence). */
static int
srv_getc(struct srv *s)
{
	unsigned char b;

	if (s->ssl != NULL)
		return SSL_read(s->ssl, &b, 1) == 1 ? b : -1;
	return recv(s->fd, &b, 1, 0) == 1 ? b : -1;
}

static void
srv_tls(struct srv *s, size_t cert)
{
	const struct tc *t = cert == CERT_EXPIRED ? &expired
	    : cert == CERT_CLIENTONLY ? &clientonly : &leaf;

	s->ctx = SSL_CTX_new(TLS_server_method());
	if (s->ctx == NULL || SSL_CTX_use_certificate(s->ctx, t->x) != 1
	    || SSL_CTX_use_PrivateKey(s->ctx, t->k) != 1)
		_exit(90);
	if (cert == CERT_CHAIN && SSL_CTX_add1_chain_cert(s->ctx, ca1.x) != 1)
		_exit(91);
	s->ssl = SSL_new(s->ctx);
	SSL_set_fd(s->ssl, s->fd);
	if (SSL_accept(s->ssl) != 1)
		_exit(92);
}

static void
srv_exit(struct srv *s, int code)
{
	if (s->ssl != NULL) {
		SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
	}
	SSL_CTX_free(s->ctx);
	close(s->fd);
	_exit(code);
}

static void
srv_run(int lfd, const struct step *script)
{
	struct timeval tv = { .tv_sec = 5 };
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	struct srv s = { .fd = -1 };
	char line[4096];
	size_t i, n;
	int ch;

	alarm(20);
	signal(SIGPIPE, SIG_IGN);	/* the server only: the client must not need it */
	if (poll(&p, 1, 5000) != 1 || (s.fd = accept(lfd, NULL, NULL)) < 0)
		_exit(80);
	close(lfd);
	setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0;; i++) {
		switch (script[i].op) {
		case END:
			while (srv_getc(&s) >= 0)
				;
			srv_exit(&s, 0);
			break;
		case SEND:
			srv_send(&s, script[i].s, script[i].len);
			break;
		case EXPECT:
			n = 0;
			while (n < sizeof(line) - 1 && (ch = srv_getc(&s)) >= 0 && ch != '\n')
				line[n++] = (char)ch;
			line[n] = '\0';
			if (n == 0 || line[n - 1] != '\r' || (line[n - 1] = '\0', 0)
			    || strcmp(line, script[i].s) != 0) {
				fprintf(stderr, "# server step %zu: expected \"%s\", got \"%s\"\n", i,
					script[i].s, line);
				srv_exit(&s, 20 + (int)i);
			}
			break;
		case TLS:
			srv_tls(&s, script[i].len);
			break;
		case CLOSE:
			srv_exit(&s, 0);
			break;
		case SLEEP:
			usleep((useconds_t)script[i].len * 1000);
			break;
		case READ:
			(void)recv(s.fd, line, sizeof(line), 0);
			break;
		}
	}
}

/* Fork a server playing SCRIPT; its port in *PORT (text). */
static pid_t
srv_start(const struct step *script, char *port, size_t size)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	assert_true(lfd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, size, "%u", ntohs(sin.sin_port));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		srv_run(lfd, script);
	close(lfd);
	return pid;
}

/* The server's exit status (0: it saw what it expected). */
static int
srv_wait(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static struct smtpc *
client(const char *port)
{
	struct smtpc *c = smtpc_new();
	char err[256];

	assert_int_equal(smtpc_connect(c, "127.0.0.1", port, AF_INET, T_MS, err, sizeof(err)),
			 SMTPC_OK);
	assert_string_equal(err, "");
	return c;
}

/* Does any transcript entry contain S? */
static int
transcript_has(const struct smtpc *c, const char *s)
{
	const struct smtpc_tline *t;
	size_t n, i;

	t = smtpc_transcript(c, &n);
	for (i = 0; i < n; i++)
		if (strstr(t[i].text, s) != NULL)
			return 1;
	return 0;
}

/* ---- replies ------------------------------------------------------------ */

static char flood[140000];	/* no line feed at all */
static char longline[1600];	/* "250 xxx...\r\n" */
static char manylines[70 * 8 + 32];	/* 70 x "250-ab\r\n", "250 2.0.0 end\r\n" */

struct rcase {
	const char *name;
	const char *data;
	size_t len;		/* 0: strlen */
	int close;		/* the server closes after sending, else stays silent */
	enum smtpc_rc rc;
	int code;
	size_t nlines, nread;
	int cut;
	const char *line0, *last;	/* NULL: not checked */
	const char *enh;
};

static const struct rcase rcases[] = {
	{ "greeting", "220 mail.example.test ESMTP\r\n", 0, 0, SMTPC_OK, 220, 1, 1, 0,
	  "220 mail.example.test ESMTP", NULL, "" },
	{ "multi-line", "250-one\r\n250-two\r\n250 three\r\n", 0, 0, SMTPC_OK, 250, 3, 3, 0,
	  "250-one", "250 three", "" },
	{ "LF only", "220 x\n", 0, 0, SMTPC_OK, 220, 1, 1, 0, "220 x", NULL, "" },
	{ "bare code", "250\r\n", 0, 0, SMTPC_OK, 250, 1, 1, 0, "250", NULL, "" },
	{ "enhanced", "535 5.7.8 Error: authentication failed\r\n", 0, 0, SMTPC_OK, 535, 1, 1, 0,
	  NULL, NULL, "5.7.8" },
	{ "enhanced other class", "250 5.0.0 odd\r\n", 0, 0, SMTPC_OK, 250, 1, 1, 0, NULL, NULL,
	  "" },
	{ "last line's code", "250-a\r\n251 b\r\n", 0, 0, SMTPC_OK, 251, 2, 2, 0, NULL, NULL, "" },
	{ "NUL byte", "220 a\0b\r\n", 9, 0, SMTPC_OK, 220, 1, 1, 0, "220 a?b", NULL, "" },
	{ "ssh banner", "SSH-2.0-OpenSSH_9.6\r\n", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0,
	  "SSH-2.0-OpenSSH_9.6", NULL, "" },
	{ "garbage no newline", "HTTP/1.1", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0, "HTTP/1.1", NULL, "" },
	{ "garbage continuation", "250-a\r\nhello\r\n", 0, 0, SMTPC_GARBAGE, 250, 2, 2, 0, NULL,
	  "hello", "" },
	{ "four digits", "2500 x\r\n", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0, NULL, NULL, "" },
	{ "code 199", "199 x\r\n", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0, NULL, NULL, "" },
	{ "short line", "25\r\n", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0, "25", NULL, "" },
	{ "TLS alert", "\x15\x03\x03\x00\x02\x02\x46", 7, 0, SMTPC_TLS_RECORD, 0, 1, 1, 0,
	  "15 03 03 00 02 02 46", NULL, "" },
	{ "TLS handshake", "\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00", 10, 1, SMTPC_TLS_RECORD, 0,
	  1, 1, 0, "16 03 01 00 05 02 00 00 01 00", NULL, "" },
	{ "0x16 not TLS", "\x16hello\r\n", 0, 0, SMTPC_GARBAGE, 0, 1, 1, 0, "\x16hello", NULL, "" },
	{ "silence", "", 0, 0, SMTPC_TIMEOUT, 0, 0, 0, 0, NULL, NULL, "" },
	{ "stall within a line", "220 mail", 0, 0, SMTPC_TIMEOUT, 0, 1, 1, 0, "220 mail", NULL,
	  "" },
	{ "stall within a reply", "250-a\r\n", 0, 0, SMTPC_TIMEOUT, 250, 1, 1, 0, NULL, NULL, "" },
	{ "closed", "", 0, 1, SMTPC_EOF, 0, 0, 0, 0, NULL, NULL, "" },
	{ "closed within a reply", "250-a\r\n", 0, 1, SMTPC_EOF, 250, 1, 1, 0, NULL, NULL, "" },
	{ "closed within a line", "421 4.3.2 shutting", 0, 1, SMTPC_EOF, 0, 1, 1, 0, NULL, NULL,
	  "" },
	{ "long line", longline, 0, 0, SMTPC_OK, 250, 1, 1, 1, NULL, NULL, "" },
	{ "many lines", manylines, 0, 0, SMTPC_OK, 250, SMTPC_REPLY_LINES, 71, 0, "250-ab", "250-ab",
	  "2.0.0" },
	{ "flood", flood, sizeof(flood), 0, SMTPC_GARBAGE, 0, 1, 1, 1, NULL, NULL, "" },
};

static void
fill_big(void)
{
	size_t i, n = 0;

	memset(flood, '2', sizeof(flood));
	memcpy(longline, "250 ", 4);
	memset(longline + 4, 'x', sizeof(longline) - 7);
	memcpy(longline + sizeof(longline) - 3, "\r\n", 3);
	for (i = 0; i < 70; i++)
		n += (size_t)snprintf(manylines + n, sizeof(manylines) - n, "250-ab\r\n");
	snprintf(manylines + n, sizeof(manylines) - n, "250 2.0.0 end\r\n");
}

static void
test_replies(void **state)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	struct step script[3];
	struct smtpc *c;
	const struct rcase *t;
	char port[16];
	size_t i;
	pid_t pid;

	(void)state;
	fill_big();
	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		t = &rcases[i];
		print_message("# %s\n", t->name);
		memset(script, 0, sizeof(script));
		script[0] = (struct step){ SEND, t->data, t->len > 0 ? t->len : strlen(t->data) };
		script[1].op = t->close ? CLOSE : END;
		pid = srv_start(script, port, sizeof(port));
		c = client(port);
		assert_int_equal(smtpc_read_reply(c, 300, r), t->rc);
		assert_int_equal(r->code, t->code);
		assert_int_equal(r->nlines, t->nlines);
		assert_int_equal(r->nread, t->nread);
		assert_int_equal(r->cut, t->cut);
		assert_string_equal(r->enh, t->enh);
		if (t->line0 != NULL)
			assert_string_equal(smtpc_reply_line(r, 0), t->line0);
		if (t->last != NULL)
			assert_string_equal(smtpc_reply_line(r, r->nlines - 1), t->last);
		assert_string_equal(smtpc_reply_line(r, r->nlines), "");
		if (t->rc != SMTPC_OK)
			assert_true(smtpc_error(c)[0] != '\0');
		if (t->cut && t->rc == SMTPC_OK)
			assert_int_equal(strlen(smtpc_reply_line(r, 0)), SMTPC_LINE_MAX);
		smtpc_close(c, 0);
		assert_int_equal(srv_wait(pid), 0);
	}
	free(r);
}

/* Silence: TIMEOUT after the timeout, not much later. */
static void
test_timeout_timing(void **state)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	const struct step script[] = { { END, NULL, 0 } };
	struct timespec a, b;
	struct smtpc *c;
	char port[16];
	long ms;
	pid_t pid;

	(void)state;
	pid = srv_start(script, port, sizeof(port));
	c = client(port);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(smtpc_read_reply(c, 300, r), SMTPC_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 295 && ms < 1000);
	assert_string_equal(smtpc_error(c), "no reply within 300 ms");
	smtpc_close(c, 0);
	assert_int_equal(srv_wait(pid), 0);
	free(r);
}

/* The transcript: control characters escaped, bounded. */
static void
test_transcript(void **state)
{
	static char many[300 * 8 + 16];
	struct step script[] = {
		S_SEND("220 a\x1b[31mred\r\n"),
		{ SEND, many, 0 },
		{ END, NULL, 0 },
	};
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	const struct smtpc_tline *t;
	struct smtpc *c;
	char port[16];
	size_t i, n = 0;
	pid_t pid;

	(void)state;
	for (i = 0; i < 299; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "250-ab\r\n");
	snprintf(many + n, sizeof(many) - n, "250 end\r\n");
	script[1].len = strlen(many);
	pid = srv_start(script, port, sizeof(port));
	c = client(port);
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	t = smtpc_transcript(c, &n);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].dir, '*');
	assert_string_equal(t[1].text, "220 a\\x1b[31mred");
	assert_int_equal(t[1].dir, '<');
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_int_equal(r->nread, 300);
	t = smtpc_transcript(c, &n);
	assert_int_equal(n, SMTPC_TRANSCRIPT_MAX);
	assert_string_equal(t[n - 1].text, "(transcript full)");
	smtpc_close(c, 0);
	assert_int_equal(srv_wait(pid), 0);
	free(r);
}

/* ---- connect ------------------------------------------------------------ */

static void
test_rc_names(void **state)
{
	static const struct {
		enum smtpc_rc rc;
		const char *name;
	} t[] = {
		{ SMTPC_OK, "ok" }, { SMTPC_TIMEOUT, "timeout" }, { SMTPC_EOF, "eof" },
		{ SMTPC_GARBAGE, "garbage" }, { SMTPC_TLS_RECORD, "tls-record" },
		{ SMTPC_NOT_TLS, "not-tls" }, { SMTPC_TLS_FAILED, "tls-failed" },
		{ SMTPC_REFUSED, "refused" }, { SMTPC_UNREACHABLE, "unreachable" },
		{ SMTPC_RESOLVE, "resolve" }, { SMTPC_IO, "io" }, { SMTPC_USAGE, "usage" },
		{ (enum smtpc_rc)99, "?" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(smtpc_rc_name(t[i].rc), t[i].name);
}

/* A port nothing listens on: bound, then closed. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static void
test_connect_refused(void **state)
{
	struct smtpc *c = smtpc_new();
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char port[16], err[256], want[64];

	(void)state;
	snprintf(port, sizeof(port), "%u", closed_port());
	assert_int_equal(smtpc_connect(c, "127.0.0.1", port, AF_INET, T_MS, err, sizeof(err)),
			 SMTPC_REFUSED);
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%s: Connection refused", port);
	assert_string_equal(err, want);
	assert_string_equal(smtpc_error(c), want);
	assert_string_equal(smtpc_peer(c), "");
	assert_true(transcript_has(c, want));
	/* the same through a sockaddr */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)atoi(port));
	assert_int_equal(smtpc_connect_addr(c, (struct sockaddr *)&sin, sizeof(sin), T_MS, err,
					    sizeof(err)), SMTPC_REFUSED);
	assert_string_equal(err, want);
	/* a service name that does not exist: no lookup leaves the host */
	assert_int_equal(smtpc_connect(c, "127.0.0.1", "no-such-service-fmrd", AF_INET, T_MS, err,
				       sizeof(err)), SMTPC_RESOLVE);
	assert_non_null(strstr(err, "no-such-service-fmrd"));
	/* an IPv4 address asked for as IPv6 */
	assert_int_equal(smtpc_connect(c, "127.0.0.1", port, AF_INET6, T_MS, err, sizeof(err)),
			 SMTPC_RESOLVE);
	smtpc_close(c, 0);
}

/* A listener whose accept queue is full (backlog 0, never accepting):
 * the kernel drops further SYNs, connect times out. */
static void
test_connect_timeout(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fill[8], nfill = 0, done;
	struct smtpc *c = smtpc_new();
	struct pollfd p;
	char port[16], err[256];
	long long t0;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	do {			/* fill the queue until a connect hangs */
		fill[nfill] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[nfill], (struct sockaddr *)&sin, sizeof(sin));
		p = (struct pollfd){ .fd = fill[nfill], .events = POLLOUT };
		done = poll(&p, 1, 100) == 0;
		nfill++;
	} while (!done && nfill < 8);
	assert_true(done);
	snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));
	t0 = time(NULL);
	assert_int_equal(smtpc_connect(c, "127.0.0.1", port, AF_INET, 300, err, sizeof(err)),
			 SMTPC_TIMEOUT);
	assert_true(time(NULL) - t0 < 3);
	assert_non_null(strstr(err, "no answer within 300 ms"));
	smtpc_close(c, 0);
	while (nfill > 0)
		close(fill[--nfill]);
	close(lfd);
}

/* ---- commands and EHLO -------------------------------------------------- */

struct ecase {
	const char *reply;
	const char *flags;	/* letters: s starttls, p pipelining, 8 8bitmime, u smtputf8,
				 * c chunking, e enhancedstatuscodes, z size, a auth, o old form */
	unsigned long long size;
	const char *mechs;	/* space separated, in order */
	const char *domain;
};

static const struct ecase ecases[] = {
	{ "250-mail.example.test Hello client.test\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n"
	  "250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN CRAM-MD5\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
	  "sp8ucezao", 35882577, "PLAIN LOGIN CRAM-MD5", "mail.example.test" },
	{ "250-x\r\n250-starttls\r\n250-auth plain xoauth2\r\n250 size\r\n", "sza", 0,
	  "PLAIN XOAUTH2", "x" },
	{ "250-x\r\n250 AUTH=LOGIN PLAIN\r\n", "ao", 0, "LOGIN PLAIN", "x" },
	{ "250-x\r\n250-AUTH\r\n250 STARTTLSX\r\n", "a", 0, "", "x" },
	{ "250 mail.example.test\r\n", "", 0, "", "mail.example.test" },
	{ "250-x\r\n250-AUTH A B C D E F G H I J K L M N O P Q R S\r\n250 AUTH A\r\n", "a", 0,
	  "A B C D E F G H I J K L M N O P", "x" },
	{ "502 5.5.2 Error: command not recognized\r\n", "", 0, "", "" },
};

static void
check_ehlo(const struct smtpc_ehlo *e, const struct ecase *t)
{
	static const struct {
		char letter;
		size_t off;
	} fl[] = {
		{ 's', offsetof(struct smtpc_ehlo, starttls) },
		{ 'p', offsetof(struct smtpc_ehlo, pipelining) },
		{ '8', offsetof(struct smtpc_ehlo, eightbitmime) },
		{ 'u', offsetof(struct smtpc_ehlo, smtputf8) },
		{ 'c', offsetof(struct smtpc_ehlo, chunking) },
		{ 'e', offsetof(struct smtpc_ehlo, enhancedstatuscodes) },
		{ 'z', offsetof(struct smtpc_ehlo, size) },
		{ 'a', offsetof(struct smtpc_ehlo, auth) },
		{ 'o', offsetof(struct smtpc_ehlo, auth_old_form) },
	};
	char mechs[512] = "";
	size_t i, n = 0;

	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		assert_int_equal(*(const int *)((const char *)e + fl[i].off),
				 strchr(t->flags, fl[i].letter) != NULL);
	assert_true(e->size_limit == t->size);
	for (i = 0; i < e->nmech; i++)
		n += (size_t)snprintf(mechs + n, sizeof(mechs) - n, "%s%s", i > 0 ? " " : "",
				      e->mech[i]);
	assert_string_equal(mechs, t->mechs);
	assert_string_equal(e->domain, t->domain);
}

static void
test_ehlo(void **state)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	struct smtpc_ehlo e;
	struct step script[] = {
		S_SEND("220 x ESMTP\r\n"),
		S_EXPECT("EHLO client.test"),
		{ SEND, NULL, 0 },
		{ END, NULL, 0 },
	};
	struct smtpc *c;
	char port[16];
	size_t i;
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		print_message("# ehlo %zu\n", i);
		script[2].s = ecases[i].reply;
		script[2].len = strlen(ecases[i].reply);
		pid = srv_start(script, port, sizeof(port));
		c = client(port);
		assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
		assert_int_equal(smtpc_ehlo(c, "client.test", T_MS, r, &e), SMTPC_OK);
		check_ehlo(&e, &ecases[i]);
		smtpc_ehlo_parse(r, &e);	/* the same from the reply alone */
		if (r->code == 250)
			check_ehlo(&e, &ecases[i]);
		assert_int_equal(smtpc_ehlo_has_mech(&e, "plain"), strstr(ecases[i].mechs, "PLAIN") != NULL);
		smtpc_close(c, 0);
		assert_int_equal(srv_wait(pid), 0);
	}
	free(r);
}

/* Commands: QUIT on close, secret lines, limits. */
static void
test_send(void **state)
{
	const struct step script[] = {
		S_SEND("220 x ESMTP\r\n"),
		S_EXPECT("MAIL FROM:<a@example.test>"),
		S_SEND("250 2.1.0 Ok\r\n"),
		S_EXPECT("X-SECRET sekrit-4711"),
		S_EXPECT("RSET"),
		S_SEND("250 2.0.0 Ok\r\n"),
		S_EXPECT("QUIT"),
		S_SEND("221 2.0.0 Bye\r\n"),
		{ END, NULL, 0 },
	};
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	char big[SMTPC_CMD_MAX + 10];
	struct smtpc *c;
	char port[16];
	pid_t pid;

	(void)state;
	pid = srv_start(script, port, sizeof(port));
	c = client(port);
	assert_int_equal(strncmp(smtpc_peer(c), "127.0.0.1:", 10), 0);
	assert_string_equal(smtpc_peer(c) + 10, port);
	assert_int_equal(smtpc_tls_active(c), 0);
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_int_equal(smtpc_cmd(c, T_MS, r, "MAIL FROM:<%s>", "a@example.test"), SMTPC_OK);
	assert_int_equal(r->code, 250);
	assert_string_equal(r->enh, "2.1.0");
	assert_int_equal(smtpc_send(c, T_MS, SMTPC_SECRET, "X-SECRET %s", "sekrit-4711"), SMTPC_OK);
	assert_false(transcript_has(c, "sekrit"));
	assert_true(transcript_has(c, "(secret)"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(smtpc_send(c, T_MS, 0, "%s", big), SMTPC_USAGE);
	assert_int_equal(smtpc_send(c, T_MS, 0, "RSET\r\nQUIT"), SMTPC_USAGE);
	assert_int_equal(smtpc_cmd(c, T_MS, r, "RSET"), SMTPC_OK);
	assert_int_equal(r->code, 250);
	smtpc_close(c, T_MS);	/* QUIT, 221 */
	assert_int_equal(srv_wait(pid), 0);
	/* not connected */
	c = smtpc_new();
	assert_int_equal(smtpc_send(c, T_MS, 0, "NOOP"), SMTPC_USAGE);
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_USAGE);
	smtpc_close(c, T_MS);
	free(r);
}

/* ---- AUTH --------------------------------------------------------------- */

#define USER "fmrd-user@example.test"
#define PASS "Pw-uniq-7f3a9c!"
#define B64_PLAIN "AGZtcmQtdXNlckBleGFtcGxlLnRlc3QAUHctdW5pcS03ZjNhOWMh"
#define B64_USER "Zm1yZC11c2VyQGV4YW1wbGUudGVzdA=="
#define B64_PASS "UHctdW5pcS03ZjNhOWMh"

struct acase {
	const char *name;
	const char *mech;
	int tls;
	struct step script[8];	/* after the greeting (and TLS) */
	enum smtpc_rc rc;
	int code;
	size_t nsecret;		/* "(secret)" lines in the transcript */
};

static const struct acase acases[] = {
	{ "PLAIN", "PLAIN", 0, {
		S_EXPECT("AUTH PLAIN " B64_PLAIN),
		S_SEND("235 2.7.0 Authentication successful\r\n"),
	}, SMTPC_OK, 235, 1 },
	{ "PLAIN rejected", "plain", 0, {
		S_EXPECT("AUTH PLAIN " B64_PLAIN),
		S_SEND("535 5.7.8 Error: authentication failed: " B64_USER "\r\n"),
	}, SMTPC_OK, 535, 1 },
	{ "PLAIN over TLS", "PLAIN", 1, {
		S_EXPECT("AUTH PLAIN " B64_PLAIN),
		S_SEND("235 2.7.0 Authentication successful\r\n"),
	}, SMTPC_OK, 235, 1 },
	{ "PLAIN, then a challenge", "PLAIN", 0, {
		S_EXPECT("AUTH PLAIN " B64_PLAIN),
		S_SEND("334 \r\n"),
		S_EXPECT("*"),
		S_SEND("501 5.7.0 Authentication aborted\r\n"),
	}, SMTPC_OK, 501, 1 },
	{ "LOGIN", "LOGIN", 0, {
		S_EXPECT("AUTH LOGIN"),
		S_SEND("334 VXNlcm5hbWU6\r\n"),
		S_EXPECT(B64_USER),
		S_SEND("334 UGFzc3dvcmQ6\r\n"),
		S_EXPECT(B64_PASS),
		S_SEND("235 2.7.0 Authentication successful\r\n"),
	}, SMTPC_OK, 235, 2 },
	{ "LOGIN over TLS", "LOGIN", 1, {
		S_EXPECT("AUTH LOGIN"),
		S_SEND("334 VXNlcm5hbWU6\r\n"),
		S_EXPECT(B64_USER),
		S_SEND("334 UGFzc3dvcmQ6\r\n"),
		S_EXPECT(B64_PASS),
		S_SEND("535 5.7.8 Error: authentication failed\r\n"),
	}, SMTPC_OK, 535, 2 },
	{ "LOGIN not offered", "LOGIN", 0, {
		S_EXPECT("AUTH LOGIN"),
		S_SEND("504 5.5.4 Unrecognized authentication type\r\n"),
	}, SMTPC_OK, 504, 0 },
	{ "LOGIN, server gone", "LOGIN", 0, {
		S_EXPECT("AUTH LOGIN"),
		S_SEND("334 VXNlcm5hbWU6\r\n"),
		S_EXPECT(B64_USER),
		{ CLOSE, NULL, 0 },
	}, SMTPC_EOF, 0, 1 },
};

static void
tls_opts_ca1(struct smtpc_tls_opts *o, char (*buf)[256])
{
	memset(o, 0, sizeof(*o));
	o->servername = "mail.example.test";
	o->configured.cafile = tpath("ca1.pem", buf[0], sizeof(buf[0]));
	o->system.add_default = 1;
	o->system.default_cafile = tpath("ca2.pem", buf[1], sizeof(buf[1]));
	o->system.default_capath = tpath("emptydir", buf[2], sizeof(buf[2]));
}

static void
test_auth(void **state)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	const struct smtpc_tline *tl;
	struct smtpc_tls_opts o;
	struct step script[12];
	char port[16], paths[3][256];
	const struct acase *t;
	struct smtpc *c;
	size_t i, k, n, nsecret;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, paths);
	for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++) {
		t = &acases[i];
		print_message("# auth %s\n", t->name);
		memset(script, 0, sizeof(script));
		n = 0;
		if (t->tls)
			script[n++] = (struct step)S_TLS(CERT_LEAF);
		script[n++] = (struct step)S_SEND("220 x ESMTP\r\n");
		for (k = 0; t->script[k].op != END; k++)
			script[n++] = t->script[k];
		pid = srv_start(script, port, sizeof(port));
		c = client(port);
		if (t->tls)
			assert_int_equal(smtpc_tls_start(c, &o, T_MS, info, NULL, 0), SMTPC_OK);
		assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
		assert_int_equal(smtpc_auth(c, t->mech, USER, PASS, T_MS, r), t->rc);
		assert_int_equal(r->code, t->code);
		/* no credential in any form in the transcript */
		assert_false(transcript_has(c, PASS));
		assert_false(transcript_has(c, B64_PASS));
		assert_false(transcript_has(c, B64_PLAIN));
		assert_false(transcript_has(c, USER));
		tl = smtpc_transcript(c, &n);
		for (k = nsecret = 0; k < n; k++)
			nsecret += strstr(tl[k].text, "(secret)") != NULL;
		assert_int_equal(nsecret, t->nsecret);
		smtpc_close(c, 0);
		assert_int_equal(srv_wait(pid), 0);
	}
	/* refused before anything is sent */
	c = smtpc_new();
	assert_int_equal(smtpc_auth(c, "CRAM-MD5", USER, PASS, T_MS, r), SMTPC_USAGE);
	{
		char longpass[300];

		memset(longpass, 'p', sizeof(longpass) - 1);
		longpass[sizeof(longpass) - 1] = '\0';
		assert_int_equal(smtpc_auth(c, "PLAIN", USER, longpass, T_MS, r), SMTPC_USAGE);
	}
	assert_false(transcript_has(c, PASS));
	smtpc_close(c, 0);
	free(info);
	free(r);
}

/* ---- TLS ---------------------------------------------------------------- */

/* STARTTLS up to the handshake; the server then expects EHLO and QUIT. */
static pid_t
starttls_server(int cert, char *port, size_t size)
{
	static struct step script[] = {
		S_SEND("220 mail.example.test ESMTP\r\n"),
		S_EXPECT("EHLO client.test"),
		S_SEND("250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
		S_EXPECT("STARTTLS"),
		S_SEND("220 2.0.0 Ready to start TLS\r\n"),
		S_TLS(0),
		S_EXPECT("EHLO client.test"),
		S_SEND("250-mail.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n"),
		S_EXPECT("QUIT"),
		S_SEND("221 2.0.0 Bye\r\n"),
		{ END, NULL, 0 },
	};

	script[5].len = (size_t)cert;
	return srv_start(script, port, size);
}

static struct smtpc *
starttls_client(const char *port, const struct smtpc_tls_opts *o, struct smtpc_tls_info *info)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	struct smtpc_ehlo e;
	struct smtpc *c = client(port);
	char err[256];

	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_int_equal(r->code, 220);
	assert_int_equal(smtpc_ehlo(c, "client.test", T_MS, r, &e), SMTPC_OK);
	assert_true(e.starttls);
	assert_int_equal(smtpc_tls_match(c, (const char *const[]){ "mail.example.test" }, 1, NULL,
					 0), -2);
	assert_int_equal(smtpc_cmd(c, T_MS, r, "STARTTLS"), SMTPC_OK);
	assert_int_equal(r->code, 220);
	assert_int_equal(smtpc_tls_start(c, o, T_MS, info, err, sizeof(err)), SMTPC_OK);
	assert_string_equal(err, "");
	assert_int_equal(smtpc_tls_active(c), 1);
	free(r);
	return c;
}

/* EHLO over TLS, QUIT, and the server content. */
static void
starttls_finish(struct smtpc *c, pid_t pid)
{
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	struct smtpc_ehlo e;

	assert_int_equal(smtpc_ehlo(c, "client.test", T_MS, r, &e), SMTPC_OK);
	assert_int_equal(r->code, 250);
	assert_true(smtpc_ehlo_has_mech(&e, "LOGIN"));
	assert_true(e.size_limit == 1000);
	smtpc_close(c, T_MS);
	assert_int_equal(srv_wait(pid), 0);
	free(r);
}

struct vcase {
	const char *name;
	int cert;
	struct smtpc_trust conf;	/* paths relative to tmpdir */
	const char *sys_file;	/* the system's default CA file, relative; "$": from
				 * $SSL_CERT_FILE (set to ca1.pem) */
	int conf_ok, conf_err, conf_depth;
	int sys_ok, sys_err;
	const char *load_error;	/* in conf.load_error ("" none) */
	size_t nchain;
};

#define UNTRUSTED X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY

static const struct vcase vcases[] = {
	{ "CAfile", CERT_LEAF, { .cafile = "ca1.pem" }, "ca2.pem", 1, 0, 0, 0, UNTRUSTED, "", 1 },
	{ "CApath", CERT_LEAF, { .capath = "capath" }, "ca2.pem", 1, 0, 0, 0, UNTRUSTED, "", 1 },
	{ "other CA", CERT_LEAF, { .cafile = "ca2.pem" }, "ca2.pem", 0, UNTRUSTED, 0, 0, UNTRUSTED,
	  "", 1 },
	{ "no CA at all", CERT_LEAF, { .cafile = NULL }, "ca2.pem", 0, UNTRUSTED, 0, 0, UNTRUSTED,
	  "", 1 },
	{ "system only", CERT_LEAF, { .cafile = "ca2.pem", .capath = "emptydir" }, "ca1.pem", 0,
	  UNTRUSTED, 0, 1, 0, "", 1 },
	{ "append default", CERT_LEAF, { .cafile = "ca2.pem", .add_default = 1,
	  .default_cafile = "ca1.pem", .default_capath = "emptydir" }, "ca2.pem", 1, 0, 0, 0,
	  UNTRUSTED, "", 1 },
	{ "missing CAfile", CERT_LEAF, { .cafile = "/nonexistent/ca.pem" }, "ca1.pem", 0,
	  UNTRUSTED, 0, 1, 0, "CAfile /nonexistent/ca.pem: No such file or directory", 1 },
	{ "CApath in the jail missing", CERT_LEAF, { .capath = "/nonexistent/certs" }, "ca1.pem",
	  0, UNTRUSTED, 0, 1, 0, "CApath /nonexistent/certs: No such file or directory", 1 },
	{ "CApath is a file", CERT_LEAF, { .capath = "ca1.pem" }, "ca1.pem", 0, UNTRUSTED, 0, 1, 0,
	  "ca1.pem: not a directory", 1 },
	{ "empty CAfile", CERT_LEAF, { .cafile = "empty.pem" }, "ca1.pem", 0, UNTRUSTED, 0, 1, 0,
	  "empty.pem: ", 1 },
	{ "expired", CERT_EXPIRED, { .cafile = "ca1.pem" }, "ca1.pem", 0,
	  X509_V_ERR_CERT_HAS_EXPIRED, 0, 0, X509_V_ERR_CERT_HAS_EXPIRED, "", 1 },
	{ "not for servers", CERT_CLIENTONLY, { .cafile = "ca1.pem" }, "ca2.pem", 0,
	  X509_V_ERR_INVALID_PURPOSE, 0, 0, UNTRUSTED, "", 1 },
	{ "system from $SSL_CERT_FILE", CERT_LEAF, { .cafile = "ca2.pem" }, "$", 0, UNTRUSTED, 0,
	  1, 0, "", 1 },
	{ "chain sent", CERT_CHAIN, { .cafile = "ca1.pem" }, "ca2.pem", 1, 0, 0, 0,
	  X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "", 2 },
};

static void
test_verify(void **state)
{
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	char p[6][256], port[16];
	struct smtpc_tls_opts o;
	const struct vcase *t;
	struct smtpc *c;
	size_t i;
	pid_t pid;

	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		t = &vcases[i];
		print_message("# verify %s\n", t->name);
		memset(&o, 0, sizeof(o));
		o.servername = "mail.example.test";
		o.configured = t->conf;
		o.configured.cafile = tpath(t->conf.cafile, p[0], sizeof(p[0]));
		o.configured.capath = tpath(t->conf.capath, p[1], sizeof(p[1]));
		o.configured.default_cafile = tpath(t->conf.default_cafile, p[2], sizeof(p[2]));
		o.configured.default_capath = tpath(t->conf.default_capath, p[3], sizeof(p[3]));
		o.system.add_default = 1;
		if (strcmp(t->sys_file, "$") == 0)
			setenv("SSL_CERT_FILE", tpath("ca1.pem", p[4], sizeof(p[4])), 1);
		else
			o.system.default_cafile = tpath(t->sys_file, p[4], sizeof(p[4]));
		o.system.default_capath = tpath("emptydir", p[5], sizeof(p[5]));
		pid = starttls_server(t->cert, port, sizeof(port));
		c = starttls_client(port, &o, info);
		assert_int_equal(info->configured.verified, t->conf_ok);
		assert_int_equal(info->configured.error, t->conf_err);
		assert_int_equal(info->configured.depth, t->conf_depth);
		assert_int_equal(info->system.verified, t->sys_ok);
		assert_int_equal(info->system.error, t->sys_err);
		if (t->conf_err != 0)
			assert_string_equal(info->configured.error_text,
					    X509_verify_cert_error_string(t->conf_err));
		assert_string_equal(info->configured.anchor, t->conf_ok ? "CN=fmrd test CA,O=fmrd test" : "");
		if (t->load_error[0] == '\0')
			assert_string_equal(info->configured.load_error, "");
		else
			assert_non_null(strstr(info->configured.load_error, t->load_error));
		assert_string_equal(info->system.load_error, "");
		assert_int_equal(info->nchain, t->nchain);
		assert_int_equal(info->nchain_all, t->nchain);
		starttls_finish(c, pid);
		unsetenv("SSL_CERT_FILE");
	}
	free(info);
}

/* What the connection says about the session and the chain. */
static void
test_tls_info(void **state)
{
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	char p[3][256], port[16], *fp;
	unsigned char md[32];
	unsigned int mdlen;
	struct smtpc_tls_opts o;
	const struct smtpc_cert *ci;
	struct smtpc *c;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, p);
	pid = starttls_server(CERT_CHAIN, port, sizeof(port));
	c = starttls_client(port, &o, info);
	assert_string_equal(info->protocol, "TLSv1.3");
	assert_true(strlen(info->cipher) > 4);
	assert_int_equal(info->injected, 0);
	ci = &info->chain[0];
	assert_string_equal(ci->subject, "CN=mail.example.test,O=fmrd test");
	assert_string_equal(ci->issuer, "CN=fmrd test CA,O=fmrd test");
	assert_int_equal(ci->nsan, 3);
	assert_int_equal(ci->nsan_all, 3);
	assert_string_equal(ci->san[0], "mail.example.test");
	assert_string_equal(ci->san[1], "*.wild.example.test");
	assert_int_equal(ci->days_left, 30);
	assert_true(labs((long)(ci->not_after - ci->not_before) - (31 * 86400 + 3600)) <= 2);
	assert_true(X509_digest(leaf.x, EVP_sha256(), md, &mdlen) == 1);
	fp = OPENSSL_buf2hexstr(md, mdlen);	/* "AB:CD:..." */
	assert_int_equal(strlen(ci->sha256), 32 * 3 - 1);
	assert_string_equal(ci->sha256, fp);
	OPENSSL_free(fp);
	assert_string_equal(info->chain[1].subject, "CN=fmrd test CA,O=fmrd test");
	assert_int_equal(info->chain[1].nsan, 0);
	assert_true(info->configured.verified);
	assert_true(transcript_has(c, "TLS TLSv1.3"));
	assert_true(transcript_has(c, "configured trust: verified; system trust: self-signed "
				   "certificate in certificate chain"));
	starttls_finish(c, pid);
	free(info);
}

struct mcase {
	const char *names[3];
	size_t n;
	int want;
	const char *matched;
};

static const struct mcase mcases[] = {
	{ { "mail.example.test" }, 1, 0, "mail.example.test" },
	{ { "MAIL.Example.TEST" }, 1, 0, "mail.example.test" },
	{ { "other.test", ".example.test" }, 2, 1, "mail.example.test" },
	{ { ".test" }, 1, 0, "mail.example.test" },
	{ { "example.test", ".mail.example.test" }, 2, -1, "" },
	{ { "x.wild.example.test" }, 1, 0, "*.wild.example.test" },
	{ { "a.b.wild.example.test" }, 1, -1, "" },
	{ { "mx1.part.example.test" }, 1, -1, "" },	/* no partial wildcards */
	{ { "wild.example.test" }, 1, -1, "" },
	{ { "", "mail.example.test" }, 2, 1, "mail.example.test" },
	{ { "mail.example.test" }, 0, -1, "" },
};

static void
test_match(void **state)
{
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	char p[3][256], port[16], matched[256];
	struct smtpc_tls_opts o;
	struct smtpc *c;
	size_t i;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, p);
	pid = starttls_server(CERT_LEAF, port, sizeof(port));
	c = starttls_client(port, &o, info);
	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		print_message("# match %zu\n", i);
		assert_int_equal(smtpc_tls_match(c, mcases[i].names, mcases[i].n, matched,
						 sizeof(matched)), mcases[i].want);
		assert_string_equal(matched, mcases[i].matched);
	}
	starttls_finish(c, pid);
	free(info);
}

/* Wrapper mode: TLS at once, the greeting over TLS. */
static void
test_implicit_tls(void **state)
{
	const struct step script[] = {
		S_TLS(CERT_LEAF),
		S_SEND("220 mail.example.test ESMTP\r\n"),
		S_EXPECT("EHLO client.test"),
		S_SEND("250-mail.example.test\r\n250 AUTH PLAIN\r\n"),
		{ END, NULL, 0 },
	};
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	char p[3][256], port[16];
	struct smtpc_tls_opts o;
	struct smtpc_ehlo e;
	struct smtpc *c;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, p);
	pid = srv_start(script, port, sizeof(port));
	c = client(port);
	assert_int_equal(smtpc_tls_start(c, &o, T_MS, info, NULL, 0), SMTPC_OK);
	assert_true(info->configured.verified);
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_int_equal(r->code, 220);
	assert_int_equal(smtpc_ehlo(c, "client.test", T_MS, r, &e), SMTPC_OK);
	assert_true(smtpc_ehlo_has_mech(&e, "PLAIN"));
	assert_int_equal(smtpc_tls_start(c, &o, T_MS, info, NULL, 0), SMTPC_USAGE);
	/* silence over TLS */
	assert_int_equal(smtpc_read_reply(c, 300, r), SMTPC_TIMEOUT);
	smtpc_close(c, 0);
	assert_int_equal(srv_wait(pid), 0);
	free(info);
	free(r);
}

/* The ways a TLS start goes wrong. */
struct tcase {
	const char *name;
	struct step script[4];
	enum smtpc_rc rc;
	const char *why;
};

static const struct tcase tcases[] = {
	{ "plaintext server", { S_SEND("220 plain.example.test ESMTP\r\n") }, SMTPC_NOT_TLS,
	  "\"220 plain.example.test ESMTP\"" },
	{ "silent server", { { END, NULL, 0 } }, SMTPC_TIMEOUT, "no TLS handshake within 300 ms" },
	{ "server closes", { { READ, NULL, 0 }, { CLOSE, NULL, 0 } }, SMTPC_EOF,
	  "the server closed the connection during the TLS handshake" },
	{ "server resets", { { SLEEP, NULL, 100 }, { CLOSE, NULL, 0 } }, SMTPC_IO,
	  "TLS handshake: Connection reset by peer" },
	{ "alert", { S_SEND("\x15\x03\x03\x00\x02\x02\x28") }, SMTPC_TLS_FAILED,
	  "TLS handshake: error:0A000410:SSL routines::sslv3 alert handshake failure" },
};

static void
test_tls_fail(void **state)
{
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	char p[3][256], port[16], err[512];
	struct smtpc_tls_opts o;
	struct smtpc *c;
	size_t i;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, p);
	for (i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
		print_message("# tls %s\n", tcases[i].name);
		pid = srv_start(tcases[i].script, port, sizeof(port));
		c = client(port);
		if (i == 0)
			usleep(100 * 1000);	/* the greeting is there before the hello */
		assert_int_equal(smtpc_tls_start(c, &o, 300, info, err, sizeof(err)), tcases[i].rc);
		assert_non_null(strstr(err, tcases[i].why));
		assert_string_equal(smtpc_error(c), err);
		assert_int_equal(smtpc_tls_active(c), 0);
		assert_true(transcript_has(c, tcases[i].why));
		smtpc_close(c, 0);
		assert_int_equal(srv_wait(pid), 0);
	}
	/* not connected */
	c = smtpc_new();
	assert_int_equal(smtpc_tls_start(c, &o, 300, info, err, sizeof(err)), SMTPC_USAGE);
	assert_string_equal(err, "not connected");
	smtpc_close(c, 0);
	free(info);
}

/* Plaintext sent along with the STARTTLS reply is dropped, not read as
 * if it came over TLS; a server closing after TLS is EOF. */
static void
test_injection(void **state)
{
	const struct step script[] = {
		S_SEND("220 x ESMTP\r\n"),
		S_EXPECT("STARTTLS"),
		S_SEND("220 2.0.0 Ready\r\n250 injected\r\n"),
		S_TLS(CERT_LEAF),
		S_SEND("250 over TLS\r\n"),
		{ CLOSE, NULL, 0 },
	};
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	char p[3][256], port[16];
	struct smtpc_tls_opts o;
	struct smtpc *c;
	pid_t pid;

	(void)state;
	tls_opts_ca1(&o, p);
	pid = srv_start(script, port, sizeof(port));
	c = client(port);
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_int_equal(smtpc_cmd(c, T_MS, r, "STARTTLS"), SMTPC_OK);
	assert_int_equal(r->code, 220);
	assert_int_equal(smtpc_tls_start(c, &o, T_MS, info, NULL, 0), SMTPC_OK);
	assert_int_equal(info->injected, strlen("250 injected\r\n"));
	assert_true(transcript_has(c, "14 plaintext bytes after the STARTTLS reply dropped"));
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
	assert_string_equal(smtpc_reply_line(r, 0), "250 over TLS");
	assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_EOF);
	smtpc_close(c, 0);
	assert_int_equal(srv_wait(pid), 0);
	free(info);
	free(r);
}

/* Writing to a server that has gone: an error, never SIGPIPE (the test
 * process does not ignore it), plain and over TLS. */
static void
test_peer_gone(void **state)
{
	const struct step plain[] = { S_SEND("220 x\r\n"), { CLOSE, NULL, 0 } };
	const struct step tls[] = { S_TLS(CERT_LEAF), S_SEND("220 x\r\n"), { CLOSE, NULL, 0 } };
	const struct step *const scripts[] = { plain, tls };
	struct smtpc_tls_info *info = xmalloc(sizeof(*info));
	struct smtpc_reply *r = xmalloc(sizeof(*r));
	char p[3][256], port[16];
	struct smtpc_tls_opts o;
	enum smtpc_rc rc;
	struct smtpc *c;
	size_t i;
	pid_t pid;
	int k;

	(void)state;
	tls_opts_ca1(&o, p);
	for (i = 0; i < 2; i++) {
		pid = srv_start(scripts[i], port, sizeof(port));
		c = client(port);
		if (i == 1)
			assert_int_equal(smtpc_tls_start(c, &o, T_MS, info, NULL, 0), SMTPC_OK);
		assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_OK);
		assert_int_equal(smtpc_read_reply(c, T_MS, r), SMTPC_EOF);
		assert_int_equal(srv_wait(pid), 0);
		for (k = 0, rc = SMTPC_OK; k < 5 && rc == SMTPC_OK; k++) {
			rc = smtpc_send(c, T_MS, 0, "NOOP");
			usleep(20 * 1000);
		}
		assert_true(rc == SMTPC_EOF || rc == SMTPC_IO);
		assert_true(smtpc_error(c)[0] != '\0');
		smtpc_close(c, 300);	/* QUIT fails quietly */
	}
	free(info);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rc_names),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_timeout_timing),
		cmocka_unit_test(test_transcript),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_ehlo),
		cmocka_unit_test(test_send),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_tls_info),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_implicit_tls),
		cmocka_unit_test(test_tls_fail),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_peer_gone),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
