#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the outer guest of the "nested" test modes (vfiotest.run=nested):
# QEMU assigns platform devices end to end. This script hands a
# virtio-mmio slot (platform bus), the PL031 and the PL061 (AMBA bus) to
# vfio, starts Debian's arm64 QEMU (under /nested) with one
# -device vfio-calxeda-xgmac per device, and after the inner guest has
# powered off, checks that vfio-platform reset each device.
#
# vfiotest.nested=kvm (the nested-kvm mode): the inner QEMU runs under
# KVM, so the interrupts take KVM's irqfd and resamplefd, and the inner
# guest boots a second time with a device tree written from VFIO's
# device-tree information (vfio-platform-dt-node), where its own drivers
# (virtio-mmio, rtc-pl031, gpio-pl061 with gpio-keys) drive the devices.
# Then every device goes back to its driver in this guest.
#
# TAP blocks for the host (harness/results.py), which decides pass or
# fail:
#   nested_l2         the inner guest's console: its /init
#                     (guest/nested-l2.sh) checks the registers and the
#                     interrupt through QEMU
#   nested_l2_native  (kvm) the second boot: the inner guest's drivers
#   nested_l1         this script: binding, QEMU accepting each device,
#                     reset, the irqfd path, the devices back
N=/nested
QEMU=$N/usr/bin/qemu-system-aarch64
export LD_LIBRARY_PATH=$N/lib/aarch64-linux-gnu:$N/usr/lib/aarch64-linux-gnu
LD=$N/lib/ld-linux-aarch64.so.1
TIMEOUT=${TIMEOUT:-480}
R=/tmp/l1.tap
: >$R
n=0

echo "### MODE $(cat /proc/cmdline)"
# Only emergencies on the console: a kernel message in the middle of the
# inner guest's TAP lines would lose a result. dmesg follows the results.
dmesg -n 1
accel=tcg
for arg in $(cat /proc/cmdline); do
	case "$arg" in vfiotest.nested=*) accel=${arg#vfiotest.nested=} ;; esac
done
# KVM: a GICv2, whose KVM model gives QEMU 7.2 the map from its interrupt
# lines to KVM's that vfio-platform's irqfd setup needs; QEMU's KVM GICv3
# has none, and QEMU then takes every interrupt through its own handler.
if [ "$accel" = kvm ]; then
	MACH=virt
	ACCEL="-accel kvm -cpu host"
else
	MACH=virt
	ACCEL="-cpu cortex-a57"
fi

tap() {
	n=$((n + 1))
	[ -n "${3:-}" ] && echo "# $2: $3" >>$R
	case "$1" in
	1) echo "ok $n $2" >>$R ;;
	skip) echo "ok $n $2 # SKIP" >>$R ;;
	*) echo "not ok $n $2" >>$R ;;
	esac
}
rd() { echo $(($(devmem "$1" 32))); }

# bind BUS DEV DRIVER: take DEV from its driver and give it to DRIVER,
# with sysfs_bind_only where the kernel has it (our series), else with
# driver_override (upstream).
bind() {
	d=/sys/bus/$1/devices/$2
	drv=$(readlink "$d/driver")
	eval "native_$4=${drv##*/}"
	if [ -e "$d/sysfs_bind_only" ]; then
		echo 1 >"$d/sysfs_bind_only"
		[ -e "$d/driver" ] && echo "$2" >"$d/driver/unbind"
		echo "$2" >"/sys/bus/$1/drivers/$3/bind"
	else
		echo "$3" >"$d/driver_override"
		[ -e "$d/driver" ] && echo "$2" >"$d/driver/unbind"
		echo "$2" >"/sys/bus/$1/drivers_probe"
	fi
	drv=$(readlink "$d/driver")
	grp=$(readlink "$d/iommu_group")
	if [ "${drv##*/}" = "$3" ] && [ -n "$grp" ]; then
		tap 1 "bind_$4" "$2: ${drv##*/}, IOMMU group ${grp##*/}"
		return 0
	fi
	tap 0 "bind_$4" "$2: driver '${drv##*/}', IOMMU group '${grp##*/}'"
	return 1
}

