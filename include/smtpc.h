/*
 * smtpc.h - the SMTP client connection under `fmrelay-doctor probe`: TCP
 * connect with a timeout, bounded reading of SMTP replies (telling a
 * stalled, closed, garbled or TLS-speaking server apart), lines sent with
 * secrets kept out of the transcript, EHLO extensions, STARTTLS or
 * implicit TLS with the server chain verified against two trust stores
 * (what smtp(8) is configured to trust, and the system bundle), name
 * matching, and AUTH PLAIN / LOGIN. Every call has a timeout; errors are
 * text; no OpenSSL type appears here. Loopback or not is the caller's
 * business: this module connects where it is told.
 */
#ifndef FMRD_SMTPC_H
#define FMRD_SMTPC_H

#include <stddef.h>
#include <time.h>
#include <sys/socket.h>

/* Result of every call that talks to the server. */
enum smtpc_rc {
	SMTPC_OK = 0,
	SMTPC_TIMEOUT,		/* nothing (more) within the timeout */
	SMTPC_EOF,		/* the server closed the connection */
	SMTPC_GARBAGE,		/* bytes that are not an SMTP reply */
	SMTPC_TLS_RECORD,	/* a TLS record where plaintext SMTP was expected */
	SMTPC_NOT_TLS,		/* plaintext SMTP where a TLS handshake was expected */
	SMTPC_TLS_FAILED,	/* the TLS handshake failed (text says why) */
	SMTPC_REFUSED,		/* connect: ECONNREFUSED */
	SMTPC_UNREACHABLE,	/* connect: network or host unreachable */
	SMTPC_RESOLVE,		/* the name or service could not be resolved */
	SMTPC_IO,		/* other socket error (reset, not connected, ...) */
	SMTPC_USAGE,		/* bad argument (line too long, no connection) */
};

/* "ok", "timeout", "eof", "garbage", "tls-record", ... (stable words). */
const char *smtpc_rc_name(enum smtpc_rc rc);

/* ---- the connection ------------------------------------------------ */

struct smtpc;

/* A connection object, not connected yet. Never NULL. */
struct smtpc *smtpc_new(void);

/* Send QUIT and read its reply when QUIT_TIMEOUT_MS > 0 (errors ignored),
 * then close the socket and free everything, transcript included. */
void smtpc_close(struct smtpc *c, int quit_timeout_ms);

/* Connect to HOST (a numeric address or a name) PORT (a number or a
 * service name) over FAMILY (AF_UNSPEC, AF_INET, AF_INET6); every address
 * is tried in order, each with TIMEOUT_MS. A previous connection of C is
 * closed first (the transcript is kept). On failure ERR says why. */
enum smtpc_rc smtpc_connect(struct smtpc *c, const char *host, const char *port, int family,
			    int timeout_ms, char *err, size_t errlen);
/* The same for one address the caller resolved. */
enum smtpc_rc smtpc_connect_addr(struct smtpc *c, const struct sockaddr *sa, socklen_t salen,
				 int timeout_ms, char *err, size_t errlen);
/* "192.0.2.1:587" or "[2001:db8::1]:587" after a connect, else "". */
const char *smtpc_peer(const struct smtpc *c);
/* 1 when the connection runs over TLS. */
int smtpc_tls_active(const struct smtpc *c);
/* Why the last call on C did not return OK ("connection reset by peer",
 * "no reply within 300 ms"), or "". */
const char *smtpc_error(const struct smtpc *c);

/* ---- replies --------------------------------------------------------- */

#define SMTPC_LINE_MAX 1000	/* bytes kept of a reply line (RFC 5321 text line) */
#define SMTPC_REPLY_LINES 64	/* lines kept of one reply */
#define SMTPC_REPLY_TEXT 16384	/* bytes kept of one reply, all lines */
#define SMTPC_REPLY_BYTES (128 * 1024)	/* more without an end: garbage */

