#!/bin/sh
# run.sh - run one libFuzzer target of tests/fuzz for a while:
#   tests/fuzz/run.sh TARGET [SECONDS [libFuzzer options...]]
# TARGET: syslog_hdr record pipeline catalog pfconf sasl_passwd (the
# program is tests/fuzz/fuzz_TARGET of the build, $FMRD_FUZZ_BUILD,
# default build-fuzz: scripts/build.sh build-fuzz CC=clang --enable-fuzzing).
# Seeds are made afresh from samples/ and patterns/ plus the regression
# inputs in tests/fuzz/regress/TARGET; what the fuzzer finds is kept in
# WORK/TARGET/corpus for the next run (WORK: $FMRD_FUZZ_WORK, default
# BUILD/tests/fuzz/work). A crash, leak or timeout leaves its input in
# WORK/TARGET/ and exits 1; rerun the program with that file as its
# argument to reproduce it.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 TARGET [SECONDS [libFuzzer options]]" >&2; exit 2; }
t=$1
secs=${2:-60}
shift
[ $# -gt 0 ] && shift
build=${FMRD_FUZZ_BUILD:-$src/build-fuzz}
bin=$build/tests/fuzz/fuzz_$t
if [ ! -x "$bin" ]; then
	echo "run.sh: $bin is not built (scripts/build.sh build-fuzz CC=clang --enable-fuzzing)" >&2
	exit 2
fi
work=${FMRD_FUZZ_WORK:-$build/tests/fuzz/work}/$t
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$work/corpus"

logs() {	# every sample log
	find "$src/samples" "$src/tests/e2e/data" -type f -name '*.log' 2>/dev/null | LC_ALL=C sort
}
conf() {	# every sample file called $1
	find "$src/samples" "$src/tests/e2e/data" -type f -name "$1" 2>/dev/null | LC_ALL=C sort
}
copy_unique() {	# copy files named on stdin into $seeds, once per content
	while IFS= read -r f; do
		cp "$f" "$seeds/$(cksum < "$f" | cut -d' ' -f1)"
	done
}

case $t in
syslog_hdr)
	maxlen=4096
	logs | xargs cat | LC_ALL=C awk -v d="$seeds" '!seen[$0]++ {
		f = sprintf("%s/line%05d", d, ++n); printf "%s", $0 > f; close(f) }' ;;
record)
	# the text after the syslog host: from the "ident[pid]:" field on
	maxlen=4096
	logs | xargs cat | LC_ALL=C awk -v d="$seeds" '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /\[[0-9]+\]:$/) { r = substr($0, index($0, $i)); break }
		if (i > NF || seen[r]++) next
		f = sprintf("%s/rest%05d", d, ++n); printf "%s", r > f; close(f) }' ;;
pipeline)
	# the first 8 KiB (whole lines) of each log, all of the hostile one
	maxlen=16384
	i=0
	for f in $(logs); do
		i=$((i + 1))
		split -C 8192 -d -a 3 "$f" "$seeds/log$i-"
		case $f in */hostile-input/*) ;; *) find "$seeds" -name "log$i-*" ! -name "log$i-000" -delete ;; esac
	done ;;
catalog)
	maxlen=32768
	ls "$src"/patterns/*.rules | copy_unique ;;
pfconf)
	maxlen=32768
	{ conf main.cf; conf master.cf; } | copy_unique ;;
sasl_passwd)
	maxlen=4096
	conf sasl_passwd | copy_unique ;;
*)
	echo "run.sh: unknown target $t" >&2
	exit 2 ;;
esac
if [ -d "$src/tests/fuzz/regress/$t" ]; then
	cp "$src/tests/fuzz/regress/$t"/* "$seeds/" 2>/dev/null || true
fi

rc=0
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len="$maxlen" \
	-print_final_stats=1 -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds" \
	> "$work/fuzz.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "fuzz_$t: FAILED (exit $rc); log $work/fuzz.log"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|INFO: Timeout)' "$work/fuzz.log" | head -5
	grep -E '^(Test unit written|artifact_prefix)' "$work/fuzz.log" | tail -2
	grep -E '^    #[0-9]+ ' "$work/fuzz.log" | head -12
	exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
cov=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
echo "fuzz_$t: ok, ${runs:-?} runs in ${secs}s (${cov:-no stats})"
