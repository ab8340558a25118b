#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regression test for the first run on a bare Debian 12 machine: the entry
# points (make deps, make demo, make check) must reach the package install
# with nothing installed, and a failure must say "error: ..." rather than
# stop silently.
#
# Each entry point runs in a private mount namespace where /usr/src is an
# empty tmpfs (no kernel tarball), with apt-get, dpkg-query and dpkg
# replaced through PATH by stubs that record their calls and report every
# package missing. The stub's "apt-get install" fails, so the run stops
# right there, and must say so. Prints "PASS|FAIL host/first-run/...".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != --inside ]; then
	# Any command that stops a harness script names itself and its line.
	out=$(bash -c ". '$TOP/harness/lib.sh'; true; false; echo not reached" 2>&1)
	if [[ "$out" == "error: false failed (exit 1) at "*":"[0-9]* ]]; then
		echo "PASS host/first-run/error-trap"
	else
		echo "FAIL host/first-run/error-trap: a failing command said: ${out:-nothing}"
	fi
	if ! command -v unshare >/dev/null || [ "$(id -u)" != 0 ]; then
		echo "SKIP host/first-run: needs root and unshare"
		exit 0
	fi
	exec unshare -m --propagation private "$0" --inside
fi

mount -t tmpfs none /usr/src || { echo "FAIL host/first-run: cannot mount a tmpfs over /usr/src"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/stubs"
for tool in apt-get dpkg-query dpkg; do
	cat >"$tmp/stubs/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >>"$tmp/calls"
case "$tool \$1" in
"apt-get install") echo "E: stub: no packages here" >&2; exit 100 ;;
"dpkg-query "*) exit 1 ;;
esac
exit 0
EOF
	chmod +x "$tmp/stubs/$tool"
done

for entry in deps demo check; do
	: >"$tmp/calls"
	# A build directory of its own: nothing of build/ is used or changed.
	PATH=$tmp/stubs:$PATH BUILD=$tmp/build-$entry timeout 60 \
		make -s -C "$TOP" "$entry" >"$tmp/out" 2>&1 </dev/null
	rc=$?
	install=$(grep -m1 '^apt-get install' "$tmp/calls")
	if [ $rc = 0 ]; then
		echo "FAIL host/first-run/make-$entry: succeeded although apt-get install failed"
	elif [[ " $install " != *" linux-source-6.12 "* ]]; then
		echo "FAIL host/first-run/make-$entry: no apt-get install of linux-source-6.12 (exit $rc): $(tail -n 2 "$tmp/out" | tr '\n' ' ')"
	elif ! grep -q '^error: .*apt-get install failed' "$tmp/out"; then
		echo "FAIL host/first-run/make-$entry: the failure was not reported with 'error:': $(tail -n 2 "$tmp/out" | tr '\n' ' ')"
	else
		echo "PASS host/first-run/make-$entry"
	fi
done
