/*
 * certs.c - certificates, keys and CA directories with OpenSSL 3
 * (certs.h): PEM files block by block, key/certificate pairs, the hashed
 * names of a CApath directory, all read under a base directory the way a
 * chrooted process sees them. Bounded by the CERTS_MAX_* caps.
 */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs.h"
#include "util.h"

#define CERTS_PATH 4096
#define CERTS_MAX_LINKS 40

/* ---- paths under a base directory ---------------------------------- */

/* Append component C (length n) to the resolved path cur. */
static int
certs_push(char *cur, size_t size, const char *c, size_t n)
{
	size_t len = strlen(cur);

	if (len + n + 2 > size)
		return -1;
	if (len == 0 || cur[len - 1] != '/')
		cur[len++] = '/';
	memcpy(cur + len, c, n);
	cur[len + n] = '\0';
	return 0;
}

int
certs_resolve(const char *base, const char *path, char *out, size_t size)
{
	char cur[CERTS_PATH] = "/", rest[CERTS_PATH], full[CERTS_PATH * 2], link[CERTS_PATH];
	char tmp[CERTS_PATH];
	const char *p;
	size_t n, blen;
	int hops = 0;
	ssize_t ln;
	struct stat st;

	if (base == NULL)
		base = "";
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	snprintf(rest, sizeof(rest), "%s", path);
	while (rest[0] != '\0') {
		p = rest;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			memmove(rest, p + 1, strlen(p + 1) + 1);
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash != NULL && slash != cur)
				*slash = '\0';
			else
				strcpy(cur, "/");
			memmove(rest, p + 2, strlen(p + 2) + 1);
			continue;
		}
		snprintf(tmp, sizeof(tmp), "%s", cur);
		if (certs_push(tmp, sizeof(tmp), p, n) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		snprintf(full, sizeof(full), "%.*s%s", (int)blen, base, tmp);
		memmove(rest, p + n, strlen(p + n) + 1);
		if (lstat(full, &st) < 0 || !S_ISLNK(st.st_mode)) {
			snprintf(cur, sizeof(cur), "%s", tmp);
			continue;
		}
		if (++hops > CERTS_MAX_LINKS) {
			errno = ELOOP;
			return -1;
		}
		if ((ln = readlink(full, link, sizeof(link) - 1)) < 0)
			return -1;
		link[ln] = '\0';
		if (link[0] == '/')
			strcpy(cur, "/");
		n = strlen(rest);
		if ((size_t)ln + n + 2 > sizeof(rest)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memmove(rest + ln + 1, rest, n + 1);	/* "LINK/" + rest */
		memcpy(rest, link, (size_t)ln);
		rest[ln] = '/';
	}
	if ((size_t)snprintf(out, size, "%.*s%s", (int)blen, base, cur) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The file's bytes in a memory BIO (bounded); NULL with why. */
static BIO *
certs_open(const char *base, const char *file, int *err, char *why, size_t size)
{
	char path[CERTS_PATH * 2];
	struct stat st;
	FILE *fp;
	char *buf;
	size_t got;
	BIO *bio;

	*err = 0;
	if (certs_resolve(base, file, path, sizeof(path)) < 0 || (fp = fopen(path, "rb")) == NULL) {
		*err = errno;
		snprintf(why, size, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CERTS_MAX_FILE_SIZE) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EFBIG;
		snprintf(why, size, "%s", S_ISREG(st.st_mode) ? "too large to be a certificate file"
			 : S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	got = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || BIO_write(bio, buf, (int)got) != (int)got) {
		BIO_free(bio);
		free(buf);
		*err = ENOMEM;
		snprintf(why, size, "out of memory");
		return NULL;
	}
	free(buf);
	return bio;
}

/* ---- one certificate ------------------------------------------------ */

static void
certs_name(X509_NAME *nm, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0
	    && (n = BIO_read(b, buf, (int)size - 1)) > 0)
		buf[n] = '\0';
	BIO_free(b);
}

static time_t
certs_time(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(buf, size, "?");
		return 0;
	}
	strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm);
	return timegm(&tm);
}

