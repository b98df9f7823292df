/*
 * smtpc_tls.c - the TLS part of the SMTP client connection (smtpc.h):
 * a non-blocking client handshake over the connected socket (through a
 * small BIO of our own: send with MSG_NOSIGNAL, the first bytes kept so a
 * plaintext server is recognised), the server chain described, verified
 * afterwards against the configured and the system trust stores, name
 * matching, and reads and writes under a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smtpc_int.h"
#include "util.h"

/* ---- the socket BIO ------------------------------------------------- */

static int
bio_write(BIO *b, const char *in, int n)
{
	struct smtpc *c = BIO_get_data(b);
	ssize_t w;

	BIO_clear_retry_flags(b);
	w = send(c->fd, in, (size_t)n, MSG_NOSIGNAL);
	if (w >= 0)
		return (int)w;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_write(b);
	else
		c->io_errno = errno;
	return -1;
}

static int
bio_read(BIO *b, char *out, int n)
{
	struct smtpc *c = BIO_get_data(b);
	ssize_t r;
	size_t k;

	BIO_clear_retry_flags(b);
	r = recv(c->fd, out, (size_t)n, 0);
	if (r > 0) {
		k = (size_t)r < SMTPC_FIRST - c->nfirst ? (size_t)r : SMTPC_FIRST - c->nfirst;
		memcpy(c->first + c->nfirst, out, k);
		c->nfirst += k;
		return (int)r;
	}
	if (r == 0) {
		c->peer_closed = 1;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_read(b);
	else
		c->io_errno = errno;
	return -1;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO *
bio_new_socket(struct smtpc *c)
{
	BIO *b;

	c->biometh = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "smtpc socket");
	if (c->biometh == NULL)
		return NULL;
	BIO_meth_set_write(c->biometh, bio_write);
	BIO_meth_set_read(c->biometh, bio_read);
	BIO_meth_set_ctrl(c->biometh, bio_ctrl);
	b = BIO_new(c->biometh);
	if (b == NULL)
		return NULL;
	BIO_set_data(b, c);
	BIO_set_init(b, 1);
	return b;
}

/* ---- reads and writes under a deadline -------------------------------- */

/* After SSL_* returned N <= 0: wait for the socket (OK: try again) or
 * say why not. WHAT names the operation in c->why. */
static enum smtpc_rc
tls_retry(struct smtpc *c, int n, long long deadline, const char *what)
{
	unsigned long e;
	char buf[256];
	int w;

	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		w = smtpc_wait(c->fd, POLLIN, deadline);
		break;
	case SSL_ERROR_WANT_WRITE:
		w = smtpc_wait(c->fd, POLLOUT, deadline);
		break;
	case SSL_ERROR_ZERO_RETURN:
		smtpc_why(c, "the server closed the TLS session");
		return SMTPC_EOF;
	default:
		if (c->io_errno != 0) {
			smtpc_why(c, "%s: %s", what, strerror(c->io_errno));
			return c->io_errno == EPIPE ? SMTPC_EOF : SMTPC_IO;
		}
		if (c->peer_closed) {
			smtpc_why(c, "the server closed the connection");
			return SMTPC_EOF;
		}
		e = ERR_peek_last_error();
		ERR_error_string_n(e, buf, sizeof(buf));
		smtpc_why(c, "%s: %s", what, e != 0 ? buf : "TLS error");
		ERR_clear_error();
		return SMTPC_IO;
	}
	if (w == 0) {
		smtpc_why(c, "%s: timed out", what);
		return SMTPC_TIMEOUT;
	}
	if (w < 0) {
		smtpc_why(c, "poll: %s", strerror(errno));
		return SMTPC_IO;
	}
	return SMTPC_OK;
}

enum smtpc_rc
smtpc_tls_read(struct smtpc *c, void *buf, size_t n, size_t *got, long long deadline)
{
	enum smtpc_rc rc;
	int r;

	*got = 0;
	for (;;) {
		ERR_clear_error();
		r = SSL_read(c->ssl, buf, n > 65536 ? 65536 : (int)n);
		if (r > 0) {
			*got = (size_t)r;
			return SMTPC_OK;
		}
		if ((rc = tls_retry(c, r, deadline, "TLS read")) != SMTPC_OK)
			return rc;
	}
}

enum smtpc_rc
smtpc_tls_write(struct smtpc *c, const void *buf, size_t n, long long deadline)
{
	enum smtpc_rc rc;
	int r;

	for (;;) {
		ERR_clear_error();
		r = SSL_write(c->ssl, buf, (int)n);
		if (r > 0)
			return SMTPC_OK;	/* no partial writes: all of it */
		if ((rc = tls_retry(c, r, deadline, "TLS write")) != SMTPC_OK)
			return rc;
	}
}

