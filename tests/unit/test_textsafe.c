/*
 * test_textsafe.c - unit tests of the output sanitisers: UTF-8 repair for
 * JSON, terminal escaping for text, and secret redaction in both.
 * The secret list is global: every test clears it in its teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "textsafe.h"

#define FFFD "\xef\xbf\xbd"

/* Run ts_json_clean over in[0..n) and compare with the expected bytes. */
#define check_json(...) check_json_(__VA_ARGS__)
#define check_json_(in, n, expect, nbad) do {				\
	struct strbuf o_;						\
	size_t bad_;							\
	sb_init(&o_);							\
	bad_ = ts_json_clean(&o_, (in), (n));				\
	assert_int_equal(o_.len, strlen(expect));			\
	assert_memory_equal(o_.s, (expect), o_.len);			\
	assert_int_equal(bad_, (nbad));					\
	sb_free(&o_);							\
} while (0)

#define check_text(...) check_text_(__VA_ARGS__)
#define check_text_(in, n, expect) do {					\
	struct strbuf o_;						\
	sb_init(&o_);							\
	ts_text_clean(&o_, (in), (n));					\
	assert_string_equal(o_.s, (expect));				\
	assert_int_equal(o_.len, strlen(expect));			\
	sb_free(&o_);							\
} while (0)

#define LIT(s) (s), (sizeof(s) - 1)

static int
teardown_secrets(void **state)
{
	(void)state;
	ts_secrets_clear();
	return 0;
}

