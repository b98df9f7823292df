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
PF_PORT_SUBMISSION=587
PF_PORT_SMTPS=465
PF_PORT_NOTLS=2587
PF_PORT_CLOSED=2599

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

# pf_stop CONFIG_DIR QUEUE_DIR: stop one of our instances with
# "postfix -c DIR stop"; if its master is still there after 10 s, kill that
# one PID. Never touches any other process.
pf_stop() {
	local cfg=$1 q=$2 pid i
	pid=$(pf_master_pid "$q")
	[ -n "$pid" ] || return 0
	postfix -c "$cfg" stop >/dev/null 2>&1 || true
	for i in $(seq 1 100); do
		[ -d "/proc/$pid" ] || return 0
		sleep 0.1
	done
	pf_log "master $pid of $cfg did not stop; sending SIGKILL to it"
	kill -KILL "$pid" 2>/dev/null || true
}

# pf_start CONFIG_DIR QUEUE_DIR: start an instance and wait until its
# master runs.
pf_start() {
	local cfg=$1 q=$2 i
	postfix -c "$cfg" start >/dev/null 2>"$FMRD_PF_DIR/start.err" ||
		pf_die "postfix -c $cfg start failed: $(cat "$FMRD_PF_DIR/start.err")"
	for i in $(seq 1 100); do
		[ -n "$(pf_master_pid "$q")" ] && return 0
		sleep 0.1
	done
	pf_die "master of $cfg did not start"
}
