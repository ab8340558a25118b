#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Cross-build the arm64 test kernel out of tree: allnoconfig plus the
# checked-in fragments. Incremental. Prints the Image path last.
. "$(dirname "$0")/lib.sh"

[ -d "$SRC" ] || "$TOP/harness/tree.sh"
mkdir -p "$OUT"
mapfile -t frags < <(config_fragments)

# Re-run Kconfig only when a fragment or a Kconfig file changed: an
# unchanged .config keeps the build incremental.
stamp=$( (cat "${frags[@]}"; git -C "$SRC" ls-tree -r HEAD | grep -E 'Kconfig[^/]*$') | sha1sum | cut -c1-40)
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.fragment-stamp" 2>/dev/null)" != "$stamp" ]; then
	log "configuring ($BASE, $KERNEL kernel): allnoconfig + $(basename -a "${frags[@]}" | tr '\n' ' ')"
	cat "${frags[@]}" >"$OUT/fragment.config"
	KCONFIG_ALLCONFIG="$OUT/fragment.config" "${KMAKE[@]}" allnoconfig >/dev/null
	# Every symbol the fragments ask for must have taken its value.
	mapfile -t bad < <(config_not_taken "$OUT/.config" "${frags[@]}")
	for line in "${bad[@]}"; do echo "config: $line did not take" >&2; done
	[ ${#bad[@]} = 0 ] || die "kernel configuration does not match the fragments"
	echo "$stamp" >"$OUT/.fragment-stamp"
fi

log "building $BASE $KERNEL kernel in $OUT (-j$JOBS)"
start=$SECONDS
quiet_progress "$OUT/build.log" "building the kernel" "${KMAKE[@]}" -j"$JOBS" Image modules || {
	grep -E 'error|Error' "$OUT/build.log" | head -40 >&2
	die "kernel build failed (log: $OUT/build.log)"
}
# The uAPI headers, for the kselftests and the guest's tools: the test
# kernel's serve every kernel of the tree (harness/guest.sh), and the debug
# kernel does not install its own (debug.config).
[ "$KERNEL" = debug ] || "${KMAKE[@]}" headers_install INSTALL_HDR_PATH="$OUT/usr" >/dev/null
# Modules for the initramfs (with modules.alias, for request_module()).
rm -rf "$OUT/modroot"
"${KMAKE[@]}" modules_install INSTALL_MOD_PATH="$OUT/modroot" >/dev/null
log "kernel built in $((SECONDS - start)) s"
echo "$OUT/arch/arm64/boot/Image"
