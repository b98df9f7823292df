/*
 * observe.c - make an observation (observe.h): its text, cut to size and
 * free of control characters, with its evidence, handed to the consumer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "observe.h"

void
obs_emit(struct obs_out *out, enum obs_kind kind, const char *check, const char *host,
	 const struct obs_ev *ev, size_t nev, const char *fmt, ...)
{
	struct observation o;
	va_list ap;
	char *p;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.check = check;
	o.host = host;
	va_start(ap, fmt);
	vsnprintf(o.text, sizeof(o.text), fmt, ap);
	va_end(ap);
	for (p = o.text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (nev > OBS_MAX_EV)
		nev = OBS_MAX_EV;
	if (nev > 0)
		memcpy(o.ev, ev, nev * sizeof(*ev));
	o.nev = nev;
	out->count++;
	if (out->fn != NULL)
		out->fn(out->ctx, &o);
}

const char *
obs_kind_name(enum obs_kind kind)
{
	static const char *const names[] = { "config", "cert", "probe" };

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
