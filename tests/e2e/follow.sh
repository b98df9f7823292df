#!/bin/bash
# follow.sh - --follow like tail -F, end to end: a writer appends real
# logs (the real-Postfix suite's samples and a log published by others,
# samples/wild/*/SOURCE) in random chunks, cut anywhere inside a line,
# while the tool follows the log; it rotates the log many times by rename
# (logrotate create, postfix logrotate), by copytruncate and by delete and
# create again. At the end SIGTERM stops the tool. The messages it emitted
# (NDJSON) must equal those of a batch run over the concatenation: none
# lost, none doubled, same outcomes and recipients.
#
# Chunks end anywhere, but a rotation happens between whole lines, as a
# syslog daemon writes them, and only once the tool has read what was
# written (caught_up): copytruncate has an inherent window (tail -F has it
# too; lines not read before the truncation are in the copy only), and a
# log rotated twice before the reader looks again would skip a file.
. "$(dirname "$0")/tap.sh"

src=$FMRD_SRCDIR
corpus=$tmpdir/corpus.log
cat "$src"/samples/postfix-3.7/*/mail.log "$src"/samples/wild/*/wild.log > "$corpus"
size=$(stat -c %s "$corpus")
common=(--no-config --year 2026 --stats-interval 0)

# what a message was: queue ID, outcome, recipients and their status
msgs() {
	jq -c 'select(.type == "message") | [.log_host, .queue_id, .outcome,
		([.recipients[]? | [.to, .status]] | sort)]' "$1" | LC_ALL=C sort
}

"$FMRD_BIN" --ndjson "${common[@]}" "$corpus" > "$tmpdir/batch.nd" 2> "$tmpdir/batch.err"
msgs "$tmpdir/batch.nd" > "$tmpdir/batch.msgs"
nbatch=$(wc -l < "$tmpdir/batch.msgs")
if [ "$nbatch" -gt 100 ]; then ok "batch run over the corpus: $nbatch messages"
else not_ok "batch run over the corpus gives messages" "$(cat "$tmpdir/batch.err")"; fi

# caught_up PID FILE: wait (at most 10 s) until process PID has read FILE
# to its end: the position of its descriptor on FILE (/proc/PID/fdinfo)
# equals FILE's size. A log is rotated once a day, not while the reader is
# behind by two rotations: this keeps the test to what tail -F promises.
caught_up() {
	local pid=$1 file=$2 i fd size pos
	for i in $(seq 1 1000); do
		size=$(stat -c %s "$file")
		for fd in /proc/"$pid"/fd/*; do
			[ "$(readlink "$fd")" = "$file" ] || continue
			pos=$(sed -n 's/^pos:[[:space:]]*//p' /proc/"$pid"/fdinfo/"${fd##*/}")
			[ "$pos" = "$size" ] && return 0
		done
		sleep 0.01
	done
	return 1
}

# run_follow NAME [ENV...]: follow $tmpdir/NAME/mail.log while writing it
run_follow() {
	local name=$1 d=$tmpdir/$1 off=0 n=0 kind pid rc
	shift
	mkdir -p "$d"
	: > "$d/mail.log"
	env "$@" "$FMRD_BIN" --follow --json "${common[@]}" "$d/mail.log" \
		> "$d/out.nd" 2> "$d/err" &
	pid=$!
	sleep 0.3
	RANDOM=42
	while [ "$off" -lt "$size" ]; do
		chunk=$((RANDOM % 12000 + 1))
		dd if="$corpus" iflag=skip_bytes,count_bytes skip="$off" count="$chunk" \
			status=none >> "$d/mail.log"
		off=$((off + chunk))
		n=$((n + 1))
		if [ $((n % 12)) -eq 0 ]; then
			# a syslog daemon writes whole lines: finish this one first
			rest=$(dd if="$corpus" iflag=skip_bytes,count_bytes skip="$off" count=65536 \
				status=none | head -n 1 | wc -c)
			dd if="$corpus" iflag=skip_bytes,count_bytes skip="$off" count="$rest" \
				status=none >> "$d/mail.log"
			off=$((off + rest))
			kind=$(( (n / 12) % 3 ))
			[ -n "${FOLLOW_KIND:-}" ] && kind=$FOLLOW_KIND
			caught_up "$pid" "$d/mail.log" || echo "# the reader did not catch up" >&2
			case $kind in
			0)	mv "$d/mail.log" "$d/mail.log.1"; : > "$d/mail.log" ;;
			1)	cp "$d/mail.log" "$d/mail.log.1"; : > "$d/mail.log" ;;
			2)	rm -f "$d/mail.log"; : > "$d/mail.log" ;;
			esac
		fi
		[ $((RANDOM % 4)) -eq 0 ] && sleep 0.02
	done
	caught_up "$pid" "$d/mail.log" || echo "# the reader did not catch up" >&2
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	echo "$n chunks, $((n / 12)) rotations" > "$d/info"
	return $rc
}

