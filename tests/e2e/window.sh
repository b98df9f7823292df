#!/bin/bash
# window.sh - time windows, rotation sets, gzip and the year, end to end,
# on the real-Postfix suite's logs (samples/postfix-3.7, collected from
# Postfix 3.7 on loopback) joined into one long log:
#   - a window cut around one scenario gives that scenario's diagnosis;
#   - --last is measured back from the newest line;
#   - a log split into NAME.3.gz NAME.2.gz NAME.1 NAME (and dateext names)
#     read with --rotated is the same as the whole log; a window that
#     starts before NAME's first line reaches back into the rotations;
#   - a gzip file is read whatever its name;
#   - year-less timestamps across New Year stay ordered, also followed;
#   - bad times and durations are usage errors (64).
. "$(dirname "$0")/tap.sh"

src=$FMRD_SRCDIR
long=$tmpdir/long.log
cat "$src"/samples/postfix-3.7/*/mail.log > "$long"
common=(--no-config --year 2026)

ids() {		# finding ids and severities of a JSON document, sorted
	jq -r '.findings[] | "\(.id) \(.severity)"' "$1" | LC_ALL=C sort -u
}
qids() {	# queue IDs and outcomes of the messages
	jq -r '.messages[] | "\(.queue_id) \(.outcome)"' "$1" | LC_ALL=C sort
}

# 1. a scenario cut out of the long log by its time gets its own diagnosis
for sc in 06-sasl-auth-failed 24-tls-cert-expired 07-sasl-map-missing; do
	log=$src/samples/postfix-3.7/$sc/mail.log
	t1=$(head -1 "$log" | cut -c1-15)
	t2=$(tail -1 "$log" | cut -c1-15)
	"$FMRD_BIN" --json "${common[@]}" "$log" > "$tmpdir/alone.json" 2>/dev/null
	"$FMRD_BIN" --json "${common[@]}" --since "$t1" --until "$t2" "$long" \
		> "$tmpdir/cut.json" 2> "$tmpdir/cut.err"
	if [ -n "$(ids "$tmpdir/alone.json")" ] && diff <(ids "$tmpdir/alone.json") <(ids "$tmpdir/cut.json") > "$tmpdir/d"
	then ok "$sc cut out of the long log by --since/--until: its own findings"
	else not_ok "$sc cut out of the long log: its own findings" "$(cat "$tmpdir/d" "$tmpdir/cut.err")"; fi
	if diff <(qids "$tmpdir/alone.json") <(qids "$tmpdir/cut.json") > "$tmpdir/d"
	then ok "$sc cut out of the long log: its own messages and outcomes"
	else not_ok "$sc cut out of the long log: its own messages" "$(cat "$tmpdir/d")"; fi
done

# 2. --last: back from the newest line (the last scenario only)
lastlog=$(ls -d "$src"/samples/postfix-3.7/*/ | tail -1)mail.log
"$FMRD_BIN" --json "${common[@]}" "$lastlog" > "$tmpdir/alone.json" 2>/dev/null
"$FMRD_BIN" --json "${common[@]}" --last 5s "$long" > "$tmpdir/last.json" 2>/dev/null
if diff <(qids "$tmpdir/alone.json") <(qids "$tmpdir/last.json") > "$tmpdir/d"
then ok "--last 5s: the messages of the newest scenario only"
else not_ok "--last 5s: the messages of the newest scenario only" "$(cat "$tmpdir/d")"; fi
n=$(jq '.stats.lines' "$tmpdir/last.json")
all=$(wc -l < "$long")
if [ "$n" -lt "$all" ]; then ok "--last reads part of the log ($n of $all lines)"
else not_ok "--last reads part of the log" "$n of $all"; fi

