/*
 * check_tls.c - (being written) TLS policy, CA trust, client certificate
 */
#include "check.h"

void
check_tls_policy(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_ca(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_client_cert(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

