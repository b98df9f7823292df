/*
 * follow.c - byte backend that follows a log file by name like tail -F:
 * reads what is appended, and survives rename rotation (logrotate
 * "create", `postfix logrotate`), delete and create again, copytruncate,
 * and a file that does not exist yet. The file being read stays open, so
 * after a rename or delete it is read to its end before the new file
 * under the name is opened, and nothing is lost or read twice. A
 * truncation is seen when the file is shorter than what was read, or
 * when the last bytes read are no longer where they were (it was
 * truncated and has grown again). Wake-ups come from inotify (the file,
 * and its directory for creations) or, without it or with
 * FMRD_FOLLOW_POLL set, from a poll every 250 ms.
 *
 * Limits, shared with tail -F: lines written to the old file after the
 * new one was opened, lines written between logrotate's copy and its
 * truncation, and lines not yet read when a copytruncate happens (they
 * are only in the copy) are not seen; a file rotated twice within one
 * wake-up interval is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#define HAVE_INOTIFY 1
#endif

#include "input.h"
#include "input_backend.h"
#include "util.h"

#define FOLLOW_TAIL 32		/* bytes remembered to recognise a truncation */
#define FOLLOW_SAFETY_MS 1000	/* inotify: look anyway this often */

struct follow {
	char *path;
	char *dir;		/* its directory, for creations */
	dev_t dev;		/* the open file (in->fd >= 0) */
	ino_t ino;
	off_t pos;		/* bytes read from it */
	unsigned char tail[FOLLOW_TAIL];	/* the last bytes read, ending at pos */
	size_t ntail;
	dev_t bad_dev;		/* a file under the name that could not be opened */
	ino_t bad_ino;
	int ifd;		/* inotify descriptor, -1: polling */
	int wfile, wdir;	/* watches */
};

static void
follow_remember(struct follow *f, const char *p, size_t n)
{
	size_t keep;

	if (n >= FOLLOW_TAIL) {
		memcpy(f->tail, p + n - FOLLOW_TAIL, FOLLOW_TAIL);
		f->ntail = FOLLOW_TAIL;
		return;
	}
	keep = f->ntail + n > FOLLOW_TAIL ? FOLLOW_TAIL - n : f->ntail;
	memmove(f->tail, f->tail + f->ntail - keep, keep);
	memcpy(f->tail + keep, p, n);
	f->ntail = keep + n;
}

static void
follow_watch(struct input *in, struct follow *f)
{
#ifdef HAVE_INOTIFY
	char proc[64];

	if (f->ifd < 0)
		return;
	if (f->wfile >= 0)
		inotify_rm_watch(f->ifd, f->wfile);
	f->wfile = -1;
	if (in->fd < 0)
		return;
	/* watch exactly the inode we read, whatever the name holds by now */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", in->fd);
	f->wfile = inotify_add_watch(f->ifd, proc,
				     IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB);
	if (f->wfile < 0)
		f->wfile = inotify_add_watch(f->ifd, f->path, IN_MODIFY | IN_MOVE_SELF
					     | IN_DELETE_SELF | IN_ATTRIB);
#else
	(void)in;
	(void)f;
#endif
}

/* Start reading fd (the file now under the name) at pos. */
static void
follow_attach(struct input *in, struct follow *f, int fd, const struct stat *st, off_t pos)
{
	if (in->fd >= 0)
		close(in->fd);
	in->fd = fd;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->pos = pos;
	f->ntail = 0;
	in->offset = pos;
	in->mtime = st->st_mtime;
	follow_watch(in, f);
}

/* Open the file under the name if it is another than the one being read.
 * Returns 1 with fd and st set, else 0. */
