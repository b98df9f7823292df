/*
 * fuzz_record.c - libFuzzer target: the Postfix record parser
 * (record_parse) on the text after the syslog host, plus the queue ID,
 * program and delivery status classifiers. Checks that every field lies
 * inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "fuzz_common.h"

static void
check_inside(struct span s, const char *p, size_t len)
{
	if (s.len > 0 && (s.p < p || s.p + s.len > p + len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);	/* exact size: ASan sees over-reads */
	struct span rest;
	struct pf_record r;

	memcpy(text, data, size);
	rest.p = text;
	rest.len = size;
	memset(&r, 0, sizeof(r));
	if (record_parse(rest, &r)) {
		check_inside(r.ident, text, size);
		check_inside(r.instance, text, size);
		check_inside(r.service, text, size);
		check_inside(r.program, text, size);
		check_inside(r.qid, text, size);
		check_inside(r.text, text, size);
		if (r.prog >= PROG_COUNT || r.severity > SEV_PANIC || r.qid_kind > QID_NOQUEUE)
			abort();
		if (r.qid_kind != QID_NONE && qid_classify(r.qid) != r.qid_kind)
			abort();
		(void)prog_name(r.prog);
		(void)severity_name(r.severity);
	}
	(void)qid_classify(rest);
	(void)prog_lookup(text, size);
	(void)dstatus_name(dstatus_lookup(text, size));
	free(text);
	return 0;
}
