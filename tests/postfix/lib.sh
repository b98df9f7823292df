# lib.sh - paths and helpers shared by setup.sh, run.sh and stop.sh (sourced).
#
# Everything this suite creates lives in these places (all overridable):
#   $FMRD_PF_DIR      /var/tmp/fmrd-pf          CA, certificates, config dirs,
#                                               scenario work files
#   $FMRD_PF_SPOOL    /var/spool/fmrd-pf        queue directories (the client's
#                                               is also its smtp(8) chroot)
#   $FMRD_PF_DATA     /var/lib/fmrd-pf          data directories
#   $FMRD_PF_LOGDIR   /var/log/fmrd-pf          maillog_file of both instances
# maillog_file must start with one of maillog_file_prefixes (/var, /dev/stdout),
# so FMRD_PF_LOGDIR must stay under /var.

FMRD_PF_DIR=${FMRD_PF_DIR:-/var/tmp/fmrd-pf}
FMRD_PF_SPOOL=${FMRD_PF_SPOOL:-/var/spool/fmrd-pf}
FMRD_PF_DATA=${FMRD_PF_DATA:-/var/lib/fmrd-pf}
FMRD_PF_LOGDIR=${FMRD_PF_LOGDIR:-/var/log/fmrd-pf}

PF_CA=$FMRD_PF_DIR/ca                   # ca.crt ca.key server.crt server.key
PF_CAPATH=$FMRD_PF_DIR/capath           # hashed copy of ca.crt (smtp_tls_CApath)
PF_PROV=$FMRD_PF_DIR/provider           # provider config_directory
PF_CLI=$FMRD_PF_DIR/client              # client config_directory
PF_CLI_BASE=$FMRD_PF_DIR/client.baseline  # pristine copy of the client config
PF_PROV_BASE=$FMRD_PF_DIR/provider.baseline
PF_PROV_Q=$FMRD_PF_SPOOL/provider
PF_CLI_Q=$FMRD_PF_SPOOL/client
PF_PROV_LOG=$FMRD_PF_LOGDIR/provider.log
PF_CLI_LOG=$FMRD_PF_LOGDIR/client.log
PF_CLI_ETC=$FMRD_PF_DIR/client-etc     # the client host's hosts, resolv.conf,
                                        # nsswitch.conf (its smtp chroot gets copies)
# Scenarios with "logging: rsyslog": the client logs through syslog(3) to a
# private rsyslogd (never the system's) that writes mail.* with RFC 3339
# high-precision timestamps (RSYSLOG_FileFormat) to $PF_CLI_SYSLOG.
PF_RSYSLOG_DIR=$FMRD_PF_DIR/rsyslog
PF_RSYSLOG_CONF=$PF_RSYSLOG_DIR/rsyslog.conf
PF_RSYSLOG_PID=$PF_RSYSLOG_DIR/rsyslogd.pid
PF_RSYSLOG_SOCK=$PF_RSYSLOG_DIR/log.sock  # the client's /dev/log (bind-mounted)
PF_RSYSLOG_REALDEV=$PF_RSYSLOG_DIR/realdev  # mount point, see pf_start
PF_CLI_SYSLOG=$FMRD_PF_LOGDIR/client-rsyslog.log

# Test account on the provider (the password is a test value; it ends up in
# the samples on purpose, like the other samples' "Password to check for
# leaks").
PF_SASL_USER=relayuser@provider.test
PF_SASL_PASS=Fmrd-Pf-Test-Pw-3141
PF_CLIENT_HOST=client.example.com
PF_PROVIDER_HOST=smtp.provider.test

