/*
 * test_check_host.c - the host checks (check_chroot.c, check_sender.c,
 * check_routing.c, check_params.c): chroot copies and /etc/hosts, sender
 * domain, relayhost syntax, mydestination and transport_maps routing,
 * unknown and repeated parameter names. Each case builds a root in a
 * temporary directory, runs one check and compares the observation texts
 * (root shown as ROOT) and their evidence (file:line) with the expected
 * ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"
#include "textsafe.h"

#include "testutil.h"

static const char master_chroot[] =
	"smtp      inet  n       -       y       -       -       smtpd\n"
	"pickup    unix  n       -       y       60      1       pickup\n"
	"smtp      unix  -       -       y       -       -       smtp\n"
	"relay     unix  -       -       y       -       -       smtp\n"
	"    -o syslog_name=postfix/$service_name\n"
	"local     unix  -       n       n       -       -       local\n"
	"virtual   unix  -       n       n       -       -       virtual\n"
	"error     unix  -       -       y       -       -       error\n"
	"retry     unix  -       -       y       -       -       error\n"
	"discard   unix  -       -       y       -       -       discard\n"
	"mailman   unix  -       n       n       -       -       pipe\n"
	"  flags=FRX user=list argv=/usr/lib/mailman/bin/postfix-to-mailman.py ${nexthop} ${user}\n";

/* Load ROOT, run fn, compare with the expected texts (NULL-terminated;
 * an expected text may end in "\tEVIDENCE" to check the evidence too,
 * and "\tEVIDENCE\tHOST" for the relay host ("-" for none). */
static void
run(check_fn fn, const char *const *want)
{
	struct tu_seen s;
	size_t i;

	tu_check(fn, NULL, &s);
	for (i = 0; want[i] != NULL; i++) {
		const char *tab = strchr(want[i], '\t');
		size_t n = tab != NULL ? (size_t)(tab - want[i]) : strlen(want[i]);

		assert_true(i < s.n);
		assert_int_equal(strlen(s.o[i].text), n);
		assert_memory_equal(s.o[i].text, want[i], n);
		if (tab != NULL && strchr(tab + 1, '\t') != NULL) {
			const char *t2 = strchr(tab + 1, '\t');

			assert_int_equal(strlen(s.o[i].where), (size_t)(t2 - tab - 1));
			assert_memory_equal(s.o[i].where, tab + 1, (size_t)(t2 - tab - 1));
			assert_string_equal(s.o[i].host, t2 + 1);
		} else if (tab != NULL) {
			assert_string_equal(s.o[i].where, tab + 1);
		}
	}
	assert_int_equal(s.n, i);
	tu_seen_free(&s);
}

static int
setup(void **state)
{
	(void)state;
	if (tu_root_make("host") != 0)
		return 1;
	check_params_set_list(FMRD_SRC_PATTERNS);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ts_secrets_clear();
	check_params_set_list(NULL);
	return tu_root_remove() != 0;
}

/* ---- chroot copies and /etc/hosts ---------------------------------- */

static void
test_chroot_copies(void **state)
{
	static const char *const want[] = {
		"chroot: smtp runs chrooted; /var/spool/postfix/etc/resolv.conf (the jail's copy "
		"of /etc/resolv.conf) is missing\t"
		"ROOT/etc/postfix/master.cf:3 ROOT/var/spool/postfix/etc/resolv.conf:0 "
		"ROOT/etc/resolv.conf:0\tsmtp.example.net",
		"chroot: smtp runs chrooted; /var/spool/postfix/etc/hosts (the jail's copy of "
		"/etc/hosts) differs from it",
		NULL
	};

	(void)state;
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.example.net]:587\n");
	tu_put("etc/postfix/master.cf", master_chroot);
	tu_put("etc/resolv.conf", "nameserver 192.0.2.53\n");
	tu_put("etc/hosts", "127.0.0.1 localhost\n192.0.2.7 mx1.example.com mx1\n");
	tu_put("etc/services", "smtp 25/tcp mail\nsubmission 587/tcp\n");
	tu_put("var/spool/postfix/etc/hosts", "127.0.0.1 localhost\n");
	tu_put("var/spool/postfix/etc/services", "smtp 25/tcp mail\nsubmission 587/tcp\n");
	run(check_chroot_files, want);
}

