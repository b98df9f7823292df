/*
 * test_probe.c - the probe's pure parts as tables: next-hop syntax and
 * ports, what each TLS level asks for, and the AUTH mechanisms smtp(8)
 * may use after smtp_sasl_mechanism_filter and the security options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "probe_int.h"

static const struct {
	const char *dest;
	int rc;
	const char *host, *port, *port_num;
	int bracketed;
} dest_cases[] = {
	{ "[smtp.fastmail.com]:587", 0, "smtp.fastmail.com", "587", "587", 1 },
	{ "[SMTP.Fastmail.com]", 0, "smtp.fastmail.com", "25", "25", 1 },
	{ "smtp.gmail.com:submission", 0, "smtp.gmail.com", "submission", "587", 0 },
	{ "mail.example.com", 0, "mail.example.com", "25", "25", 0 },
	{ "[smtp.example.com]:smtps", 0, "smtp.example.com", "smtps", "465", 1 },
	{ "smtp:[relay.example.com]:2525", 0, "relay.example.com", "2525", "2525", 1 },
	{ "  [127.0.0.1]:587 ", 0, "127.0.0.1", "587", "587", 1 },
	{ "[2001:db8::1]:587", 0, "2001:db8::1", "587", "587", 1 },
	{ "[]:587", -1, NULL, NULL, NULL, 0 },
	{ "[smtp.example.com:587", -1, NULL, NULL, NULL, 0 },
	{ "[smtp.example.com]587", -1, NULL, NULL, NULL, 0 },
	{ "smtp.example.com:99999", -1, NULL, NULL, NULL, 0 },
	{ "smtp.example.com:no-such-service", -1, NULL, NULL, NULL, 0 },
	{ "user@smtp.example.com", -1, NULL, NULL, NULL, 0 },
	{ "", -1, NULL, NULL, NULL, 0 },
};

static void
test_dest_parse(void **state)
{
	struct probe_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dest_cases) / sizeof(dest_cases[0]); i++) {
		memset(&res, 0, sizeof(res));
		assert_int_equal(probe_dest_parse(dest_cases[i].dest, &res), dest_cases[i].rc);
		if (dest_cases[i].rc != 0)
			continue;
		assert_string_equal(res.host, dest_cases[i].host);
		assert_string_equal(res.port, dest_cases[i].port);
		assert_string_equal(res.port_num, dest_cases[i].port_num);
		assert_int_equal(res.bracketed, dest_cases[i].bracketed);
	}
	assert_true(probe_port_is_smtps("465"));
	assert_false(probe_port_is_smtps("587"));
}

static const struct {
	const char *level;
	enum tls_want want;
} level_cases[] = {
	{ "", TW_NONE }, { "none", TW_NONE }, { "may", TW_MAY }, { "dane", TW_MAY },
	{ "encrypt", TW_ENCRYPT }, { "Encrypt", TW_ENCRYPT }, { "fingerprint", TW_ENCRYPT },
	{ "verify", TW_VERIFY }, { "secure", TW_VERIFY }, { "dane-only", TW_VERIFY },
	{ "yes", TW_ENCRYPT },
};

static void
test_level_want(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(level_cases) / sizeof(level_cases[0]); i++)
		assert_int_equal(probe_level_want(level_cases[i].level), level_cases[i].want);
}

static const struct {
	const char *offered;	/* blank separated */
	const char *opts, *filter;
	const char *usable;
} mech_cases[] = {
	{ "PLAIN LOGIN", "noanonymous", "", "PLAIN LOGIN" },
	{ "PLAIN LOGIN", "noplaintext, noanonymous", "", "" },
	{ "PLAIN LOGIN CRAM-MD5", "noplaintext, noanonymous", "", "CRAM-MD5" },
	{ "PLAIN LOGIN CRAM-MD5", "noanonymous", "login", "LOGIN" },
	{ "PLAIN LOGIN XOAUTH2", "noanonymous", "plain, login", "PLAIN LOGIN" },
	{ "ANONYMOUS PLAIN", "noanonymous", "", "PLAIN" },
	{ "SCRAM-SHA-256 PLAIN", "nodictionary", "", "" },
	{ "", "noanonymous", "", "" },
};

static void
test_mechs_usable(void **state)
{
	struct smtpc_ehlo e;
	char buf[256];
	const char *p;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(mech_cases) / sizeof(mech_cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		for (p = mech_cases[i].offered; *p != '\0'; p += n + (p[n] == ' ')) {
			n = strcspn(p, " ");
			memcpy(e.mech[e.nmech], p, n);
			e.mech[e.nmech++][n] = '\0';
		}
		e.auth = e.nmech > 0;
		probe_mechs_usable(&e, mech_cases[i].opts, mech_cases[i].filter, buf, sizeof(buf));
		assert_string_equal(buf, mech_cases[i].usable);
		probe_mechs_text(&e, buf, sizeof(buf));
		assert_string_equal(buf, mech_cases[i].offered);
	}
	assert_true(probe_word_in("PLAIN LOGIN", "login"));
	assert_false(probe_word_in("PLAINX LOGIN", "PLAIN"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_parse),
		cmocka_unit_test(test_level_want),
		cmocka_unit_test(test_mechs_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
