/*
 * testutil.h - assertions shared by the cmocka unit tests (include after
 * <cmocka.h> and "util.h").
 */
#ifndef FMRD_TESTUTIL_H
#define FMRD_TESTUTIL_H

#include <string.h>

/* A span (not NUL-terminated) equals the string literal lit. */
#define assert_span_eq(sp, lit) do {					\
	struct span s_ = (sp);						\
	char b_[512];							\
	assert_true(s_.len < sizeof(b_));				\
	memcpy(b_, s_.p, s_.len);					\
	b_[s_.len] = '\0';						\
	assert_string_equal(b_, (lit));					\
} while (0)

#endif
