#!/bin/bash
# run.sh - end-to-end tests against REAL Postfix (Debian 12, 3.7.x) on
# 127.0.0.1: set up a provider and a client instance (setup.sh), break the
# client's relaying in the ways described by scenarios/*/, let Postfix
# really try, keep the client's log and configuration as
# samples/postfix-3.7/NAME/, and check what fmrelay-doctor says about it.
# Output is TAP. Run as root:
#
#   tests/postfix/run.sh [PATTERN...]      # PATTERN: substring of scenario names
#   tests/postfix/run.sh --probe-only [PATTERN...]   # only the probe cases
#
# After the scenarios come the cases of "fmrelay-doctor probe" (probe.sh,
# probe/NAME/; their names "probe/NAME" are matched by PATTERN too), then
# those of "fmrelay-doctor send-test" (send_test.sh, send-test/NAME/,
# matched as "send-test/NAME"), in the same TAP stream.
#
# Environment:
#   FMRD_BIN            the binary (default build/src/fmrelay-doctor)
#   FMRD_PF_SAMPLES     where the collected logs go (default
#                       $FMRD_PF_DIR/samples; set it to samples/postfix-3.7 to
#                       refresh the committed samples, then regenerate their
#                       expected.json with tests/e2e/run-samples.sh UPDATE=1)
#   FMRD_PF_NO_INSTALL  1: do not apt-get (packages must be installed)
#   FMRD_PF_KEEP        1: leave the instances running at the end (debugging;
#                       stop them with tests/postfix/stop.sh)
#   FMRD_NO_UNSHARE     1: do as if mount namespaces were not available
#                       (unshare -m fails in unprivileged containers): the
#                       fallback that the suite uses there (lib.sh,
#                       pf_chroot_etc), testable on any host
#   and the directories of lib.sh.
#
# A scenario is a directory scenarios/NN-name/ with these files:
#   client.cf   (optional) changes to the healthy client, one per line:
#                 name = value          postconf -e (value may be empty; %VAR%
#                                       placeholders, see subst below)
#                 -name                 postconf -X (remove the line: default)
#                 master-field: service/type/field = value   postconf -F -e
#                 master-param: service/type/name = value    postconf -P -e
#                 sasl_passwd: LINE     the password map source file (repeat
#                                       for more lines; replaces the default)
#                 sasl_passwd_db: LINE  what the .db is built from, when it
#                                       is to differ from the source (stale map)
#                 db-age: SECONDS       with sasl_passwd_db: the .db is made
#                                       this much older than the source (300)
#                 postmap: no           no sasl_passwd.db at all
#                 postmap: after-start  postmap runs once the client runs (so
#                                       that its warnings reach the log)
#                 reload: after-start   "postfix reload" once the client runs
#                                       (its warnings, e.g. unused parameters,
#                                       then reach the log)
#                 chroot-etc: FILE LINE the smtp chroot's etc/FILE: the first
#                                       line for a FILE replaces the copy of
#                                       the host's file (or the link to it,
#                                       lib.sh pf_chroot_etc) by a regular
#                                       file, later ones append
#                 logging: rsyslog      the client logs through syslog(3)
#                                       instead of maillog_file (which is
#                                       removed): a private rsyslogd runs for
#                                       the scenario, bound to /dev/log of the
#                                       client's mount namespace, and writes
#                                       RFC 3339 timestamps with microseconds
#                                       (RSYSLOG_FileFormat); that file is the
#                                       sample's mail.log (default: maillog_file)
#   provider.cf (optional) the same "name = value" / master-param: lines for
#               the provider (restored after the scenario)
#   send        (optional) from=ADDR (default: none, i.e. root),
#               to=ADDR (default someone@example.org), body_bytes=N (adds about
#               N bytes of body text)
#   wait        (optional) until=ERE: the client log line that ends the wait
#               (%Q is the test message's queue ID; default
#               "%Q: (removed|to=.*status=deferred)"), timeout=SECONDS (20),
#               settle=SECONDS: then wait until the log is quiet that long (1)
#   then        (optional) steps after the wait for the first test message,
#               one per line, in order ("fix mid-log" scenarios):
#                 apply FILE    FILE (in the scenario directory, client.cf
#                               syntax: postconf lines, sasl_passwd:,
#                               chroot-etc:) applied to the running client
#                 reload        postfix reload (the changed main.cf is
#                               back-dated first, see below)
#                 flush         postqueue -f
#                 send          another test message (send's from/to),
#                               waits until it is picked up; it is %Q2, %Q3..
#                 wait [-t SECONDS] ERE  until a client log line of the
#                               scenario matches ERE (the rest of the line;
#                               %Q1 is the first test message, %Q2.. the
#                               next ones; 20 s), then until the log is
#                               quiet for 1 s
#   expect      first_finding=ID (or "none": no finding at all),
#               outcome=sent|deferred|bounced|expired|queued of the test
#               message (outcome2=, outcome3=: of the ones sent by "then"),
#               exit=N (optional),
#               current=ID|none: the first finding of severity warning or
#               error (the current root cause), resolved=ID: that finding
#               is reported with severity info (a cause that was fixed in
#               the log), todo=REASON: when only the tool's judgement
#               (first_finding, current, resolved, exit) is wrong, the test
#               is "not ok ... # TODO REASON" (not counted as a failure)
#               config=ID|none: the first finding of severity warning or
#               error of "fmrelay-doctor --config-only" on the client's
#               configuration before the test message is sent (the cause
#               named before any mail; every scenario has one),
#               config_has=ID...: these are among its warnings and errors
#               too, config_todo=REASON: a known gap (config= is what it
#               should say; the difference is a TODO, not a failure)
#   requires    (optional) one per line, each with an optional reason:
#               "namespace [REASON]": skipped where unshare -m fails (or
#               FMRD_NO_UNSHARE=1); "rsyslog [REASON]": skipped without
#               rsyslogd; "no-map-type TYPE [REASON]": skipped when this
#               Postfix supports TYPE (postconf -m)
#   CASE        (optional) description, copied into the sample
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$here/probe.sh"
. "$here/send_test.sh"
probe_only=0
[ "${1:-}" = --probe-only ] && { probe_only=1; shift; }

