/*
 * test_jsonw.c - the streaming JSON writer: escaping, UTF-8 repair,
 * secret redaction, commas in nested containers, number validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "jsonw.h"
#include "textsafe.h"

static void
test_escape(void **state)
{
	struct strbuf sb;

	(void)state;
	sb_init(&sb);
	jw_escape(&sb, "a\"b\\c\n\r\t\x01\x1f\x7f", 11);
	assert_string_equal(sb.s, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f\"");
	sb_free(&sb);
}

static void
test_strings_repaired_and_redacted(void **state)
{
	struct strbuf sb;
	struct jsonw w;

	(void)state;
	sb_init(&sb);
	jw_init(&w, &sb);
	ts_secret_add("Pa55word", 8);
	jw_arr_begin(&w);
	jw_str(&w, "plain");
	jw_strn(&w, "bad\xff\0x", 6);
	jw_str(&w, "user:Pa55word!");
	jw_str(&w, "\x1b[31mred");
	jw_str(&w, NULL);
	jw_arr_end(&w);
	assert_string_equal(sb.s, "[\"plain\",\"bad\xef\xbf\xbd\xef\xbf\xbdx\","
			    "\"user:********!\",\"\\u001b[31mred\",null]");
	ts_secrets_clear();
	jw_free(&w);
	sb_free(&sb);
}

static void
test_nesting_and_numbers(void **state)
{
	struct strbuf sb;
	struct jsonw w;

	(void)state;
	sb_init(&sb);
	jw_init(&w, &sb);
	jw_obj_begin(&w);
	jw_key(&w, "a");
	jw_int(&w, -42);
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_obj_begin(&w);
	jw_key(&w, "x");
	jw_bool(&w, 1);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "n1");
	jw_num(&w, "0.05");
	jw_key(&w, "n2");
	jw_num(&w, "1e3");
	jw_key(&w, "bad1");
	jw_num(&w, "01");
	jw_key(&w, "bad2");
	jw_num(&w, "1.");
	jw_key(&w, "bad3");
	jw_num(&w, "nan");
	jw_key(&w, "max");
	jw_int(&w, INT64_MIN);
	jw_obj_end(&w);
	assert_string_equal(sb.s, "{\"a\":-42,\"b\":[{},{\"x\":true}],\"n1\":0.05,\"n2\":1e3,"
			    "\"bad1\":null,\"bad2\":null,\"bad3\":null,"
			    "\"max\":-9223372036854775808}");
	jw_free(&w);
	sb_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_strings_repaired_and_redacted),
		cmocka_unit_test(test_nesting_and_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
