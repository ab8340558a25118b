#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: every kselftest binary, then the KUnit results and the
# kernel log, each between markers that the host parses
# (harness/results.py). The host, not this script, decides pass or fail.
TESTS=/kselftest
TIMEOUT=${TIMEOUT:-120}

echo "### MODE $(cat /proc/cmdline)"
only=
for arg in $(cat /proc/cmdline); do
	case "$arg" in vfiotest.only=*) only=$(echo "${arg#vfiotest.only=}" | tr , ' ') ;; esac
done
for ct in $(cat "$TESTS/kselftest-list.txt"); do
	c=${ct%%:*}
	t=${ct#*:}
	if [ -n "$only" ] && ! echo " $only " | grep -q " $t "; then
		continue
	fi
	echo "### TEST $t"
	(cd "$TESTS/$c" && timeout "$TIMEOUT" "./$t") >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	echo "### END $t rc=$rc"
done
# The user-space driver samples, where the kernel built them.
if [ -x /bin/vfio-platform-virtio-rng ] &&
	{ [ -z "$only" ] || echo " $only " | grep -q " samples "; }; then
	echo "### TEST samples"
	timeout "$TIMEOUT" sh /guest/samples-test.sh >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	echo "### END samples rc=$rc"
fi
for r in /sys/kernel/debug/kunit/*/results; do
	[ -e "$r" ] || continue
	s=${r%/results}
	echo "### KUNIT ${s##*/}"
	cat "$r"
	echo "### END ${s##*/}"
done
echo "### DMESG"
dmesg
echo "### DONE"
