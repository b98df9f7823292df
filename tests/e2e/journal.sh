#!/bin/bash
# journal.sh - the journald source (--journal-dir): every sample log is
# converted to journal files (log2export | systemd-journal-remote) and
# must give the same findings (id, severity, count, host, status, queue
# IDs) and messages (queue IDs, outcomes, recipients) as the text file,
# and the same exit status; source names, line numbers, times and
# evidence text are not compared. Also: every Postfix instance and
# service is read (postfix-out/smtp, postfix/submission/smtpd, main.cf's
# syslog_name), other programs are not, entries with newlines, NUL and
# invalid UTF-8 stay one record, a journal without Postfix entries is
# exit 65 like a text log, --follow reads appended entries and a new
# file after a rotation, --last/--since/--until select the messages
# they select in the text. Skipped without journald support or without
# systemd-journal-remote. Times: TZ=UTC for both runs (a log's times
# without zone are local time to both readers).
. "$(dirname "$0")/tap.sh"
bin=$FMRD_BIN
l2e=${FMRD_LOG2EXPORT:-$(dirname "$FMRD_BIN")/../tests/e2e/log2export}
s=$FMRD_SRCDIR/samples

if ! "$bin" --version | grep -q '(journald)'; then
	echo "1..0 # SKIP built without journald support (libsystemd)"
	exit 0
fi
jr=
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
	[ -x "$p" ] && { jr=$p; break; }
done
if [ -z "$jr" ]; then
	echo "1..0 # SKIP systemd-journal-remote is not installed"
	exit 0
fi
if [ ! -x "$l2e" ]; then
	echo "1..0 # SKIP log2export not built ($l2e)"
	exit 0
fi
export TZ=UTC

# mkjournal DIR [log2export options] < LOG: journal files of LOG in DIR
mkjournal() {
	local dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" &&
	"$l2e" --year 2026 "$@" 2>"$dir.l2e" | "$jr" -o "$dir/x.journal" - >"$dir.jr" 2>&1
}

# what must not depend on the source
norm='{
  findings: [.findings[] | {id, severity, original_severity, status, host, count,
             messages, queue_ids, log_hosts, consequence}],
  messages: ([.messages[] | {queue_id, instance, log_host, outcome, complete, from, origin,
             delivery_rounds, findings,
             recipients: [.recipients[] | {to, status, relay, dsn, attempts}]}]
             | sort_by(.instance, .queue_id))
}'

# Samples whose point is text that is no syslog record (the converter
# cannot put a line without header or tag into a journal).
skip_reason() {
	case $1 in
	hostile-input|unreadable-*) echo "lines without a readable header are the point of this sample" ;;
	headers-rfc5424-cut) echo "its collector cut the ident at '/': no journal holds that" ;;
	*) echo "" ;;
	esac
}

# The samples compared: the top level and the real Postfix logs by
# default (about 20 s), every sample with FMRD_JOURNAL_ALL=1. The text
# side is the sample's expected.json and expected.exit, which
# run-samples.sh checks against the text reader.
samples() {
	if [ "${FMRD_JOURNAL_ALL:-0}" = 1 ]; then
		find "$s" -name mail.log -type f
	else
		find "$s" -maxdepth 2 -name mail.log -type f
		find "$s/postfix-3.7" -name mail.log -type f
	fi | LC_ALL=C sort -u
}

