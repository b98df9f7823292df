/*
 * test_input.c - unit tests of the line reader: line splitting, CRLF,
 * unterminated last line, over-long lines (cut at INPUT_MAX_LINE, rest
 * skipped, next line intact), NUL bytes, buffer refills across the 1 MiB
 * boundary, open errors, stdin and read errors; gzip (by magic bytes,
 * concatenated members, truncated and corrupt streams, stdin); seek and
 * tell; the rotations of a log; the year state of year-less timestamps.
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
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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

/* --- gzip ---------------------------------------------------------------- */

/* Append one gzip member holding p[0..n) to sb. */
static void
gz_member(struct strbuf *sb, const char *p, size_t n)
{
	z_stream zs;
	unsigned char out[4096];
	int rc;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		rc = deflate(&zs, Z_FINISH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		sb_add(sb, (const char *)out, sizeof(out) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
}

#define gz_lit(sb, lit) gz_member((sb), (lit), sizeof(lit) - 1)

/* Read all of path: lines joined with '\n' into got; returns the final
 * input_next result; *err the source's err. */
static int
read_all(const char *path, struct strbuf *got, unsigned long *nlines, int *err, int *unterm)
{
	struct input *in = input_open(path);
	struct line ln;
	int rc;

	assert_non_null(in);
	*nlines = 0;
	*unterm = 0;
	while ((rc = input_next(in, &ln)) == INPUT_LINE) {
		sb_add(got, ln.p, ln.len);
		sb_addc(got, '\n');
		(*nlines)++;
		*unterm += ln.unterminated;
	}
	*err = in->err;
	input_close(in);
	return rc;
}

static void
test_gzip_members(void **state)
{
	struct strbuf gz, got;
	struct tmpfile t;
	struct input *in;
	unsigned long n;
	int err, unterm, rc;

	(void)state;
	sb_init(&gz);
	sb_init(&got);
	/* a line split across members; an empty member; no ".gz" name */
	gz_lit(&gz, "one\ntwo\nthr");
	gz_lit(&gz, "");
	gz_lit(&gz, "ee\r\nfour");
	tmp_write(&t, gz.s, gz.len);
	in = input_open(t.path);
	assert_non_null(in);
	assert_string_equal(in->ops->name, "gzip");
	assert_int_equal(in->size, -1);
	assert_int_equal(input_seek(in, 0), -1);
	assert_true(in->mtime != 0);
	input_close(in);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_EOF);
	assert_int_equal(err, 0);
	assert_int_equal(n, 4);
	assert_int_equal(unterm, 1);
	assert_string_equal(got.s, "one\ntwo\nthree\nfour\n");

	/* trailing zeros after the last member are ignored, as gzip does */
	sb_reset(&gz);
	sb_reset(&got);
	gz_lit(&gz, "only\n");
	sb_add(&gz, "\0\0\0\0\0\0", 6);
	tmp_write(&t, gz.s, gz.len);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_EOF);
	assert_string_equal(got.s, "only\n");
	sb_free(&gz);
	sb_free(&got);
}

/* Many lines: output crosses the 1 MiB buffer many times. */
static void
test_gzip_large(void **state)
{
	struct strbuf plain, gz, got;
	struct tmpfile t;
	char buf[256];
	unsigned long i, n;
	int err, unterm, rc;

	(void)state;
	sb_init(&plain);
	sb_init(&gz);
	sb_init(&got);
	for (i = 1; i <= NLINES; i++) {
		sb_add(&plain, buf, make_line(i, buf));
		sb_addc(&plain, '\n');
	}
	/* two members, the second starting mid-line */
	gz_member(&gz, plain.s, plain.len / 3);
	gz_member(&gz, plain.s + plain.len / 3, plain.len - plain.len / 3);
	tmp_write(&t, gz.s, gz.len);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_EOF);
	assert_int_equal(n, NLINES);
	assert_int_equal(got.len, plain.len);
	assert_true(memcmp(got.s, plain.s, plain.len) == 0);
	sb_free(&plain);
	sb_free(&gz);
	sb_free(&got);
}

