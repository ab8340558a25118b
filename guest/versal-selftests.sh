#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest of the versal mode, from guest/versal.sh: the selftests
# that take any platform device (VFIO_PLATFORM_DEV, which harness/modes.sh
# sets to ZDMA channel 3, ffab0000.dma; versal.sh leaves that channel
# alone) run against real SoC IP: QEMU's calls to assign the channel
# (vfio_platform_qemu_replay_test) and the fuzzer of its device fd
# (vfio_platform_fuzz_test). Each test hands the channel to vfio-platform
# and gives it back; then the channel must be with zynqmp_dma again.
# Results between the markers harness/results.py reads, as guest/check.sh
# prints them.
TESTS=/kselftest/vfio
TIMEOUT=${TIMEOUT:-120}
NATIVE=xilinx-zynqmp-dma

driver() {
	d=$(readlink "/sys/bus/platform/devices/$1/driver" 2>/dev/null)
	echo "${d##*/}"
}

# -v dev: their variant for VFIO_PLATFORM_DEV alone (kselftest_harness's
# filter); the others need devices this machine does not have.
for t in vfio_platform_qemu_replay_test vfio_platform_fuzz_test; do
	echo "### TEST $t"
	(cd "$TESTS" && timeout "$TIMEOUT" "./$t" -v dev) >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	echo "### END $t rc=$rc"
done

echo "### TEST versal-selftests"
. /guest/tap.sh
if [ -z "$VFIO_PLATFORM_DEV" ]; then
	skip zdma_back_to_native "VFIO_PLATFORM_DEV is not set"
elif [ "$(driver "$VFIO_PLATFORM_DEV")" = $NATIVE ]; then
	ok zdma_back_to_native
else
	not_ok zdma_back_to_native
	echo "# $VFIO_PLATFORM_DEV: driver \"$(driver "$VFIO_PLATFORM_DEV")\", not $NATIVE"
fi
echo "1..$n"
echo "### END versal-selftests rc=$([ $failed = 0 ] && echo 0 || echo 1)"