# 3. rotation sets: NAME.3.gz NAME.2.gz NAME.1 NAME, oldest first
d=$tmpdir/rot
mkdir -p "$d"
total=$(wc -l < "$long")
q=$((total / 4))
head -n "$q" "$long" | gzip > "$d/mail.log.3.gz"
sed -n "$((q + 1)),$((2 * q))p" "$long" | gzip > "$d/mail.log.2.gz"
sed -n "$((2 * q + 1)),$((3 * q))p" "$long" > "$d/mail.log.1"
sed -n "$((3 * q + 1)),\$p" "$long" > "$d/mail.log"
echo "not a rotation" > "$d/mail.log.bak"
"$FMRD_BIN" --json "${common[@]}" "$long" > "$tmpdir/whole.json" 2>/dev/null
"$FMRD_BIN" --json "${common[@]}" --rotated "$d/mail.log" > "$tmpdir/rot.json" 2> "$tmpdir/rot.err"
if diff <(qids "$tmpdir/whole.json") <(qids "$tmpdir/rot.json") > "$tmpdir/d" \
   && diff <(ids "$tmpdir/whole.json") <(ids "$tmpdir/rot.json") >> "$tmpdir/d"
then ok "--rotated: NAME.3.gz NAME.2.gz NAME.1 NAME read as one log"
else not_ok "--rotated: rotations read as one log" "$(head -8 "$tmpdir/d" "$tmpdir/rot.err")"; fi
if [ "$(jq .stats.lines "$tmpdir/rot.json")" = "$total" ]; then ok "--rotated: every line once ($total)"
else not_ok "--rotated: every line once" "$(jq .stats.lines "$tmpdir/rot.json") of $total"; fi

# dateext names (NAME-YYYYMMDD[.gz])
d2=$tmpdir/dateext
mkdir -p "$d2"
cp "$d/mail.log.3.gz" "$d2/mail.log-20261101.gz"
cp "$d/mail.log.2.gz" "$d2/mail.log-20261108.gz"
cp "$d/mail.log.1" "$d2/mail.log-20261115"
cp "$d/mail.log" "$d2/mail.log"
"$FMRD_BIN" --json "${common[@]}" --rotated "$d2/mail.log" > "$tmpdir/de.json" 2>/dev/null
if diff <(qids "$tmpdir/whole.json") <(qids "$tmpdir/de.json") > /dev/null
then ok "--rotated: dateext rotations (NAME-YYYYMMDD[.gz]) in date order"
else not_ok "--rotated: dateext rotations in date order"; fi

# a window that starts before NAME's first line reaches back by itself
t=$(sed -n "$((q + 5))p" "$long" | cut -c1-15)
"$FMRD_BIN" --json "${common[@]}" --since "$t" "$long" > "$tmpdir/w1.json" 2>/dev/null
"$FMRD_BIN" --json "${common[@]}" --since "$t" "$d/mail.log" > "$tmpdir/w2.json" 2>/dev/null
if [ "$(qids "$tmpdir/w1.json" | wc -l)" -gt 0 ] && diff <(qids "$tmpdir/w1.json") <(qids "$tmpdir/w2.json") > "$tmpdir/d"
then ok "--since before the log's first line reaches back into its rotations"
else not_ok "--since reaches back into the rotations" "$(head "$tmpdir/d")"; fi

# 4. gzip whatever the name
gzip -c "$long" > "$tmpdir/compressed.log"
"$FMRD_BIN" --json "${common[@]}" "$tmpdir/compressed.log" > "$tmpdir/gz.json" 2>/dev/null
if diff <(qids "$tmpdir/whole.json") <(qids "$tmpdir/gz.json") > /dev/null \
   && [ "$(jq .stats.lines "$tmpdir/gz.json")" = "$total" ]
then ok "a gzip file named .log is read as text"
else not_ok "a gzip file named .log is read as text"; fi
head -c 3000 "$tmpdir/compressed.log" > "$tmpdir/cut.gz"
"$FMRD_BIN" --json "${common[@]}" "$tmpdir/cut.gz" > /dev/null 2> "$tmpdir/cut.err"
rc=$?
if [ "$rc" = 66 ] && grep -q "cut.gz" "$tmpdir/cut.err"; then ok "a truncated gzip file: exit 66 naming it"
else not_ok "a truncated gzip file: exit 66 naming it" "exit $rc" "$(cat "$tmpdir/cut.err")"; fi

