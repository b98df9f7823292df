# tap.sh - tiny TAP helpers for the end-to-end tests (sourced).
# Each check is one TAP test point; the plan is printed at the end.
tap_n=0
tap_failed=0
: "${FMRD_BIN:?FMRD_BIN must point to the fmrelay-doctor binary}"
: "${FMRD_SRCDIR:?FMRD_SRCDIR must point to the source tree}"
unset NO_COLOR

ok() {		# ok DESCRIPTION
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {	# not_ok DESCRIPTION [DETAIL...]
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

check() {	# check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc" "command failed: $*"; fi
}

# tap_point DESC TODO-REASON OK? [DETAIL...]: a test point; with a
# TODO-REASON the tool is known to fail it (TAP "# TODO", no suite
# failure; a pass then shows as XPASS: remove the reason once fixed)
tap_point() {
	local desc=$1 todo=$2 pass=$3
	shift 3
	local suffix=
	[ -n "$todo" ] && suffix=" # TODO $todo"
	tap_n=$((tap_n + 1))
	if [ "$pass" = 1 ]; then
		echo "ok $tap_n - $desc$suffix"
	else
		[ -z "$todo" ] && tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $desc$suffix"
		for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
	fi
}

tap_done() {
	echo "1..$tap_n"
	exit 0
}

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/fmrd-test.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT
