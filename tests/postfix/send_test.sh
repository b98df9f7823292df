# send_test.sh - "fmrelay-doctor send-test" against the suite's REAL client
# instance. run.sh sources this file (functions only) and calls
# send_test_cases "$@" after the scenarios and the probe's cases, in the
# same TAP stream (its counter, its plan at the end); not with
# --probe-only. The tool submits the test message with the client's
# sendmail (-C the client's configuration directory), finds the client's
# log by itself (maillog_file of that main.cf: no LOGFILE is given) and
# follows it until the message's end.
#
# Each directory send-test/NAME is a case (data only):
#   scenario  (optional) a scenario of scenarios/ whose client.cf breaks
#             the client (postconf lines, sasl_passwd:, postmap: ... as
#             run.sh applies them); without it, the healthy client
#   send      (optional) to=ADDR (someone@example.org), from=ADDR
#   expect    exit=N, outcome=sent|deferred|bounced (the test message in
#             the JSON report), finding=ID|none (the first finding),
#             verdict=ERE (the tool's last line on stderr matches it)
#   CASE      what it shows
# Each case runs twice, each time on a client reset to the baseline with
# an empty queue: with --json (exit, outcome, first finding, only the test
# message, its story from pickup on) and as text (exit, verdict, the
# finding named). Outputs: $RESULTS/send-test-NAME.{json,text}[.err].
# run.sh's PATTERNs select cases by "send-test/NAME" (run.sh send-test:
# all of them, and no scenario).

# st_client_reset CLIENT_CF: the client as run_scenario prepares it (an
# empty queue, the baseline and the changes of CLIENT_CF: run.sh's
# client_reset), started
st_client_reset() {
	postsuper -c "$PF_CLI" -d ALL >/dev/null 2>&1
	pf_stop "$PF_CLI" "$PF_CLI_Q" fast
	client_reset "$1" || return 1
	touch -d "@$(( $(date +%s) - 10 ))" "$PF_CLI/main.cf" "$PF_CLI/master.cf"
	( pf_start "$PF_CLI" "$PF_CLI_Q" "$PF_CLI_ETC" "" )
}

# st_case DIR: both runs of one case
st_case() {
	local dir=$1 name scen cf="" to from mode out err rc probs want_exit want_outcome want_finding
	local want_verdict got_outcome got_first fopt=() args st_out
	name=$(basename "$dir")
	scen=""
	[ -f "$dir/scenario" ] && scen=$(head -1 "$dir/scenario")
	[ -n "$scen" ] && cf=$here/scenarios/$scen/client.cf
	if [ -n "$scen" ] && [ ! -f "$cf" ]; then
		not_ok "send-test $name: no client.cf in scenario $scen"; return
	fi
	to=$(kv "$dir/send" to someone@example.org)
	from=$(kv "$dir/send" from "")
	[ -n "$from" ] && fopt=(--from "$from")
	want_exit=$(kv "$dir/expect" exit "")
	want_outcome=$(kv "$dir/expect" outcome "")
	want_finding=$(kv "$dir/expect" finding "")
	want_verdict=$(kv "$dir/expect" verdict "")
	for mode in json text; do
		out=$RESULTS/send-test-$name.$mode
		err=$RESULTS/send-test-$name.$mode.err
		probs=()
		if ! st_out=$(st_client_reset "$cf" 2>&1); then
			not_ok "send-test $name ($mode): the client did not start" "$st_out"
			continue
		fi
		args=(send-test --to "$to" "${fopt[@]}" --config-dir "$PF_CLI" --timeout 30)
		[ $mode = json ] && args+=(--json)
		rc=0
		"$FMRD_BIN" "${args[@]}" > "$out" 2> "$err" < /dev/null || rc=$?
		[ -n "$want_exit" ] && [ "$rc" != "$want_exit" ] && probs+=("exit status: got $rc, expected $want_exit")
		[ -n "$want_verdict" ] && ! grep -Eq -- "$want_verdict" "$err" &&
			probs+=("no line matching /$want_verdict/ on stderr")
		if [ $mode = json ]; then
			if ! jq -e . "$out" >/dev/null 2>&1; then
				probs+=("no JSON document")
			else
				got_outcome=$(jq -r '[.messages[].outcome] | join(",")' "$out")
				got_first=$(jq -r '.findings[0].id // "none"' "$out")
				[ -n "$want_outcome" ] && [ "$got_outcome" != "$want_outcome" ] &&
					probs+=("outcome (only the test message): got [$got_outcome], expected $want_outcome")
				[ -n "$want_finding" ] && [ "$got_first" != "$want_finding" ] &&
					probs+=("first finding: got $got_first, expected $want_finding")
				jq -e '.messages[0].story | (.[0].text | test("postfix/pickup\\[[0-9]+\\]: [0-9A-Za-z]+: uid=0 "))
					and any(.[]; .text | test(": message-id=<fmrd-test\\."))' "$out" >/dev/null 2>&1 ||
					probs+=("the story does not start with pickup or lacks the message-id line")
			fi
		else
			[ -n "$want_finding" ] && [ "$want_finding" != none ] && ! grep -q -- "$want_finding" "$out" &&
				probs+=("the text report does not name $want_finding")
		fi
		if [ ${#probs[@]} -eq 0 ]; then
			ok "send-test $name ($mode): exit $rc${want_outcome:+, $want_outcome}${want_finding:+, $want_finding}"
			diag "$(tail -1 "$err")"
		else
			not_ok "send-test $name ($mode)" "${probs[@]}" "stderr: $(head -c 800 "$err")" \
				"stdout: $(head -c 1500 "$out")" "client log:" "$(tail -12 "$PF_CLI_LOG" | cut -c1-300)"
		fi
	done
}

# send_test_cases [PATTERN...]: the cases whose "send-test/NAME" contains
# a PATTERN (all without one)
send_test_cases() {
	local dir p match t0
	[ "${probe_only:-0}" = 1 ] && return 0
	for dir in "$here"/send-test/*/; do
		dir=${dir%/}
		if [ $# -gt 0 ]; then
			match=0
			for p in "$@"; do case "send-test/$(basename "$dir")" in *"$p"*) match=1 ;; esac; done
			[ $match = 1 ] || continue
		fi
		t0=$(date +%s)
		st_case "$dir"
		diag "send-test/$(basename "$dir") took $(( $(date +%s) - t0 )) s"
	done
	pf_stop "$PF_CLI" "$PF_CLI_Q" fast
}