FMRD_BIN=${FMRD_BIN:-$srcdir/build/src/fmrelay-doctor}
case $FMRD_BIN in /*) ;; *) FMRD_BIN=$srcdir/$FMRD_BIN ;; esac
SAMPLES=${FMRD_PF_SAMPLES:-$FMRD_PF_DIR/samples}
RESULTS=$FMRD_PF_DIR/results

t_start=$(date +%s)
tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"; shift
	local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP run.sh needs root"; exit 0; }
[ -x "$FMRD_BIN" ] || { echo "Bail out! no binary at $FMRD_BIN (scripts/build.sh build)"; exit 1; }

# The host's own Postfix and name service files are never changed (nor its
# Postfix instance stopped): remember them, compare at the end.
host_state() {
	local f
	for f in /etc/resolv.conf /etc/hosts /etc/nsswitch.conf /etc/mailname /etc/aliases; do
		[ -e "$f" ] && printf '%s %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$f"
	done
	[ -d /etc/postfix ] && find /etc/postfix -type f -print0 | LC_ALL=C sort -z |
		xargs -0 -r sha256sum 2>/dev/null
	echo "default instance: $(pf_master_pid /var/spool/postfix)"
}

# ------------------------------------------------------------ set-up
# (the host's state before setup.sh, when Postfix was installed already: a
# new installation adds /etc/postfix itself)
host_before=""
if dpkg-query -W -f='${Status}\n' postfix 2>/dev/null | grep -q '^install ok installed$'; then
	host_before=$(host_state)
fi
setup_args=()
[ "${FMRD_PF_NO_INSTALL:-0}" = 1 ] && setup_args=(--no-install)
mkdir -p "$FMRD_PF_DIR"
if ! "$here/setup.sh" "${setup_args[@]}" > "$FMRD_PF_DIR/setup.log" 2>&1; then
	echo "Bail out! setup.sh failed:"
	tail -20 "$FMRD_PF_DIR/setup.log" | sed 's/^/# /'
	exit 1
fi
command -v jq >/dev/null || { echo "Bail out! jq missing"; exit 1; }

# Ports must be free (someone else's server there would spoil the results).
for port in $PF_PORTS_USED $PF_PORT_CLOSED 53; do
	if ss -Hltun "sport = :$port" | grep -Eq '(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):'; then
		echo "Bail out! port $port on 127.0.0.1 is already in use:"
		ss -Hltunp "sport = :$port" | sed 's/^/# /'
		exit 1
	fi
done
# Can the client run in its own mount namespace (its own /etc/hosts etc.)?
PF_NS=0
pf_have_ns && PF_NS=1
if [ $PF_NS = 0 ]; then
	if [ "${FMRD_NO_UNSHARE:-0}" = 1 ]; then why="FMRD_NO_UNSHARE=1"; else why="unshare -m failed"; fi
	diag "no mount namespace ($why): the client's non-chrooted programs use the real /etc (never changed);" \
		"the client host's hosts, resolv.conf and nsswitch.conf reach its smtp chroot as links to" \
		"$PF_CLI_Q/fmrd-pf-etc/ (lib.sh, pf_chroot_etc); scenarios that need a namespace are skipped"
fi


teardown() {
	if [ "${FMRD_PF_KEEP:-0}" = 1 ]; then
		diag "FMRD_PF_KEEP=1: instances left running (tests/postfix/stop.sh stops them)"
		return
	fi
	pf_stop "$PF_CLI" "$PF_CLI_Q"
	pf_rsyslog_stop
	pf_stop "$PF_PROV" "$PF_PROV_Q"
	pf_dns_stop
	pf_silent_stop
}
trap teardown EXIT
trap 'exit 130' INT TERM

mkdir -p "$RESULTS" "$SAMPLES"
: > "$PF_CLI_LOG"
: > "$PF_PROV_LOG"
: > "$PF_DNS_LOG"
pf_dns_start
pf_start "$PF_PROV" "$PF_PROV_Q"

# ------------------------------------------------------------ helpers
subst() {	# expand the %VAR% placeholders of scenario files
	sed -e "s|%CA%|$PF_CA/ca.crt|g" -e "s|%OTHERCA%|$PF_CA/other-ca.crt|g" -e "s|%CAPATH%|$PF_CAPATH|g" \
		-e "s|%SELFSIGNED_CRT%|$PF_CA/selfsigned.crt|g" -e "s|%SELFSIGNED_KEY%|$PF_CA/selfsigned.key|g" \
		-e "s|%EXPIRED_CRT%|$PF_CA/expired.crt|g" -e "s|%EXPIRED_KEY%|$PF_CA/expired.key|g" \
		-e "s|%CLIENT%|$PF_CLI|g" -e "s|%PROVIDER%|$PF_PROVIDER_HOST|g" \
		-e "s|%USER%|$PF_SASL_USER|g" -e "s|%PASS%|$PF_SASL_PASS|g" \
		-e "s|%PORT_SUBMISSION%|$PF_PORT_SUBMISSION|g" -e "s|%PORT_SMTPS%|$PF_PORT_SMTPS|g" \
		-e "s|%PORT_NOTLS%|$PF_PORT_NOTLS|g" -e "s|%PORT_CLOSED%|$PF_PORT_CLOSED|g" \
		-e "s|%PORT_EXPIRED%|$PF_PORT_EXPIRED|g" -e "s|%PORT_MISMATCH%|$PF_PORT_MISMATCH|g" \
		-e "s|%PORT_SENDER%|$PF_PORT_SENDER|g" -e "s|%PORT_SILENT%|$PF_PORT_SILENT|g" \
		-e "s|%MISMATCH_HOST%|$PF_MISMATCH_HOST|g"
}

kv() {		# kv FILE KEY DEFAULT: value of KEY=... in FILE
	local v
	v=$( [ -f "$1" ] && sed -n "s/^$2=//p" "$1" | tail -1 )
	printf '%s' "${v:-$3}"
}

# apply_cf CONFIG_DIR FILE: the postconf lines of a client.cf/provider.cf
# (the other directives are handled by apply_client_extra). Prints errors.
apply_cf() {
	local dir=$1 file=$2 line
	while IFS= read -r line || [ -n "$line" ]; do
		line=$(printf '%s' "$line" | subst)
		case $line in
		'' | '#'*) ;;
		master-field:*) postconf -c "$dir" -F -e "$(echo "${line#master-field:}" | sed 's/^ *//')" || return 1 ;;
		master-param:*) postconf -c "$dir" -P -e "$(echo "${line#master-param:}" | sed 's/^ *//')" || return 1 ;;
		sasl_passwd:* | sasl_passwd_db:* | db-age:* | postmap:* | chroot-etc:* | reload:* | logging:*) ;;
		-*) postconf -c "$dir" -X "${line#-}" || return 1 ;;
		*=*) postconf -c "$dir" -e "$line" || return 1 ;;
		*) echo "unknown line in $file: $line"; return 1 ;;
		esac
	done < "$file"
}

