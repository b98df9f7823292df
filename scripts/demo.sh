#!/bin/sh
# demo.sh - README quick start (1): install what is missing, build, and
# diagnose a bundled sample: a Fastmail relay whose chrooted smtp(8) cannot
# see the CA directory.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
case=samples/tls-capath-chroot-secure
echo "\$ fmrelay-doctor --config-dir $case/postfix $case/mail.log"
build/src/fmrelay-doctor --year 2026 --config-dir "$case/postfix" "$case/mail.log" || rc=$?
echo "(exit status ${rc:-0}: 1 means problems were found)"