static int
follow_open_new(struct input *in, struct follow *f, int *fd, struct stat *st)
{
	struct stat ps;

	if (stat(f->path, &ps) < 0 || !S_ISREG(ps.st_mode))
		return 0;
	if (in->fd >= 0 && ps.st_dev == f->dev && ps.st_ino == f->ino)
		return 0;
	if (ps.st_dev == f->bad_dev && ps.st_ino == f->bad_ino)
		return 0;
	if ((*fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT) {
			msg_warn("%s: %s (following it when it can be read)", f->path,
				 strerror(errno));
			f->bad_dev = ps.st_dev;
			f->bad_ino = ps.st_ino;
		}
		return 0;
	}
	if (fstat(*fd, st) < 0 || !S_ISREG(st->st_mode)
	    || (in->fd >= 0 && st->st_dev == f->dev && st->st_ino == f->ino)) {
		close(*fd);
		return 0;
	}
	return 1;
}

/* Was the open file truncated under us (copytruncate)? */
static int
follow_truncated(struct input *in, struct follow *f)
{
	unsigned char now[FOLLOW_TAIL];
	struct stat st;
	ssize_t r;

	if (f->pos == 0 || fstat(in->fd, &st) < 0)
		return 0;
	if (st.st_size < f->pos)
		return 1;
	if (f->ntail == 0)
		return 0;
	do {
		r = pread(in->fd, now, f->ntail, f->pos - (off_t)f->ntail);
	} while (r < 0 && errno == EINTR);
	return r >= 0 && ((size_t)r != f->ntail || memcmp(now, f->tail, f->ntail) != 0);
}

static ssize_t
follow_read_fd(struct input *in, struct follow *f, char *buf, size_t n)
{
	ssize_t r;

	do {
		r = read(in->fd, buf, n);
	} while (r < 0 && errno == EINTR);
	if (r > 0) {
		f->pos += r;
		follow_remember(f, buf, (size_t)r);
	}
	return r;
}

static ssize_t
follow_read(struct input *in, char *buf, size_t n)
{
	struct follow *f = in->priv;
	struct stat st;
	ssize_t r;
	int fd;

	for (;;) {
		if (in->fd < 0) {
			if (!follow_open_new(in, f, &fd, &st))
				return 0;
			follow_attach(in, f, fd, &st, 0);
		}
		if (follow_truncated(in, f)) {
			if (lseek(in->fd, 0, SEEK_SET) < 0)
				return -1;
			f->pos = 0;
			f->ntail = 0;
			in->offset = 0;
		}
		if ((r = follow_read_fd(in, f, buf, n)) != 0)
			return r;
		/* at the end of the open file: has the name moved on? */
		if (!follow_open_new(in, f, &fd, &st))
			return 0;
		/* what was written to the old file before the new one existed */
		if ((r = follow_read_fd(in, f, buf, n)) != 0) {
			close(fd);
			return r;
		}
		follow_attach(in, f, fd, &st, 0);
		if (in->end > in->start || in->skipping) {
			in->eof = 1;	/* the old file's last line is complete */
			return 0;
		}
	}
}

/* Could a read find something now? */
static int
follow_pending(struct input *in, struct follow *f)
{
	struct stat st;

	if (in->fd >= 0 && fstat(in->fd, &st) == 0 && st.st_size != f->pos)
		return 1;
	if (stat(f->path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (st.st_dev == f->bad_dev && st.st_ino == f->bad_ino)
		return 0;
	return in->fd < 0 || st.st_dev != f->dev || st.st_ino != f->ino;
}

static long long
follow_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forget the queued inotify events: they only say "look again", and
 * the caller looks next. */
static void
follow_drain(struct follow *f)
{
#ifdef HAVE_INOTIFY
	char evbuf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (f->ifd >= 0)
		while (read(f->ifd, evbuf, sizeof(evbuf)) > 0)
			;
#else
	(void)f;
#endif
}

/* Sleep or wait for inotify up to ms; 1 if an event came, -1 on error. */
static int
follow_sleep(struct follow *f, int ms)
{
	struct timespec ts;
#ifdef HAVE_INOTIFY
	struct pollfd pfd;
	int rc;

	if (f->ifd >= 0) {
		pfd.fd = f->ifd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, ms);
		if (rc < 0)
			return errno == EINTR ? 0 : -1;
		return rc > 0;
	}
#endif
	(void)f;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	return 0;
}

static int
follow_wait(struct input *in, int timeout_ms)
{
	struct follow *f = in->priv;
	long long deadline = timeout_ms >= 0 ? follow_now_ms() + timeout_ms : -1, left;
	int slice, rc;

	for (;;) {
		follow_drain(f);
		if (follow_pending(in, f))
			return 1;
		slice = f->ifd >= 0 ? FOLLOW_SAFETY_MS : INPUT_FOLLOW_POLL_MS;
		if (deadline >= 0) {
			if ((left = deadline - follow_now_ms()) <= 0)
				return 0;
			if (left < slice)
				slice = (int)left;
		}
		if ((rc = follow_sleep(f, slice)) != 0)
			return rc;
	}
}

static void
follow_close(struct input *in)
{
	struct follow *f = in->priv;

	if (in->fd >= 0)
		close(in->fd);
	if (f != NULL) {
		if (f->ifd >= 0)
			close(f->ifd);
		free(f->path);
		free(f->dir);
		free(f);
	}
}

static const struct input_ops input_follow_ops = {
	.name = "follow", .read = follow_read, .wait = follow_wait, .close = follow_close
};

static char *
follow_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	return xspandup((struct span){ path, slash == path ? 1 : (size_t)(slash - path) });
}

