#!/bin/bash
# cli.sh - the command-line contract: options, exit codes, error
# messages, stdin, --queue-id, --messages, and man page kept in step
# with --help.
. "$(dirname "$0")/tap.sh"
bin=$FMRD_BIN
s=$FMRD_SRCDIR/samples
man=$FMRD_SRCDIR/fmrelay-doctor.1

expect_rc() {	# expect_rc DESC WANT COMMAND...
	local desc=$1 want=$2 rc=0
	shift 2
	"$@" >"$tmpdir/out" 2>"$tmpdir/err" || rc=$?
	if [ "$rc" = "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, expected $want)" "$(head -c 1000 "$tmpdir/err")"; fi
}

expect_rc "--help exits 0" 0 "$bin" --help
grep -q -- '--queue-id' "$tmpdir/out" && ok "--help lists --queue-id" || not_ok "--help lists --queue-id"
for opt in $("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	if grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$man" || grep -q -- "$opt" "$man"; then
		ok "man page documents $opt"
	else
		not_ok "man page documents $opt"
	fi
done
# README's option list is --help's, verbatim
if diff <("$bin" --help | grep '^  -' | sed 's/^  //') \
	<(grep '^    -[a-zA-Z], --' "$FMRD_SRCDIR/README" | sed 's/^    //') > "$tmpdir/d" 2>&1; then
	ok "README lists the options exactly as --help"
else
	not_ok "README lists the options exactly as --help" "$(head -20 "$tmpdir/d")"
fi
expect_rc "--version exits 0" 0 "$bin" --version
grep -q '^fmrelay-doctor [0-9]' "$tmpdir/out" && ok "--version prints name and version" \
	|| not_ok "--version prints name and version"
expect_rc "unknown option: 64" 64 "$bin" --no-such-option
expect_rc "missing option argument: 64" 64 "$bin" --config-dir
expect_rc "--config-dir with --no-config: 64" 64 "$bin" --no-config --config-dir /tmp x
expect_rc "bad --queue-id: 64" 64 "$bin" --no-config --queue-id 'not a qid' /dev/null
expect_rc "bad --messages: 64" 64 "$bin" --no-config --messages some /dev/null
expect_rc "missing log file: 66" 66 "$bin" --no-config /nonexistent/mail.log
grep -q '/nonexistent/mail.log' "$tmpdir/err" && ok "missing file is named in the error" \
	|| not_ok "missing file is named in the error" "$(cat "$tmpdir/err")"
mkdir -p "$tmpdir/adir"
expect_rc "directory as log: 66" 66 "$bin" --no-config "$tmpdir/adir"
expect_rc "unreadable --config-dir: 66" 66 "$bin" --config-dir /nonexistent/postfix /dev/null
grep -q 'main.cf' "$tmpdir/err" && ok "config error names main.cf" || not_ok "config error names main.cf"

# a broken rule file: exit 78 with file:line and the PCRE2 message
printf '[finding x.y]\ntitle = t\nexplain = e\nfix = f\n\n[match x.y]\nregex = ^(unclosed\n' > "$tmpdir/bad.rules"
expect_rc "broken rule file: 78" 78 "$bin" --no-config --patterns "$tmpdir/bad.rules" /dev/null
grep -q "bad.rules:7: bad regex" "$tmpdir/err" && ok "broken rule names file:line" \
	|| not_ok "broken rule names file:line" "$(cat "$tmpdir/err")"
printf '[match nope.nope]\nregex = ^x\n' > "$tmpdir/dangling.rules"
expect_rc "match without finding: 78" 78 "$bin" --no-config --patterns "$tmpdir/dangling.rules" /dev/null

# an added rule file works without C: a new finding from a new rule
cat > "$tmpdir/extra.rules" <<'R'
[finding local.test_rule]
severity = warning
rank = 99
title = test rule for ${host}
explain = added by the CLI test
fix = nothing

[match local.test_rule]
programs = smtp
regex = ^connect to (?<host>[^[]+)\[
R
expect_rc "extra rule file: problems found" 1 "$bin" --json --no-config --year 2026 \
	--patterns "$tmpdir/extra.rules" "$s/expired/mail.log"
grep -q '"id":"local.test_rule"' "$tmpdir/out" && grep -q 'test rule for smtp.fastmail.com' "$tmpdir/out" \
	&& ok "extra rule produces its finding with captured text" || not_ok "extra rule produces its finding"

# standard input
rc=0
"$bin" --json --no-config --year 2026 - < "$s/healthy-fastmail/mail.log" > "$tmpdir/stdin.json" || rc=$?
(cd "$s/healthy-fastmail" && "$bin" --json --no-config --year 2026 mail.log) > "$tmpdir/file.json" || true
if [ "$rc" = 0 ] && diff <(sed 's/"sources":\[[^]]*\]//' "$tmpdir/stdin.json") \
	<(sed 's/"sources":\[[^]]*\]//' "$tmpdir/file.json") >/dev/null; then
	ok "'-' reads standard input like a file"
else
	not_ok "'-' reads standard input like a file (exit $rc)"
fi

# input that cannot be diagnosed (issue 8): exit 65 with the reason on
# stderr, the report still written; empty input stays exit 0
expect_rc "only other programs on stdin: 65" 65 sh -c "printf '%s\n' \
	'Nov 23 06:31:17 mx1 sshd[40188]: Accepted publickey for admin from 198.51.100.23 port 50522 ssh2' \
	'Nov 23 06:32:40 mx1 dovecot: imap-login: Login: user=<alice@example.com>' \
	| \"\$0\" --no-config --year 2026 -" "$bin"
grep -q '^fmrelay-doctor: standard input: no Postfix record found (2 lines read)$' "$tmpdir/err" \
	&& ok "exit 65 names the reason" || not_ok "exit 65 names the reason" "$(cat "$tmpdir/err")"
grep -q 'No Postfix record found' "$tmpdir/out" && ! grep -q 'No problems found' "$tmpdir/out" \
	&& ok "text report says no Postfix record was found" \
	|| not_ok "text report says no Postfix record was found" "$(cat "$tmpdir/out")"
sed 's/^\([0-9-]*\)T\([0-9:]*\)+0100 /\1|\2 /' "$s/tls-untrusted-noconfig/mail.log" > "$tmpdir/badhdr.log"
expect_rc "unreadable headers on stdin: 65" 65 sh -c '"$0" --json --no-config --year 2026 - < "$1"' \
	"$bin" "$tmpdir/badhdr.log"
grep -q '^fmrelay-doctor: standard input: 34 of 34 Postfix lines could not be read (first at line 3: "2026-11-23|10:40:12 relay01 postfix/postfix-script\[2093040\]: refreshing the Postfix mail system")$' \
	"$tmpdir/err" && ok "exit 65 names the count and the first unreadable line" \
	|| not_ok "exit 65 names the count and the first unreadable line" "$(cat "$tmpdir/err")"
jq -e '.stats.input == "unreadable" and .stats.not_understood.header == 34
	and .stats.first_unreadable.line == 3' "$tmpdir/out" >/dev/null 2>&1 \
	&& ok "JSON stats tell the log could not be read" \
	|| not_ok "JSON stats tell the log could not be read" "$(grep -o '"stats":.*' "$tmpdir/out")"
printf 'Nov 23 12:07:52 mx1 postfix/smtp[1]: \033[2J\033]0;x\007 cut\n' > "$tmpdir/esc.log"
printf '23/11/2026 mx1 postfix/smtp[1]: \033[2J\033]0;x\007 cut\n' >> "$tmpdir/esc.log"
printf '23/11/2026 mx1 postfix/smtp[1]: two\n' >> "$tmpdir/esc.log"
expect_rc "mostly unreadable, control bytes: 65" 65 sh -c '"$0" --no-config --year 2026 - < "$1"' \
	"$bin" "$tmpdir/esc.log"
! grep -q $'\x1b' "$tmpdir/err" && grep -q '(first at line 2: "23/11/2026 mx1 postfix/smtp\[1\]: \\x1b\[2J' "$tmpdir/err" \
	&& ok "the first unreadable line is escaped on stderr" \
	|| not_ok "the first unreadable line is escaped on stderr" "$(cat -v "$tmpdir/err")"
expect_rc "empty stdin: 0" 0 sh -c '"$0" --no-config - < /dev/null' "$bin"
grep -q 'No log lines' "$tmpdir/out" && ! grep -q 'No problems found' "$tmpdir/out" \
	&& ok "empty input: the report says there were no log lines" \
	|| not_ok "empty input: the report says there were no log lines" "$(cat "$tmpdir/out")"
expect_rc "blank lines only: 0" 0 sh -c 'printf "\n \n\t\n" | "$0" --no-config -' "$bin"

# healthy log: exit 0; problems: exit 1
expect_rc "healthy log: exit 0" 0 "$bin" --no-config --year 2026 "$s/healthy-fastmail/mail.log"
expect_rc "problem log: exit 1" 1 "$bin" --no-config --year 2026 "$s/sasl-auth-failed/mail.log"

# several files are read in order, as one log
cat "$s/healthy-fastmail/mail.log" "$s/sasl-auth-failed/mail.log" > "$tmpdir/both.log"
"$bin" --json --no-config --year 2026 "$tmpdir/both.log" | sed 's/"sources":\[[^]]*\]//' > "$tmpdir/one.json" || true
"$bin" --json --no-config --year 2026 "$s/healthy-fastmail/mail.log" "$s/sasl-auth-failed/mail.log" \
	| sed 's/"sources":\[[^]]*\]//; s/"file":"[^"]*"//g' > "$tmpdir/two.json" || true
sed -i 's/"file":"[^"]*"//g' "$tmpdir/one.json"
# line numbers differ between one concatenated file and two files; compare messages only
if diff <(grep -o '"queue_id":"[^"]*","instance":"[^"]*","outcome":"[^"]*"' "$tmpdir/one.json") \
	<(grep -o '"queue_id":"[^"]*","instance":"[^"]*","outcome":"[^"]*"' "$tmpdir/two.json") >/dev/null; then
	ok "two files are read in order like one"
else
	not_ok "two files are read in order like one"
fi

# --queue-id: only that message, with its story
qid=$(grep -o '"queue_id":"[^"]*"' "$s/sasl-auth-failed/expected.json" | head -1 | cut -d'"' -f4)
"$bin" --json --no-config --year 2026 --queue-id "$qid" "$s/sasl-auth-failed/mail.log" > "$tmpdir/q.json" || true
n=$(grep -o '"queue_id":"[^"]*"' "$tmpdir/q.json" | sort -u | wc -l)
if [ "$n" = 1 ] && grep -q '"story":\[{' "$tmpdir/q.json"; then
	ok "--queue-id reports one message with its story"
else
	not_ok "--queue-id reports one message with its story" "$n messages"
fi
"$bin" --no-config --year 2026 --queue-id "$qid" "$s/sasl-auth-failed/mail.log" > "$tmpdir/q.txt" || true
grep -q "$qid" "$tmpdir/q.txt" && ok "--queue-id text report names the message" \
	|| not_ok "--queue-id text report names the message"

# --messages problems|none
"$bin" --json --no-config --year 2026 --messages none "$s/sasl-auth-failed/mail.log" > "$tmpdir/none.json" || true
grep -q '"messages":\[$' "$tmpdir/none.json" && ! grep -q '{"queue_id"' "$tmpdir/none.json" \
	&& ok "--messages none lists no message" || not_ok "--messages none lists no message"
"$bin" --json --no-config --year 2026 --messages problems "$s/healthy-fastmail/mail.log" > "$tmpdir/p.json" || true
! grep -q '{"queue_id"' "$tmpdir/p.json" && ok "--messages problems hides healthy mail" \
	|| not_ok "--messages problems hides healthy mail"
# a message hit only by a note (info) is no problem, even when the same
# finding has error hits on another message (relay.local_domain)
ld="$s/kb/relay.local_domain"
"$bin" --json --config-dir "$ld/postfix" --year 2026 --messages problems "$ld/mail.log" > "$tmpdir/ld.json" || true
grep -q '"queue_id":"E15A71A0F47"' "$tmpdir/ld.json" && ! grep -q '"queue_id":"9D04C1A0F41"' "$tmpdir/ld.json" \
	&& ! grep -q '"queue_id":"6C3B01A0F60"' "$tmpdir/ld.json" \
	&& ok "--messages problems: the bounced message, not the ones with a note" \
	|| not_ok "--messages problems: the bounced message, not the ones with a note"
"$bin" --config-dir "$ld/postfix" --year 2026 "$ld/mail.log" > "$tmpdir/ld.txt" || true
grep -A3 '^  9D04C1A0F41' "$tmpdir/ld.txt" | grep -q 'note: relay.local_domain' \
	&& grep -A4 '^  E15A71A0F47' "$tmpdir/ld.txt" | grep -q 'root cause: relay.local_domain' \
	&& ok "text report: note for a delivered message, root cause for the bounced one" \
	|| not_ok "text report: note for a delivered message, root cause for the bounced one"

# NO_COLOR and non-tty: no escape sequences (the script's stdout is not a tty)
NO_COLOR=1 "$bin" --no-config --year 2026 "$s/sasl-auth-failed/mail.log" > "$tmpdir/nc.txt" || true
! grep -q $'\x1b' "$tmpdir/nc.txt" && ok "no colour without a tty" || not_ok "no colour without a tty"
# the text report shows the TLS trust of each delivery
"$bin" --no-config --year 2026 "$s/healthy-fastmail/mail.log" > "$tmpdir/h.txt" || true
grep -q 'sent via smtp.fastmail.com\[103.168.172.45\]:587 dsn=2.0.0, TLS Trusted TLSv1.3' "$tmpdir/h.txt" \
	&& ok "text report shows TLS trust per delivery" || not_ok "text report shows TLS trust per delivery"

# without LOGFILE the log named by maillog_file in main.cf is read
mkdir -p "$tmpdir/cfg"
cp "$s/sasl-auth-failed/mail.log" "$tmpdir/maillog"
printf 'maillog_file = %s\n' "$tmpdir/maillog" > "$tmpdir/cfg/main.cf"
rc=0
"$bin" --json --year 2026 --config-dir "$tmpdir/cfg" > "$tmpdir/ml.json" 2>"$tmpdir/err" || rc=$?
if [ "$rc" = 1 ] && grep -q "\"sources\":\[\"$tmpdir/maillog\"\]" "$tmpdir/ml.json"; then
	ok "maillog_file from main.cf is the default log"
else
	not_ok "maillog_file from main.cf is the default log (exit $rc)" "$(head -c 300 "$tmpdir/err")"
fi

# --list-rules and --explain
"$bin" --list-rules > "$tmpdir/rules.txt" 2>&1 && ok "--list-rules exits 0" || not_ok "--list-rules exits 0"
n=$(grep -c '^\[finding ' "$FMRD_SRCDIR"/patterns/*.rules | awk -F: '{ s += $2 } END { print s }')
[ "$(($(wc -l < "$tmpdir/rules.txt") - 1))" = "$n" ] && ok "--list-rules lists every finding ($n)" \
	|| not_ok "--list-rules lists every finding ($n)"
head -2 "$tmpdir/rules.txt" | tail -1 | grep -q '^sasl.map_stale  *warning  *98 ' \
	&& ok "--list-rules: highest rank first" || not_ok "--list-rules: highest rank first"
expect_rc "--explain a finding: 0" 0 "$bin" --explain tls.capath_in_chroot
grep -q '^Fix:' "$tmpdir/out" && grep -q 'example: certificate verification failed' "$tmpdir/out" \
	&& grep -q 'TLS_README' "$tmpdir/out" && ok "--explain shows fix, examples and documentation" \
	|| not_ok "--explain shows fix, examples and documentation"
expect_rc "--explain unknown: 64" 64 "$bin" --explain no.such.finding
grep -q 'no.such.finding' "$tmpdir/err" && ok "--explain names the unknown id" || not_ok "--explain names the unknown id"

# every finding ID of the built-in rules is documented in README and
# reported by at least one sample or configuration case (whose expected
# JSON the suite checks: run-samples.sh, config.sh)
{ find "$FMRD_SRCDIR/samples" -name expected.json -exec cat {} +
  find "$FMRD_SRCDIR/tests/config/cases" -name expected.json -exec jq -c '.findings[]' {} + 2>/dev/null
} > "$tmpdir/allexpected"
"$bin" --list-rules | tail -n +2 | awk '{print $1, $2, $3}' > "$tmpdir/ranks"
for id in $(sed -n 's/^\[finding \([a-z0-9._]*\)\]$/\1/p' "$FMRD_SRCDIR"/patterns/*.rules); do
	# README's table names it with the severity and rank of the rules
	read -r _ sev rank <<<"$(grep "^$id " "$tmpdir/ranks")"
	if grep -Eq "^  ${id//./\\.} +$sev +$rank  " "$FMRD_SRCDIR/README"; then
		ok "README documents finding $id ($sev, rank $rank)"
	else
		not_ok "README documents finding $id ($sev, rank $rank)"
	fi
	if grep -qF "\"id\":\"$id\"" "$tmpdir/allexpected"; then ok "a sample shows finding $id"; else
		not_ok "a sample shows finding $id"; fi
done
tap_done
