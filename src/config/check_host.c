/*
 * check_host.c - (being written) chroot copies, sender identity, routing, parameter names
 */
#include "check.h"

void
check_chroot_files(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_sender(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_routing(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_params(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