/* Truncated: the lines before the cut, then INPUT_ERROR with EIO.
 * Corrupt: INPUT_ERROR with EBADMSG. */
static void
test_gzip_broken(void **state)
{
	struct strbuf plain, gz, got;
	struct tmpfile t;
	char buf[256];
	unsigned long i, n;
	int err, unterm, rc;

	(void)state;
	sb_init(&plain);
	sb_init(&gz);
	sb_init(&got);
	for (i = 1; i <= 20000; i++) {
		sb_add(&plain, buf, make_line(i, buf));
		sb_addc(&plain, '\n');
	}
	gz_member(&gz, plain.s, plain.len);

	tmp_write(&t, gz.s, gz.len * 6 / 10);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_ERROR);
	assert_int_equal(err, EIO);
	assert_true(n > 1000);
	assert_int_equal(unterm, 0);
	assert_true(memcmp(got.s, plain.s, got.len) == 0);	/* whole lines, in order */

	/* cut inside the 8-byte trailer: all data, but no CRC check */
	sb_reset(&got);
	tmp_write(&t, gz.s, gz.len - 3);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_ERROR);
	assert_int_equal(err, EIO);

	/* a damaged CRC: the data passes, the check fails */
	sb_reset(&got);
	gz.s[gz.len - 8] ^= 0x55;
	tmp_write(&t, gz.s, gz.len);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_ERROR);
	assert_int_equal(err, EBADMSG);

	/* garbage in the deflate data */
	sb_reset(&got);
	gz.s[gz.len - 8] ^= 0x55;
	memset(gz.s + gz.len / 2, 0xff, 64);
	tmp_write(&t, gz.s, gz.len);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_ERROR);
	assert_int_equal(err, EBADMSG);

	/* only the magic */
	tmp_write(&t, "\x1f\x8b", 2);
	rc = read_all(t.path, &got, &n, &err, &unterm);
	tmp_remove(&t);
	assert_int_equal(rc, INPUT_ERROR);
	assert_int_equal(err, EIO);
	sb_free(&plain);
	sb_free(&gz);
	sb_free(&got);
}

/* stdin: gzip is recognised there too; a 1-byte input is plain text. */
static void
check_stdin(const char *data, size_t n, const char *want, const char *backend)
{
	struct strbuf got;
	struct input *in;
	struct line ln;
	int pfd[2], saved, rc;

	sb_init(&got);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], data, n), (ssize_t)n);
	close(pfd[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(pfd[0], 0), 0);
	close(pfd[0]);
	in = input_open("-");
	assert_non_null(in);
	assert_string_equal(in->ops->name, backend);
	assert_int_equal(in->size, -1);
	while ((rc = input_next(in, &ln)) == INPUT_LINE) {
		sb_add(&got, ln.p, ln.len);
		sb_addc(&got, '\n');
	}
	input_close(in);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(rc, INPUT_EOF);
	assert_string_equal(got.s, want);
	sb_free(&got);
}

static void
test_gzip_stdin(void **state)
{
	struct strbuf gz;

	(void)state;
	sb_init(&gz);
	gz_lit(&gz, "zipped\nthrough a pipe\n");
	gz_lit(&gz, "second member\n");
	check_stdin(gz.s, gz.len, "zipped\nthrough a pipe\nsecond member\n", "gzip");
	check_stdin("x", 1, "x\n", "file");
	check_stdin("", 0, "", "file");
	check_stdin("\x1f", 1, "\x1f\n", "file");
	check_stdin("ab\ncd\n", 6, "ab\ncd\n", "file");
	sb_free(&gz);
}

/* --- seek and tell -------------------------------------------------------- */

