/*
 * send_test.c - fmrelay-doctor send-test (send_test.h): open the log to
 * follow from its end, submit one test message with Postfix's sendmail
 * (fork/exec, the message on its standard input, never a shell), learn
 * its queue ID from cleanup's "message-id=" line, follow it through the
 * usual pipeline until it is removed from the queue or deferred (or put
 * on hold, rejected, discarded), or time is up, and report it as
 * "--queue-id QID" would. Owns the watch on the message (a sink that
 * sees every record and every finished message), the stop predicate of
 * the run, the progress line and the verdict. Pure helpers are in
 * send_test_msg.c (send_test_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"
#include "report.h"
#include "run.h"
#include "send_test.h"
#include "send_test_int.h"
#include "textsafe.h"

#define ST_DEFAULT_SENDMAIL "/usr/sbin/sendmail"
#define ST_OUTPUT_MAX 2048	/* bytes of sendmail's output kept for the error */
#define ST_QID_MAX 64

/* The test message, as the watch sees it. */
struct st_watch {
	struct pipeline *pl;
	char msgid[ST_MSGID_MAX];
	char qid[ST_QID_MAX];	/* "" until cleanup named it: report_msg_wanted
				 * then wants no message at all */
	const char *logname;
	int64_t t0, deadline;	/* monotonic ms: submitted, give up */
	int64_t t_qid, t_end;	/* queue ID learned, wait ended */
	int64_t t_shown;	/* progress line last written */
	enum st_event last;	/* latest event of the message */
	enum st_event final;	/* the event that ended the wait early, or NONE */
	unsigned nsent;		/* recipients delivered */
	int ended;		/* the message was handed to the report */
	int timed_out;
	enum dstatus outcome;	/* when ended */
	char reason[400];	/* first recipient not delivered: its reason */
	char relay[200];	/* ... or the first one's relay */
	int progress;		/* stderr is a terminal */
	int shown;		/* a progress line is on it */
};

static int64_t
st_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
st_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* --- the watch: a sink ---------------------------------------------------- */

static void
st_sink_record(struct report *r, const struct pf_record *rec, const struct evref *ev)
{
	struct st_watch *w = r->priv;
	enum st_event e;

	(void)ev;
	if (rec->qid_kind != QID_SHORT && rec->qid_kind != QID_LONG)
		return;
	if (w->qid[0] == '\0') {
		/* before the correlator sees the line, so the story is kept */
		if (rec->qid.len < sizeof(w->qid) && st_msgid_line(rec->text, w->msgid)) {
			memcpy(w->qid, rec->qid.p, rec->qid.len);
			w->qid[rec->qid.len] = '\0';
			w->t_qid = st_now_ms();
			corr_track(&w->pl->corr, w->qid);
		}
		return;
	}
	if (!span_eq(rec->qid, w->qid) || (e = st_classify(rec->prog, rec->text)) == ST_EV_NONE)
		return;
	w->last = e;
	if (e == ST_EV_SENT)
		w->nsent++;
	if (st_event_final(e) && w->final == ST_EV_NONE)
		w->final = e;
}

static void
st_sink_message(struct report *r, const struct corr_msg *m)
{
	struct st_watch *w = r->priv;
	uint32_t i;

	if (w->qid[0] == '\0' || strcmp(corr_str(m, m->qid), w->qid) != 0 || w->ended)
		return;
	w->ended = 1;
	w->outcome = corr_msg_outcome(m);
	for (i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].status != DS_SENT) {
			st_copy(w->reason, sizeof(w->reason), corr_str(m, m->rcpt[i].reason));
			st_copy(w->relay, sizeof(w->relay), corr_str(m, m->rcpt[i].relay));
			return;
		}
	if (m->nrcpt > 0)
		st_copy(w->relay, sizeof(w->relay), corr_str(m, m->rcpt[0].relay));
}

static void
st_sink_end(struct report *r, struct diag *d, const struct corr_stats *cs,
	    const struct run_stats *rs)
{
	(void)r;
	(void)d;
	(void)cs;
	(void)rs;
}

static const struct report_ops st_sink_ops = {
	.message = st_sink_message,
	.end = st_sink_end,
	.record = st_sink_record,
};

/* --- progress and the stop predicate ------------------------------------- */

