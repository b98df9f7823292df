#!/bin/sh
# deps.sh - install the Debian/Ubuntu packages needed to build and test
# fmrelay-doctor, but only those that are missing. Uses sudo when not root.
set -eu
PKGS="gcc make autoconf automake pkg-config libpcre2-dev libssl-dev libjson-c-dev
libcmocka-dev jq valgrind"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
