#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the same benchmark program (bench/vfio_platform_bench.c) in
# our kernel and in pristine 6.12 with upstream's vfio-platform, in
# interleaved rounds (ours, upstream, ours, ...: one QEMU boot each) on the
# noiommu mode's machine, then medians and ratios
# (harness/bench-report.py): a table on stdout, JSON in
# build/bench/bench.json. Then harness/bench-zdma.sh: the ZDMA channel of
# xlnx-versal-virt driven by the kernel and from user space.
#   ROUNDS=N        rounds per kernel (default 7, at least 3)
#   BENCH_SCALE=N   iteration count multiplier in the guest (default 4)
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/modes.sh"

ROUNDS=${ROUNDS:-7}
SCALE=${BENCH_SCALE:-4}
[ "$ROUNDS" -ge 3 ] 2>/dev/null || die "ROUNDS must be 3 or more"
B=$BUILD/bench
t0=$SECONDS

"$TOP/harness/deps.sh"
BASE=ours "$TOP/harness/tree.sh"
BASE=upstream "$TOP/harness/tree.sh"
BASE=ours "$TOP/harness/kernel.sh" >/dev/null
BASE=upstream "$TOP/harness/kernel.sh" >/dev/null
log "kernels ready after $((SECONDS - t0)) s"

mkdir -p "$B"
rm -f "$B"/round-*.log
# One initramfs and test DTB (noiommu mode) for both kernels: the same
# user space. It is built for upstream's kernel, so it carries no module:
# binding a device without a built-in reset runs modprobe for a
# "vfio-reset:COMPATIBLE" alias in both kernels, and modprobe must find the
# same (empty) module tree in both.
dtb=$(BASE=upstream "$TOP/harness/guest.sh" noiommu | tail -n 1)
cp "$BUILD/guest/initramfs.cpio.gz" "$B/initramfs.cpio.gz"
cp "$dtb" "$B/noiommu.dtb"

# pflash bank 1 with known content: 8 MiB of pseudo-random bytes (fixed
# seed), the rest of the 64 MiB zero. Read-only: the benchmark's writes of
# all-ones are CFI "read array" commands and change nothing.
img=$B/flash1.img
if [ ! -f "$img" ]; then
	python3 -c '
import random, sys
with open(sys.argv[1], "wb") as f:
    f.write(random.Random(9).randbytes(8 << 20))
    f.truncate(64 << 20)' "$img.new"
	mv "$img.new" "$img"
fi

mode_setup noiommu
qemu_version=$(qemu-system-aarch64 --version | head -n 1)
for r in $(seq 1 "$ROUNDS"); do
	for base in ours upstream; do
		if [ $base = ours ]; then out=$BUILD/out; else out=$BUILD/out-upstream; fi
		"$TOP/harness/run-guest.py" --kernel "$out/arch/arm64/boot/Image" \
			--initrd "$B/initramfs.cpio.gz" --dtb "$B/noiommu.dtb" \
			--machine "$MACHINE" \
			--append "$APPEND vfiotest.run=bench vfiotest.bench_scale=$SCALE" \
			--log "$B/round-$r-$base.log" --timeout "${GUEST_TIMEOUT:-300}" -- \
			"${QEMU_ARGS[@]}" \
			-drive "if=pflash,unit=1,format=raw,readonly=on,file=$img" ||
			true
	done
done
log "$ROUNDS rounds per kernel after $((SECONDS - t0)) s"

"$TOP/harness/bench-report.py" --json "$B/bench.json" --markdown "$B/bench.md" \
	--machine "$(nproc) CPUs ($(uname -m), $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs)), QEMU TCG: $qemu_version" \
	--ours "$(base_version) + series $(git -C "$BUILD/linux" rev-parse --short HEAD)" \
	--upstream "$(base_version), upstream vfio-platform" \
	--rounds "$ROUNDS" --scale "$SCALE" "$B"/round-*.log

# Real SoC IP: the ZDMA channel by the kernel's driver and from user space.
log "ZDMA copies on xlnx-versal-virt, kernel driver and user space"
ROUNDS=$ROUNDS "$TOP/harness/bench-zdma.sh"
