/*
 * input.c - the line splitter shared by every byte backend, and the plain
 * file / stdin backend. One buffer per source, lines are returned as
 * pointers into it; partial lines are moved to the front before the next
 * read(). Over-long lines are cut at INPUT_MAX_LINE and the rest of the
 * line is skipped. A followed source's "nothing yet" is INPUT_AGAIN and
 * never yields half a line. Opening picks the backend: a gzip stream (by
 * its magic bytes) is inflated by gzip.c. Regular uncompressed files have
 * a size and can be positioned at the first whole line after an offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "input_backend.h"
#include "util.h"

static ssize_t
input_fd_read(struct input *in, char *buf, size_t n)
{
	ssize_t r;

	do {
		r = read(in->fd, buf, n);
	} while (r < 0 && errno == EINTR);
	return r;
}

static int
input_fd_seek(struct input *in, off_t off)
{
	return lseek(in->fd, off, SEEK_SET) == off ? 0 : -1;
}

static void
input_fd_close(struct input *in)
{
	if (in->fd > 0)
		close(in->fd);
}

static const struct input_ops input_file_ops = {
	.name = "file", .read = input_fd_read, .seek = input_fd_seek, .close = input_fd_close
};

/* stdin, pipes, devices: no size, no seek */
static const struct input_ops input_stream_ops = {
	.name = "file", .read = input_fd_read, .close = input_fd_close
};

struct input *
input_alloc(const char *name, const struct input_ops *ops, int fd, time_t mtime)
{
	struct input *in = xcalloc(1, sizeof(*in));

	in->ops = ops;
	in->name = xstrdup(name);
	in->fd = fd;
	in->mtime = mtime;
	in->size = -1;
	in->buf = xmalloc(INPUT_BUFSIZE);
	hdr_year_init(&in->year, mtime ? mtime : time(NULL));
	return in;
}

