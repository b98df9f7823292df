/*
 * test_input.c - unit tests of the line reader: line splitting, CRLF,
 * unterminated last line, over-long lines (cut at INPUT_MAX_LINE, rest
 * skipped, next line intact), NUL bytes, buffer refills across the 1 MiB
 * boundary, open errors, stdin and read errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "util.h"

struct tmpfile {
	char path[64];
};

/* Write n bytes to a new temporary file. */
static void
tmp_write(struct tmpfile *t, const char *p, size_t n)
{
	int fd;
	size_t off = 0;
	ssize_t w;

	strcpy(t->path, "/tmp/fmrd-test-input.XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	while (off < n) {
		w = write(fd, p + off, n - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	assert_int_equal(close(fd), 0);
}

static void
tmp_remove(struct tmpfile *t)
{
	unlink(t->path);
}

#define assert_line(ln, lit) do {					\
	assert_int_equal((ln).len, sizeof(lit) - 1);			\
	assert_memory_equal((ln).p, (lit), sizeof(lit) - 1);		\
} while (0)

static void
test_normal_lines(void **state)
{
	static const char data[] = "first line\nsecond\n\nfourth after an empty one\n";
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, data, sizeof(data) - 1);
	in = input_open(t.path);
	assert_non_null(in);
	assert_string_equal(in->name, t.path);
	assert_true(in->mtime != 0);

	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "first line");
	assert_int_equal(ln.lineno, 1);
	assert_int_equal(ln.truncated, 0);
	assert_int_equal(ln.unterminated, 0);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "second");
	assert_int_equal(ln.lineno, 2);
	assert_int_equal(input_next(in, &ln), 1);
	assert_int_equal(ln.len, 0);
	assert_int_equal(ln.lineno, 3);
	assert_int_equal(ln.unterminated, 0);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "fourth after an empty one");
	assert_int_equal(ln.lineno, 4);
	assert_int_equal(ln.unterminated, 0);
	assert_int_equal(input_next(in, &ln), 0);
	/* end of input is sticky */
	assert_int_equal(input_next(in, &ln), 0);
	assert_int_equal(in->bytes, sizeof(data) - 1);
	assert_int_equal(in->err, 0);
	input_close(in);
	tmp_remove(&t);
}

static void
test_empty_file(void **state)
{
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, "", 0);
	in = input_open(t.path);
	assert_non_null(in);
	assert_int_equal(input_next(in, &ln), 0);
	assert_int_equal(in->bytes, 0);
	input_close(in);
	tmp_remove(&t);
}

static void
test_crlf(void **state)
{
	static const char data[] = "one\r\ntwo\r\n\r\nin\rside\r\nlast\r";
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, data, sizeof(data) - 1);
	in = input_open(t.path);
	assert_non_null(in);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "one");
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "two");
	assert_int_equal(input_next(in, &ln), 1);
	assert_int_equal(ln.len, 0);
	/* only the CR before the newline goes */
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "in\rside");
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "last");
	assert_int_equal(ln.unterminated, 1);
	assert_int_equal(ln.lineno, 5);
	assert_int_equal(input_next(in, &ln), 0);
	input_close(in);
	tmp_remove(&t);
}

static void
test_unterminated_last_line(void **state)
{
	static const char data[] = "a\nno newline at the end";
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, data, sizeof(data) - 1);
	in = input_open(t.path);
	assert_non_null(in);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "a");
	assert_int_equal(ln.unterminated, 0);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "no newline at the end");
	assert_int_equal(ln.unterminated, 1);
	assert_int_equal(ln.truncated, 0);
	assert_int_equal(ln.lineno, 2);
	assert_int_equal(input_next(in, &ln), 0);
	input_close(in);
	tmp_remove(&t);
}

/* A file of: "start\n", a line of `len` bytes of letters, eol, "after",
 * eol; the long line must come back cut (or not) and the next intact.
 * Everything is read and released before the checks, so a failing
 * check leaks nothing (the suite also runs under ASan and valgrind). */
