#!/bin/bash
# run.sh - end-to-end tests against REAL Postfix (Debian 12, 3.7.x) on
# 127.0.0.1: set up a provider and a client instance (setup.sh), break the
# client's relaying in the ways described by scenarios/*/, let Postfix
# really try, keep the client's log and configuration as
# samples/postfix-3.7/NAME/, and check what fmrelay-doctor says about it.
# Output is TAP. Run as root:
#
#   tests/postfix/run.sh [PATTERN...]      # PATTERN: substring of scenario names
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
#                                       the host's file, later ones append
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
#   expect      first_finding=ID (or "none": no finding at all),
#               outcome=sent|deferred|bounced|expired|queued of the test
#               message, exit=N (optional)
#   requires    (optional) "namespace": skipped where unshare -m fails;
#               "rsyslog": skipped without rsyslogd (one per line)
#   CASE        (optional) description, copied into the sample
set -uo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

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

# ------------------------------------------------------------ set-up
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
for port in $PF_PORT_SUBMISSION $PF_PORT_SMTPS $PF_PORT_NOTLS $PF_PORT_CLOSED 53; do
	if ss -Hltun "sport = :$port" | grep -Eq '(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]):'; then
		echo "Bail out! port $port on 127.0.0.1 is already in use:"
		ss -Hltunp "sport = :$port" | sed 's/^/# /'
		exit 1
	fi
done
# Can the client run in its own mount namespace (its own /etc/hosts etc.)?
PF_NS=0
pf_have_ns && PF_NS=1
[ $PF_NS = 1 ] || diag "no mount namespaces here: scenarios that need one are skipped, and the client's non-chrooted programs use the real /etc/resolv.conf"

teardown() {
	if [ "${FMRD_PF_KEEP:-0}" = 1 ]; then
		diag "FMRD_PF_KEEP=1: instances left running (tests/postfix/stop.sh stops them)"
		return
	fi
	pf_stop "$PF_CLI" "$PF_CLI_Q"
	pf_rsyslog_stop
	pf_stop "$PF_PROV" "$PF_PROV_Q"
	pf_dns_stop
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
		-e "s|%PORT_NOTLS%|$PF_PORT_NOTLS|g" -e "s|%PORT_CLOSED%|$PF_PORT_CLOSED|g"
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
		*) printf '%s\n' "${line#"$file"}" | sed 's/^ //' > "$PF_CLI_Q/etc/$file"; seen="$seen$file " ;;
		esac
	done < <(directive "$f" chroot-etc)
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
	if [ -f "$sdir/requires" ] && grep -qx namespace "$sdir/requires" && [ $PF_NS = 0 ]; then
		ok "$name # SKIP needs a mount namespace (unshare -m)"
		return
	fi
	if [ -f "$sdir/requires" ] && grep -qx rsyslog "$sdir/requires" && ! command -v rsyslogd >/dev/null; then
		ok "$name # SKIP needs rsyslogd (Debian package rsyslog)"
		return
	fi
	# back to the healthy baseline, with an empty queue. postsuper runs
	# while the old instance still runs: without postlogd it would try to
	# write the root-owned maillog_file itself as user postfix and fail.
	postsuper -c "$PF_CLI" -d ALL >/dev/null 2>&1
	pf_stop "$PF_CLI" "$PF_CLI_Q" fast
	rm -rf "$PF_CLI"
	cp -a "$PF_CLI_BASE" "$PF_CLI"
	cp -p "$PF_CLI_ETC"/* "$PF_CLI_Q/etc/"
	rm -f "$PF_CLI_Q"/maildrop/* 2>/dev/null
	if [ -f "$sdir/client.cf" ]; then
		if ! out=$(apply_cf "$PF_CLI" "$sdir/client.cf" 2>&1 && apply_client_extra "$sdir/client.cf" 2>&1); then
			not_ok "$name: applying client.cf failed" "$out"; return
		fi
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
	msgid="<fmrd-pf.$name.$(date +%s).$$@$PF_CLIENT_HOST>"
	local fopt=()
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
	qid=""
	if wait_log "$clog" "$off" ": message-id=$msgid" 10; then
		qid=$(tail -c +"$((off + 1))" "$clog" | grep -F ": message-id=$msgid" |
			sed -E 's/.*: ([0-9A-Za-z]+): message-id=.*/\1/' | head -1)
	fi
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
		echo "Expected first finding: $want_first; outcome of the test message: $want_outcome."
		echo "Made by tests/postfix/run.sh with Postfix $(postconf -c "$PF_CLI" -d -h mail_version) on Debian $(cat /etc/debian_version 2>/dev/null):"
		if [ -n "$logsock" ]; then
			echo "the client's log (syslog_name postfix, no maillog_file: syslog(3) to rsyslogd $(rsyslogd -v 2>/dev/null | awk 'NR == 1 { print $2 }'), imuxsock, template RSYSLOG_FileFormat) and configuration; the provider is smtp.provider.test = 127.0.0.1."
		else
			echo "the client's own log (maillog_file, syslog_name postfix) and configuration; the provider is smtp.provider.test = 127.0.0.1."
		fi
		echo "Test message: queue ID ${qid:-?}, $msgid."
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
	findings=$(jq -r '[.findings[] | "\(.id)(\(.severity))"] | join(" ")' "$out")
	outcome=$(jq -r --arg q "$qid" '[.messages[] | select(.queue_id == $q) | .outcome][0] // "missing"' "$out")
	detail="tool: first_finding=$first outcome=$outcome exit=$rc findings=[$findings] (qid ${qid:-?})"
	[ -n "$want_first" ] && [ "$first" != "$want_first" ] && problems+=("first finding: got $first, expected $want_first")
	[ -n "$want_outcome" ] && [ "$outcome" != "$want_outcome" ] && problems+=("outcome: got $outcome, expected $want_outcome")
	[ -n "$want_exit" ] && [ "$rc" != "$want_exit" ] && problems+=("exit status: got $rc, expected $want_exit")
	if [ ${#problems[@]} -eq 0 ]; then
		ok "$name: $first, $outcome"
		diag "$detail"
	else
		not_ok "$name: expected ${want_first:-?}/${want_outcome:-?}" "${problems[@]}" "$detail" \
			"log lines of the test message:" \
			"$(grep -E "(${qid:-NOQID}|smtp\[|warning|error|fatal)" "$sample/mail.log" | grep -vE 'postfix-script|master\[' | cut -c1-400 | head -12)"
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
	for port in $PF_PORT_SUBMISSION $PF_PORT_SMTPS $PF_PORT_NOTLS; do
		ss -Hltn "sport = :$port" | grep -q . && left="$left port:$port"
	done
	if [ -n "$left" ]; then
		not_ok "teardown: left behind:$left"
	else
		ok "teardown: no instance, no rsyslogd and no listener left"
	fi
fi
diag "total time $(( $(date +%s) - t_start )) s, $tap_failed of $tap_n failed"
echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