directive() {	# directive FILE NAME: the values of "NAME: value" lines
	[ -f "$1" ] || return 0
	sed -n "s/^$2: \{0,1\}//p" "$1" | subst
}

apply_client_extra() {	# apply_client_extra FILE
	local f=$1 src db age line file now seen=" "
	src=$(directive "$f" sasl_passwd)
	db=$(directive "$f" sasl_passwd_db)
	age=$(directive "$f" db-age | tail -1)
	if [ -n "$src" ] || [ -n "$db" ] || [ "$(directive "$f" postmap | tail -1)" = no ]; then
		rm -f "$PF_CLI/sasl_passwd" "$PF_CLI/sasl_passwd.db"
		if [ -n "$db" ]; then
			printf '%s\n' "$db" > "$PF_CLI/sasl_passwd"
			postmap -c "$PF_CLI" "hash:$PF_CLI/sasl_passwd" || return 1
		fi
		if [ -n "$src" ]; then
			printf '%s\n' "$src" > "$PF_CLI/sasl_passwd"
		else
			cp "$PF_CLI_BASE/sasl_passwd" "$PF_CLI/sasl_passwd"
		fi
		chmod 600 "$PF_CLI/sasl_passwd"
		if [ -n "$db" ]; then
			# Postfix warns about a stale .db only when the source file is
			# newer than the .db AND was changed more than 100 s ago
			# (dict_db.c), so both are back-dated.
			now=$(date +%s)
			touch -d "@$((now - 150))" "$PF_CLI/sasl_passwd"
			touch -d "@$((now - 150 - ${age:-300}))" "$PF_CLI/sasl_passwd.db"
		elif [ "$(directive "$f" postmap | tail -1)" = yes ] || [ -z "$(directive "$f" postmap)" ]; then
			postmap -c "$PF_CLI" "hash:$PF_CLI/sasl_passwd" || return 1
		fi
	fi
	# chroot-etc: FILE LINE - the first line for a FILE replaces the chroot's
	# copy, further ones are appended
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		file=${line%% *}
		case $file in */* | .*) echo "bad chroot-etc file: $file"; return 1 ;; esac
		case $seen in
		*" $file "*) printf '%s\n' "${line#"$file"}" | sed 's/^ //' >> "$PF_CLI_Q/etc/$file" ;;
		*)	# a regular file, never through a link (pf_chroot_etc)
			rm -f "$PF_CLI_Q/etc/$file"
			printf '%s\n' "${line#"$file"}" | sed 's/^ //' > "$PF_CLI_Q/etc/$file"; seen="$seen$file " ;;
		esac
	done < <(directive "$f" chroot-etc)
}

# client_reset [FILE]: the client's configuration back to the healthy
# baseline (and the smtp chroot's etc/ as pf_chroot_etc makes it), then
# FILE's changes (client.cf syntax) when given. Prints errors.
client_reset() {
	rm -rf "$PF_CLI"
	cp -a "$PF_CLI_BASE" "$PF_CLI"
	pf_chroot_etc "$PF_CLI_Q" "$PF_CLI_ETC"
	rm -f "$PF_CLI_Q"/maildrop/* 2>/dev/null
	if [ -n "${1:-}" ] && [ -f "$1" ]; then
		apply_cf "$PF_CLI" "$1" && apply_client_extra "$1"
	fi
}

log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# wait_log FILE OFFSET ERE TIMEOUT: wait until a line after OFFSET matches
wait_log() {
	local file=$1 off=$2 re=$3 deadline=$(( $(date +%s) + $4 ))
	while :; do
		tail -c +"$((off + 1))" "$file" | grep -Eq -- "$re" && return 0
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

# settle FILE SECONDS: wait until FILE did not grow for SECONDS (at most 10 s)
settle() {
	local file=$1 quiet=$2 last size since i
	last=$(log_size "$file"); since=$(date +%s.%N)
	for i in $(seq 1 100); do
		sleep 0.2
		size=$(log_size "$file")
		if [ "$size" != "$last" ]; then
			last=$size; since=$(date +%s.%N)
		elif awk -v a="$since" -v b="$(date +%s.%N)" -v q="$quiet" 'BEGIN { exit !(b - a >= q) }'; then
			return 0
		fi
	done
}

# send_test N: send test message N of the running scenario (run_scenario's
# name, from, to, body_bytes, clog, off) and wait (10 s at most) until
# it is picked up: sets msgids[N] and qids[N] (empty when it was not)
send_test() {
	local n=$1 msgid q="" fopt=()
	msgid="<fmrd-pf.$name.$n.$(date +%s).$$@$PF_CLIENT_HOST>"
	[ "$n" = 1 ] && msgid="<fmrd-pf.$name.$(date +%s).$$@$PF_CLIENT_HOST>"
	[ -n "$from" ] && fopt=(-f "$from")
	{
		printf 'From: %s\nTo: %s\nSubject: fmrelay-doctor test %s\nMessage-ID: %s\nDate: %s\n\nScenario %s of tests/postfix.\n' \
			"${from:-root@$PF_CLIENT_HOST}" "$to" "$name" "$msgid" "$(LC_ALL=C date -R)" "$name"
		# optional padding: lines of 76 characters
		if [ "$body_bytes" -gt 0 ]; then
			head -c $(( (body_bytes + 76) / 77 * 76 )) /dev/zero | tr '\0' x | fold -w 76
			echo
		fi
	} | sendmail -C "$PF_CLI" -i "${fopt[@]}" -- "$to"
	if wait_log "$clog" "$off" ": message-id=$msgid" 10; then
		q=$(tail -c +"$((off + 1))" "$clog" | grep -F ": message-id=$msgid" |
			sed -E 's/.*: ([0-9A-Za-z]+): message-id=.*/\1/' | head -1)
	fi
	msgids[n]=$msgid
	qids[n]=$q
}

