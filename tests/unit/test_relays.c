/*
 * test_relays.c - the next hops of relays.c from fixture configurations
 * (relayhost lists, transport_maps with master.cf services,
 * sender_dependent_relayhost_maps, fallback relays, default_transport)
 * and the password map keys smtp(8) tries for each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relays.h"
#include "textsafe.h"

#include "testutil.h"

static int
setup(void **state)
{
	(void)state;
	if (tu_root_make("relays") != 0)
		return 1;
	return tu_mkdirs("etc/postfix");
}

static int
teardown(void **state)
{
	(void)state;
	ts_secrets_clear();
	return tu_root_remove() != 0;
}

static const char master_cf[] =
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "smtp      unix  -       -       y       -       -       smtp\n"
    "relay     unix  -       -       y       -       -       smtp\n"
    "fastmail  unix  -       -       y       -       -       smtp\n"
    "  -o smtp_tls_wrappermode=yes\n"
    "lmtp      unix  -       -       y       -       -       lmtp\n"
    "error     unix  -       -       y       -       -       error\n"
    "local     unix  -       n       n       -       -       local\n";

/* "from nexthop host port bracketed key line" per relay, joined by '|' */
static void
describe(const struct relay_list *l, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n && o < size; i++) {
		const struct relay *r = &l->r[i];

		o += (size_t)snprintf(buf + o, size - o, "%s%s %s %s %s %d %s %d",
				      i > 0 ? "|" : "", relays_from_name(r->from), r->nexthop,
				      r->host, r->port != NULL ? r->port : "-", r->bracketed,
				      r->key != NULL ? r->key : "-", r->where.line);
	}
}

static void
collect(const char *main_cf, char *buf, size_t size)
{
	struct pfconf cf;
	struct relay_list l;

	tu_put("etc/postfix/main.cf", main_cf);
	tu_load(&cf);
	relays_collect(&cf, &l);
	describe(&l, buf, size);
	relays_free(&l);
	pfconf_free(&cf);
}