static const char *const st_phase[ST_EV_COUNT] = {
	[ST_EV_NONE] = "queued",
	[ST_EV_ACTIVE] = "in the active queue",
	[ST_EV_SENT] = "delivering",
	[ST_EV_DEFERRED] = "deferred",
	[ST_EV_BOUNCED] = "bounced",
	[ST_EV_EXPIRED] = "expired",
	[ST_EV_HELD] = "on hold",
	[ST_EV_REJECTED] = "rejected",
	[ST_EV_DISCARDED] = "discarded",
	[ST_EV_REMOVED] = "removed",
};

static void
st_progress_clear(struct st_watch *w)
{
	if (w->shown)
		fputs("\r\033[K", stderr);
	w->shown = 0;
}

static void
st_progress(struct st_watch *w, int64_t now)
{
	long s = (long)((now - w->t0) / 1000);

	if (!w->progress || (w->shown && now - w->t_shown < 1000))
		return;
	w->t_shown = now;
	w->shown = 1;
	if (w->qid[0] == '\0')
		fprintf(stderr, "\r\033[Kwaiting for the test message in %s: %ld s ...", w->logname, s);
	else
		fprintf(stderr, "\r\033[Kwaiting for %s: %s %ld s ...", w->qid, st_phase[w->last], s);
	fflush(stderr);
}

static int
st_stop(void *ctx)
{
	struct st_watch *w = ctx;
	int64_t now = st_now_ms();

	if (w->ended || w->final != ST_EV_NONE || run_interrupted()) {
		w->t_end = now;
		return 1;
	}
	if (now >= w->deadline) {
		w->timed_out = 1;
		w->t_end = now;
		return 1;
	}
	st_progress(w, now);
	return 0;
}

/* --- sendmail ------------------------------------------------------------- */

/* Run argv with msg on its standard input; its standard output and error
 * (the first ST_OUTPUT_MAX bytes) into out. Returns its wait status, -2
 * when it did not finish by deadline (killed), -1 when it could not be
 * started (errno). */
