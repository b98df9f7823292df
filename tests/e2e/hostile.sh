#!/bin/bash
# hostile.sh - untrusted input never crashes the tool, JSON output stays
# valid UTF-8 JSON, text output carries no terminal control characters:
# the hostile sample, random binary garbage, a truncated file, NUL bytes.
. "$(dirname "$0")/tap.sh"

run_case() {	# run_case NAME FILE
	local name=$1 file=$2 rc=0
	"$FMRD_BIN" --json --no-config --year 2026 "$file" > "$tmpdir/o.json" 2>"$tmpdir/e" || rc=$?
	# 65: no Postfix record could be read (random bytes), said on stderr
	if [ "$rc" -le 1 ] || [ "$rc" = 65 ]; then ok "$name: exits normally (json)"; else
		not_ok "$name: exit $rc (json)" "$(head -c 500 "$tmpdir/e")"; fi
	if iconv -f UTF-8 -t UTF-8 "$tmpdir/o.json" >/dev/null 2>&1; then ok "$name: JSON is valid UTF-8"; else
		not_ok "$name: JSON is not valid UTF-8"; fi
	if jq -e '.schema_version == 1 and (.stats | has("lines"))' "$tmpdir/o.json" >/dev/null 2>&1; then
		ok "$name: output parses as the JSON document"; else not_ok "$name: output is not valid JSON"; fi
	rc=0
	"$FMRD_BIN" --no-config --year 2026 "$file" > "$tmpdir/o.txt" 2>&1 || rc=$?
	if { [ "$rc" -le 1 ] || [ "$rc" = 65 ]; } && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' < "$tmpdir/o.txt"); then
		ok "$name: text report has no control characters"
	else
		not_ok "$name: text report (exit $rc) has control characters or failed"
	fi
}

run_case "hostile sample" "$FMRD_SRCDIR/samples/hostile-input/mail.log"

# deterministic pseudo-random garbage (awk's generator with a fixed seed)
LC_ALL=C awk 'BEGIN { srand(42); for (i = 0; i < 300000; i++) printf "%c", int(rand() * 256) }' > "$tmpdir/garbage.bin"
run_case "random bytes" "$tmpdir/garbage.bin"

# Postfix lines with garbage spliced in, and a file cut in the middle of a line
sample=$FMRD_SRCDIR/samples/sasl-auth-failed/mail.log
head -c $(( $(wc -c < "$sample") / 2 )) "$sample" > "$tmpdir/cut.log"
run_case "truncated file" "$tmpdir/cut.log"
LC_ALL=C awk 'BEGIN { srand(7) } { if (rand() < 0.3) { n = int(rand() * length($0)); printf "%s%c%c%s\n", substr($0, 1, n), 0, 27, substr($0, n + 1) } else print }' \
	"$sample" > "$tmpdir/spliced.log"
run_case "NUL and ESC spliced into records" "$tmpdir/spliced.log"
# a 100 MB line must be cut, counted, and not held in memory
{ head -c 3000000 /dev/zero | tr '\0' 'A'; echo; cat "$sample"; } > "$tmpdir/long.log"
"$FMRD_BIN" --json --no-config --year 2026 "$tmpdir/long.log" > "$tmpdir/long.json" 2>/dev/null || true
if jq -e '.stats.truncated == 1' "$tmpdir/long.json" >/dev/null 2>&1; then ok "over-long line is cut and counted"; else
	not_ok "over-long line is cut and counted"; fi
tap_done
