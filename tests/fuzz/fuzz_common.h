/*
 * fuzz_common.h - helpers shared by the libFuzzer targets in tests/fuzz:
 * a private temporary directory (created once, removed at exit) for the
 * targets that read files, and writing an input into it. Targets must
 * free everything they allocate per input: AddressSanitizer's leak check
 * is on while fuzzing.
 */
#ifndef FMRD_FUZZ_COMMON_H
#define FMRD_FUZZ_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_dir[4096] __attribute__((unused));

static __attribute__((unused)) void
fuzz_cleanup(void)
{
	char path[4200];
	struct dirent *de;
	DIR *d;

	if (fuzz_dir[0] == '\0' || (d = opendir(fuzz_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(fuzz_dir);
}

/* The private directory, created on first use. */
static __attribute__((unused)) const char *
fuzz_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fmrd-fuzz.XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		fprintf(stderr, "fuzz: mkdtemp %s: %s\n", fuzz_dir, strerror(errno));
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_dir;
}

/* Write data to NAME in the private directory; path gets its full name. */
static __attribute__((unused)) void
fuzz_write(const char *name, const void *data, size_t size, char *path, size_t psize)
{
	const char *p = data;
	ssize_t n;
	int fd;

	snprintf(path, psize, "%s/%s", fuzz_tmpdir(), name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		abort();
	}
	while (size > 0) {
		if ((n = write(fd, p, size)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
}

#endif
