#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's test command (make check): build, host checks, guest tests in
# every mode; prints one line per result and ends with
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
# It runs the mainline series (7.3) in full, then the 6.12 backport: its
# test kernel in every guest mode and the host checks that do not build
# (results named "6.12/...").
#   LINUX=6.12     run the 6.12 backport alone, in full
#   BASE=upstream  run the guest tests against the pristine base
#   MODES="..."    the guest modes to run (default: all)
#   HOST_CHECKS=0  skip the host checks (checkpatch, sparse, W=1, bisect)
#   DEMO=0         skip the run of make demo
#   DEBUG_KERNEL=0 skip the guest runs under the debug kernel
#   DEBUG_MODES="..." the guest modes of the debug kernel (default: all
#                  but nested)
#   BACKPORT_CHECK=0  skip the 6.12 backport after the mainline run
#   BACKPORT_HOST_CHECKS=1  run every host check on the backport too
#                  (default: quick, without the builds)
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
times=()
# stage NAME SECONDS: a stage's time, printed with the results.
stage() { times+=("$LINUX $1: $2 s"); log "$LINUX $1: $2 s"; }
"$TOP/harness/deps.sh"
"$TOP/harness/tree.sh"
[ "$BASE" = upstream ] && BASE=ours "$TOP/harness/tree.sh"
stage "deps and tree" $((SECONDS - t0))

R=$BUILD/check-$BASE
rm -rf "$R"
mkdir -p "$R"
: >"$R/host.txt"
# The host checks come before the test kernel: on a first run their
# per-commit builds walk the series in the main tree up to the tip, and the
# test kernel's build starts from what they built (harness/hostcheck.sh).
if [ "$BASE" = ours ] && [ "${HOST_CHECKS:-1}" != 0 ]; then
	t=$SECONDS
	"$TOP/harness/hostcheck.sh" >"$R/host.txt" || true
	[ "$LINUX" = 7.3 ] && { "$TOP/harness/test-first-run.sh" >>"$R/host.txt" || true; }
	stage "host checks${HOST_CHECKS:+ ($HOST_CHECKS)}" $((SECONDS - t))
fi

t=$SECONDS
image=$("$TOP/harness/kernel.sh" | tail -n 1)
# The kselftests are built against our uAPI headers, also for BASE=upstream.
[ "$BASE" = upstream ] && [ ! -f "$BUILD/out/usr/include/linux/vfio.h" ] &&
	BASE=ours "$TOP/harness/kernel.sh" >/dev/null
stage "test kernel" $((SECONDS - t))

logs=()
# run_guests KERNEL IMAGE MODE...: the guest suite in each mode; the debug
# kernel's logs are console-debug-MODE.log (results "debug/MODE/...").
# Each kernel has its own guest directory (harness/guest.sh). A TCG guest
# keeps one host CPU busy: the modes boot GUEST_LANES (default 2) at a
# time, each lane taking the next mode not yet taken, in the order given
# (longest first balances the lanes).
run_guests() {
	local kernel=$1 image=$2 prefix= extra= mode t lane lanes=()
	local -A dtbs=()
	shift 2
	[ "$kernel" = test ] || prefix=$kernel-
	# Under the debug kernel the stress loops run a tenth of their counts
	# (VFIO_STRESS_SCALE, a percentage, reaches the tests through init's
	# environment): KASAN and lockdep make each cycle several times slower.
	[ "$kernel" = debug ] && extra=" VFIO_STRESS_SCALE=${DEBUG_STRESS_SCALE:-10}"
	t=$SECONDS
	# The first mode builds the kernel's initramfs, the others reuse it.
	local reuse=
	for mode in "$@"; do
		dtbs[$mode]=$(KERNEL=$kernel GUEST_INITRAMFS=$reuse "$TOP/harness/guest.sh" "$mode" | tail -n 1)
		reuse=reuse
		logs+=("$R/console-$prefix$mode.log")
	done
	stage "guest ${prefix}initramfs and DTBs" $((SECONDS - t))
	t=$SECONDS
	rm -rf "$R/lanes-$kernel"
	mkdir -p "$R/lanes-$kernel"
	for ((lane = 0; lane < ${GUEST_LANES:-2}; lane++)); do
		(
			for mode in "$@"; do
				mkdir "$R/lanes-$kernel/$mode" 2>/dev/null || continue
				local ts=$SECONDS dtb=${dtbs[$mode]} G
				G=${dtb%/*}
				. "$TOP/harness/modes.sh"
				mode_setup "$mode"
				# With firmware, the firmware hands the kernel its
				# tables; some machines boot only with QEMU's own tree.
				if [ -n "$FIRMWARE" ] || [ "$QEMU_DTB" = 1 ]; then dtb=; fi
				"$TOP/harness/run-guest.py" --kernel "$image" --initrd "$G/${INITRD##*/}" \
					${dtb:+--dtb "$dtb"} --machine "$MACHINE" --memory "$MEMORY" --append "$APPEND$extra" \
					--log "$R/console-$prefix$mode.log" --timeout "${GUEST_TIMEOUT:-600}" -- "${QEMU_ARGS[@]}" || true
				echo "$((SECONDS - ts))" >"$R/lanes-$kernel/$mode/time"
				log "$LINUX guest $prefix$mode (lane $lane): $((SECONDS - ts)) s"
			done
		) &
		lanes+=($!)
	done
	wait "${lanes[@]}"
	for mode in "$@"; do
		times+=("$LINUX guest $prefix$mode: $(cat "$R/lanes-$kernel/$mode/time" 2>/dev/null || echo '?') s")
	done
	stage "guests, $kernel kernel, ${GUEST_LANES:-2} at a time" $((SECONDS - t))
}
run_guests test "$image" ${MODES:-noiommu nested smmu nested-kvm acpi versal composite handover}

