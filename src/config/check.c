/*
 * check.c - run the configuration checks of check.h from one table, and
 * the observation a check makes when it cannot look (a file it may not
 * read): the run never fails because of one check.
 */
#include <stdio.h>

#include "check.h"

const struct check_entry check_table[] = {
	{ "params", check_params, "parameter names Postfix does not know, set twice" },
	{ "maps", check_maps, "table types Postfix cannot open (built in or dynamicmaps.cf)" },
	{ "routing", check_routing, "relayhost syntax; mail for a domain kept on this host" },
	{ "sasl_settings", check_sasl_settings,
	  "smtp_sasl_auth_enable, security options, mechanism filter, SASL plugins" },
	{ "sasl_map", check_sasl_map,
	  "password map: compiled file, keys for every next hop, entries, owner and mode" },
	{ "tls_policy", check_tls_policy,
	  "security level, wrapper mode for the relay's port, obsolete settings, policy maps" },
	{ "ca", check_ca, "CAfile and CApath as the (chrooted) smtp(8) sees them" },
	{ "client_cert", check_client_cert, "client certificate, key and chain" },
	{ "chroot_files", check_chroot_files, "the chroot's copies of resolv.conf, hosts, services, localtime" },
	{ "sender", check_sender, "sender addresses myorigin and myhostname give" },
	{ NULL, NULL, NULL }
};
const size_t check_count = sizeof(check_table) / sizeof(check_table[0]) - 1;

void
check_run(struct pfconf *cf, struct obs_out *out)
{
	size_t i;

	if (cf == NULL || !cf->loaded)
		return;
	for (i = 0; i < check_count; i++)
		check_table[i].fn(cf, out);
}

void
check_skipped(struct obs_out *out, const char *check, const char *file, const char *why)
{
	struct obs_ev ev = { file, 0, why };

	obs_emit(out, OBS_CONFIG, check, NULL, &ev, 1, "skipped: %s: cannot read %s: %s",
		 check, file, why);
}