static void
test_seek_tell(void **state)
{
	/* offsets: alpha 0, beta 6, "" 11, gamma 12, last 18; size 33 */
	static const char data[] = "alpha\nbeta\n\ngamma\nlast-no-newline";
	static const struct {
		off_t off;
		off_t tell;		/* input_tell after the seek */
		const char *line;	/* first line then, NULL: end of input */
		off_t after;		/* input_tell after that line */
	} cases[] = {
		{ 0, 0, "alpha", 6 },
		{ 1, 6, "beta", 11 },		/* mid-line: the next line */
		{ 5, 6, "beta", 11 },		/* on alpha's newline */
		{ 6, 6, "beta", 11 },		/* at a line start */
		{ 10, 11, "", 12 },
		{ 11, 11, "", 12 },		/* the empty line */
		{ 12, 12, "gamma", 18 },
		{ 13, 18, "last-no-newline", 33 },
		{ 18, 18, "last-no-newline", 33 },
		{ 20, 33, NULL, 33 },		/* inside the unterminated last line */
		{ 33, 33, NULL, 33 },		/* at the end */
		{ 1000, 33, NULL, 33 },		/* past the end */
	};
	struct tmpfile t;
	struct input *in;
	struct line ln;
	size_t i;
	int rc;

	(void)state;
	tmp_write(&t, data, sizeof(data) - 1);
	in = input_open(t.path);
	assert_non_null(in);
	assert_string_equal(in->ops->name, "file");
	assert_int_equal(in->size, sizeof(data) - 1);
	assert_int_equal(input_tell(in), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* read to the end first: a seek must undo end of input */
		while (input_next(in, &ln) == INPUT_LINE)
			;
		assert_int_equal(input_tell(in), sizeof(data) - 1);
		assert_int_equal(input_seek(in, cases[i].off), 0);
		assert_int_equal(input_tell(in), cases[i].tell);
		rc = input_next(in, &ln);
		if (cases[i].line == NULL) {
			assert_int_equal(rc, INPUT_EOF);
		} else {
			assert_int_equal(rc, INPUT_LINE);
			assert_int_equal(ln.len, strlen(cases[i].line));
			assert_memory_equal(ln.p, cases[i].line, ln.len);
		}
		assert_int_equal(input_tell(in), cases[i].after);
	}
	assert_int_equal(input_seek(in, -1), -1);
	input_close(in);
	tmp_remove(&t);
}

/* Seek in a file larger than the buffer, to every 100003rd byte: the
 * line there is the one whose start is the first at or after it. */
static void
test_seek_large(void **state)
{
	struct strbuf sb;
	struct tmpfile t;
	struct input *in;
	struct line ln;
	char buf[256];
	unsigned long i;
	size_t off, start;

	(void)state;
	sb_init(&sb);
	for (i = 1; i <= NLINES; i++) {
		sb_add(&sb, buf, make_line(i, buf));
		sb_addc(&sb, '\n');
	}
	tmp_write(&t, sb.s, sb.len);
	in = input_open(t.path);
	assert_non_null(in);
	for (off = 0; off < sb.len; off += 100003) {
		start = off;
		if (off > 0 && sb.s[off - 1] != '\n')
			start = (size_t)((char *)memchr(sb.s + off, '\n', sb.len - off) - sb.s) + 1;
		assert_int_equal(input_seek(in, (off_t)off), 0);
		assert_int_equal(input_tell(in), start);
		assert_int_equal(input_next(in, &ln), INPUT_LINE);
		assert_true(ln.p[ln.len] == '\n');
		assert_memory_equal(ln.p, sb.s + start, ln.len);
		assert_int_equal(input_tell(in), start + ln.len + 1);
	}
	input_close(in);
	tmp_remove(&t);
	sb_free(&sb);
}

/* --- rotations ------------------------------------------------------------ */

struct rotcase {
	const char *files[10];	/* created in a fresh directory; "d:" a directory */
	int age[10];		/* seconds before now of each file's mtime */
	const char *want[8];	/* expected order, NULL-terminated */
};

