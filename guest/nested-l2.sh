#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the inner guest of the "nested" test modes (guest/nested.sh
# starts it in a QEMU inside the outer guest). QEMU's vfio-calxeda-xgmac
# devices put the outer guest's virtio-mmio slot, PL031 and PL061 on the
# inner machine's platform bus; no inner driver binds them, this script
# reads and writes their registers with devmem and prints one TAP line per
# check. With l2.mode=native (guest/nested-native.sh) the device tree
# describes them as what they are, and the checks are of the inner
# guest's own drivers. The host decides pass or fail (harness/results.py).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp
# Only emergencies on the console from here: a kernel message printed in
# the middle of a TAP line (a timer warning when the host is slow) would
# lose that result. The log is printed after the results instead.
dmesg -n 1
dmesg_at_init=$(dmesg | wc -l)

PB=/proc/device-tree/platform-bus@c000000
PB_BASE=0x0c000000	# where virt maps its platform bus
GICD=0x08000000		# virt's GIC distributor (v2 or v3)
n=0
mode=raw accel=tcg rtc=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	l2.mode=*) mode=${arg#l2.mode=} ;;
	l2.accel=*) accel=${arg#l2.accel=} ;;
	l2.rtc=*) rtc=${arg#l2.rtc=} ;;
	esac
done

# tap OK NAME [DETAIL]: one result; OK is 1 for a pass.
tap() {
	n=$((n + 1))
	read -r up _ </proc/uptime
	echo "# $2: ${3:-} (at $up s)"
	if [ "$1" = 1 ]; then
		echo "ok $n $2"
	elif [ "$1" = skip ]; then
		echo "ok $n $2 # SKIP"
	else
		echo "not ok $n $2"
	fi
}
# finish: the kernel's messages since /init, then power off.
finish() {
	echo "# inner guest: done at $(cut -d' ' -f1 /proc/uptime) s"
	dmesg | sed -n "$((dmesg_at_init + 1)),\$p"
	# A write to the console returns once the serial driver holds it (up
	# to a page), not once the UART has sent it, and poweroff -f does not
	# wait: the last lines were lost when the UART was slow (each byte
	# traps to the inner QEMU, itself emulated: CI lost nested-kvm's last
	# four results). stty sets the console's own settings again with
	# TCSADRAIN, which returns once everything written is out.
	stty -F /dev/console "$(stty -F /dev/console -g)" || sleep 5
	poweroff -f
}
# rd ADDR: a 32-bit read, in decimal (-1 if devmem fails).
rd() {
	v=$(devmem "$1" 32) || v=-1
	echo $((v))
}
wr() { devmem "$1" 32 "$2"; }
hex() { printf '0x%x' "$1"; }
# cells FILE: a property's big-endian 32-bit cells, in decimal (one od,
# no pipeline: every process costs a lot under nested emulation).
cells() {
	# shellcheck disable=SC2046
	set -- $(od -An -tx1 -v "$1")
	out=
	while [ $# -ge 4 ]; do
		out="$out $((0x$1$2$3$4))"
		shift 4
	done
	echo "${out# }"
}
# node PREFIX: the platform-bus node QEMU made for the outer device
# PREFIX (QEMU names it after the outer device: a003e00.virtio_mmio@0),
# if it is a vfio-calxeda-xgmac node.
node() {
	for d in "$PB/$1"@*; do
		[ -d "$d" ] || continue
		grep -q calxeda,hb-xgmac "$d/compatible" 2>/dev/null || continue
		echo "$d"
		return 0
	done
	return 1
}
# device PREFIX: sets B (register base) and SPI, or reports the node
# missing.
device() {
	B='' SPI='' name=$2
	d=$(node "$1") || { tap 0 "${name}_node" "no $PB/$1@* node"; return 1; }
	# shellcheck disable=SC2046
	set -- $(cells "$d/reg")
	B=$((PB_BASE + $1))
	# shellcheck disable=SC2046
	set -- $(cells "$d/interrupts")
	SPI=$2
	tap 1 "${name}_node" "${d#"$PB"/} at $(hex "$B"), SPI $SPI"
}
# expect NAME ACTUAL EXPECTED
expect() {
	if [ "$2" = "$3" ]; then
		tap 1 "$1" "$(hex "$2")"
	else
		tap 0 "$1" "read $(hex "$2"), expected $(hex "$3")"
	fi
}
# periphid BASE: the AMBA peripheral ID bytes, 0xfe0..0xfec
periphid() {
	echo $(($(rd $(($1 + 0xfe0))) | $(rd $(($1 + 0xfe4))) << 8 |
		$(rd $(($1 + 0xfe8))) << 16 | $(rd $(($1 + 0xfec))) << 24))
}
# pending: 1 if the device's SPI is pending at the inner GIC
pending() {
	id=$((32 + SPI))
	echo $((($(rd $((GICD + 0x200 + (id / 32) * 4))) >> (id % 32)) & 1))
}
# wait_pending WANT: poll the GIC for up to 3 s
wait_pending() {
	i=0
	while [ "$(pending)" != "$1" ] && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(pending)" = "$1" ]
}
skip_rest() {
	for t in "$@"; do
		tap 0 "$t" "device not assigned"
	done
}

# pbdev BUS NAME: the sysfs path of the device on BUS whose node is
# /platform-bus@c000000/NAME@...
pbdev() {
	for d in /sys/bus/$1/devices/*; do
		case "$(readlink -f "$d/of_node")" in
		*/platform-bus@c000000/"$2"@*) echo "$d"; return 0 ;;
		esac
	done
	return 1
}
# drv SYSFS_DEVICE: the name of its driver
drv() { d=$(readlink "$1/driver"); echo "${d##*/}"; }
# irqs NAME: the interrupt count of the line requested as NAME
irqs() {
	awk -v n="$1" '$NF == n { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s; exit }' /proc/interrupts
}
BENCH=vfio_platform_bench
. /nested-roundtrip.sh
uptime_ds() { read -r up _ </proc/uptime; up=${up%.*}${up#*.}; echo "${up%?}"; }

# The inner guest's own drivers on the assigned devices.
native() {
	echo "1..8"
	if d=$(pbdev platform virtio_mmio); then
		vd=$(ls -d "$d"/virtio* 2>/dev/null)
		id=$(cat "$vd/device" 2>/dev/null)
		if [ "$(drv "$d")" = virtio-mmio ] && [ "$id" = 0x0012 ]; then
			tap 1 native_virtio_driver "${d##*/}: virtio-mmio, ${vd##*/} device $id"
		else
			tap 0 native_virtio_driver "${d##*/}: driver '$(drv "$d")', virtio device '$id'"
		fi
	else
		tap 0 native_virtio_driver "no virtio_mmio node on the platform bus"
	fi

	r=
	if d=$(pbdev amba pl031) && [ "$(drv "$d")" = rtc-pl031 ] && r=$(ls "$d/rtc" 2>/dev/null) && [ -n "$r" ]; then
		tap 1 native_pl031_driver "${d##*/}: rtc-pl031, $r"
	else
		tap 0 native_pl031_driver "${d:-no pl031 node}: driver '$(drv "$d")', rtc '$r'"
	fi
	# hwclock reads the outer guest's PL031 (l2.rtc: its counter when
	# this guest started).
	hw=$(hwclock -r -u -f "/dev/$r" 2>&1)
	hwrc=$?
	now=$(cat "/sys/class/rtc/$r/since_epoch" 2>/dev/null)
	if [ $hwrc = 0 ] && [ -n "$now" ] && [ -n "$rtc" ] &&
		[ $((now - rtc)) -ge 0 ] && [ $((now - rtc)) -le 60 ]; then
		tap 1 pl031_hwclock "hwclock: $hw; since_epoch $now, the outer counter $rtc at start"
	else
		tap 0 pl031_hwclock "hwclock (rc $hwrc): $hw; since_epoch '$now', outer '$rtc'"
	fi
	# An alarm 2 s ahead ends a blocking read of the RTC.
	c0=$(irqs rtc-pl031)
	echo 0 >"/sys/class/rtc/$r/wakealarm" 2>/dev/null
	echo +2 >"/sys/class/rtc/$r/wakealarm" 2>/dev/null
	t0=$(uptime_ds)
	timeout 10 dd if="/dev/$r" of=/dev/null bs=8 count=1 2>/dev/null
	ddrc=$?
	dt=$(($(uptime_ds) - t0))
	c1=$(irqs rtc-pl031)
	if [ $ddrc = 0 ] && [ $dt -ge 10 ] && [ $dt -le 50 ] && [ "${c1:-0}" -gt "${c0:-0}" ]; then
		tap 1 pl031_alarm "read returned after $dt/10 s, interrupts $c0 -> $c1"
	else
		tap 0 pl031_alarm "read rc $ddrc after $dt/10 s, interrupts '$c0' -> '$c1'"
	fi

	g=
	p61=
	d=$(pbdev amba pl061) && p61=${d##*/}
	if [ -n "$p61" ] && [ "$(drv "$d")" = pl061_gpio ] && g=$(ls -d "$d"/gpiochip* 2>/dev/null) && [ -n "$g" ]; then
		tap 1 native_pl061_driver "${d##*/}: pl061_gpio, ${g##*/}"
	else
		tap 0 native_pl061_driver "${d:-no pl061 node}: driver '$(drv "$d")'"
	fi
	k=/sys/bus/platform/devices/vfio-keys
	if [ "$(drv $k)" = gpio-keys ]; then
		tap 1 native_gpio_keys "vfio-keys: gpio-keys, line 3 of ${g##*/}"
	else
		tap 0 native_gpio_keys "vfio-keys: driver '$(drv $k)'"
	fi
	# QEMU's power button on the outer PL061's line 3: pressed and
	# released (two edges, two interrupts of the assigned PL061's level
	# line, the second after KVM's resamplefd unmasked it).
	c0=$(irqs vfio-key)
	echo "vfiotest-l1: system_powerdown"
	i=0
	while [ "$(irqs vfio-key)" -lt $((${c0:-0} + 2)) ] 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	c1=$(irqs vfio-key)
	if [ -n "$c0" ] && [ "${c1:-0}" -ge $((c0 + 2)) ]; then
		tap 1 pl061_key_irq "vfio-key interrupts $c0 -> $c1"
	else
		tap 0 pl061_key_irq "vfio-key interrupts '$c0' -> '$c1' in $i/10 s"
	fi
	# This guest's own VFIO round trip on the PL061 (vfio-amba takes it
	# from pl061_gpio once gpio-keys lets go of its line): through
	# KVM's irqfd and resamplefd, and VFIO in both kernels.
	echo vfio-keys >/sys/bus/platform/drivers/gpio-keys/unbind
	roundtrip inner_kvm amba "${p61:-none}"
}

echo "# inner guest ($mode, $accel): /init at $(cut -d' ' -f1 /proc/uptime) s"
if [ "$mode" = native ]; then
	native
	finish
fi
echo "1..18"

# The virtio-mmio slot (QEMU's virtio-keyboard in the outer machine). Its
# 0x200-byte region is not page aligned: QEMU cannot mmap it and every
# access goes through vfio-platform's region read and write.
if device a003e00.virtio_mmio virtio; then
	expect virtio_magic "$(rd $B)" $((0x74726976))
	v=$(rd $((B + 4)))
	if [ "$v" = 1 ] || [ "$v" = 2 ]; then
		tap 1 virtio_version "$v"
	else
		tap 0 virtio_version "read $(hex "$v"), expected 1 or 2"
	fi
	expect virtio_device_id "$(rd $((B + 8)))" 18
	expect virtio_vendor "$(rd $((B + 0xc)))" $((0x554d4551))
	# Status = ACKNOWLEDGE | DRIVER; the outer guest checks after we
	# exit that vfio-platform's reset put it back to 0.
	wr $((B + 0x70)) 3
	expect virtio_status_write "$(rd $((B + 0x70)))" 3
else
	skip_rest virtio_magic virtio_version virtio_device_id virtio_vendor \
		virtio_status_write
fi

# The PL031 RTC (an AMBA device in the outer guest).
if device 9010000.pl031 pl031; then
	expect pl031_periphid "$(periphid $B)" $((0x00141031))
	dr=$(rd $B)
	i=0
	while [ "$(rd $B)" = "$dr" ] && [ $i -lt 4 ]; do
		sleep 1
		i=$((i + 1))
	done
	dr2=$(rd $B)
	if [ $((dr2 - dr)) -ge 1 ] && [ $((dr2 - dr)) -le 5 ]; then
		tap 1 pl031_counter "DR $dr -> $dr2"
	else
		tap 0 pl031_counter "DR $dr -> $dr2 in $i s"
	fi
	# A match value far from the counter, and its interrupt unmasked
	# (IMSC, which the outer guest's reset must clear).
	wr $((B + 4)) $((0x7bcdef01))
	wr $((B + 0x10)) 1
	if [ "$(rd $((B + 4)))" = $((0x7bcdef01)) ] && [ "$(rd $((B + 0x10)))" = 1 ]; then
		tap 1 pl031_match_write "MR $(hex "$(rd $((B + 4)))"), IMSC 1"
	else
		tap 0 pl031_match_write "MR $(hex "$(rd $((B + 4)))"), IMSC $(rd $((B + 0x10)))"
	fi
	# Loading the counter: it reads back from there on.
	wr $((B + 8)) $((0x20000000))
	dr=$(rd $B)
	if [ $((dr - 0x20000000)) -ge 0 ] && [ $((dr - 0x20000000)) -le 5 ]; then
		tap 1 pl031_load_write "DR $(hex "$dr") after LR 0x20000000"
	else
		tap 0 pl031_load_write "DR $(hex "$dr") after LR 0x20000000"
	fi
else
	skip_rest pl031_periphid pl031_counter pl031_match_write pl031_load_write
fi

# The PL061 GPIO block (AMBA) and its level interrupt: QEMU takes it from
# vfio's trigger eventfd and, on the next access to the device (its
# "EOI"), unmasks it through VFIO_IRQ_SET_ACTION_UNMASK.
if device 9030000.pl061 pl061; then
	expect pl061_periphid "$(periphid $B)" $((0x00041061))
	wr $((B + 0x400)) $((0xf0))
	expect pl061_dir_write "$(rd $((B + 0x400)))" $((0xf0))
	# Line 0 reads low: a low-level interrupt on it is asserted at once.
	wr $((B + 0x40c)) 0
	wr $((B + 0x404)) 1
	wr $((B + 0x41c)) $((0xff))
	wr $((B + 0x410)) 1
	mis=$(rd $((B + 0x418)))
	raised=0
	wait_pending 1 && [ "$mis" = 1 ] && raised=1
	tap $raised pl061_irq_raise "MIS $mis, SPI $SPI pending $(pending)"
	if [ "$accel" = kvm ]; then
		# Under KVM the line is a resampling irqfd: it stays pending
		# until this guest takes and EOIs the interrupt, which
		# devmem cannot do. The native boot checks the round trip.
		wr $((B + 0x410)) 0
		tap skip pl061_irq_clear "QEMU's trap-and-unmask path (TCG) only"
		tap skip pl061_irq_again "QEMU's trap-and-unmask path (TCG) only"
	else
		# High level instead: not asserted; clear the latched state. Seeing
		# it go away only means something once it was there.
		wr $((B + 0x40c)) 1
		wr $((B + 0x41c)) 1
		mis=$(rd $((B + 0x418)))
		cleared=0
		wait_pending 0 && [ "$mis" = 0 ] && [ $raised = 1 ] && cleared=1
		tap $cleared pl061_irq_clear "MIS $mis, SPI $SPI pending $(pending)"
		# Once more: vfio masked the line when it fired; only QEMU's unmask
		# lets it through a second time.
		wr $((B + 0x40c)) 0
		wr $((B + 0x41c)) $((0xff))
		again=0
		wait_pending 1 && [ "$(rd $((B + 0x418)))" = 1 ] && again=1
		wr $((B + 0x40c)) 1
		wr $((B + 0x41c)) 1
		wait_pending 0 && [ "$(rd $((B + 0x418)))" = 0 ] && [ $cleared = 1 ] || again=0
		tap $again pl061_irq_again "raised and cleared a second time"
	fi
	# This guest's VFIO round trip on the device (TCG: through QEMU's
	# trap-and-unmask path; under KVM the native boot measures it).
	if [ "$accel" = kvm ]; then
		tap skip irq_round_trip_inner_tcg "measured by the native boot under KVM"
	else
		roundtrip inner_tcg platform "$(basename "$(pbdev platform 9030000.pl061)")"
	fi
else
	skip_rest pl061_periphid pl061_dir_write pl061_irq_raise pl061_irq_clear \
		pl061_irq_again irq_round_trip_inner_tcg
fi

finish
