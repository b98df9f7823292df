/*
 * test_check_tls.c - the TLS checks (check_tls_policy, check_ca,
 * check_client_cert) and the OpenSSL module under them (certs.c): a table
 * of fixture roots, each built in a mkdtemp directory with certificates
 * made here with OpenSSL (any validity period, no faketime), and the exact
 * observation texts each check must emit ('*' in an expected text
 * matches any run of characters: dates).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs.h"
#include "check.h"
#include "pfconf.h"
#include "textsafe.h"

#include "testutil.h"

/* ---- certificates --------------------------------------------------- */

struct tc {
	EVP_PKEY *k;
	X509 *x;
};

/* A certificate for CN, valid from FROM to TO days from now, signed by
 * CA (NULL: self-signed, a CA). */
static struct tc
tc_make(const char *cn, const struct tc *ca, long from, long to)
{
	static long serial = 1;
	struct tc t;
	X509_NAME *nm;
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	t.k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(t.k);
	t.x = X509_new();
	X509_set_version(t.x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(t.x), serial++);
	X509_time_adj_ex(X509_getm_notBefore(t.x), (int)from, 0, NULL);
	X509_time_adj_ex(X509_getm_notAfter(t.x), (int)to, 3600, NULL);	/* + 1 hour: whole days */
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
	assert_true(X509_sign(t.x, ca != NULL ? ca->k : t.k, EVP_sha256()) > 0);
	return t;
}

