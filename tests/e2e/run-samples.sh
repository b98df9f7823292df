#!/bin/bash
# run-samples.sh - run the real binary on every samples/*/mail.log and
# compare its JSON (and exit status) with samples/*/expected.json (and
# expected.exit). A case is data: samples/NAME/{mail.log, postfix/, args,
# expected.json, expected.exit}. UPDATE=1 rewrites the expected files.
#
# Default arguments: --json --year 2026, then --config-dir postfix when
# the case has a postfix/ directory, else --no-config; a file "args" adds
# more (one per line).
. "$(dirname "$0")/tap.sh"

# every directory below samples/ that holds a mail.log is a case
while IFS= read -r log; do
	dir=$(dirname "$log")
	name=${dir#"$FMRD_SRCDIR"/samples/}
	name=${name//\//_}
	args=(--json --year 2026)
	if [ -d "$dir/postfix" ]; then args+=(--config-dir postfix); else args+=(--no-config); fi
	if [ -f "$dir/args" ]; then
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done < "$dir/args"
	fi
	out=$tmpdir/$name.json
	rc=0
	(cd "$dir" && "$FMRD_BIN" "${args[@]}" mail.log) >"$out" 2>"$tmpdir/$name.err" || rc=$?
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$out" "$dir/expected.json"
		echo "$rc" > "$dir/expected.exit"
	fi
	if [ ! -f "$dir/expected.json" ]; then
		not_ok "$name: no expected.json (run with UPDATE=1 and review it)"
		continue
	fi
	want_rc=$(cat "$dir/expected.exit" 2>/dev/null || echo 0)
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name: exit status $rc, expected $want_rc" "$(head -c 2000 "$tmpdir/$name.err")"
	elif ! cmp -s "$out" "$dir/expected.json"; then
		not_ok "$name: JSON differs from expected.json" \
			"$(diff <(tr ',' '\n' < "$dir/expected.json") <(tr ',' '\n' < "$out") | head -40)"
	else
		ok "$name: JSON and exit status as expected"
	fi
	# the text report of the same case must work too and stay clean
	# (exit 65, an unreadable log, is expected where expected.exit says so)
	trc=0
	(cd "$dir" && "$FMRD_BIN" "${args[@]:1}" mail.log) >"$tmpdir/$name.txt" 2>&1 || trc=$?
	if [ "$trc" -le 1 ] || [ "$trc" = "$want_rc" ]; then
		if grep -q $'\x1b' "$tmpdir/$name.txt"; then
			not_ok "$name: text report contains an ESC byte"
		else
			ok "$name: text report without control characters"
		fi
	else
		not_ok "$name: text report failed" "$(head -c 2000 "$tmpdir/$name.txt")"
	fi
done < <(find "$FMRD_SRCDIR/samples" -name mail.log -type f | LC_ALL=C sort)
tap_done
