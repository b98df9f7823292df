/*
 * journal.h - the journald source: Postfix entries read natively with
 * sd-journal (a record backend of input.h). Each entry's header comes
 * from its fields (time, _HOSTNAME, SYSLOG_IDENTIFIER, SYSLOG_PID), not
 * from text; the line handed over is a readable rendering of the entry
 * ("2026-11-23T12:07:52.097918+01:00 mx1 postfix/smtp[802290]: text")
 * used as evidence, with line.hdr pointing into it. Built without
 * libsystemd, the functions exist and say so.
 */
#ifndef FMRD_JOURNAL_H
#define FMRD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "syslog_hdr.h"
#include "util.h"

/* Open the journal: dir NULL = the local system journal, else the
 * journal files in dir (like journalctl -D). Only entries whose
 * SYSLOG_IDENTIFIER starts with "postfix" or with one of the NULL-
 * terminated prefixes (main.cf syslog_name; idents_prefix may be NULL).
 * follow: at the end next returns INPUT_AGAIN and input_wait waits for
 * the journal (files added to it are read too); the journal is then read
 * without matches and the wanted entries kept, so identifiers that
 * appear later are never passed over. Returns NULL with a message in err on failure. */
struct input *input_open_journal(const char *dir, const char *const *idents_prefix,
				 int follow, struct strbuf *err);
/* The system journal (dir NULL above) is the one of the system copy
 * under root (ROOT/var/log/journal, ROOT/run/log/journal, as journalctl
 * --root); NULL: this host's. */
void journal_set_root(const char *root);
/* Continue at the first entry at or after usec_utc (__REALTIME_TIMESTAMP). */
int input_journal_seek_time(struct input *in, int64_t usec_utc);
/* Continue after the newest entry (follow from the end). */
int input_journal_seek_tail(struct input *in);
/* UTC microseconds of the newest matching entry, -1 if none or on error.
 * Moves the read position: call it before reading, then seek (it leaves
 * the source at its start). */
int64_t input_journal_last_time(struct input *in);
/* 1: the journal (dir as above) holds a Postfix entry; 0: none; -1: it
 * cannot be opened, or no journald support was built. */
int journal_has_postfix(const char *dir);
/* "journald" or "no journald" (for --version). */
const char *journal_support(void);

/* One entry's fields, as journal.c reads them (exposed for tests). */
struct journal_entry {
	int64_t usec;		/* UTC microseconds since the epoch; < 0: no time */
	struct span host;	/* _HOSTNAME, may be empty */
	struct span ident;	/* SYSLOG_IDENTIFIER */
	long pid;		/* SYSLOG_PID, else _PID; -1 if none */
	int pri;		/* facility * 8 + priority, -1 if unknown */
	struct span text;	/* MESSAGE: any bytes */
	int text_cut;		/* MESSAGE was longer than the bytes in text */
};

/* Longest host and ident kept in a rendering (longer ones are cut). */
#define JOURNAL_MAX_FIELD 255

/* Render e into buf[0..size) as "TIME HOST IDENT[PID]: TEXT" (TIME as
 * logtime_format with the local zone offset of that moment; HOST and
 * [PID] omitted when absent), at most INPUT_MAX_LINE bytes and at most
 * size - 1, NUL-terminated. Newlines (and CR) in any field become spaces,
 * NUL bytes '?'. Fills h (fmt HDR_JOURNAL, spans into buf, rest at the
 * ident) and returns the length; *truncated is set when something was
 * cut. size must be at least 128. */
size_t journal_render(const struct journal_entry *e, char *buf, size_t size,
		      struct syslog_hdr *h, int *truncated);

#endif
