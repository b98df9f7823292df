/*
 * silent_listener.c - a TCP listener for tests/postfix that accepts
 * connections and never says a word: the server that stalls before its
 * greeting (the probe's greeting timeout). It listens on a loopback
 * address only, writes its PID to a file once it listens (that file is
 * how setup, run.sh and stop.sh find and stop it: lib.sh pf_silent_*),
 * reads and throws away whatever a client sends, closes each connection
 * after HOLD seconds, and exits on its own after LIFETIME seconds (or on
 * SIGTERM/SIGINT), removing its PID file.
 *
 *   silent_listener ADDRESS PORT PIDFILE LIFETIME [HOLD]
 *
 * Exit status: 0 after LIFETIME or a signal, 2 on a usage error, 1 when
 * it cannot listen.
 */
#define _GNU_SOURCE	/* accept4, SOCK_CLOEXEC */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SL_MAX_CONN 32

struct sl_conn {
	int fd;
	double until;	/* monotonic time at which it is closed */
};

static volatile sig_atomic_t sl_stop;

static void
sl_on_signal(int sig)
{
	(void)sig;
	sl_stop = 1;
}

static double
sl_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A whole number in [lo, hi], or -1. */
static long
sl_number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* Bind ADDRESS:PORT (127.0.0.0/8 or ::1 only) and listen: the socket, or -1. */
static int
sl_listen(const char *addr, long port)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	int fd, on = 1;

	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, addr, &in4.sin_addr) == 1) {
		if ((ntohl(in4.sin_addr.s_addr) >> 24) != 127) {
			fprintf(stderr, "silent_listener: %s is not a loopback address\n", addr);
			return -1;
		}
		in4.sin_family = AF_INET;
		in4.sin_port = htons((unsigned short)port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
		    || bind(fd, (struct sockaddr *)&in4, sizeof(in4)) < 0)
			goto fail;
	} else if (inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr)) {
			fprintf(stderr, "silent_listener: %s is not a loopback address\n", addr);
			return -1;
		}
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons((unsigned short)port);
		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
		    || bind(fd, (struct sockaddr *)&in6, sizeof(in6)) < 0)
			goto fail;
	} else {
		fprintf(stderr, "silent_listener: not an address: %s\n", addr);
		return -1;
	}
	if (listen(fd, 16) == 0)
		return fd;
fail:
	fprintf(stderr, "silent_listener: %s port %ld: %s\n", addr, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
sl_write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		fprintf(stderr, "silent_listener: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove the PID file if it is still ours. */
static void
sl_remove_pid(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL && strtol(buf, NULL, 10) == (long)getpid())
		unlink(path);
	fclose(f);
}

int
main(int argc, char **argv)
{
	struct sl_conn conn[SL_MAX_CONN];
	struct pollfd pfd[SL_MAX_CONN + 1];
	struct sigaction sa;
	size_t n = 0, i, np;
	long port, lifetime, hold = 30;
	double end, wake, now;
	char sink[4096];
	int lfd, fd, ms;

	if (argc < 5 || argc > 6 || (port = sl_number(argv[2], 1, 65535)) < 0
	    || (lifetime = sl_number(argv[4], 1, 86400)) < 0
	    || (argc == 6 && (hold = sl_number(argv[5], 1, 86400)) < 0)) {
		fprintf(stderr, "usage: silent_listener ADDRESS PORT PIDFILE LIFETIME [HOLD]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sl_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if ((lfd = sl_listen(argv[1], port)) < 0)
		return 1;
	if (sl_write_pid(argv[3]) < 0) {
		close(lfd);
		return 1;
	}
	end = sl_now() + (double)lifetime;
	while (!sl_stop && (now = sl_now()) < end) {
		wake = end;
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			pfd[i + 1].fd = conn[i].fd;
			pfd[i + 1].events = POLLIN;
			if (conn[i].until < wake)
				wake = conn[i].until;
		}
		np = n + 1;
		ms = (int)((wake - now) * 1000.0) + 1;
		if (poll(pfd, np, ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		now = sl_now();
		/* clients: drain what they send, close on EOF or when held long enough */
		for (i = n; i-- > 0;) {
			int gone = conn[i].until <= now;

			if (!gone && (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
				ssize_t r = read(conn[i].fd, sink, sizeof(sink));

				gone = r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN);
			}
			if (gone) {
				close(conn[i].fd);
				conn[i] = conn[--n];
			}
		}
		if ((pfd[0].revents & POLLIN) != 0
		    && (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (n < SL_MAX_CONN) {
				conn[n].fd = fd;
				conn[n].until = now + (double)hold;
				n++;
			} else {
				close(fd);	/* full: the newcomer is dropped */
			}
		}
	}
	for (i = 0; i < n; i++)
		close(conn[i].fd);
	close(lfd);
	sl_remove_pid(argv[3]);
	return 0;
}
