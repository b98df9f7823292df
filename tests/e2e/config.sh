#!/bin/bash
# config.sh - the configuration checks on fixture roots: each case is
# data, tests/config/cases/NAME/ with
#   root/          files of a system copy (etc/postfix/main.cf, ...)
#   setup          optional sh script run in a copy of root/ (cwd and $ROOT;
#                  $TESTS = tests/config, whose lib.sh makes certificates):
#                  postmap, openssl, faketime, chmod, touch -d
#   mail.log       optional: a log run over the copy (--root ROOT mail.log)
#                  instead of --config-only, to test the merge of log and
#                  configuration evidence
#   args           optional extra arguments, one per line
#   expected.json  {exit, findings: [{id, severity, status, host,
#                  observations, count, evidence: ["KIND FILE:LINE"]}]},
#                  the copy's path written as ROOT; UPDATE=1 rewrites it
# Every case also runs as a text report; no output may contain "SECRET"
# and a --config-only report none of the phrases of tests/config/log-only.txt
# (the fixtures' passwords carry it) nor an ESC byte. FMRD_WRAP (e.g.
# valgrind ...) is put before the binary of the JSON run; FMRD_SHARD=K/N
# runs only every Nth case from the Kth (0-based), for parallel runs.
. "$(dirname "$0")/tap.sh"
command -v jq >/dev/null || { echo "1..0 # SKIP jq is not installed"; exit 0; }

cases=$FMRD_SRCDIR/tests/config/cases
proj='{exit: $rc, findings: [.findings[] | {id, severity, status, host, observations, count,
	evidence: [.evidence[] | "\(.kind) \(.file):\(.line)"]}]}'

shard=${FMRD_SHARD:-0/1}	# K/N: only every Nth case from the Kth (parallel runs)
shard_k=${shard%/*} shard_n=${shard#*/} i=-1
for dir in $(find "$cases" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort); do
	i=$((i + 1))
	[ $((i % shard_n)) = "$shard_k" ] || continue
	name=${dir##*/}
	root=$tmpdir/$name/root
	mkdir -p "$root"
	[ -d "$dir/root" ] && cp -a "$dir/root/." "$root/"
	if [ -f "$dir/setup" ] && ! (cd "$root" && ROOT=$root TESTS=$FMRD_SRCDIR/tests/config \
			sh -e "$dir/setup") >"$tmpdir/$name.setup" 2>&1; then
		not_ok "$name: setup failed" "$(tail -20 "$tmpdir/$name.setup")"
		continue
	fi
	args=(--root "$root")
	if [ -f "$dir/args" ]; then
		while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done < "$dir/args"
	fi
	if [ -f "$dir/mail.log" ]; then args+=(--year 2026 "$dir/mail.log"); else args+=(--config-only); fi
	rc=0
	# shellcheck disable=SC2086
	${FMRD_WRAP:-} "$FMRD_BIN" --json "${args[@]}" >"$tmpdir/$name.json" 2>"$tmpdir/$name.err" || rc=$?
	if ! jq --argjson rc "$rc" "$proj" "$tmpdir/$name.json" >"$tmpdir/$name.p" 2>>"$tmpdir/$name.err"; then
		not_ok "$name: no valid JSON (exit $rc)" "$(head -c 2000 "$tmpdir/$name.err")"
		continue
	fi
	sed "s|$root|ROOT|g; s|$dir|CASE|g" "$tmpdir/$name.p" >"$tmpdir/$name.got"
	[ "${UPDATE:-0}" = 1 ] && cp "$tmpdir/$name.got" "$dir/expected.json"
	if [ ! -f "$dir/expected.json" ]; then
		not_ok "$name: no expected.json (run with UPDATE=1 and review it)"
	elif ! cmp -s "$tmpdir/$name.got" "$dir/expected.json"; then
		not_ok "$name: findings differ from expected.json" \
			"$(diff "$dir/expected.json" "$tmpdir/$name.got" | head -40)"
	else
		ok "$name: findings as expected"
	fi
	trc=0
	"$FMRD_BIN" "${args[@]}" >"$tmpdir/$name.txt" 2>&1 || trc=$?
	if [ "$trc" != "$rc" ]; then
		not_ok "$name: text report exit $trc, JSON exit $rc" "$(head -c 2000 "$tmpdir/$name.txt")"
	elif grep -q $'\x1b' "$tmpdir/$name.txt"; then
		not_ok "$name: text report contains an ESC byte"
	elif grep -l SECRET "$tmpdir/$name.txt" "$tmpdir/$name.json" "$tmpdir/$name.err" >/dev/null; then
		not_ok "$name: a password (SECRET) appears in the output" \
			"$(grep -h SECRET "$tmpdir/$name.txt" "$tmpdir/$name.json" "$tmpdir/$name.err" | head -5)"
	else
		ok "$name: text report clean, no password in any output"
	fi
	# without a log, no finding may tell of a log line (tests/config/log-only.txt)
	if [ ! -f "$dir/mail.log" ]; then
		grep -v '^#' "$FMRD_SRCDIR/tests/config/log-only.txt" > "$tmpdir/log-only"
		if grep -F -f "$tmpdir/log-only" "$tmpdir/$name.txt" > "$tmpdir/$name.lo"; then
			not_ok "$name: --config-only tells of a log line" "$(head -5 "$tmpdir/$name.lo")"
		else
			ok "$name: --config-only tells nothing only a log line could"
		fi
	fi
done
tap_done
