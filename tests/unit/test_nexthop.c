/*
 * test_nexthop.c - unit tests of nexthop.c: host names and ports of next
 * hops as Postfix logs them, and which deliveries go to a relay, to a
 * recipient's MX host or to a local service, with and without main.cf.
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
#include <unistd.h>

#include "nexthop.h"
#include "pfconf.h"

#define S(x) ((struct span){ (x), strlen(x) })

static void
test_names(void **state)
{
	static const struct {
		const char *hop, *name;
		unsigned port;
	} cases[] = {
		{ "smtp.fastmail.com[103.168.172.45]:587", "smtp.fastmail.com", 587 },
		{ "[smtp.fastmail.com]:587", "smtp.fastmail.com", 587 },
		{ "[SMTP.Example.NET]", "smtp.example.net", 0 },
		{ "smtp.gmail.com:465", "smtp.gmail.com", 465 },
		{ "mx.example.org", "mx.example.org", 0 },
		{ "mx.example.org[2001:db8::1]:25", "mx.example.org", 25 },
		{ "2001:db8::1", "2001:db8::1", 0 },
		{ "[192.0.2.1]:2525", "192.0.2.1", 2525 },
		{ "", "", 0 },
		{ "[unterminated", "", 0 },
	};
	char buf[NH_NAME_MAX];
	unsigned port;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nexthop_name(S(cases[i].hop), buf, sizeof(buf), &port);
		assert_string_equal(buf, cases[i].name);
		assert_int_equal(port, cases[i].port);
	}
}

struct cls_case {
	const char *relay, *domain, *reason;
	enum nh_path want;
};

static void
check_cases(struct nexthop *nh, const struct cls_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum nh_path got = nexthop_classify(nh, S(c[i].relay), S(c[i].domain), S(c[i].reason));

		if (got != c[i].want)
			fail_msg("relay=%s domain=%s: %s, expected %s", c[i].relay, c[i].domain,
				 nexthop_path_name(got), nexthop_path_name(c[i].want));
	}
}

/* Without configuration: ports, the recipient's domain, local services. */
static void
test_classify_without_config(void **state)
{
	static const struct cls_case cases[] = {
		{ "smtp.fastmail.com[103.168.172.45]:587", "example.org", "", NH_RELAY },
		{ "smtp.gmail.com[192.0.2.5]:465", "example.org", "", NH_RELAY },
		{ "smtp.sendgrid.net[192.0.2.6]:2525", "example.org", "", NH_RELAY },
		{ "filter.example.com[192.0.2.7]:10025", "example.org", "", NH_RELAY },
		{ "mx1.example.org[192.0.2.8]:25", "example.org", "", NH_DIRECT },
		{ "example.org[192.0.2.8]:25", "example.org", "", NH_DIRECT },
		{ "mx.other.net[192.0.2.9]:25", "example.org", "", NH_UNKNOWN },
		{ "notexample.org[192.0.2.9]:25", "example.org", "", NH_UNKNOWN },
		{ "local", "example.org", "", NH_LOCAL },
		{ "virtual", "example.org", "", NH_LOCAL },
		{ "mail.example.com[private/dovecot-lmtp]", "example.org", "", NH_LOCAL },
		{ "127.0.0.1[127.0.0.1]:10024", "example.org", "", NH_LOCAL },
		{ "none", "example.con", "Host or domain name not found. Name service error for "
		  "name=example.con type=MX: Host not found", NH_DIRECT },
		{ "none", "example.org", "Host or domain name not found. Name service error for "
		  "name=smtp.fastmail.com type=A: Host not found, try again", NH_UNKNOWN },
		{ "none", "example.org", "", NH_UNKNOWN },
		{ "", "example.org", "", NH_UNKNOWN },
	};
	struct nexthop nh;

	(void)state;
	nexthop_init(&nh, NULL);
	check_cases(&nh, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Once two port-25 next hops were seen, port 25 means an MX host; one
 * next hop that carries most deliveries for three domains is a relay. */
static void
test_inference(void **state)
{
	static const struct cls_case after_two[] = {
		{ "mx.third.net[192.0.2.30]:25", "third.net", "", NH_DIRECT },
		{ "mx.other.net[192.0.2.9]:25", "example.org", "", NH_DIRECT },
		{ "mx.other.net", "", "", NH_DIRECT },		/* a name alone, seen before */
		{ "never.seen.example", "", "", NH_UNKNOWN },
	};
	static const char *const domains[] = { "a.example", "b.example", "c.example" };
	struct nexthop nh;
	int i;

	(void)state;
	nexthop_init(&nh, NULL);
	nexthop_count(&nh, S("mx.other.net[192.0.2.9]:25"), S("other.net"));
	assert_int_equal(nh.nhops, 1);
	nexthop_count(&nh, S("mx.b.example[192.0.2.10]:25"), S("b.example"));
	assert_int_equal(nh.nhops, 2);
	check_cases(&nh, after_two, sizeof(after_two) / sizeof(after_two[0]));
	assert_true(nexthop_is_mx(&nh, "mx.other.net"));
	assert_false(nexthop_is_mx(&nh, "never.seen.example"));

	/* a port-25 smarthost carrying most of the mail */
	nexthop_init(&nh, NULL);
	for (i = 0; i < 9; i++)
		nexthop_count(&nh, S("smarthost.isp.example[192.0.2.50]:25"), S(domains[i % 3]));
	nexthop_count(&nh, S("mx.a.example[192.0.2.51]:25"), S("a.example"));
	assert_int_equal(nexthop_classify(&nh, S("smarthost.isp.example[192.0.2.50]:25"),
					  S("d.example"), SPAN_EMPTY), NH_RELAY);
	assert_false(nexthop_is_mx(&nh, "smarthost.isp.example"));
	/* ... until it no longer carries most deliveries */
	for (i = 0; i < 20; i++)
		nexthop_count(&nh, S("mx.a.example[192.0.2.51]:25"), S("a.example"));
	assert_int_equal(nexthop_classify(&nh, S("smarthost.isp.example[192.0.2.50]:25"),
					  S("d.example"), SPAN_EMPTY), NH_DIRECT);
}

static void
load_main_cf(struct pfconf *cf, char *dir, size_t size, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(dir, size, "/tmp/fmrd-test-nh.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(pfconf_load(cf, dir), 0);
	unlink(path);
	rmdir(dir);
}

/* With main.cf the configuration answers. */
static void
test_classify_with_config(void **state)
{
	static const struct cls_case relayed[] = {
		{ "smtp.fastmail.com[103.168.172.45]:587", "example.org", "", NH_RELAY },
		{ "mx.example.org[192.0.2.8]:25", "example.org", "", NH_RELAY },	/* all relayed */
		{ "backup.example.net[192.0.2.40]:25", "example.org", "", NH_RELAY },
		{ "none", "example.con", "name=example.con type=MX", NH_RELAY },
	};
	static const struct cls_case direct[] = {
		{ "mx.other.net[192.0.2.9]:25", "example.org", "", NH_DIRECT },
		{ "odd.example.net[192.0.2.9]:587", "example.org", "", NH_DIRECT },
		{ "none", "example.org", "", NH_DIRECT },
		{ "local", "example.org", "", NH_LOCAL },
	};
	static const struct cls_case routed[] = {
		{ "smtp.fastmail.com[103.168.172.45]:587", "example.org", "", NH_RELAY },
		{ "gw.example.net[192.0.2.41]:587", "example.org", "", NH_RELAY },
		{ "mx.example.org[192.0.2.8]:25", "example.org", "", NH_DIRECT },
	};
	struct pfconf cf;
	struct nexthop nh;
	char dir[64];

	(void)state;
	load_main_cf(&cf, dir, sizeof(dir), "relayhost = [smtp.fastmail.com]:587\n"
		     "smtp_fallback_relay = [backup.example.net]\n");
	nexthop_init(&nh, &cf);
	assert_int_equal(nh.nrelays, 2);
	check_cases(&nh, relayed, sizeof(relayed) / sizeof(relayed[0]));
	assert_false(nexthop_is_mx(&nh, "mx.example.org"));
	pfconf_free(&cf);

	load_main_cf(&cf, dir, sizeof(dir), "myhostname = mx1.example.com\n");
	nexthop_init(&nh, &cf);
	check_cases(&nh, direct, sizeof(direct) / sizeof(direct[0]));
	assert_true(nexthop_is_mx(&nh, "mx.other.net"));
	pfconf_free(&cf);

	load_main_cf(&cf, dir, sizeof(dir), "relayhost = [smtp.fastmail.com]:587\n"
		     "transport_maps = hash:/etc/postfix/transport\n");
	nexthop_init(&nh, &cf);
	check_cases(&nh, routed, sizeof(routed) / sizeof(routed[0]));
	pfconf_free(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_classify_without_config),
		cmocka_unit_test(test_inference),
		cmocka_unit_test(test_classify_with_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