static void
test_json_valid_utf8_unchanged(void **state)
{
	(void)state;
	check_json(LIT("plain ascii text"), "plain ascii text", 0);
	check_json(LIT("caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac"),
		   "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac", 0);
	/* boundaries of the valid ranges */
	check_json(LIT("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
		   "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 0);
	/* control characters are left to the JSON encoder */
	check_json(LIT("a\x1b[31mb\tc\x7f"), "a\x1b[31mb\tc\x7f", 0);
	check_json(LIT(""), "", 0);
}

static void
test_json_invalid_bytes(void **state)
{
	(void)state;
	check_json(LIT("a\xff" "b"), "a" FFFD "b", 1);
	check_json(LIT("\xfe\xff"), FFFD FFFD, 2);
	/* stray continuation byte */
	check_json(LIT("x\x80y"), "x" FFFD "y", 1);
	/* lead bytes that never start a sequence */
	check_json(LIT("\xc0\xc1\xf5\xf8"), FFFD FFFD FFFD FFFD, 4);
	/* lead byte followed by a non-continuation byte */
	check_json(LIT("\xc3(z"), FFFD "(z", 1);
}

static void
test_json_truncated_sequence(void **state)
{
	(void)state;
	/* every byte of the cut sequence is replaced and counted */
	check_json(LIT("ab\xe2\x82"), "ab" FFFD FFFD, 2);
	check_json(LIT("ab\xc3"), "ab" FFFD, 1);
	check_json(LIT("\xf0\x9f\x98"), FFFD FFFD FFFD, 3);
	/* a multi-byte sequence cut by the length, not by a NUL */
	check_json("\xc3\xa9", 1, FFFD, 1);
	check_json("\xc3\xa9", 2, "\xc3\xa9", 0);
}

static void
test_json_overlong(void **state)
{
	(void)state;
	check_json(LIT("\xc0\xaf"), FFFD FFFD, 2);		/* '/' in 2 bytes */
	check_json(LIT("\xe0\x80\xaf"), FFFD FFFD FFFD, 3);	/* '/' in 3 bytes */
	check_json(LIT("\xe0\x9f\xbf"), FFFD FFFD FFFD, 3);	/* U+07FF in 3 bytes */
	check_json(LIT("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD, 4);
	check_json(LIT("\xf0\x8f\xbf\xbf"), FFFD FFFD FFFD FFFD, 4);
}

static void
test_json_surrogates_and_range(void **state)
{
	(void)state;
	check_json(LIT("\xed\xa0\x80"), FFFD FFFD FFFD, 3);	/* U+D800 */
	check_json(LIT("\xed\xbf\xbf"), FFFD FFFD FFFD, 3);	/* U+DFFF */
	check_json(LIT("\xed\x9f\xbf"), "\xed\x9f\xbf", 0);	/* U+D7FF is fine */
	check_json(LIT("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD, 4);	/* > U+10FFFF */
}

static void
test_json_nul(void **state)
{
	(void)state;
	check_json("a\0b", 3, "a" FFFD "b", 1);
	check_json("\0\0", 2, FFFD FFFD, 2);
}

static void
test_utf8_seq(void **state)
{
	(void)state;
	assert_int_equal(ts_utf8_seq((const unsigned char *)"a", 1), 1);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xc3\xa9", 1), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\x80", 1), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xc1\xbf", 2), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(ts_utf8_seq((const unsigned char *)"\xff", 1), 0);
}

static void
test_text_escape_sequences(void **state)
{
	(void)state;
	/* ESC [ 3 1 m: the ESC becomes the four characters \x1b */
	check_text(LIT("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
	check_text(LIT("bell\x07"), "bell\\x07");
	check_text(LIT("del\x7f"), "del\\x7f");
	check_text(LIT("cr\rlf\n"), "cr\\x0dlf\\x0a");
	check_text("nul\0x", 5, "nul\\x00x");
	check_text(LIT("\x01\x1f"), "\\x01\\x1f");
	/* a tab becomes a space */
	check_text(LIT("a\tb"), "a b");
	/* 8-bit CSI (U+009B, C2 9B) cannot reach the terminal raw */
	check_text(LIT("a\xc2\x9b" "31mb"), "a\\u009b31mb");
	check_text(LIT("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
}

static void
test_text_invalid_utf8(void **state)
{
	(void)state;
	check_text(LIT("a\xff" "b"), "a\\xffb");
	check_text(LIT("ab\xe2\x82"), "ab\\xe2\\x82");
	check_text(LIT("\xc0\xaf"), "\\xc0\\xaf");
	check_text(LIT("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

static void
test_text_printable_kept(void **state)
{
	(void)state;
	check_text(LIT("caf\xc3\xa9 \xf0\x9f\x98\x80 ~!"), "caf\xc3\xa9 \xf0\x9f\x98\x80 ~!");
	/* U+00A0 is the first code point after the C1 block */
	check_text(LIT("\xc2\xa0"), "\xc2\xa0");
	check_text(LIT("\\x1b"), "\\x1b");	/* a literal backslash stays */
	check_text(LIT(""), "");
}

static void
test_secret_redacted(void **state)
{
	(void)state;
	ts_secret_add(LIT("S3cr3t"));
	check_json(LIT("user:S3cr3t and S3cr3tS3cr3t end"),
		   "user:" TS_REDACTED " and " TS_REDACTED TS_REDACTED " end", 0);
	check_text(LIT("user:S3cr3t and S3cr3tS3cr3t end"),
		   "user:" TS_REDACTED " and " TS_REDACTED TS_REDACTED " end");
	/* at the very start and end, and next to invalid bytes */
	check_json(LIT("S3cr3t\xffS3cr3t"), TS_REDACTED FFFD TS_REDACTED, 1);
	check_text(LIT("\x1bS3cr3t"), "\\x1b" TS_REDACTED);
	/* a prefix of the secret is not the secret */
	check_json(LIT("S3cr3 S3cr"), "S3cr3 S3cr", 0);
	check_text(LIT("S3cr3"), "S3cr3");
	/* the secret is copied: changing the caller's buffer changes nothing */
	{
		char buf[] = "p4ssw0rd";

		ts_secret_add(buf, strlen(buf));
		memset(buf, 'x', sizeof(buf) - 1);
		check_json(LIT("pw=p4ssw0rd"), "pw=" TS_REDACTED, 0);
	}
	/* only len bytes count */
	ts_secret_add("hunter2-and-more", 7);
	check_text(LIT("hunter2-and-more"), TS_REDACTED "-and-more");
}

static void
test_secret_too_short_ignored(void **state)
{
	(void)state;
	ts_secret_add(LIT("ab"));
	ts_secret_add(LIT("x"));
	ts_secret_add("", 0);
	check_json(LIT("ab x abc"), "ab x abc", 0);
	check_text(LIT("ab x abc"), "ab x abc");
	ts_secret_add(LIT("abc"));		/* 3 bytes is enough */
	check_json(LIT("ab x abc"), "ab x " TS_REDACTED, 0);
}

static void
test_secret_multibyte_and_clear(void **state)
{
	(void)state;
	ts_secret_add(LIT("p\xc3\xa4ss"));
	check_json(LIT("[p\xc3\xa4ss]"), "[" TS_REDACTED "]", 0);
	check_text(LIT("[p\xc3\xa4ss]"), "[" TS_REDACTED "]");
	ts_secret_add(LIT("p\xc3\xa4ss"));	/* duplicate: still one secret */
	ts_secrets_clear();
	check_json(LIT("[p\xc3\xa4ss]"), "[p\xc3\xa4ss]", 0);
	check_text(LIT("[p\xc3\xa4ss]"), "[p\xc3\xa4ss]");
}

static void
test_secret_longest_match(void **state)
{
	(void)state;
	/* Two passwords, one a prefix of the other (two relay accounts):
	 * no part of either may be printed, whatever the order they were
	 * registered in. */
	ts_secret_add(LIT("S3cr3t"));
	ts_secret_add(LIT("S3cr3tLonger"));
	check_json(LIT("a S3cr3tLonger b"), "a " TS_REDACTED " b", 0);
	check_text(LIT("a S3cr3tLonger b"), "a " TS_REDACTED " b");
	check_json(LIT("a S3cr3t b"), "a " TS_REDACTED " b", 0);
}

/* ts_plain_ascii (a word at a time without secrets, a byte at a time
 * with them) agrees with the byte-wise definition: every byte of every
 * length and position, and random buffers. */
static int
plain_ref(const unsigned char *p, size_t n, int first)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\' || p[i] == first)
			return 0;
	return 1;
}

static void
test_plain_ascii(void **state)
{
	unsigned char buf[40];
	unsigned seed = 12345;
	size_t n, pos, i;
	int c, round;

	(void)state;
	for (round = 0; round < 2; round++) {
		if (round == 1)
			ts_secret_add("Zsecret", 7);
		for (n = 0; n <= 20; n++)
			for (pos = 0; pos < n; pos++)
				for (c = 0; c < 256; c++) {
					memset(buf, 'a', n);
					buf[pos] = (unsigned char)c;
					assert_int_equal(ts_plain_ascii((const char *)buf, n),
							 plain_ref(buf, n, round ? 'Z' : -1));
				}
		for (i = 0; i < 20000; i++) {
			n = (size_t)(seed % sizeof(buf));
			for (pos = 0; pos < n; pos++) {
				seed = seed * 1103515245u + 12345u;
				/* mostly printable, sometimes anything */
				buf[pos] = (unsigned char)((seed >> 16) % 8 == 0 ? (seed >> 8) & 0xff
							   : 0x20 + (seed >> 8) % 0x5f);
			}
			seed = seed * 1103515245u + 12345u;
			assert_int_equal(ts_plain_ascii((const char *)buf, n),
					 plain_ref(buf, n, round ? 'Z' : -1));
		}
	}
	ts_secrets_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_json_valid_utf8_unchanged, teardown_secrets),
		cmocka_unit_test_teardown(test_json_invalid_bytes, teardown_secrets),
		cmocka_unit_test_teardown(test_json_truncated_sequence, teardown_secrets),
		cmocka_unit_test_teardown(test_json_overlong, teardown_secrets),
		cmocka_unit_test_teardown(test_json_surrogates_and_range, teardown_secrets),
		cmocka_unit_test_teardown(test_json_nul, teardown_secrets),
		cmocka_unit_test_teardown(test_utf8_seq, teardown_secrets),
		cmocka_unit_test_teardown(test_text_escape_sequences, teardown_secrets),
		cmocka_unit_test_teardown(test_text_invalid_utf8, teardown_secrets),
		cmocka_unit_test_teardown(test_text_printable_kept, teardown_secrets),
		cmocka_unit_test_teardown(test_secret_redacted, teardown_secrets),
		cmocka_unit_test_teardown(test_secret_too_short_ignored, teardown_secrets),
		cmocka_unit_test_teardown(test_secret_multibyte_and_clear, teardown_secrets),
		cmocka_unit_test_teardown(test_secret_longest_match, teardown_secrets),
		cmocka_unit_test_teardown(test_plain_ascii, teardown_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
