/*
 * input.h - sources: turn a log source into lines, through one interface
 * with private state per backend (plain file or stdin, gzip file, journal,
 * followed file). Byte backends share one line splitter that makes large
 * read()s into a 1 MiB buffer and finds lines with memchr, without a
 * malloc per line; record backends (the journal) hand over whole entries
 * with their header already parsed (line.hdr). Lines longer than
 * INPUT_MAX_LINE are cut and flagged. A followed source returns
 * INPUT_AGAIN ("no data yet"), distinct from INPUT_EOF; input_wait blocks
 * until it may have more. Seekable sources (regular uncompressed files)
 * have a size and can be positioned at a byte offset (time windows bisect
 * on them). The year of year-less timestamps is state of each source.
 */
#ifndef FMRD_INPUT_H
#define FMRD_INPUT_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "syslog_hdr.h"

#define INPUT_BUFSIZE  (1024 * 1024)
#define INPUT_MAX_LINE 16384	/* Postfix caps record text at 2000 bytes */

/* input_next results */
#define INPUT_EOF   0		/* end of input: nothing more will come */
#define INPUT_LINE  1		/* ln holds a line */
#define INPUT_ERROR (-1)	/* read error, errno in in->err */
#define INPUT_AGAIN 2		/* followed source: no complete line yet */

struct line {
	const char *p;		/* not NUL-terminated; valid until next call */
	size_t len;
	unsigned long lineno;	/* 1-based line number in this source */
	int truncated;		/* the line was longer than INPUT_MAX_LINE */
	int unterminated;	/* last line of the source had no newline */
	/* Header already parsed by the source (journal: time, host, tag
	 * from the entry's fields); NULL: parse p[0..len) as text. When set,
	 * p[0..len) is a readable rendering of the whole entry (evidence). */
	const struct syslog_hdr *hdr;
};

struct input;

struct input_ops {
	const char *name;	/* "file", "gzip", "journal", "follow" */
	/* Byte backends: read up to n bytes; 0 = nothing now (see eof),
	 * -1 = error with errno. NULL for record backends. */
	ssize_t (*read)(struct input *in, char *buf, size_t n);
	/* Record backends: next entry (INPUT_* result). NULL for byte backends. */
	int (*next)(struct input *in, struct line *ln);
	/* Block up to timeout_ms for more data: 1 = maybe more, 0 = timeout,
	 * -1 = error. NULL: the source never waits (batch). */
	int (*wait)(struct input *in, int timeout_ms);
	/* Position at byte offset (seekable byte backends only; NULL otherwise). */
	int (*seek)(struct input *in, off_t off);
	void (*close)(struct input *in);
};

struct input {
	const struct input_ops *ops;
	char *name;		/* as given by the user ("-" = stdin) */
	int fd;
	time_t mtime;		/* modification time, 0 if unknown (stdin) */
	off_t size;		/* size of a seekable source, -1 if not seekable */
	off_t offset;		/* byte offset of buf[end] in the source */
	char *buf;
	size_t start, end;	/* unread bytes are buf[start..end) */
	int eof;		/* the backend has no more data (batch: end of input) */
	int follow;		/* a followed source: eof means "none yet" */
	int skipping;		/* inside the tail of an over-long line */
	unsigned long lineno;
	unsigned long long bytes;
	int err;		/* errno of a failed read, 0 if none */
	struct hdr_year year;	/* year of year-less timestamps, only moves forward */
	void *priv;		/* backend state */
};

/* Open a source for one pass; returns NULL with errno set on failure.
 * "-" is stdin. A gzip file (by its magic bytes, whatever its name) is
 * decompressed. */
struct input *input_open(const char *path);
/* Follow path like tail -F: from its end (from_end) or its start; survives
 * rename rotation, copytruncate and delete/recreate. */
struct input *input_open_follow(const char *path, int from_end);
/* Next line: INPUT_LINE, INPUT_EOF, INPUT_ERROR or INPUT_AGAIN. */
int input_next(struct input *in, struct line *ln);
/* Wait for more data of a followed source (1/0/-1, see input_ops.wait). */
int input_wait(struct input *in, int timeout_ms);
/* Seekable sources: continue at the first whole line at or after byte
 * off (off 0: the start). Returns 0, or -1 (not seekable, or error). */
int input_seek(struct input *in, off_t off);
/* Byte offset of the next unread line. */
off_t input_tell(const struct input *in);
void input_close(struct input *in);

/* The rotations of log path, oldest first (NAME-YYYYMMDD[.gz],
 * NAME.N[.gz] with the highest N first), not including path itself.
 * Returns the count; *list is a NULL-terminated array to free with
 * input_rotations_free. */
int input_rotations(const char *path, char ***list);
void input_rotations_free(char **list);

#endif
