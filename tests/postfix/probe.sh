#!/bin/bash
# probe.sh - the cases of "fmrelay-doctor probe" against the real servers
# of this suite (tests/postfix/probe/NAME/, data only). run.sh sources this
# file and runs the cases after its scenarios, in the same TAP stream (its
# counter, its plan at the end), as tests "probe/NAME json" and
# "probe/NAME text". Run alone (still as root), it runs only these cases:
#
#   tests/postfix/probe.sh [PATTERN...]   # = run.sh --probe-only [PATTERN...]
#
# A case is a directory probe/NAME/ with these files:
#   args        the probe's arguments after "probe --config-dir CLIENT"
#               (one line, split at blanks, no globbing), with run.sh's
#               %VAR% placeholders (subst), e.g.
#                 [%PROVIDER%]:%PORT_EXPIRED% --auth
#   client.cf   (optional) changes to the healthy client configuration in
#               run.sh's syntax (postconf lines, sasl_passwd:, chroot-etc:
#               ...); the client instance itself is not started: the probe
#               reads its configuration and connects by itself
#   provider.cf (optional) as in run.sh's scenarios (the provider is
#               reloaded, and restored after the case)
#   env         (optional) NAME=VALUE lines (placeholders expanded) for the
#               probe's environment; the default makes the "system" trust
#               store the test CA: SSL_CERT_FILE=%CA% and SSL_CERT_DIR= an
#               empty directory (OpenSSL's variables; the probe honours them)
#   requires    (optional) "namespace [REASON]": skipped without a mount
#               namespace (the probe resolves the provider's names with the
#               client host's /etc/resolv.conf, which only the namespace
#               gives it: lib.sh pf_client_view)
#   expect      key=value lines, every one checked:
#                 exit=N                  the exit status (both runs)
#                 failed_phase=NAME|none  .probe.failed_phase
#                 finding=ID|none         the first finding of severity
#                                         warning or error
#                 has=ID...               these findings are reported too
#                 phase.NAME=STATUS       ok|failed|warning|skipped: that
#                                         phase's status in JSON, and in the
#                                         text its line "  NAME  STATUS ..."
#                                         (no such line for skipped)
#                 json=JQ                 a jq expression that must be true
#                                         on the JSON report (repeatable)
#                 text=ERE                a line of the text report matches
#                                         (repeatable; grep -E)
#                 todo=REASON             a known gap of the tool: failures
#                                         are "not ok ... # TODO REASON"
#   CASE        (optional) what the case is about
# Every case also checks: the JSON parses and has a "probe" object whose
# destination is the args' DEST; the text has a "Probe of" section; no
# password of the client's sasl_passwd appears in the output (JSON, text,
# stderr); the probe ends within PROBE_GUARD seconds.
# Results: $FMRD_PF_DIR/results/probe/NAME.{json,txt,err}.

# shellcheck disable=SC2154  # here, RESULTS, PF_NS, FMRD_BIN: run.sh's
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	exec "$(cd "$(dirname "$0")" && pwd)/run.sh" --probe-only "$@"
fi

PROBE_GUARD=${PROBE_GUARD:-30}
# (here, RESULTS, PF_NS, FMRD_BIN, ok, not_ok, diag, tmark, subst, kv,
# apply_cf, client_reset, cleanup_provider: from run.sh)

# fact KEY: the value of KEY=... in probe_case's $facts (KEY a sed pattern)
fact() { printf '%s\n' "$facts" | sed -n "s/^$1=//p" | head -1; }

