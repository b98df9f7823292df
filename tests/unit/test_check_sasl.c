/*
 * test_check_sasl.c - check_sasl_map and check_sasl_settings over fixture
 * roots: the compiled file (missing, stale, fresh), the source's lines
 * (malformed, duplicate, empty parts, username form), owner and mode, the
 * keys smtp(8) tries for each relay (relayhost, transport_maps,
 * sender-dependent), and the SASL settings (auth disabled, security
 * options, mechanism filter, Cyrus plugins). Every observation text is
 * compared exactly ("ROOT" stands for the fixture root); no text or
 * evidence may contain the passwords' marker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "check.h"
#include "textsafe.h"

#include "testutil.h"

/* Write ROOT/name with the given mode. */
static void
put(const char *name, const char *text, int mode)
{
	char path[4096];

	tu_put(name, text);
	assert_int_equal(chmod(tu_path(name, path, sizeof(path)), (mode_t)mode), 0);
}

/* Set a file's modification time to a local time. */
static time_t
set_mtime(const char *name, int year, int mon, int day, int hour)
{
	struct tm tm = { 0 };
	struct timeval tv[2];
	char path[4096];

	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_isdst = -1;
	tv[0].tv_sec = tv[1].tv_sec = mktime(&tm);
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(tu_path(name, path, sizeof(path)), tv), 0);
	return tv[0].tv_sec;
}