void
smtpc_tls_end(struct smtpc *c)
{
	if (c->ssl != NULL) {
		if (!c->peer_closed && c->io_errno == 0)
			(void)SSL_shutdown(c->ssl);	/* close_notify, not waited for */
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	BIO_meth_free(c->biometh);
	c->ssl = NULL;
	c->ctx = NULL;
	c->biometh = NULL;
	ERR_clear_error();
}

/* ---- the chain ---------------------------------------------------------- */

static void
name_text(const X509_NAME *nm, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0
	    && (n = BIO_get_mem_data(b, &p)) > 0)
		snprintf(buf, size, "%.*s", (int)(n < (long)size ? n : (long)size - 1), p);
	BIO_free(b);
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void
cert_describe(X509 *x, time_t now, struct smtpc_cert *ci)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const GENERAL_NAME *g;
	int k, len;

	name_text(X509_get_subject_name(x), ci->subject, sizeof(ci->subject));
	name_text(X509_get_issuer_name(x), ci->issuer, sizeof(ci->issuer));
	ci->not_before = asn1_time(X509_get0_notBefore(x));
	ci->not_after = asn1_time(X509_get0_notAfter(x));
	ci->days_left = ci->not_after >= now ? (long)((ci->not_after - now) / 86400)
	    : -(long)((now - ci->not_after + 86399) / 86400);
	for (k = 0; gens != NULL && k < sk_GENERAL_NAME_num(gens); k++) {
		g = sk_GENERAL_NAME_value(gens, k);
		if (g->type != GEN_DNS)
			continue;
		ci->nsan_all++;
		len = ASN1_STRING_length(g->d.dNSName);
		if (ci->nsan == SMTPC_SAN_MAX || len < 0 || (size_t)len >= sizeof(ci->san[0])
		    || memchr(ASN1_STRING_get0_data(g->d.dNSName), '\0', (size_t)len) != NULL)
			continue;
		memcpy(ci->san[ci->nsan], ASN1_STRING_get0_data(g->d.dNSName), (size_t)len);
		ci->san[ci->nsan++][len] = '\0';
	}
	GENERAL_NAMES_free(gens);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1)
		mdlen = 0;
	for (i = 0; i < mdlen && 3 * i + 3 <= sizeof(ci->sha256); i++)
		snprintf(ci->sha256 + 3 * i, sizeof(ci->sha256) - 3 * i, "%02X:", md[i]);
	if (i > 0)
		ci->sha256[3 * i - 1] = '\0';
}

/* ---- trust stores and verification ---------------------------------- */

static void
load_error(struct smtpc_verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
load_error(struct smtpc_verify *v, const char *fmt, ...)
{
	size_t n = strlen(v->load_error);
	va_list ap;

	if (n + 3 >= sizeof(v->load_error))
		return;
	if (n > 0) {
		memcpy(v->load_error + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->load_error + n, sizeof(v->load_error) - n, fmt, ap);
	va_end(ap);
}

/* Why PATH cannot serve as a CA file (DIR 0) or directory (DIR 1), or
 * NULL when it can be tried. */
static const char *
path_problem(const char *path, int dir)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return strerror(errno);
	if (dir && !S_ISDIR(st.st_mode))
		return "not a directory";
	if (!dir && S_ISDIR(st.st_mode))
		return "a directory";
	return NULL;
}

static void
store_file(X509_STORE *st, const char *what, const char *file, struct smtpc_verify *v)
{
	const char *why = path_problem(file, 0);
	char buf[256];

	if (why == NULL && X509_STORE_load_file(st, file) != 1) {
		ERR_error_string_n(ERR_peek_last_error(), buf, sizeof(buf));
		why = buf;
	}
	if (why != NULL)
		load_error(v, "%s %s: %s", what, file, why);
	ERR_clear_error();
}

static void
store_dir(X509_STORE *st, const char *what, const char *dir, struct smtpc_verify *v)
{
	const char *why = path_problem(dir, 1);

	if (why == NULL && X509_STORE_load_path(st, dir) != 1)
		why = "cannot be used";
	if (why != NULL)
		load_error(v, "%s %s: %s", what, dir, why);
	ERR_clear_error();
}

/* A store with the anchors T names (problems in v->load_error). */
static X509_STORE *
trust_store(const struct smtpc_trust *t, struct smtpc_verify *v)
{
	X509_STORE *st = X509_STORE_new();
	const char *file, *dir;

	if (st == NULL)
		return NULL;
	if (t->cafile != NULL && t->cafile[0] != '\0')
		store_file(st, "CAfile", t->cafile, v);
	if (t->capath != NULL && t->capath[0] != '\0')
		store_dir(st, "CApath", t->capath, v);
	if (t->add_default) {
		if ((file = t->default_cafile) == NULL
		    && (file = getenv(X509_get_default_cert_file_env())) == NULL)
			file = X509_get_default_cert_file();
		if ((dir = t->default_capath) == NULL
		    && (dir = getenv(X509_get_default_cert_dir_env())) == NULL)
			dir = X509_get_default_cert_dir();
		if (file[0] != '\0')
			store_file(st, "default CAfile", file, v);
		if (dir[0] != '\0')
			store_dir(st, "default CApath", dir, v);
	}
	return st;
}

/* Every error OpenSSL finds, kept (up to SMTPC_VERIFY_ERRS), verification
 * going on so that all of them are seen. */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct smtpc_verify *v = X509_STORE_CTX_get_app_data(ctx);
	int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
	size_t i;

	if (ok || v == NULL)
		return 1;
	for (i = 0; i < v->nerrors; i++)
		if (v->errors[i].error == err && v->errors[i].depth == depth)
			return 1;
	if (v->nerrors < SMTPC_VERIFY_ERRS) {
		v->errors[v->nerrors].error = err;
		v->errors[v->nerrors].depth = depth;
		v->nerrors++;
	}
	return 1;
}

