#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench, real SoC IP: memory-to-memory copies on QEMU xlnx-versal-virt's
# ZDMA channels by the kernel's own driver (dmatest on channel 1, through
# zynqmp_dma and the dmaengine framework) and by the user-space sample over
# vfio-platform (samples/vfio-platform/vfio-platform-zdma on channel 0), in
# ROUNDS boots of our test kernel (guest/versal.sh, vfiotest.versal=bench:
# 1000 copies per size and side). Prints the medians per size and the
# user-space/kernel ratio of transfers per second, and writes
# build/LINUX/bench/zdma.md. Run by harness/bench.sh; runs alone too.
#   ROUNDS=N   boots (default 7, at least 3)
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/modes.sh"

ROUNDS=${ROUNDS:-7}
[ "$ROUNDS" -ge 3 ] 2>/dev/null || die "ROUNDS must be 3 or more"
B=$BUILD/bench
mkdir -p "$B"
rm -f "$B"/zdma-round-*.log

BASE=ours "$TOP/harness/kernel.sh" >/dev/null
BASE=ours "$TOP/harness/guest.sh" versal >/dev/null
cp "$BUILD/guest/initramfs.cpio.gz" "$B/initramfs-versal.cpio.gz"
mode_setup versal
for r in $(seq 1 "$ROUNDS"); do
	"$TOP/harness/run-guest.py" --kernel "$BUILD/out/arch/arm64/boot/Image" \
		--initrd "$B/initramfs-versal.cpio.gz" --machine "$MACHINE" \
		--memory "$MEMORY" --append "$APPEND vfiotest.versal=bench" \
		--log "$B/zdma-round-$r.log" --timeout "${GUEST_TIMEOUT:-300}" -- \
		"${QEMU_ARGS[@]}" || true
done

# "# ZDMA SIZE kernel_iops K user_iops U user_p50_us L", one per size and
# round; a round without both figures is left out and counted.
cat "$B"/zdma-round-*.log | awk -v rounds="$ROUNDS" '
function median(a, n,    i, j, t) {
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "#" && $2 == "ZDMA" && $5 > 0 && $7 > 0 {
	s = $3; n[s]++; k[s, n[s]] = $5; u[s, n[s]] = $7; l[s, n[s]] = $9; r[s, n[s]] = $7 / $5
	if (!(s in seen)) { seen[s] = 1; order[++sizes] = s }
}
END {
	print "| copy size | kernel driver (dmatest), copies/s | user space over vfio-platform, copies/s | user/kernel | per-round ratios | user-space completion p50 | rounds |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= sizes; i++) {
		s = order[i]; m = n[s]
		lo = hi = r[s, 1]
		for (j = 1; j <= m; j++) {
			kk[j] = k[s, j]; uu[j] = u[s, j]; ll[j] = l[s, j]
			if (r[s, j] < lo) lo = r[s, j]
			if (r[s, j] > hi) hi = r[s, j]
		}
		km = median(kk, m); um = median(uu, m)
		printf "| %s B | %.0f | %.0f | %.2f | %.2f-%.2f | %.1f us | %d of %d |\n",
			s, km, um, um / km, lo, hi, median(ll, m), m, rounds
	}
}' | tee "$B/zdma.md"