# run_then FILE: the steps of a scenario's "then" file (see the top); adds
# to run_scenario's problems
run_then() {
	local step arg t ere i n=1 out
	while read -r step arg; do
		case $step in
		'' | '#'*) continue ;;
		apply)
			if ! out=$(apply_cf "$PF_CLI" "$sdir/$arg" 2>&1 && apply_client_extra "$sdir/$arg" 2>&1); then
				problems+=("then: apply $arg failed" "$out"); return
			fi
			touch -d "@$(( $(date +%s) - 10 ))" "$PF_CLI/main.cf" "$PF_CLI/master.cf" ;;
		reload)
			postfix -c "$PF_CLI" reload >/dev/null 2>&1 || { problems+=("then: postfix reload failed"); return; }
			sleep 0.5 ;;
		flush)
			postqueue -c "$PF_CLI" -f || { problems+=("then: postqueue -f failed"); return; } ;;
		send)
			n=$((n + 1))
			send_test $n
			[ -n "${qids[$n]}" ] || { problems+=("then: test message $n was not picked up within 10 s"); return; } ;;
		wait)
			t=20
			case $arg in -t\ *) arg=${arg#-t }; t=${arg%% *}; arg=${arg#* } ;; esac
			ere=$arg
			for i in "${!qids[@]}"; do ere=${ere//%Q$i/${qids[$i]}}; done
			if ! wait_log "$clog" "$off" "$ere" "$t"; then
				problems+=("then: no log line matching /$ere/ within $t s"); return
			fi
			settle "$clog" 1 ;;
		*) problems+=("then: unknown step: $step"); return ;;
		esac
		tmark "then $step $arg"
	done < "$1"
}

