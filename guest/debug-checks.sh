#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest at the end of a test script (guest/check.sh,
# guest/versal.sh), under the debug kernel: a kmemleak scan for what the
# tests left behind (it reports objects older than 5 s, so scan twice with
# a pause), and whether lockdep is still on (a report turns it off for the
# rest of the run). harness/results.py reads the markers. Does nothing
# under a kernel without kmemleak and lockdep.
if [ -e /sys/kernel/debug/kmemleak ]; then
	scans=0
	for i in 1 2; do
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak && scans=$((scans + 1))
	done
	cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
	cat /tmp/kmemleak
	echo "### KMEMLEAK $scans scans, $(grep -c 'unreferenced object' /tmp/kmemleak) leaks"
fi
if [ -r /proc/lockdep_stats ]; then
	echo "### LOCKDEP debug_locks=$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats)"
fi