# probe_case DIR: both runs of one case, two TAP tests
probe_case() {
	local pdir=$1 name args=() envs=() line rc_j=0 rc_t=0 out probs=() tprobs=() todo
	local want k v got dest ph st re secret t0 skip="" req arg reason
	name=probe/$(basename "$pdir")
	if [ -f "$pdir/requires" ]; then
		while read -r req arg reason; do
			case $req in
			'' | '#'*) ;;
			namespace)
				reason="$arg${reason:+ $reason}"
				[ "$PF_NS" = 1 ] || skip="needs a mount namespace (unshare -m)${reason:+: $reason}" ;;
			*) not_ok "$name: unknown line in requires: $req"; return ;;
			esac
		done < "$pdir/requires"
	fi
	if [ -n "$skip" ]; then
		ok "$name json # SKIP $skip"
		ok "$name text # SKIP $skip"
		return
	fi
	if ! [ -f "$pdir/args" ] || ! [ -f "$pdir/expect" ]; then
		not_ok "$name: args or expect missing"; return
	fi
	tmark "$name begin"
	read -r -a args < <(subst < "$pdir/args")
	# the client: the healthy baseline plus the case's changes
	if ! out=$(client_reset "$pdir/client.cf" 2>&1); then
		not_ok "$name: applying client.cf failed" "$out"; return
	fi
	if [ -f "$pdir/provider.cf" ]; then
		if ! out=$(apply_cf "$PF_PROV" "$pdir/provider.cf" 2>&1); then
			not_ok "$name: applying provider.cf failed" "$out"; cleanup_provider 1; return
		fi
		touch -d "@$(( $(date +%s) - 10 ))" "$PF_PROV/main.cf" "$PF_PROV/master.cf"
		postfix -c "$PF_PROV" reload >/dev/null 2>&1
		sleep 0.5
	fi
	envs=("SSL_CERT_FILE=$PF_CA/ca.crt" "SSL_CERT_DIR=$PROBE_EMPTY_DIR")
	if [ -f "$pdir/env" ]; then
		while IFS= read -r line; do
			case $line in '' | '#'*) continue ;; esac
			envs+=("$line")
		done < <(subst < "$pdir/env")
	fi
	tmark "$name configured"
	t0=$(date +%s.%N)
	pf_client_view "$PF_CLI_ETC" env "${envs[@]}" timeout -k 2 "$PROBE_GUARD" \
		"$FMRD_BIN" probe --config-dir "$PF_CLI" --json "${args[@]}" \
		> "$RESULTS/$name.json" 2> "$RESULTS/$name.err" || rc_j=$?
	pf_client_view "$PF_CLI_ETC" env "${envs[@]}" timeout -k 2 "$PROBE_GUARD" \
		"$FMRD_BIN" probe --config-dir "$PF_CLI" "${args[@]}" \
		> "$RESULTS/$name.txt" 2>> "$RESULTS/$name.err" || rc_t=$?
	diag "$name: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s for both runs"
	[ -f "$pdir/provider.cf" ] && cleanup_provider 1

	tmark "$name probed"
	# the JSON run: its facts in one jq pass, one "key=value" a line
	local j=$RESULTS/$name.json facts summary="" jexprs=()
	facts=$(jq -r 'select(.probe | type == "object") |
		"destination=\(.probe.destination // "null")",
		"failed_phase=\(.probe.failed_phase // "none")",
		"finding=\([.findings[] | select(.severity == "warning" or .severity == "error") | .id][0] // "none")",
		(.findings[] | "has=\(.id)"),
		(.probe.phases[] | "phase.\(.phase)=\(.status)"),
		"summary=failed_phase \(.probe.failed_phase // "none"), findings [\([.findings[] | "\(.id)(\(.severity))"] | join(" "))], phases \([.probe.phases[] | "\(.phase)=\(.status)"] | join(" "))"' \
		"$j" 2>/dev/null)
	if [ -z "$facts" ]; then
		probs+=("no JSON report with a \"probe\" object (exit $rc_j): $(head -c 600 "$j")" "$(head -c 600 "$RESULTS/$name.err")")
	else
		summary="exit $rc_j, $(fact summary)"
		# DEST: the word that is neither an option nor an option's value
		dest="" skip=""
		for arg in "${args[@]}"; do
			if [ -n "$skip" ]; then skip=""; continue; fi
			case $arg in
			--mail-from | --rcpt | --sender | --timeout | --config-dir | --root) skip=1 ;;
			-*) ;;
			*) dest=$arg ;;
			esac
		done
		if [ -n "$dest" ]; then
			got=$(fact destination)
			[ "$got" = "$dest" ] || probs+=("probe.destination: got $got, expected $dest")
		fi
		while IFS= read -r line; do
			case $line in '' | '#'*) continue ;; esac
			k=${line%%=*} v=${line#*=}
			case $k in
			exit) [ "$rc_j" = "$v" ] || probs+=("exit status: got $rc_j, expected $v") ;;
			failed_phase | finding)
				got=$(fact "$k")
				[ "$got" = "$v" ] || probs+=("$k: got $got, expected $v") ;;
			has)
				for want in $v; do
					printf '%s\n' "$facts" | grep -qxF "has=$want" || probs+=("finding $want missing")
				done ;;
			phase.*)
				got=$(fact "$(printf '%s' "$k" | sed 's/\./\\./')")
				[ "${got:-missing}" = "$v" ] || probs+=("phase ${k#phase.}: got ${got:-missing}, expected $v") ;;
			json) jexprs+=("$v") ;;
			text | todo) ;;
			*) probs+=("unknown key in expect: $k") ;;
			esac
		done < <(subst < "$pdir/expect")
		probe_jq "$j"
	fi
	# the text run
	[ "$rc_t" = "$rc_j" ] || tprobs+=("exit status of the text run $rc_t differs from the JSON run's $rc_j")
	grep -q '^Probe of ' "$RESULTS/$name.txt" || tprobs+=("no \"Probe of\" section")
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		k=${line%%=*} v=${line#*=}
		case $k in
		exit) [ "$rc_t" = "$v" ] || tprobs+=("exit status: got $rc_t, expected $v") ;;
		text) grep -Eq -- "$v" "$RESULTS/$name.txt" || tprobs+=("no line matches /$v/") ;;
		phase.*)
			ph=${k#phase.}
			re="^  $ph +(ok|warning|failed)( |\$)"
			st=$(grep -Eio -- "$re" "$RESULTS/$name.txt" | head -1 | awk '{ print tolower($2) }')
			[ "${st:-skipped}" = "$v" ] || tprobs+=("phase $ph: the text says ${st:-nothing (skipped)}, expected $v") ;;
		esac
	done < <(subst < "$pdir/expect")
	# no secret in any output
	while IFS= read -r secret; do
		[ -n "$secret" ] || continue
		for out in "$RESULTS/$name.json" "$RESULTS/$name.txt" "$RESULTS/$name.err"; do
			grep -qF -- "$secret" "$out" && probs+=("a password of sasl_passwd appears in ${out##*/}")
		done
	done < <(awk '!/^#/ && NF >= 2 { i = index($2, ":"); if (i > 0 && i < length($2)) print substr($2, i + 1) }' \
		"$PF_CLI/sasl_passwd" 2>/dev/null)

	tmark "$name checked"
	todo=$(kv "$pdir/expect" todo "")
	probe_tap "$name json" "$todo" "$summary" "${probs[@]}"
	probe_tap "$name text" "$todo" "" "${tprobs[@]}" \
		${tprobs[0]+"text report:"} ${tprobs[0]+"$(head -20 "$RESULTS/$name.txt")"}
}