static void
chain_verify(const struct smtpc_trust *t, X509 *leaf, STACK_OF(X509) *chain,
	     struct smtpc_verify *v)
{
	X509_STORE *st = trust_store(t, v);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *built;
	int ok = 0;

	if (st != NULL && ctx != NULL && leaf != NULL
	    && X509_STORE_CTX_init(ctx, st, leaf, chain) == 1) {
		X509_STORE_CTX_set_default(ctx, "ssl_server");
		X509_STORE_CTX_set_app_data(ctx, v);
		X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
		ok = X509_verify_cert(ctx) == 1;
		built = X509_STORE_CTX_get0_chain(ctx);
		if (built != NULL && sk_X509_num(built) > 0)
			name_text(X509_get_subject_name(sk_X509_value(built, sk_X509_num(built) - 1)),
				  v->anchor, sizeof(v->anchor));
	}
	if (leaf == NULL && v->nerrors == 0) {
		v->errors[0].error = X509_V_ERR_UNSPECIFIED;
		v->nerrors = 1;
	}
	v->verified = ok && v->nerrors == 0;
	if (v->nerrors > 0) {
		v->error = v->errors[0].error;
		v->depth = v->errors[0].depth;
		snprintf(v->error_text, sizeof(v->error_text), "%s",
			 leaf == NULL ? "the server sent no certificate"
			 : X509_verify_cert_error_string(v->error));
	} else if (!v->verified) {
		snprintf(v->error_text, sizeof(v->error_text), "verification could not run");
	}
	if (!v->verified)
		v->anchor[0] = '\0';
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
}

static void
tls_describe(struct smtpc *c, const struct smtpc_tls_opts *o, struct smtpc_tls_info *info)
{
	STACK_OF(X509) *sk = SSL_get_peer_cert_chain(c->ssl);
	X509 *leaf = SSL_get0_peer_certificate(c->ssl);
	time_t now = time(NULL);
	const SSL_CIPHER *ciph = SSL_get_current_cipher(c->ssl);
	int i, n = sk != NULL ? sk_X509_num(sk) : 0;

	snprintf(info->protocol, sizeof(info->protocol), "%s", SSL_get_version(c->ssl));
	snprintf(info->cipher, sizeof(info->cipher), "%s",
		 ciph != NULL ? SSL_CIPHER_get_name(ciph) : "");
	info->nchain_all = (size_t)n;
	for (i = 0; i < n && i < SMTPC_CHAIN_MAX; i++)
		cert_describe(sk_X509_value(sk, i), now, &info->chain[info->nchain++]);
	chain_verify(&o->configured, leaf, sk, &info->configured);
	chain_verify(&o->system, leaf, sk, &info->system);
}

/* ---- the handshake ------------------------------------------------------- */