while IFS= read -r log; do
	dir=$(dirname "$log")
	name=${dir#"$s"/}
	name=${name//\//_}
	reason=$(skip_reason "$name")
	if [ -n "$reason" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $name # SKIP $reason"
		continue
	fi
	args=(--json --year 2026)
	if [ -d "$dir/postfix" ]; then args+=(--config-dir postfix); else args+=(--no-config); fi
	if [ -f "$dir/args" ]; then
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done < "$dir/args"
	fi
	j=$tmpdir/j/$name
	if ! mkjournal "$j" < "$log"; then
		not_ok "$name: conversion to a journal" "$(cat "$j.l2e" "$j.jr")"
		continue
	fi
	jrc=0
	trc=$(cat "$dir/expected.exit" 2>/dev/null || echo 0)
	cp "$dir/expected.json" "$tmpdir/t.json"
	(cd "$dir" && "$bin" "${args[@]}" --journal-dir "$j") >"$tmpdir/j.json" 2>"$tmpdir/j.err" || jrc=$?
	if [ "$trc" != "$jrc" ]; then
		not_ok "$name: exit $jrc from the journal, $trc from the text" "$(head -c 1000 "$tmpdir/j.err")"
		rm -rf "$j"
		continue
	fi
	# one jq each: the normalised document, then the Postfix entry count
	jq -S "$norm, .stats.postfix_lines + .stats.malformed_postfix" "$tmpdir/t.json" > "$tmpdir/t.norm" 2>&1
	jq -S "$norm, .stats.header_formats.journal" "$tmpdir/j.json" > "$tmpdir/j.norm" 2>&1
	if [ ! -s "$tmpdir/t.norm" ] || ! cmp -s <(sed '$d' "$tmpdir/t.norm") <(sed '$d' "$tmpdir/j.norm"); then
		not_ok "$name: findings and messages from the journal as from the text" \
			"$(diff "$tmpdir/t.norm" "$tmpdir/j.norm" | head -30)"
	elif [ "$(tail -1 "$tmpdir/t.norm")" != "$(tail -1 "$tmpdir/j.norm")" ]; then
		not_ok "$name: every Postfix entry read with its header from the journal" \
			"text: $(tail -1 "$tmpdir/t.norm") Postfix lines, journal: $(tail -1 "$tmpdir/j.norm")"
	else
		ok "$name: journal gives the findings and messages of the text (exit $jrc)"
	fi
	rm -rf "$j"
done < <(samples)

# --- instances, services and syslog_name --------------------------------
cat > "$tmpdir/inst.log" <<'EOF'
2026-11-23T12:00:00+01:00 mx1 postfix/submission/smtpd[100]: connect from client.example.com[192.0.2.10]
2026-11-23T12:00:01+01:00 mx1 postfix/submission/smtpd[100]: 4A1B2C3D4E: client=client.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice
2026-11-23T12:00:01+01:00 mx1 postfix/cleanup[101]: 4A1B2C3D4E: message-id=<a@example.com>
2026-11-23T12:00:01+01:00 mx1 postfix/qmgr[102]: 4A1B2C3D4E: from=<alice@example.com>, size=500, nrcpt=1 (queue active)
2026-11-23T12:00:02+01:00 mx1 postfix/smtp[103]: 4A1B2C3D4E: to=<bob@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
2026-11-23T12:00:02+01:00 mx1 postfix/qmgr[102]: 4A1B2C3D4E: removed
2026-11-23T12:01:00+01:00 mx1 postfix-out/pickup[200]: 5B2C3D4E5F: uid=0 from=<root>
2026-11-23T12:01:00+01:00 mx1 postfix-out/cleanup[201]: 5B2C3D4E5F: message-id=<b@example.com>
2026-11-23T12:01:00+01:00 mx1 postfix-out/qmgr[202]: 5B2C3D4E5F: from=<root@mx1.example.com>, size=400, nrcpt=1 (queue active)
2026-11-23T12:01:01+01:00 mx1 postfix-out/smtp[203]: 5B2C3D4E5F: to=<carol@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
2026-11-23T12:01:01+01:00 mx1 postfix-out/qmgr[202]: 5B2C3D4E5F: removed
2026-11-23T12:02:00+01:00 mx1 mailout/pickup[300]: 6C3D4E5F6A: uid=0 from=<root>
2026-11-23T12:02:00+01:00 mx1 mailout/cleanup[301]: 6C3D4E5F6A: message-id=<c@example.com>
2026-11-23T12:02:00+01:00 mx1 mailout/qmgr[302]: 6C3D4E5F6A: from=<root@mx1.example.com>, size=400, nrcpt=1 (queue active)
2026-11-23T12:02:01+01:00 mx1 mailout/smtp[303]: 6C3D4E5F6A: to=<dave@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
2026-11-23T12:02:01+01:00 mx1 mailout/qmgr[302]: 6C3D4E5F6A: removed
2026-11-23T12:03:00+01:00 mx1 CRON[400]: (root) CMD (true)
2026-11-23T12:03:00+01:00 mx1 postfixer[401]: not postfix at all, but its name starts so
EOF
mkdir -p "$tmpdir/cf"
printf 'syslog_name = mailout\nrelayhost = [smtp.fastmail.com]:587\n' > "$tmpdir/cf/main.cf"
: > "$tmpdir/cf/master.cf"
mkjournal "$tmpdir/inst" < "$tmpdir/inst.log"
rc=0
"$bin" --json --config-dir "$tmpdir/cf" --journal-dir "$tmpdir/inst" > "$tmpdir/inst.json" 2>"$tmpdir/inst.err" || rc=$?
got=$(jq -c '[.messages[] | [.instance, .queue_id, .outcome]] | sort' "$tmpdir/inst.json" 2>&1)
want='[["mailout","6C3D4E5F6A","sent"],["postfix","4A1B2C3D4E","sent"],["postfix-out","5B2C3D4E5F","sent"]]'
if [ "$got" = "$want" ]; then
	ok "instances postfix, postfix-out and syslog_name mailout are read (exit $rc)"
else
	not_ok "instances postfix, postfix-out and syslog_name mailout are read" "got $got" \
		"$(head -c 500 "$tmpdir/inst.err")"
fi
got=$(jq -c '[.messages[] | select(.queue_id == "4A1B2C3D4E") | .origin, .sasl_username]' "$tmpdir/inst.json")
[ "$got" = '["smtpd","alice"]' ] && ok "postfix/submission/smtpd is read" \
	|| not_ok "postfix/submission/smtpd is read" "got $got"
# postfixer starts with "postfix": read, and counted as not understood
# like the text reader does; CRON is not read at all
got=$(jq -c '[.stats.lines, .stats.header_formats.journal]' "$tmpdir/inst.json")
[ "$got" = '[17,17]' ] && ok "only the entries of Postfix identifiers are read" \
	|| not_ok "only the entries of Postfix identifiers are read" "got $got (want [17,17])"
# without the configuration, mailout is not a Postfix instance
"$bin" --json --no-config --journal-dir "$tmpdir/inst" > "$tmpdir/inst2.json" 2>/dev/null
got=$(jq -c '[.messages[].instance] | sort' "$tmpdir/inst2.json")
[ "$got" = '["postfix","postfix-out"]' ] && ok "syslog_name only from main.cf" \
	|| not_ok "syslog_name only from main.cf" "got $got"
# the evidence is the rendered entry, in local time
TZ=Europe/Berlin "$bin" --json --config-dir "$tmpdir/cf" --journal-dir "$tmpdir/inst" \
	--messages all --queue-id 5B2C3D4E5F > "$tmpdir/ev.json" 2>/dev/null
grep -q '2026-11-23T12:01:01.000000+01:00 mx1 postfix-out/smtp\[203\]: 5B2C3D4E5F: to=<carol@example.net>' \
	"$tmpdir/ev.json" && ok "entries are rendered as local ISO time, host, ident[pid]: text" \
	|| not_ok "entries are rendered as local ISO time, host, ident[pid]: text" \
		"$(grep -o '"story":[^]]*' "$tmpdir/ev.json" | head -c 600)"

# --- hostile messages ----------------------------------------------------
cat > "$tmpdir/bin.log" <<'EOF'
2026-11-23T12:00:00+01:00 mx1 postfix/pickup[1]: 7D4E5F6A7B: uid=0 from=<root>
2026-11-23T12:00:00+01:00 mx1 postfix/qmgr[2]: 7D4E5F6A7B: from=<root@mx1.example.com>, size=400, nrcpt=1 (queue active)
2026-11-23T12:00:01+01:00 mx1 postfix/smtp[3]: 7D4E5F6A7B: to=<erin@example.net>, relay=smtp.fastmail.com[103.168.172.45]:587, delay=1, delays=0.1/0/0.4/0.5, dsn=4.0.0, status=deferred (host said: 421 two\nlines\x00 and \xff\xfe bytes)
2026-11-23T12:00:01+01:00 mx1 postfix/smtp[3]: warning: a warning\nwith a second line\n
EOF
mkjournal "$tmpdir/bin" --unescape < "$tmpdir/bin.log"
rc=0
"$bin" --json --no-config --journal-dir "$tmpdir/bin" > "$tmpdir/bin.json" 2>"$tmpdir/bin.err" || rc=$?
got=$(jq -c '[.stats.lines, .stats.postfix_lines, .stats.lines_with_nul,
	.messages[0].recipients[0].reason == "host said: 421 two lines? and \ufffd\ufffd bytes"]' \
	"$tmpdir/bin.json" 2>&1)
want='[4,4,0,true]'
[ "$got" = "$want" ] && ok "MESSAGE with newline, NUL and invalid UTF-8 is one record" \
	|| not_ok "MESSAGE with newline, NUL and invalid UTF-8 is one record" "got  $got" "want $want" \
		"$(head -c 500 "$tmpdir/bin.err")"

# --- a journal without Postfix entries -----------------------------------
grep -v postfix "$s/sasl-auth-failed/mail.log" > "$tmpdir/other.log"
mkjournal "$tmpdir/other" < "$tmpdir/other.log"
rc=0
"$bin" --no-config "$tmpdir/other.log" > /dev/null 2>&1 || rc=$?
jrc=0
"$bin" --no-config --journal-dir "$tmpdir/other" > /dev/null 2>"$tmpdir/other.err" || jrc=$?
[ "$rc" = 65 ] && [ "$jrc" = 65 ] && ok "no Postfix entry in the journal: exit 65 as for the text" \
	|| not_ok "no Postfix entry in the journal: exit 65 as for the text" \
		"text $rc, journal $jrc: $(cat "$tmpdir/other.err")"
rc=0
"$bin" --no-config --journal-dir "$tmpdir/other" /dev/null > /dev/null 2>&1 || rc=$?
[ "$rc" = 64 ] && ok "--journal-dir with a LOGFILE: 64" || not_ok "--journal-dir with a LOGFILE: 64" "exit $rc"
# --- following, and windows ----------------------------------------------
# The real Postfix sample logs one after another (528 lines).
long=$tmpdir/long.log
find "$s/postfix-3.7" -name mail.log -type f | LC_ALL=C sort | xargs cat > "$long"

# part FIRST LAST SHIFT FILE: lines FIRST..LAST of the long log appended
# to journal FILE, their monotonic clock moved on by SHIFT us. journald
# goes on in one boot with one monotonic clock across its files, and
# sd-journal orders a new file's entries by it (by their time only for
# another boot): log2export starts its clock at 0 on every run, so
# without the shift a new file's entries would all sort before the
# followed position and be passed over (by journalctl -f as well).
part() {
	sed -n "$1,$2p" "$long" | "$l2e" --year 2026 2>/dev/null |
		awk -v o="$3" 'sub(/^__MONOTONIC_TIMESTAMP=/, "") { $0 = "__MONOTONIC_TIMESTAMP=" ($0 + o) } 1' |
		"$jr" -o "$4" - >/dev/null 2>&1
}

# settle FILE: wait (up to 10 s) until FILE has not grown for 1 s
settle() {
	local n=0 size last=-1 same=0
	while [ $n -lt 50 ] && [ $same -lt 5 ]; do
		sleep 0.2
		size=$(wc -c < "$1")
		if [ "$size" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$size
		n=$((n + 1))
	done
}

# Follow a journal directory from its end: entries appended to the open
# file, then journald's rotation (the file renamed to system@...journal,
# the entries going on in a new system.journal). The message events must
# be those of a batch run over the text of the appended lines.
fj=$tmpdir/follow
mkdir -p "$fj"
part 1 300 0 "$fj/system.journal"
"$bin" --follow --json --no-config --stats-interval 0 --journal-dir "$fj" \
	> "$tmpdir/follow.nd" 2>"$tmpdir/follow.err" &
fpid=$!
# watching PID: PID holds an inotify descriptor (the journal is watched)
watching() {
	local f
	for f in "/proc/$1/fd/"*; do
		[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:inotify" ] && return 0
	done
	return 1
}
# at its end once it watches the journal (up to 5 s)
for _ in $(seq 100); do
	watching "$fpid" && break
	sleep 0.05
done
sleep 0.3
part 301 420 1000000000 "$fj/system.journal"
settle "$tmpdir/follow.nd"
n2=$(jq -s '[.[] | select(.type == "message")] | length' "$tmpdir/follow.nd" 2>/dev/null)
mv "$fj/system.journal" "$fj/system@0000000000000000000000000000000a-0000000000000001-0006000000000000.journal"
part 421 '$' 2000000000 "$fj/system.journal"
settle "$tmpdir/follow.nd"
kill -TERM "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
[ "${n2:-0}" -gt 0 ] && ok "followed journal: entries appended to the open file are read" \
	|| not_ok "followed journal: entries appended to the open file are read" \
		"no message event after 120 appended entries" "$(head -c 500 "$tmpdir/follow.err")"
tail -n +301 "$long" | "$bin" --json --no-config --year 2026 - 2>/dev/null |
	jq -c '.messages[] | [.queue_id, .outcome]' | LC_ALL=C sort > "$tmpdir/follow.want"
jq -c 'select(.type == "message") | [.queue_id, .outcome]' "$tmpdir/follow.nd" 2>&1 |
	LC_ALL=C sort > "$tmpdir/follow.got"
if [ -s "$tmpdir/follow.want" ] && cmp -s "$tmpdir/follow.want" "$tmpdir/follow.got"; then
	ok "followed journal: from its end, across a rotation into a new file, the messages of a batch run ($(wc -l < "$tmpdir/follow.got"))"
else
	not_ok "followed journal: from its end, across a rotation into a new file, the messages of a batch run" \
		"$(diff "$tmpdir/follow.want" "$tmpdir/follow.got" | head -20)" "$(head -c 500 "$tmpdir/follow.err")"
fi

# A window on the journal reads what the same window on the text does.
mkjournal "$tmpdir/long" < "$long"
all=$("$bin" --json --no-config --year 2026 "$long" 2>/dev/null | jq '.messages | length')
for win in "--last 15m" "--since 2026-11-23T22:50" \
	   "--since 2026-11-23T22:02:30 --until 2026-11-23T22:50 --lookback 0"; do
	# shellcheck disable=SC2086
	t=$("$bin" --json --no-config --year 2026 $win "$long" 2>/dev/null | jq -c '[.messages[].queue_id] | sort')
	# shellcheck disable=SC2086
	j=$("$bin" --json --no-config --journal-dir "$tmpdir/long" $win 2>"$tmpdir/win.err" |
		jq -c '[.messages[].queue_id] | sort')
	n=$(printf '%s' "$t" | jq length 2>/dev/null)
	if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt "$all" ] && [ "$t" = "$j" ]; then
		ok "journal window $win: the queue IDs of the text ($n of $all)"
	else
		not_ok "journal window $win: the queue IDs of the text" "text    $t" "journal $j" \
			"($all messages in all) $(head -c 300 "$tmpdir/win.err")"
	fi
done
# No log file given and none found: the system journal is read when it
# holds Postfix entries, and the run says so. --root points "the system"
# at a copy (ROOT/var/log/journal/MACHINE-ID/, as journalctl --root).
sys=$tmpdir/sysroot
mid=0123456789abcdef0123456789abcdef
cfgs=$s/tls-capath-chroot-secure
if mkjournal "$sys/var/log/journal/$mid" < "$cfgs/mail.log"; then
	arc=0
	"$bin" --json --year 2026 --no-config --root "$sys" >"$tmpdir/auto.json" 2>"$tmpdir/auto.err" || arc=$?
	want=$(jq -S "$norm" "$cfgs/expected.json" 2>/dev/null | jq -c '[.messages[] | [.queue_id, .outcome]]')
	got=$(jq -S "$norm" "$tmpdir/auto.json" 2>/dev/null | jq -c '[.messages[] | [.queue_id, .outcome]]')
	if [ "$arc" -le 1 ] && grep -q 'no mail log file found: reading the Postfix entries of the system journal' "$tmpdir/auto.err" \
		&& [ -n "$want" ] && [ "$want" != "[]" ] && [ "$want" = "$got" ]; then
		ok "no log file: the system journal is read, and the run says so"
	else
		not_ok "no log file: the system journal is read, and the run says so" "exit $arc" \
			"$(head -c 500 "$tmpdir/auto.err")" "want $want" "got  $got"
	fi
	# a mail log under the root wins over the journal
	mkdir -p "$sys/var/log"
	head -n 5 "$cfgs/mail.log" > "$sys/var/log/mail.log"
	arc=0
	"$bin" --json --year 2026 --no-config --root "$sys" >"$tmpdir/auto2.json" 2>"$tmpdir/auto2.err" || arc=$?
	src=$(jq -r '.sources[0]' "$tmpdir/auto2.json" 2>/dev/null)
	if [ "$src" = "$sys/var/log/mail.log" ] && ! grep -q 'system journal' "$tmpdir/auto2.err"; then
		ok "a mail log file is preferred to the journal"
	else
		not_ok "a mail log file is preferred to the journal" "source: $src" "$(head -c 300 "$tmpdir/auto2.err")"
	fi
	# neither: exit 66, naming the root
	rm -rf "$sys/var/log/journal" "$sys/var/log/mail.log"
	arc=0
	"$bin" --no-config --root "$sys" >/dev/null 2>"$tmpdir/auto3.err" || arc=$?
	if [ "$arc" = 66 ] && grep -q "no mail log found under $sys" "$tmpdir/auto3.err"; then
		ok "no log file and no Postfix entry in the journal: exit 66 with the places tried"
	else
		not_ok "no log file and no Postfix entry in the journal: exit 66" "exit $arc" "$(cat "$tmpdir/auto3.err")"
	fi
else
	not_ok "system journal for the fallback test" "$(cat "$sys/var/log/journal/$mid.l2e" "$sys/var/log/journal/$mid.jr" 2>/dev/null)"
fi
tap_done
