/*
 * test_pfconf.c - configuration inspection: logical lines, overrides,
 * $name expansion (bounded), defaults, master.cf chroot, the password
 * map beside main.cf (never the host's /etc/postfix map for another
 * directory), and registration of secrets for redaction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "pfconf.h"
#include "textsafe.h"

#include "testutil.h"

static int
setup(void **state)
{
	(void)state;
	return tu_root_make("pfconf") != 0;
}

static int
teardown(void **state)
{
	(void)state;
	ts_secrets_clear();
	return tu_root_remove() != 0;
}

static void
test_main_cf(void **state)
{
	struct pfconf cf;
	const struct cf_where *w;

	(void)state;
	tu_put("main.cf", "# comment\nrelayhost = [smtp.example.com]:587\n"
	    "myhost = mx1\nmydomain = example.com\nmyhostname = $myhost.${mydomain}\n"
	    "smtp_tls_security_level = may\n  # comment inside\n"
	    "smtp_tls_security_level = encrypt\nlong = a,\n    b,\n\tc\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_string_equal(pfconf_get(&cf, "relayhost", &w), "[smtp.example.com]:587");
	assert_int_equal(w->line, 2);
	assert_string_equal(pfconf_get(&cf, "myhostname", NULL), "mx1.example.com");
	assert_string_equal(pfconf_get(&cf, "smtp_tls_security_level", &w), "encrypt");
	assert_int_equal(w->line, 8);		/* the later definition wins */
	assert_string_equal(pfconf_get(&cf, "long", NULL), "a, b, c");
	/* defaults of parameters the rules use; unknown ones are empty */
	assert_string_equal(pfconf_get(&cf, "smtp_sasl_security_options", &w),
			    "noplaintext, noanonymous");
	assert_null(w);
	assert_string_equal(pfconf_get(&cf, "smtp_sasl_tls_security_options", NULL),
			    "noplaintext, noanonymous");
	assert_string_equal(pfconf_get(&cf, "no_such_parameter", NULL), "");
	assert_int_equal(pfconf_service_chroot(&cf, "smtp", NULL), -1);	/* no master.cf */
	pfconf_free(&cf);
}

static void
test_not_loaded(void **state)
{
	struct pfconf cf;

	(void)state;
	assert_int_equal(pfconf_load(&cf, "/nonexistent/dir"), -1);
	assert_non_null(strstr(cf.error, "main.cf"));
	assert_null(pfconf_get(&cf, "relayhost", NULL));
	pfconf_free(&cf);
}

static void
test_expansion_nested_and_bounded(void **state)
{
	struct pfconf cf;
	struct strbuf sb;
	char big[8192];
	clock_t t0;
	int i;

	(void)state;
	sb_init(&sb);
	sb_adds(&sb, "y = E\n");
	for (i = 1; i <= 9; i++)
		sb_printf(&sb, "x%d = $y\n", i);
	sb_adds(&sb, "level = $x1$x2$x3$x4$x5$x6$x7$x8$x9\n");
	/* exponential: p0 refers 40 times to p1, ... p7 to p8 */
	for (i = 0; i < 8; i++) {
		int k;

		sb_printf(&sb, "p%d =", i);
		for (k = 0; k < 40; k++)
			sb_printf(&sb, " $p%d", i + 1);
		sb_addc(&sb, '\n');
	}
	sb_adds(&sb, "p8 =\nself = $self\n");
	snprintf(big, sizeof(big), "%s", sb.s);
	tu_put("main.cf", big);
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_string_equal(pfconf_get(&cf, "level", NULL), "EEEEEEEEE");
	t0 = clock();
	(void)pfconf_get(&cf, "p0", NULL);
	(void)pfconf_get(&cf, "self", NULL);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	pfconf_free(&cf);
	sb_free(&sb);
}