static void
check_long_line_eol(size_t len, int truncated, const char *eol)
{
	struct tmpfile t;
	struct input *in;
	struct line ln;
	char *data = xmalloc(len + 32), *p = data;
	size_t i, len1 = 0, len2 = 0;
	int rc[4], same1 = 0, same2 = 0, trunc2 = -1, unterm2 = -1, trunc3 = -1;
	unsigned long lineno2 = 0, lineno3 = 0;
	unsigned long long bytes, total;

	memcpy(p, "start\n", 6);
	p += 6;
	for (i = 0; i < len; i++)
		*p++ = (char)('a' + i % 26);
	memcpy(p, eol, strlen(eol));
	p += strlen(eol);
	memcpy(p, "after", 5);
	p += 5;
	memcpy(p, eol, strlen(eol));
	p += strlen(eol);
	total = (unsigned long long)(p - data);
	tmp_write(&t, data, (size_t)total);

	in = input_open(t.path);
	assert_non_null(in);
	if ((rc[0] = input_next(in, &ln)) == 1)
		len1 = ln.len, same1 = ln.len == 5 && memcmp(ln.p, "start", 5) == 0;
	if ((rc[1] = input_next(in, &ln)) == 1) {
		len2 = ln.len;
		same2 = memcmp(ln.p, data + 6, ln.len < len ? ln.len : len) == 0;
		trunc2 = ln.truncated;
		unterm2 = ln.unterminated;
		lineno2 = ln.lineno;
	}
	if ((rc[2] = input_next(in, &ln)) == 1) {
		same1 += ln.len == 5 && memcmp(ln.p, "after", 5) == 0;
		lineno3 = ln.lineno;
		trunc3 = ln.truncated;
	}
	rc[3] = input_next(in, &ln);
	bytes = in->bytes;
	input_close(in);
	tmp_remove(&t);
	free(data);

	assert_int_equal(rc[0], 1);
	assert_int_equal(len1, 5);
	assert_int_equal(rc[1], 1);
	assert_int_equal(lineno2, 2);
	assert_int_equal(trunc2, truncated);
	assert_int_equal(unterm2, 0);
	assert_int_equal(len2, truncated ? INPUT_MAX_LINE : len);
	assert_int_equal(same2, 1);
	assert_int_equal(rc[2], 1);
	assert_int_equal(same1, 2);	/* "start" and "after" intact */
	assert_int_equal(lineno3, 3);
	assert_int_equal(trunc3, 0);
	assert_int_equal(rc[3], 0);
	assert_int_equal(bytes, total);
}

static void
check_long_line(size_t len, int truncated)
{
	check_long_line_eol(len, truncated, "\n");
}

static void
test_line_exactly_max(void **state)
{
	(void)state;
	check_long_line(INPUT_MAX_LINE, 0);
	check_long_line(INPUT_MAX_LINE - 1, 0);
}

static void
test_crlf_line_exactly_max(void **state)
{
	(void)state;
	/* INPUT_MAX_LINE bytes of text and a CRLF ending: nothing is cut */
	check_long_line_eol(INPUT_MAX_LINE - 1, 0, "\r\n");
	check_long_line_eol(INPUT_MAX_LINE, 0, "\r\n");
	check_long_line_eol(INPUT_MAX_LINE + 1, 1, "\r\n");
}

static void
test_line_max_plus_one(void **state)
{
	(void)state;
	check_long_line(INPUT_MAX_LINE + 1, 1);
}

static void
test_line_larger_than_buffer(void **state)
{
	(void)state;
	check_long_line(3 * INPUT_BUFSIZE, 1);
	/* and one ending exactly on a buffer boundary */
	check_long_line(INPUT_BUFSIZE - 6, 1);
	check_long_line(INPUT_BUFSIZE, 1);
}

static void
test_overlong_unterminated(void **state)
{
	struct tmpfile t;
	struct input *in;
	struct line ln;
	size_t len = INPUT_MAX_LINE * 2 + 5;
	char *data = xmalloc(len);

	(void)state;
	memset(data, 'q', len);
	tmp_write(&t, data, len);
	in = input_open(t.path);
	assert_non_null(in);
	assert_int_equal(input_next(in, &ln), 1);
	assert_int_equal(ln.truncated, 1);
	assert_int_equal(ln.len, INPUT_MAX_LINE);
	assert_int_equal(ln.lineno, 1);
	assert_int_equal(input_next(in, &ln), 0);
	input_close(in);
	tmp_remove(&t);
	free(data);
}

static void
test_nul_bytes(void **state)
{
	static const char data[] = "a\0b\0c\n\0\nend\n";
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, data, sizeof(data) - 1);
	in = input_open(t.path);
	assert_non_null(in);
	assert_int_equal(input_next(in, &ln), 1);
	assert_int_equal(ln.len, 5);
	assert_memory_equal(ln.p, "a\0b\0c", 5);
	assert_int_equal(input_next(in, &ln), 1);
	assert_int_equal(ln.len, 1);
	assert_int_equal(ln.p[0], '\0');
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "end");
	assert_int_equal(ln.lineno, 3);
	assert_int_equal(input_next(in, &ln), 0);
	input_close(in);
	tmp_remove(&t);
}

#define NLINES 200000

