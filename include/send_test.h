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

struct send_test_opts {
	const char *to;		/* --to: the recipient (required) */
	const char *from;	/* --from: the sender, or NULL (Postfix's default) */
	long timeout_s;		/* how long to wait for the message's end */
	int json;		/* --json: the JSON report instead of text */
};

/* Run it: cf is the configuration of the Postfix to submit to (its
 * sendmail_path, config directory), req the log to follow (as for a log
 * run, follow set). Returns the exit status: 0 delivered, 1 deferred or
 * bounced, 75 (EX_TEMPFAIL) when the message's end did not come in time,
 * 66/70 when the log or sendmail cannot be used. */
int send_test_main(const struct send_test_opts *o, struct pfconf *cf, struct catalog *cat,
		   struct source_req *req);

#endif
