/*
 * fuzz_sasl_passwd.c - libFuzzer target: the SASL password map reader
 * in pfconf.c. A fixed main.cf names hash:/etc/postfix/sasl_passwd (read
 * from the configuration directory) and relayhost; the input is that
 * sasl_passwd. Then the relayhost key is looked up and the input itself,
 * with the passwords now registered, goes through textsafe's JSON and
 * terminal cleaning (redaction of hostile secrets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfconf.h"
#include "textsafe.h"
#include "fuzz_common.h"

static const char main_cf[] =
	"relayhost = [smtp.fastmail.com]:587\n"
	"smtp_sasl_auth_enable = yes\n"
	"smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
	"smtp_sasl_security_options = noanonymous\n";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4200];

	(void)argc;
	(void)argv;
	fuzz_write("main.cf", main_cf, sizeof(main_cf) - 1, path, sizeof(path));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfconf cf;
	struct strbuf out;
	char path[4200];
	size_t i;

	fuzz_write("sasl_passwd", data, size, path, sizeof(path));
	if (pfconf_load(&cf, fuzz_tmpdir()) < 0)
		abort();
	if (cf.sasl_file == NULL)
		abort();	/* the map was just written */
	(void)pfconf_sasl_key_found(&cf);
	sb_init(&out);
	for (i = 0; i < cf.nsasl; i++) {
		sb_reset(&out);
		ts_text_clean(&out, cf.sasl[i].where.text, strlen(cf.sasl[i].where.text));
	}
	sb_reset(&out);
	(void)ts_json_clean(&out, (const char *)data, size);
	sb_reset(&out);
	ts_text_clean(&out, (const char *)data, size);
	(void)ts_plain_ascii((const char *)data, size);
	sb_free(&out);
	pfconf_free(&cf);
	ts_secrets_clear();
	return 0;
}
