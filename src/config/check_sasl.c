/*
 * check_sasl.c - (being written) password map and SASL settings
 */
#include "check.h"

void
check_sasl_map(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

void
check_sasl_settings(struct pfconf *cf, struct obs_out *out)
{
	(void)cf;
	(void)out;
}