# ------------------------------------------------------------ scenarios
tmark() { [ "${FMRD_PF_DEBUG:-0}" = 1 ] && echo "# t $(date +%S.%N | cut -c1-6) $*"; return 0; }
run_scenario() {
	local sdir=$1 name expect want_first want_outcome want_exit from to until timeout settle_s
	local body_bytes off poff msgid qid sample out rc first outcome findings detail prov_changed=0 problems=()
	local logging clog=$PF_CLI_LOG logsock=""
	name=$(basename "$sdir")
	expect=$sdir/expect
	want_first=$(kv "$expect" first_finding "")
	want_outcome=$(kv "$expect" outcome "")
	want_exit=$(kv "$expect" exit "")
	from=$(kv "$sdir/send" from "")
	to=$(kv "$sdir/send" to "someone@example.org")
	body_bytes=$(kv "$sdir/send" body_bytes 0)
	until=$(kv "$sdir/wait" until '%Q: (removed|to=.*status=deferred)')
	timeout=$(kv "$sdir/wait" timeout 20)
	settle_s=$(kv "$sdir/wait" settle 1)
	logging=$(directive "$sdir/client.cf" logging | tail -1)
	case ${logging:-maillog_file} in
	maillog_file) ;;
	rsyslog) clog=$PF_CLI_SYSLOG logsock=$PF_RSYSLOG_SOCK ;;
	*) not_ok "$name: unknown logging: $logging"; return ;;
	esac

	tmark begin
	if [ -f "$sdir/requires" ]; then
		local req arg reason skip=""
		while read -r req arg reason; do
			case $req in
			'' | '#'*) ;;
			namespace)
				reason="$arg${reason:+ $reason}"
				[ $PF_NS = 1 ] || skip="needs a mount namespace (unshare -m)${reason:+: $reason}" ;;
			rsyslog)
				reason="$arg${reason:+ $reason}"
				command -v rsyslogd >/dev/null || skip="needs rsyslogd (Debian package rsyslog)${reason:+: $reason}" ;;
			no-map-type)
				postconf -c "$PF_CLI_BASE" -m 2>/dev/null | grep -qx "$arg" &&
					skip="this Postfix supports $arg: tables (e.g. postfix-$arg is installed)${reason:+; $reason}" ;;
			*) not_ok "$name: unknown line in requires: $req"; return ;;
			esac
			[ -n "$skip" ] && break
		done < "$sdir/requires"
		if [ -n "$skip" ]; then
			ok "$name # SKIP $skip"
			return
		fi
	fi
	# back to the healthy baseline, with an empty queue. postsuper runs
	# while the old instance still runs: without postlogd it would try to
	# write the root-owned maillog_file itself as user postfix and fail.
	postsuper -c "$PF_CLI" -d ALL >/dev/null 2>&1
	pf_stop "$PF_CLI" "$PF_CLI_Q" fast
	if ! out=$(client_reset "$sdir/client.cf" 2>&1); then
		not_ok "$name: applying client.cf failed" "$out"; return
	fi
	# syslog(3) instead of maillog_file: no maillog_file at all
	[ -n "$logsock" ] && postconf -c "$PF_CLI" -X maillog_file
	# Postfix waits until main.cf is 2 s old before it reads it (an editor
	# might still be writing it); the files are back-dated instead.
	touch -d "@$(( $(date +%s) - 10 ))" "$PF_CLI/main.cf" "$PF_CLI/master.cf"
	if [ -f "$sdir/provider.cf" ]; then
		prov_changed=1
		if ! out=$(apply_cf "$PF_PROV" "$sdir/provider.cf" 2>&1); then
			not_ok "$name: applying provider.cf failed" "$out"; return
		fi
		touch -d "@$(( $(date +%s) - 10 ))" "$PF_PROV/main.cf" "$PF_PROV/master.cf"
		postfix -c "$PF_PROV" reload >/dev/null 2>&1
		sleep 0.5
	fi
	# the configuration checks, before any mail: what --config-only says
	local cfg_out=$RESULTS/$name.config.json cfg_rc=0 cfg_first
	# (as the client host sees /etc, pf_client_view; without a namespace the
	# jail's copies of hosts, resolv.conf and nsswitch.conf are the client
	# host's and differ from the real /etc: that dns.chroot_stale warning
	# is the fallback's, not the scenario's, and is left out of cfg_first)
	pf_client_view "$PF_CLI_ETC" "$FMRD_BIN" --config-only --json --config-dir "$PF_CLI" \
		> "$cfg_out" 2> "$RESULTS/$name.config.err" || cfg_rc=$?
	cfg_first=$(jq -r --argjson ns "$PF_NS" '[.findings[] | select(.severity == "warning" or .severity == "error")
		| select($ns == 1 or .id != "dns.chroot_stale" or .severity != "warning") | .id][0] // "none"' \
		"$cfg_out" 2>/dev/null || echo "no-json")
	tmark start
	if [ -n "$logsock" ] && ! out=$(pf_rsyslog_start 2>&1); then
		not_ok "$name: the private rsyslogd did not start" "$out"
		cleanup_provider $prov_changed
		return
	fi
	off=$(log_size "$clog")
	poff=$(log_size "$PF_PROV_LOG")
	if ! out=$(pf_start "$PF_CLI" "$PF_CLI_Q" "$PF_CLI_ETC" "$logsock" 2>&1); then
		not_ok "$name: the client instance did not start" "$out" "$(tail -5 "$clog")"
		return
	fi

	tmark send
	if [ -f "$sdir/client.cf" ] && [ "$(directive "$sdir/client.cf" postmap | tail -1)" = after-start ]; then
		postmap -c "$PF_CLI" "hash:$PF_CLI/sasl_passwd" 2>/dev/null
		sleep 0.2
	fi
	if [ -f "$sdir/client.cf" ] && [ "$(directive "$sdir/client.cf" reload | tail -1)" = after-start ]; then
		postfix -c "$PF_CLI" reload >/dev/null 2>&1
		sleep 0.5
	fi
	# send the test message (the sample's log starts with the client's start)
	local qids=() msgids=() i
	send_test 1
	qid=${qids[1]}
	if [ -z "$qid" ]; then
		problems+=("the test message was not picked up within 10 s")
	else
		tmark picked up
		until=${until//%Q/$qid}
		wait_log "$clog" "$off" "$until" "$timeout" ||
			problems+=("no log line matching /$until/ within $timeout s")
		tmark settle
		settle "$clog" "$settle_s"
		tmark settled
		[ -f "$sdir/then" ] && [ ${#problems[@]} -eq 0 ] && run_then "$sdir/then"
	fi

	# the sample: the client's log of this scenario and its configuration
	sample=$SAMPLES/$name
	rm -rf "$sample"
	mkdir -p "$sample/postfix"
	tail -c +"$((off + 1))" "$clog" > "$sample/mail.log"
	tail -c +"$((poff + 1))" "$PF_PROV_LOG" > "$RESULTS/$name.provider.log"
	cp "$PF_CLI/main.cf" "$PF_CLI/master.cf" "$sample/postfix/"
	[ -f "$PF_CLI/sasl_passwd" ] && cp "$PF_CLI/sasl_passwd" "$sample/postfix/"
	chmod 644 "$sample"/postfix/*
	{
		[ -f "$sdir/CASE" ] && cat "$sdir/CASE"
		if [ -n "$(kv "$expect" current "")" ]; then
			echo "Expected current root cause: $(kv "$expect" current "")${want_first:+, first finding: $want_first}$(kv "$expect" resolved "" | sed 's/^./, reported as resolved (info): &/'); outcome of the test messages: $want_outcome$(for i in 2 3 4; do kv "$expect" "outcome$i" "" | sed 's/^./, &/'; done)."
		else
			echo "Expected first finding: $want_first; outcome of the test message: $want_outcome."
		fi
		echo "Made by tests/postfix/run.sh with Postfix $(postconf -c "$PF_CLI" -d -h mail_version) on Debian $(cat /etc/debian_version 2>/dev/null):"
		if [ -n "$logsock" ]; then
			echo "the client's log (syslog_name postfix, no maillog_file: syslog(3) to rsyslogd $(rsyslogd -v 2>/dev/null | awk 'NR == 1 { print $2 }'), imuxsock, template RSYSLOG_FileFormat) and configuration; the provider is smtp.provider.test = 127.0.0.1."
		else
			echo "the client's own log (maillog_file, syslog_name postfix) and configuration; the provider is smtp.provider.test = 127.0.0.1."
		fi
		if [ ${#qids[@]} -le 1 ]; then
			echo "Test message: queue ID ${qid:-?}, ${msgids[1]}."
		else
			for i in "${!msgids[@]}"; do
				echo "Test message $i: queue ID ${qids[$i]:-?}, ${msgids[$i]}."
			done
		fi
		echo "Password to check for leaks: $PF_SASL_PASS"
	} > "$sample/CASE"

	tmark tool
	# what does the tool say?
	out=$RESULTS/$name.json
	rc=0
	(cd "$srcdir" && "$FMRD_BIN" --json --config-dir "${sample#"$srcdir"/}/postfix" "${sample#"$srcdir"/}/mail.log") \
		> "$out" 2> "$RESULTS/$name.err" || rc=$?
	(cd "$srcdir" && "$FMRD_BIN" --config-dir "${sample#"$srcdir"/}/postfix" "${sample#"$srcdir"/}/mail.log") \
		> "$RESULTS/$name.txt" 2>&1
	if ! jq -e . "$out" >/dev/null 2>&1; then
		not_ok "$name: no JSON from fmrelay-doctor (exit $rc)" "$(head -c 1000 "$RESULTS/$name.err")"
		cleanup_provider $prov_changed
		return
	fi
	first=$(jq -r '.findings[0].id // "none"' "$out")
	findings=$(jq -r '[.findings[] | "\(.id)(\(.severity)\(if .status and .status != "active" then ","+.status else "" end))"] | join(" ")' "$out")
	outcome=$(jq -r --arg q "$qid" '[.messages[] | select(.queue_id == $q) | .outcome][0] // "missing"' "$out")
	detail="tool: first_finding=$first outcome=$outcome exit=$rc findings=[$findings] (qid ${qid:-?})"
	detail="$detail; --config-only before sending: $cfg_first (exit $cfg_rc: $(jq -r '[.findings[] | "\(.id)(\(.severity))"] | join(" ")' "$cfg_out" 2>/dev/null))"
	# the tool's judgement (may be a known gap: expect todo=)
	local judge=() want_current want_resolved want_todo current got want_o want_cfg
	want_cfg=$(kv "$expect" config "")
	[ -n "$want_cfg" ] || judge+=("the scenario's expect has no config= line (what --config-only names before any mail)")
	local has
	for has in $(kv "$expect" config_has ""); do
		jq -e --arg id "$has" 'any(.findings[]; .id == $id and (.severity == "warning" or .severity == "error"))' \
			"$cfg_out" > /dev/null 2>&1 ||
			judge+=("--config-only before sending: $has (warning or error) missing")
	done
	if [ -n "$want_cfg" ] && [ "$cfg_first" != "$want_cfg" ]; then
		if [ -n "$(kv "$expect" config_todo "")" ]; then
			diag "$name: --config-only: got $cfg_first, expected $want_cfg # TODO $(kv "$expect" config_todo "")"
		else
			judge+=("--config-only before sending: got $cfg_first, expected $want_cfg")
		fi
	fi
	want_current=$(kv "$expect" current "")
	want_resolved=$(kv "$expect" resolved "")
	want_todo=$(kv "$expect" todo "")
	[ -n "$want_first" ] && [ "$first" != "$want_first" ] && judge+=("first finding: got $first, expected $want_first")
	[ -n "$want_exit" ] && [ "$rc" != "$want_exit" ] && judge+=("exit status: got $rc, expected $want_exit")
	if [ -n "$want_current" ]; then
		current=$(jq -r '[.findings[] | select(.severity == "warning" or .severity == "error") | .id][0] // "none"' "$out")
		[ "$current" != "$want_current" ] &&
			judge+=("current root cause (first warning or error): got $current, expected $want_current")
	fi
	if [ -n "$want_resolved" ]; then
		got=$(jq -r --arg id "$want_resolved" '[.findings[] | select(.id == $id) | "\(.severity)\(if .status then ","+.status else "" end)"] | join(" ")' "$out")
		case " $got " in
		*" info "* | *" info,resolved "* | *" info,overcome "*) ;;
		*) judge+=("$want_resolved: got [${got:-not reported}], expected it with severity info (resolved)") ;;
		esac
	fi
	# the test messages' outcomes are facts of the log, never a todo
	[ -n "$want_outcome" ] && [ "$outcome" != "$want_outcome" ] && problems+=("outcome: got $outcome, expected $want_outcome")
	for i in "${!qids[@]}"; do
		[ "$i" -ge 2 ] || continue
		want_o=$(kv "$expect" "outcome$i" "")
		[ -n "$want_o" ] || continue
		got=$(jq -r --arg q "${qids[$i]}" '[.messages[] | select(.queue_id == $q) | .outcome][0] // "missing"' "$out")
		detail="$detail; message $i (${qids[$i]:-?}): $got"
		[ "$got" != "$want_o" ] && problems+=("outcome of test message $i: got $got, expected $want_o")
	done
	# postfix-script warns at start when the chroot's copies of /etc files
	# differ; only a scenario that makes one stale on purpose may see that
	if ! directive "$sdir/client.cf" chroot-etc | grep -q . &&
		grep -E 'postfix-script\[[0-9]+\]: warning: .* and /etc/[^ ]+ differ' "$sample/mail.log" >/dev/null; then
		problems+=("postfix-script warns that the smtp chroot's copies differ from /etc (the suite's chroot set-up, lib.sh pf_chroot_etc):"
			"$(grep -E 'postfix-script.* differ' "$sample/mail.log" | head -5)")
	fi
	if [ ${#problems[@]} -eq 0 ] && [ ${#judge[@]} -gt 0 ] && [ -n "$want_todo" ]; then
		tap_n=$((tap_n + 1))
		echo "not ok $tap_n - $name: ${want_current:-$want_first}, $outcome # TODO $want_todo"
		printf '%s\n' "${judge[@]}" "$detail" | sed 's/^/# /'
	elif [ ${#problems[@]} -eq 0 ] && [ ${#judge[@]} -eq 0 ]; then
		ok "$name: ${want_current:-$first}, $outcome"
		diag "$detail"
	else
		problems+=("${judge[@]}")
		not_ok "$name: expected ${want_current:-${want_first:-?}}/${want_outcome:-?}" "${problems[@]}" "$detail" \
			"log lines of the test message:" \
			"$(grep -E "($(IFS='|'; echo "${qids[*]:-NOQID}")|smtp\[|warning|error|fatal)" "$sample/mail.log" | grep -vE 'postfix-script|master\[' | cut -c1-400 | head -12)"
	fi
	cleanup_provider $prov_changed
}

cleanup_provider() {
	[ "$1" = 1 ] || return 0
	rm -f "$PF_PROV/main.cf" "$PF_PROV/master.cf"
	cp -p "$PF_PROV_BASE/main.cf" "$PF_PROV_BASE/master.cf" "$PF_PROV/"
	postfix -c "$PF_PROV" reload >/dev/null 2>&1
	sleep 0.5
}

for sdir in "$here"/scenarios/*; do
	[ -d "$sdir" ] || continue
	[ $probe_only = 1 ] && break
	name=$(basename "$sdir")
	if [ $# -gt 0 ]; then
		match=0
		for p in "$@"; do case $name in *"$p"*) match=1 ;; esac; done
		[ $match = 1 ] || continue
	fi
	t0=$(date +%s)
	run_scenario "$sdir"
	# a private rsyslogd runs for one scenario only: stop the client that
	# logs to it first, then it
	if [ -n "$(pf_rsyslog_pid)" ]; then
		pf_stop "$PF_CLI" "$PF_CLI_Q" fast
		pf_rsyslog_stop
	fi
	diag "$name took $(( $(date +%s) - t0 )) s"
done
# the probe's cases (probe.sh), with the same patterns
probe_cases "$@"
# send-test against the client instance (send_test.sh), with the same patterns
send_test_cases "$@"

teardown
trap - EXIT
# nothing of ours may be left behind
if [ "${FMRD_PF_KEEP:-0}" != 1 ]; then
	left=""
	for q in "$PF_CLI_Q" "$PF_PROV_Q"; do
		[ -n "$(pf_master_pid "$q")" ] && left="$left master($q)"
	done
	[ -n "$(pf_rsyslog_pid)" ] && left="$left rsyslogd($PF_RSYSLOG_PID)"
	[ -S "$PF_RSYSLOG_SOCK" ] && left="$left socket:$PF_RSYSLOG_SOCK"
	[ -n "$(pf_silent_pid)" ] && left="$left silent_listener($PF_SILENT_PID)"
	for port in $PF_PORTS_USED; do
		ss -Hltn "sport = :$port" | grep -q . && left="$left port:$port"
	done
	if [ -n "$left" ]; then
		not_ok "teardown: left behind:$left"
	else
		ok "teardown: no instance, no rsyslogd and no listener left"
	fi
fi
# the host's own Postfix (configuration, running instance) and name service
# files are as they were (only when Postfix was installed before the run)
if [ -n "$host_before" ]; then
	if [ "$host_before" = "$(host_state)" ]; then
		ok "host: /etc/postfix, /etc/resolv.conf, hosts, nsswitch.conf and the default Postfix instance unchanged"
	else
		not_ok "host: the host's own files or Postfix instance changed during the run" \
			"$(diff <(printf '%s\n' "$host_before") <(host_state) | head -20)"
	fi
fi
diag "total time $(( $(date +%s) - t_start )) s, $tap_failed of $tap_n failed"
echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
