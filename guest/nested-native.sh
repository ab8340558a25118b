# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/nested.sh in the nested-kvm mode, after the inner
# guest's first boot. The inner guest boots again, now with a device tree
# in which each assigned device is the node that vfio-platform-dt-node
# (samples/vfio-platform) writes from VFIO's device-tree information, at
# the platform-bus address and SPI where QEMU put it. The inner guest's
# own drivers bind them (guest/nested-l2.sh, l2.mode=native); its
# gpio-keys waits for QEMU's power button on PL061 line 3, which this
# script has the host press (system_powerdown on the outer QEMU's
# monitor). Then: QEMU took the KVM irqfd path, each device is reset, and
# each goes back to its driver in this guest.
DTB0=/tmp/l2-qemu.dtb
DTS=/tmp/l2-native.dts
DTB=/tmp/l2-native.dtb
PB=/platform-bus@c000000
GPIO_PHANDLE=0x7f00	# the inner PL061 node, for the inner gpio-keys
dtc() { "$LD" $N/usr/bin/dtc "$@"; }
fdtget() { "$LD" $N/usr/bin/fdtget "$@"; }

# QEMU's own tree for the inner machine, with its vfio-calxeda-xgmac
# nodes: where QEMU placed each device.
# shellcheck disable=SC2086
"$LD" "$QEMU" $ACCEL -M "$MACH,dumpdtb=$DTB0" -m 128 -display none -nic none \
	-serial none -monitor none $devs >/tmp/dumpdtb.log 2>&1
dtc -q -I dtb -O dts -o "$DTS" "$DTB0" 2>/tmp/dtc.log
clk=$(fdtget -t x "$DTB0" /apb-pclk phandle 2>/dev/null)

# One node per device, in place of QEMU's.
echo "&{$PB} {" >>"$DTS"
for node in $(fdtget -l "$DTB0" $PB 2>/dev/null); do
	dev=${node%@*}
	case "$dev" in
	*.pl0*) bus=amba name=${dev#*.} ;;
	*) bus=platform name=virtio ;;
	esac
	set --
	i=0
	for c in $(fdtget -t x "$DTB0" "$PB/$node" reg); do
		[ $((i % 2)) = 0 ] && set -- "$@" -r "0x$c"
		i=$((i + 1))
	done
	i=0
	for c in $(fdtget -t x "$DTB0" "$PB/$node" interrupts); do
		[ $((i % 3)) = 1 ] && set -- "$@" -i "0x$c"
		i=$((i + 1))
	done
	# What the host's node has beyond VFIO's information: the guest's
	# bus clock, and the GPIO controller's provider properties.
	[ $bus = amba ] && set -- "$@" -p "clocks = <0x$clk>" -p 'clock-names = "apb_pclk"'
	[ "$name" = pl061 ] && set -- "$@" -p gpio-controller -p '#gpio-cells = <2>' \
		-p "phandle = <$GPIO_PHANDLE>"
	echo "	/delete-node/ $node;" >>"$DTS"
	if vfio-platform-dt-node -a 1 -s 1 "$@" $bus "$dev" >/tmp/node.dts 2>/tmp/node.err; then
		cat /tmp/node.dts >>"$DTS"
		tap 1 "dt_node_$name" "$(tr '\n\t' '  ' </tmp/node.dts)"
	else
		tap 0 "dt_node_$name" "vfio-platform-dt-node $* $bus $dev: $(cat /tmp/node.err)"
	fi
done
cat >>"$DTS" <<EOF
};

/ {
	vfio-keys {
		compatible = "gpio-keys";

		power {
			label = "vfio-key";
			gpios = <$GPIO_PHANDLE 3 0>;
			linux,code = <116>;
		};
	};
};
EOF
if dtc -q -I dts -O dtb -o "$DTB" "$DTS" 2>>/tmp/dtc.log; then
	tap 1 native_dtb "$(grep -c . "$DTS") lines of source"
else
	tap 0 native_dtb "$(cat /tmp/dumpdtb.log /tmp/dtc.log | tr '\n' ' ')"
fi

