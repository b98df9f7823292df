#!/bin/bash
# setup.sh - install and configure everything the real-Postfix test suite
# needs (idempotent; run as root on Debian 12). It never starts the
# distribution's own Postfix: packages are installed with a policy-rc.d
# that forbids service starts, and the suite's two instances get their own
# config, queue, data and log directories (see lib.sh):
#
#   provider  syslog_name provider: submission on 127.0.0.1:587 (STARTTLS
#             required), 127.0.0.1:465 (TLS wrapper mode), 127.0.0.1:2587
#             (no STARTTLS); for the probe cases 127.0.0.1:2588 (expired
#             certificate), :2589 (certificate for another name), :2590
#             (strict sender login checks at MAIL FROM); SASL via Cyrus
#             sasldb; relays only for authenticated users whose sender
#             address they own; accepted mail is discarded.
#   client    syslog_name postfix: Debian's main.cf/master.cf as the package
#             generates them (smtp chroot y), relaying through
#             [smtp.provider.test]:587 with SASL and TLS (test CA).
#
# It also builds the probe cases' silent listener (silent_listener.c ->
# $FMRD_PF_DIR/bin/, with cc).
# setup.sh does not start the instances; run.sh does (and stops them).
# Options: --no-install  skip the apt-get part (packages must be there)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || pf_die "setup.sh must run as root"
install=1
[ "${1:-}" = --no-install ] && install=0

mkdir -p "$FMRD_PF_DIR"
chmod 755 "$FMRD_PF_DIR"

# ---------------------------------------------------------------- packages
PKGS="postfix libsasl2-modules sasl2-bin openssl dnsmasq-base iproute2 jq"
# only for the "logging: rsyslog" scenarios (skipped without it); installed
# like the others, never started as the system's service
PKGS_OPTIONAL="rsyslog"

pkg_missing() {	# pkg_missing [PACKAGE...] (default: $PKGS)
	local p out=""
	# shellcheck disable=SC2048,SC2086
	for p in ${*:-$PKGS}; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			out="$out $p"
	done
	echo "$out"
}

policy_saved=""
restore_policy() {
	if [ "$policy_saved" = yes ]; then
		mv -f "$FMRD_PF_DIR/policy-rc.d.saved" /usr/sbin/policy-rc.d
	elif [ "$policy_saved" = no ]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	policy_saved=""
}

install_packages() {
	local missing default_pid_before default_pid_after syslog_before syslog_after
	# shellcheck disable=SC2086
	missing=$(pkg_missing $PKGS $PKGS_OPTIONAL)
	[ -n "$missing" ] || return 0
	pf_log "installing:$missing"
	# Install Postfix unconfigured ("No configuration": no /etc/postfix/main.cf
	# is written) - this suite writes every file it needs itself. Only when
	# Postfix itself is missing: the debconf answers of a Postfix the host
	# already has (and configured) are not touched.
	case " $missing " in
	*" postfix "*)
		debconf-set-selections <<-'EOF'
		postfix postfix/main_mailer_type select No configuration
		postfix postfix/mailname string client.example.com
		EOF
		;;
	esac
	default_pid_before=$(pf_master_pid /var/spool/postfix)
	syslog_before=$(system_rsyslogd_pid)
	# Forbid service starts while installing (Debian's policy-rc.d protocol).
	if [ -e /usr/sbin/policy-rc.d ]; then
		cp -p /usr/sbin/policy-rc.d "$FMRD_PF_DIR/policy-rc.d.saved"
		policy_saved=yes
	else
		policy_saved=no
	fi
	trap restore_policy EXIT
	printf '#!/bin/sh\n# written by fmrelay-doctor tests/postfix/setup.sh during apt-get install\nexit 101\n' \
		> /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -y -q --no-install-recommends $missing; then
		apt-get update -q
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing
	fi
	restore_policy
	trap - EXIT
	# If the installation started the default instance after all (it was not
	# running before), stop it again: this script started it.
	default_pid_after=$(pf_master_pid /var/spool/postfix)
	if [ -n "$default_pid_after" ] && [ -z "$default_pid_before" ]; then
		pf_log "the package installation started the default Postfix instance; stopping it"
		postfix stop || true
	fi
	# the same for the system's rsyslogd (its own pid file): not started by
	# the policy-rc.d above; if it was started after all, stop it again
	syslog_after=$(system_rsyslogd_pid)
	if [ -n "$syslog_after" ] && [ -z "$syslog_before" ]; then
		pf_log "the package installation started the system's rsyslogd ($syslog_after); stopping it"
		kill -TERM "$syslog_after" 2>/dev/null || true
	fi
}