static int
setup(void **state)
{
	(void)state;
	if (tu_root_make("sasl") != 0)
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
    "smtp      unix  -       -       y       -       -       smtp\n"
    "relay     unix  -       -       y       -       -       smtp\n"
    "lmtp      unix  -       -       y       -       -       lmtp\n";

/* Run CHECK over the fixture: s->lines has the observations as
 * "host|text" lines, s->ev their evidence as "file:line text" lines.
 * Without modes, "password map file" (mode) observations are left out. */
static void
run(check_fn check, struct tu_seen *s, int modes)
{
	tu_check(check, modes ? NULL : "password map file ", s);
}

static void
expect(check_fn check, const char *want)
{
	struct tu_seen s;

	run(check, &s, 0);
	assert_string_equal(s.lines.s, want);
	tu_seen_free(&s);
}

static const char main_fastmail[] =
    "relayhost = [smtp.fastmail.com]:587\n"
    "smtp_sasl_auth_enable = yes\n"
    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
    "smtp_sasl_security_options = noanonymous\n"
    "smtp_tls_security_level = encrypt\n";

static void
map_fixture(const char *main_cf, const char *passwd)
{
	put("etc/postfix/main.cf", main_cf, 0644);
	put("etc/postfix/master.cf", master_cf, 0644);
	put("etc/postfix/sasl_passwd", passwd, 0600);
	put("etc/postfix/sasl_passwd.db", "db", 0600);
	set_mtime("etc/postfix/sasl_passwd", 2024, 1, 1, 10);
	set_mtime("etc/postfix/sasl_passwd.db", 2024, 1, 1, 11);
}

static void
test_clean(void **state)
{
	(void)state;
	map_fixture(main_fastmail, "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map, "");
	/* a map named with $name: the value outlives the relays' lookups */
	map_fixture("mapdir = /etc/postfix\nrelayhost = [smtp.fastmail.com]:587\n"
		    "smtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:${mapdir}/sasl_passwd\n"
		    "transport_maps = hash:$mapdir/transport\n",
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map, "");
	/* the host name alone is a key too, in any case */
	map_fixture(main_fastmail, "SMTP.Fastmail.com me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map, "");
	/* no password map, no SASL: nothing to say */
	put("etc/postfix/main.cf", "relayhost = [smtp.example.com]\n", 0644);
	expect(check_sasl_map, "");
	expect(check_sasl_settings, "");
}

static void
test_compiled_file(void **state)
{
	struct tu_seen s;

	(void)state;
	map_fixture(main_fastmail, "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	set_mtime("etc/postfix/sasl_passwd", 2024, 1, 2, 3);
	run(check_sasl_map, &s, 0);
	assert_string_equal(s.lines.s,
			    "smtp.fastmail.com|password map hash:/etc/postfix/sasl_passwd: compiled file "
			    "ROOT/etc/postfix/sasl_passwd.db (modified 2024-01-01 11:00:00) is older than "
			    "its source ROOT/etc/postfix/sasl_passwd (modified 2024-01-02 03:00:00)\n");
	assert_string_equal(s.ev.s,
			    "ROOT/etc/postfix/sasl_passwd:0 modified 2024-01-02 03:00:00\n"
			    "ROOT/etc/postfix/sasl_passwd.db:0 modified 2024-01-01 11:00:00\n");
	tu_seen_free(&s);
	/* the same second is not older */
	set_mtime("etc/postfix/sasl_passwd", 2024, 1, 1, 11);
	expect(check_sasl_map, "");

	remove(tu_path("etc/postfix/sasl_passwd.db", (char[256]){ 0 }, 256));
	expect(check_sasl_map,
	       "smtp.fastmail.com|password map hash:/etc/postfix/sasl_passwd: compiled file "
	       "ROOT/etc/postfix/sasl_passwd.db does not exist (source ROOT/etc/postfix/sasl_passwd)\n");
	/* lmdb: another file */
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl_passwd\n",
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map,
	       "smtp.fastmail.com|password map lmdb:/etc/postfix/sasl_passwd: compiled file "
	       "ROOT/etc/postfix/sasl_passwd.lmdb does not exist (source ROOT/etc/postfix/sasl_passwd)\n");
	/* texthash: no compiled file */
	put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_password_maps = texthash:/etc/postfix/sasl_passwd\n", 0644);
	expect(check_sasl_map, "");
}

static void
test_source_missing(void **state)
{
	char path[256];

	(void)state;
	map_fixture(main_fastmail, "x y:z\n");
	tu_path("etc/postfix/sasl_passwd", path, sizeof(path));
	remove(path);
	expect(check_sasl_map,
	       "smtp.fastmail.com|password map hash:/etc/postfix/sasl_passwd: source file "
	       "ROOT/etc/postfix/sasl_passwd does not exist (compiled file "
	       "ROOT/etc/postfix/sasl_passwd.db does); its entries cannot be checked\n");
	strcat(path, ".db");
	remove(path);
	expect(check_sasl_map,
	       "smtp.fastmail.com|password map hash:/etc/postfix/sasl_passwd: neither the source "
	       "file ROOT/etc/postfix/sasl_passwd nor its compiled file "
	       "ROOT/etc/postfix/sasl_passwd.db exists\n");
	/* not set at all while SASL is on */
	put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\n"
	    "smtp_sasl_auth_enable = yes\n", 0644);
	expect(check_sasl_map, "-|smtp_sasl_auth_enable = yes but smtp_sasl_password_maps is empty\n");
}

static void
test_key_mismatch(void **state)
{
	struct tu_seen s;

	(void)state;
	/* [host]:587 configured, host:587 written */
	map_fixture(main_fastmail, "smtp.fastmail.com:587 me@example.com:pw-SECRET-1\n");
	run(check_sasl_map, &s, 0);
	assert_string_equal(s.lines.s,
			    "smtp.fastmail.com|no password map entry for [smtp.fastmail.com]:587 "
			    "(relayhost): Postfix tries \"smtp.fastmail.com\", "
			    "\"[smtp.fastmail.com]:587\"; write \"[smtp.fastmail.com]:587\" instead of "
			    "\"smtp.fastmail.com:587\" (ROOT/etc/postfix/sasl_passwd line 1)\n");
	assert_string_equal(s.ev.s,
			    "ROOT/etc/postfix/main.cf:1 relayhost = [smtp.fastmail.com]:587\n"
			    "ROOT/etc/postfix/sasl_passwd:1 smtp.fastmail.com:587 me@example.com:"
			    TS_REDACTED "\n");
	tu_seen_free(&s);
	/* the relay's line without a blank is no near miss: its key holds
	 * the password */
	map_fixture(main_fastmail, "[smtp.fastmail.com]:587:me@example.com:pw-SECRET-3\n");
	expect(check_sasl_map,
	       "-|password map ROOT/etc/postfix/sasl_passwd line 1: no whitespace between key and "
	       "value\n"
	       "smtp.fastmail.com|no password map entry for [smtp.fastmail.com]:587 (relayhost): "
	       "Postfix tries \"smtp.fastmail.com\", \"[smtp.fastmail.com]:587\"; "
	       "write \"[smtp.fastmail.com]:587\"\n");
	/* a transport_maps relay without any entry; an lmtp one is not smtp's */
	put("etc/postfix/transport", "example.org smtp:[mail.example.net]:2525\n"
	    "example.com lmtp:[lmtp.example]:24\n", 0644);
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
		    "transport_maps = hash:/etc/postfix/transport\n",
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map,
	       "mail.example.net|no password map entry for [mail.example.net]:2525 (transport_maps "
	       "example.org): Postfix tries \"mail.example.net\", \"[mail.example.net]:2525\"; "
	       "write \"[mail.example.net]:2525\"\n");
}

static void
test_sender_dependent(void **state)
{
	static const char main_cf[] =
	    "relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
	    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	    "sender_dependent_relayhost_maps = hash:/etc/postfix/sender_relay\n"
	    "smtp_sender_dependent_authentication = yes\n";

	(void)state;
	put("etc/postfix/sender_relay", "alice@example.com [smtp.gmail.com]:587\n"
	    "bob@example.com [smtp.gmail.com]:587\n", 0644);
	map_fixture(main_cf, "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n"
		    "alice@example.com alice@gmail.com:pw-SECRET-2\n");
	expect(check_sasl_map,
	       "smtp.gmail.com|no password map entry for [smtp.gmail.com]:587 "
	       "(sender_dependent_relayhost_maps bob@example.com): Postfix tries "
	       "\"bob@example.com\", \"@example.com\", \"smtp.gmail.com\", \"[smtp.gmail.com]:587\"; "
	       "write \"bob@example.com\"\n");
	/* "@domain" covers every sender of the domain */
	map_fixture(main_cf, "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n"
		    "@example.com shared@gmail.com:pw-SECRET-2\n");
	expect(check_sasl_map, "");
	/* without sender-dependent authentication: one login for the next hop,
	 * asked for once */
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
		    "sender_dependent_relayhost_maps = hash:/etc/postfix/sender_relay\n",
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n"
		    "alice@example.com alice@gmail.com:pw-SECRET-2\n");
	expect(check_sasl_map,
	       "smtp.gmail.com|no password map entry for [smtp.gmail.com]:587 "
	       "(sender_dependent_relayhost_maps alice@example.com): Postfix tries "
	       "\"smtp.gmail.com\", \"[smtp.gmail.com]:587\"; write \"[smtp.gmail.com]:587\"\n");
}

