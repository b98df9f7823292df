#!/bin/bash
# send_test.sh - "fmrelay-doctor send-test" end to end without Postfix: a
# temporary main.cf points sendmail_path at a fake sendmail (made here)
# that keeps its arguments and the message it reads, and then, in the
# background, appends the Postfix log lines of a case
# (tests/e2e/data/send-test/*.lines: the real-Postfix samples' lines with
# the test message's Message-ID and a queue ID) to the log the tool
# follows. The log already holds an old deferred message, which must not
# count. Checked: exit status (0 delivered, 1 deferred or bounced, 75 no
# end in time, 69 sendmail failed, 64 bad addresses, 66 no log), that a
# deferral ends the wait at once, the finding and outcome (text and JSON,
# with the message's whole story), the message and sendmail's arguments,
# and that no progress line is written when stderr is not a terminal.
. "$(dirname "$0")/tap.sh"

data=$FMRD_SRCDIR/tests/e2e/data/send-test
old_log=$FMRD_SRCDIR/samples/postfix-3.7/06-sasl-auth-failed/mail.log
to=someone@example.org

# the fake sendmail: arguments and message kept, then the case's lines
cat > "$tmpdir/sendmail" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" > "$FAKE_DIR/argv"
cat > "$FAKE_DIR/message"
if [ "$FAKE_CASE" = fail ]; then
	echo "sendmail: fatal: root(0): queue file write error" >&2
	exit 75
fi
mid=$(sed -n 's/^Message-ID: //p' "$FAKE_DIR/message" | head -1)
rcpt=$(sed -n 's/^To: //p' "$FAKE_DIR/message" | head -1)
"$FAKE_WRITER" "$FAKE_CASE" "$mid" "$rcpt" < /dev/null > /dev/null 2>&1 &
exit 0
EOF
# the writer: CASE MID TO; appends the lines of CASE.lines, then "done"
cat > "$tmpdir/writer" <<'EOF'
#!/bin/sh
case=$1 mid=$2 rcpt=$3 q=
if [ -f "$FAKE_DATA/$case.lines" ]; then
	while IFS= read -r l; do
		case $l in
		'' | '#'*) ;;
		'qid '*) q=${l#qid } ;;
		'sleep '*) sleep "${l#sleep }" ;;
		*)	ts=$(LC_ALL=C date '+%b %e %H:%M:%S')
			printf '%s\n' "$l" | sed -e "s|@TS@|$ts|" -e "s|@MID@|$mid|" \
				-e "s|@TO@|$rcpt|" -e "s|@Q@|$q|g" >> "$FAKE_LOG" ;;
		esac
	done < "$FAKE_DATA/$case.lines"
fi
: > "$FAKE_DIR/done"
EOF
chmod 755 "$tmpdir/sendmail" "$tmpdir/writer"

# run_case NAME CASE [OPTION...]: send-test in $tmpdir/NAME with the fake
# sendmail writing CASE; sets rc, secs (wall time), d (the directory)
run_case() {
	local name=$1 case=$2 t0 t1 i
	shift 2
	d=$tmpdir/$name
	mkdir -p "$d/postfix"
	printf 'myhostname = client.example.com\nsendmail_path = %s\n' \
		"${SENDMAIL_PATH:-$tmpdir/sendmail}" > "$d/postfix/main.cf"
	cp "$old_log" "$d/mail.log"
	t0=$(date +%s.%N)
	rc=0
	FAKE_DIR=$d FAKE_CASE=$case FAKE_LOG=$d/mail.log FAKE_DATA=$data FAKE_WRITER=$tmpdir/writer \
		"$FMRD_BIN" send-test --config-dir "$d/postfix" "$@" "${LOGFILE:-$d/mail.log}" \
		> "$d/out" 2> "$d/err" < /dev/null || rc=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# the writer is done before the next case (at most 5 s)
	for i in $(seq 1 50); do
		[ -e "$d/done" ] || [ ! -e "$d/argv" ] || [ "$case" = fail ] && break
		sleep 0.1
	done
}