for mode in inotify poll; do
	env=()
	[ "$mode" = poll ] && env=(FMRD_FOLLOW_POLL=1)
	run_follow "$mode" "${env[@]}"
	rc=$?
	d=$tmpdir/$mode
	if [ "$rc" -le 1 ]; then ok "$mode: SIGTERM ends the run cleanly (exit $rc, $(cat "$d/info"))"
	else not_ok "$mode: SIGTERM ends the run cleanly (exit $rc)" "$(tail -5 "$d/err")"; fi
	if jq -e . "$d/out.nd" > /dev/null 2>&1 && [ "$(tail -1 "$d/out.nd" | jq -r .type)" = summary ]
	then ok "$mode: every line is JSON and the last is the summary"
	else not_ok "$mode: every line is JSON and the last is the summary" "$(tail -2 "$d/out.nd")"; fi
	msgs "$d/out.nd" > "$d/msgs"
	if cmp -s "$tmpdir/batch.msgs" "$d/msgs"; then
		ok "$mode: the same $nbatch messages as the batch run, none lost or doubled"
	else
		not_ok "$mode: the same messages as the batch run" \
			"batch $nbatch, follow $(wc -l < "$d/msgs")" \
			"$(diff "$tmpdir/batch.msgs" "$d/msgs" | head -8)"
	fi
	lines_b=$(jq -r 'select(.type == "summary") | .stats.lines' "$tmpdir/batch.nd")
	lines_f=$(jq -r 'select(.type == "summary") | .stats.lines' "$d/out.nd")
	if [ "$lines_b" = "$lines_f" ]; then ok "$mode: every line read once ($lines_f)"
	else not_ok "$mode: every line read once" "batch $lines_b, follow $lines_f"; fi
done

# latency: a message completed in the log is an event within 100 ms (the
# check allows 1 s on a loaded machine; the figure is in the test name)
d=$tmpdir/latency
mkdir -p "$d"
: > "$d/mail.log"
"$FMRD_BIN" --follow --json "${common[@]}" "$d/mail.log" > "$d/out.nd" 2> "$d/err" &
pid=$!
sleep 0.5
t0=$(date +%s%N)
grep -h 'BFC84114186' "$src"/samples/postfix-3.7/49-fixed-mid-log/mail.log | head -7 >> "$d/mail.log"
ms=-1
for i in $(seq 1 200); do
	if grep -q '"type":"message"' "$d/out.nd" 2>/dev/null; then
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.005
done
kill -TERM "$pid"
wait "$pid"
if [ "$ms" -ge 0 ] && [ "$ms" -le 1000 ]; then ok "latency from a line's write to its message event: $ms ms"
else not_ok "latency from a line's write to its message event (${ms} ms)" "$(cat "$d/err")"; fi

# memory stays bounded: with a small in-flight table, messages are evicted
# and counted, and every event is still valid JSON
"$FMRD_BIN" --ndjson "${common[@]}" --max-messages 100 "$corpus" > "$tmpdir/small.nd" 2>/dev/null
ev=$(jq -r 'select(.type == "summary") | .stats.messages.evicted' "$tmpdir/small.nd")
if [ "${ev:-0}" -gt 0 ] && jq -e . "$tmpdir/small.nd" > /dev/null
then ok "--max-messages 100: evictions counted ($ev)"
else not_ok "--max-messages 100: evictions counted" "evicted: $ev"; fi

# a followed run whose output pipe closes ends quietly
d=$tmpdir/pipe
mkdir -p "$d"
cp "$corpus" "$d/mail.log"
( "$FMRD_BIN" --follow --json "${common[@]}" --since 2000-01-01 "$d/mail.log" 2> "$d/err"; echo $? > "$d/rc" ) | head -c 100 > /dev/null
sleep 0.5
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$d/rc" ] && break
	printf '%s\n' "$(head -1 "$corpus")" >> "$d/mail.log"
	sleep 0.3
done
if [ -s "$d/rc" ] && [ ! -s "$d/err" ]; then ok "a closed output pipe ends the followed run quietly"
else not_ok "a closed output pipe ends the followed run quietly" "rc $(cat "$d/rc" 2>/dev/null)" "$(cat "$d/err")"; fi

tap_done
