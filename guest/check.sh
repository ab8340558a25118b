#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: every kselftest binary, then the KUnit results and the
# kernel log, each between markers that the host parses
# (harness/results.py). The host, not this script, decides pass or fail.
TESTS=/kselftest
TIMEOUT=${TIMEOUT:-120}
# The host (harness/run-guest.py) passes the tests' "vfiotest-host: CMD"
# console lines to QEMU's monitor: the tests that need it may ask.
export VFIO_SELFTESTS_HOST_CONSOLE=1

echo "### MODE $(cat /proc/cmdline)"
# Booted with ACPI: add the SSDT that gives a virtio-mmio slot a _RST
# (guest/acpi/rst-ssdt.asl) before anything binds it.
if [ -e /sys/firmware/acpi/tables/DSDT ] && [ -e /guest/acpi/rst-ssdt.aml ]; then
	mkdir -p /tmp/config
	mount -t configfs configfs /tmp/config &&
		mkdir /tmp/config/acpi/table/vfiotest-rst &&
		cat /guest/acpi/rst-ssdt.aml >/tmp/config/acpi/table/vfiotest-rst/aml ||
		echo "### SSDT not loaded"
fi
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
# The series' KUnit suites run at boot in every mode: a suite that is not
# there (not built: a configuration that lost its symbol) is a failure,
# not one suite less (harness/results.py: "no results"). genirq's
# irq_test_cases, where the chained-handler test is, is not in 6.12.
expect="driver-bind-only vfio-platform-access-width vfio-platform-irq vfio-platform-of-parts"
case "$(uname -r)" in 6.*) ;; *) expect="$expect irq_test_cases" ;; esac
for s in $expect; do
	[ -e "/sys/kernel/debug/kunit/$s/results" ] || printf '### KUNIT %s\n### END %s\n' "$s" "$s"
done
for r in /sys/kernel/debug/kunit/*/results; do
	[ -e "$r" ] || continue
	s=${r%/results}
	echo "### KUNIT ${s##*/}"
	cat "$r"
	echo "### END ${s##*/}"
done
# The debug kernel's kmemleak scan and lockdep state.
sh /guest/debug-checks.sh
echo "### DMESG"
dmesg
echo "### DONE"