# faster NAME SECS LIMIT: the run took less than LIMIT seconds
faster() { awk -v s="$2" -v l="$3" 'BEGIN { exit !(s < l) }'; }

# point DESC COND...: a test point with the case's output as detail
point() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"
	else not_ok "$desc" "exit $rc after $secs s" "stderr: $(head -c 600 "$d/err")" \
		"stdout: $(head -c 1500 "$d/out")"; fi
}

json() { jq -e "$@" "$d/out" > /dev/null 2>&1; }

# --- delivered --------------------------------------------------------------
run_case delivered delivered --to "$to" --timeout 20
point "delivered: exit 0 after the message was removed" [ "$rc" = 0 ]
point "delivered: report names the queue ID as sent, not the old message" \
	grep -Eq '4F2A11C2B3 +sent' "$d/out"
point "delivered: the old deferred message and its finding are not reported" \
	bash -c "! grep -Eq '230C51024DF|sasl.auth_failed' '$d/out'"
point "delivered: verdict on stderr" grep -q '4F2A11C2B3: delivered after' "$d/err"
point "delivered: no progress line when stderr is not a terminal" \
	bash -c "! grep -q 'waiting for' '$d/err'"
point "delivered: sendmail -t -i -C CONFIG_DIR, no -f" \
	[ "$(tr '\n' ' ' < "$d/argv")" = "-t -i -C $d/postfix " ]
point "delivered: To: and Subject: headers" \
	bash -c "grep -qx 'To: $to' '$d/message' && grep -Eq '^Subject: fmrelay-doctor test [0-9]{4}-[0-9]{2}-[0-9]{2} ' '$d/message'"
point "delivered: Message-ID <fmrd-test.EPOCH.PID.RANDOM@myhostname>, Date:, no From:" \
	bash -c "grep -Eqx 'Message-ID: <fmrd-test\.[0-9]+\.[0-9]+\.[0-9a-f]{8}@client\.example\.com>' '$d/message' &&
		grep -Eq '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [-+][0-9]{4}$' '$d/message' &&
		! grep -q '^From:' '$d/message'"

# --- delivered, --json and --from -------------------------------------------
run_case json delivered --to "$to" --from sender@example.com --json --timeout 20
point "--json: exit 0, a valid document" bash -c "[ $rc = 0 ] && jq -e . '$d/out' >/dev/null"
point "--json: only the test message, outcome sent" \
	json '.messages | length == 1 and .[0].queue_id == "4F2A11C2B3" and .[0].outcome == "sent"'
point "--json: its story from pickup to removed (6 lines), without the other message" \
	json '(.messages[0].story | length) == 6 and (.messages[0].story[0].text | test("pickup.*4F2A11C2B3: uid=0"))
		and (.messages[0].story[-1].text | test("4F2A11C2B3: removed")) and all(.messages[0].story[]; (.text | test("1C0D3E4F5A")) | not)'
point "--from: sendmail -f ADDR and a From: header" \
	bash -c "[ \"\$(tr '\n' ' ' < '$d/argv')\" = '-t -i -C $d/postfix -f sender@example.com ' ] &&
		grep -qx 'From: sender@example.com' '$d/message'"

# --- deferred ---------------------------------------------------------------
run_case deferred deferred --to "$to" --timeout 20
point "deferred: exit 1" [ "$rc" = 1 ]
point "deferred: reported at once, not after the timeout ($secs s)" faster deferred "$secs" 8
point "deferred: the finding sasl.auth_failed, the message deferred" \
	bash -c "grep -q 'sasl.auth_failed' '$d/out' && grep -Eq '230C51024DF +deferred' '$d/out'"
point "deferred: verdict with the cause on stderr" \
	grep -q '230C51024DF: deferred after .*(SASL authentication failed; .*postqueue -f' "$d/err"
