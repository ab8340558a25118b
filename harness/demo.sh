#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's main job (make demo): install, build, boot, and show
# vfio-platform at work in the guest. Ends with a one-line verdict.
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/modes.sh"
"$TOP/harness/deps.sh"
"$TOP/harness/tree.sh"
log "building the kernel (first run: a few minutes)"
image=$("$TOP/harness/kernel.sh" | tail -n 1)
dtb=$("$TOP/harness/guest.sh" noiommu | tail -n 1)
mode_setup noiommu
# The demo's devices have reset methods: it runs with the safe default
# (reset_required=Y), without the tests' opt-in for devices that have none.
APPEND=${APPEND//vfio_platform.reset_required=0 /}
mkdir -p "$BUILD/demo"
"$TOP/harness/run-guest.py" --kernel "$image" --initrd "$BUILD/guest/initramfs.cpio.gz" \
	--dtb "$dtb" --append "$APPEND vfiotest.run=demo" --log "$BUILD/demo/console.log" \
	--timeout 300 -- "${QEMU_ARGS[@]}" >/dev/null
sed -n '/^### DEMO:/,/^### DEMO VERDICT/p' "$BUILD/demo/console.log" | tr -d '\r' |
	grep -v '^### DEMO VERDICT'
# A kernel report anywhere on the console fails the demo too.
reports=$("$TOP/harness/results.py" "$BUILD/demo/console.log" | grep '/kernel:' || true)
[ -z "$reports" ] || echo "$reports"
if [ -z "$reports" ] && grep -q '^### DEMO VERDICT: PASS' "$BUILD/demo/console.log"; then
	echo "demo: PASS (two devices handed to vfio, driven from user space, reset and given back; console: $BUILD/demo/console.log)"
else
	echo "demo: FAIL (console: $BUILD/demo/console.log)"
	exit 1
fi