/* Line i: "line NNNNNN " followed by (i * 7) % 113 letters. */
static size_t
make_line(unsigned long i, char *buf)
{
	size_t n = (size_t)sprintf(buf, "line %06lu ", i), k, pad = (i * 7) % 113;

	for (k = 0; k < pad; k++)
		buf[n++] = (char)('A' + (i + k) % 26);
	return n;
}

static void
test_many_lines_across_buffers(void **state)
{
	struct tmpfile t;
	struct input *in;
	struct line ln;
	struct strbuf sb;
	char buf[256];
	unsigned long i, count = 0;
	size_t n;
	int mismatches = 0;

	(void)state;
	sb_init(&sb);
	for (i = 1; i <= NLINES; i++) {
		n = make_line(i, buf);
		sb_add(&sb, buf, n);
		sb_addc(&sb, '\n');
	}
	assert_true(sb.len > 8 * INPUT_BUFSIZE);
	tmp_write(&t, sb.s, sb.len);

	in = input_open(t.path);
	assert_non_null(in);
	while (input_next(in, &ln) == 1) {
		count++;
		assert_int_equal(ln.lineno, count);
		n = make_line(count, buf);
		if (ln.len != n || memcmp(ln.p, buf, n) != 0 || ln.truncated || ln.unterminated)
			mismatches++;
	}
	assert_int_equal(count, NLINES);
	assert_int_equal(mismatches, 0);
	assert_int_equal(in->bytes, sb.len);
	assert_int_equal(in->err, 0);
	input_close(in);
	tmp_remove(&t);
	sb_free(&sb);
}

static void
test_open_errors(void **state)
{
	char dir[] = "/tmp/fmrd-test-dir.XXXXXX";
	struct input *in;
	int err;

	(void)state;
	errno = 0;
	assert_null(input_open("/nonexistent/fmrd/no-such-file.log"));
	assert_int_equal(errno, ENOENT);

	assert_non_null(mkdtemp(dir));
	errno = 0;
	in = input_open(dir);
	err = errno;
	input_close(in);
	assert_int_equal(rmdir(dir), 0);
	assert_null(in);
	assert_int_equal(err, EISDIR);
}

static void
test_stdin(void **state)
{
	static const char data[] = "from a pipe\nsecond\r\nthird";
	struct input *in;
	struct line ln;
	int pfd[2], saved;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], data, sizeof(data) - 1), (ssize_t)(sizeof(data) - 1));
	close(pfd[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(pfd[0], 0), 0);
	close(pfd[0]);

	in = input_open("-");
	assert_non_null(in);
	assert_string_equal(in->name, "-");
	assert_int_equal(in->fd, 0);
	assert_int_equal(in->mtime, 0);
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "from a pipe");
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "second");
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "third");
	assert_int_equal(ln.unterminated, 1);
	assert_int_equal(ln.lineno, 3);
	assert_int_equal(input_next(in, &ln), 0);
	input_close(in);
	/* closing the input must leave fd 0 open */
	assert_true(fcntl(0, F_GETFD) >= 0);

	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
}

/* A backend whose reads fail: input_next returns -1 with in->err set. */
static int fail_after_first;

static ssize_t
failing_read(struct input *in, char *buf, size_t n)
{
	(void)in;
	if (fail_after_first-- > 0) {
		static const char part[] = "good line\npartial";

		if (n < sizeof(part) - 1)
			return 0;
		memcpy(buf, part, sizeof(part) - 1);
		return (ssize_t)(sizeof(part) - 1);
	}
	errno = EIO;
	return -1;
}

static void
failing_close(struct input *in)
{
	close(in->fd);
}

static const struct input_ops failing_ops = {
	.name = "failing", .read = failing_read, .close = failing_close
};

static void
test_read_error(void **state)
{
	struct tmpfile t;
	struct input *in;
	struct line ln;

	(void)state;
	tmp_write(&t, "unused\n", 7);
	in = input_open(t.path);
	assert_non_null(in);
	in->ops = &failing_ops;
	fail_after_first = 1;
	assert_int_equal(input_next(in, &ln), 1);
	assert_line(ln, "good line");
	assert_int_equal(input_next(in, &ln), -1);
	assert_int_equal(in->err, EIO);
	input_close(in);
	tmp_remove(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_lines),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_unterminated_last_line),
		cmocka_unit_test(test_line_exactly_max),
		cmocka_unit_test(test_crlf_line_exactly_max),
		cmocka_unit_test(test_line_max_plus_one),
		cmocka_unit_test(test_line_larger_than_buffer),
		cmocka_unit_test(test_overlong_unterminated),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_many_lines_across_buffers),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