static void
test_master_cf_chroot(void **state)
{
	struct pfconf cf;
	const struct cf_where *w;

	(void)state;
	tu_put("main.cf", "compatibility_level = 0\n");
	tu_put("master.cf", "smtp      inet  n       -       y       -       -       smtpd\n"
	    "smtp      unix  -       -       y       -       -       smtp\n"
	    "relay     unix  -       -       n       -       -       smtp\n"
	    "  -o syslog_name=postfix/$service_name\n"
	    "lmtp      unix  -       -       -       -       -       lmtp\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(pfconf_service_chroot(&cf, "smtp", &w), 1);
	assert_int_equal(w->line, 2);		/* the unix service, not smtpd */
	assert_int_equal(pfconf_service_chroot(&cf, "relay", NULL), 0);
	assert_int_equal(pfconf_service_chroot(&cf, "lmtp", NULL), 1);	/* '-' at level 0 */
	assert_int_equal(pfconf_service_chroot(&cf, "nope", NULL), -1);
	pfconf_free(&cf);
	tu_put("main.cf", "compatibility_level = 3.6\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(pfconf_service_chroot(&cf, "lmtp", NULL), 0);	/* '-' at level >= 1 */
	pfconf_free(&cf);
}

static void
test_password_map_and_secrets(void **state)
{
	struct pfconf cf;
	struct strbuf out;

	(void)state;
	tu_put("main.cf", "smtp_sasl_password_maps = hash:/etc/postfix-out/relay_passwd\n"
	    "lmtp_sasl_password_maps = static:{ u:two words }\n");
	tu_put("relay_passwd", "# comment\n[smtp.example.com]:587 me@example.com:FilePw-123\n"
	    "broken-line-without-value\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_non_null(cf.sasl_file);		/* found beside main.cf */
	assert_int_equal(cf.nsasl, 1);
	assert_string_equal(cf.sasl[0].key, "[smtp.example.com]:587");
	assert_string_equal(cf.sasl[0].user, "me@example.com");
	assert_null(strstr(cf.sasl[0].where.text, "FilePw-123"));
	sb_init(&out);
	ts_text_clean(&out, "a FilePw-123 b two words c", 26);
	assert_string_equal(out.s, "a " TS_REDACTED " b " TS_REDACTED " c");
	sb_free(&out);
	pfconf_free(&cf);
}

static void
test_sasl_db_state(void **state)
{
	struct pfconf cf;
	struct timeval old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char path[256];

	(void)state;
	tu_put("main.cf", "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n");
	tu_put("sasl_passwd", "[smtp.example.com]:587 u:p\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_MISSING);
	pfconf_free(&cf);
	tu_put("sasl_passwd.db", "db");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_FRESH);
	pfconf_free(&cf);
	tu_path("sasl_passwd.db", path, sizeof(path));
	assert_int_equal(utimes(path, old), 0);
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_STALE);
	assert_non_null(strstr(cf.sasl_db_where.text, "sasl_passwd.db modified 2001-09-"));
	pfconf_free(&cf);
	/* lmdb: postmap writes FILE.lmdb, not FILE.db */
	tu_put("main.cf", "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl_passwd\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_MISSING);
	pfconf_free(&cf);
	/* texthash: needs no database */
	tu_put("main.cf", "smtp_sasl_password_maps = texthash:/etc/postfix/sasl_passwd\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_UNKNOWN);
	pfconf_free(&cf);
}

/* With a configuration directory other than the host's (/etc/postfix), a
 * map path under /etc/postfix/ is looked up in that directory only: a
 * copy of someone else's main.cf must never be paired with this host's
 * real password map. pfconf_host_dir stands in for /etc/postfix here. */
static void
test_map_not_from_host_dir(void **state)
{
	struct pfconf cf;
	char host[300], other[300], path[400], cfgtext[600];
	FILE *fp;

	(void)state;
	snprintf(host, sizeof(host), "%s/host-etc-postfix", tu_root);
	snprintf(other, sizeof(other), "%s/copy", tu_root);
	assert_int_equal(mkdir(host, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	/* the "host" has a real password map */
	snprintf(path, sizeof(path), "%s/sasl_passwd", host);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[smtp.host.example]:587 hostuser:Host-Secret-99\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/main.cf", host);
	snprintf(cfgtext, sizeof(cfgtext), "smtp_sasl_password_maps = hash:%s/sasl_passwd\n", host);
	assert_non_null(fp = fopen(path, "w"));
	fputs(cfgtext, fp);
	fclose(fp);
	/* a copied configuration naming the host's map, without the map */
	snprintf(path, sizeof(path), "%s/main.cf", other);
	assert_non_null(fp = fopen(path, "w"));
	fputs(cfgtext, fp);
	fclose(fp);
	pfconf_host_dir = host;

	assert_int_equal(pfconf_load(&cf, other), 0);
	assert_null(cf.sasl_file);
	assert_int_equal(cf.nsasl, 0);
	assert_int_equal(cf.sasl_db_state, SASL_DB_UNKNOWN);
	assert_non_null(cf.sasl_unavailable);
	assert_non_null(strstr(cf.sasl_unavailable, "/sasl_passwd is not available from "));
	assert_non_null(strstr(cf.sasl_unavailable, other));
	pfconf_free(&cf);

	/* the copy ships its map: that one is read */
	snprintf(path, sizeof(path), "%s/sasl_passwd", other);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[smtp.copy.example]:587 copyuser:Copy-Secret-1\n", fp);
	fclose(fp);
	assert_int_equal(pfconf_load(&cf, other), 0);
	assert_string_equal(cf.sasl_file, path);
	assert_int_equal(cf.nsasl, 1);
	assert_string_equal(cf.sasl[0].user, "copyuser");
	assert_null(cf.sasl_unavailable);
	pfconf_free(&cf);

	/* the host's own directory (also when named with a trailing slash)
	 * reads the host's map */
	snprintf(path, sizeof(path), "%s/", host);
	assert_int_equal(pfconf_load(&cf, path), 0);
	assert_non_null(cf.sasl_file);
	assert_int_equal(cf.nsasl, 1);
	assert_string_equal(cf.sasl[0].user, "hostuser");
	assert_null(cf.sasl_unavailable);
	pfconf_free(&cf);

	/* paths outside the host's directory keep the old order (beside
	 * main.cf, then the path itself) and give no note */
	pfconf_host_dir = "/nonexistent/etc/postfix";
	assert_int_equal(pfconf_load(&cf, other), 0);
	assert_non_null(cf.sasl_file);		/* copy/sasl_passwd, beside main.cf */
	assert_string_equal(cf.sasl[0].user, "copyuser");
	assert_null(cf.sasl_unavailable);
	pfconf_free(&cf);
	pfconf_host_dir = "/etc/postfix";
}

/* pfconf_list_next: blanks and commas separate, not inside {...} */
static const struct {
	const char *list;
	const char *want[4];
} list_cases[] = {
	{ "hash:/a, hash:/b", { "hash:/a", "hash:/b", NULL } },
	{ "  hash:/a,,\tcdb:/b  ", { "hash:/a", "cdb:/b", NULL } },
	{ "inline:{ a=b, c=d }, hash:/x", { "inline:{ a=b, c=d }", "hash:/x", NULL } },
	{ "inline:{ {k = v, w}, x=y } texthash:/t", { "inline:{ {k = v, w}, x=y }", "texthash:/t", NULL } },
	{ "inline:{ unclosed, x", { "inline:{ unclosed, x", NULL } },
	{ "", { NULL } },
};

static void
test_list_next(void **state)
{
	const char *p, *t;
	size_t i, j, n;
	char got[256];

	(void)state;
	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		p = list_cases[i].list;
		for (j = 0; (t = pfconf_list_next(&p, &n)) != NULL; j++) {
			assert_true(j < 3);
			snprintf(got, sizeof(got), "%.*s", (int)n, t);
			assert_non_null(list_cases[i].want[j]);
			assert_string_equal(got, list_cases[i].want[j]);
		}
		assert_null(list_cases[i].want[j]);
	}
}

/* inline:{...} tables: entries, "{ key = value, with commas }", "key="
 * (an empty value, not malformed), secrets masked and registered. */
static const struct {
	const char *spec;
	int rc;
	size_t n;
	const char *key[3], *value[3];
	unsigned long malformed;
} inline_cases[] = {
	{ "inline:{ [h]:587=u:pw-1, k2 = v2 }", 0, 2, { "[h]:587", "k2" }, { "u", "v2" }, 0 },
	{ "inline:{ { [h]:587 = u:p,w,2 } }", 0, 1, { "[h]:587" }, { "u" }, 0 },
	{ "inline:{ [h]:587= }", 0, 1, { "[h]:587" }, { "" }, 0 },
	{ "inline:{ novalue, a=b }", 0, 1, { "a" }, { "b" }, 1 },
	{ "inline:{ a=b", -1, 0, { NULL }, { NULL }, 0 },
	{ "inline:{}", 0, 0, { NULL }, { NULL }, 0 },
};

static void
test_inline_table(void **state)
{
	struct pfconf cf;
	struct cf_table t;
	size_t i, j;

	(void)state;
	tu_put("main.cf", "relayhost = [h]:587\n");
	assert_int_equal(pfconf_load(&cf, tu_root), 0);
	for (i = 0; i < sizeof(inline_cases) / sizeof(inline_cases[0]); i++) {
		assert_int_equal(pfconf_table_read(&cf, inline_cases[i].spec, CF_TABLE_SECRET, &t),
				 inline_cases[i].rc);
		assert_int_equal(t.n, inline_cases[i].n);
		assert_int_equal(t.malformed, inline_cases[i].malformed);
		for (j = 0; j < t.n; j++) {
			assert_string_equal(t.e[j].key, inline_cases[i].key[j]);
			assert_string_equal(t.e[j].value, inline_cases[i].value[j]);
			assert_true(t.e[j].inline_entry);
			assert_string_equal(t.e[j].where.file, "inline:{...}");
			assert_null(strstr(t.e[j].where.text, "pw"));
			assert_null(strstr(t.e[j].where.text, "p,w"));
		}
		pfconf_table_free(&t);
	}
	pfconf_free(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_main_cf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_loaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expansion_nested_and_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_master_cf_chroot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_map_and_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sasl_db_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_not_from_host_dir, setup, teardown),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test_setup_teardown(test_inline_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
