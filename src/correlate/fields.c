/*
 * fields.c - the fields of Postfix record texts, parsed in place (spans
 * into the line, no copy): key=value lists (to=<...>, relay=, delay=,
 * delays=, dsn=, status=word (reason), conn_use=, from=, size=, nrcpt=,
 * uid=, client=, sasl_username=), numbers, loopback clients, and the
 * passwords that verbose smtp/lmtp logging prints (registered as secrets
 * before any output can carry them).
 */
#include <string.h>

#include "corr_int.h"
#include "textsafe.h"

int
fields_next(const char **pp, const char *end, struct kv *kv)
{
	const char *p = *pp, *eq, *q;

	while (p < end && (*p == ',' || *p == ' '))
		p++;
	if (p >= end)
		return 0;
	for (eq = p; eq < end && *eq != '=' && *eq != ' ' && *eq != ','; eq++)
		;
	if (eq >= end || *eq != '=')
		return 0;
	kv->key.p = p;
	kv->key.len = (size_t)(eq - p);
	q = eq + 1;
	if (q < end && *q == '<') {
		const char *gt = q + 1;

		/* the address ends at the '>' followed by ", " or the end */
		while (gt < end && !(*gt == '>' && (gt + 1 == end || gt[1] == ',' || gt[1] == ' ')))
			gt++;
		kv->val.p = q + 1;
		kv->val.len = (size_t)((gt < end ? gt : end) - (q + 1));
		*pp = gt < end ? gt + 1 : end;
		return 1;
	}
	if (kv->key.len == 6 && memcmp(kv->key.p, "status", 6) == 0) {
		kv->val.p = q;
		kv->val.len = (size_t)(end - q);
		*pp = end;
		return 1;
	}
	/* plain values end at ", " (delivery records) or ' ' (pickup) */
	for (p = q; p < end && *p != ' ' && !(*p == ',' && p + 1 < end && p[1] == ' '); p++)
		;
	kv->val.p = q;
	kv->val.len = (size_t)(p - q);
	*pp = p;
	return 1;
}

long
fields_long(struct span s)
{
	long v = 0;
	size_t i;

	for (i = 0; i < s.len && s.p[i] >= '0' && s.p[i] <= '9' && v < 1000000000000L; i++)
		v = v * 10 + (s.p[i] - '0');
	return v;
}

int
fields_loopback(const char *client)
{
	const char *a = client != NULL ? strchr(client, '[') : NULL;

	if (a == NULL)
		return 0;
	a++;
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1]") == 0
	    || strncmp(a, "::ffff:127.", 11) == 0;
}

enum dstatus
fields_delivery(struct span text, struct dlv_fields *d)
{
	const char *p = text.p, *end = text.p + text.len, *sp;
	struct span status = SPAN_EMPTY;
	struct kv kv;

	d->to = d->orig_to = d->relay = d->dsn = d->delay = d->delays = d->reason = SPAN_EMPTY;
	d->status = DS_NONE;
	d->reused = 0;
	/* a chain of fixed-size compares: this runs for every field of every
	 * delivery line, and the compiler inlines them */
	while (fields_next(&p, end, &kv)) {
		if (span_eq_lit(kv.key, "to"))
			d->to = kv.val;
		else if (span_eq_lit(kv.key, "orig_to"))
			d->orig_to = kv.val;
		else if (span_eq_lit(kv.key, "relay"))
			d->relay = kv.val;
		else if (span_eq_lit(kv.key, "dsn"))
			d->dsn = kv.val;
		else if (span_eq_lit(kv.key, "delay"))
			d->delay = kv.val;
		else if (span_eq_lit(kv.key, "delays"))
			d->delays = kv.val;
		else if (span_eq_lit(kv.key, "status"))
			status = kv.val;
		else if (span_eq_lit(kv.key, "conn_use"))
			d->reused = 1;
	}
	/* "status=deferred (reason)": the word, then the reason in parentheses */
	if (status.len == 0)
		return DS_NONE;
	sp = memchr(status.p, ' ', status.len);
	if (sp != NULL && sp + 1 < status.p + status.len && sp[1] == '(') {
		d->reason.p = sp + 2;
		d->reason.len = (size_t)(status.p + status.len - d->reason.p);
		if (d->reason.len > 0 && d->reason.p[d->reason.len - 1] == ')')
			d->reason.len--;
		status.len = (size_t)(sp - status.p);
	}
	d->status = dstatus_lookup(status.p, status.len);
	return d->status;
}

/* Verbose logging (smtp -v, debug_peer_list) prints the password the
 * client looked up; register it as a secret before any output can carry
 * it, with or without the configuration. */
static const struct secret_form {
	const char *prefix;	/* the record text starts with it */
	const char *before;	/* the password follows this ... */
	char end;		/* ... up to this byte ('\0': end of text) */
	int after_colon;	/* the value is user:password */
} secret_forms[] = {
	{ "smtp_sasl_passwd_lookup: host ", "' pass `", '\'', 0 },
	{ "lmtp_sasl_passwd_lookup: host ", "' pass `", '\'', 0 },
	{ "maps_find: smtp_sasl_password_maps: ", " = ", '\0', 1 },
	{ "maps_find: lmtp_sasl_password_maps: ", " = ", '\0', 1 },
};

void
fields_secrets(const struct pf_record *rec)
{
	const char *p = rec->text.p, *end = p + rec->text.len, *v, *e;
	size_t i, bl;

	if (rec->text.len < 16 || (p[0] != 's' && p[0] != 'l' && p[0] != 'm'))
		return;
	for (i = 0; i < sizeof(secret_forms) / sizeof(secret_forms[0]); i++) {
		const struct secret_form *f = &secret_forms[i];

		if (!span_starts(rec->text, f->prefix, strlen(f->prefix)))
			continue;
		bl = strlen(f->before);
		if ((v = memmem(p, rec->text.len, f->before, bl)) == NULL)
			return;
		v += bl;
		e = f->end != '\0' ? memchr(v, f->end, (size_t)(end - v)) : NULL;
		if (e == NULL)
			e = end;
		if (f->after_colon && (v = memchr(v, ':', (size_t)(e - v))) != NULL)
			v++;
		if (v != NULL && e > v)
			ts_secret_add(v, (size_t)(e - v));
		return;
	}
}