static void
test_lines(void **state)
{
	struct tu_seen s;

	(void)state;
	map_fixture(main_fastmail,
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n"
		    "[SMTP.fastmail.com]:587 new@example.com:pw-SECRET-2\n"
		    "[a.example]:587:me@example.com:pw-SECRET-3\n"
		    "[b.example]:587: me@example.com:pw-SECRET-4\n"
		    "[c.example]:587 me@example.com:\n"
		    "[d.example]:587 :pw-SECRET-5\n"
		    "[e.example]:587 me@example.com\n");
	run(check_sasl_map, &s, 0);
	assert_string_equal(s.lines.s,
			    "-|password map ROOT/etc/postfix/sasl_passwd line 2: key "
			    "\"[SMTP.fastmail.com]:587\" repeats line 1; postmap keeps line 1\n"
			    "-|password map ROOT/etc/postfix/sasl_passwd line 3: no whitespace between "
			    "key and value\n"
			    "-|password map ROOT/etc/postfix/sasl_passwd line 4: key \"[b.example]:587:\" "
			    "ends with ':' (the \"key: value\" form of aliases)\n"
			    "-|password map ROOT/etc/postfix/sasl_passwd line 5: smtp_sasl_password_maps "
			    "entry \"[c.example]:587\" has an empty password\n"
			    "-|password map ROOT/etc/postfix/sasl_passwd line 6: smtp_sasl_password_maps "
			    "entry \"[d.example]:587\" has an empty username\n"
			    "-|password map ROOT/etc/postfix/sasl_passwd line 7: smtp_sasl_password_maps "
			    "entry \"[e.example]:587\" has no ':' between username and password\n");
	assert_non_null(strstr(s.ev.s, "ROOT/etc/postfix/sasl_passwd:3 (line not shown: it may "
				       "hold the password)\n"));
	tu_seen_free(&s);
}

static void
test_username_form(void **state)
{
	(void)state;
	map_fixture(main_fastmail, "[smtp.fastmail.com]:587 me#example.com:pw-SECRET-1\n");
	expect(check_sasl_map,
	       "smtp.fastmail.com|password map ROOT/etc/postfix/sasl_passwd line 1: username "
	       "\"me#example.com\" for smtp.fastmail.com has no '@'\n");
}

