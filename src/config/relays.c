/*
 * relays.c - (being written) the next hops of relays.h
 */
#include <stdlib.h>
#include <string.h>

#include "relays.h"

void
relays_collect(struct pfconf *cf, struct relay_list *out)
{
	(void)cf;
	memset(out, 0, sizeof(*out));
}

void
relays_free(struct relay_list *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

size_t
relays_sasl_keys(const struct relay *r, const char **keys, size_t max)
{
	(void)r;
	(void)keys;
	(void)max;
	return 0;
}

const char *
relays_from_name(enum relay_from f)
{
	static const char *const names[] = {
		"relayhost", "transport_maps", "sender_dependent_relayhost_maps",
		"smtp_fallback_relay"
	};

	return (unsigned)f < 4 ? names[f] : "?";
}
