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

tap_done() {
	echo "1..$tap_n"
	exit 0
}

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/fmrd-test.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT
