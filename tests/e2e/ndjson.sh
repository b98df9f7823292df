#!/bin/bash
# ndjson.sh - the NDJSON stream (--ndjson) against the JSON document
# (--json) of every sample: each line one JSON object with a "type"; the
# message objects are the document's messages, in the same order; the
# last event of each finding (by "handle") is the document's finding,
# except the fields only ranking sets (status, resolved_at, severity,
# original_severity; a finding regrouped at the end is superseded by the
# summary); the summary comes last, once, and is the document
# without "messages" (its findings carry "handle"). Also: events are
# flushed as they happen, not at exit; a followed log gets finding and
# stats events while it runs; --stats-interval is checked.
. "$(dirname "$0")/tap.sh"
bin=$FMRD_BIN

# the fields a finding gets from diag_resolve/diag_rank at the end
post_rank='del(.status, .resolved_at, .severity, .original_severity)'

while IFS= read -r log; do
	dir=$(dirname "$log")
	name=${dir#"$FMRD_SRCDIR"/samples/}
	name=${name//\//_}
	args=(--year 2026)
	if [ -d "$dir/postfix" ]; then args+=(--config-dir postfix); else args+=(--no-config); fi
	if [ -f "$dir/args" ]; then
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done < "$dir/args"
	fi
	doc=$tmpdir/$name.json
	nd=$tmpdir/$name.ndjson
	jrc=0 nrc=0
	(cd "$dir" && "$bin" --json "${args[@]}" mail.log) >"$doc" 2>/dev/null || jrc=$?
	(cd "$dir" && "$bin" --ndjson "${args[@]}" mail.log) >"$nd" 2>"$tmpdir/$name.err" || nrc=$?
	if [ "$jrc" != "$nrc" ]; then
		not_ok "$name: exit status $nrc, --json gives $jrc" "$(head -c 1000 "$tmpdir/$name.err")"
		continue
	fi
	# every line is one JSON object with a known type
	bad=$(while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e 'type == "object" and
			(.type | IN("message", "finding", "stats", "summary"))' >/dev/null 2>&1 \
			|| printf '%s\n' "$line"
	done < "$nd" | head -c 600)
	if [ -z "$bad" ] && [ -s "$nd" ]; then ok "$name: every line is a JSON object with a type"
	else not_ok "$name: every line is a JSON object with a type" "$bad"; fi
	# the summary: last line, only one
	if [ "$(jq -r .type "$nd" | grep -c '^summary$')" = 1 ] \
		&& [ "$(tail -n 1 "$nd" | jq -r .type)" = summary ]; then
		ok "$name: one summary, the last line"
	else
		not_ok "$name: one summary, the last line" "$(jq -r .type "$nd" | uniq -c)"
	fi
	# messages: the document's objects, in the same order
	if diff <(jq -c 'select(.type == "message") | del(.type)' "$nd") \
		<(jq -c '.messages[]' "$doc") > "$tmpdir/d" 2>&1; then
		ok "$name: message events are the document's messages"
	else
		not_ok "$name: message events are the document's messages" "$(head -c 1500 "$tmpdir/d")"
	fi
	# summary: the document without messages, findings with handles
	if diff <(tail -n 1 "$nd" | jq -S -c "del(.type) | .findings |= map(del(.handle))") \
		<(jq -S -c 'del(.messages)' "$doc") > "$tmpdir/d" 2>&1; then
		ok "$name: the summary is the document without messages"
	else
		not_ok "$name: the summary is the document without messages" "$(head -c 1500 "$tmpdir/d")"
	fi
	# findings: the last event per handle is the summary's finding of
	# that handle, but for what ranking sets; a finding regrouped at the
	# end (its host turned out to be a recipient's MX: folded into the
	# class finding of its id) is superseded by the summary; every
	# finding of the summary had events
	jq -s -c "
		(map(select(.type == \"summary\")) | last | .findings
		 | map({key: (.handle | tostring), value: .}) | from_entries) as \$sum
		| [.[] | select(.type == \"finding\")] | group_by(.handle) | map(last) as \$ev
		| (\$ev | map(.handle | tostring)) as \$seen
		| (\$sum | keys - \$seen | map({missing: .})[]),
		  (\$ev[] | . as \$l | \$sum[\$l.handle | tostring] as \$s
		   | select(\$s != null and (\$s.direct == \$l.direct))
		   | (\$l | del(.type) | $post_rank) as \$a | (\$s | $post_rank) as \$b
		   | select(\$a != \$b) | {handle: \$l.handle, event: \$a, summary: \$b})
	" "$nd" > "$tmpdir/d" 2>&1
	if [ ! -s "$tmpdir/d" ]; then
		ok "$name: the last event of each finding is its summary object"
	else
		not_ok "$name: the last event of each finding is its summary object" \
			"$(head -c 1500 "$tmpdir/d")"
	fi
done < <(find "$FMRD_SRCDIR/samples" -name mail.log -type f | LC_ALL=C sort)

# a finding that changes within one chunk of input is one event, not one
# per line: the sample has 2 hits of one finding
s=$FMRD_SRCDIR/samples/sasl-auth-failed
n=$(cd "$s" && "$bin" --ndjson --year 2026 --config-dir postfix mail.log \
	| jq -s '[.[] | select(.type == "finding")] | length')
want=$(cd "$s" && "$bin" --json --year 2026 --config-dir postfix mail.log | jq '.findings | length')
if [ "$n" = "$want" ]; then ok "finding events are coalesced (one per finding and tick)"
else not_ok "finding events are coalesced (one per finding and tick)" "got $n, want $want"; fi

# flushed per line: the message event of a removed message arrives while
# the input is still open (a reader of a pipe need not wait for the end)
mkfifo "$tmpdir/in"
"$bin" --ndjson --no-config --year 2026 - < "$tmpdir/in" > "$tmpdir/live" 2>&1 &
pid=$!
exec 3>"$tmpdir/in"
cat >&3 <<'L'
Nov 23 12:07:40 mx1 postfix/pickup[1376]: 85D079D3A7: uid=0 from=<root>
Nov 23 12:07:40 mx1 postfix/qmgr[1377]: 85D079D3A7: from=<root@mx1.example.com>, size=402, nrcpt=1 (queue active)
Nov 23 12:07:41 mx1 postfix/smtp[45291]: 85D079D3A7: to=<admin@example.net>, relay=smtp.example.com[192.0.2.1]:587, delay=0.66, delays=0.05/0.01/0.6/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4B9C2A0)
Nov 23 12:07:41 mx1 postfix/qmgr[1377]: 85D079D3A7: removed
L
got=0
for _ in $(seq 1 50); do
	if grep -q '"type":"message"' "$tmpdir/live" 2>/dev/null; then got=1; break; fi
	sleep 0.1
done
exec 3>&-
wait "$pid"
if [ "$got" = 1 ]; then ok "a message event is written when the message completes, input still open"
else not_ok "a message event is written when the message completes, input still open" \
	"$(cat "$tmpdir/live")"; fi
[ "$(tail -n 1 "$tmpdir/live" | jq -r .type)" = summary ] && ok "the summary follows at the end of input" \
	|| not_ok "the summary follows at the end of input" "$(cat "$tmpdir/live")"

# a followed log (--json --follow writes NDJSON): a finding event soon
# after its line is written (the clock ticks every 100 ms; allow 2 s on a
# loaded machine), stats events every --stats-interval, and on SIGTERM the
# messages still open and the summary, last
if "$bin" --help | grep -q -- '--follow'; then
	: > "$tmpdir/f.log"
	"$bin" --follow --json --no-config --year 2026 --stats-interval 1 "$tmpdir/f.log" \
		> "$tmpdir/f.out" 2> "$tmpdir/f.err" &
	pid=$!
	sleep 0.5
	t0=$(date +%s%N)
	sed -n 5,8p "$FMRD_SRCDIR/samples/sasl-auth-failed/mail.log" >> "$tmpdir/f.log"
	ms=
	for _ in $(seq 1 200); do
		if grep -q '"type":"finding"' "$tmpdir/f.out"; then
			ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
		fi
		sleep 0.01
	done
	if [ -n "$ms" ] && [ "$ms" -le 2000 ]; then ok "followed: a finding event ${ms} ms after its line"
	else not_ok "followed: a finding event within 2 s of its line" "$(cat "$tmpdir/f.out" "$tmpdir/f.err")"; fi
	# latency: 11 lines written one at a time, each changes the finding's
	# count, so each gets its own event; the median must be <= 100 ms (the
	# issue's figure), every one <= 2 s (a loaded CI machine may stall one)
	line=$(sed -n 8p "$FMRD_SRCDIR/samples/sasl-auth-failed/mail.log")
	lat=()
	for _ in $(seq 1 11); do
		before=$(grep -c '"type":"finding"' "$tmpdir/f.out")
		t0=$(date +%s%N)
		printf '%s\n' "$line" >> "$tmpdir/f.log"
		ms=2001
		for _ in $(seq 1 400); do
			if [ "$(grep -c '"type":"finding"' "$tmpdir/f.out")" -gt "$before" ]; then
				ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
			fi
			sleep 0.005
		done
		lat+=("$ms")
	done
	sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
	median=$(printf '%s\n' "$sorted" | sed -n 6p)
	worst=$(printf '%s\n' "$sorted" | tail -1)
	if [ "$median" -le 100 ] && [ "$worst" -le 2000 ]; then
		ok "followed: line-to-event latency median ${median} ms, worst ${worst} ms (of 11)"
	else
		not_ok "followed: line-to-event latency median <= 100 ms, worst <= 2 s" "ms: ${lat[*]}"
	fi
	for _ in $(seq 1 40); do
		[ "$(grep -c '"type":"stats"' "$tmpdir/f.out")" -ge 2 ] && break
		sleep 0.1
	done
	n=$(grep -c '"type":"stats"' "$tmpdir/f.out")
	[ "$n" -ge 2 ] && ok "followed: stats events every --stats-interval" \
		|| not_ok "followed: stats events every --stats-interval" "$n in 4 s"
	kill -TERM "$pid"
	wait "$pid"
	if [ "$(tail -n 1 "$tmpdir/f.out" | jq -r .type)" = summary ] \
		&& jq -e -s 'map(select(.type == "message")) | length == 1' "$tmpdir/f.out" >/dev/null \
		&& jq -e -s 'map(select(.type == "stats"))[0] | .time | test("Z$")' "$tmpdir/f.out" >/dev/null; then
		ok "followed: SIGTERM hands out the open message, then the summary"
	else
		not_ok "followed: SIGTERM hands out the open message, then the summary" \
			"$(cut -c1-200 "$tmpdir/f.out")"
	fi
fi

# --stats-interval: seconds, 0 to 86400
for v in -1 x 86401 ''; do
	rc=0
	"$bin" --ndjson --no-config --stats-interval "$v" /dev/null >/dev/null 2>&1 || rc=$?
	[ "$rc" = 64 ] && ok "--stats-interval '$v' is a usage error" \
		|| not_ok "--stats-interval '$v' is a usage error" "exit $rc"
done
rc=0
"$bin" --ndjson --no-config --stats-interval 0 /dev/null > "$tmpdir/o" 2>&1 || rc=$?
if [ "$rc" = 0 ] && [ "$(jq -r .type "$tmpdir/o")" = summary ]; then
	ok "empty input: the summary alone"
else
	not_ok "empty input: the summary alone" "exit $rc" "$(cat "$tmpdir/o")"
fi
tap_done