static int
st_sendmail_run(const char *const argv[], const struct strbuf *msg, int64_t deadline,
		struct strbuf *out)
{
	int in[2], op[2], status = 0, fd;
	size_t off = 0;
	ssize_t n;
	pid_t pid;
	char buf[512];
	struct pollfd pfd;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(op, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		int e = errno;

		close(in[0]);
		close(in[1]);
		close(op[0]);
		close(op[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		/* ignored signals stay ignored across exec: not SIGPIPE */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(op[1], 1) < 0 || dup2(op[1], 2) < 0)
			_exit(127);
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	while (off < msg->len) {
		n = write(in[1], msg->s + off, msg->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EPIPE: it did not read; its status says why */
		off += (size_t)n;
	}
	close(in[1]);
	pfd.fd = op[0];
	pfd.events = POLLIN;
	for (;;) {
		int64_t left = deadline - st_now_ms();
		int r;

		if (left <= 0)
			break;
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		n = read(op[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len < ST_OUTPUT_MAX)
			sb_add(out, buf, out->len + (size_t)n > ST_OUTPUT_MAX
			       ? ST_OUTPUT_MAX - out->len : (size_t)n);
	}
	close(op[0]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (st_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		usleep(20000);
	}
	return status;
}

/* Submit the message; returns 0, or the exit status after saying why. */
static int
st_submit(const char *sendmail, const char *const argv[], const struct strbuf *msg,
	  int64_t deadline, long timeout_s)
{
	struct strbuf out, clean;
	int st;

	if (access(sendmail, X_OK) != 0) {
		msg_warn("send-test: cannot run sendmail_path %s: %s (is Postfix installed?)",
			 sendmail, strerror(errno));
		return SEND_TEST_EXIT_SENDMAIL;
	}
	sb_init(&out);
	sb_init(&clean);
	st = st_sendmail_run(argv, msg, deadline, &out);
	while (out.len > 0 && (out.s[out.len - 1] == '\n' || out.s[out.len - 1] == '\r'))
		out.s[--out.len] = '\0';
	if (out.len > 0)
		ts_text_clean(&clean, out.s, out.len);
	if (st == -1) {
		msg_warn("send-test: cannot start %s: %s", sendmail, strerror(errno));
		st = FMRD_EXIT_SOFTWARE;
	} else if (st == -2) {
		msg_warn("send-test: %s did not finish within %ld s (killed)%s%s", sendmail,
			 timeout_s, clean.len ? ": " : "", clean.len ? clean.s : "");
		st = SEND_TEST_EXIT_SENDMAIL;
	} else if (WIFSIGNALED(st)) {
		msg_warn("send-test: %s was killed by signal %d%s%s", sendmail, WTERMSIG(st),
			 clean.len ? ": " : "", clean.len ? clean.s : "");
		st = SEND_TEST_EXIT_SENDMAIL;
	} else if (WEXITSTATUS(st) != 0) {
		msg_warn("send-test: %s refused the test message (exit status %d)%s%s", sendmail,
			 WEXITSTATUS(st), clean.len ? ": " : "", clean.len ? clean.s : "");
		st = SEND_TEST_EXIT_SENDMAIL;
	} else {
		st = 0;
	}
	sb_free(&out);
	sb_free(&clean);
	return st;
}

/* --- the run -------------------------------------------------------------- */

/* What send-test cannot be combined with. */
static int
st_check_request(const struct send_test_opts *o, const struct source_req *req)
{
	const char *why;

	if ((why = st_addr_problem(o->to)) != NULL) {
		msg_warn("send-test: --to \"%s\" %s", o->to, why);
		return FMRD_EXIT_USAGE;
	}
	if (o->from != NULL && (why = st_addr_problem(o->from)) != NULL) {
		msg_warn("send-test: --from \"%s\" %s", o->from, why);
		return FMRD_EXIT_USAGE;
	}
	if (req->nfiles > 1 || (req->nfiles == 1 && strcmp(req->files[0], "-") == 0)) {
		msg_warn("send-test: one LOGFILE at most, a file to follow (not standard input)");
		return FMRD_EXIT_USAGE;
	}
	if (req->rotated || req->last > 0 || timewin_active(&req->win) || req->root != NULL) {
		msg_warn("send-test: it follows the log from its end: no --rotated, --since, "
			 "--until, --last or --root");
		return FMRD_EXIT_USAGE;
	}
	/* following would wait for a missing file to appear (tail -F); a
	 * test mail is no time to wait for a mistyped name */
	if (req->nfiles == 1 && access(req->files[0], R_OK) != 0) {
		msg_warn("send-test: cannot open %s: %s", req->files[0], strerror(errno));
		return FMRD_EXIT_NOINPUT;
	}
	return 0;
}

static uint32_t
st_random(void)
{
	uint32_t r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
}

static const char *
st_myhostname(const struct pfconf *cf, char *buf, size_t size)
{
	const char *h = cf != NULL && cf->loaded ? pfconf_get(cf, "myhostname", NULL) : NULL;

	if (h != NULL && *h != '\0')
		return h;
	if (gethostname(buf, size) != 0)
		return "localhost";
	buf[size - 1] = '\0';
	return buf;
}

/* The verdict on stderr; returns the exit status. */
static int
st_verdict(const struct st_watch *w)
{
	struct strbuf why;
	double secs = (double)(w->t_end - w->t0) / 1000.0;
	int rc = FMRD_EXIT_PROBLEMS;

	sb_init(&why);
	if (w->reason[0] != '\0') {
		sb_adds(&why, " (");
		ts_text_clean(&why, w->reason, strlen(w->reason));
		sb_adds(&why, ")");
	}
	if (w->qid[0] == '\0') {
		msg_warn("no log line of the test message %s after %.0f s in %s: is Postfix "
			 "running (postfix status), and does it log there?", w->msgid, secs,
			 w->logname);
		rc = SEND_TEST_EXIT_TIMEOUT;
	} else if (w->final == ST_EV_DEFERRED) {
		msg_info("%s: deferred after %.1f s%s; Postfix will retry it (postqueue -p lists it, "
			 "postqueue -f retries now)", w->qid, secs, why.s);
	} else if (w->final == ST_EV_HELD) {
		msg_info("%s: put on hold by a header or body check after %.1f s (postsuper -H %s "
			 "releases it)", w->qid, secs, w->qid);
	} else if (w->final == ST_EV_REJECTED || w->final == ST_EV_DISCARDED) {
		msg_info("%s: %s by cleanup (a header or body check or a milter)", w->qid,
			 w->final == ST_EV_REJECTED ? "rejected" : "discarded");
	} else if (!w->ended || w->timed_out || run_interrupted()) {
		msg_warn("no final status for %s after %.0f s%s: still in the queue (postqueue -p)",
			 w->qid, secs, run_interrupted() ? " (interrupted)" : "");
		rc = SEND_TEST_EXIT_TIMEOUT;
	} else if (w->outcome == DS_SENT) {
		msg_info("%s: delivered after %.1f s%s%s", w->qid, secs,
			 w->relay[0] ? " via " : "", w->relay);
		rc = FMRD_EXIT_OK;
	} else if (w->outcome == DS_BOUNCED) {
		msg_info("%s: bounced after %.1f s%s; the sender gets a non-delivery notification",
			 w->qid, secs, why.s);
	} else if (w->outcome == DS_EXPIRED) {
		msg_info("%s: expired (returned to the sender)", w->qid);
	} else {
		msg_info("%s: removed from the queue without a delivery (%s)", w->qid,
			 dstatus_name(w->outcome));
	}
	sb_free(&why);
	return rc;
}

int
send_test_main(const struct send_test_opts *o, struct pfconf *cf, struct catalog *cat,
	       struct source_req *req)
{
	const struct pfconf *lcf = cf != NULL && cf->loaded ? cf : NULL;
	const char *sendmail = lcf != NULL ? pfconf_get(lcf, "sendmail_path", NULL) : NULL;
	const char *argv[ST_ARGV_MAX];
	char hostbuf[256];
	struct st_watch w;
	struct source_set set;
	struct run_info info;
	struct pipeline pl;
	struct strbuf err, msg;
	struct st_message m;
	struct report *rep, *watch;
	int rc, color;

	if ((rc = st_check_request(o, req)) != 0)
		return rc;
	if (sendmail == NULL || *sendmail == '\0')
		sendmail = ST_DEFAULT_SENDMAIL;
	memset(&w, 0, sizeof(w));
	m.host = st_myhostname(lcf, hostbuf, sizeof(hostbuf));
	m.when = time(NULL);
	if (st_message_id(w.msgid, sizeof(w.msgid), (int64_t)m.when, (long)getpid(), st_random(),
			  m.host) < 0)
		msg_fatal(FMRD_EXIT_SOFTWARE, "send-test: Message-ID too long");
	m.to = o->to;
	m.from = o->from;
	m.msgid = w.msgid;
	m.generator = PACKAGE_STRING;
	sb_init(&msg);
	st_message_text(&msg, &m);
	st_sendmail_argv(sendmail, lcf != NULL ? lcf->dir : NULL, o->from, argv);

	/* the log first, at its end: only what follows the submission counts */
	req->follow = 1;
	sb_init(&err);
	if ((rc = sources_open(req, &set, &err)) != 0) {
		msg_warn("send-test: %s", err.s);
		sb_free(&err);
		sb_free(&msg);
		return rc;
	}
	sb_free(&err);
	if (set.auto_journal)
		msg_info("no mail log file found: following the Postfix entries of the system journal");
	w.logname = set.n > 0 ? set.names[set.n - 1] : "the log";
	w.progress = isatty(STDERR_FILENO);

	memset(&info, 0, sizeof(info));
	info.sources = set.names;
	info.nsources = set.n;
	info.cf = cf;
	info.config_dir = cf != NULL ? cf->dir : NULL;
	info.queue_id = w.qid;
	info.msgs = MSGS_ALL;
	pipeline_init(&pl, cat, cf, req->fixed_year);
	color = !o->json && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	rep = o->json ? report_json_new(stdout, &info, &pl.diag)
		      : report_text_new(stdout, &info, &pl.diag, color);
	watch = xcalloc(1, sizeof(*watch));
	watch->ops = &st_sink_ops;
	watch->priv = &w;
	pipeline_add_sink(&pl, watch);
	pipeline_add_sink(&pl, rep);
	pipeline_set_window(&pl, &set.win);
	corr_track_new(&pl.corr);
	w.pl = &pl;
	pl.stop = st_stop;
	pl.stop_ctx = &w;
	run_signals();

	w.t0 = st_now_ms();
	w.deadline = w.t0 + (int64_t)o->timeout_s * 1000;
	if ((rc = st_submit(sendmail, argv, &msg, w.deadline, o->timeout_s)) != 0)
		goto out;
	if (w.progress)
		msg_info("submitted %s to %s with %s; following %s", w.msgid, o->to, sendmail,
			 w.logname);

	sinks_begin(&pl.sinks);
	if (lcf != NULL && pfconf_dir_is_host(lcf))
		pipeline_check_config(&pl, cf);
	rc = run_sources(&pl, &set);
	if (w.t_end == 0)
		w.t_end = st_now_ms();
	st_progress_clear(&w);
	pipeline_finish(&pl);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			msg_warn("write error on standard output: %s", strerror(errno));
		rc = FMRD_EXIT_SOFTWARE;
	}
	if (rc == 0)
		rc = st_verdict(&w);
out:
	sinks_free(&pl.sinks);
	pipeline_free(&pl);
	sources_free(&set);
	sb_free(&msg);
	return rc;
}
