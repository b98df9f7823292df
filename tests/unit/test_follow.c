/*
 * test_follow.c - unit tests of following a log file (input_open_follow):
 * step by step (a partial line is never returned, rename rotation with
 * lines written to the old file after the rename, delete and create
 * again, copytruncate also when the file has grown past the old size, a
 * file that does not exist yet, from the end, over-long lines, gzip
 * refused, input_wait), and a stress test: a forked writer appends the
 * sample logs (samples/.../mail.log) in random-sized chunks split
 * mid-line and rotates the file 30 times by rename, copytruncate and
 * delete/create while the reader collects lines with input_next and
 * input_wait; the lines must be exactly the data written, with inotify
 * and with polling.
 *
 * copytruncate: lines not yet read when the file is truncated exist only
 * in the copy (tail -F loses them too), so before a copytruncate the
 * writer waits until the reader has read everything. Before a rename or
 * delete it only waits until the reader has reached the current file (a
 * file rotated twice before the reader looks again is skipped, as with
 * tail -F); the reader may lag behind within it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "input_backend.h"
#include "util.h"

#define NROTATIONS 30
#define STRESS_SECS 20

struct dir {
	char dir[64];
	char path[96];		/* dir/mail.log */
	char old[96];		/* dir/mail.log.1 */
};

static void
dir_make(struct dir *d)
{
	strcpy(d->dir, "/tmp/fmrd-test-follow.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/mail.log", d->dir);
	snprintf(d->old, sizeof(d->old), "%s/mail.log.1", d->dir);
}

static void
dir_remove(struct dir *d)
{
	unlink(d->path);
	unlink(d->old);
	assert_int_equal(rmdir(d->dir), 0);
}

static void
put(int fd, const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(write(fd, s, n), (ssize_t)n);
}

static int
create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	assert_true(fd >= 0);
	return fd;
}

/* The next result must be line want (flags as given), or INPUT_AGAIN
 * when want is NULL. */
static void
expect(struct input *in, const char *want, int unterminated)
{
	struct line ln;
	int rc = input_next(in, &ln);

	if (want == NULL) {
		if (rc != INPUT_AGAIN)
			fail_msg("got %d (%.*s), want INPUT_AGAIN", rc,
				 rc == INPUT_LINE ? (int)ln.len : 0, rc == INPUT_LINE ? ln.p : "");
		return;
	}
	assert_int_equal(rc, INPUT_LINE);
	if (ln.len != strlen(want) || memcmp(ln.p, want, ln.len) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)ln.len, ln.p, want);
	assert_int_equal(ln.unterminated, unterminated);
	assert_int_equal(ln.truncated, 0);
}

