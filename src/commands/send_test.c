/*
 * send_test.c - fmrelay-doctor send-test (send_test.h).
 */
#include <stdio.h>

#include "send_test.h"
#include "util.h"

int
send_test_main(const struct send_test_opts *o, struct pfconf *cf, struct catalog *cat,
	       struct source_req *req)
{
	(void)o;
	(void)cf;
	(void)cat;
	(void)req;
	msg_warn("send-test: not built yet");
	return FMRD_EXIT_SOFTWARE;
}
