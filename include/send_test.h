/*
 * send_test.h - fmrelay-doctor send-test: submit a short test message
 * through the local Postfix (sendmail -t, as an admin would with mail(1)),
 * learn its queue ID from the log, follow the log (file or journal) until
 * the message is delivered, deferred or bounced, and report that
 * message's story and diagnosis. Nothing else is sent.
 */
#ifndef FMRD_SEND_TEST_H
#define FMRD_SEND_TEST_H

#include "catalog.h"
#include "pfconf.h"
#include "sources.h"

/* Exit statuses of its own (sysexits.h); 0, 1, 64, 66 and 70 as usual. */
#define SEND_TEST_EXIT_SENDMAIL 69	/* EX_UNAVAILABLE: sendmail missing, failed or
					 * refused the message (its words on stderr) */
#define SEND_TEST_EXIT_TIMEOUT 75	/* EX_TEMPFAIL: no end within the timeout */

struct send_test_opts {
	const char *to;		/* --to: the recipient (required) */
	const char *from;	/* --from: the sender, or NULL (Postfix's default) */
	long timeout_s;		/* how long to wait for the message's end */
	int json;		/* --json: the JSON report instead of text */
};

/* Run it: cf is the configuration of the Postfix to submit to (its
 * sendmail_path, config directory: sendmail gets -C DIR unless it is
 * /etc/postfix; myhostname for the Message-ID), req the log to follow
 * (as for a log run; at most one LOGFILE, no window, no rotations, no
 * --root). The log is opened at its end before the message is
 * submitted; the report (text, or the JSON document with --json) is
 * that of --queue-id QID, and one verdict line goes to stderr (with a
 * progress line while waiting when stderr is a terminal). Returns the
 * exit status: 0 delivered, 1 deferred, bounced, expired, held,
 * rejected or discarded, 64 bad addresses or options, 66 the log cannot
 * be opened or read, 69 (SEND_TEST_EXIT_SENDMAIL), 70 internal error
 * (fork, pipe), 75 (SEND_TEST_EXIT_TIMEOUT) no end within the timeout
 * or interrupted. */
int send_test_main(const struct send_test_opts *o, struct pfconf *cf, struct catalog *cat,
		   struct source_req *req);

#endif
