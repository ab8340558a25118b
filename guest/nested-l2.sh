#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the inner guest of the "nested" test mode (guest/nested.sh
# starts it in a QEMU inside the outer guest). QEMU's vfio-calxeda-xgmac
# devices put the outer guest's virtio-mmio slot, PL031 and PL061 on the
# inner machine's platform bus; no inner driver binds them, this script
# reads and writes their registers with devmem and prints one TAP line per
# check. The host decides pass or fail (harness/results.py).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

PB=/proc/device-tree/platform-bus@c000000
PB_BASE=0x0c000000	# where virt maps its platform bus
GICD=0x08000000		# virt's GICv2 distributor
n=0

# tap OK NAME [DETAIL]: one result; OK is 1 for a pass.
tap() {
	n=$((n + 1))
	read -r up _ </proc/uptime
	echo "# $2: ${3:-} (at $up s)"
	if [ "$1" = 1 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
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

echo "# inner guest: /init at $(cut -d' ' -f1 /proc/uptime) s"
echo "1..17"

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
else
	skip_rest pl061_periphid pl061_dir_write pl061_irq_raise pl061_irq_clear \
		pl061_irq_again
fi

echo "# inner guest: done at $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