static void
test_chroot_equal_or_not_chrooted(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	/* resolv.conf a link to /run/... of the root; the copy equals it */
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.example.net]:587\n"
	    "queue_directory = /var/spool/postfix/\n");
	tu_put("etc/postfix/master.cf", master_chroot);
	tu_put("run/systemd/resolve/stub-resolv.conf", "nameserver 127.0.0.53\n");
	tu_symlink("/run/systemd/resolve/stub-resolv.conf", "etc/resolv.conf");
	tu_put("var/spool/postfix/etc/resolv.conf", "nameserver 127.0.0.53\n");
	run(check_chroot_files, none);

	/* not chrooted: the jail's files do not matter */
	tu_put("etc/postfix/master.cf", "smtp unix - - n - - smtp\nrelay unix - - n - - smtp\n");
	tu_put("var/spool/postfix/etc/resolv.conf", "nameserver 192.0.2.1\n");
	run(check_chroot_files, none);

	/* "-" is chrooted below compatibility level 1 */
	tu_put("etc/postfix/master.cf", "smtp unix - - - - - smtp\n");
	tu_put("etc/postfix/main.cf", "compatibility_level = 3.6\n");
	run(check_chroot_files, none);
	tu_put("etc/postfix/main.cf", "compatibility_level = 0\n");
	{
		static const char *const want[] = {
			"chroot: smtp runs chrooted; /var/spool/postfix/etc/resolv.conf (the "
			"jail's copy of /etc/resolv.conf) differs from it",
			NULL
		};

		run(check_chroot_files, want);
	}
}

static void
test_hosts_file(void **state)
{
	static const char *const want[] = {
		"hosts: relay host relay.example.net is in /etc/hosts (192.0.2.25), but "
		"smtp_host_lookup = dns looks it up in DNS only\t"
		"ROOT/etc/postfix/main.cf:1 ROOT/etc/hosts:3",
		NULL
	};
	static const char *const want_set[] = {
		"hosts: relay host relay.example.net is in /etc/hosts (192.0.2.25), but "
		"smtp_host_lookup = dns looks it up in DNS only\t"
		"ROOT/etc/postfix/main.cf:1 ROOT/etc/hosts:3 ROOT/etc/postfix/main.cf:2",
		NULL
	};
	static const char *const none[] = { NULL };

	(void)state;
	tu_put("etc/hosts", "127.0.0.1 localhost\n# the relay\n192.0.2.25   mail Relay.Example.NET # x\n");
	tu_put("etc/postfix/main.cf", "relayhost = [relay.example.net]:587\n");
	run(check_chroot_files, want);
	tu_put("etc/postfix/main.cf", "relayhost = [relay.example.net]:587\nsmtp_host_lookup = dns\n");
	run(check_chroot_files, want_set);
	tu_put("etc/postfix/main.cf", "relayhost = [relay.example.net]:587\n"
	    "smtp_host_lookup = dns, native\n");
	run(check_chroot_files, none);
	tu_put("etc/postfix/main.cf", "relayhost = [relay.example.net]:587\n"
	    "smtp_dns_support_level = disabled\n");
	run(check_chroot_files, none);
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.example.com]:587\n");
	run(check_chroot_files, none);
	tu_put("etc/postfix/main.cf", "relayhost = [192.0.2.25]:587\n");
	run(check_chroot_files, none);
}

/* ---- sender domain --------------------------------------------------- */

