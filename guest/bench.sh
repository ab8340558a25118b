#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for "make bench" (vfiotest.run=bench): one full round
# of the benchmark program, then the kernel log, between markers that
# harness/bench-report.py parses.
scale=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in vfiotest.bench_scale=*) scale=${arg#vfiotest.bench_scale=} ;; esac
done
echo "### BENCH-START $(uname -r) scale=$scale"
/kselftest/bench/vfio_platform_bench --bench "$scale"
echo "### BENCH-END rc=$?"
echo "### DMESG"
dmesg
echo "### DONE"
