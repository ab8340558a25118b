#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: the user-space driver samples of samples/vfio-platform
# against QEMU's devices, their output asserted. Prints TAP for the host
# (harness/results.py); exits 1 if a test failed.
#
# Devices: the virtio-rng slot (a003e00, virtio-mmio; legacy or modern as
# QEMU was told), an empty slot (a003600), the PL031 (rtc-pl031) and the
# PL061. Each device is given back to the driver it had at the end.
RNG=a003e00.virtio_mmio
EMPTY=a003600.virtio_mmio
IOSLOT=a000000.virtio_mmio	# behind the SMMU in the smmu mode
RTC=9010000.pl031
GPIO=9030000.pl061
OUT=/tmp/sample.out
# HUGEPAGES: the pool of default-size huge pages, from guest/init, which
# reserves one.
. /guest/tap.sh

# check NAME CONDITION-COMMAND: ok if the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# run PROGRAM ARGS...: run a sample, output in $OUT, exit code in $rc.
run() {
	"$@" >"$OUT" 2>&1
	rc=$?
	sed 's/^/# | /' "$OUT"
}

driver() {
	d=$(readlink "/sys/bus/$1/devices/$2/driver")
	echo "${d##*/}"
}

# to_vfio BUS DEV: the echo flow a user types; remembers the old driver.
to_vfio() {
	vfio=vfio-platform
	[ "$1" = amba ] && vfio=vfio-amba
	old=$(driver "$1" "$2")
	eval "orig_$(echo "$2" | tr . _)=$old"
	echo 1 >"/sys/bus/$1/devices/$2/sysfs_bind_only"
	[ -n "$old" ] && echo "$2" >"/sys/bus/$1/drivers/$old/unbind"
	echo "$2" >"/sys/bus/$1/drivers/$vfio/bind" 2>/dev/null
	[ "$(driver "$1" "$2")" = "$vfio" ]
}

# give_back BUS DEV: to the driver it had (or none), bind flag cleared.
give_back() {
	cur=$(driver "$1" "$2")
	[ -n "$cur" ] && echo "$2" >"/sys/bus/$1/drivers/$cur/unbind"
	echo 0 >"/sys/bus/$1/devices/$2/sysfs_bind_only"
	echo "$2" >"/sys/bus/$1/drivers_probe" 2>/dev/null
	eval "want=\$orig_$(echo "$2" | tr . _)"
	[ "$(driver "$1" "$2")" = "$want" ]
}

has() {
	[ -e "/sys/bus/$1/devices/$2" ]
}

noiommu=$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>/dev/null)

# --- virtio-rng -----------------------------------------------------------
if ! has platform $RNG || [ "$(cat /sys/bus/platform/devices/$RNG/of_node/compatible 2>/dev/null | tr -d '\0')" != "virtio,mmio" ]; then
	for t in rng_refuses_native_driver rng_reads_random_bytes rng_bytes_differ \
		rng_dma_in_huge_page rng_refuses_without_huge_page \
		rng_refuses_non_root rng_refuses_empty_slot; do
		skip $t "no virtio-rng slot $RNG here"
	done
elif [ "$noiommu" != Y ]; then
	run vfio-platform-virtio-rng $RNG
	check rng_refuses_without_noiommu \
		sh -c "[ $rc != 0 ] && grep -q 'no-IOMMU mode is off' $OUT"
	if has platform $IOSLOT &&
		[ -e /sys/bus/platform/devices/$IOSLOT/iommu_group ] &&
		to_vfio platform $IOSLOT; then
		run vfio-platform-virtio-rng $IOSLOT
		check rng_refuses_iommu_group \
			sh -c "[ $rc != 0 ] && grep -q 'behind an IOMMU' $OUT"
		give_back platform $IOSLOT
	else
		skip rng_refuses_iommu_group "$IOSLOT has no IOMMU group"
	fi
	for t in rng_reads_random_bytes rng_bytes_differ rng_dma_in_huge_page \
		rng_refuses_without_huge_page rng_refuses_non_root \
		rng_refuses_empty_slot; do
		skip $t "VFIO no-IOMMU mode is off"
	done