static void
test_sender(void **state)
{
	static const struct {
		const char *main_cf, *hostname, *mailname, *want;
	} cases[] = {
		/* the host name without a dot: Postfix appends .localdomain */
		{ "relayhost = [smtp.fastmail.com]:587\n", "debian\n", NULL,
		  "sender: mail leaves with sender addresses @debian.localdomain (from the host name; "
		  "ends in .localdomain) through relayhost smtp.fastmail.com, and no smtp_generic_maps "
		  "or sender_canonical_maps rewrites them\tROOT/etc/hostname:0 ROOT/etc/postfix/main.cf:1" },
		{ "relayhost = [smtp.fastmail.com]:587\nmydomain = example.com\n", "debian\n", NULL, NULL },
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = nas.lan\n", NULL, NULL,
		  "sender: mail leaves with sender addresses @nas.lan (from myhostname; ends in .lan) "
		  "through relayhost smtp.fastmail.com, and no smtp_generic_maps or "
		  "sender_canonical_maps rewrites them\tROOT/etc/postfix/main.cf:2 ROOT/etc/postfix/main.cf:1" },
		{ "myhostname = nas.lan\nrelayhost = smtp.fastmail.com:587\nmyorigin = $myhostname\n",
		  NULL, NULL,
		  "sender: mail leaves with sender addresses @nas.lan (from myhostname; ends in .lan) "
		  "through relayhost smtp.fastmail.com, and no smtp_generic_maps or "
		  "sender_canonical_maps rewrites them\tROOT/etc/postfix/main.cf:1 "
		  "ROOT/etc/postfix/main.cf:3 ROOT/etc/postfix/main.cf:2" },
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = localhost\n", NULL, NULL,
		  "sender: mail leaves with sender addresses @localhost (from myhostname; a localhost "
		  "name) through relayhost smtp.fastmail.com, and no smtp_generic_maps or "
		  "sender_canonical_maps rewrites them" },
		/* Debian: myorigin = /etc/mailname */
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = nas.lan\nmyorigin = /etc/mailname\n",
		  NULL, "example.com\n", NULL },
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
		  "myorigin = /etc/mailname\n", NULL, "nas\n",
		  "sender: mail leaves with sender addresses @nas (from myorigin; no dot) through "
		  "relayhost smtp.fastmail.com, and no smtp_generic_maps or sender_canonical_maps "
		  "rewrites them\tROOT/etc/postfix/main.cf:3 ROOT/etc/mailname:0 ROOT/etc/postfix/main.cf:1" },
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
		  "myorigin = $mydomain\n", NULL, NULL, NULL },
		/* rewritten, or no relay: not this check's business */
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = nas.lan\n"
		  "smtp_generic_maps = hash:/etc/postfix/generic\n", NULL, NULL, NULL },
		{ "relayhost = [smtp.fastmail.com]:587\nmyhostname = nas.lan\n"
		  "sender_canonical_maps = hash:/etc/postfix/canonical\n", NULL, NULL, NULL },
		{ "myhostname = nas.lan\n", NULL, NULL, NULL },
	};
	char path[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want[2] = { cases[i].want, NULL };

		print_message("# case %zu\n", i);
		tu_put("etc/postfix/main.cf", cases[i].main_cf);
		unlink(tu_path("etc/hostname", path, sizeof(path)));
		if (cases[i].hostname != NULL)
			tu_put("etc/hostname", cases[i].hostname);
		if (cases[i].mailname != NULL)
			tu_put("etc/mailname", cases[i].mailname);
		run(check_sender, want);
	}
}

/* ---- routing --------------------------------------------------------- */

static void
test_relayhost_syntax(void **state)
{
	static const struct {
		const char *relayhost, *want, *want2;
	} cases[] = {
		{ "[smtp.fastmail.com]:587", NULL, NULL },
		{ "[smtp.fastmail.com]:submission", NULL, NULL },
		{ "smtp.fastmail.com:587", NULL, NULL },
		{ "[192.0.2.1]", NULL, NULL },
		{ "[smtp.fastmail.com:587",
		  "relayhost destination \"[smtp.fastmail.com:587\": unbalanced brackets\t"
		  "ROOT/etc/postfix/main.cf:2\tsmtp.fastmail.com", NULL },
		{ "smtp.fastmail.com]:587",
		  "relayhost destination \"smtp.fastmail.com]:587\": unbalanced brackets", NULL },
		{ "[smtp.fastmail.com]587",
		  "relayhost destination \"[smtp.fastmail.com]587\": text after the closing bracket", NULL },
		{ "[smtp.fastmail.com]:",
		  "relayhost destination \"[smtp.fastmail.com]:\": an empty port", NULL },
		{ "[smtp.fastmail.com]:70000",
		  "relayhost destination \"[smtp.fastmail.com]:70000\": port 70000 is not a port "
		  "number (1-65535)", NULL },
		{ "[smtp.fastmail.com]:sumbission",
		  "relayhost destination \"[smtp.fastmail.com]:sumbission\": port \"sumbission\" is "
		  "neither a number nor a service in /etc/services", NULL },
		{ "smtp://smtp.fastmail.com:587",
		  "relayhost destination \"smtp://smtp.fastmail.com:587\": a URL scheme; relayhost "
		  "takes [host]:port\tROOT/etc/postfix/main.cf:2\tsmtp.fastmail.com", NULL },
		{ "alice@example.com@[smtp.fastmail.com]:587",
		  "relayhost destination \"alice@example.com@[smtp.fastmail.com]:587\": a user name; "
		  "the login belongs in smtp_sasl_password_maps\tROOT/etc/postfix/main.cf:2\t"
		  "smtp.fastmail.com", NULL },
		{ "[]:587", "relayhost destination \"[]:587\": no host name\tROOT/etc/postfix/main.cf:2\t-",
		  NULL },
		{ "smtp.fastmail.com 587",
		  "relayhost destination \"587\": a port number alone; write host:port with no blank",
		  "relayhost lists 2 destinations: smtp.fastmail.com 587" },
		{ "[a.example.net]:587, [b.example.net]:587",
		  "relayhost lists 2 destinations: [a.example.net]:587, [b.example.net]:587", NULL },
	};
	char main_cf[300];
	size_t i;

	(void)state;
	tu_put("etc/services", "smtp\t\t25/tcp\t\tmail\nsubmission\t587/tcp\n"
	    "submissions\t465/tcp\t\tssmtp smtps urd\nsumbission 588/udp\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want[3] = { cases[i].want, cases[i].want2, NULL };

		print_message("# case %zu\n", i);
		snprintf(main_cf, sizeof(main_cf), "myhostname = mx1.example.com\nrelayhost = %s\n",
			 cases[i].relayhost);
		tu_put("etc/postfix/main.cf", main_cf);
		run(check_routing, want);
	}
}