/* About 16 KiB: allocate it, or keep few on the stack. */
struct smtpc_reply {
	int code;		/* 250; of the last line read (0: no reply) */
	char enh[16];		/* enhanced status code "5.7.8", or "" */
	size_t nlines;		/* lines kept (SMTPC_REPLY_LINES at most) */
	size_t nread;		/* lines read (more than nlines: dropped) */
	int cut;		/* a line was longer than SMTPC_LINE_MAX: cut */
	size_t len;		/* bytes used in text */
	char text[SMTPC_REPLY_TEXT];	/* the lines, each NUL-terminated */
	unsigned short off[SMTPC_REPLY_LINES];	/* where each starts */
};

/* Line I of R as received ("250-PIPELINING", CR LF removed, a NUL byte
 * made '?'), or "" past the end. On GARBAGE line 0 is what was read; on
 * TLS_RECORD it is the first bytes in hex ("15 03 03 00 02 02 46"). */
const char *smtpc_reply_line(const struct smtpc_reply *r, size_t i);
/* The text of line I after the code and its separator ("PIPELINING"). */
const char *smtpc_reply_text(const struct smtpc_reply *r, size_t i);

/* Read one reply (all its lines) within TIMEOUT_MS. OK: R holds it.
 * TIMEOUT, EOF: R holds the lines read before. GARBAGE, TLS_RECORD: see
 * smtpc_reply_line. Works on a plain socket and over TLS. */
enum smtpc_rc smtpc_read_reply(struct smtpc *c, int timeout_ms, struct smtpc_reply *r);

/* ---- commands --------------------------------------------------------- */

#define SMTPC_CMD_MAX 1000	/* longest command line sent, without CR LF */
#define SMTPC_SECRET 1		/* the transcript shows "(secret)" */

/* Format a command line, append CR LF and send it within TIMEOUT_MS.
 * With SMTPC_SECRET in FLAGS the line never reaches the transcript and
 * the formatting buffer is wiped. USAGE when longer than SMTPC_CMD_MAX. */