# Provider ports (127.0.0.1 only):
#   587  submission, STARTTLS required, AUTH required
#   465  submissions (TLS wrapper mode), AUTH required
#   2587 submission without STARTTLS (AUTH offered in clear text)
#   2599 nothing listens there (connection refused)
# and for the probe cases (probe.sh, probe/*/):
#   2588 like 587, but the certificate (from the test CA) expired on 2025-01-01
#   2589 like 587, but the certificate (from the test CA) names only
#        $PF_MISMATCH_HOST, not smtp.provider.test
#   2590 like 587, with strict sender login checks at MAIL FROM: the test
#        account may send as its own address only (sender_login_own,
#        smtpd_delay_reject = no)
#   2591 the silent listener: accepts connections and never speaks
#        (silent_listener.c; not Postfix; runs only while run.sh runs the
#        probe cases, exits on its own after $PF_SILENT_LIFETIME s)
PF_PORT_SUBMISSION=587
PF_PORT_SMTPS=465
PF_PORT_NOTLS=2587
PF_PORT_CLOSED=2599
PF_PORT_EXPIRED=2588
PF_PORT_MISMATCH=2589
PF_PORT_SENDER=2590
PF_PORT_SILENT=2591
# every port the suite listens on (run.sh checks they are free)
PF_PORTS_USED="$PF_PORT_SUBMISSION $PF_PORT_SMTPS $PF_PORT_NOTLS $PF_PORT_EXPIRED $PF_PORT_MISMATCH $PF_PORT_SENDER $PF_PORT_SILENT"
PF_MISMATCH_HOST=smtp.other-provider.test

pf_log() { printf '%s\n' "fmrd-pf: $*" >&2; }
pf_die() { pf_log "ERROR: $*"; exit 2; }

# pf_master_pid QUEUE_DIR: print the PID of that instance's master(8) when
# it runs (from its own pid file, checked against /proc), else nothing.
pf_master_pid() {
	local f=$1/pid/master.pid pid
	[ -r "$f" ] || return 0
	pid=$(tr -dc '0-9' < "$f")
	[ -n "$pid" ] || return 0
	if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'master'; then
		echo "$pid"
	fi
}

# pf_pgrp_alive PGID: is any process of that process group still there?
# (the third field after "(comm) " in /proc/PID/stat is the process group)
pf_pgrp_alive() {
	[ -d "/proc/$1" ] && return 0
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '{ sub(/^.*\) /, ""); if ($3 == g) f = 1 } END { exit !f }'
}

# pf_wait_gone PID: wait (at most 10 s) until PID and every process of its
# process group (master(8) leads its own group) have exited.
pf_wait_gone() {
	local pid=$1 i
	for i in $(seq 1 200); do
		pf_pgrp_alive "$pid" || return 0
		sleep 0.05
	done
	return 1
}

# pf_stop CONFIG_DIR QUEUE_DIR [fast]: stop one of our instances with
# "postfix -c DIR stop" (or, with "fast", by sending SIGTERM to its master's
# PID, which is what postfix stop does, without its 1-second polling); if
# its master is still there after 10 s, SIGKILL that one PID. Never touches
# any other process.
pf_stop() {
	local cfg=$1 q=$2 how=${3:-} pid
	pid=$(pf_master_pid "$q")
	[ -n "$pid" ] || return 0
	if [ "$how" = fast ]; then
		kill -TERM "$pid" 2>/dev/null || true
	else
		postfix -c "$cfg" stop >/dev/null 2>&1 || true
	fi
	pf_wait_gone "$pid" && return 0
	pf_log "master $pid of $cfg did not stop; sending SIGKILL to it"
	kill -KILL "$pid" 2>/dev/null || true
	pf_wait_gone "$pid" || true
}