static void
test_relayhost_forms(void **state)
{
	char buf[2048];

	(void)state;
	tu_put("etc/postfix/master.cf", master_cf);
	collect("relayhost = [SMTP.Fastmail.com]:587\n", buf, sizeof(buf));
	assert_string_equal(buf, "relayhost [SMTP.Fastmail.com]:587 smtp.fastmail.com 587 1 - 1");
	collect("mydomain = example.org\nrelayhost = $mydomain\n", buf, sizeof(buf));
	assert_string_equal(buf, "relayhost example.org example.org - 0 - 2");
	/* a list (Postfix 3.5), service names, a duplicate kept once */
	collect("relayhost = mail1.example:587, [mail2.example]:submission\n"
		"\tmail1.example:587\nsmtp_fallback_relay = [backup.example], mail1.example:587\n",
		buf, sizeof(buf));
	assert_string_equal(buf, "relayhost mail1.example:587 mail1.example 587 0 - 1|"
			    "relayhost [mail2.example]:submission mail2.example submission 1 - 1|"
			    "smtp_fallback_relay [backup.example] backup.example - 1 - 3");
	collect("relayhost =\n", buf, sizeof(buf));
	assert_string_equal(buf, "");
	collect("relayhost = []:587 [::1\n", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void
test_transport_maps(void **state)
{
	char buf[2048];

	(void)state;
	tu_put("etc/postfix/master.cf", master_cf);
	tu_put("etc/postfix/transport",
	    "# comment\n"
	    "example.com    fastmail:[smtp.fastmail.com]:465\n"
	    "example.net    smtp:\n"		/* recipient domain: no relay */
	    "example.org    error:no mail here\n"
	    "lmtp.example   lmtp:unix:private/dovecot-lmtp\n"
	    "lmtp2.example  lmtp:inet:lmtp.local:24\n"
	    "other.example  :[Other.Relay]\n"
	    "nosvc.example  nosuch:[x.example]\n");
	collect("transport_maps = hash:/etc/postfix/transport\n"
		"default_transport = smtp:[outbound.example]:2525\n", buf, sizeof(buf));
	assert_string_equal(buf,
			    "transport_maps [smtp.fastmail.com]:465 smtp.fastmail.com 465 1 example.com 2|"
			    "transport_maps inet:lmtp.local:24 lmtp.local 24 0 lmtp2.example 6|"
			    "transport_maps [Other.Relay] other.relay - 1 other.example 7|"
			    "default_transport [outbound.example]:2525 outbound.example 2525 1 - 2");
}

static void
test_sender_dependent(void **state)
{
	struct pfconf cf;
	struct relay_list l;
	const char *keys[8];
	char buf[2048];
	size_t n;

	(void)state;
	tu_put("etc/postfix/master.cf", master_cf);
	tu_put("etc/postfix/sender_relay",
	    "alice@example.com   [smtp.fastmail.com]:587\n"
	    "bob@example.com     [smtp.fastmail.com]:587\n"
	    "@example.org        [smtp.gmail.com]:587\n"
	    "@example.net        DUNNO\n");
	tu_put("etc/postfix/main.cf",
	    "relayhost = [smtp.fastmail.com]:587\n"
	    "sender_dependent_relayhost_maps = hash:/etc/postfix/sender_relay\n");
	tu_load(&cf);
	relays_collect(&cf, &l);
	describe(&l, buf, sizeof(buf));
	assert_string_equal(buf,
			    "relayhost [smtp.fastmail.com]:587 smtp.fastmail.com 587 1 - 1|"
			    "sender_dependent_relayhost_maps [smtp.fastmail.com]:587 smtp.fastmail.com 587 1 alice@example.com 1|"
			    "sender_dependent_relayhost_maps [smtp.fastmail.com]:587 smtp.fastmail.com 587 1 bob@example.com 2|"
			    "sender_dependent_relayhost_maps [smtp.gmail.com]:587 smtp.gmail.com 587 1 @example.org 3");
	/* keys: host, then the destination as written */
	n = relays_sasl_keys(&l.r[0], keys, 8);
	assert_int_equal(n, 2);
	assert_string_equal(keys[0], "smtp.fastmail.com");
	assert_string_equal(keys[1], "[smtp.fastmail.com]:587");
	/* sender-dependent authentication: sender, @domain first */
	n = relays_sasl_keys_all(&l.r[1], 1, keys, 8);
	assert_int_equal(n, 4);
	assert_string_equal(keys[0], "alice@example.com");
	assert_string_equal(keys[1], "@example.com");
	assert_string_equal(keys[2], "smtp.fastmail.com");
	n = relays_sasl_keys_all(&l.r[3], 1, keys, 8);
	assert_int_equal(n, 3);
	assert_string_equal(keys[0], "@example.org");
	n = relays_sasl_keys_all(&l.r[3], 0, keys, 1);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0], "smtp.gmail.com");
	relays_free(&l);
	pfconf_free(&cf);
}

static void
test_plain_host_one_key(void **state)
{
	char nexthop[] = "Mail.Example", host[] = "mail.example";
	struct relay r = { 0 };
	const char *keys[4];

	(void)state;
	r.nexthop = nexthop;
	r.host = host;
	assert_int_equal(relays_sasl_keys(&r, keys, 4), 1);
	assert_string_equal(keys[0], "mail.example");
	assert_int_equal(relays_sasl_keys(&r, keys, 0), 0);
}

static void
test_no_master_cf(void **state)
{
	char buf[2048];

	(void)state;
	/* master.cf missing: any transport is taken as smtp-like */
	tu_put("etc/postfix/transport", "example.com  custom:[relay.example]:587\n");
	collect("transport_maps = hash:/etc/postfix/transport, hash:/etc/postfix/none\n",
		buf, sizeof(buf));
	assert_string_equal(buf, "transport_maps [relay.example]:587 relay.example 587 1 example.com 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relayhost_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_dependent, setup, teardown),
		cmocka_unit_test(test_plain_host_one_key),
		cmocka_unit_test_setup_teardown(test_no_master_cf, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
