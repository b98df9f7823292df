/*
 * input.h - the reader: turns a log source (regular file or stdin) into
 * lines with large read()s and memchr, without a malloc per line.
 * Lines longer than INPUT_MAX_LINE are cut and flagged. A source is read
 * through a small ops table so compressed files, journald and follow mode
 * can be added as further backends.
 */
#ifndef FMRD_INPUT_H
#define FMRD_INPUT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define INPUT_BUFSIZE  (1024 * 1024)
#define INPUT_MAX_LINE 16384	/* Postfix caps record text at 2000 bytes */

struct line {
	const char *p;		/* not NUL-terminated; valid until next call */
	size_t len;
	unsigned long lineno;	/* 1-based line number in this source */
	int truncated;		/* the line was longer than INPUT_MAX_LINE */
	int unterminated;	/* last line of the source had no newline */
};

struct input;

struct input_ops {
	const char *name;
	ssize_t (*read)(struct input *in, char *buf, size_t n);
	void (*close)(struct input *in);
};

struct input {
	const struct input_ops *ops;
	char *name;		/* as given by the user ("-" = stdin) */
	int fd;
	time_t mtime;		/* modification time, 0 if unknown (stdin) */
	char *buf;
	size_t start, end;	/* unread bytes are buf[start..end) */
	int eof;
	int skipping;		/* inside the tail of an over-long line */
	unsigned long lineno;
	unsigned long long bytes;
	int err;		/* errno of a failed read, 0 if none */
};

/* Open a source; returns NULL with errno set on failure. "-" is stdin. */
struct input *input_open(const char *path);
/* Next line: 1 = line, 0 = end of input, -1 = read error (in->err). */
int input_next(struct input *in, struct line *ln);
void input_close(struct input *in);

#endif