# The second boot. The PL031 counter's value now, for the inner hwclock.
rtc=$(rd 0x09010000)
: >/tmp/l2n.log
t1=$(date +%s)
# shellcheck disable=SC2086
timeout "$TIMEOUT" "$LD" "$QEMU" $ACCEL -M $MACH -m 128 -display none \
	-serial stdio -monitor none -nic none -no-reboot \
	-kernel $N/Image -initrd $N/l2.cpio.gz -dtb "$DTB" \
	-append "console=ttyAMA0 panic=-1 quiet kunit.enable=0 vfio.enable_unsafe_noiommu_mode=1 l2.mode=native l2.accel=$accel l2.rtc=$rtc" \
	-D /tmp/l2n-trace.log -trace 'vfio_platform_*' \
	$devs </dev/null >/tmp/l2n.log 2>&1 &
qpid=$!
# Relay the inner guest's request for a key press to the host, and watch
# the host lines' interrupt counts (their lines go when QEMU exits).
pressed=
while kill -0 $qpid 2>/dev/null; do
	if [ -z "$pressed" ] && grep -q '^vfiotest-l1: system_powerdown' /tmp/l2n.log; then
		echo "vfiotest-host: system_powerdown"
		pressed=1
	fi
	grep 'vfio-platform:' /proc/interrupts >/tmp/l1-irqs.new && mv /tmp/l1-irqs.new /tmp/l1-irqs
	sleep 0.2
done
wait $qpid
rc=$?
t2=$(date +%s)
echo "### TEST nested_l2_native"
echo "# inner guest, native drivers: $((t2 - t1)) s, exit $rc"
cat /tmp/l2n.log
echo "### END nested_l2_native rc=$rc"

# QEMU's path for the interrupts: under KVM, irqfds (with a resamplefd
# for the level lines) and never its own handler or EOI emulation.
level=$(grep -c 'vfio_platform_start_level_irqfd_injection' /tmp/l2n-trace.log)
edge=$(grep -c 'vfio_platform_start_edge_irqfd_injection' /tmp/l2n-trace.log)
user=$(grep -c 'vfio_platform_intp_interrupt\|vfio_platform_eoi' /tmp/l2n-trace.log)
if [ "$level" = 2 ] && [ "$edge" = 1 ] && [ "$user" = 0 ]; then
	tap 1 irqfd_path "level irqfds $level, edge $edge, QEMU-handled interrupts 0"
else
	tap 0 irqfd_path "level irqfds $level, edge $edge, QEMU-handled interrupts $user"
fi
# The host lines: the PL031 fired for the alarm, the PL061 for each edge
# of the key (the second one only after the resamplefd unmasked it).
count() {
	awk -v n="vfio-platform:$1:0" '$NF == n { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /tmp/l1-irqs
}
c31=$(count $PL031) c61=$(count $PL061)
if [ "${c31:-0}" -ge 1 ] && [ "${c61:-0}" -ge 2 ]; then
	tap 1 host_irq_counts "$PL031 ${c31}, $PL061 ${c61}"
else
	tap 0 host_irq_counts "$PL031 ${c31:-none}, $PL061 ${c61:-none} (want >= 1, >= 2)"
fi

phase=native_ L2LOG=/tmp/l2n.log
reset virtio native_virtio_driver 0x0a003e70
reset pl031 pl031_alarm 0x09010010
reset pl061 pl061_key_irq 0x09030400 0x09030404 0x09030408 0x0903040c 0x09030410

# back BUS DEV NAME VFIO_DRIVER CHECK: the device returns to the driver
# it had before (a device no driver had is skipped), and works there.
back() {
	eval "drv=\${native_$3:-}"
	if [ -z "$drv" ]; then
		tap skip "back_$3" "no driver had $2"
		return
	fi
	echo "$2" >"/sys/bus/$1/drivers/$4/unbind"
	echo "$2" >"/sys/bus/$1/drivers/$drv/bind"
	now=$(readlink "/sys/bus/$1/devices/$2/driver")
	if [ "${now##*/}" = "$drv" ] && [ -n "$(ls -d /sys/bus/$1/devices/$2/$5 2>/dev/null)" ]; then
		tap 1 "back_$3" "$2: $drv, $(ls -d /sys/bus/$1/devices/$2/$5 | tr '\n' ' ')"
	else
		tap 0 "back_$3" "$2: driver '${now##*/}', want $drv with $5"
	fi
}
back platform $VIRTIO virtio vfio-platform 'virtio*'
back amba $PL031 pl031 vfio-amba 'rtc/rtc*'
back amba $PL061 pl061 vfio-amba 'gpiochip*'
