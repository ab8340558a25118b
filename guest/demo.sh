#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest for "make demo": hands QEMU's PL031 RTC from its
# native driver to vfio-amba and a virtio-mmio slot to vfio-platform,
# showing each command as a user would type it.
run() {
	echo "# $*"
	sh -c "$*"
}
# bound BUS DEV DRIVER: show the device's driver, remember a mismatch.
bound() {
	drv=$(readlink "/sys/bus/$1/devices/$2/driver")
	echo "  $2 is bound to: ${drv##*/}"
	[ "${drv##*/}" = "$3" ] || ok=0
}
ok=1
echo "### DEMO: vfio-platform on $(uname -r)"
bound amba 9010000.pl031 rtc-pl031
run 'echo 1 > /sys/bus/amba/devices/9010000.pl031/sysfs_bind_only'
run 'echo 9010000.pl031 > /sys/bus/amba/drivers/rtc-pl031/unbind'
run 'echo 9010000.pl031 > /sys/bus/amba/drivers/vfio-amba/bind'
bound amba 9010000.pl031 vfio-amba
run 'ls /dev/vfio/'
dev=a003e00.virtio_mmio
run "echo 1 > /sys/bus/platform/devices/$dev/sysfs_bind_only"
run "echo $dev > /sys/bus/platform/drivers/virtio-mmio/unbind"
run "echo $dev > /sys/bus/platform/drivers_probe   # does not rebind virtio-mmio"
bound platform $dev ""
run "echo $dev > /sys/bus/platform/drivers/vfio-platform/bind"
bound platform $dev vfio-platform
run 'ls /dev/vfio/'
if [ -x /kselftest/vfio/vfio_platform_demo ]; then
	run /kselftest/vfio/vfio_platform_demo || ok=0
fi
echo "# give the devices back"
run "echo $dev > /sys/bus/platform/drivers/vfio-platform/unbind"
run "echo 0 > /sys/bus/platform/devices/$dev/sysfs_bind_only"
run "echo $dev > /sys/bus/platform/drivers_probe"
bound platform $dev virtio-mmio
if [ $ok = 1 ]; then
	echo "### DEMO VERDICT: PASS"
else
	echo "### DEMO VERDICT: FAIL"
fi
