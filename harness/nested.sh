#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The initramfs of the "nested" guest mode: the test initramfs that
# guest.sh built, followed by a second archive (the kernel unpacks
# concatenated archives in order) with what the outer guest needs to run
# a guest of its own, under /nested:
#   usr/bin/qemu-system-aarch64 + libraries   Debian's arm64 QEMU
#                                             (harness/qemu-arm64.sh)
#   Image                                     the kernel under test, again
#   l2.cpio.gz                                the inner guest's initramfs:
#                                             busybox, guest/nested-l2.sh
#                                             and nested-roundtrip.sh,
#                                             the benchmark program
# Usage: nested.sh KERNEL_IMAGE. Prints the initramfs path last.
. "$(dirname "$0")/lib.sh"
image=$1
G=$BUILD/guest
qroot=$("$TOP/harness/qemu-arm64.sh" | tail -n 1)

# The inner guest's initramfs.
L2=$G/l2-root
rm -rf "$L2"
mkdir -p "$L2"/{bin,dev,proc,sys}
cp "$BUILD/busybox/bin/busybox" "$L2/bin/"
# The interrupt round trip from the inner guest (vfio_platform_bench --irq).
cp "$BUILD/bench/vfio_platform_bench" "$L2/bin/"
install -m 0755 "$TOP/guest/nested-l2.sh" "$L2/init"
cp "$TOP/guest/nested-roundtrip.sh" "$L2/"
(cd "$L2" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$G/l2.cpio.gz"

# The second archive. QEMU's tree only changes with its Debian version:
# keep its compressed archive and add the small part each time.
qcpio=$G/nested-qemu.cpio.gz
if [ ! -f "$qcpio" ] || [ "$(cat "$qcpio.version" 2>/dev/null)" != "$(cat "$qroot/.version")" ]; then
	log "packing qemu-system-aarch64 for the nested guest"
	rm -rf "$G/nested-q"
	mkdir -p "$G/nested-q"
	cp -a "$qroot" "$G/nested-q/nested"
	rm -f "$G/nested-q/nested/.version"
	(cd "$G/nested-q" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 >"$qcpio.new"
	mv "$qcpio.new" "$qcpio"
	cp "$qroot/.version" "$qcpio.version"
	rm -rf "$G/nested-q"
fi
N=$G/nested-k
rm -rf "$N"
mkdir -p "$N/nested"
cp "$image" "$N/nested/Image"
cp "$G/l2.cpio.gz" "$N/nested/"
(cd "$N" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$G/nested-k.cpio.gz"
rm -rf "$N"
cat "$G/initramfs.cpio.gz" "$qcpio" "$G/nested-k.cpio.gz" >"$G/initramfs-nested.cpio.gz"
log "nested initramfs: $(du -h "$G/initramfs-nested.cpio.gz" | cut -f1)"
echo "$G/initramfs-nested.cpio.gz"
