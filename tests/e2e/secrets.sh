#!/bin/bash
# secrets.sh - no SASL password from any sample's sasl_passwd (or from a
# static:/inline: map in main.cf) may appear in any output, text or JSON.
. "$(dirname "$0")/tap.sh"

found_any=0
while IFS= read -r log; do
	dir=$(dirname "$log")
	[ -f "$dir/postfix/sasl_passwd" ] || [ -f "$dir/postfix/main.cf" ] || continue
	[ -f "$dir/mail.log" ] || continue
	name=${dir#"$FMRD_SRCDIR"/}
	# passwords: sasl_passwd values after the first ':', static:/inline: values
	: > "$tmpdir/pw"
	if [ -f "$dir/postfix/sasl_passwd" ]; then
		grep -v '^[[:space:]]*#' "$dir/postfix/sasl_passwd" | awk 'NF >= 2 { v = $2; sub(/^[^:]*:/, "", v); if (v != "") print v }' >> "$tmpdir/pw"
	fi
	grep -v '^[[:space:]]*#' "$dir/postfix/main.cf" 2>/dev/null | grep -o 'static:[^ ,}]*' \
		| sed -n 's/^static:[^:]*:\(..*\)/\1/p' >> "$tmpdir/pw" || true
	grep -v '^[[:space:]]*#' "$dir/postfix/main.cf" 2>/dev/null | grep -o 'inline:{[^}]*}' | tr ',' '\n' | sed -n 's/.*=[^:]*:\(.*\)/\1/p' | tr -d ' }' >> "$tmpdir/pw" || true
	# a case may also list its passwords explicitly
	[ -f "$dir/passwords" ] && cat "$dir/passwords" >> "$tmpdir/pw"
	[ -s "$tmpdir/pw" ] || continue
	found_any=1
	for mode in --json ""; do
		(cd "$dir" && "$FMRD_BIN" $mode --year 2026 --config-dir postfix mail.log) > "$tmpdir/out" 2>&1 || true
		leaked=""
		while IFS= read -r pw; do
			[ -n "$pw" ] && grep -qF -- "$pw" "$tmpdir/out" && leaked="$leaked $pw"
		done < "$tmpdir/pw"
		if [ -z "$leaked" ]; then
			ok "$name ${mode:-text}: no password in the output"
		else
			not_ok "$name ${mode:-text}: password leaked into the output"
		fi
	done
done < <(find "$FMRD_SRCDIR/samples" "$FMRD_SRCDIR/tests/e2e/data" -name mail.log -type f | LC_ALL=C sort)
# the check itself must be able to fail: the sample passwords are in the inputs
if [ "$found_any" = 1 ] && grep -rqF -- "$(head -1 "$tmpdir/pw")" "$FMRD_SRCDIR"/samples "$FMRD_SRCDIR"/tests/e2e/data; then
	ok "the passwords searched for exist in the test inputs"
else
	not_ok "no sample with a password to search for"
fi

# verbose smtp logging (smtp -v, debug_peer_list) prints the password it
# looked up: redacted even without the configuration (the JSON story of
# the message carries those lines, so the check sees them)
vlog=$FMRD_SRCDIR/tests/e2e/data/verbose-sasl/mail.log
"$FMRD_BIN" --json --no-config --year 2026 --queue-id 1A2B3C4D5E "$vlog" > "$tmpdir/vout" 2>&1 || true
if grep -qF -e 'Verb0se-Pw-1' -e 'Verb0se-Pw-2' "$tmpdir/vout"; then
	not_ok "verbose SASL lookup lines: password leaked without configuration"
elif ! grep -q 'smtp_sasl_passwd_lookup: host .* pass .\*\*\*\*\*\*\*\*' "$tmpdir/vout" \
    || ! grep -q 'maps_find: .* = me@example.com:\*\*\*\*\*\*\*\*' "$tmpdir/vout"; then
	not_ok "verbose SASL lookup lines: the lines are not in the output, redacted (nothing checked)"
else
	ok "verbose SASL lookup lines: passwords redacted without configuration"
fi
tap_done