# pf_start CONFIG_DIR QUEUE_DIR [ETC_DIR [LOG_SOCKET]]: start an instance
# and wait until its master runs. With ETC_DIR (and when mount namespaces
# work, see pf_have_ns), the instance runs in its own mount namespace in
# which /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf are ETC_DIR's
# files: the client host's name service, without changing the real /etc.
# With LOG_SOCKET, that namespace's /dev/log is LOG_SOCKET (bind-mounted
# over it; when the host has no /dev/log at all, the namespace gets its own
# /dev: a tmpfs with copies of the host's device nodes and symlinks, its
# directories bind-mounted, and /dev/log - the real /dev is not touched).
pf_start() {
	local cfg=$1 q=$2 etc=${3:-} sock=${4:-} i
	if [ -n "$etc" ] && [ "${PF_NS:-0}" = 1 ]; then
		unshare --mount --propagation private sh -c '
			for f in hosts resolv.conf nsswitch.conf; do
				mount --bind "$1/$f" "/etc/$f" || exit 1
			done
			if [ -n "$3" ]; then
				if [ -e /dev/log ]; then
					mount --bind "$3" /dev/log || exit 1
				else
					mount --rbind /dev "$4" || exit 1
					mount -t tmpfs -o mode=755,size=1m fmrd-pf-dev /dev || exit 1
					for e in "$4"/* "$4"/.[!.]*; do
						[ -e "$e" ] || [ -L "$e" ] || continue
						n=${e##*/}
						[ "$n" = log ] && continue
						if [ -d "$e" ] && ! [ -L "$e" ]; then
							mkdir "/dev/$n" && mount --rbind "$e" "/dev/$n" || exit 1
						else
							cp -a "$e" "/dev/$n" || exit 1
						fi
					done
					umount -l "$4"
					: > /dev/log && mount --bind "$3" /dev/log || exit 1
				fi
			fi
			exec postfix -c "$2" start' sh "$etc" "$cfg" "$sock" "$PF_RSYSLOG_REALDEV" >/dev/null 2>"$FMRD_PF_DIR/start.err" ||
			pf_die "postfix -c $cfg start (in a mount namespace) failed: $(cat "$FMRD_PF_DIR/start.err")"
	else
		[ -z "$sock" ] || pf_die "a private /dev/log needs a mount namespace"
		postfix -c "$cfg" start >/dev/null 2>"$FMRD_PF_DIR/start.err" ||
			pf_die "postfix -c $cfg start failed: $(cat "$FMRD_PF_DIR/start.err")"
	fi
	for i in $(seq 1 100); do
		[ -n "$(pf_master_pid "$q")" ] && return 0
		sleep 0.1
	done
	pf_die "master of $cfg did not start"
}

# pf_client_view ETC_DIR CMD [ARGS...]: run CMD as the client host sees
# its files: in a mount namespace with ETC_DIR's hosts, resolv.conf and
# nsswitch.conf over /etc's (as pf_start gives the client instance), so
# that a check comparing the smtp(8) jail's copies with /etc compares them
# with the client host's files. Without namespaces (PF_NS=0) CMD runs as
# is: the jail's copies are then links that such a check follows to the
# client host's files (pf_chroot_etc), and /etc is the real one.
pf_client_view() {
	local etc=$1
	shift
	if [ "${PF_NS:-0}" = 1 ]; then
		unshare --mount --propagation private sh -c '
			e=$1; shift
			for f in hosts resolv.conf nsswitch.conf; do
				mount --bind "$e/$f" "/etc/$f" || exit 70
			done
			exec "$@"' sh "$etc" "$@"
	else
		"$@"
	fi
}

# pf_have_ns: can we make a mount namespace and bind-mount over /etc files?
# FMRD_NO_UNSHARE=1 says no without trying (to test the fallback, as in an
# unprivileged container where unshare -m fails).
pf_have_ns() {
	[ "${FMRD_NO_UNSHARE:-0}" = 1 ] && return 1
	unshare --mount --propagation private sh -c \
		'mount --bind "$1" /etc/hosts && mount --bind "$1" /etc/resolv.conf && mount --bind "$1" /etc/nsswitch.conf' \
		sh "$PF_CLI_ETC/hosts" >/dev/null 2>&1
}

