#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for "make demo": the story of vfio-platform told with
# the commands a user types. A virtio-rng slot goes from virtio-mmio to
# vfio-platform and a PL031 RTC from rtc-pl031 to vfio-amba; user-space
# drivers (samples/vfio-platform) use them; the kernel resets them when
# their user goes; both go back to their native drivers.
RNG=a003e00.virtio_mmio
RTC=9010000.pl031
ok=1

step() {
	echo
	echo "== $*"
}

say() {
	echo "   $*"
}

# run COMMAND: show it as typed, run it, indent its output; status in $rc.
run() {
	echo "# $*"
	sh -c "$*" >/tmp/run.out 2>&1
	rc=$?
	sed 's/^/  /' /tmp/run.out
}

# expect WHAT ACTUAL WANTED: remember a mismatch for the verdict.
expect() {
	if [ "$2" = "$3" ]; then
		say "ok: $1"
	else
		say "UNEXPECTED: $1 is '$2', not '$3'"
		ok=0
	fi
}

driver() {
	d=$(readlink "/sys/bus/$1/devices/$2/driver")
	echo "${d##*/}"
}

echo "### DEMO: vfio-platform on Linux $(uname -r), $(uname -m)"
echo "VFIO no-IOMMU mode: $(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode)" \
	"(QEMU virt has no IOMMU in front of these devices)"

say "vfio opens only devices it can reset, unless the administrator opted in"
say "(vfio_platform.reset_required=0): both devices here have a reset method."
run "cat /sys/module/vfio_platform/parameters/reset_required /sys/module/vfio_amba/parameters/reset_required"
expect "reset_required" "$(cat /sys/module/vfio_platform/parameters/reset_required /sys/module/vfio_amba/parameters/reset_required | tr -d '\n')" YY

step "1. Two devices with their native drivers"
run "readlink /sys/bus/platform/devices/$RNG/driver"
run "cat /sys/class/misc/hw_random/rng_current"
run "readlink /sys/bus/amba/devices/$RTC/driver"
run "ls /sys/bus/amba/devices/$RTC/rtc"
expect "$RNG driver" "$(driver platform $RNG)" virtio-mmio
expect "$RTC driver" "$(driver amba $RTC)" rtc-pl031

step "2. vfio-platform takes a device only when asked"
say "vfio-platform and vfio-amba match every device of their bus, but they"
say "are sysfs_bind_only drivers: they bound nothing at boot."
say "sysfs_bind_only on the device keeps every driver off it between"
say "unbind and bind (no hotplug event or drivers_probe can steal it):"
run "echo 1 > /sys/bus/platform/devices/$RNG/sysfs_bind_only"
run "echo $RNG > /sys/bus/platform/drivers/virtio-mmio/unbind"
run "echo $RNG > /sys/bus/platform/drivers_probe"
expect "$RNG driver after drivers_probe" "$(driver platform $RNG)" ""
run "echo $RNG > /sys/bus/platform/drivers/vfio-platform/bind"
expect "$RNG driver" "$(driver platform $RNG)" vfio-platform
run "ls /dev/vfio/"

step "3. A user-space driver: virtio-rng over vfio-platform (DMA in no-IOMMU mode)"
run "vfio-platform-virtio-rng $RNG 32"
expect "vfio-platform-virtio-rng exit status" $rc 0

step "4. The PL031 RTC to vfio-amba, and an alarm handled in user space"
run "echo 1 > /sys/bus/amba/devices/$RTC/sysfs_bind_only"
run "echo $RTC > /sys/bus/amba/drivers/rtc-pl031/unbind"
run "echo $RTC > /sys/bus/amba/drivers/vfio-amba/bind"
expect "$RTC driver" "$(driver amba $RTC)" vfio-amba
run "vfio-platform-pl031-alarm $RTC"
expect "vfio-platform-pl031-alarm exit status" $rc 0

step "5. Closing resets the device, even when its user is killed"
say "An alarm armed 10 s ahead, its driver killed after 1 s: the kernel"
say "closes the device and its reset masks the alarm (IMSC at 0x10)."
vfio-platform-pl031-alarm $RTC 10 >/tmp/alarm.out 2>&1 &
pid=$!
sleep 1
run "devmem 0x09010010 32   # IMSC while the driver runs"
imsc_open=$(devmem 0x09010010 32)
run "kill -9 $pid"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
run "devmem 0x09010010 32   # IMSC after the kill"
imsc_closed=$(devmem 0x09010010 32)
expect "IMSC while open" "$imsc_open" 0x00000001
expect "IMSC after the kill" "$imsc_closed" 0x00000000

step "6. Both devices back to their native drivers"
run "echo $RTC > /sys/bus/amba/drivers/vfio-amba/unbind"
run "echo 0 > /sys/bus/amba/devices/$RTC/sysfs_bind_only"
run "echo $RTC > /sys/bus/amba/drivers_probe"
run "echo $RNG > /sys/bus/platform/drivers/vfio-platform/unbind"
run "echo 0 > /sys/bus/platform/devices/$RNG/sysfs_bind_only"
run "echo $RNG > /sys/bus/platform/drivers_probe"
run "head -c 16 /dev/hwrng | hexdump -C"
expect "$RTC driver" "$(driver amba $RTC)" rtc-pl031
expect "$RNG driver" "$(driver platform $RNG)" virtio-mmio
expect "bytes from /dev/hwrng" "$(head -c 16 /dev/hwrng | wc -c)" 16

echo
if [ $ok = 1 ]; then
	echo "### DEMO VERDICT: PASS"
else
	echo "### DEMO VERDICT: FAIL"
fi
