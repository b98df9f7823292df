/*
 * send_test_int.h - the pure parts of send-test (send_test_msg.c), shared
 * by send_test.c and the unit tests: which addresses may be used, the
 * argument vector of Postfix's sendmail, the Message-ID and the text of
 * the test message, and what a log record says about the message. No I/O.
 */
#ifndef FMRD_SEND_TEST_INT_H
#define FMRD_SEND_TEST_INT_H

#include <stdint.h>
#include <time.h>

#include "record.h"
#include "util.h"

#define ST_MSGID_MAX 256	/* a Message-ID with its angle brackets */
#define ST_ARGV_MAX 8		/* sendmail -t -i -C DIR -f ADDR NULL */
#define ST_HOST_MAX 200		/* host name in the Message-ID, at most */

/* Can ADDR be the To: or From: of the test message (one address, no
 * white space, no list or comment syntax, no control characters, not an
 * option)? NULL if so, else the reason. */
const char *st_addr_problem(const char *addr);

/* Is DIR Postfix's default configuration directory (/etc/postfix, any
 * number of trailing slashes)? Then sendmail gets no -C. */
int st_default_confdir(const char *dir);

/* The argument vector: SENDMAIL -t -i [-C CONFDIR] [-f FROM], with -C
 * only when confdir is not the default (NULL: none) and -f only with a
 * sender; argv (ST_ARGV_MAX entries) ends with NULL. Returns argc. */
int st_sendmail_argv(const char *sendmail, const char *confdir, const char *from,
		     const char *argv[ST_ARGV_MAX]);

/* "<fmrd-test.EPOCH.PID.RND@HOST>", RND as 8 hex digits, HOST reduced to
 * the characters of a host name (letters, digits, '-', '.'; at most
 * ST_HOST_MAX; "localhost" when nothing is left). Returns 0, or -1 when
 * it does not fit in size. */
int st_message_id(char *buf, size_t size, int64_t epoch, long pid, uint32_t rnd,
		  const char *host);

struct st_message {
	const char *to;		/* checked with st_addr_problem */
	const char *from;	/* or NULL: Postfix adds the From: of the user */
	const char *msgid;	/* st_message_id */
	const char *host;	/* named in the body */
	const char *generator;	/* "fmrelay-doctor 0.1.0" (X-Mailer) */
	time_t when;		/* Date:, Subject: in local time */
};

/* The message as sendmail -t reads it: header lines, an empty line, a
 * short body; every line ends with "\n", none is longer than 998. */
void st_message_text(struct strbuf *out, const struct st_message *m);

/* What a record of the test message says (st_classify). */
enum st_event {
	ST_EV_NONE = 0,
	ST_EV_ACTIVE,		/* qmgr: from=<...>, ... (queue active) */
	ST_EV_SENT,		/* a recipient: status=sent */
	ST_EV_DEFERRED,		/* a recipient: status=deferred */
	ST_EV_BOUNCED,		/* a recipient: status=bounced (or undeliverable) */
	ST_EV_EXPIRED,		/* qmgr: status=expired, returned to sender */
	ST_EV_HELD,		/* cleanup: hold: (header/body check) */
	ST_EV_REJECTED,		/* cleanup: reject: */
	ST_EV_DISCARDED,	/* cleanup: discard: */
	ST_EV_REMOVED,		/* qmgr: removed */
	ST_EV_COUNT
};

/* Does this event end the wait at once, before the message is removed
 * (a deferral the admin wants to hear of now, a message held or thrown
 * away by cleanup)? */
int st_event_final(enum st_event ev);

/* Is TEXT (a record's text after the queue ID) "message-id=MSGID",
 * exactly? */
int st_msgid_line(struct span text, const char *msgid);

/* What the text of a record of program prog with the test message's
 * queue ID says. */
enum st_event st_classify(enum prog_id prog, struct span text);

#endif
