/*
 * fuzz_pfconf.c - libFuzzer target: the main.cf / master.cf reader. The
 * input is written as main.cf, master.cf and sasl_passwd into a private
 * temporary directory and read with pfconf_load; then every parameter
 * is expanded, every service's chroot resolved, the relayhost key looked
 * up, and the evidence lines passed through textsafe (which now knows the
 * passwords found). Linked with -Wl,--wrap=fopen: while an input runs,
 * files outside the temporary directory cannot be opened, so a map named
 * in the input never reads the host's files (only /dev/, which must not
 * hang the reader: regress/pfconf/map-dev-zero).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfconf.h"
#include "textsafe.h"
#include "fuzz_common.h"

FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

static int fuzz_guard;

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	size_t n = strlen(fuzz_dir);

	if (fuzz_guard && (strstr(path, "/..") != NULL
			   || !((n > 0 && strncmp(path, fuzz_dir, n) == 0 && path[n] == '/')
				|| strncmp(path, "/dev/", 5) == 0))) {
		errno = EACCES;
		return NULL;
	}
	return __real_fopen(path, mode);
}

static const char *const names[] = {
	"compatibility_level", "queue_directory", "relayhost", "smtp_tls_security_level",
	"smtp_tls_wrappermode", "smtp_tls_CAfile", "smtp_tls_CApath",
	"smtp_sasl_password_maps", "smtp_sasl_tls_security_options", "mydestination",
	"maillog_file", "myhostname", "no_such_parameter",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfconf cf;
	const struct cf_where *w;
	struct strbuf out;
	char path[4200];
	size_t i;

	fuzz_write("main.cf", data, size, path, sizeof(path));
	fuzz_write("master.cf", data, size, path, sizeof(path));
	fuzz_write("sasl_passwd", data, size, path, sizeof(path));
	fuzz_guard = 1;
	if (pfconf_load(&cf, fuzz_tmpdir()) < 0)
		abort();	/* main.cf was just written */
	fuzz_guard = 0;
	sb_init(&out);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)pfconf_true(pfconf_get(&cf, names[i], &w));
	for (i = 0; i < cf.nparams; i++)
		(void)pfconf_get(&cf, cf.params[i].name, &w);
	for (i = 0; i < cf.nservices; i++)
		(void)pfconf_service_chroot(&cf, cf.services[i].name, &w);
	(void)pfconf_service_chroot(&cf, "smtp", NULL);
	(void)pfconf_sasl_key_found(&cf);
	for (i = 0; i < cf.nlines; i++) {
		sb_reset(&out);
		(void)ts_json_clean(&out, cf.lines[i], strlen(cf.lines[i]));
		sb_reset(&out);
		ts_text_clean(&out, cf.lines[i], strlen(cf.lines[i]));
	}
	sb_free(&out);
	pfconf_free(&cf);
	ts_secrets_clear();
	return 0;
}