# 5. New Year: year-less timestamps stay ordered (mtime in January)
ny=$tmpdir/newyear.log
{
	echo "Dec 31 23:59:58 client postfix/pickup[100]: 4AB2C1D04E0: uid=0 from=<root>"
	echo "Dec 31 23:59:58 client postfix/cleanup[101]: 4AB2C1D04E0: message-id=<ny@client>"
	echo "Dec 31 23:59:59 client postfix/qmgr[102]: 4AB2C1D04E0: from=<root@client>, size=300, nrcpt=1 (queue active)"
	echo "Jan  1 00:00:02 client postfix/smtp[103]: 4AB2C1D04E0: to=<a@example.net>, relay=smtp.example.net[192.0.2.1]:587, delay=4, delays=1/0/1/2, dsn=2.0.0, status=sent (250 2.0.0 Ok)"
	echo "Jan  1 00:00:02 client postfix/qmgr[102]: 4AB2C1D04E0: removed"
} > "$ny"
touch -d "2027-01-01 00:05:00" "$ny"
"$FMRD_BIN" --json --no-config "$ny" > "$tmpdir/ny.json" 2>/dev/null
first=$(jq -r '.messages[0].first_seen' "$tmpdir/ny.json")
last=$(jq -r '.messages[0].last_seen' "$tmpdir/ny.json")
case "$first/$last" in
2026-12-31T23:59:58*/2027-01-01T00:00:02*) ok "across New Year: $first .. $last" ;;
*) not_ok "across New Year: first 2026-12-31, last 2027-01-01" "$first .. $last" ;;
esac
# followed: the file was written in December, January lines arrive later
fy=$tmpdir/follow-ny
mkdir -p "$fy"
head -3 "$ny" > "$fy/mail.log"
touch -d "2026-12-31 23:59:59" "$fy/mail.log"
"$FMRD_BIN" --follow --json --no-config --stats-interval 0 --since "2026-12-31 00:00" "$fy/mail.log" \
	> "$fy/out.nd" 2> "$fy/err" &
pid=$!
sleep 0.5
tail -2 "$ny" >> "$fy/mail.log"
sleep 1
kill -TERM "$pid"
wait "$pid"
last=$(jq -r 'select(.type == "message") | .last_seen' "$fy/out.nd")
case "$last" in
2027-01-01T00:00:02*) ok "followed across New Year: the year moves forward ($last)" ;;
*) not_ok "followed across New Year: the year moves forward" "$last" "$(cat "$fy/err")" ;;
esac

# 6. no LOGFILE and no window, at a terminal: which log and which period
if command -v script > /dev/null 2>&1; then
	cfg=$tmpdir/cfg
	mkdir -p "$cfg"
	cp "$src/samples/postfix-3.7/06-sasl-auth-failed/mail.log" "$tmpdir/default.log"
	printf 'maillog_file = %s\n' "$tmpdir/default.log" > "$cfg/main.cf"
	script -qec "'$FMRD_BIN' --year 2026 --config-dir '$cfg' 2> '$tmpdir/tty.err'" /dev/null > /dev/null
	if grep -q "read $tmpdir/default.log: 2026-11-23T22:00:48 to 2026-11-23T22:00:48" "$tmpdir/tty.err"
	then ok "at a terminal without LOGFILE: says which log and which period were read"
	else not_ok "at a terminal without LOGFILE: says which log and period" "$(cat "$tmpdir/tty.err")"; fi
	"$FMRD_BIN" --year 2026 --config-dir "$cfg" > /dev/null 2> "$tmpdir/notty.err"
	if ! grep -q "^fmrelay-doctor: read " "$tmpdir/notty.err"; then ok "not at a terminal: says nothing of the kind"
	else not_ok "not at a terminal: says nothing of the kind" "$(cat "$tmpdir/notty.err")"; fi
else
	echo "ok $((tap_n + 1)) # SKIP script(1) is not installed"; tap_n=$((tap_n + 1))
fi

# 7. usage errors
for args in "--since tomorrowish" "--last 15" "--last 5x" "--since -2h --last 1h" \
	    "--since 2026-11-24 --until 2026-11-23"; do
	# shellcheck disable=SC2086
	"$FMRD_BIN" $args --no-config "$long" > /dev/null 2> "$tmpdir/u.err"
	rc=$?
	if [ "$rc" = 64 ] && [ -s "$tmpdir/u.err" ]; then ok "$args: usage error 64 with a message"
	else not_ok "$args: usage error 64" "exit $rc" "$(cat "$tmpdir/u.err")"; fi
done

tap_done