else
	run vfio-platform-virtio-rng $RNG
	check rng_refuses_native_driver \
		sh -c "[ $rc != 0 ] && grep -q 'is bound to virtio-mmio, not to vfio-platform' $OUT"
	if to_vfio platform $RNG; then
		run vfio-platform-virtio-rng $RNG 64
		cp "$OUT" /tmp/rng1
		# 64 bytes in 4 lines of 16, not all zero.
		bytes=$(grep -E '^  ([0-9a-f]{2} ){15}[0-9a-f]{2}$' $OUT | wc -l)
		check rng_reads_random_bytes sh -c "[ $rc = 0 ] && [ $bytes = 4 ] &&
			grep -q '^64 random bytes:' $OUT &&
			grep -q '^virtio-mmio version [12] ' $OUT &&
			grep -q '^  node /virtio_mmio@a003e00, compatible: virtio,mmio' $OUT &&
			grep -q '^  irq 0: edge, /virtio_mmio@a003e00 interrupts\[0\]' $OUT &&
			grep -E '^  ([0-9a-f]{2} ){15}' $OUT | grep -qv '^  \(00 \)*00$'"
		run vfio-platform-virtio-rng $RNG 64
		check rng_bytes_differ sh -c "[ $rc = 0 ] &&
			! cmp -s /tmp/rng1 $OUT"
		# The virtqueue and buffer are in a huge page (hugetlbfs: not
		# moved by compaction, unlike an mlocked page), at its start.
		phys=$(sed -n 's/^virtqueue 0: 8 entries at physical \(0x[0-9a-f]*\) (in a \([0-9]*\) kB huge page)$/\1 \2/p' /tmp/rng1)
		check rng_dma_in_huge_page sh -c "set -- $phys; [ \$# = 2 ] &&
			[ \$2 -ge 64 ] && [ \$((\$1 % (\$2 * 1024))) = 0 ]"
		# Without a free huge page: a clear refusal, not a DMA to
		# memory that can move.
		echo 0 >"$HUGEPAGES"
		run vfio-platform-virtio-rng $RNG
		check rng_refuses_without_huge_page sh -c "[ $rc != 0 ] &&
			grep -q '^no free [0-9]* kB huge page for DMA memory' $OUT"
		echo 1 >"$HUGEPAGES"
		run runas 65534 vfio-platform-virtio-rng $RNG
		check rng_refuses_non_root \
			sh -c "[ $rc != 0 ] && grep -q 'must run as root' $OUT"
	else
		: >"$OUT"
		not_ok rng_reads_random_bytes
		not_ok rng_bytes_differ
		not_ok rng_dma_in_huge_page
		not_ok rng_refuses_without_huge_page
		not_ok rng_refuses_non_root
	fi
	if has platform $EMPTY && to_vfio platform $EMPTY; then
		run vfio-platform-virtio-rng $EMPTY
		check rng_refuses_empty_slot \
			sh -c "[ $rc != 0 ] && grep -q 'an empty slot' $OUT"
		give_back platform $EMPTY
	else
		skip rng_refuses_empty_slot "no free slot $EMPTY here"
	fi
fi
if has platform $RNG && [ "$noiommu" = Y ]; then
	give_back platform $RNG
	# The native driver works again: the kernel's hwrng reads the device.
	check_back() {
		[ "$(driver platform $RNG)" = virtio-mmio ] &&
			[ "$(head -c 16 /dev/hwrng 2>/dev/null | wc -c)" = 16 ]
	}
	: >"$OUT"
	check rng_gives_device_back check_back
fi