enum smtpc_rc smtpc_send(struct smtpc *c, int timeout_ms, int flags, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Send a command and read its reply (the same TIMEOUT_MS for each). */
enum smtpc_rc smtpc_cmd(struct smtpc *c, int timeout_ms, struct smtpc_reply *r,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- EHLO ---------------------------------------------------------- */

#define SMTPC_MECH_MAX 16	/* AUTH mechanisms kept */

struct smtpc_ehlo {
	char domain[256];	/* the name on the first line */
	int starttls;
	int pipelining;
	int eightbitmime;
	int smtputf8;
	int chunking;
	int enhancedstatuscodes;
	int size;		/* SIZE announced */
	unsigned long long size_limit;	/* its number (0: no limit given) */
	int auth;		/* AUTH announced (either form) */
	int auth_old_form;	/* "AUTH=..." seen */
	size_t nmech;
	char mech[SMTPC_MECH_MAX][32];	/* upper case, each once */
};

/* Extensions from a 250 reply to EHLO (keywords case-insensitive). */
void smtpc_ehlo_parse(const struct smtpc_reply *r, struct smtpc_ehlo *e);
/* 1 when MECH (case-insensitive) is among the AUTH mechanisms. */
int smtpc_ehlo_has_mech(const struct smtpc_ehlo *e, const char *mech);
/* Send "EHLO NAME", read the reply and parse it when it is 2xx (E is
 * cleared otherwise). */
enum smtpc_rc smtpc_ehlo(struct smtpc *c, const char *name, int timeout_ms, struct smtpc_reply *r,
			 struct smtpc_ehlo *e);

/* ---- TLS --------------------------------------------------------------- */

/* Where trust anchors come from. Paths are real paths on this host (the
 * caller resolves them under --root or the chroot). */
struct smtpc_trust {
	const char *cafile;	/* PEM file, or NULL */
	const char *capath;	/* hashed directory (c_rehash), or NULL */
	int add_default;	/* also the default locations below */
	const char *default_cafile;	/* NULL: $SSL_CERT_FILE or OpenSSL's default */
	const char *default_capath;	/* NULL: $SSL_CERT_DIR or OpenSSL's default */
};

struct smtpc_tls_opts {
	const char *servername;	/* SNI; NULL, "" or an IP literal: none sent */
	struct smtpc_trust configured;	/* what smtp(8) would trust */
	struct smtpc_trust system;	/* normally { .add_default = 1 } */
};

#define SMTPC_CHAIN_MAX 10	/* certificates kept of the peer chain */
#define SMTPC_SAN_MAX 16	/* DNS names kept per certificate */
#define SMTPC_VERIFY_ERRS 4	/* verification errors kept */

struct smtpc_cert {
	char subject[256];	/* RFC 2253: "CN=mail.example.com,O=Example" */
	char issuer[256];
	size_t nsan;		/* DNS names kept */
	size_t nsan_all;	/* DNS names in the certificate */
	char san[SMTPC_SAN_MAX][256];
	time_t not_before;
	time_t not_after;
	long days_left;		/* whole days until not_after; < 0: expired */
	char sha256[96];	/* "AB:CD:..." of the DER encoding */
};

struct smtpc_verify {
	int verified;		/* the chain ends at a trust anchor, no error */
	int error;		/* first OpenSSL X509_V_ERR_* (0: none) */
	int depth;		/* where it happened (0: the server's own) */
	char error_text[128];	/* X509_verify_cert_error_string */
	size_t nerrors;		/* errors kept (the first is the above) */
	struct {
		int error, depth;
	} errors[SMTPC_VERIFY_ERRS];
	char anchor[256];	/* subject of the chain's last certificate */
	char load_error[512];	/* trust locations that could not be used */
};

struct smtpc_tls_info {
	char protocol[32];	/* "TLSv1.3" */
	char cipher[64];	/* "TLS_AES_256_GCM_SHA384" */
	size_t injected;	/* plaintext bytes after the STARTTLS reply, dropped */
	size_t nchain;		/* certificates kept, as the server sent them */
	size_t nchain_all;
	struct smtpc_cert chain[SMTPC_CHAIN_MAX];	/* [0]: the server's own */
	struct smtpc_verify configured;	/* against opts.configured */
	struct smtpc_verify system;	/* against opts.system */
};

/* TLS client handshake on the connected socket within TIMEOUT_MS: after
 * "220 Ready to start TLS", or at once for implicit TLS (wrapper mode).
 * The handshake does not verify; the chain is verified afterwards against
 * both trust stores and described in INFO (about 48 KiB: not for a small
 * stack). OK, TIMEOUT, EOF, IO (a socket error: reset), NOT_TLS (the
 * server spoke plaintext SMTP) or TLS_FAILED; ERR says why. Later reads
 * and sends go over TLS; after a failure only smtpc_close is useful. */
enum smtpc_rc smtpc_tls_start(struct smtpc *c, const struct smtpc_tls_opts *o, int timeout_ms,
			      struct smtpc_tls_info *info, char *err, size_t errlen);

/* Does the server's certificate match one of the N reference NAMES
 * (X509_check_host, no partial wildcards; ".example.com" matches any
 * name below example.com, as a Postfix dot-nexthop)? The index of the
 * first that does, its matching certificate name in MATCHED; -1 for
 * none, -2 without a TLS connection. */
int smtpc_tls_match(const struct smtpc *c, const char *const *names, size_t n, char *matched,
		    size_t msize);

/* ---- AUTH ----------------------------------------------------------- */

/* AUTH MECH ("PLAIN" with an initial response, or "LOGIN") with USER and
 * PASS, each step within TIMEOUT_MS. OK when a final reply was read: R's
 * code tells (235 success, 535 rejected, ...). The credentials never
 * reach the transcript, and every buffer that held them is wiped. USAGE
 * for another mechanism or credentials longer than 255 bytes. Whether to
 * authenticate without verified TLS is the caller's decision. */
enum smtpc_rc smtpc_auth(struct smtpc *c, const char *mech, const char *user, const char *pass,
			 int timeout_ms, struct smtpc_reply *r);

/* ---- transcript ------------------------------------------------------- */

#define SMTPC_TRANSCRIPT_MAX 256	/* entries kept; then one "(transcript full)" */

struct smtpc_tline {
	char dir;		/* '>' sent, '<' received, '*' event (connect, TLS) */
	char *text;		/* control characters escaped (textsafe.h) */
};

/* The transcript so far: *N entries, valid until the next call on C. */
const struct smtpc_tline *smtpc_transcript(const struct smtpc *c, size_t *n);

#endif