static void
follow_notify_init(struct follow *f)
{
	const char *force = getenv(INPUT_FOLLOW_POLL_ENV);

	f->ifd = f->wfile = f->wdir = -1;
	if (force != NULL && *force != '\0' && strcmp(force, "0") != 0)
		return;
#ifdef HAVE_INOTIFY
	if ((f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return;
	f->wdir = inotify_add_watch(f->ifd, f->dir, IN_CREATE | IN_MOVED_TO);
	if (f->wdir < 0) {
		close(f->ifd);
		f->ifd = -1;
	}
#endif
}

/* The file at open: from its end (not in the middle of a line) or its
 * start. A gzip file cannot be followed. */
static int
follow_first(struct input *in, struct follow *f, int fd, const struct stat *st, int from_end)
{
	unsigned char pre[2];
	off_t pos = from_end ? st->st_size : 0;
	ssize_t r;
	char c;

	r = pread(fd, pre, sizeof(pre), 0);
	if (r > 0 && input_gzip_magic(pre, (size_t)r)) {
		errno = ENOTSUP;
		return -1;
	}
	if (pos > 0 && lseek(fd, pos, SEEK_SET) != pos)
		return -1;
	follow_attach(in, f, fd, st, pos);
	if (pos > 0 && pread(fd, &c, 1, pos - 1) == 1 && c != '\n')
		in->skipping = 1;	/* a line being written: from the next one */
	if (pos > 0) {
		r = pread(fd, f->tail, pos < FOLLOW_TAIL ? (size_t)pos : FOLLOW_TAIL,
			  pos - (pos < FOLLOW_TAIL ? pos : FOLLOW_TAIL));
		f->ntail = r > 0 ? (size_t)r : 0;
	}
	return 0;
}

struct input *
input_open_follow(const char *path, int from_end)
{
	struct input *in;
	struct follow *f;
	struct stat st;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return NULL;
	if (fd >= 0) {
		saved = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
		    : !S_ISREG(st.st_mode) ? EINVAL : 0;
		if (saved != 0) {
			close(fd);
			errno = saved;
			return NULL;
		}
	}
	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->dir = follow_dirname(path);
	f->bad_ino = 0;
	f->bad_dev = (dev_t)-1;
	in = input_alloc(path, &input_follow_ops, -1, fd >= 0 ? st.st_mtime : 0);
	in->priv = f;
	in->follow = 1;
	follow_notify_init(f);
	if (fd >= 0 && follow_first(in, f, fd, &st, from_end) < 0) {
		saved = errno;
		if (in->fd != fd)
			close(fd);
		input_close(in);
		errno = saved;
		return NULL;
	}
	if (fd < 0 && access(f->dir, X_OK) < 0) {
		saved = errno;
		input_close(in);
		errno = saved;
		return NULL;
	}
	return in;
}