static void
test_modes(void **state)
{
	char path[256], want[2048], owner[64], group[64];
	struct passwd *pw = getpwuid(geteuid());
	struct group *gr = getgrgid(getegid());
	struct tu_seen s;

	(void)state;
	map_fixture(main_fastmail, "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	tu_path("etc/postfix/sasl_passwd", path, sizeof(path));
	chmod(path, 0644);
	snprintf(owner, sizeof(owner), "%s", pw != NULL ? pw->pw_name : "?");
	snprintf(group, sizeof(group), "%s", gr != NULL ? gr->gr_name : "?");
	run(check_sasl_map, &s, 1);
	if (geteuid() == 0)
		snprintf(want, sizeof(want), "smtp.fastmail.com|password map file "
			 "ROOT/etc/postfix/sasl_passwd: mode 0644 owner %s group %s\n", owner, group);
	else
		snprintf(want, sizeof(want), "smtp.fastmail.com|password map file "
			 "ROOT/etc/postfix/sasl_passwd: mode 0644 owner %s group %s\n"
			 "smtp.fastmail.com|password map file ROOT/etc/postfix/sasl_passwd.db: "
			 "mode 0600 owner %s group %s\n", owner, group, owner, group);
	assert_string_equal(s.lines.s, want);
	tu_seen_free(&s);
}

static void
test_other_map_types(void **state)
{
	(void)state;
	/* static: is never shown and cannot be simulated; proxy: is looked through */
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = static:user:pw-SECRET-9\n", "");
	expect(check_sasl_map, "");
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = proxy:hash:/etc/postfix/sasl_passwd\n",
		    "[smtp.example.com]:587 me@example.com:pw-SECRET-1\n");
	expect(check_sasl_map,
	       "smtp.fastmail.com|no password map entry for [smtp.fastmail.com]:587 (relayhost): "
	       "Postfix tries \"smtp.fastmail.com\", \"[smtp.fastmail.com]:587\"; "
	       "write \"[smtp.fastmail.com]:587\"\n");
	/* two maps: the entry may be in the second */
	put("etc/postfix/more", "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-2\n", 0600);
	put("etc/postfix/more.db", "db", 0600);
	set_mtime("etc/postfix/more", 2024, 1, 1, 10);
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, "
		    "hash:/etc/postfix/more\n", "x.example u@x.example:pw-SECRET-1\n");
	expect(check_sasl_map, "");
}

static void
test_auth_disabled(void **state)
{
	struct tu_seen s;

	(void)state;
	put("etc/postfix/transport", "example.org smtp:[mail.example.net]:2525\n", 0644);
	map_fixture("relayhost = [smtp.fastmail.com]:587\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
		    "transport_maps = hash:/etc/postfix/transport\n",
		    "[smtp.fastmail.com]:587 me@example.com:pw-SECRET-1\n");
	run(check_sasl_settings, &s, 0);
	assert_string_equal(s.lines.s,
			    "smtp.fastmail.com|smtp_sasl_auth_enable = no: no AUTH is sent to "
			    "[smtp.fastmail.com]:587 (relayhost) though smtp_sasl_password_maps is set\n"
			    "mail.example.net|smtp_sasl_auth_enable = no: no AUTH is sent to "
			    "[mail.example.net]:2525 (transport_maps example.org) though "
			    "smtp_sasl_password_maps is set\n");
	assert_string_equal(s.ev.s,
			    "ROOT/etc/postfix/main.cf:0 smtp_sasl_auth_enable not set (default: no)\n"
			    "ROOT/etc/postfix/main.cf:2 smtp_sasl_password_maps = "
			    "hash:/etc/postfix/sasl_passwd\n"
			    "ROOT/etc/postfix/main.cf:1 relayhost = [smtp.fastmail.com]:587\n"
			    "ROOT/etc/postfix/main.cf:0 smtp_sasl_auth_enable not set (default: no)\n"
			    "ROOT/etc/postfix/main.cf:2 smtp_sasl_password_maps = "
			    "hash:/etc/postfix/sasl_passwd\n"
			    "ROOT/etc/postfix/transport:1 example.org smtp:[mail.example.net]:2525\n");
	tu_seen_free(&s);
	/* no relay: nothing */
	put("etc/postfix/main.cf", "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n", 0644);
	expect(check_sasl_settings, "");
}