system_rsyslogd_pid() {	# the system's rsyslogd, from its pid file
	local pid
	[ -r /run/rsyslogd.pid ] || return 0
	pid=$(tr -dc '0-9' < /run/rsyslogd.pid)
	[ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && grep -qx rsyslogd "/proc/$pid/comm" && echo "$pid"
	return 0
}

if [ "$install" = 1 ]; then
	install_packages
fi
missing=$(pkg_missing)
[ -z "$missing" ] || pf_die "packages missing:$missing"
command -v saslpasswd2 >/dev/null || pf_die "saslpasswd2 not found (sasl2-bin)"

# Stop instances left running by an earlier, interrupted run (ours only:
# found through the pid files in our own queue directories).
[ -f "$PF_CLI/main.cf" ] && pf_stop "$PF_CLI" "$PF_CLI_Q"
[ -f "$PF_PROV/main.cf" ] && pf_stop "$PF_PROV" "$PF_PROV_Q"
pf_dns_stop
pf_rsyslog_stop
pf_silent_stop

mkdir -p "$FMRD_PF_SPOOL" "$FMRD_PF_DATA" "$FMRD_PF_LOGDIR" "$PF_PROV_Q" "$PF_CLI_Q"
chmod 755 "$FMRD_PF_SPOOL" "$FMRD_PF_DATA" "$FMRD_PF_LOGDIR" "$PF_PROV_Q" "$PF_CLI_Q"

# ---------------------------------------------------------------- test CA
# A CA and a server certificate for smtp.provider.test (and an unrelated
# CA for the "untrusted" scenario), made once (kept
# while the certificate is valid for at least another day).
mkdir -p "$PF_CA"
if ! [ -s "$PF_CA/server.crt" ] || ! [ -s "$PF_CA/other-ca.crt" ] || ! [ -s "$PF_CA/expired.crt" ] ||
	! [ -s "$PF_CA/selfsigned.crt" ] || ! openssl x509 -checkend 86400 -noout -in "$PF_CA/server.crt" >/dev/null 2>&1 ||
	! openssl verify -CAfile "$PF_CA/ca.crt" "$PF_CA/server.crt" >/dev/null 2>&1; then
	pf_log "creating the test CA and the certificate for $PF_PROVIDER_HOST"
	(
		cd "$PF_CA"
		rm -rf ./*.crt ./*.key ./*.csr ./*.srl ./*.ext ca-db
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
			-keyout ca.key -out ca.crt \
			-subj "/O=fmrelay-doctor tests/CN=fmrelay-doctor Test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
			-subj "/O=Provider Test/CN=$PF_PROVIDER_HOST" 2>/dev/null
		printf '%s\n' "subjectAltName=DNS:$PF_PROVIDER_HOST" "basicConstraints=CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > server.ext
		openssl x509 -req -sha256 -days 825 -in server.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -extfile server.ext -out server.crt 2>/dev/null
		# an unrelated CA that did not sign the provider's certificate
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
			-keyout other-ca.key -out other-ca.crt \
			-subj "/O=fmrelay-doctor tests/CN=Some Other Test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
		# a self-signed certificate for smtp.provider.test
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
			-keyout selfsigned.key -out selfsigned.crt \
			-subj "/O=Provider Test/CN=$PF_PROVIDER_HOST" \
			-addext "subjectAltName=DNS:$PF_PROVIDER_HOST" 2>/dev/null
		# a certificate from the test CA that expired on 2025-01-01
		openssl req -newkey rsa:2048 -nodes -sha256 -keyout expired.key -out expired.csr \
			-subj "/O=Provider Test/CN=$PF_PROVIDER_HOST" 2>/dev/null
		mkdir -p ca-db
		: > ca-db/index.txt
		echo 1001 > ca-db/serial
		printf '%s\n' '[ca]' 'default_ca = test' '[test]' 'database = ca-db/index.txt' \
			'new_certs_dir = ca-db' 'serial = ca-db/serial' 'default_md = sha256' 'policy = pol' \
			'x509_extensions = ext' 'unique_subject = no' '[pol]' 'organizationName = optional' \
			'commonName = supplied' '[ext]' "subjectAltName = DNS:$PF_PROVIDER_HOST" \
			'basicConstraints = CA:FALSE' 'keyUsage = critical,digitalSignature,keyEncipherment' \
			'extendedKeyUsage = serverAuth' > ca-db/ca.cnf
		openssl ca -batch -notext -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr \
			-out expired.crt -startdate 20240101000000Z -enddate 20250101000000Z >/dev/null 2>&1
		chmod 600 ./*.key
		chmod 644 ./*.crt
	)
fi
# A certificate from the test CA for another host ($PF_MISMATCH_HOST): the
# provider's port $PF_PORT_MISMATCH presents it (name mismatch), made with the
# CA above when missing or not from it.
if ! [ -s "$PF_CA/othername.crt" ] || ! openssl x509 -checkend 86400 -noout -in "$PF_CA/othername.crt" >/dev/null 2>&1 ||
	! openssl verify -CAfile "$PF_CA/ca.crt" "$PF_CA/othername.crt" >/dev/null 2>&1; then
	pf_log "creating the certificate for $PF_MISMATCH_HOST"
	(
		cd "$PF_CA"
		rm -f othername.crt othername.key othername.csr othername.ext
		openssl req -newkey rsa:2048 -nodes -sha256 -keyout othername.key -out othername.csr \
			-subj "/O=Other Provider Test/CN=$PF_MISMATCH_HOST" 2>/dev/null
		printf '%s\n' "subjectAltName=DNS:$PF_MISMATCH_HOST" "basicConstraints=CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > othername.ext
		openssl x509 -req -sha256 -days 825 -in othername.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -extfile othername.ext -out othername.crt 2>/dev/null
		chmod 600 othername.key
		chmod 644 othername.crt
	)
	openssl verify -CAfile "$PF_CA/ca.crt" "$PF_CA/othername.crt" >/dev/null 2>&1 ||
		pf_die "could not make $PF_CA/othername.crt"
fi
# smtp_tls_CApath directory: the CA under its hash name (outside the chroot).
rm -rf "$PF_CAPATH"
mkdir -p "$PF_CAPATH"
cp "$PF_CA/ca.crt" "$PF_CAPATH/fmrelay-doctor-test-ca.pem"
openssl rehash "$PF_CAPATH" 2>/dev/null || c_rehash "$PF_CAPATH" >/dev/null
chmod -R a+rX "$PF_CAPATH"

# ---------------------------------------------------------------- provider
rm -rf "$PF_PROV"
mkdir -p "$PF_PROV/sasl"
cat > "$PF_PROV/main.cf" <<EOF
# fmrelay-doctor tests/postfix: the "provider" instance (a smarthost that
# accepts authenticated submissions and discards the mail).
compatibility_level = 3.6
queue_directory = $PF_PROV_Q
data_directory = $FMRD_PF_DATA/provider
syslog_name = provider
maillog_file = $PF_PROV_LOG
myhostname = $PF_PROVIDER_HOST
mydomain = provider.test
myorigin = \$myhostname
mydestination =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 192.0.2.1/32
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_banner = \$myhostname ESMTP provider-test
# everything accepted is thrown away
default_transport = discard:accepted by the test provider
relay_transport = discard:accepted by the test provider
local_transport = discard:accepted by the test provider
# TLS
smtpd_tls_cert_file = $PF_CA/server.crt
smtpd_tls_key_file = $PF_CA/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
# SASL: Cyrus with a sasldb (smtpd.conf in cyrus_sasl_config_path)
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $PF_PROV/sasl
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous
smtpd_sasl_authenticated_header = no
# who may send as whom; relay only for authenticated clients
smtpd_sender_login_maps = texthash:$PF_PROV/sender_login
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_delay_reject = yes
# fast tests
smtpd_timeout = 30s
smtpd_starttls_timeout = 30s
EOF

cat > "$PF_PROV/master.cf" <<EOF
# fmrelay-doctor tests/postfix: provider master.cf (nothing chrooted;
# every listener on 127.0.0.1 only)
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT_SUBMISSION inet n - n - - smtpd
  -o syslog_name=provider/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$PF_PORT_SMTPS inet n - n - - smtpd
  -o syslog_name=provider/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$PF_PORT_NOTLS inet n - n - - smtpd
  -o syslog_name=provider/notls
  -o smtpd_tls_security_level=none
  -o smtpd_tls_auth_only=no
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$PF_PORT_EXPIRED inet n - n - - smtpd
  -o syslog_name=provider/expired
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_cert_file=$PF_CA/expired.crt
  -o smtpd_tls_key_file=$PF_CA/expired.key
127.0.0.1:$PF_PORT_MISMATCH inet n - n - - smtpd
  -o syslog_name=provider/mismatch
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_cert_file=$PF_CA/othername.crt
  -o smtpd_tls_key_file=$PF_CA/othername.key
127.0.0.1:$PF_PORT_SENDER inet n - n - - smtpd
  -o syslog_name=provider/sender
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sender_login_maps=texthash:$PF_PROV/sender_login_own
  -o smtpd_delay_reject=no
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

cat > "$PF_PROV/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $PF_PROV/sasldb2
EOF
# the test account, in the realm provider.test (login relayuser@provider.test)
rm -f "$PF_PROV/sasldb2"
printf '%s' "$PF_SASL_PASS" | saslpasswd2 -p -c -f "$PF_PROV/sasldb2" -u provider.test "${PF_SASL_USER%@*}"
chown root:postfix "$PF_PROV/sasldb2"
chmod 640 "$PF_PROV/sasldb2"
# sender addresses the test account owns
cat > "$PF_PROV/sender_login" <<EOF
@$PF_CLIENT_HOST	$PF_SASL_USER
$PF_SASL_USER	$PF_SASL_USER
EOF
# port $PF_PORT_SENDER: the account owns its own address only
printf '%s\t%s\n' "$PF_SASL_USER" "$PF_SASL_USER" > "$PF_PROV/sender_login_own"
rm -rf "$PF_PROV_BASE"
cp -a "$PF_PROV" "$PF_PROV_BASE"

# ---------------------------------------------------------------- client
# Debian's files as the package's postinst writes them for a new
# configuration: main.cf.debian (+ main.cf.tls, appended when the snakeoil
# key exists - the usual case on a Debian server), master.cf.dist; then the
# settings of a smarthost client (the answers debconf would have written)
# and of this test instance.
rm -rf "$PF_CLI"
mkdir -p "$PF_CLI"
cp /usr/share/postfix/main.cf.debian "$PF_CLI/main.cf"
cat /usr/share/postfix/main.cf.tls >> "$PF_CLI/main.cf"
cp /usr/share/postfix/master.cf.dist "$PF_CLI/master.cf"
# no inet smtpd on port 25: mail is submitted with sendmail(1) only
sed -i 's/^smtp      inet  n       -       y       -       -       smtpd$/#&/' "$PF_CLI/master.cf"
grep -q '^#smtp      inet' "$PF_CLI/master.cf" || pf_die "could not disable the inet smtpd in master.cf.dist"
grep -q '^postlog *unix-dgram' "$PF_CLI/master.cf" ||
	printf 'postlog   unix-dgram n  -       n       -       1       postlogd\n' >> "$PF_CLI/master.cf"

pc() { postconf -c "$PF_CLI" -e "$@"; }
pc "smtpd_relay_restrictions=permit_mynetworks permit_sasl_authenticated defer_unauth_destination"
pc "myhostname=$PF_CLIENT_HOST" \
	"alias_maps=hash:$PF_CLI/aliases" \
	"alias_database=hash:$PF_CLI/aliases" \
	"myorigin=\$myhostname" \
	"mydestination=\$myhostname, $PF_CLIENT_HOST, localhost.localdomain, localhost" \
	"relayhost=[$PF_PROVIDER_HOST]:$PF_PORT_SUBMISSION" \
	"mynetworks=127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" \
	"mailbox_size_limit=0" \
	"recipient_delimiter=+" \
	"inet_interfaces=loopback-only" \
	"inet_protocols=all"
# this instance's own directories and log
pc "queue_directory=$PF_CLI_Q" \
	"data_directory=$FMRD_PF_DATA/client" \
	"maillog_file=$PF_CLI_LOG"
# relaying through the provider
pc "smtp_sasl_auth_enable=yes" \
	"smtp_sasl_password_maps=hash:$PF_CLI/sasl_passwd" \
	"smtp_sasl_security_options=noanonymous" \
	"smtp_tls_security_level=encrypt" \
	"smtp_tls_CAfile=$PF_CA/ca.crt" \
	"smtp_tls_loglevel=1"
printf '[%s]:%s %s:%s\n' "$PF_PROVIDER_HOST" "$PF_PORT_SUBMISSION" "$PF_SASL_USER" "$PF_SASL_PASS" \
	> "$PF_CLI/sasl_passwd"
chmod 600 "$PF_CLI/sasl_passwd"
postmap -c "$PF_CLI" "hash:$PF_CLI/sasl_passwd"
# bounce and delay notifications go to root, whose mail is thrown away
printf '%s\n' '# See man 5 aliases for format' 'postmaster:    root' 'root:          /dev/null' > "$PF_CLI/aliases"
postalias -c "$PF_CLI" "hash:$PF_CLI/aliases"

# Name service without network. The client host's /etc/hosts,
# /etc/resolv.conf and /etc/nsswitch.conf are files in $PF_CLI_ETC, which
# run.sh bind-mounts over /etc in a mount namespace of the client instance
# only (the real /etc is not touched); the smtp(8) chroot gets copies (as
# Debian's init script makes them). The name server is the suite's dnsmasq
# on 127.0.0.1:53 (run.sh starts it): smtp.provider.test is 127.0.0.1, any
# other *.test name is NXDOMAIN, so lookups are real DNS lookups, and fast.
mkdir -p "$PF_CLI_ETC" "$(dirname "$PF_DNS_HOSTS")"
printf '%s\n' "127.0.0.1	localhost" "127.0.1.1	$PF_CLIENT_HOST ${PF_CLIENT_HOST%%.*}" "" \
	"# The following lines are desirable for IPv6 capable hosts" \
	"::1     localhost ip6-localhost ip6-loopback" "ff02::1 ip6-allnodes" "ff02::2 ip6-allrouters" \
	> "$PF_CLI_ETC/hosts"
printf '%s\n' "nameserver 127.0.0.1" > "$PF_CLI_ETC/resolv.conf"
printf '%s\n' "passwd:         files" "group:          files" "shadow:         files" "gshadow:        files" "" \
	"hosts:          files dns" "networks:       files" "" "protocols:      db files" "services:       db files" \
	"ethers:         db files" "rpc:            db files" "" "netgroup:       nis" > "$PF_CLI_ETC/nsswitch.conf"
# mail.provider.test: another name of the same server (not in its certificate)
printf '%s\n' "127.0.0.1	$PF_PROVIDER_HOST" "127.0.0.1	mail.provider.test" > "$PF_DNS_HOSTS"
chmod 644 "$PF_CLI_ETC"/* "$PF_DNS_HOSTS"
chmod 755 "$PF_CLI_ETC" "$(dirname "$PF_DNS_HOSTS")"
# (run.sh makes the chroot's etc/ again before every start of the client,
# with or without a mount namespace: lib.sh, pf_chroot_etc)
pf_chroot_etc "$PF_CLI_Q" "$PF_CLI_ETC"

# The private rsyslogd of the "logging: rsyslog" scenarios (lib.sh;
# run.sh starts it): /dev/log of the client's mount namespace is
# $PF_RSYSLOG_SOCK; like Debian's rsyslog.d/postfix.conf it also listens on
# dev/log in the client's queue directory (the smtp chroot). Hostname
# "client" as on the client host; rsyslog's own reception time, RFC 3339
# with microseconds and zone (RSYSLOG_FileFormat); no rate limits.
mkdir -p "$PF_RSYSLOG_DIR" "$PF_RSYSLOG_REALDEV" "$PF_CLI_Q/dev"
chmod 755 "$PF_RSYSLOG_DIR" "$PF_CLI_Q/dev"
cat > "$PF_RSYSLOG_CONF" <<EOF
# fmrelay-doctor tests/postfix: private rsyslogd for the client instance
# (rsyslogd -n -f $PF_RSYSLOG_CONF -i $PF_RSYSLOG_PID)
global(workDirectory="$PF_RSYSLOG_DIR" localHostName="${PF_CLIENT_HOST%%.*}")
module(load="imuxsock" SysSock.Name="$PF_RSYSLOG_SOCK" SysSock.RateLimit.Interval="0")
input(type="imuxsock" Socket="$PF_CLI_Q/dev/log" RateLimit.Interval="0")
mail.*	action(type="omfile" file="$PF_CLI_SYSLOG" template="RSYSLOG_FileFormat")
EOF
chmod 644 "$PF_RSYSLOG_CONF"
if command -v rsyslogd >/dev/null; then
	rsyslogd -N1 -f "$PF_RSYSLOG_CONF" >/dev/null 2>&1 || pf_die "rsyslogd -N1 rejects $PF_RSYSLOG_CONF"
fi

# The probe cases' silent listener (lib.sh pf_silent_start), rebuilt when
# its source is newer.
if ! [ -x "$PF_SILENT_BIN" ] || [ "$here/silent_listener.c" -nt "$PF_SILENT_BIN" ]; then
	mkdir -p "${PF_SILENT_BIN%/*}"
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$PF_SILENT_BIN.new" "$here/silent_listener.c" ||
		pf_die "could not build $here/silent_listener.c (cc)"
	mv -f "$PF_SILENT_BIN.new" "$PF_SILENT_BIN"
fi

postfix -c "$PF_CLI" check >/dev/null 2>&1 || true   # creates the queue directories
rm -rf "$PF_CLI_BASE"
cp -a "$PF_CLI" "$PF_CLI_BASE"

postfix -c "$PF_PROV" check >/dev/null 2>&1 || true
# no mail left over from an interrupted run (postsuper deletes, then
# complains that it cannot write the log itself: ignored)
postsuper -c "$PF_CLI" -d ALL >/dev/null 2>&1 || true
postsuper -c "$PF_PROV" -d ALL >/dev/null 2>&1 || true
# a configuration error shows up here rather than in the middle of a run
postconf -c "$PF_PROV" -n >/dev/null
postconf -c "$PF_CLI" -n >/dev/null
pf_log "setup done: $FMRD_PF_DIR"