static void
test_mydestination(void **state)
{
	static const char *const want[] = {
		"mydestination lists example.com, the domain of myorigin, while relayhost is set: "
		"mail for @example.com is delivered on this host\t"
		"ROOT/etc/postfix/main.cf:4 ROOT/etc/postfix/main.cf:3 ROOT/etc/postfix/main.cf:1",
		NULL
	};
	static const char *const want_domain[] = {
		"mydestination lists example.com, the domain of mydomain, while relayhost is set: "
		"mail for @example.com is delivered on this host\t"
		"ROOT/etc/postfix/main.cf:3 ROOT/etc/postfix/main.cf:1",
		NULL
	};
	static const char *const none[] = { NULL };

	(void)state;
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
	    "myorigin = example.com\n"
	    "mydestination = $myhostname, example.com, localhost.example.com, localhost\n");
	run(check_routing, want);
	/* $mydomain derived from the host name */
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
	    "mydestination = $myhostname, $mydomain, localhost\n");
	run(check_routing, want_domain);
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
	    "myorigin = example.com\nmydestination = $myhostname, localhost.$mydomain, localhost\n");
	run(check_routing, none);
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nmyorigin = example.com\n");
	run(check_routing, none);
	tu_put("etc/postfix/main.cf", "myhostname = mx1.example.com\nmyorigin = example.com\n"
	    "mydestination = $myhostname, example.com, localhost\n");
	run(check_routing, none);
}

static void
test_transports(void **state)
{
	static const char *const want[] = {
		"default_transport = error: mail for other domains goes to error(8), not to relayhost "
		"smtp.fastmail.com\tROOT/etc/postfix/main.cf:3 ROOT/etc/postfix/main.cf:1",
		"transport_maps sends example.org to \"local:\": local(8) delivers it, not relayhost "
		"smtp.fastmail.com\tROOT/etc/postfix/transport:2",
		"transport_maps sends .example.net to \"retry:down for now\": error(8) delivers it, not "
		"relayhost smtp.fastmail.com\tROOT/etc/postfix/transport:4",
		"transport_maps sends shop.example.com to \"virtual:\": virtual(8) delivers it, not "
		"relayhost smtp.fastmail.com\tROOT/etc/postfix/transport:6",
		NULL
	};
	static const char *const none[] = { NULL };

	(void)state;
	tu_put("etc/postfix/master.cf", master_chroot);
	tu_put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nmyhostname = mx1.example.com\n"
	    "default_transport = error\ntransport_maps = texthash:/etc/postfix/transport\n"
	    "virtual_mailbox_domains = hosted.example.com\n");
	tu_put("etc/postfix/transport", "# local delivery on purpose\nexample.org local:\n"
	    "mx1.example.com local:\n.example.net retry:down for now\nlists.example.com mailman:\n"
	    "shop.example.com virtual:\nhosted.example.com virtual:\n"
	    "partner.example smtp:[mx.partner.example]\n");
	run(check_routing, want);
	/* no relayhost: a mail server's routing is its own business */
	tu_put("etc/postfix/main.cf", "myhostname = mx1.example.com\ndefault_transport = error\n"
	    "transport_maps = texthash:/etc/postfix/transport\n");
	run(check_routing, none);
}

