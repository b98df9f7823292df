# lib.sh - helpers for the setup scripts of the configuration fixture
# cases (tests/config/cases/*/setup; source "$TESTS/lib.sh"): a test CA,
# leaf certificates (with past or future validity through faketime), keys
# that do not match, CA bundles, CA directories with hashed names as
# "openssl rehash" makes them, and the chroot copy of a CA directory as
# Debian's configure-instance.sh makes it. Keys are made at setup time,
# never committed. Every function takes paths inside the fixture root
# ($ROOT/...) or absolute ones; nothing touches the host.

# Quiet openssl; stop the setup on failure.
pki_ssl() {
	openssl "$@" 2>/dev/null || { echo "lib.sh: openssl $1 failed" >&2; exit 1; }
}

# pki_key FILE: a new private key (EC P-256: fast), mode 0600.
pki_key() {
	pki_ssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	chmod 600 "$1"
}

# pki_ca DIR NAME [DAYS]: a self-signed CA, DIR/NAME.key and DIR/NAME.pem.
pki_ca() {
	mkdir -p "$1"
	pki_key "$1/$2.key"
	pki_ssl req -x509 -new -key "$1/$2.key" -out "$1/$2.pem" -days "${3:-3650}" \
		-subj "/O=fmrelay-doctor test/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# pki_leaf DIR NAME CA [DAYS] [WHEN]: DIR/NAME.key and DIR/NAME.pem signed
# by CA (a path without .pem/.key), valid DAYS days (default 365) from
# WHEN, a faketime date ("400 days ago", "+10d"; default now).
pki_leaf() {
	mkdir -p "$1"
	pki_key "$1/$2.key"
	pki_ssl req -new -key "$1/$2.key" -out "$1/$2.csr" -subj "/O=fmrelay-doctor test/CN=$2"
	if [ -n "${5:-}" ]; then
		faketime "$5" openssl x509 -req -in "$1/$2.csr" -CA "$3.pem" -CAkey "$3.key" \
			-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
			-days "${4:-365}" -out "$1/$2.pem" 2>/dev/null ||
			{ echo "lib.sh: faketime openssl x509 failed" >&2; exit 1; }
	else
		pki_ssl x509 -req -in "$1/$2.csr" -CA "$3.pem" -CAkey "$3.key" \
			-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
			-days "${4:-365}" -out "$1/$2.pem"
	fi
	rm -f "$1/$2.csr"
}

# pki_ca_at DIR NAME WHEN [DAYS]: a self-signed CA made at faketime WHEN
# (an expired root: "3000 days ago" with DAYS 100).
pki_ca_at() {
	mkdir -p "$1"
	pki_key "$1/$2.key"
	faketime "$3" openssl req -x509 -new -key "$1/$2.key" -out "$1/$2.pem" \
		-days "${4:-3650}" -subj "/O=fmrelay-doctor test/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" 2>/dev/null ||
		{ echo "lib.sh: faketime openssl req failed" >&2; exit 1; }
}

# pki_bundle OUT PEM...: a CA bundle file (like ca-certificates.crt).
pki_bundle() {
	out=$1
	shift
	mkdir -p "$(dirname "$out")"
	cat "$@" > "$out"
}

# pki_capath DIR PEM...: a CA directory as update-ca-certificates leaves
# /etc/ssl/certs: NAME.pem copies and <hash>.0 links made by openssl rehash.
pki_capath() {
	dir=$1
	shift
	mkdir -p "$dir"
	for f in "$@"; do cp "$f" "$dir/$(basename "$f")"; done
	pki_ssl rehash "$dir"
}

# pki_hash_link DIR FILE PEM: the hashed name openssl rehash would give
# PEM's subject, DIR/<hash>.0 -> FILE (for links rehash cannot follow).
pki_hash_link() {
	h=$(openssl x509 -noout -subject_hash -in "$3") || exit 1
	ln -s "$2" "$1/$h.0"
}

# pki_chroot_capath ROOT QUEUE_DIR CAPATH: the chroot's copy of CAPATH as
# configure-instance.sh makes it: the *.pem files (links followed) under
# QUEUE_DIR/CAPATH, then openssl rehash there.
pki_chroot_capath() {
	src="$1$3"
	dst="$1$2$3"
	mkdir -p "$dst"
	(cd "$src" && find . -name '*.pem' -print) | while read -r f; do
		cp -L "$src/$f" "$dst/$f"
	done
	pki_ssl rehash "$dst"
}

# pki_chroot_etc ROOT QUEUE_DIR: the chroot's copies of etc files
# (configure-instance.sh's list), for those present under ROOT/etc.
pki_chroot_etc() {
	mkdir -p "$1$2/etc"
	for f in localtime services resolv.conf hosts host.conf nsswitch.conf; do
		[ -f "$1/etc/$f" ] && cp "$1/etc/$f" "$1$2/etc/$f"
	done
	return 0
}
