/*
 * input.c - line reader over file descriptors. One buffer per source,
 * lines are returned as pointers into it; partial lines are moved to the
 * front before the next read(). Over-long lines are cut at INPUT_MAX_LINE
 * and the rest of the line is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
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

static void
input_fd_close(struct input *in)
{
	if (in->fd > 0)
		close(in->fd);
}

static const struct input_ops input_fd_ops = {
	.name = "file", .read = input_fd_read, .close = input_fd_close
};

struct input *
input_open(const char *path)
{
	struct input *in;
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			errno = EISDIR;
			return NULL;
		}
	}
	in = xcalloc(1, sizeof(*in));
	in->ops = &input_fd_ops;
	in->name = xstrdup(path);
	in->fd = fd;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		in->mtime = st.st_mtime;
#ifdef POSIX_FADV_SEQUENTIAL
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	}
	in->buf = xmalloc(INPUT_BUFSIZE);
	return in;
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

/* Refill the buffer; returns bytes read, 0 at EOF, -1 on error. */
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
	if (r == 0)
		in->eof = 1;
	in->end += (size_t)r;
	in->bytes += (unsigned long long)r;
	return r;
}

int
input_next(struct input *in, struct line *ln)
{
	char *nl;
	size_t avail;

	for (;;) {
		avail = in->end - in->start;
		nl = avail ? memchr(in->buf + in->start, '\n', avail) : NULL;
		if (in->skipping) {
			/* discard the rest of an over-long line */
			if (nl != NULL) {
				in->start = (size_t)(nl - in->buf) + 1;
				in->skipping = 0;
				continue;
			}
			in->start = in->end;
			if (in->eof)
				return 0;
			if (input_fill(in) < 0)
				return -1;
			continue;
		}
		if (nl != NULL && ((size_t)(nl - (in->buf + in->start)) <= INPUT_MAX_LINE
		    || ((size_t)(nl - (in->buf + in->start)) == INPUT_MAX_LINE + 1 && nl[-1] == '\r'))) {
			ln->p = in->buf + in->start;
			ln->len = (size_t)(nl - ln->p);
			ln->truncated = 0;
			ln->unterminated = 0;
			in->start += ln->len + 1;
			break;
		}
		if (nl != NULL || avail > INPUT_MAX_LINE) {
			ln->p = in->buf + in->start;
			ln->len = INPUT_MAX_LINE;
			ln->truncated = 1;
			ln->unterminated = 0;
			in->start += INPUT_MAX_LINE;
			in->skipping = 1;
			break;
		}
		if (in->eof) {
			if (avail == 0)
				return 0;
			ln->p = in->buf + in->start;
			ln->len = avail;
			ln->truncated = 0;
			ln->unterminated = 1;
			in->start = in->end;
			break;
		}
		if (input_fill(in) < 0)
			return -1;
	}
	if (ln->len > 0 && ln->p[ln->len - 1] == '\r')
		ln->len--;
	ln->lineno = ++in->lineno;
	return 1;
}