static void
check_rotations(const struct rotcase *c)
{
	char dir[] = "/tmp/fmrd-test-rot.XXXXXX", path[256];
	struct timespec ts[2];
	char **list = NULL;
	int i, n, fd;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 10 && c->files[i] != NULL; i++) {
		if (strncmp(c->files[i], "d:", 2) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, c->files[i] + 2);
			assert_int_equal(mkdir(path, 0700), 0);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, c->files[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec -= 1000 + c->age[i];
		ts[1] = ts[0];
		assert_int_equal(futimens(fd, ts), 0);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/mail.log", dir);
	n = input_rotations(path, &list);
	for (i = 0; c->want[i] != NULL; i++) {
		char want[256];

		snprintf(want, sizeof(want), "%s/%s", dir, c->want[i]);
		assert_true(i < n);
		assert_string_equal(list[i], want);
	}
	assert_int_equal(n, i);
	assert_null(list[n]);
	input_rotations_free(list);
	for (i = 0; i < 10 && c->files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 c->files[i] + (strncmp(c->files[i], "d:", 2) == 0 ? 2 : 0));
		if (remove(path) != 0)
			fail_msg("cannot remove %s", path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_rotations(void **state)
{
	static const struct rotcase cases[] = {
		/* numeric: highest N first; other files ignored */
		{ { "mail.log", "mail.log.1", "mail.log.2.gz", "mail.log.10.gz", "mail.log.bak",
		    "mail.log.1.swp", "mail.logx.1", "other.1", "mail.log.gz", "d:mail.log.3" },
		  { 0 }, { "mail.log.10.gz", "mail.log.2.gz", "mail.log.1", NULL } },
		/* dateext: by date, then hour or seconds */
		{ { "mail.log-20260102", "mail.log-20260101.gz", "mail.log-20251231",
		    "mail.log-2026010215", "mail.log-20260102-1767340800.gz",
		    "mail.log-20261399", "mail.log-2026", "mail.log-20260102.1", NULL },
		  { 0 }, { "mail.log-20251231", "mail.log-20260101.gz", "mail.log-20260102",
			   "mail.log-2026010215", "mail.log-20260102-1767340800.gz", NULL } },
		/* both styles: by modification time */
		{ { "mail.log.1", "mail.log-20260101", "mail.log.2.gz", NULL },
		  { 10, 100, 5 }, { "mail.log-20260101", "mail.log.1", "mail.log.2.gz", NULL } },
		/* nothing rotated */
		{ { "mail.log", "mail.log.old", NULL }, { 0 }, { NULL } },
		{ { NULL }, { 0 }, { NULL } },
	};
	char **list = (char **)1;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_rotations(&cases[i]);
	assert_int_equal(input_rotations("/nonexistent/fmrd/mail.log", &list), -1);
	assert_null(list);
	input_rotations_free(NULL);
}

/* --- year of year-less timestamps ------------------------------------------ */

struct yearcase {
	int ref_year, ref_month;
	struct {
		const char *line;
		const char *want;	/* logtime_format of the time */
	} lines[6];
};

static void
test_year_rollover(void **state)
{
	static const struct yearcase cases[] = {
		/* a log read in January that starts in December */
		{ 2027, 1, { { "Dec 31 23:59:59 mx postfix/smtp[1]: a", "2026-12-31T23:59:59" },
			     { "Jan  1 00:00:01 mx postfix/smtp[1]: b", "2027-01-01T00:00:01" },
			     /* out of order by seconds: last year, moves nothing */
			     { "Dec 31 23:59:58 mx postfix/smtp[1]: c", "2026-12-31T23:59:58" },
			     { "Jan  1 00:00:02 mx postfix/smtp[1]: d", "2027-01-01T00:00:02" } } },
		/* read while it is written: reference December, log crosses New Year */
		{ 2026, 12, { { "Dec 31 23:59:59 mx postfix/smtp[1]: a", "2026-12-31T23:59:59" },
			      { "Jan  1 00:00:01 mx postfix/smtp[1]: b", "2027-01-01T00:00:01" },
			      { "Feb  1 00:00:01 mx postfix/smtp[1]: c", "2027-02-01T00:00:01" } } },
		/* a whole year forward, then over New Year */
		{ 2026, 12, { { "Jan  5 10:00:00 mx postfix/smtp[1]: a", "2026-01-05T10:00:00" },
			      { "Apr  5 10:00:00 mx postfix/smtp[1]: b", "2026-04-05T10:00:00" },
			      { "Aug  5 10:00:00 mx postfix/smtp[1]: c", "2026-08-05T10:00:00" },
			      { "Dec  5 10:00:00 mx postfix/smtp[1]: d", "2026-12-05T10:00:00" },
			      { "Jan  5 10:00:00 mx postfix/smtp[1]: e", "2027-01-05T10:00:00" } } },
		/* a month back (out of order) moves nothing */
		{ 2026, 3, { { "Jan  5 10:00:00 mx postfix/smtp[1]: a", "2026-01-05T10:00:00" },
			     { "Feb  1 10:00:00 mx postfix/smtp[1]: b", "2026-02-01T10:00:00" },
			     { "Jan 30 10:00:00 mx postfix/smtp[1]: c", "2026-01-30T10:00:00" },
			     { "Mar  1 10:00:00 mx postfix/smtp[1]: d", "2026-03-01T10:00:00" } } },
		/* lines with a year neither use nor move it */
		{ 2027, 1, { { "2026-12-31T23:59:59Z mx postfix/smtp[1]: a", "2026-12-31T23:59:59+00:00" },
			     { "Dec 31 23:59:59 mx postfix/smtp[1]: b", "2026-12-31T23:59:59" },
			     { "2027 Jan  1 00:00:00 mx postfix/smtp[1]: c", "2027-01-01T00:00:00" },
			     { "Dec 31 23:59:59 mx postfix/smtp[1]: d", "2026-12-31T23:59:59" },
			     { "not a header", "" } } },
	};
	struct syslog_hdr h;
	struct hdr_year y;
	char buf[64];
	size_t i, j;
	int ok;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdr_year_init(&y, time(NULL));
		y.ref_year = cases[i].ref_year;
		y.ref_month = cases[i].ref_month;
		for (j = 0; j < 6 && cases[i].lines[j].line != NULL; j++) {
			ok = syslog_hdr_parse_year(cases[i].lines[j].line,
						   strlen(cases[i].lines[j].line), &h, &y);
			assert_int_equal(ok, cases[i].lines[j].want[0] != '\0');
			logtime_format(&h.time, buf, sizeof(buf));
			if (strcmp(buf, cases[i].lines[j].want) != 0)
				fail_msg("case %zu line %zu: %s, want %s", i, j, buf,
					 cases[i].lines[j].want);
		}
	}
}

/* hdr_year_init takes year and month of local time; syslog_hdr_parse
 * stays stateless (each line against the global reference). */
static void
test_year_init(void **state)
{
	static const char dec[] = "Dec 31 23:59:59 mx postfix/smtp[1]: a";
	static const char jan[] = "Jan  1 00:00:01 mx postfix/smtp[1]: b";
	struct syslog_hdr h;
	struct hdr_year y;
	struct tm tm;
	char buf[64];

	(void)state;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2027 - 1900;
	tm.tm_mon = 0;
	tm.tm_mday = 15;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	hdr_year_init(&y, mktime(&tm));
	assert_int_equal(y.ref_year, 2027);
	assert_int_equal(y.ref_month, 1);
	assert_int_equal(y.month, 0);
	assert_int_equal(syslog_hdr_parse_year(dec, sizeof(dec) - 1, &h, &y), 1);
	logtime_format(&h.time, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-31T23:59:59");
	assert_int_equal(y.year, 2026);
	assert_int_equal(y.month, 12);

	syslog_hdr_set_reference(2027, 1);
	assert_int_equal(syslog_hdr_parse(dec, sizeof(dec) - 1, &h), 1);
	logtime_format(&h.time, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-31T23:59:59");
	assert_int_equal(syslog_hdr_parse(jan, sizeof(jan) - 1, &h), 1);
	logtime_format(&h.time, buf, sizeof(buf));
	assert_string_equal(buf, "2027-01-01T00:00:01");
	assert_int_equal(syslog_hdr_parse(dec, sizeof(dec) - 1, &h), 1);
	logtime_format(&h.time, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-31T23:59:59");
	syslog_hdr_set_reference(1970, 12);
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
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_gzip_large),
		cmocka_unit_test(test_gzip_broken),
		cmocka_unit_test(test_gzip_stdin),
		cmocka_unit_test(test_seek_tell),
		cmocka_unit_test(test_seek_large),
		cmocka_unit_test(test_rotations),
		cmocka_unit_test(test_year_rollover),
		cmocka_unit_test(test_year_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