# The debug kernel (harness/config/debug.config): the same guest suite
# under KASAN, UBSAN, lockdep, DEBUG_OBJECTS and kmemleak. DEBUG_KERNEL=0
# skips it; DEBUG_MODES picks its modes (default: every mode but nested,
# whose kernel paths the other modes cover and whose time is the inner
# QEMU's).
if [ "$BASE" = ours ] && [ "${DEBUG_KERNEL:-1}" = 1 ]; then
	t=$SECONDS
	dimage=$(KERNEL=debug "$TOP/harness/kernel.sh" | tail -n 1)
	stage "debug kernel" $((SECONDS - t))
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} run_guests debug "$dimage" \
		${DEBUG_MODES:-noiommu smmu versal composite handover}
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
	stage demo $((SECONDS - t))
fi

# The 6.12 backport: the same guest suite on its test kernel, and its host
# checks (quick unless BACKPORT_HOST_CHECKS=1). Its results are named
# "6.12/...".
: >"$R/backport.txt"
if [ "$LINUX" = 7.3 ] && [ "$BASE" = ours ] && [ "${BACKPORT_CHECK:-1}" = 1 ]; then
	bhc=quick
	[ "${BACKPORT_HOST_CHECKS:-0}" = 1 ] && bhc=1
	[ "${HOST_CHECKS:-1}" = 0 ] && bhc=0
	B612=$TOP/build/6.12/check-ours
	rm -f "$B612/results.txt"
	log "the 6.12 backport (log: $R/backport.log)"
	LINUX=6.12 BUILD= TARBALL= HOST_CHECKS=$bhc DEBUG_KERNEL=0 DEMO=0 BACKPORT_CHECK=0 \
		"$TOP/harness/check.sh" >"$R/backport.log" 2>&1 || true
	if [ -f "$B612/results.txt" ]; then
		sed -E 's#^(PASS|FAIL|SKIP) #\1 6.12/#' "$B612/results.txt" >"$R/backport.txt"
		grep -E '^==> 6\.12 .*: [0-9]+ s$' "$R/backport.log" | sed 's/^==> //' >"$R/backport-times.txt" || true
	else
		echo "FAIL 6.12/check: no results ($(tail -n 1 "$R/backport.log"))" >"$R/backport.txt"
	fi
	mapfile -t -O "${#times[@]}" times <"$R/backport-times.txt" 2>/dev/null || true
fi
cat "$R/host.txt" <(grep -v '^TOTAL' "$R/guest.txt") "$R/demo.txt" "$R/backport.txt" >"$R/results.txt"
grep -E '^(FAIL|SKIP)' "$R/results.txt" || true
pass=$(grep -c '^PASS' "$R/results.txt" || true)
fail=$(grep -c '^FAIL' "$R/results.txt" || true)
skip=$(grep -c '^SKIP' "$R/results.txt" || true)
log "results: $R/results.txt (base $BASE, $((SECONDS - t0)) s)"
[ "$LINUX" = 7.3 ] && printf 'time: %s\n' "${times[@]}" "total: $((SECONDS - t0)) s"
# The PL061's VFIO interrupt round trip (median, unmask eventfd) in the
# nested modes of this run: the outer guest's own, and the inner guest's
# under KVM (irqfd + resamplefd) and under TCG (QEMU's trap-and-unmask),
# with their ratios to the outer guest's.
for m in nested-kvm nested; do
	f=$R/console-$m.log
	[ -f "$f" ] || continue
	awk -v m="$LINUX $m" '$1 == "#" && $2 == "ROUNDTRIP" { v[$3] = $4 }
		END { if (!("outer" in v)) exit
			line = sprintf("round trip: %s: outer guest %s us", m, v["outer"])
			if ("inner_kvm" in v) line = line sprintf(", inner guest under KVM %s us (x%.1f)", v["inner_kvm"], v["inner_kvm"] / v["outer"])
			if ("inner_tcg" in v) line = line sprintf(", inner guest under TCG %s us (x%.1f)", v["inner_tcg"], v["inner_tcg"] / v["outer"])
			print line }' "$f"
done
# The versal mode's ZDMA copies: the kernel's own driver (dmatest, one
# channel) against the user-space sample over vfio-platform (another
# channel), same sizes, transfers per second and their ratio.
f=$R/console-versal.log
[ -f "$f" ] && awk -v m="$LINUX versal" '$1 == "#" && $2 == "ZDMA" && $5 > 0 {
	printf "zdma: %s: %s B copies: kernel driver (dmatest) %s/s, user space over vfio-platform %s/s (x%.2f), user-space completion p50 %s us\n",
		m, $3, $5, $7, $7 / $5, $9 }' "$f"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
