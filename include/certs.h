/*
 * certs.h - certificates, private keys and CA directories read with
 * OpenSSL for the configuration checks: what a PEM file holds (each
 * certificate's subject, issuer, validity, whether the next one issued
 * it, whether a key before it matches it), whether a key file matches a
 * certificate, and what a CA directory offers OpenSSL's hashed-name
 * lookup (a digest set, so that two directories can be compared).
 * Paths are as configured; they are read under BASE as if BASE were "/"
 * (symbolic links included), BASE NULL or "" meaning the host itself.
 * Everything is bounded; errors are text; no OpenSSL type leaks out.
 */
#ifndef FMRD_CERTS_H
#define FMRD_CERTS_H

#include <stddef.h>
#include <time.h>

#define CERTS_MAX_PER_FILE 2000		/* certificates read from one file */
#define CERTS_MAX_FILE_SIZE (16L << 20)	/* a bigger PEM file is not read */
#define CERTS_MAX_DIR_ENTRIES 20000	/* directory entries looked at */
#define CERTS_MAX_HASHED 5000		/* hashed-name files read */

struct cert_info {
	char subject[256];	/* RFC 2253, "CN=smtp.example.com,O=Example" */
	char issuer[256];
	char not_before[24];	/* "2026-12-05 17:06:34Z" */
	char not_after[24];
	long days_left;		/* whole days until notAfter; < 0: expired */
	int expired;
	int not_yet_valid;
	int issued_by_next;	/* the next certificate in the file issued it */
	int key_before;		/* a private key block comes right before it */
	int key_match;		/* that key matches it: 1, 0, -1 (no key) */
	unsigned char sha256[32];	/* digest of the DER encoding */
	unsigned long subject_hash;	/* OpenSSL's hashed-name value */
};

struct cert_pem {
	struct cert_info *c;
	size_t n;		/* certificates */
	size_t nkeys;		/* private key blocks (usable ones) */
	size_t nencrypted;	/* encrypted private keys (no passphrase here) */
	size_t nbad;		/* certificate blocks OpenSSL cannot parse */
	size_t nother;		/* other PEM blocks (CRLs, parameters) */
	int truncated;		/* more than CERTS_MAX_PER_FILE certificates */
	int err;		/* errno when the file could not be read, else 0 */
	char why[256];		/* why the file could not be read, or "" */
};

/* Read every PEM block of FILE (under BASE). Returns 0 when the file was
 * read (it may hold no certificate: n == 0), -1 when it could not be
 * (why, err). Validity is judged against NOW (0: the current time). */
int certs_pem_load(const char *base, const char *file, time_t now, struct cert_pem *p);
void certs_pem_free(struct cert_pem *p);

/* Does the first private key in KEYFILE match the first certificate in
 * CERTFILE (X509_check_private_key)? 1 yes, 0 no, -1 cannot tell (why). */
int certs_key_matches(const char *base, const char *keyfile, const char *certfile,
		      char *why, size_t size);

struct cert_dir {
	size_t nentries;	/* directory entries looked at */
	size_t nhashed;		/* files named <hash>.N (certificates) */
	size_t nmisnamed;	/* ... whose hash is not their subject's */
	size_t nunreadable;	/* ... that hold no readable certificate */
	size_t ncertfiles;	/* other files named *.pem, *.crt, *.cer */
	size_t ncerts;		/* distinct certificates behind hashed names */
	size_t nexpired;	/* ... of which expired */
	unsigned char (*digest)[32];	/* their SHA-256 digests, sorted */
	int truncated;		/* more than the caps allow */
	int err;
	char why[256];		/* why the directory could not be read, or "" */
};

/* Read directory DIR (under BASE) as OpenSSL's CApath lookup uses it:
 * the certificates behind the hashed names. 0, or -1 (why, err). */
int certs_dir_load(const char *base, const char *dir, time_t now, struct cert_dir *d);
void certs_dir_free(struct cert_dir *d);
/* Certificates only in A and only in B (digest sets). */
void certs_dir_compare(const struct cert_dir *a, const struct cert_dir *b,
		       size_t *only_a, size_t *only_b);

/* PATH (as configured) under BASE with every symbolic link resolved the
 * way a process chrooted to BASE would see it. 0, or -1 with errno (a
 * loop of links: ELOOP). */
int certs_resolve(const char *base, const char *path, char *out, size_t size);

/* "subject CN=x; issuer CN=y; valid 2026-01-01 00:00:00Z to ..." for
 * evidence text. Returns buf. */
const char *certs_describe(const struct cert_info *c, char *buf, size_t size);

#endif
