#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Cross-build the benchmark program (bench/vfio_platform_bench.c), static
# arm64, against our uAPI headers and the kselftest harness of build/linux,
# with the selftests' platform device code, libvfio's
# vfio_platform_device.c, and the libvfio parts it uses (sysfs.c,
# iommu.c). The same binary runs against both kernels.
# Prints its path last.
. "$(dirname "$0")/lib.sh"

B=$BUILD/bench
bin=$B/vfio_platform_bench
src=("$TOP/bench/vfio_platform_bench.c"
	"$BUILD/linux/tools/testing/selftests/vfio/lib/vfio_platform_device.c"
	"$BUILD/linux/tools/testing/selftests/vfio/lib/sysfs.c"
	"$BUILD/linux/tools/testing/selftests/vfio/lib/iommu.c")
hdrs=("$BUILD/linux/tools/testing/selftests/vfio/lib/include/libvfio/vfio_platform_device.h"
	"$BUILD/linux/tools/testing/selftests/vfio/lib/include/libvfio/sysfs.h"
	"$BUILD/linux/tools/testing/selftests/vfio/lib/include/libvfio/iommu.h"
	"$BUILD/out/usr/include/linux/vfio.h"
	"$BUILD/linux/tools/testing/selftests/kselftest_harness.h")
for f in "${hdrs[@]}"; do
	[ -f "$f" ] || die "$f is missing (make kernel first)"
done
mkdir -p "$B"
stale=0
[ -x "$bin" ] || stale=1
for f in "${src[@]}" "${hdrs[@]}"; do
	[ "$f" -nt "$bin" ] && stale=1
done
if [ $stale = 1 ]; then
	log "building $bin"
	aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -D_GNU_SOURCE \
		-isystem "$BUILD/out/usr/include" \
		-I "$BUILD/linux/tools/testing/selftests" \
		-I "$BUILD/linux/tools/testing/selftests/vfio/lib/include" \
		-I "$BUILD/linux/tools/include" \
		-o "$bin.new" "${src[@]}" -lm || die "benchmark build failed"
	mv "$bin.new" "$bin"
fi
echo "$bin"