static void
test_follow_steps(void **state)
{
	struct input *in;
	struct dir d;
	int fd, fd2;

	(void)state;
	dir_make(&d);
	/* not there yet */
	in = input_open_follow(d.path, 1);
	assert_non_null(in);
	assert_string_equal(in->ops->name, "follow");
	assert_int_equal(in->size, -1);
	expect(in, NULL, 0);
	fd = create(d.path);
	expect(in, NULL, 0);
	/* a partial line waits for its newline */
	put(fd, "first\nsec");
	expect(in, "first", 0);
	expect(in, NULL, 0);
	expect(in, NULL, 0);
	put(fd, "ond\r\n");
	expect(in, "second", 0);
	expect(in, NULL, 0);

	/* rename rotation: what is written to the old file after the rename
	 * is read before the new file */
	put(fd, "before rename\n");
	assert_int_equal(rename(d.path, d.old), 0);
	expect(in, "before rename", 0);
	put(fd, "after rename, old file\n");
	expect(in, "after rename, old file", 0);
	fd2 = create(d.path);
	put(fd, "old file, new one exists\n");
	put(fd2, "new file\n");
	close(fd);
	expect(in, "old file, new one exists", 0);
	expect(in, "new file", 0);
	expect(in, NULL, 0);
	fd = fd2;

	/* the old file ends without a newline: its last line is complete */
	put(fd, "no newline at the end");
	expect(in, NULL, 0);
	assert_int_equal(rename(d.path, d.old), 0);
	fd2 = create(d.path);
	put(fd2, "next\n");
	close(fd);
	fd = fd2;
	expect(in, "no newline at the end", 1);
	expect(in, "next", 0);

	/* copytruncate, the file shorter than what was read */
	put(fd, "a line that makes the file long\n");
	expect(in, "a line that makes the file long", 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	put(fd, "short\n");
	expect(in, "short", 0);
	/* copytruncate, and the file grew past the old size before we looked */
	assert_int_equal(ftruncate(fd, 0), 0);
	put(fd, "grown again after the truncation, longer than before\n");
	expect(in, "grown again after the truncation, longer than before", 0);
	expect(in, NULL, 0);

	/* delete and create again (the old file's rest comes first) */
	put(fd, "before delete\n");
	assert_int_equal(unlink(d.path), 0);
	put(fd, "deleted but open\n");
	expect(in, "before delete", 0);
	expect(in, "deleted but open", 0);
	expect(in, NULL, 0);
	close(fd);
	expect(in, NULL, 0);
	fd = create(d.path);
	put(fd, "recreated\n");
	expect(in, "recreated", 0);
	expect(in, NULL, 0);
	close(fd);
	input_close(in);
	dir_remove(&d);
}

/* From the end: old lines and the rest of a line being written are
 * skipped. From the start: everything. */
static void
test_follow_from_end(void **state)
{
	struct input *in;
	struct dir d;
	int fd;

	(void)state;
	dir_make(&d);
	fd = create(d.path);
	put(fd, "old 1\nold 2\nhalf a li");
	in = input_open_follow(d.path, 1);
	assert_non_null(in);
	expect(in, NULL, 0);
	put(fd, "ne\nnew\n");
	expect(in, "new", 0);
	expect(in, NULL, 0);
	input_close(in);

	in = input_open_follow(d.path, 0);
	assert_non_null(in);
	expect(in, "old 1", 0);
	expect(in, "old 2", 0);
	expect(in, "half a line", 0);
	expect(in, "new", 0);
	expect(in, NULL, 0);
	input_close(in);

	/* from the end of a file that ends with a newline */
	in = input_open_follow(d.path, 1);
	assert_non_null(in);
	expect(in, NULL, 0);
	put(fd, "newer\n");
	expect(in, "newer", 0);
	input_close(in);
	close(fd);
	dir_remove(&d);
}

/* An over-long line arriving in pieces: cut once, rest skipped. */
static void
test_follow_long_line(void **state)
{
	struct input *in;
	struct line ln;
	struct dir d;
	char *big = xmalloc(INPUT_MAX_LINE);
	int fd, i;

	(void)state;
	memset(big, 'x', INPUT_MAX_LINE);
	dir_make(&d);
	fd = create(d.path);
	in = input_open_follow(d.path, 0);
	assert_non_null(in);
	assert_int_equal(write(fd, big, INPUT_MAX_LINE / 2), INPUT_MAX_LINE / 2);
	expect(in, NULL, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(write(fd, big, INPUT_MAX_LINE), INPUT_MAX_LINE);
	assert_int_equal(input_next(in, &ln), INPUT_LINE);
	assert_int_equal(ln.len, INPUT_MAX_LINE);
	assert_int_equal(ln.truncated, 1);
	expect(in, NULL, 0);
	put(fd, "tail of the long line\nafter\n");
	expect(in, "after", 0);
	expect(in, NULL, 0);
	input_close(in);
	close(fd);
	dir_remove(&d);
	free(big);
}

static void
test_follow_errors(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	struct dir d;
	int fd;

	(void)state;
	dir_make(&d);
	fd = create(d.path);
	assert_int_equal(write(fd, gz, sizeof(gz)), (ssize_t)sizeof(gz));
	close(fd);
	errno = 0;
	assert_null(input_open_follow(d.path, 0));
	assert_int_equal(errno, ENOTSUP);
	errno = 0;
	assert_null(input_open_follow(d.dir, 0));
	assert_int_equal(errno, EISDIR);
	errno = 0;
	assert_null(input_open_follow("/nonexistent/fmrd/dir/mail.log", 0));
	assert_int_equal(errno, ENOENT);
	dir_remove(&d);
}

/* input_wait: 0 after the timeout when nothing happens, 1 soon after an
 * append, a rename or a creation. */
static void
check_wait(int polling)
{
	struct timespec t0, t1;
	struct input *in;
	struct dir d;
	long ms;
	int fd;

	if (polling)
		setenv(INPUT_FOLLOW_POLL_ENV, "1", 1);
	else
		unsetenv(INPUT_FOLLOW_POLL_ENV);
	dir_make(&d);
	in = input_open_follow(d.path, 0);
	assert_non_null(in);
	expect(in, NULL, 0);
	assert_int_equal(input_wait(in, 30), 0);
	fd = create(d.path);
	assert_int_equal(input_wait(in, 5000), 1);
	expect(in, NULL, 0);
	assert_int_equal(input_wait(in, 30), 0);
	if (fork() == 0) {
		usleep(100000);
		put(fd, "late\n");
		input_close(in);
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(input_wait(in, 5000), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wait(NULL);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 50);
	assert_true(ms < 2000);
	expect(in, "late", 0);
	assert_int_equal(rename(d.path, d.old), 0);
	close(fd);
	fd = create(d.path);
	assert_int_equal(input_wait(in, 5000), 1);
	put(fd, "new\n");
	expect(in, "new", 0);
	close(fd);
	input_close(in);
	dir_remove(&d);
	unsetenv(INPUT_FOLLOW_POLL_ENV);
}

static void
test_follow_wait(void **state)
{
	(void)state;
	check_wait(0);
	check_wait(1);
}

/* --- stress: a writer rotating under the reader ----------------------------- */

/* Add every samples/.../mail.log under dir (sorted), normalised to what
 * the reader returns: no CR before a newline, a newline at the end. */
static void
load_samples(const char *dir, struct strbuf *sb, int depth)
{
	struct dirent **names;
	char path[1024];
	struct stat st;
	int i, n;
	FILE *fp;
	char line[8192];
	size_t len;

	if (depth > 3 || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			load_samples(path, sb, depth + 1);
		} else if (strcmp(names[i]->d_name, "mail.log") == 0 && (fp = fopen(path, "r"))) {
			while (fgets(line, sizeof(line), fp) != NULL) {
				len = strcspn(line, "\r\n");
				if (line[len] == '\0' && len == sizeof(line) - 1)
					continue;	/* longer than line[]: not used */
				if (memchr(line, '\0', len) != NULL)
					continue;
				sb_add(sb, line, len);
				sb_addc(sb, '\n');
			}
			fclose(fp);
		}
next:
		free(names[i]);
	}
	free(names);
}

static void
samples(struct strbuf *sb)
{
	const char *src = getenv("FMRD_SRCDIR");
	char dir[1024];
	struct stat st;

	if (src != NULL && *src != '\0')
		snprintf(dir, sizeof(dir), "%s/samples", src);
	else if (stat("../samples", &st) == 0)
		snprintf(dir, sizeof(dir), "../samples");
	else
		snprintf(dir, sizeof(dir), "samples");
	load_samples(dir, sb, 0);
}

struct shared {
	long long consumed;	/* bytes of lines the reader has (with newlines) */
};

static long long
consumed(struct shared *sh)
{
	return __atomic_load_n(&sh->consumed, __ATOMIC_ACQUIRE);
}

/* Writer: wait until the reader has more than min bytes (or at least
 * min with exact); gives up after STRESS_SECS. */
static void
writer_await(struct shared *sh, long long min, int exact)
{
	int i;

	for (i = 0; i < STRESS_SECS * 1000; i++) {
		if (exact ? consumed(sh) >= min : consumed(sh) > min)
			return;
		usleep(1000);
	}
	_exit(3);
}

static void
writer_put(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0)
			_exit(4);
		p += w;
		n -= (size_t)w;
	}
}