# pf_chroot_etc QUEUE_DIR ETC_DIR: the client's smtp(8) chroot etc/, as
# Debian's init script keeps it: up to date with the client host's files,
# so that postfix-script, which at every start compares each regular file
# under QUEUE_DIR/etc with the /etc file of the same name ("warning:
# QUEUE_DIR/etc/F and /etc/F differ"), stays quiet.
#   services localtime host.conf   copies of the real /etc files (the
#                                  client host has no own version of them)
#   hosts resolv.conf nsswitch.conf  the client host's files (ETC_DIR):
#     with a mount namespace (PF_NS=1) copies, since the client instance
#     sees ETC_DIR's files as /etc/F (pf_start); without one (PF_NS=0) the
#     real /etc, which the suite never changes, is not the client host's:
#     the files are then kept in QUEUE_DIR/fmrd-pf-etc/ and QUEUE_DIR/etc/F
#     is a relative symbolic link to ../fmrd-pf-etc/F, which the resolver
#     follows inside the chroot and postfix-script does not compare (it
#     compares regular files only: find -type f). A scenario's chroot-etc:
#     directive replaces the link with a regular file (run.sh), which
#     postfix-script then compares, as it should.
PF_CHROOT_HOSTFILES="services localtime host.conf"
PF_CHROOT_CLIENTFILES="hosts resolv.conf nsswitch.conf"
pf_chroot_etc() {
	local q=$1 etc=$2 f
	mkdir -p "$q/etc"
	chmod 755 "$q/etc"
	for f in $PF_CHROOT_HOSTFILES; do
		rm -f "$q/etc/$f"
		[ -e "/etc/$f" ] && cp -L "/etc/$f" "$q/etc/$f"
	done
	rm -rf "$q/fmrd-pf-etc"
	for f in $PF_CHROOT_CLIENTFILES; do
		rm -f "$q/etc/$f"
	done
	if [ "${PF_NS:-1}" = 1 ]; then
		for f in $PF_CHROOT_CLIENTFILES; do
			cp -p "$etc/$f" "$q/etc/$f"
		done
	else
		mkdir -p "$q/fmrd-pf-etc"
		chmod 755 "$q/fmrd-pf-etc"
		for f in $PF_CHROOT_CLIENTFILES; do
			cp -p "$etc/$f" "$q/fmrd-pf-etc/$f"
			ln -s "../fmrd-pf-etc/$f" "$q/etc/$f"
		done
	fi
}

# The test name server: dnsmasq on 127.0.0.1:53, answering for *.test from
# $PF_DNS_HOSTS only (unknown names: NXDOMAIN), nothing else (no upstream).
PF_DNS_HOSTS=$FMRD_PF_DIR/dns/hosts
PF_DNS_PID=$FMRD_PF_DIR/dns/dnsmasq.pid
PF_DNS_LOG=$FMRD_PF_LOGDIR/dnsmasq.log

pf_dns_pid() {
	local pid
	[ -r "$PF_DNS_PID" ] || return 0
	pid=$(tr -dc '0-9' < "$PF_DNS_PID")
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--pid-file=$PF_DNS_PID" && echo "$pid"
	return 0
}

pf_dns_start() {
	local i
	[ -z "$(pf_dns_pid)" ] || return 0
	rm -f "$PF_DNS_PID"
	dnsmasq --conf-file=/dev/null --listen-address=127.0.0.1 --bind-interfaces --port=53 \
		--no-resolv --no-hosts --no-poll --addn-hosts="$PF_DNS_HOSTS" --local=/test/ \
		--user=nobody --group=nogroup --pid-file="$PF_DNS_PID" \
		--log-facility="$PF_DNS_LOG" --log-queries 2>"$FMRD_PF_DIR/dns/start.err" ||
		pf_die "dnsmasq did not start: $(cat "$FMRD_PF_DIR/dns/start.err")"
	for i in $(seq 1 50); do
		[ -n "$(pf_dns_pid)" ] && return 0
		sleep 0.1
	done
	pf_die "dnsmasq did not write its pid file"
}

