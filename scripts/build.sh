#!/bin/sh
# build.sh - configure (once) and build in DIR (default build/) with the
# extra configure arguments given; warnings are errors.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	./autogen.sh >/dev/null 2>&1 || ./autogen.sh
fi
mkdir -p "$dir"
if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ]; then
	(cd "$dir" && ../configure --enable-werror "$@" >/dev/null) || { cat "$dir/config.log" | tail -30; exit 1; }
fi
make -s -C "$dir" -j"$(nproc)" >/dev/null