/* An intermediate CA signed by CA. */
static struct tc
tc_inter(const char *cn, const struct tc *ca)
{
	struct tc t = tc_make(cn, ca, -1, 3650);
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int i = X509_get_ext_by_NID(t.x, NID_basic_constraints, -1);

	X509_EXTENSION_free(X509_delete_ext(t.x, i));
	X509V3_set_ctx(&v3, ca->x, t.x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(t.x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(t.x, ca->k, EVP_sha256()) > 0);
	return t;
}

static void
tc_free(struct tc *t)
{
	X509_free(t->x);
	EVP_PKEY_free(t->k);
}

/* Append the certificate (what 'c') or key ('k') of t to REL. */
static void
tc_put(const char *rel, const struct tc *t, char what)
{
	FILE *fp = tu_open(rel, "a");

	if (what == 'c')
		PEM_write_X509(fp, t->x);
	else
		PEM_write_PrivateKey(fp, t->k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
}

/* The hashed-name link openssl rehash makes for REL in its directory. */
static void
tc_hash(const char *rel, const struct tc *t)
{
	char name[32], lnk[512], *slash;

	snprintf(lnk, sizeof(lnk), "%s", rel);
	slash = strrchr(lnk, '/');
	snprintf(name, sizeof(name), "%08lx.0", X509_subject_name_hash(t->x));
	snprintf(slash + 1, sizeof(lnk) - (size_t)(slash + 1 - lnk), "%s", name);
	tu_symlink(strrchr(rel, '/') + 1, lnk);
}

/* ---- observations ---------------------------------------------------- */

/* '*' matches any run of characters; nothing else is special. */
static int
star_match(const char *pat, const char *s)
{
	if (*pat == '\0')
		return *s == '\0';
	if (*pat == '*')
		return star_match(pat + 1, s) || (*s != '\0' && star_match(pat, s + 1));
	return *pat == *s && star_match(pat + 1, s + 1);
}

/* Run FN over the root and compare with the NULL-ended expected texts. */
static void
expect(check_fn fn, const char *const *want)
{
	struct tu_seen s;
	size_t i, n;

	tu_check(fn, NULL, &s);
	for (n = 0; want[n] != NULL; n++)
		;
	assert_int_equal(s.n, n);
	for (i = 0; i < n; i++) {
		if (!star_match(want[i], s.o[i].text))
			fail_msg("observation %zu: \"%s\", expected \"%s\"", i, s.o[i].text, want[i]);
	}
	tu_seen_free(&s);
}

static int
setup(void **state)
{
	(void)state;
	return tu_root_make("tls") != 0;
}

static int
teardown(void **state)
{
	(void)state;
	ts_secrets_clear();
	return tu_root_remove() != 0;
}

#define MASTER_CHROOT "smtp unix - - y - - smtp\n"
#define MASTER_PLAIN "smtp unix - - n - - smtp\n"
#define WANT(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

/* ---- check_tls_policy ------------------------------------------------ */

static void
test_policy_clean(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_tls_security_level = secure\n");
	tu_put("/etc/postfix/master.cf", MASTER_CHROOT);
	expect(check_tls_policy, NONE);
}

static void
test_policy_wrapper(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:465\n"
	    "smtp_tls_security_level = encrypt\n");
	expect(check_tls_policy, WANT("wrappermode off for [smtp.fastmail.com]:465: port 465 "
				      "expects TLS from the first byte"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:submissions\n");
	expect(check_tls_policy, WANT("wrappermode off for [smtp.fastmail.com]:submissions: port "
				      "submissions expects TLS from the first byte"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:465\n"
	    "smtp_tls_wrappermode = yes\nsmtp_tls_security_level = may\n");
	expect(check_tls_policy, WANT("wrappermode on for [smtp.fastmail.com]:465 at tls level "
				      "\"may\": smtp_tls_wrappermode requires "
				      "smtp_tls_security_level = encrypt or stronger"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:465\n"
	    "smtp_tls_wrappermode = yes\nsmtp_tls_security_level = secure\n");
	expect(check_tls_policy, NONE);
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n");
	expect(check_tls_policy, WANT("wrappermode on for [smtp.fastmail.com]:587: port 587 "
				      "expects STARTTLS"));
	tu_put("/etc/postfix/main.cf", "relayhost = mail.example.net\n"
	    "smtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n");
	expect(check_tls_policy, WANT("wrappermode on for mail.example.net: port 25 expects "
				      "STARTTLS"));
}

static void
test_policy_sasl_level(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\n");
	expect(check_tls_policy, WANT("tls level \"none\" for [smtp.fastmail.com]:587 with SASL "
				      "authentication: the password is sent in plaintext"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_tls_security_level = may\n");
	expect(check_tls_policy, WANT("tls level \"may\" for [smtp.fastmail.com]:587 with SASL "
				      "authentication: the password is sent in plaintext when "
				      "STARTTLS is missing or fails"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_tls_security_level = encrypt\n");
	expect(check_tls_policy, WANT("tls level \"encrypt\" for [smtp.fastmail.com]:587 with "
				      "SASL authentication: the password goes to a server whose "
				      "certificate is not verified"));
	/* one next hop for two senders: said once */
	tu_put("/etc/postfix/main.cf", "smtp_sasl_auth_enable = yes\nsmtp_tls_security_level = may\n"
	    "sender_dependent_relayhost_maps = texthash:/etc/postfix/sender_relay\n");
	tu_put("/etc/postfix/sender_relay", "a@example.com [smtp.fastmail.com]:587\n"
	    "b@example.com [smtp.fastmail.com]:587\n");
	expect(check_tls_policy, WANT("tls level \"may\" for [smtp.fastmail.com]:587 with SASL "
				      "authentication: the password is sent in plaintext when "
				      "STARTTLS is missing or fails"));
	/* without SASL a low level is not this check's business */
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n");
	expect(check_tls_policy, NONE);
}

static void
test_policy_obsolete(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_use_tls = yes\n");
	expect(check_tls_policy,
	       WANT("obsolete parameter smtp_use_tls = yes: in use, smtp_tls_security_level is "
		    "empty",
		    "tls level \"may\" for [smtp.fastmail.com]:587 with SASL authentication: the "
		    "password is sent in plaintext when STARTTLS is missing or fails"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_enforce_tls = yes\n"
	    "smtp_tls_CAfile = /etc/ssl/ca.pem\n");
	expect(check_tls_policy, WANT("obsolete parameter smtp_enforce_tls = yes: in use, "
				      "smtp_tls_security_level is empty"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_enforce_tls = yes\nsmtp_tls_security_level = secure\n");
	expect(check_tls_policy, WANT("obsolete parameter smtp_enforce_tls = yes: ignored, "
				      "smtp_tls_security_level = secure is set"));
}

static void
test_policy_maps(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\nsmtp_tls_security_level = may\n"
	    "smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n");
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 secure match=.fastmail.com\n");
	expect(check_tls_policy, NONE);		/* the entry overrides main.cf */
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 encrypted\n");
	expect(check_tls_policy, WANT("tls policy for [smtp.fastmail.com]:587 has an unknown "
				      "level \"encrypted\""));
	tu_put("/etc/postfix/tls_policy", "# the host name only\nsmtp.fastmail.com secure\n");
	expect(check_tls_policy,
	       WANT("tls policy in hash:/etc/postfix/tls_policy is for \"smtp.fastmail.com\", not "
		    "the next hop [smtp.fastmail.com]:587: it is not used",
		    "tls level \"may\" for [smtp.fastmail.com]:587 with SASL authentication: the "
		    "password is sent in plaintext when STARTTLS is missing or fails"));
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 none\n");
	expect(check_tls_policy, WANT("tls level \"none\" for [smtp.fastmail.com]:587 with SASL "
				      "authentication: the password is sent in plaintext"));
}

/* A transport_maps relay on 465 through a master.cf service with -o. */
static void
test_policy_transport(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "transport_maps = hash:/etc/postfix/transport\n"
	    "smtp_tls_security_level = may\n");
	tu_put("/etc/postfix/transport", "example.com smtps:[smtp.example.net]:465\n");
	tu_put("/etc/postfix/master.cf", MASTER_CHROOT "smtps unix - - y - - smtp\n"
	    "  -o smtp_tls_wrappermode=yes\n  -o smtp_tls_security_level=encrypt\n");
	expect(check_tls_policy, NONE);
	tu_put("/etc/postfix/master.cf", MASTER_CHROOT "smtps unix - - y - - smtp\n");
	expect(check_tls_policy, WANT("wrappermode off for [smtp.example.net]:465: port 465 "
				      "expects TLS from the first byte"));
}

/* ---- check_ca --------------------------------------------------------- */

static void
test_ca_file(void **state)
{
	struct tc a = tc_make("Root A", NULL, -10, 3650), b = tc_make("Root B", NULL, -10, 3650);
	struct tc old = tc_make("Old Root", NULL, -4000, -30);

	(void)state;
	tu_put("/etc/postfix/main.cf", "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n");
	tc_put("/etc/ssl/certs/ca-certificates.crt", &a, 'c');
	tc_put("/etc/ssl/certs/ca-certificates.crt", &b, 'c');
	expect(check_ca, NONE);
	tc_put("/etc/ssl/certs/ca-certificates.crt", &old, 'c');
	expect(check_ca, WANT("smtp_tls_CAfile \"/etc/ssl/certs/ca-certificates.crt\": 1 of 3 "
			      "certificates expired"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_CAfile = /etc/ssl/missing.crt\n");
	expect(check_ca, WANT("smtp_tls_CAfile \"/etc/ssl/missing.crt\" cannot be read: No such "
			      "file or directory"));
	tu_put("/etc/ssl/garbage.crt", "this is not PEM\n");
	tu_put("/etc/postfix/main.cf", "smtp_tls_CAfile = /etc/ssl/garbage.crt\n");
	expect(check_ca, WANT("smtp_tls_CAfile \"/etc/ssl/garbage.crt\" holds no certificate"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_CAfile = /etc/ssl/certs\n");
	expect(check_ca, WANT("smtp_tls_CAfile \"/etc/ssl/certs\" cannot be read: a directory"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n"
	    "tls_append_default_CA = yes\n");
	expect(check_ca, WANT("smtp_tls_CAfile \"/etc/ssl/certs/ca-certificates.crt\": 1 of 3 "
			      "certificates expired",
			      "tls_append_default_CA = yes: OpenSSL's default CAs are trusted as well"));
	tc_free(&a);
	tc_free(&b);
	tc_free(&old);
}

/* /etc/ssl/certs as update-ca-certificates leaves it: NAME.pem links to
 * /usr/share/ca-certificates (absolute: read under the root), hashed names
 * linking to them. */
static void
system_capath(const struct tc *a, const struct tc *b)
{
	tc_put("/usr/share/ca-certificates/a.crt", a, 'c');
	tc_put("/usr/share/ca-certificates/b.crt", b, 'c');
	tu_put("/etc/ssl/certs/.keep", "");
	tu_symlink("/usr/share/ca-certificates/a.crt", "/etc/ssl/certs/a.pem");
	tu_symlink("/usr/share/ca-certificates/b.crt", "/etc/ssl/certs/b.pem");
	tc_hash("/etc/ssl/certs/a.pem", a);
	tc_hash("/etc/ssl/certs/b.pem", b);
}

static void
test_ca_path(void **state)
{
	struct tc a = tc_make("Root A", NULL, -10, 3650), b = tc_make("Root B", NULL, -10, 3650);
	char cmd[512];

	(void)state;
	system_capath(&a, &b);
	tu_put("/etc/postfix/main.cf", "smtp_tls_CApath = /etc/ssl/certs\n");
	tu_put("/etc/postfix/master.cf", MASTER_PLAIN);
	expect(check_ca, NONE);
	tu_put("/etc/postfix/main.cf", "smtp_tls_CApath = /etc/ssl/nohash\n");
	tc_put("/etc/ssl/nohash/a.pem", &a, 'c');
	tc_put("/etc/ssl/nohash/b.pem", &b, 'c');
	expect(check_ca, WANT("smtp_tls_CApath \"/etc/ssl/nohash\" has no hashed names (2 "
			      "certificate files, none named <hash>.0)"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_CApath = /etc/ssl/none\n");
	expect(check_ca, WANT("smtp_tls_CApath \"/etc/ssl/none\" cannot be read: No such file or "
			      "directory"));

	/* chrooted: the copy under the queue directory counts */
	tu_put("/etc/postfix/main.cf", "smtp_tls_CApath = /etc/ssl/certs\n");
	tu_put("/etc/postfix/master.cf", MASTER_CHROOT);
	expect(check_ca, WANT("smtp_tls_CApath \"/etc/ssl/certs\" is not in the chroot: "
			      "/var/spool/postfix/etc/ssl/certs: No such file or directory"));
	/* cp -a of the system's directory: the absolute links dangle in the jail */
	tu_mkdirs("/var/spool/postfix/etc/ssl");
	snprintf(cmd, sizeof(cmd), "cp -a '%s/etc/ssl/certs' '%s/var/spool/postfix/etc/ssl/'",
		 tu_root, tu_root);
	assert_int_equal(system(cmd), 0);
	expect(check_ca, WANT("smtp_tls_CApath \"/etc/ssl/certs\" in the chroot "
			      "(/var/spool/postfix/etc/ssl/certs) has 2 hashed names, none a "
			      "readable certificate"));
	/* configure-instance.sh's copy: the files, rehashed; then one CA is added */
	assert_int_equal(tu_tree_remove(tu_path("/var/spool/postfix/etc/ssl/certs", cmd,
						  sizeof(cmd))), 0);
	tc_put("/var/spool/postfix/etc/ssl/certs/a.pem", &a, 'c');
	tc_put("/var/spool/postfix/etc/ssl/certs/b.pem", &b, 'c');
	tc_hash("/var/spool/postfix/etc/ssl/certs/a.pem", &a);
	tc_hash("/var/spool/postfix/etc/ssl/certs/b.pem", &b);
	expect(check_ca, NONE);
	{
		struct tc c = tc_make("Root C", NULL, -10, 3650);

		tc_put("/usr/share/ca-certificates/c.crt", &c, 'c');
		tu_symlink("/usr/share/ca-certificates/c.crt", "/etc/ssl/certs/c.pem");
		tc_hash("/etc/ssl/certs/c.pem", &c);
		tc_free(&c);
	}
	expect(check_ca, WANT("chroot copy /var/spool/postfix/etc/ssl/certs of smtp_tls_CApath "
			      "/etc/ssl/certs differs: 1 certificates only in the system's, 0 only "
			      "in the chroot's"));
	/* cp -a again, one name a real file: the other link dangles in the jail */
	assert_int_equal(tu_tree_remove(tu_path("/var/spool/postfix/etc/ssl/certs", cmd,
						  sizeof(cmd))), 0);
	assert_int_equal(tu_tree_remove(tu_path("/etc/ssl/certs/a.pem", cmd, sizeof(cmd))), 0);
	tc_put("/etc/ssl/certs/a.pem", &a, 'c');
	snprintf(cmd, sizeof(cmd), "cp -a '%s/etc/ssl/certs' '%s/var/spool/postfix/etc/ssl/'",
		 tu_root, tu_root);
	assert_int_equal(system(cmd), 0);
	expect(check_ca, WANT("smtp_tls_CApath \"/etc/ssl/certs\" in the chroot "
			      "(/var/spool/postfix/etc/ssl/certs) has 2 of 3 hashed names that lead "
			      "to no readable certificate",
			      "chroot copy /var/spool/postfix/etc/ssl/certs of smtp_tls_CApath "
			      "/etc/ssl/certs differs: 2 certificates only in the system's, 0 only "
			      "in the chroot's"));
	tc_free(&a);
	tc_free(&b);
}

static void
test_ca_no_trust(void **state)
{
	(void)state;
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_tls_security_level = secure\n");
	expect(check_ca, WANT("tls level \"secure\" for [smtp.fastmail.com]:587 trusts no CA: "
			      "smtp_tls_CAfile and smtp_tls_CApath are empty"));
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_tls_security_level = verify\ntls_append_default_CA = yes\n");
	expect(check_ca, WANT("tls level \"verify\" for [smtp.fastmail.com]:587 trusts no CA: "
			      "smtp_tls_CAfile and smtp_tls_CApath are empty (tls_append_default_CA"
			      " = yes adds nothing without them)"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_security_level = secure\n");
	expect(check_ca, WANT("tls level \"secure\" trusts no CA: smtp_tls_CAfile and "
			      "smtp_tls_CApath are empty"));
	/* the relay's policy entry decides; a tafile is a trust source */
	tu_put("/etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_tls_security_level = encrypt\n"
	    "smtp_tls_policy_maps = texthash:/etc/postfix/tls_policy\n");
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 secure\n");
	expect(check_ca, WANT("tls level \"secure\" for [smtp.fastmail.com]:587 trusts no CA: "
			      "smtp_tls_CAfile and smtp_tls_CApath are empty"));
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 secure tafile=/etc/postfix/ta.pem\n");
	expect(check_ca, NONE);
	tu_put("/etc/postfix/tls_policy", "[smtp.fastmail.com]:587 may\n");
	expect(check_ca, NONE);
}

/* ---- check_client_cert ----------------------------------------------- */

static void
test_client_cert(void **state)
{
	struct tc ca = tc_make("Client CA", NULL, -10, 3650);
	struct tc good = tc_make("client.example.org", &ca, -1, 365);
	struct tc other = tc_make("other.example.org", &ca, -1, 365);
	struct tc old = tc_make("old.example.org", &ca, -400, -35);
	struct tc soon = tc_make("soon.example.org", &ca, -300, 10);
	struct tc later = tc_make("later.example.org", &ca, 5, 400);

	(void)state;
	tc_put("/etc/postfix/client.pem", &good, 'c');
	tc_put("/etc/postfix/client.key", &good, 'k');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/client.pem\n"
	    "smtp_tls_key_file = /etc/postfix/client.key\n");
	expect(check_client_cert, NONE);
	tc_put("/etc/postfix/other.key", &other, 'k');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/client.pem\n"
	    "smtp_tls_key_file = /etc/postfix/other.key\n");
	expect(check_client_cert, WANT("smtp_tls_key_file \"/etc/postfix/other.key\" does not "
				       "match the certificate in smtp_tls_cert_file "
				       "\"/etc/postfix/client.pem\""));
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/client.pem\n");
	expect(check_client_cert, WANT("smtp_tls_key_file \"/etc/postfix/client.pem\" cannot be "
				       "used: no private key in the file"));
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/nothere.pem\n");
	expect(check_client_cert, WANT("smtp_tls_cert_file \"/etc/postfix/nothere.pem\" cannot be "
				       "read: No such file or directory"));
	/* one file with key and certificate: the default key file */
	tc_put("/etc/postfix/old.pem", &old, 'k');
	tc_put("/etc/postfix/old.pem", &old, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/old.pem\n");
	expect(check_client_cert, WANT("client certificate in smtp_tls_cert_file "
				       "\"/etc/postfix/old.pem\" expired on *Z (35 days ago)"));
	tc_put("/etc/postfix/soon.pem", &soon, 'k');
	tc_put("/etc/postfix/soon.pem", &soon, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/soon.pem\n");
	expect(check_client_cert, WANT("client certificate in smtp_tls_cert_file "
				       "\"/etc/postfix/soon.pem\" expires on *Z (in 10 days)"));
	tc_put("/etc/postfix/later.pem", &later, 'k');
	tc_put("/etc/postfix/later.pem", &later, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/later.pem\n");
	expect(check_client_cert, WANT("client certificate in smtp_tls_cert_file "
				       "\"/etc/postfix/later.pem\" is not valid before *Z"));
	tc_free(&ca);
	tc_free(&good);
	tc_free(&other);
	tc_free(&old);
	tc_free(&soon);
	tc_free(&later);
}

static void
test_client_chain(void **state)
{
	struct tc ca = tc_make("Chain Root", NULL, -10, 3650);
	struct tc mid = tc_inter("Chain Intermediate", &ca);
	struct tc leaf = tc_make("leaf.example.org", &mid, -1, 365);
	struct tc other = tc_make("other.example.org", &mid, -1, 365);

	(void)state;
	/* chain files: key, leaf, intermediate */
	tc_put("/etc/postfix/chain.pem", &leaf, 'k');
	tc_put("/etc/postfix/chain.pem", &leaf, 'c');
	tc_put("/etc/postfix/chain.pem", &mid, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_chain_files = /etc/postfix/chain.pem\n");
	expect(check_client_cert, NONE);
	tc_put("/etc/postfix/swapped.pem", &leaf, 'k');
	tc_put("/etc/postfix/swapped.pem", &mid, 'c');
	tc_put("/etc/postfix/swapped.pem", &leaf, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_chain_files = /etc/postfix/swapped.pem\n");
	expect(check_client_cert,
	       WANT("smtp_tls_chain_files \"/etc/postfix/swapped.pem\": the private key does not "
		    "match certificate 1",
		    "smtp_tls_chain_files \"/etc/postfix/swapped.pem\": certificate 1 is not issued "
		    "by certificate 2 (chain out of order)"));
	tc_put("/etc/postfix/nokey.pem", &leaf, 'c');
	tc_put("/etc/postfix/nokey.pem", &mid, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_chain_files = /etc/postfix/nokey.pem\n");
	expect(check_client_cert, WANT("smtp_tls_chain_files \"/etc/postfix/nokey.pem\": no "
				       "private key before certificate 1"));
	tc_put("/etc/postfix/wrongkey.pem", &other, 'k');
	tc_put("/etc/postfix/wrongkey.pem", &leaf, 'c');
	tc_put("/etc/postfix/wrongkey.pem", &mid, 'c');
	tu_put("/etc/postfix/main.cf", "smtp_tls_chain_files = /etc/postfix/wrongkey.pem\n");
	expect(check_client_cert, WANT("smtp_tls_chain_files \"/etc/postfix/wrongkey.pem\": the "
				       "private key does not match certificate 1"));
	/* cert file with the chain in the wrong order (root before intermediate) */
	tc_put("/etc/postfix/c.pem", &leaf, 'c');
	tc_put("/etc/postfix/c.pem", &ca, 'c');
	tc_put("/etc/postfix/c.pem", &mid, 'c');
	tc_put("/etc/postfix/c.key", &leaf, 'k');
	tu_put("/etc/postfix/main.cf", "smtp_tls_cert_file = /etc/postfix/c.pem\n"
	    "smtp_tls_key_file = /etc/postfix/c.key\n");
	expect(check_client_cert, WANT("smtp_tls_cert_file \"/etc/postfix/c.pem\": certificate 1 "
				       "is not issued by certificate 2 (chain out of order)"));
	tc_free(&ca);
	tc_free(&mid);
	tc_free(&leaf);
	tc_free(&other);
}

/* ---- certs.c ------------------------------------------------------------ */

static void
test_certs_pem(void **state)
{
	struct tc a = tc_make("Root A", NULL, -10, 3650);
	struct cert_pem p;
	char path[1024], why[256];
	FILE *fp;

	(void)state;
	tc_put("/k.pem", &a, 'k');
	tc_put("/k.pem", &a, 'c');
	tu_put("/x.pem", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
	assert_int_equal(certs_pem_load(tu_root, "/k.pem", 0, &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.nkeys, 1);
	assert_string_equal(p.c[0].subject, "CN=Root A,O=fmrd test");
	assert_string_equal(p.c[0].issuer, "CN=Root A,O=fmrd test");
	assert_true(p.c[0].key_before && p.c[0].key_match == 1);
	assert_true(p.c[0].days_left >= 3648 && p.c[0].days_left <= 3650);
	certs_pem_free(&p);
	assert_int_equal(certs_pem_load(tu_root, "/x.pem", 0, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.nother, 1);
	certs_pem_free(&p);
	/* an encrypted key cannot be used (no passphrase) */
	fp = fopen(tu_path("/enc.key", path, sizeof(path)), "w");
	assert_non_null(fp);
	PEM_write_PKCS8PrivateKey(fp, a.k, EVP_aes_128_cbc(), "pw", 2, NULL, NULL);
	fclose(fp);
	assert_int_equal(certs_key_matches(tu_root, "/enc.key", "/k.pem", why, sizeof(why)), -1);
	assert_string_equal(why, "the private key is encrypted with a passphrase");
	assert_int_equal(certs_pem_load(tu_root, "/enc.key", 0, &p), 0);
	assert_int_equal(p.nencrypted, 1);
	certs_pem_free(&p);
	assert_int_equal(certs_key_matches(tu_root, "/k.pem", "/k.pem", why, sizeof(why)), 1);
	tc_free(&a);
}

static void
test_certs_resolve(void **state)
{
	char out[2048], want[2048];

	(void)state;
	tu_put("/usr/share/x.crt", "x");
	tu_put("/etc/ssl/keep", "");
	tu_symlink("/usr/share/x.crt", "/etc/ssl/abs.pem");
	tu_symlink("../../usr/share/x.crt", "/etc/ssl/rel.pem");
	tu_symlink("/etc/ssl", "/etc/ssl2");
	tu_symlink("/loop2", "/loop1");
	tu_symlink("/loop1", "/loop2");
	snprintf(want, sizeof(want), "%s/usr/share/x.crt", tu_root);
	assert_int_equal(certs_resolve(tu_root, "/etc/ssl/abs.pem", out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_int_equal(certs_resolve(tu_root, "/etc/ssl/rel.pem", out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_int_equal(certs_resolve(tu_root, "/etc/ssl2/abs.pem", out, sizeof(out)), 0);
	assert_string_equal(out, want);
	/* ".." never leaves the base */
	assert_int_equal(certs_resolve(tu_root, "/../../../usr/share/x.crt", out, sizeof(out)), 0);
	assert_string_equal(out, want);
	assert_int_equal(certs_resolve(tu_root, "/loop1", out, sizeof(out)), -1);
	assert_int_equal(errno, ELOOP);
}

/* A directory bigger than the cap is read up to the cap. */
static void
test_certs_dir_cap(void **state)
{
	struct cert_dir d;
	char path[1024];
	int i, fd;

	(void)state;
	tu_mkdirs("/big");
	for (i = 0; i < CERTS_MAX_DIR_ENTRIES + 10; i++) {
		snprintf(path, sizeof(path), "%s/big/%08x.%d", tu_root, (unsigned)i, i % 3);
		fd = creat(path, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(certs_dir_load(tu_root, "/big", 0, &d), 0);
	assert_true(d.truncated);
	assert_int_equal(d.nentries, CERTS_MAX_DIR_ENTRIES);
	assert_int_equal(d.nhashed, CERTS_MAX_HASHED);
	assert_int_equal(d.ncerts, 0);
	assert_int_equal(d.nunreadable, CERTS_MAX_HASHED);
	certs_dir_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_wrapper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_sasl_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_obsolete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_transport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ca_no_trust, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs_pem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs_dir_cap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
