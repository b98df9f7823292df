/*
 * gzip.c - byte backend that inflates a gzip file or stream (picked by
 * its magic bytes, whatever its name) straight into the splitter's
 * buffer. Concatenated members are read one after the other; bytes after
 * the last member that do not start another one are ignored, as gzip(1)
 * does. A corrupt stream is an error EBADMSG, a stream that ends inside a
 * member (a truncated file) an error EIO; the lines inflated before
 * either are returned first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "input.h"
#include "input_backend.h"
#include "util.h"

#define GZ_INBUF (128 * 1024)
#define GZ_HEADER_MIN 10	/* a member's header is at least this long */

struct gz {
	z_stream zs;
	unsigned char *ibuf;
	int in_eof;		/* the file has no more compressed bytes */
	int in_member;		/* inside a member: the end of input is a truncation */
	int members;		/* members completed */
	int done;
	int err;		/* sticky error, reported once its data is out */
};

/* More compressed bytes; 0, or -1 with gz->err set. */
static int
gz_refill(struct input *in, struct gz *gz)
{
	ssize_t r;

	do {
		r = read(in->fd, gz->ibuf, GZ_INBUF);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		gz->err = errno;
		return -1;
	}
	if (r == 0)
		gz->in_eof = 1;
	gz->zs.next_in = gz->ibuf;
	gz->zs.avail_in = (uInt)r;
	return 0;
}

/* inflate failed with rc: garbage after a complete member ends the
 * stream, anything else is an error. */
static void
gz_failed(struct gz *gz, int rc)
{
	if (rc == Z_MEM_ERROR)
		gz->err = ENOMEM;
	else if (gz->members > 0 && gz->zs.total_in < GZ_HEADER_MIN)
		gz->done = 1;
	else
		gz->err = EBADMSG;
}

/* One inflate step; 0 to go on, 1 to stop (done or error). */
static int
gz_step(struct gz *gz)
{
	uInt before = gz->zs.avail_in;
	int rc;

	rc = inflate(&gz->zs, Z_NO_FLUSH);
	if (gz->zs.avail_in != before)
		gz->in_member = 1;
	switch (rc) {
	case Z_OK:
		return 0;
	case Z_STREAM_END:
		gz->members++;
		gz->in_member = 0;
		inflateReset(&gz->zs);
		return 0;
	case Z_BUF_ERROR:
		if (gz->zs.avail_in == 0 && gz->in_eof) {
			gz->err = EIO;	/* the file ends inside a member */
			return 1;
		}
		if (gz->zs.avail_in == 0)
			return 0;
		break;	/* no progress with input and room: corrupt */
	default:
		break;
	}
	gz_failed(gz, rc);
	return 1;
}

static ssize_t
gz_read(struct input *in, char *buf, size_t n)
{
	struct gz *gz = in->priv;
	size_t got;

	if (gz->err == 0 && !gz->done) {
		gz->zs.next_out = (unsigned char *)buf;
		gz->zs.avail_out = (uInt)n;	/* at most INPUT_BUFSIZE */
		while (gz->zs.avail_out > 0) {
			if (gz->zs.avail_in == 0 && !gz->in_eof) {
				if (gz_refill(in, gz) < 0)
					break;
				continue;
			}
			if (gz->zs.avail_in == 0 && !gz->in_member) {
				gz->done = 1;	/* clean end after a whole member */
				break;
			}
			if (gz_step(gz))
				break;
		}
		got = (size_t)((char *)gz->zs.next_out - buf);
		if (got > 0)
			return (ssize_t)got;
	}
	if (gz->err != 0) {
		errno = gz->err;
		return -1;
	}
	return 0;
}

static void
gz_close(struct input *in)
{
	struct gz *gz = in->priv;

	if (gz != NULL) {
		inflateEnd(&gz->zs);
		free(gz->ibuf);
		free(gz);
	}
	if (in->fd > 0)
		close(in->fd);
}

static const struct input_ops input_gzip_ops = {
	.name = "gzip", .read = gz_read, .close = gz_close
};

void
input_gzip_attach(struct input *in, const unsigned char *pre, size_t npre)
{
	struct gz *gz = xcalloc(1, sizeof(*gz));

	gz->ibuf = xmalloc(GZ_INBUF);
	if (inflateInit2(&gz->zs, 15 + 32) != Z_OK)
		msg_fatal(FMRD_EXIT_SOFTWARE, "zlib: cannot initialise inflate");
	if (npre > 0) {
		memcpy(gz->ibuf, pre, npre);
		gz->zs.next_in = gz->ibuf;
		gz->zs.avail_in = (uInt)npre;
	}
	in->ops = &input_gzip_ops;
	in->priv = gz;
	in->size = -1;
}