/* logrotate's copy of copytruncate */
static void
writer_copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t r;

	if (in < 0 || out < 0)
		_exit(5);
	while ((r = read(in, buf, sizeof(buf))) > 0)
		writer_put(out, buf, (size_t)r);
	close(in);
	close(out);
}

/* Length of the next piece: random, up to the next newline at a rotation
 * point. */
static size_t
writer_chunk(const struct strbuf *data, size_t off, int at_rotation)
{
	const char *nl;
	size_t n = 1 + (size_t)rand() % 3000;

	if (at_rotation) {
		nl = memchr(data->s + off, '\n', data->len - off);
		return (size_t)(nl - (data->s + off)) + 1;
	}
	return n < data->len - off ? n : data->len - off;
}

static void
writer_rotate(const struct dir *d, int *fd, int kind, struct shared *sh, long long written,
	      long long cur_start, const struct strbuf *data, size_t *off)
{
	size_t n;

	writer_await(sh, cur_start, 0);	/* the reader is in the current file */
	switch (kind) {
	case 0:		/* rename and create; a little more to the old file first */
		if (rename(d->path, d->old) < 0)
			_exit(6);
		n = writer_chunk(data, *off, 1);
		writer_put(*fd, data->s + *off, n);
		*off += n;
		close(*fd);
		usleep((useconds_t)(rand() % 5000));
		*fd = open(d->path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		break;
	case 1:		/* copytruncate: everything written must have been read */
		writer_await(sh, written, 1);
		writer_copy(d->path, d->old);
		if (ftruncate(*fd, 0) < 0)
			_exit(7);
		break;
	default:	/* delete, write to the deleted file, create after a while */
		if (unlink(d->path) < 0)
			_exit(8);
		n = writer_chunk(data, *off, 1);
		writer_put(*fd, data->s + *off, n);
		*off += n;
		close(*fd);
		usleep((useconds_t)(rand() % 20000));
		*fd = open(d->path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		break;
	}
	if (*fd < 0)
		_exit(9);
}

static int
writer(const struct dir *d, const struct strbuf *data, struct shared *sh, int prefix,
       unsigned seed)
{
	size_t off = 0, n, every = data->len / (NROTATIONS + 1), next_rot = every;
	long long cur_start = 0;
	int fd, k = 0;

	srand(seed);
	if (prefix) {
		/* the rest of the line the reader started in the middle of */
		fd = open(d->path, O_WRONLY | O_APPEND);
		writer_put(fd, "ly written\n", 11);
	} else {
		usleep(100000);	/* the reader waits for the file */
		fd = open(d->path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	}
	if (fd < 0)
		_exit(2);
	while (off < data->len) {
		n = writer_chunk(data, off, off >= next_rot && k < NROTATIONS);
		writer_put(fd, data->s + off, n);
		off += n;
		if (rand() % 4 == 0)
			usleep((useconds_t)(rand() % 3000));
		if (off >= next_rot && k < NROTATIONS && off < data->len && data->s[off - 1] == '\n') {
			writer_rotate(d, &fd, k % 3, sh, (long long)off, cur_start, data, &off);
			cur_start = (long long)off;
			k++;
			next_rot = (size_t)(k + 1) * every;
		}
	}
	close(fd);
	return k == NROTATIONS ? 0 : 10;
}

static void
stress(int polling, unsigned seed)
{
	struct strbuf data, got;
	struct shared *sh;
	struct input *in;
	struct line ln;
	struct dir d;
	time_t deadline;
	int rc, status = -1, flags = 0, fd;
	pid_t pid;

	if (polling)
		setenv(INPUT_FOLLOW_POLL_ENV, "1", 1);
	else
		unsetenv(INPUT_FOLLOW_POLL_ENV);
	sb_init(&data);
	sb_init(&got);
	samples(&data);
	assert_true(data.len > 100000);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	sh->consumed = 0;
	dir_make(&d);
	if (polling) {
		/* started from the end of a file with a line being written */
		fd = create(d.path);
		put(fd, "old line\nold line being writ");
		close(fd);
	}
	in = input_open_follow(d.path, 1);
	assert_non_null(in);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the child frees what it inherited: valgrind checks it too */
		rc = writer(&d, &data, sh, polling, seed);
		input_close(in);
		sb_free(&data);
		sb_free(&got);
		_exit(rc);
	}
	deadline = time(NULL) + STRESS_SECS;
	while (got.len < data.len && time(NULL) < deadline) {
		rc = input_next(in, &ln);
		if (rc == INPUT_LINE) {
			sb_add(&got, ln.p, ln.len);
			sb_addc(&got, '\n');
			flags += ln.truncated + ln.unterminated;
			__atomic_store_n(&sh->consumed, (long long)got.len, __ATOMIC_RELEASE);
		} else if (rc == INPUT_AGAIN) {
			if (input_wait(in, 100) < 0)
				break;
		} else {
			break;
		}
	}
	if (got.len < data.len)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	input_close(in);
	unsetenv(INPUT_FOLLOW_POLL_ENV);
	dir_remove(&d);
	munmap(sh, sizeof(*sh));
	if (got.len != data.len || memcmp(got.s, data.s, data.len) != 0) {
		size_t i = 0;

		while (i < got.len && i < data.len && got.s[i] == data.s[i])
			i++;
		fprintf(stderr, "# %s seed %u: writer status %#x; got %zu bytes, want %zu, "
			"first difference at %zu\n# got:  %.80s\n# want: %.80s\n",
			polling ? "polling" : "inotify", seed, (unsigned)status,
			got.len, data.len, i, got.s + (i < got.len ? i : got.len),
			data.s + (i < data.len ? i : data.len));
	}
	assert_int_equal(got.len, data.len);
	assert_true(memcmp(got.s, data.s, data.len) == 0);
	assert_int_equal(flags, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sb_free(&data);
	sb_free(&got);
}

static void
test_stress_inotify(void **state)
{
	(void)state;
	stress(0, 12345);
}

static void
test_stress_polling(void **state)
{
	(void)state;
	stress(1, 54321);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow_steps),
		cmocka_unit_test(test_follow_from_end),
		cmocka_unit_test(test_follow_long_line),
		cmocka_unit_test(test_follow_errors),
		cmocka_unit_test(test_follow_wait),
		cmocka_unit_test(test_stress_inotify),
		cmocka_unit_test(test_stress_polling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