run_case deferred-json deferred --to "$to" --json --timeout 20
point "deferred --json: first finding sasl.auth_failed, outcome deferred" \
	json '.findings[0].id == "sasl.auth_failed" and .messages[0].outcome == "deferred" and .messages[0].queue_id == "230C51024DF"'

# --- bounced ----------------------------------------------------------------
run_case bounced bounced --to "$to" --json --timeout 20
point "bounced: exit 1" [ "$rc" = 1 ]
point "bounced: outcome bounced, reason unknown user, the notification as its child" \
	json '.messages[0].queue_id == "37D3D10259D" and .messages[0].outcome == "bounced"
		and .messages[0].recipients[0].dsn == "5.1.1" and .messages[0].children == ["3A99A10259E"]'
point "bounced: verdict on stderr" grep -q '37D3D10259D: bounced after .*unknown user' "$d/err"

# --- no end in time ---------------------------------------------------------
run_case silent foreign --to "$to" --timeout 2
point "no log line of the test message: exit 75" [ "$rc" = 75 ]
point "no log line of the test message: within the timeout ($secs s)" faster silent "$secs" 6
point "no log line of the test message: says so, not someone else's message" \
	bash -c "grep -q 'no log line of the test message <fmrd-test' '$d/err' && ! grep -q 6A7B8C9D0E '$d/out'"
run_case stuck stuck --to "$to" --timeout 2 --json
point "stuck in the queue: exit 75" [ "$rc" = 75 ]
point "stuck in the queue: no final status for QID after 2 s: still in the queue" \
	grep -q 'no final status for 5E6F7A8B9C after 2 s: still in the queue (postqueue -p)' "$d/err"
point "stuck in the queue: JSON valid, the message without an outcome" \
	json '.messages[0].queue_id == "5E6F7A8B9C" and .messages[0].outcome == "queued"'

# --- sendmail fails ---------------------------------------------------------
run_case fail fail --to "$to" --timeout 5
point "sendmail fails: exit 69" [ "$rc" = 69 ]
point "sendmail fails: its exit status and words on stderr, no report" \
	bash -c "grep -q 'refused the test message (exit status 75): sendmail: fatal: root(0): queue file write error' '$d/err' && [ ! -s '$d/out' ]"
SENDMAIL_PATH=$tmpdir/no-such-sendmail run_case missing delivered --to "$to" --timeout 5
point "sendmail_path missing: exit 69, named" \
	bash -c "[ $rc = 69 ] && grep -q 'cannot run sendmail_path $tmpdir/no-such-sendmail' '$d/err'"

# --- usage and input --------------------------------------------------------
for bad in "a@example.org, b@example.org" "Someone <a@example.org>" "-oi" "a@b@c" ""; do
	run_case usage delivered --to "$bad"
	point "--to '$bad' refused: exit 64, nothing run" bash -c "[ $rc = 64 ] && [ ! -e '$d/argv' ]"
	rm -rf "$d"
done
run_case usage2 delivered --to "$to" "$tmpdir/other.log"
point "two LOGFILEs refused: exit 64" [ "$rc" = 64 ]
run_case usage3 delivered --to "$to" --since -1h
point "--since refused: exit 64" [ "$rc" = 64 ]
LOGFILE=$tmpdir/no/such/dir/mail.log run_case nolog delivered --to "$to"
point "log not readable: exit 66, nothing sent" \
	bash -c "[ $rc = 66 ] && grep -q 'cannot open' '$d/err' && [ ! -e '$d/argv' ]"
LOGFILE=$tmpdir/no-such-mail.log run_case nolog2 delivered --to "$to"
point "log missing (not waited for): exit 66, nothing sent" \
	bash -c "[ $rc = 66 ] && grep -q 'cannot open .*no-such-mail.log' '$d/err' && [ ! -e '$d/argv' ]"

tap_done
