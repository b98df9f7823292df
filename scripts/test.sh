#!/bin/bash
# test.sh - README quick start (2) and CI: install what is missing, build,
# run the whole suite (unit + end-to-end) in a normal build and in an
# AddressSanitizer/UBSan build, check every sample under valgrind for
# leaks and memory errors, run each libFuzzer target briefly (tests/fuzz,
# skipped without clang), then `make distcheck`. Ends with the line
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
# samples/*/mail.log (with their postfix/ configuration) and the logs from
# outside (samples/wild/*/wild.log); exit 0, 1 or the expected status; as
# many at a time as there are cores
vs=$(mktemp -d)
vg_sample() {	# vg_sample N LOG: result in $vs/N.ok or $vs/N.fail
	local log=$2 d cfg want rc
	d=$(dirname "$log")
	if [ -d "$d/postfix" ]; then cfg=(--config-dir "$d/postfix"); else cfg=(--no-config); fi
	want=$(cat "$d/expected.exit" 2>/dev/null || echo 1)
	FMRELAY_DOCTOR_NO_JIT=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		build/src/fmrelay-doctor --json --year 2026 "${cfg[@]}" "$log" >/dev/null 2>"$vs/$1.err"
	rc=$?
	if [ "$rc" -le 1 ] || [ "$rc" = "$want" ]; then
		: > "$vs/$1.ok"
	else
		{ echo "valgrind: $log: exit $rc"; head -30 "$vs/$1.err"; } > "$vs/$1.fail"
	fi
}
n=0
for log in $(find samples \( -name mail.log -o -name wild.log \) -type f | LC_ALL=C sort); do
	n=$((n + 1))
	vg_sample "$n" "$log" &
	while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
done
wait
pass=$((pass + $(find "$vs" -name '*.ok' | wc -l)))
for f in "$vs"/*.fail; do
	[ -e "$f" ] || continue
	cat "$f"; fail=$((fail + 1))
done
[ "$(find "$vs" -name '*.ok' -o -name '*.fail' | wc -l)" = "$n" ] || { echo "valgrind: $n samples, results missing"; fail=$((fail + 1)); }
rm -rf "$vs"

echo "== valgrind on the sources: rotations with .gz and a window; a followed log"
vt=$(mktemp -d)
cat samples/postfix-3.7/*/mail.log > "$vt/long"
head -n 200 "$vt/long" | gzip > "$vt/mail.log.2.gz"
sed -n '201,400p' "$vt/long" > "$vt/mail.log.1"
sed -n '401,$p' "$vt/long" > "$vt/mail.log"
vg() {	# vg NAME ARGS...: the binary under memcheck; exit 0 or 1 passes
	local name=$1 rc
	shift
	FMRELAY_DOCTOR_NO_JIT=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 build/src/fmrelay-doctor "$@" > /dev/null 2> "build/valgrind.err"
	rc=$?
	if [ "$rc" -le 1 ]; then pass=$((pass + 1))
	else echo "valgrind: $name: exit $rc"; head -30 build/valgrind.err; fail=$((fail + 1)); fi
}
vg "--rotated --since" --json --no-config --year 2026 --rotated --since "Nov 23 22:30" "$vt/mail.log"
vg "--last on a .gz" --ndjson --no-config --year 2026 --last 1h "$vt/mail.log.2.gz"
: > "$vt/f.log"
FMRELAY_DOCTOR_NO_JIT=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=99 build/src/fmrelay-doctor --follow --json --no-config --year 2026 \
	"$vt/f.log" > /dev/null 2> "build/valgrind.err" &
vpid=$!
sleep 3
head -n 300 "$vt/long" >> "$vt/f.log"
sleep 4
kill -TERM "$vpid"
wait "$vpid"
rc=$?
if [ "$rc" -le 1 ]; then pass=$((pass + 1))
else echo "valgrind: --follow: exit $rc"; head -30 build/valgrind.err; fail=$((fail + 1)); fi
rm -rf "$vt"

echo "== valgrind on the configuration checks (every case of tests/config/cases)"
# config.sh with the binary under memcheck: an error or a leak is exit 99,
# which differs from the case's expected exit; the cases split over the
# cores (FMRD_SHARD), each part's TAP counted
nsh=$(nproc)
for k in $(seq 0 $((nsh - 1))); do
	FMRD_SHARD=$k/$nsh FMRD_BIN=$PWD/build/src/fmrelay-doctor FMRD_SRCDIR=$PWD \
		FMRELAY_DOCTOR_PATTERNS=$PWD/patterns FMRELAY_DOCTOR_NO_JIT=1 \
		FMRD_WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99" \
		bash tests/e2e/config.sh > "build/vg-config.$k.out" 2>&1 &
done
wait
for k in $(seq 0 $((nsh - 1))); do
	o=build/vg-config.$k.out
	grep -A8 '^not ok' "$o" | head -30
	pass=$((pass + $(grep -c '^ok ' "$o")))
	fail=$((fail + $(grep -c '^not ok ' "$o")))
	grep -q '^1\.\.[1-9]' "$o" || { echo "valgrind: config.sh part $k did not finish"; tail -5 "$o"; fail=$((fail + 1)); }
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
	f=$(grep '^not ok ' build/postfix.tap | grep -vc '# TODO' || true)
	grep -A4 '^not ok ' build/postfix.tap | head -60
	if ! grep -q '^1\.\.[0-9]' build/postfix.tap; then
		echo "tests/postfix/run.sh did not finish:"; tail -20 build/postfix.tap; f=$((f + 1))
	fi
	echo "$p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
fi

fuzz_secs=${FMRD_FUZZ_SECONDS:-8}
fuzz_targets=(syslog_hdr record pipeline catalog pfconf sasl_passwd)
echo "== fuzz (libFuzzer with ASan + UBSan, ${fuzz_secs} s per target)"
fuzz_probe() {	# can clang link a libFuzzer target here?
	local d rc
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' > "$d/t.c"
	clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" > /dev/null 2>&1
	rc=$?; rm -rf "$d"; return $rc
}
if ! command -v clang > /dev/null 2>&1; then
	echo "skipped: clang is not installed"; skip=$((skip + ${#fuzz_targets[@]}))
elif ! fuzz_probe; then
	echo "skipped: clang cannot link libFuzzer targets (libclang-rt-dev missing?)"; skip=$((skip + ${#fuzz_targets[@]}))
elif ! scripts/build.sh build-fuzz CC=clang --enable-fuzzing; then
	echo "fuzz: build failed"; fail=$((fail + 1))
else
	rm -rf build-fuzz/ci-work
	for t in "${fuzz_targets[@]}"; do
		if FMRD_FUZZ_WORK=build-fuzz/ci-work tests/fuzz/run.sh "$t" "$fuzz_secs"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
fi

echo "== make distcheck"
# the tarball builds, installs and finds its data: the tests that read the
# distributed data (samples, fixture roots, rules, man page) run there; the
# whole suite ran above on the same sources
if make -C build distcheck TESTS="tests/e2e/run-samples.sh tests/e2e/config.sh tests/e2e/cli.sh tests/unit/test_catalog" \
	> build/distcheck.out 2>&1; then
	pass=$((pass + 1))
else
	echo "make distcheck failed:"; tail -40 build/distcheck.out; fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
