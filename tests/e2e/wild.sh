#!/bin/bash
# wild.sh - run the real binary on Postfix logs that other people published
# (samples/wild/SOURCE/wild.log, provenance in SOURCE/SOURCE) and check the
# expectations written down in samples/wild/SOURCE/expect.
#
# The logs are named wild.log, not mail.log, so that run-samples.sh (which
# wants an expected.json beside every mail.log) does not pick them up.
#
# expect holds one KEY=VALUE a line ('#' starts a comment). The counts were
# worked out from the log itself (grep/awk), not copied from the program's
# output. Keys:
#   year=YYYY            --year for the run (default 2026)
#   exit=N[|N...]        the exit status (any run must give 0, 1 or 65)
#   unread_lines=N       stats.not_understood: header + queue_id + record
#   postfix_lines=N      stats.parsed
#   lines=N              stats.lines
#   messages=N           stats.messages.total
#   sent= deferred= bounced= expired= queued= rejected= held=N
#                        stats.messages.<outcome>
#   first_finding=ID     id of the first finding ("none": no finding)
#   max_findings=N       at most N findings
#   has_finding=ID       a finding ID that must be reported (repeatable)
#   no_finding=ID        a finding ID that must not be reported (repeatable)
#   not_problem=ID       ID may be reported, but not as warning or error
#                        (repeatable)
#   todo.KEY=REASON      the tool is known to get KEY wrong: its checks are
#                        TAP "# TODO REASON", which does not fail the suite.
#                        Remove the line once the tool is fixed.
. "$(dirname "$0")/tap.sh"


wild=$FMRD_SRCDIR/samples/wild
found=0
for dir in "$wild"/*/; do
	dir=${dir%/}
	[ -f "$dir/wild.log" ] || continue
	name=$(basename "$dir")
	found=$((found + 1))
	if [ ! -f "$dir/expect" ]; then
		not_ok "$name: no expect file"
		continue
	fi
	if [ ! -f "$dir/SOURCE" ]; then
		not_ok "$name: no SOURCE file (provenance)"
	fi

	# read the expectations: keys may repeat, so keep them as lines
	declare -A todo=()
	exp=()
	year=2026
	while IFS= read -r l || [ -n "$l" ]; do
		l=${l%%#*}
		l=${l%"${l##*[![:space:]]}"}
		[ -z "$l" ] && continue
		key=${l%%=*}
		val=${l#*=}
		case $key in
		year) year=$val ;;
		todo.*) todo[${key#todo.}]=$val ;;
		*) exp+=("$key=$val") ;;
		esac
	done < "$dir/expect"

	out=$tmpdir/$name.json
	rc=0
	(cd "$dir" && "$FMRD_BIN" --json --no-config --year "$year" wild.log) >"$out" 2>"$tmpdir/$name.err" || rc=$?
	case $rc in
	0 | 1 | 65) ok "$name: runs (exit status $rc)" ;;
	*)
		not_ok "$name: exit status $rc (crash or fatal error)" "$(head -c 2000 "$tmpdir/$name.err")"
		unset todo
		continue
		;;
	esac
	if ! jq -e . "$out" >/dev/null 2>&1; then
		not_ok "$name: output is not valid JSON" "$(head -c 500 "$out")"
		unset todo
		continue
	fi
	ok "$name: valid JSON"

	for e in "${exp[@]}"; do
		key=${e%%=*}
		val=${e#*=}
		t=${todo[$key]:-}
		case $key in
		exit)
			pass=0
			IFS='|' read -r -a codes <<< "$val"
			for c in "${codes[@]}"; do [ "$c" = "$rc" ] && pass=1; done
			tap_point "$name: exit status $val" "$t" "$pass" "got $rc"
			;;
		unread_lines | postfix_lines | lines | messages | sent | deferred | bounced | expired | queued | rejected | held)
			case $key in
			unread_lines) q='.stats.not_understood.header + .stats.not_understood.queue_id + .stats.not_understood.record' ;;
			postfix_lines) q='.stats.parsed' ;;
			lines) q='.stats.lines' ;;
			messages) q='.stats.messages.total' ;;
			*) q=".stats.messages.$key" ;;
			esac
			got=$(jq -r "$q" "$out")
			pass=0
			[ "$got" = "$val" ] && pass=1
			tap_point "$name: $key = $val" "$t" "$pass" "got $got"
			;;
		first_finding)
			got=$(jq -r '.findings[0].id // "none"' "$out")
			pass=0
			[ "$got" = "$val" ] && pass=1
			tap_point "$name: first finding $val" "$t" "$pass" "got $got" \
				"findings: $(jq -r '[.findings[] | .id + "(" + .severity + ")"] | join(" ")' "$out")"
			;;
		max_findings)
			got=$(jq -r '.findings | length' "$out")
			pass=0
			[ "$got" -le "$val" ] && pass=1
			tap_point "$name: at most $val findings" "$t" "$pass" "got $got"
			;;
		has_finding | no_finding | not_problem)
			case $key in
			has_finding) q="any(.findings[]; .id == \"$val\")"; desc="reports $val" ;;
			no_finding) q="all(.findings[]; .id != \"$val\")"; desc="does not report $val" ;;
			not_problem) q="all(.findings[]; .id != \"$val\" or (.severity != \"error\" and .severity != \"warning\"))"
				desc="$val is not reported as a problem" ;;
			esac
			pass=0
			[ "$(jq -r "$q" "$out")" = true ] && pass=1
			tap_point "$name: $desc" "$t" "$pass" \
				"findings: $(jq -r '[.findings[] | .id + "(" + .severity + ")"] | join(" ")' "$out")"
			;;
		*)
			not_ok "$name: unknown key '$key' in expect"
			;;
		esac
	done

	# the text report of the same log must work and stay free of ESC bytes
	trc=0
	(cd "$dir" && "$FMRD_BIN" --no-config --year "$year" wild.log) >"$tmpdir/$name.txt" 2>&1 || trc=$?
	if [ "$trc" != 0 ] && [ "$trc" != 1 ] && [ "$trc" != 65 ]; then
		not_ok "$name: text report failed (exit status $trc)" "$(head -c 2000 "$tmpdir/$name.txt")"
	elif grep -q $'\x1b' "$tmpdir/$name.txt"; then
		not_ok "$name: text report contains an ESC byte"
	else
		ok "$name: text report without control characters"
	fi
	unset todo
done
if [ "$found" -lt 6 ]; then
	not_ok "at least 6 sources below samples/wild (found $found)"
fi
tap_done
