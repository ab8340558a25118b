#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's test command (make check): build, host checks, guest tests in
# every mode; prints one line per result and ends with
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
#   BASE=upstream  run the guest tests against pristine 6.12
#   MODES="..."    the guest modes to run (default: all)
#   HOST_CHECKS=0  skip the host checks (checkpatch, sparse, W=1, bisect)
#   DEMO=0         skip the run of make demo
#   DEBUG_KERNEL=0 skip the guest runs under the debug kernel
#   DEBUG_MODES="..." the guest modes of the debug kernel (default: all
#                  but nested)
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
"$TOP/harness/deps.sh"
"$TOP/harness/tree.sh"
[ "$BASE" = upstream ] && BASE=ours "$TOP/harness/tree.sh"
image=$("$TOP/harness/kernel.sh" | tail -n 1)
# The kselftests are built against our uAPI headers, also for BASE=upstream.
[ "$BASE" = upstream ] && [ ! -f "$BUILD/out/usr/include/linux/vfio.h" ] &&
	BASE=ours "$TOP/harness/kernel.sh" >/dev/null
log "kernel ready after $((SECONDS - t0)) s"

R=$BUILD/check-$BASE
rm -rf "$R"
mkdir -p "$R"
: >"$R/host.txt"
if [ "$BASE" = ours ] && [ "${HOST_CHECKS:-1}" = 1 ]; then
	t=$SECONDS
	"$TOP/harness/hostcheck.sh" >"$R/host.txt" || true
	"$TOP/harness/test-first-run.sh" >>"$R/host.txt" || true
	log "host checks: $((SECONDS - t)) s"
fi

logs=()
# run_guests KERNEL IMAGE MODE...: the guest suite in each mode; the debug
# kernel's logs are console-debug-MODE.log (results "debug/MODE/...").
# Each kernel has its own guest directory (harness/guest.sh).
run_guests() {
	local kernel=$1 image=$2 prefix= extra= mode t dtb G
	shift 2
	[ "$kernel" = test ] || prefix=$kernel-
	# Under the debug kernel the stress loops run a tenth of their counts
	# (VFIO_STRESS_SCALE, a percentage, reaches the tests through init's
	# environment): KASAN and lockdep make each cycle several times slower.
	[ "$kernel" = debug ] && extra=" VFIO_STRESS_SCALE=${DEBUG_STRESS_SCALE:-10}"
	for mode in "$@"; do
		t=$SECONDS
		dtb=$(KERNEL=$kernel "$TOP/harness/guest.sh" "$mode" | tail -n 1)
		G=${dtb%/*}
		. "$TOP/harness/modes.sh"
		mode_setup "$mode"
		# With firmware, the firmware hands the kernel its tables.
		[ -n "$FIRMWARE" ] && dtb=
		"$TOP/harness/run-guest.py" --kernel "$image" --initrd "$G/${INITRD##*/}" \
			${dtb:+--dtb "$dtb"} --machine "$MACHINE" --memory "$MEMORY" --append "$APPEND$extra" \
			--log "$R/console-$prefix$mode.log" --timeout "${GUEST_TIMEOUT:-600}" -- "${QEMU_ARGS[@]}" || true
		logs+=("$R/console-$prefix$mode.log")
		log "guest $prefix$mode: $((SECONDS - t)) s"
	done
}
run_guests test "$image" ${MODES:-noiommu smmu composite handover acpi nested}

# The debug kernel (harness/config/debug.config): the same guest suite
# under KASAN, UBSAN, lockdep, DEBUG_OBJECTS and kmemleak. DEBUG_KERNEL=0
# skips it; DEBUG_MODES picks its modes (default: every mode but nested,
# whose kernel paths the other modes cover and whose time is the inner
# QEMU's).
if [ "$BASE" = ours ] && [ "${DEBUG_KERNEL:-1}" = 1 ]; then
	t=$SECONDS
	dimage=$(KERNEL=debug "$TOP/harness/kernel.sh" | tail -n 1)
	log "debug kernel ready after $((SECONDS - t)) s"
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} run_guests debug "$dimage" \
		${DEBUG_MODES:-noiommu smmu composite handover}
fi

"$TOP/harness/results.py" "${logs[@]}" >"$R/guest.txt"

# The README's main job (make demo) is tested too: its verdict is a result.
: >"$R/demo.txt"
if [ "$BASE" = ours ] && [ "${DEMO:-1}" = 1 ]; then
	t=$SECONDS
	if "$TOP/harness/demo.sh" >"$R/demo.log" 2>&1; then
		echo "PASS demo" >"$R/demo.txt"
	else
		echo "FAIL demo: $(tail -n 1 "$R/demo.log")" >"$R/demo.txt"
	fi
	log "demo: $((SECONDS - t)) s"
fi
cat "$R/host.txt" <(grep -v '^TOTAL' "$R/guest.txt") "$R/demo.txt" >"$R/results.txt"
grep -E '^(FAIL|SKIP)' "$R/results.txt" || true
pass=$(grep -c '^PASS' "$R/results.txt" || true)
fail=$(grep -c '^FAIL' "$R/results.txt" || true)
skip=$(grep -c '^SKIP' "$R/results.txt" || true)
log "results: $R/results.txt (base $BASE, $((SECONDS - t0)) s)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
