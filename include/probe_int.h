/*
 * probe_int.h - internals of the probe shared by src/probe/probe*.c only:
 * next-hop syntax and ports, TLS levels, AUTH mechanisms after Postfix's
 * filters (probe_util.c), name resolution as smtp(8) does it
 * (probe_dns.c), and the password map's credentials for the next hop
 * (probe_cred.c). probe.h is the public API.
 */
#ifndef FMRD_PROBE_INT_H
#define FMRD_PROBE_INT_H

#include <stddef.h>
#include <sys/socket.h>

#include "observe.h"
#include "pfconf.h"
#include "probe.h"
#include "smtpc.h"

/* ---- probe_util.c ----------------------------------------------------- */

/* Parse a next hop ("[host]:port", "[host]", "host:service", "host") into
 * res->dest, host, port, port_num, bracketed. -1 (message printed) when
 * it is not one. */
int probe_dest_parse(const char *dest, struct probe_result *res);
/* Port 465 (smtps, submissions)? */
int probe_port_is_smtps(const char *port_num);

/* What a TLS security level asks of the session. */
enum tls_want { TW_NONE = 0, TW_MAY, TW_ENCRYPT, TW_VERIFY };
enum tls_want probe_level_want(const char *level);

/* The offered mechanisms, blank separated. */
void probe_mechs_text(const struct smtpc_ehlo *e, char *buf, size_t size);
/* Those smtp(8) may use: smtp_sasl_mechanism_filter (empty: all) and the
 * security options (noplaintext drops PLAIN and LOGIN, noanonymous
 * ANONYMOUS, nodictionary the shared-secret ones, ...). */
void probe_mechs_usable(const struct smtpc_ehlo *e, const char *opts, const char *filter,
			char *buf, size_t size);
/* snprintf that may cut: the probe's buffers are bounded on purpose. */
int probe_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Is WORD one of the blank-separated words of LIST (case-insensitive)? */
int probe_word_in(const char *list, const char *word);

/* ---- probe_dns.c ------------------------------------------------------ */

#define PROBE_ADDRS_MAX 16
struct probe_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];		/* "127.0.0.1", "::1" */
	char name[256];		/* the host name it belongs to (an MX host) */
};
struct probe_addrs {
	struct probe_addr a[PROBE_ADDRS_MAX];
	size_t n;
	char why[PROBE_DETAIL];	/* the phase's detail: what was found, or why not */
};
/* The addresses smtp(8) would try for res's next hop, in order: MX hosts
 * by preference unless bracketed (or the host itself without MX), each
 * host's addresses as inet_protocols allows, from DNS unless
 * smtp_host_lookup has native; when CHROOTED, asking the name servers of
 * the jail's resolv.conf. Failures are observations (dns.not_found,
 * dns.lookup_failed, dns.chroot_stale). Returns -1 when none. */
int probe_resolve(struct pfconf *cf, struct probe_result *res, struct probe_addrs *a,
		  struct obs_out *out, int chrooted, int timeout_s);

/* ---- probe_cred.c ----------------------------------------------------- */

struct probe_cred {
	char user[256];
	char pass[512];		/* wiped by probe_cred_wipe */
	char key[300];		/* the map key that matched */
	char source[300];	/* the map file it came from */
	char why[PROBE_DETAIL];	/* why there is none */
};
/* The entry smtp(8) would send for res's next hop: the keys Postfix
 * tries (relays_sasl_keys_all: with smtp_sender_dependent_authentication
 * the sender's first), in each table of smtp_sasl_password_maps whose
 * source file can be read (hash, lmdb, cdb, btree, texthash; the source,
 * as postmap reads it). The password is registered for redaction. -1 and
 * why when there is none. */
int probe_cred_find(struct pfconf *cf, const struct probe_result *res, const char *sender,
		    struct probe_cred *cr);
void probe_cred_wipe(struct probe_cred *cr);

#endif
