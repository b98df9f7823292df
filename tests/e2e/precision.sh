#!/bin/bash
# precision.sh - the tool against the benchmark generator's ground truth:
# healthy traffic (1 M messages; 100 k in a sanitizer build) yields no
# error or warning finding and exactly the generator's message and
# recipient counts; mixed traffic yields exactly its sent, bounced and
# expired recipients and its expired messages; direct-to-MX traffic
# (loggen --direct: 20 k messages, 5 k in a sanitizer build) yields exact
# counts and only recipient-side findings.
. "$(dirname "$0")/tap.sh"


loggen=$tmpdir/loggen
if ! ${CC:-cc} -std=c11 -O2 -o "$loggen" "$FMRD_SRCDIR/bench/loggen.c" 2>"$tmpdir/cc.err"; then
	not_ok "build bench/loggen.c" "$(head -5 "$tmpdir/cc.err")"
	tap_done
fi
truth() { sed -n "s/^$1 //p" "$2"; }
n=1000000 nd=20000
if nm -u "$FMRD_BIN" 2>/dev/null | grep -q __asan_; then n=100000 nd=5000; fi

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

# direct-to-MX traffic: no relayhost; greylisting, full mailboxes, unknown
# users, mistyped domains, block-list refusals, a throttling provider, a
# dead MX (expiries), opportunistic TLS. Everything that goes wrong is on
# the recipients' side (or was overcome by a retry).
d=$tmpdir/d.truth
"$loggen" --direct --seed 11 --messages "$nd" --truth "$d" \
	| "$FMRD_BIN" --json --no-config --year 2026 --messages problems - > "$tmpdir/d.json"
ndr=$(truth ndr_messages "$d")
want="$(( $(truth messages "$d") + ndr )) $(( $(truth recipients "$d") + ndr )) $(truth expired "$d")"
got=$(jq -r '"\(.stats.messages.total) \(.stats.recipients) \(.stats.messages.expired)"' "$tmpdir/d.json")
[ "$got" = "$want" ] && ok "direct traffic ($nd messages): messages, recipients, expired messages = truth ($want)" \
	|| not_ok "direct traffic: messages, recipients, expired messages = truth" "want $want, got $got"
got=$(jq -r '[.messages[].recipients[].status] as $s | .stats.recipients as $r
	| "\($r - ([$s[] | select(. != "sent")] | length)) \([$s[] | select(. == "bounced")] | length) \([$s[] | select(. == "expired")] | length)"' "$tmpdir/d.json")
want="$(truth sent "$d") $(truth bounced "$d") $(truth expired_recipients "$d")"
[ "$got" = "$want" ] && ok "direct traffic: sent, bounced, expired recipients = truth ($want)" \
	|| not_ok "direct traffic: sent, bounced, expired recipients = truth" "want $want, got $got"
got=$(jq '.findings | length' "$tmpdir/d.json")
[ "$got" -le 30 ] && ok "direct traffic: at most 30 findings ($got)" \
	|| not_ok "direct traffic: at most 30 findings" "$got findings: $(jq -c '[.findings[].id]' "$tmpdir/d.json" | head -c 800)"
# Known tool defects (reported; remove the filters once fixed): a TAP
# point that fails only because of them is "# TODO", any other offending
# finding fails it. (1) delivery.expired is an error although the mail
# expired at a recipient domain's dead MX. (2) "QID: host X[addr] said:
# 421 ..." from a non-final MX host (a name without port) is judged by the
# next-hop tally, which keeps only the first 64 port-25 next hops
# (NH_MAX_HOPS): a Google MX host seen later is taken for a relay
# (relay.rate_limited, error, one finding per host).
known='(.id == "delivery.expired")
	or (.id == "relay.rate_limited" and ((.host // "") | test("(^|\\.)gmail-smtp-in\\.l\\.google\\.example$")))'
# offending: jq selection; prints "unknown-offenders|known-offenders"
offenders() {
	jq -c "[.findings[] | select($1) | {id, severity, host, count}]
		| \"\\([.[] | select(($known) | not)])|\\([.[] | select($known)])\"" -r "$tmpdir/d.json"
}
# tap_known DESC TODO-REASON "unknown|known"
tap_known() {
	local unknown=${3%%|*} kn=${3#*|}
	if [ "$unknown" != "[]" ]; then
		tap_point "$1" "" 0 "$unknown $kn"
	elif [ "$kn" != "[]" ]; then
		tap_point "$1" "$2" 0 "$kn"
	else
		tap_point "$1" "" 1
	fi
}
tap_known "direct traffic: no finding of severity error" \
	"delivery.expired is an error for mail expired at a recipient's dead MX; relay.rate_limited (error) for a 421 from a recipient MX beyond the 64 tallied next hops" \
	"$(offenders '.severity == "error"')"
tap_known "direct traffic: no relay/dns/net/sasl/tls finding of severity warning or error" \
	"relay.rate_limited for a 421 from a recipient MX beyond the 64 tallied next hops (NH_MAX_HOPS)" \
	"$(offenders '(.id | test("^(relay|dns|net|sasl|tls)\\.")) and (.severity == "error" or .severity == "warning")')"
got=$(jq -r '[.findings[] | select(.id == "recipient.greylisted") | .severity] | join(",")' "$tmpdir/d.json")
[ "$got" = info ] && [ "$(truth greylisted_messages "$d")" -gt 0 ] \
	&& ok "direct traffic: recipient.greylisted reported, severity info ($(truth greylisted_messages "$d") messages)" \
	|| not_ok "direct traffic: recipient.greylisted reported, severity info" \
		"severity: '$got', greylisted messages: $(truth greylisted_messages "$d")"
# every greylisted recipient was delivered by a retry: overcome. Known
# defect (3): the tool judges per message, so a greylisted message with
# another recipient (another domain) that bounced or expired keeps the
# finding active; the generator counts such messages.
got=$(jq -r '[.findings[] | select(.id == "recipient.greylisted") | .status] | join(",")' "$tmpdir/d.json")
want="$(truth greylisted_sent "$d")/$(truth greylisted_recipients "$d")"
gfail=$(truth greylisted_messages_failed "$d")
desc="direct traffic: recipient.greylisted overcome (greylisted recipients delivered: $want)"
if [ "$got" = overcome ] && [ "${want%/*}" = "${want#*/}" ]; then
	tap_point "$desc" "" 1
elif [ "$got" = active ] && [ "${want%/*}" = "${want#*/}" ] && [ "$gfail" -gt 0 ]; then
	tap_point "$desc" "overcome is judged per message: $gfail greylisted messages had another recipient that bounced or expired" 0 \
		"status: '$got'"
else
	tap_point "$desc" "" 0 "status: '$got', greylisted recipients delivered/all: $want, greylisted messages with a failed recipient: $gfail"
fi
got=$(jq -r '[.findings[] | select(.id == "recipient.unknown_user") | .severity] | join(",")' "$tmpdir/d.json")
[ "$got" = warning ] && [ "$(truth unknown_user_bounced "$d")" -gt 0 ] \
	&& ok "direct traffic: recipient.unknown_user reported, severity warning ($(truth unknown_user_bounced "$d") bounced)" \
	|| not_ok "direct traffic: recipient.unknown_user reported, severity warning" \
		"severity: '$got', unknown users bounced: $(truth unknown_user_bounced "$d")"
tap_done
