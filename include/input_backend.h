/*
 * input_backend.h - private interface between the line splitter
 * (src/sources/input.c) and the byte backends (gzip.c, follow.c). Not for
 * use outside src/sources and the unit tests.
 *
 * Contract of a byte backend's read op: fill buf with up to n bytes and
 * return the count, 0 for "nothing now", -1 with errno on error. A batch
 * source's 0 is the end of input. A followed source (in->follow) may
 * return 0 with in->eof set to say "the file I was reading has ended for
 * good" (it was rotated away): the splitter returns a pending partial line
 * as unterminated, clears in->eof and reads on.
 */
#ifndef FMRD_INPUT_BACKEND_H
#define FMRD_INPUT_BACKEND_H

#include "input.h"

/* Force polling instead of inotify for followed files (tests). */
#define INPUT_FOLLOW_POLL_ENV "FMRD_FOLLOW_POLL"
#define INPUT_FOLLOW_POLL_MS 250

/* A new source with its buffer and year state (ref: mtime, else now). */
struct input *input_alloc(const char *name, const struct input_ops *ops, int fd, time_t mtime);

/* Does the byte string start with the gzip magic (1f 8b)? */
int input_gzip_magic(const unsigned char *p, size_t n);

/* Make in a gzip source reading in->fd; pre[0..npre) are bytes already
 * read from fd (the start of the stream). */
void input_gzip_attach(struct input *in, const unsigned char *pre, size_t npre);

#endif