static int
is_ip_literal(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* The server spoke first, in plaintext: the first bytes are "220 ..."
 * (what else is waiting is read too, for the message). */
static int
first_is_smtp(struct smtpc *c)
{
	ssize_t r;

	if (c->nfirst < SMTPC_FIRST) {
		r = recv(c->fd, c->first + c->nfirst, SMTPC_FIRST - c->nfirst, MSG_DONTWAIT);
		if (r > 0)
			c->nfirst += (size_t)r;
	}
	return c->nfirst >= 4 && c->first[0] >= '2' && c->first[0] <= '5' && c->first[1] >= '0'
	    && c->first[1] <= '9' && c->first[2] >= '0' && c->first[2] <= '9'
	    && (c->first[3] == ' ' || c->first[3] == '-');
}

static enum smtpc_rc
tls_handshake(struct smtpc *c, const struct smtpc_tls_opts *o, int timeout_ms)
{
	long long deadline = smtpc_deadline(timeout_ms);
	enum smtpc_rc rc;
	size_t n;
	BIO *b;
	int r;

	c->nfirst = 0;
	c->peer_closed = 0;
	c->io_errno = 0;
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL || (c->ssl = SSL_new(c->ctx)) == NULL
	    || (b = bio_new_socket(c)) == NULL) {
		smtpc_why(c, "TLS: out of memory");
		return SMTPC_TLS_FAILED;
	}
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	SSL_set_bio(c->ssl, b, b);
	SSL_set_connect_state(c->ssl);
	if (o->servername != NULL && o->servername[0] != '\0' && !is_ip_literal(o->servername))
		SSL_set_tlsext_host_name(c->ssl, o->servername);
	for (;;) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (r == 1)
			return SMTPC_OK;
		rc = tls_retry(c, r, deadline, "TLS handshake");
		if (rc == SMTPC_TIMEOUT) {
			smtpc_why(c, "no TLS handshake within %d ms", timeout_ms);
			return rc;
		}
		if (rc != SMTPC_OK)
			break;
	}
	if (first_is_smtp(c)) {
		n = strcspn((const char *)c->first, "\r\n");
		smtpc_why(c, "the server sent plaintext SMTP where a TLS handshake was expected: "
			  "\"%.*s\"", (int)(n < c->nfirst ? n : c->nfirst), (const char *)c->first);
		return SMTPC_NOT_TLS;
	}
	if (rc == SMTPC_EOF)
		smtpc_why(c, "the server closed the connection during the TLS handshake");
	if (rc == SMTPC_EOF || (rc == SMTPC_IO && c->io_errno != 0))
		return rc;	/* the network, not TLS */
	return SMTPC_TLS_FAILED;
}

enum smtpc_rc
smtpc_tls_start(struct smtpc *c, const struct smtpc_tls_opts *o, int timeout_ms,
		struct smtpc_tls_info *info, char *err, size_t errlen)
{
	enum smtpc_rc rc;

	memset(info, 0, sizeof(*info));
	c->why[0] = '\0';
	if (c->fd < 0 || c->ssl != NULL) {
		smtpc_why(c, c->fd < 0 ? "not connected" : "TLS is already active");
		rc = SMTPC_USAGE;
	} else {
		if (c->rpos < c->rlen) {	/* sent before the handshake: not trusted */
			info->injected = c->rlen - c->rpos;
			smtpc_notef(c, '*', "%zu plaintext bytes after the STARTTLS reply dropped",
				    info->injected);
			c->rpos = c->rlen = 0;
		}
		rc = tls_handshake(c, o, timeout_ms);
	}
	if (rc != SMTPC_OK) {
		if (rc != SMTPC_USAGE) {
			smtpc_notef(c, '*', "%s", c->why);
			smtpc_tls_end(c);
		}
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", c->why);
		return rc;
	}
	tls_describe(c, o, info);
	smtpc_notef(c, '*', "TLS %s %s; configured trust: %s; system trust: %s", info->protocol,
		    info->cipher, info->configured.verified ? "verified" : info->configured.error_text,
		    info->system.verified ? "verified" : info->system.error_text);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return SMTPC_OK;
}

int
smtpc_tls_match(const struct smtpc *c, const char *const *names, size_t n, char *matched,
		size_t msize)
{
	X509 *x = c->ssl != NULL ? SSL_get0_peer_certificate(c->ssl) : NULL;
	char *peer;
	size_t i;

	if (matched != NULL && msize > 0)
		matched[0] = '\0';
	if (x == NULL)
		return -2;
	for (i = 0; i < n; i++) {
		peer = NULL;
		if (names[i] == NULL || names[i][0] == '\0'
		    || X509_check_host(x, names[i], 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, &peer) != 1)
			continue;
		if (matched != NULL && msize > 0)
			snprintf(matched, msize, "%s", peer != NULL ? peer : names[i]);
		OPENSSL_free(peer);
		return (int)i;
	}
	ERR_clear_error();
	return -1;
}
