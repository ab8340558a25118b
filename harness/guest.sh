#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build what the guest runs: the kselftests (cross-built, static), the
# initramfs, and the test DTB of a mode. Usage: guest.sh MODE
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/modes.sh"
mode=${1:-noiommu}
mode_setup "$mode"
# One initramfs per kernel: it carries that kernel's modules.
G=$BUILD/guest
[ "$KERNEL" = test ] || G=$BUILD/guest-$KERNEL
mkdir -p "$G"

# The kselftests and the initramfs: one per kernel, the same for every mode.
build_initramfs() {
	# Selftests: always built from our tree with our uAPI headers, so the same
	# binaries run against our kernel and the upstream baseline.
	# KSELFTEST_TARGETS: the kselftest directories to build, those that exist.
	KS=$BUILD/kselftest
	targets=
	for t in ${KSELFTEST_TARGETS:-vfio sysfs_bind_only}; do
		[ -d "$BUILD/linux/tools/testing/selftests/$t" ] && targets="$targets $t"
	done
	targets=${targets# }
	# uAPI headers: the test kernel's, else this kernel's (the same source).
	hdr=$BUILD/out/usr/include
	[ -f "$hdr/linux/vfio.h" ] || hdr=$OUT/usr/include
	if [ -n "$targets" ]; then
		log "building kselftests ($targets)"
		rm -rf "$KS.new"
		make -s -j"$JOBS" -C "$BUILD/linux/tools/testing/selftests" TARGETS="$targets" \
			ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
			O="$BUILD/kselftest-build" \
			KHDR_INCLUDES="-isystem $hdr" \
			EXTRA_CFLAGS=-static USERLDFLAGS=-static \
			INSTALL_PATH="$KS.new" install >"$G/kselftest.log" 2>&1 ||
			{ cat "$G/kselftest.log" >&2; die "kselftest build failed"; }
		# The selftests Makefile skips a target that failed to build: a test
		# that does not build must fail the run, not vanish from it.
		for t in $targets; do
			if [ ! -d "$KS.new/$t" ] || grep -qE '(error:|Error [0-9])' "$G/kselftest.log"; then
				grep -E -B2 -A3 '(error:|Error [0-9])' "$G/kselftest.log" >&2
				die "kselftest build failed ($t)"
			fi
		done
		# 7.3's selftests/vfio also has upstream's PCI tests: they need a PCI
		# device to assign (VFIO_SELFTESTS_BDF), which no mode gives them, and
		# they skip without one. The guest runs the vfio-platform tests.
		if [ -f "$KS.new/kselftest-list.txt" ]; then
			grep -v -E '^vfio:' "$KS.new/kselftest-list.txt" >"$KS.new/list" || true
			grep -E '^vfio:vfio_platform_' "$KS.new/kselftest-list.txt" >>"$KS.new/list" || true
			mv "$KS.new/list" "$KS.new/kselftest-list.txt"
		fi
		rm -rf "$KS" && mv "$KS.new" "$KS"
	fi

	# Initramfs.
	R=$G/root
	rm -rf "$R"
	mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,guest,kselftest}
	cp "$BUILD/busybox/bin/busybox" "$R/bin/"
	cp "$TOP/guest/init" "$R/init"
	cp "$TOP"/guest/*.sh "$R/guest/"
	chmod +x "$R/init" "$R"/guest/*
	[ -d "$KS" ] && cp -a "$KS/." "$R/kselftest/"
	# Small helpers of the guest scripts.
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$R/bin/runas" "$TOP/guest/tools/runas.c"
	# The kernel's side of the GEM tests (AF_PACKET), guest/versal.sh.
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$R/bin/packet-io" "$TOP/guest/tools/packet-io.c"
	# vfio-hold uses the samples' VFIO helpers (and this tree's uAPI headers).
	vpu=$BUILD/linux/samples/vfio-platform
	[ -f "$vpu/vfio-platform-user.c" ] &&
		aarch64-linux-gnu-gcc -static -O2 -Wall -I "$vpu" -isystem "$hdr" -o "$R/bin/vfio-hold" \
			"$TOP/guest/tools/vfio-hold.c" "$vpu/vfio-platform-user.c"
	# vfio-gem (a user-space GEM driver, guest/versal.sh) too.
	[ -f "$vpu/vfio-platform-user.c" ] &&
		aarch64-linux-gnu-gcc -static -O2 -Wall -I "$vpu" -isystem "$hdr" -o "$R/bin/vfio-gem" \
			"$TOP/guest/tools/vfio-gem.c" "$vpu/vfio-platform-user.c"
	# The user-space driver samples (samples/vfio-platform), where built;
	# the debug kernel's guests run the test kernel's, as they use its
	# headers (debug.config builds neither).
	so=$OUT
	[ "$KERNEL" = debug ] && so=$BUILD/out
	for f in vfio-platform-virtio-rng vfio-platform-pl031-alarm vfio-platform-dt-node vfio-platform-zdma; do
		[ -x "$so/samples/vfio-platform/$f" ] && cp "$so/samples/vfio-platform/$f" "$R/bin/"
	done
	[ -d "$OUT/modroot/lib/modules" ] && mkdir -p "$R/lib" && cp -a "$OUT/modroot/lib/modules" "$R/lib/"
	[ -f "$R/kselftest/kselftest-list.txt" ] || : >"$R/kselftest/kselftest-list.txt"
	# The benchmark program: its short round is a test like the kselftests.
	mkdir -p "$R/kselftest/bench"
	cp "$("$TOP/harness/bench-build.sh" | tail -n 1)" "$R/kselftest/bench/"
	echo "bench:vfio_platform_bench" >>"$R/kselftest/kselftest-list.txt"
	# The acpi mode's SSDT: guest/check.sh loads it where the guest has ACPI.
	mkdir -p "$R/guest/acpi"
	iasl -p "$R/guest/acpi/rst-ssdt" "$TOP/guest/acpi/rst-ssdt.asl" >"$G/iasl.log" 2>&1 ||
		{ cat "$G/iasl.log" >&2; die "iasl failed on guest/acpi/rst-ssdt.asl"; }
	(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$G/initramfs.cpio.gz"
}

# GUEST_INITRAMFS=reuse (harness/check.sh, for every mode after the first
# of a kernel): keep the initramfs this run built for the first mode.
if [ "${GUEST_INITRAMFS:-}" = reuse ] && [ -f "$G/initramfs.cpio.gz" ]; then
	log "$mode: the initramfs built for the first mode ($G)"
else
	build_initramfs
fi
case "$mode" in nested*) "$TOP/harness/nested.sh" "$OUT/arch/arm64/boot/Image" >/dev/null ;; esac

# Test DTB: QEMU's own tree for this machine, plus the mode's edits.
dtb=$G/$mode.dtb
qemu-system-aarch64 -M "$MACHINE,dumpdtb=$G/$mode-qemu.dtb" -cpu cortex-a57 -m 512 \
	-display none -nic none "${QEMU_ARGS[@]}" >/dev/null 2>&1
dtc -q -I dtb -O dts -o "$G/$mode.dts" "$G/$mode-qemu.dtb"
for f in $DTS_EDIT; do
	cat "$TOP/guest/dts/$f" >>"$G/$mode.dts"
done
dtc -q -I dts -O dtb -o "$dtb" "$G/$mode.dts"
echo "$dtb"
