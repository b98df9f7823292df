#!/bin/bash
# test.sh - README quick start (2) and CI: install what is missing, build,
# run the whole suite (unit + end-to-end) in a normal build and in an
# AddressSanitizer/UBSan build, check every sample under valgrind for
# leaks and memory errors, then `make distcheck`. Ends with the line
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1
pass=0 fail=0 skip=0

count() {	# add the automake test summary in $1 to the totals
	local p f s e
	p=$(sed -n 's/^# PASS: *//p' "$1" | tail -1)
	f=$(sed -n 's/^# FAIL: *//p' "$1" | tail -1)
	e=$(sed -n 's/^# ERROR: *//p' "$1" | tail -1)
	s=$(sed -n 's/^# SKIP: *//p' "$1" | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0})); skip=$((skip + ${s:-0}))
	[ -n "$p" ] || fail=$((fail + 1))	# no summary: the run itself broke
}

suite() {	# suite NAME DIR [configure args]
	local name=$1 dir=$2
	shift 2
	echo "== $name"
	if ! scripts/build.sh "$dir" "$@"; then
		echo "$name: build failed"; fail=$((fail + 1)); return
	fi
	make -C "$dir" -j"$(nproc)" check > "$dir/check.out" 2>&1
	grep -E '^(# [A-Z]+:|FAIL|ERROR)' "$dir/check.out"
	grep -q '^# FAIL: *0$' "$dir/check.out" || cat "$dir"/tests/*/*.log 2>/dev/null | grep -B2 -A12 '^not ok' | head -80
	count "$dir/check.out"
}

suite "tests" build
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	suite "tests under AddressSanitizer + UndefinedBehaviorSanitizer" build-san --enable-sanitizers

echo "== valgrind (memcheck, full leak check) on every sample"
for log in $(find samples -name mail.log -type f | LC_ALL=C sort); do
	d=$(dirname "$log")
	if [ -d "$d/postfix" ]; then cfg=(--config-dir "$d/postfix"); else cfg=(--no-config); fi
	if FMRELAY_DOCTOR_NO_JIT=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		build/src/fmrelay-doctor --json --year 2026 "${cfg[@]}" "$d/mail.log" >/dev/null 2>"build/valgrind.err"; \
		rc=$?; [ "$rc" -le 1 ]; then
		pass=$((pass + 1))
	else
		echo "valgrind: $d: exit $rc"; head -30 build/valgrind.err; fail=$((fail + 1))
	fi
done

echo "== real Postfix on loopback (tests/postfix)"
if [ ! -x tests/postfix/run.sh ]; then
	echo "tests/postfix/run.sh missing"; fail=$((fail + 1))
elif [ -n "${FMRD_SKIP_POSTFIX:-}" ]; then
	echo "skipped: FMRD_SKIP_POSTFIX is set"; skip=$((skip + 1))
elif [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root (it installs and starts Postfix on 127.0.0.1)"; skip=$((skip + 1))
else
	FMRD_BIN=$PWD/build/src/fmrelay-doctor FMRD_SRCDIR=$PWD \
		tests/postfix/run.sh > build/postfix.tap 2>&1
	p=$(grep -c '^ok ' build/postfix.tap || true)
	f=$(grep -c '^not ok ' build/postfix.tap || true)
	grep -A4 '^not ok ' build/postfix.tap | head -60
	if ! grep -q '^1\.\.[0-9]' build/postfix.tap; then
		echo "tests/postfix/run.sh did not finish:"; tail -20 build/postfix.tap; f=$((f + 1))
	fi
	echo "$p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
fi

echo "== make distcheck"
if make -C build distcheck > build/distcheck.out 2>&1; then
	pass=$((pass + 1))
else
	echo "make distcheck failed:"; tail -40 build/distcheck.out; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