/* ---- parameter names ------------------------------------------------- */

static void
test_params(void **state)
{
	static const char *const want[] = {
		"ROOT/etc/postfix/main.cf, line 12: overriding earlier entry: relayhost=[old.example.net]:25\t"
		"ROOT/etc/postfix/main.cf:1 ROOT/etc/postfix/main.cf:12\t-",
		"ROOT/etc/postfix/main.cf: unused parameter: smtp_sasl_pasword_maps=hash:/etc/postfix/sasl_passwd\t"
		"ROOT/etc/postfix/main.cf:2",
		"ROOT/etc/postfix/main.cf: unused parameter: smtp_time_limit=3\tROOT/etc/postfix/main.cf:4",
		"ROOT/etc/postfix/main.cf: unused parameter: smtp_tls_securty_level=encrypt\t"
		"ROOT/etc/postfix/main.cf:15",
		"ROOT/etc/postfix/main.cf: unused parameter: submission_helo=$myhostname\t"
		"ROOT/etc/postfix/main.cf:17",
		NULL
	};

	(void)state;
	tu_put("etc/postfix/master.cf", master_chroot);
	tu_put("etc/postfix/main.cf",
	    "relayhost = [old.example.net]:25\n"
	    "smtp_sasl_pasword_maps = hash:/etc/postfix/sasl_passwd\n"
	    "relay_destination_concurrency_limit = 2\n"
	    "smtp_time_limit = 3\n"
	    "mailman_time_limit = 3600\n"
	    "my_relay = [smtp.example.net]:587\n"
	    "smtp_fallback_relay = $my_relay\n"
	    "smtpd_restriction_classes = strict\n"
	    "strict = reject_unverified_recipient\n"
	    "virtual_maps = hash:/etc/postfix/virtual\n"
	    "# a comment between\n"
	    "relayhost = [smtp.example.net]:587\n"
	    "virtual_alias_maps = ldap:corp\n"
	    "corp_server_host = ldap.example.com\n"
	    "smtp_tls_securty_level =\n"
	    "    encrypt\n"
	    "submission_helo = $myhostname\n");
	run(check_params, want);
}

static void
test_params_master_and_secrets(void **state)
{
	static const char *const want[] = {
		"ROOT/etc/postfix/main.cf, line 2: overriding earlier entry: smtp_sasl_password_maps=********",
		"ROOT/etc/postfix/main.cf: unused parameter: smtp_sasl_passwd_maps=********",
		NULL
	};

	(void)state;
	/* -o $name in master.cf makes name user-defined; without master.cf
	 * any SERVICE_suffix counts */
	tu_put("etc/postfix/master.cf", "submission inet n - y - - smtpd\n"
	    "  -o smtpd_client_restrictions=$mua_client_restrictions\n");
	tu_put("etc/postfix/main.cf", "smtp_sasl_password_maps = static:alice:pw-SECRET-1\n"
	    "smtp_sasl_password_maps = static:alice:pw-SECRET-2\n"
	    "mua_client_restrictions = permit_sasl_authenticated, reject\n"
	    "smtp_sasl_passwd_maps = static:bob:pw-SECRET-3\n");
	run(check_params, want);
	check_params_set_list("/nonexistent/postfix-params.list");
	{
		static const char *const want2[] = {
			"ROOT/etc/postfix/main.cf, line 2: overriding earlier entry: "
			"smtp_sasl_password_maps=********",
			"skipped: params: cannot read /nonexistent/postfix-params.list: No such file "
			"or directory",
			NULL
		};

		run(check_params, want2);
	}
	check_params_set_list(FMRD_SRC_PATTERNS "/sasl.rules");	/* the list beside it */
	tu_put("etc/postfix/main.cf", "foo_destination_concurrency_limit = 1\nbar_time_limit = 2\n");
	{
		char path[600];

		unlink(tu_path("etc/postfix/master.cf", path, sizeof(path)));
	}
	run(check_params, (const char *const[]){ NULL });
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chroot_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chroot_equal_or_not_chrooted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relayhost_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mydestination, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_master_and_secrets, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