pf_dns_stop() {
	local pid
	pid=$(pf_dns_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	pf_wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$PF_DNS_PID"
}

# The private rsyslogd ("logging: rsyslog" scenarios): rsyslogd -n with
# our own configuration ($PF_RSYSLOG_CONF, written by setup.sh: imuxsock on
# $PF_RSYSLOG_SOCK and on the client's chroot dev/log, mail.* to
# $PF_CLI_SYSLOG) and our own pid file; found and stopped through that pid
# file only (checked against /proc). The system's rsyslog is never touched.
pf_rsyslog_pid() {
	local pid
	[ -r "$PF_RSYSLOG_PID" ] || return 0
	pid=$(tr -dc '0-9' < "$PF_RSYSLOG_PID")
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "-i $PF_RSYSLOG_PID" && echo "$pid"
	return 0
}

pf_rsyslog_start() {	# (re)starts it with an empty $PF_CLI_SYSLOG
	local i
	pf_rsyslog_stop
	command -v rsyslogd >/dev/null || pf_die "rsyslogd not installed"
	[ -f "$PF_RSYSLOG_CONF" ] || pf_die "no $PF_RSYSLOG_CONF (setup.sh)"
	rm -f "$PF_RSYSLOG_PID" "$PF_RSYSLOG_SOCK"
	: > "$PF_CLI_SYSLOG"
	rsyslogd -n -f "$PF_RSYSLOG_CONF" -i "$PF_RSYSLOG_PID" \
		>"$PF_RSYSLOG_DIR/rsyslogd.out" 2>&1 </dev/null &
	for i in $(seq 1 100); do
		[ -n "$(pf_rsyslog_pid)" ] && [ -S "$PF_RSYSLOG_SOCK" ] && return 0
		sleep 0.05
	done
	pf_die "the private rsyslogd did not start: $(tail -5 "$PF_RSYSLOG_DIR/rsyslogd.out")"
}

pf_rsyslog_stop() {
	local pid
	pid=$(pf_rsyslog_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	pf_wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$PF_RSYSLOG_PID"
}

# The silent listener of the probe cases (silent_listener.c, built by
# setup.sh as $PF_SILENT_BIN): 127.0.0.1:$PF_PORT_SILENT, found and stopped
# through its own pid file only (checked against /proc); it also exits on
# its own after PF_SILENT_LIFETIME seconds, so an aborted run leaves
# nothing listening for long.
PF_SILENT_BIN=$FMRD_PF_DIR/bin/silent_listener
PF_SILENT_PID=$FMRD_PF_DIR/silent/silent_listener.pid
PF_SILENT_LIFETIME=${PF_SILENT_LIFETIME:-600}

pf_silent_pid() {
	local pid
	[ -r "$PF_SILENT_PID" ] || return 0
	pid=$(tr -dc '0-9' < "$PF_SILENT_PID")
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- " $PF_SILENT_PID " && echo "$pid"
	return 0
}

pf_silent_start() {
	local i
	pf_silent_stop
	[ -x "$PF_SILENT_BIN" ] || pf_die "no $PF_SILENT_BIN (setup.sh builds it)"
	mkdir -p "${PF_SILENT_PID%/*}"
	rm -f "$PF_SILENT_PID"
	"$PF_SILENT_BIN" 127.0.0.1 "$PF_PORT_SILENT" "$PF_SILENT_PID" "$PF_SILENT_LIFETIME" 30 \
		</dev/null >"${PF_SILENT_PID%/*}/silent_listener.err" 2>&1 &
	for i in $(seq 1 100); do
		[ -n "$(pf_silent_pid)" ] && return 0
		sleep 0.05
	done
	pf_die "the silent listener did not start: $(cat "${PF_SILENT_PID%/*}/silent_listener.err")"
}

pf_silent_stop() {
	local pid
	pid=$(pf_silent_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	pf_wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$PF_SILENT_PID"
}