# accepts NAME OPTS: does QEMU take the device? It realizes devices
# before its main loop, which then reads "quit" from the monitor.
accepts() {
	echo quit | timeout 120 "$LD" "$QEMU" -M virt -cpu cortex-a57 -m 64 -S \
		-display none -serial none -nic none -monitor stdio \
		-device "vfio-calxeda-xgmac,$2" >/tmp/accepts.log 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		tap 1 "qemu_accepts_$1"
		return 0
	fi
	tap 0 "qemu_accepts_$1" "exit $rc: $(grep -v '^QEMU .* monitor' /tmp/accepts.log | tr '\n' ' ')"
	return 1
}

if [ "$accel" = kvm ]; then
	if [ -c /dev/kvm ]; then
		tap 1 kvm "$(dmesg | grep -m1 -o 'kvm \[1\]: .* initialized successfully')"
	else
		tap 0 kvm "no /dev/kvm: $(dmesg | grep -m1 'kvm \[')"
	fi
fi

. /guest/nested-roundtrip.sh
BENCH=/kselftest/bench/vfio_platform_bench

t0=$(date +%s)
VIRTIO=a003e00.virtio_mmio
PL031=9010000.pl031
PL061=9030000.pl061
# This guest's own round trip, before the PL061 goes to the inner guest.
roundtrip outer amba $PL061
devs=
assigned=
bind platform $VIRTIO vfio-platform virtio &&
	accepts virtio "host=$VIRTIO" &&
	devs="$devs -device vfio-calxeda-xgmac,host=$VIRTIO" assigned="$assigned virtio"
bind amba $PL031 vfio-amba pl031 &&
	accepts pl031 "sysfsdev=/sys/bus/amba/devices/$PL031" &&
	devs="$devs -device vfio-calxeda-xgmac,sysfsdev=/sys/bus/amba/devices/$PL031" \
		assigned="$assigned pl031"
bind amba $PL061 vfio-amba pl061 &&
	accepts pl061 "sysfsdev=/sys/bus/amba/devices/$PL061" &&
	devs="$devs -device vfio-calxeda-xgmac,sysfsdev=/sys/bus/amba/devices/$PL061" \
		assigned="$assigned pl061"

# The inner guest: the same kernel, its own initramfs, every device QEMU
# accepted in one boot.
t1=$(date +%s)
# shellcheck disable=SC2086
timeout "$TIMEOUT" "$LD" "$QEMU" $ACCEL -M $MACH -m 128 -display none \
	-serial stdio -monitor none -nic none -no-reboot \
	-kernel $N/Image -initrd $N/l2.cpio.gz \
	-append "console=ttyAMA0 panic=-1 quiet kunit.enable=0 vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 l2.accel=$accel" \
	$devs </dev/null >/tmp/l2.log 2>&1
rc=$?
t2=$(date +%s)
echo "### TEST nested_l2"
echo "# binding and QEMU's checks $((t1 - t0)) s; inner guest: devices:$assigned; $((t2 - t1)) s, exit $rc"
cat /tmp/l2.log
echo "### END nested_l2 rc=$rc"

# Reset: vfio-platform resets a device when QEMU closes it. Each check
# needs the inner guest to have changed the registers (its TAP line says
# so); a device QEMU did not take is not checked (SKIP).
# reset NAME L2TEST ADDR...: every register at ADDR must read 0.
reset() {
	name=$1 l2test=$2
	shift 2
	case " $assigned " in *" $name "*) ;; *)
		tap skip "${phase}reset_$name" "not assigned"
		return ;;
	esac
	if ! grep -q "^ok [0-9]* $l2test" "$L2LOG"; then
		tap 0 "${phase}reset_$name" "the inner guest did not pass $l2test"
		return
	fi
	bad=
	for a in "$@"; do
		v=$(rd "$a")
		[ "$v" = 0 ] || bad="$bad $(printf '0x%x=0x%x' "$a" "$v")"
	done
	if [ -z "$bad" ]; then
		tap 1 "${phase}reset_$name" "$*: 0"
	else
		tap 0 "${phase}reset_$name" "not reset:$bad"
	fi
}
phase='' L2LOG=/tmp/l2.log
reset virtio virtio_status_write 0x0a003e70
reset pl031 pl031_match_write 0x09010010
reset pl061 pl061_dir_write 0x09030400 0x09030404 0x0903040c 0x09030410

[ "$accel" = kvm ] && [ -n "$assigned" ] && . /guest/nested-native.sh

echo "### TEST nested_l1"
echo "1..$n"
cat $R
echo "### END nested_l1 rc=0"
echo "### DMESG"
dmesg
echo "### DONE"
