#!/bin/sh
# deps.sh - install the Debian/Ubuntu packages needed to build and test
# fmrelay-doctor, but only those that are missing. Uses sudo when not root.
set -eu
PKGS="gcc make autoconf automake pkg-config libpcre2-dev libssl-dev libjson-c-dev
libcmocka-dev jq valgrind clang zlib1g-dev libsystemd-dev systemd-journal-remote faketime"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
		|| missing="$missing $p"
done
# libFuzzer's runtime for the fuzz targets (tests/fuzz): a package of its
# own on Debian 12; optional, the fuzz stage is skipped without it
optional=""
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a > /dev/null 2>&1 \
	|| optional="libclang-rt-14-dev"
[ -z "$missing" ] && [ -z "$optional" ] && exit 0
echo "deps.sh: installing:$missing $optional"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		[ -z "$missing" ] && { echo "deps.sh: not installing $optional (no root or sudo)" >&2; exit 0; }
		echo "deps.sh: need root or sudo to install:$missing" >&2
		exit 1
	fi
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
[ -z "$missing" ] || $SUDO apt-get install -y -qq --no-install-recommends $missing
if [ -n "$optional" ]; then
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $optional \
		|| echo "deps.sh: $optional is not available: the fuzz targets will be skipped" >&2
fi
