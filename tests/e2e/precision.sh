#!/bin/bash
# precision.sh - the tool against the benchmark generator's ground truth:
# healthy traffic (1 M messages; 100 k in a sanitizer build) yields no
# error or warning finding and exactly the generator's message and
# recipient counts; mixed traffic yields exactly its sent, bounced and
# expired recipients and its expired messages.
. "$(dirname "$0")/tap.sh"

loggen=$tmpdir/loggen
if ! ${CC:-cc} -std=c11 -O2 -o "$loggen" "$FMRD_SRCDIR/bench/loggen.c" 2>"$tmpdir/cc.err"; then
	not_ok "build bench/loggen.c" "$(head -5 "$tmpdir/cc.err")"
	tap_done
fi
truth() { sed -n "s/^$1 //p" "$2"; }
n=1000000
if nm -u "$FMRD_BIN" 2>/dev/null | grep -q __asan_; then n=100000; fi

# healthy traffic: no problem at all, every message and recipient counted
"$loggen" --healthy --seed 7 --messages "$n" --truth "$tmpdir/h.truth" \
	| "$FMRD_BIN" --json --no-config --year 2026 --messages none - > "$tmpdir/h.json"
if jq -e '[.findings[] | select(.severity == "error" or .severity == "warning")] | length == 0' \
	"$tmpdir/h.json" > /dev/null; then
	ok "healthy traffic ($n messages): no error or warning finding"
else
	not_ok "healthy traffic ($n messages): no error or warning finding" \
		"$(jq -c '[.findings[] | {id, count}]' "$tmpdir/h.json" | head -c 800)"
fi
want="$(truth messages "$tmpdir/h.truth") $(truth messages "$tmpdir/h.truth") $(truth recipients "$tmpdir/h.truth")"
got=$(jq -r '"\(.stats.messages.total) \(.stats.messages.sent) \(.stats.recipients)"' "$tmpdir/h.json")
[ "$got" = "$want" ] && ok "healthy traffic: messages, sent, recipients = truth ($want)" \
	|| not_ok "healthy traffic: messages, sent, recipients = truth" "want $want, got $got"

# mixed traffic: deferrals, bounces with notifications, expiries
"$loggen" --seed 3 --messages 100000 --truth "$tmpdir/m.truth" \
	| "$FMRD_BIN" --json --no-config --year 2026 --messages problems - > "$tmpdir/m.json"
ndr=$(truth ndr_messages "$tmpdir/m.truth")
want="$(( $(truth messages "$tmpdir/m.truth") + ndr )) $(( $(truth recipients "$tmpdir/m.truth") + ndr )) $(truth expired "$tmpdir/m.truth")"
got=$(jq -r '"\(.stats.messages.total) \(.stats.recipients) \(.stats.messages.expired)"' "$tmpdir/m.json")
[ "$got" = "$want" ] && ok "mixed traffic: messages, recipients, expired messages = truth ($want)" \
	|| not_ok "mixed traffic: messages, recipients, expired messages = truth" "want $want, got $got"
# every recipient that did not end "sent" is in a listed (problem) message
got=$(jq -r '[.messages[].recipients[].status] as $s | .stats.recipients as $r
	| "\($r - ([$s[] | select(. != "sent")] | length)) \([$s[] | select(. == "bounced")] | length) \([$s[] | select(. == "expired")] | length)"' "$tmpdir/m.json")
want="$(( $(truth sent "$tmpdir/m.truth") )) $(truth bounced "$tmpdir/m.truth") $(truth expired_recipients "$tmpdir/m.truth")"
[ "$got" = "$want" ] && ok "mixed traffic: sent, bounced, expired recipients = truth ($want)" \
	|| not_ok "mixed traffic: sent, bounced, expired recipients = truth" "want $want, got $got"
tap_done