# --- PL031 alarm ----------------------------------------------------------
if has amba $RTC; then
	run vfio-platform-pl031-alarm $RTC
	check alarm_refuses_native_driver \
		sh -c "[ $rc != 0 ] && grep -q 'is bound to rtc-pl031, not to vfio-amba' $OUT"
	if to_vfio amba $RTC; then
		run vfio-platform-pl031-alarm $RTC
		check alarm_fires sh -c "[ $rc = 0 ] &&
			grep -q '^alarm interrupt after [01]\.[0-9]* s: RIS 1 MIS 1' $OUT &&
			grep -q '^acknowledged (MIS 0), line unmasked' $OUT &&
			grep -q '^  irq 0: level (automasked), /pl031@9010000 interrupts\[0\]' $OUT"
	else
		: >"$OUT"
		not_ok alarm_fires
	fi
	give_back amba $RTC
	check alarm_gives_device_back \
		sh -c "[ \"\$(readlink /sys/bus/amba/devices/$RTC/driver)\" != '' ] &&
			[ -e /sys/bus/amba/devices/$RTC/rtc ]"
else
	for t in alarm_refuses_native_driver alarm_fires alarm_gives_device_back; do
		skip $t "no PL031 $RTC here"
	done
fi
if has amba $GPIO && to_vfio amba $GPIO; then
	run vfio-platform-pl031-alarm $GPIO
	check alarm_refuses_pl061 \
		sh -c "[ $rc != 0 ] && grep -q 'not a PL031' $OUT"
	give_back amba $GPIO
else
	skip alarm_refuses_pl061 "no PL061 $GPIO to hand over here"
fi

# --- vfio-platform-dt-node ------------------------------------------------
# The guest node of the multi-node DMA engine of guest/dts/dma-engine.dtsi
# (the engine's registers, two channel child nodes without a compatible of
# their own, each with an edge interrupt; dma-sub is a device of its own),
# exactly; and the refusals.
# It has no IOMMU group behind the SMMU (smmu mode): vfio-platform cannot
# take it there, and the checks are skipped.
DMA=a000400.dma
if has platform $DMA && [ "$noiommu" = Y ] && ! to_vfio platform $DMA; then
	not_ok dt_node_dma_engine
	give_back platform $DMA
elif has platform $DMA && [ "$noiommu" = Y ]; then
	run vfio-platform-dt-node -b 0x10000000 -I 0x40 -p dma-coherent platform $DMA
	cat >/tmp/dt-node.want <<'WANT'
/* a000400.dma (platform): /dma@a000400 */
dma@10000000 {
	compatible = "vfiotest,dma-engine", "simple-bus";
	reg = <0x0 0x10000000 0x0 0x200>;
	dma-coherent;
	#address-cells = <2>;
	#size-cells = <2>;
	ranges;

	dma-channel@10000200 {
		reg = <0x0 0x10000200 0x0 0x200>;
		interrupts = <0x0 0x40 0x1>;
	};

	dma-channel@10000400 {
		reg = <0x0 0x10000400 0x0 0x200>;
		interrupts = <0x0 0x41 0x1>;
	};
};
WANT
	check dt_node_dma_engine sh -c "[ $rc = 0 ] && cmp -s $OUT /tmp/dt-node.want"
	run vfio-platform-dt-node -a 1 -s 1 -r 0x2000 -r 0x4000 -r 0x6000 -i 7 platform $DMA
	check dt_node_wants_every_placement \
		sh -c "[ $rc != 0 ] && grep -q 'a000400.dma has 2 interrupt(s): give -i for each, or -I' $OUT"
	give_back platform $DMA
	run vfio-platform-dt-node -b 0 -I 0 platform $DMA
	check dt_node_refuses_unbound_device \
		sh -c "[ $rc != 0 ] && grep -q 'vfio-platform' $OUT"
else
	for t in dt_node_dma_engine dt_node_wants_every_placement dt_node_refuses_unbound_device; do
		skip $t "no DMA engine $DMA in no-IOMMU mode here"
	done
fi

echo "1..$n"
[ $failed = 0 ]