static void
test_security_options(void **state)
{
	struct tu_seen s;

	(void)state;
	/* Postfix's defaults with TLS: the TLS options inherit noplaintext */
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
		    "smtp_tls_security_level = encrypt\n", "");
	run(check_sasl_settings, &s, 0);
	assert_string_equal(s.lines.s,
			    "smtp.fastmail.com|smtp_sasl_tls_security_options = \"noplaintext, "
			    "noanonymous\" refuses PLAIN and LOGIN (noplaintext)\n");
	assert_string_equal(s.ev.s,
			    "ROOT/etc/postfix/main.cf:0 smtp_sasl_tls_security_options not set "
			    "(default: noplaintext, noanonymous)\n"
			    "ROOT/etc/postfix/main.cf:0 smtp_sasl_security_options not set "
			    "(default: noplaintext, noanonymous)\n"
			    "ROOT/etc/postfix/main.cf:4 smtp_tls_security_level = encrypt\n");
	tu_seen_free(&s);
	/* without TLS the plain options apply */
	put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
	    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	    "smtp_sasl_tls_security_options = noanonymous\n"
	    "smtp_sasl_security_options = noanonymous, nodictionary\n", 0644);
	expect(check_sasl_settings,
	       "smtp.fastmail.com|smtp_sasl_security_options = \"noanonymous, nodictionary\" "
	       "refuses PLAIN and LOGIN (nodictionary)\n");
	/* the relay guide's settings */
	put("etc/postfix/main.cf", main_fastmail, 0644);
	expect(check_sasl_settings, "");
}

static void
test_mechanism_filter(void **state)
{
	(void)state;
	map_fixture("relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
		    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
		    "smtp_sasl_security_options = noanonymous\n"
		    "smtp_sasl_mechanism_filter = cram-md5, !plain\n", "");
	expect(check_sasl_settings,
	       "smtp.fastmail.com|smtp_sasl_mechanism_filter = \"cram-md5, !plain\" lets neither "
	       "PLAIN nor LOGIN through\n");
	put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
	    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	    "smtp_sasl_security_options = noanonymous\n"
	    "smtp_sasl_mechanism_filter = !cram-md5, LOGIN\n", 0644);
	expect(check_sasl_settings, "");
}

static void
test_plugins(void **state)
{
	static const char main_cf[] =
	    "relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
	    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	    "smtp_sasl_security_options = noanonymous\n";
	struct tu_seen s;

	(void)state;
	map_fixture(main_cf, "");
	expect(check_sasl_settings, "");	/* no /usr/lib: a copy of /etc only */
	tu_mkdirs("usr/lib/x86_64-linux-gnu");
	run(check_sasl_settings, &s, 0);
	assert_string_equal(s.lines.s,
			    "smtp.fastmail.com|Cyrus SASL client plugin for PLAIN not found (no sasl2 "
			    "plugin directory under ROOT/usr/lib)\n"
			    "smtp.fastmail.com|Cyrus SASL client plugin for LOGIN not found (no sasl2 "
			    "plugin directory under ROOT/usr/lib)\n");
	assert_string_equal(s.ev.s,
			    "ROOT/usr/lib:0 no sasl2 plugin directory under ROOT/usr/lib\n"
			    "ROOT/usr/lib:0 no sasl2 plugin directory under ROOT/usr/lib\n");
	tu_seen_free(&s);
	tu_mkdirs("usr/lib/x86_64-linux-gnu/sasl2");
	put("usr/lib/x86_64-linux-gnu/sasl2/libplain.so.2", "", 0644);
	expect(check_sasl_settings,
	       "smtp.fastmail.com|Cyrus SASL client plugin for LOGIN not found (no liblogin.so in "
	       "ROOT/usr/lib/x86_64-linux-gnu/sasl2)\n");
	put("usr/lib/x86_64-linux-gnu/sasl2/liblogin.so", "", 0644);
	expect(check_sasl_settings, "");
	/* another SASL implementation has no such plugins */
	remove(tu_path("usr/lib/x86_64-linux-gnu/sasl2/liblogin.so", (char[256]){ 0 }, 256));
	put("etc/postfix/main.cf", "relayhost = [smtp.fastmail.com]:587\nsmtp_sasl_auth_enable = yes\n"
	    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	    "smtp_sasl_security_options = noanonymous\nsmtp_sasl_type = dovecot\n", 0644);
	expect(check_sasl_settings, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compiled_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_dependent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_username_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_map_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_security_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mechanism_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugins, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