static void
certs_fill(struct cert_info *c, X509 *x, time_t now)
{
	unsigned int len = 0;
	time_t nb, na;

	memset(c, 0, sizeof(*c));
	certs_name(X509_get_subject_name(x), c->subject, sizeof(c->subject));
	certs_name(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	nb = certs_time(X509_get0_notBefore(x), c->not_before, sizeof(c->not_before));
	na = certs_time(X509_get0_notAfter(x), c->not_after, sizeof(c->not_after));
	c->expired = now > na;
	c->not_yet_valid = now < nb;
	c->days_left = na >= now ? (long)((na - now) / 86400) : -(long)((now - na + 86399) / 86400);
	c->key_match = -1;
	X509_digest(x, EVP_sha256(), c->sha256, &len);
	c->subject_hash = X509_subject_name_hash(x);
}

/* ---- PEM files ------------------------------------------------------ */

/* No passphrase: Postfix cannot give one either. */
static int
certs_nopass(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

static int
certs_is_cert(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0
		|| strcmp(name, "TRUSTED CERTIFICATE") == 0;
}

static int
certs_is_key(const char *name)
{
	size_t n = strlen(name);

	return n >= 11 && strcmp(name + n - 11, "PRIVATE KEY") == 0;
}

/* A private key block as a key: re-encode it and let OpenSSL decode it. */
static EVP_PKEY *
certs_block_key(const char *name, const char *header, const unsigned char *data, long len)
{
	BIO *b = BIO_new(BIO_s_mem());
	EVP_PKEY *k = NULL;

	if (b == NULL)
		return NULL;
	if (PEM_write_bio(b, name, header, data, len) > 0)
		k = PEM_read_bio_PrivateKey(b, NULL, certs_nopass, NULL);
	BIO_free(b);
	return k;
}

/* One parsed block into p; *key is the pending key (freed when used). */
static void
certs_block(struct cert_pem *p, X509 ***xs, EVP_PKEY **key, time_t now, const char *name,
	    const char *header, const unsigned char *data, long len)
{
	const unsigned char *q = data;
	X509 *x;

	if (certs_is_key(name)) {
		EVP_PKEY_free(*key);
		*key = NULL;
		if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0 || strstr(header, "ENCRYPTED") != NULL)
			p->nencrypted++;
		else if ((*key = certs_block_key(name, header, data, len)) != NULL)
			p->nkeys++;
		else
			p->nbad++;
		return;
	}
	if (!certs_is_cert(name)) {
		p->nother++;
		return;
	}
	x = strcmp(name, "TRUSTED CERTIFICATE") == 0 ? d2i_X509_AUX(NULL, &q, len)
		: d2i_X509(NULL, &q, len);
	if (x == NULL) {
		p->nbad++;
		return;
	}
	if (p->n >= CERTS_MAX_PER_FILE) {
		p->truncated = 1;
		X509_free(x);
		return;
	}
	p->c = xreallocarray(p->c, p->n + 1, sizeof(*p->c));
	*xs = xreallocarray(*xs, p->n + 1, sizeof(**xs));
	certs_fill(&p->c[p->n], x, now);
	if (*key != NULL) {
		p->c[p->n].key_before = 1;
		p->c[p->n].key_match = X509_check_private_key(x, *key) == 1;
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	(*xs)[p->n++] = x;
}

int
certs_pem_load(const char *base, const char *file, time_t now, struct cert_pem *p)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	X509 **xs = NULL;
	EVP_PKEY *key = NULL;
	unsigned long e;
	size_t i;
	BIO *bio;

	memset(p, 0, sizeof(*p));
	if (now == 0)
		now = time(NULL);
	if ((bio = certs_open(base, file, &p->err, p->why, sizeof(p->why))) == NULL)
		return -1;
	ERR_clear_error();
	while (!p->truncated && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		certs_block(p, &xs, &key, now, name, header, data, len);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	e = ERR_peek_last_error();
	if (e != 0 && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
		p->nbad++;	/* a block that is not base64 ends the file */
	ERR_clear_error();
	for (i = 0; i + 1 < p->n; i++)
		p->c[i].issued_by_next = X509_check_issued(xs[i + 1], xs[i]) == X509_V_OK;
	for (i = 0; i < p->n; i++)
		X509_free(xs[i]);
	free(xs);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return 0;
}

void
certs_pem_free(struct cert_pem *p)
{
	free(p->c);
	memset(p, 0, sizeof(*p));
}

/* The first private key of KEYFILE; NULL with why. */
static EVP_PKEY *
certs_first_key(const char *base, const char *file, char *why, size_t size)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	EVP_PKEY *k = NULL;
	BIO *bio;
	int err, found = 0;

	if ((bio = certs_open(base, file, &err, why, size)) == NULL)
		return NULL;
	snprintf(why, size, "no private key in the file");
	while (!found && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		if (certs_is_key(name)) {
			found = 1;
			if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0 || strstr(header, "ENCRYPTED") != NULL)
				snprintf(why, size, "the private key is encrypted with a passphrase");
			else if ((k = certs_block_key(name, header, data, len)) == NULL)
				snprintf(why, size, "the private key cannot be decoded");
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	ERR_clear_error();
	BIO_free(bio);
	return k;
}

int
certs_key_matches(const char *base, const char *keyfile, const char *certfile,
		  char *why, size_t size)
{
	EVP_PKEY *k;
	X509 *x;
	BIO *bio;
	int err, r;

	if ((k = certs_first_key(base, keyfile, why, size)) == NULL)
		return -1;
	if ((bio = certs_open(base, certfile, &err, why, size)) == NULL) {
		EVP_PKEY_free(k);
		return -1;
	}
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		snprintf(why, size, "no certificate in the file");
		r = -1;
	} else {
		r = X509_check_private_key(x, k) == 1;
	}
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(bio);
	return r;
}

/* ---- CA directories ------------------------------------------------- */

/* "<8 hex digits>.<digits>": a certificate's hashed name (".rN" are CRLs). */
static int
certs_hashed_name(const char *s, unsigned long *hash)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	if (s[8] != '.' || !isdigit((unsigned char)s[9]))
		return 0;
	for (i = 10; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	*hash = strtoul(s, NULL, 16);
	return 1;
}

static int
certs_cert_suffix(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && (strcmp(s + n - 4, ".pem") == 0 || strcmp(s + n - 4, ".crt") == 0
			 || strcmp(s + n - 4, ".cer") == 0);
}

struct certs_dg {
	unsigned char d[32];
	int expired;
};

static int
certs_dg_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* The certificates of one hashed-name file into the digest list. */
static void
certs_dir_file(struct cert_dir *d, const char *base, const char *path, unsigned long hash,
	       time_t now, struct certs_dg **dg, size_t *ndg)
{
	struct cert_pem p;
	size_t i;
	int named = 0;

	if (certs_pem_load(base, path, now, &p) < 0 || p.n == 0) {
		d->nunreadable++;
		certs_pem_free(&p);
		return;
	}
	for (i = 0; i < p.n; i++) {
		named |= p.c[i].subject_hash == hash;
		*dg = xreallocarray(*dg, *ndg + 1, sizeof(**dg));
		memcpy((*dg)[*ndg].d, p.c[i].sha256, 32);
		(*dg)[*ndg].expired = p.c[i].expired;
		(*ndg)++;
	}
	/* OpenSSL looks a subject up under its hash: another name is not found */
	d->nmisnamed += !named;
	certs_pem_free(&p);
}

int
certs_dir_load(const char *base, const char *dir, time_t now, struct cert_dir *d)
{
	char path[CERTS_PATH * 2], file[CERTS_PATH];
	struct certs_dg *dg = NULL;
	size_t ndg = 0, i, o;
	struct dirent *de;
	unsigned long hash;
	DIR *dp;

	memset(d, 0, sizeof(*d));
	if (now == 0)
		now = time(NULL);
	if (certs_resolve(base, dir, path, sizeof(path)) < 0 || (dp = opendir(path)) == NULL) {
		d->err = errno;
		snprintf(d->why, sizeof(d->why), "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++d->nentries > CERTS_MAX_DIR_ENTRIES) {
			d->nentries--;
			d->truncated = 1;
			break;
		}
		if (!certs_hashed_name(de->d_name, &hash)) {
			d->ncertfiles += certs_cert_suffix(de->d_name);
			continue;
		}
		if (d->nhashed >= CERTS_MAX_HASHED) {
			d->truncated = 1;
			continue;
		}
		d->nhashed++;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		certs_dir_file(d, base, file, hash, now, &dg, &ndg);
	}
	closedir(dp);
	if (ndg > 0)
		qsort(dg, ndg, sizeof(*dg), certs_dg_cmp);
	d->digest = xreallocarray(NULL, ndg > 0 ? ndg : 1, sizeof(*d->digest));
	for (i = 0, o = 0; i < ndg; i++) {
		if (o > 0 && memcmp(d->digest[o - 1], dg[i].d, 32) == 0)
			continue;
		memcpy(d->digest[o++], dg[i].d, 32);
		d->nexpired += dg[i].expired != 0;
	}
	d->ncerts = o;
	free(dg);
	return 0;
}

void
certs_dir_free(struct cert_dir *d)
{
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

void
certs_dir_compare(const struct cert_dir *a, const struct cert_dir *b, size_t *only_a,
		  size_t *only_b)
{
	size_t i = 0, j = 0;
	int c;

	*only_a = *only_b = 0;
	while (i < a->ncerts || j < b->ncerts) {
		c = i == a->ncerts ? 1 : j == b->ncerts ? -1 : memcmp(a->digest[i], b->digest[j], 32);
		if (c < 0) {
			(*only_a)++;
			i++;
		} else if (c > 0) {
			(*only_b)++;
			j++;
		} else {
			i++;
			j++;
		}
	}
}

const char *
certs_describe(const struct cert_info *c, char *buf, size_t size)
{
	snprintf(buf, size, "subject %s; issuer %s; valid %s to %s", c->subject, c->issuer,
		 c->not_before, c->not_after);
	return buf;
}