int
input_gzip_magic(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Read up to n bytes (fewer only at end of input); -1 on error. */
static ssize_t
input_read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* A stream that cannot be read twice (stdin, pipe): its first two bytes
 * are read now to look for the gzip magic; plain text keeps them as the
 * start of the buffer. */
static struct input *
input_open_stream(const char *path, int fd)
{
	unsigned char pre[2];
	struct input *in;
	ssize_t n;

	if ((n = input_read_full(fd, pre, sizeof(pre))) < 0)
		return NULL;
	in = input_alloc(path, &input_stream_ops, fd, 0);
	if (input_gzip_magic(pre, (size_t)n)) {
		input_gzip_attach(in, pre, (size_t)n);
		return in;
	}
	memcpy(in->buf, pre, (size_t)n);
	in->end = (size_t)n;
	in->bytes = (unsigned long long)n;
	in->offset = n;
	return in;
}

static struct input *
input_open_regular(const char *path, int fd, const struct stat *st)
{
	unsigned char pre[2];
	struct input *in;
	ssize_t n;

	do {
		n = pread(fd, pre, sizeof(pre), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return NULL;
	in = input_alloc(path, &input_file_ops, fd, st->st_mtime);
	if (input_gzip_magic(pre, (size_t)n)) {
		input_gzip_attach(in, NULL, 0);
		return in;
	}
	in->size = st->st_size;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	return in;
}

struct input *
input_open(const char *path)
{
	struct input *in;
	struct stat st;
	int fd, saved;

	if (strcmp(path, "-") == 0) {
		fd = 0;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		saved = EISDIR;
		goto fail;
	}
	in = S_ISREG(st.st_mode) && fd != 0 ? input_open_regular(path, fd, &st)
	    : input_open_stream(path, fd);
	if (in != NULL) {
		if (S_ISREG(st.st_mode))
			in->mtime = st.st_mtime;
		hdr_year_init(&in->year, in->mtime ? in->mtime : time(NULL));
		return in;
	}
	saved = errno;
fail:
	if (fd > 0)
		close(fd);
	errno = saved;
	return NULL;
}

void
input_close(struct input *in)
{
	if (in == NULL)
		return;
	in->ops->close(in);
	free(in->buf);
	free(in->name);
	free(in);
}

/* Refill the buffer; returns bytes read, 0 for none (a batch source is
 * then at its end), -1 on error. */
static ssize_t
input_fill(struct input *in)
{
	ssize_t r;

	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	r = in->ops->read(in, in->buf + in->end, INPUT_BUFSIZE - in->end);
	if (r < 0) {
		in->err = errno;
		return -1;
	}
	if (r == 0 && !in->follow)
		in->eof = 1;
	in->end += (size_t)r;
	in->bytes += (unsigned long long)r;
	in->offset += r;
	return r;
}

static void
line_set(struct line *ln, const char *p, size_t len, int truncated, int unterminated)
{
	ln->p = p;
	ln->len = len;
	ln->truncated = truncated;
	ln->unterminated = unterminated;
	ln->hdr = NULL;
}

/* The source ended (batch) or a followed file was rotated away with
 * bytes pending: the rest is one unterminated line. */
static int
input_at_end(struct input *in, struct line *ln)
{
	size_t avail = in->end - in->start;

	if (in->follow)
		in->eof = 0;
	if (in->skipping) {
		in->start = in->end;
		in->skipping = 0;
		return 0;
	}
	if (avail == 0)
		return 0;
	line_set(ln, in->buf + in->start, avail, 0, 1);
	in->start = in->end;
	return 1;
}

/* One step of splitting: 1 = a line in ln, 0 = need more bytes. */
static int
input_split(struct input *in, struct line *ln)
{
	size_t avail = in->end - in->start, len;
	char *nl = avail ? memchr(in->buf + in->start, '\n', avail) : NULL;

	if (in->skipping) {
		/* discard the rest of an over-long line */
		if (nl == NULL) {
			in->start = in->end;
			return 0;
		}
		in->start = (size_t)(nl - in->buf) + 1;
		in->skipping = 0;
		return input_split(in, ln);
	}
	if (nl != NULL) {
		len = (size_t)(nl - (in->buf + in->start));
		if (len <= INPUT_MAX_LINE || (len == INPUT_MAX_LINE + 1 && nl[-1] == '\r')) {
			line_set(ln, in->buf + in->start, len, 0, 0);
			in->start += len + 1;
			return 1;
		}
	}
	if (nl != NULL || avail > INPUT_MAX_LINE) {
		line_set(ln, in->buf + in->start, INPUT_MAX_LINE, 1, 0);
		in->start += INPUT_MAX_LINE;
		in->skipping = 1;
		return 1;
	}
	return 0;
}

static int
input_next_bytes(struct input *in, struct line *ln)
{
	ssize_t r;

	for (;;) {
		if (input_split(in, ln))
			break;
		if (in->eof) {
			if (input_at_end(in, ln))
				break;
			if (!in->follow)
				return INPUT_EOF;
		}
		if ((r = input_fill(in)) < 0)
			return INPUT_ERROR;
		if (r == 0 && in->follow && !in->eof)
			return INPUT_AGAIN;
	}
	if (ln->len > 0 && ln->p[ln->len - 1] == '\r')
		ln->len--;
	ln->lineno = ++in->lineno;
	return INPUT_LINE;
}

int
input_next(struct input *in, struct line *ln)
{
	int rc;

	if (in->ops->next == NULL)
		return input_next_bytes(in, ln);
	rc = in->ops->next(in, ln);
	if (rc == INPUT_LINE)
		ln->lineno = ++in->lineno;
	return rc;
}

int
input_wait(struct input *in, int timeout_ms)
{
	if (in->ops->wait == NULL)
		return 1;
	return in->ops->wait(in, timeout_ms);
}

/* Discard bytes up to and including the next newline (after a seek into
 * the middle of a line). 0, or -1 on a read error. */
static int
input_skip_partial(struct input *in)
{
	char *nl;

	for (;;) {
		nl = memchr(in->buf + in->start, '\n', in->end - in->start);
		if (nl != NULL) {
			in->start = (size_t)(nl - in->buf) + 1;
			return 0;
		}
		in->start = in->end;
		if (in->eof)
			return 0;
		if (input_fill(in) < 0)
			return -1;
	}
}

int
input_seek(struct input *in, off_t off)
{
	struct stat st;
	char c = '\n';
	ssize_t r;

	if (in->ops->seek == NULL || in->size < 0 || off < 0) {
		errno = ESPIPE;
		return -1;
	}
	if (off > in->size && fstat(in->fd, &st) == 0)
		in->size = st.st_size;	/* it may have grown */
	if (off > in->size)
		off = in->size;
	if (off > 0) {
		do {
			r = pread(in->fd, &c, 1, off - 1);
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			return -1;
		if (r == 0)
			c = '\n';	/* past the end: nothing to skip */
	}
	if (in->ops->seek(in, off) < 0)
		return -1;
	in->start = in->end = 0;
	in->offset = off;
	in->eof = 0;
	in->skipping = 0;
	in->err = 0;
	return c == '\n' ? 0 : input_skip_partial(in);
}

off_t
input_tell(const struct input *in)
{
	off_t t = in->offset - (off_t)(in->end - in->start);

	return t < 0 ? 0 : t;
}