# probe_jq FILE: probe_case's json= expressions (jexprs), each true as for
# "jq -e" (its last output neither false nor null), else a problem (probs).
# One jq run for all; only when one of them is an error, one run each.
probe_jq() {
	local f=$1 e prog="" res i=0
	[ ${#jexprs[@]} -gt 0 ] || return 0
	for e in "${jexprs[@]}"; do
		prog="$prog${prog:+, }([$e] | last | if . == null or . == false then \"F\" else \"T\" end)"
	done
	if res=$(jq -r "$prog" "$f" 2>/dev/null) && [ "$(printf '%s\n' "$res" | wc -l)" = ${#jexprs[@]} ]; then
		while IFS= read -r e; do
			[ "$e" = T ] || probs+=("jq: not true: ${jexprs[$i]} (it gives: $(jq -c "${jexprs[$i]}" "$f" 2>&1 | head -c 300))")
			i=$((i + 1))
		done <<< "$res"
		return 0
	fi
	for e in "${jexprs[@]}"; do
		jq -e "$e" "$f" >/dev/null 2>&1 || probs+=("jq: not true: $e (it gives: $(jq -c "$e" "$f" 2>&1 | head -c 300))")
	done
}

# probe_tap NAME TODO SUMMARY [PROBLEM...]: one TAP line
probe_tap() {
	local name=$1 todo=$2 summary=$3
	shift 3
	if [ $# -eq 0 ]; then
		ok "$name"
		[ -n "$summary" ] && diag "$summary"
	elif [ -n "$todo" ]; then
		tap_n=$((tap_n + 1))
		echo "not ok $tap_n - $name # TODO $todo"
		printf '%s\n' "$@" ${summary:+"$summary"} | sed 's/^/# /'
	else
		not_ok "$name" "$@" ${summary:+"$summary"}
	fi
}

# probe_cases [PATTERN...]: every case whose name "probe/NAME" contains a
# PATTERN (all without one); starts the silent listener for them and stops
# it again. Needs run.sh's state: the provider and the name server run.
probe_cases() {
	local pdir name p match list=() t0 out
	for pdir in "$here"/probe/*/; do
		pdir=${pdir%/}
		name=probe/$(basename "$pdir")
		if [ $# -gt 0 ]; then
			match=0
			for p in "$@"; do case $name in *"$p"*) match=1 ;; esac; done
			[ $match = 1 ] || continue
		fi
		list+=("$pdir")
	done
	[ ${#list[@]} -gt 0 ] || return 0
	t0=$(date +%s)
	PROBE_EMPTY_DIR=$FMRD_PF_DIR/probe-empty-certdir
	rm -rf "$PROBE_EMPTY_DIR"
	mkdir -p "$RESULTS/probe" "$PROBE_EMPTY_DIR"
	# the client instance is not needed (the probe is a program of its own)
	pf_stop "$PF_CLI" "$PF_CLI_Q" fast
	if ! out=$(pf_silent_start 2>&1); then
		not_ok "probe: the silent listener did not start" "$out"
		return
	fi
	for pdir in "${list[@]}"; do
		probe_case "$pdir"
	done
	pf_silent_stop
	diag "probe cases took $(( $(date +%s) - t0 )) s"
}
