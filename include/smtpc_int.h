/*
 * smtpc_int.h - between smtpc.c (socket, replies, commands, transcript)
 * and smtpc_tls.c (handshake, chain, trust stores): the connection object
 * and the few helpers both use. Not for other modules.
 */
#ifndef FMRD_SMTPC_INT_H
#define FMRD_SMTPC_INT_H

#include <stdarg.h>
#include <openssl/ssl.h>

#include "smtpc.h"

#define SMTPC_RBUF 4096		/* read buffer */
#define SMTPC_FIRST 128		/* first bytes read by the TLS layer, kept */

struct smtpc {
	int fd;			/* -1: not connected */
	char peer[80];		/* "192.0.2.1:587" */
	char why[512];		/* smtpc_error */
	unsigned char rbuf[SMTPC_RBUF];	/* bytes received, not yet used */
	size_t rpos, rlen;
	/* TLS (smtpc_tls.c) */
	SSL_CTX *ctx;
	SSL *ssl;
	BIO_METHOD *biometh;
	int peer_closed;	/* the socket read returned 0 */
	int io_errno;		/* the last hard socket error under TLS */
	unsigned char first[SMTPC_FIRST];	/* what the handshake read first */
	size_t nfirst;
	/* transcript */
	struct smtpc_tline *tr;
	size_t ntr;
};

/* Milliseconds on the monotonic clock; a deadline TIMEOUT_MS from now. */
long long smtpc_now_ms(void);
long long smtpc_deadline(int timeout_ms);
/* poll FD for EVENTS until DEADLINE: 1 ready, 0 timed out, -1 error. */
int smtpc_wait(int fd, short events, long long deadline);

/* Set c->why (printf format). */
void smtpc_why(struct smtpc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append an entry to the transcript: P[0..N) made safe. */
void smtpc_note(struct smtpc *c, char dir, const char *p, size_t n);
void smtpc_notef(struct smtpc *c, char dir, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Under TLS: read at most N bytes into BUF (*GOT), or write all N bytes,
 * before DEADLINE. OK, TIMEOUT, EOF or IO (c->why). */
enum smtpc_rc smtpc_tls_read(struct smtpc *c, void *buf, size_t n, size_t *got,
			     long long deadline);
enum smtpc_rc smtpc_tls_write(struct smtpc *c, const void *buf, size_t n, long long deadline);
/* Free the TLS state (after a close_notify attempt). */
void smtpc_tls_end(struct smtpc *c);

#endif
