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
#   GUEST_LANES=N  boot N guests at a time (default 3)
#   STRESS_SCALE=N, DEBUG_STRESS_SCALE=N  the stress tests' loop counts, in
#                  percent, under the test and the debug kernel (default
#                  50 and 5)
#
# The builds overlap the stages that leave the CPUs idle (the host checks'
# per-commit walk, the guests, the demo): the 6.12 backport's tree, test
# kernel and initramfs build from the start, and the debug kernel from the
# end of the test kernel's build, at a lower CPU priority (nice) than the
# stage in the foreground. Its guests wait for them. The 6.12 run is this
# script in two parts (CHECK_PART=build, then CHECK_PART=guests).
. "$(dirname "$0")/lib.sh"

PART=${CHECK_PART:-all}
case "$PART" in
all|build|guests) ;;
*) die "CHECK_PART must be build or guests" ;;
esac
t0=$SECONDS
times=()
# stage NAME SECONDS: a stage's time, and how busy the CPUs were since the
# last stage (whatever ran: the background builds too), printed with the
# results.
ticks=$(cpu_ticks)
stage() {
	local now
	now=$(cpu_ticks)
	times+=("$LINUX $1: $2 s$(cpu_busy "$ticks" "$now")")
	log "$LINUX $1: $2 s$(cpu_busy "$ticks" "$now")"
	ticks=$now
}
R=$BUILD/check-$BASE
# kill_tree PID: PID and everything it started (a background build).
kill_tree() {
	local c
	for c in $(pgrep -P "$1" || true); do kill_tree "$c"; done
	kill "$1" 2>/dev/null || true
}
bg=()
trap 'for p in "${bg[@]}"; do kill_tree "$p"; done' EXIT
# bg_wait PID: wait for a background build; it is no longer killed at exit.
bg_wait() {
	local p keep=()
	wait "$1" || true
	for p in "${bg[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	bg=("${keep[@]}")
}

if [ "$PART" != guests ]; then
	"$TOP/harness/deps.sh"
	"$TOP/harness/tree.sh"
	[ "$BASE" = upstream ] && BASE=ours "$TOP/harness/tree.sh"
	stage "deps and tree" $((SECONDS - t0))
	rm -rf "$R"
	mkdir -p "$R"
	: >"$R/host.txt"
fi

# The 6.12 backport: the same guest suite on its test kernel, and its host
# checks (quick unless BACKPORT_HOST_CHECKS=1). Its results are named
# "6.12/...". Its builds start now, in the background at nice 19; its
# guests run at the end.
backport=0
if [ "$LINUX" = 7.3 ] && [ "$BASE" = ours ] && [ "${BACKPORT_CHECK:-1}" = 1 ]; then
	backport=1
	bhc=quick
	[ "${BACKPORT_HOST_CHECKS:-0}" = 1 ] && bhc=1
	[ "${HOST_CHECKS:-1}" = 0 ] && bhc=0
	B612=$TOP/build/6.12/check-ours
	rm -f "$B612/results.txt"
	log "the 6.12 backport's builds, in the background (log: $R/backport.log)"
	backport_part() {
		LINUX=6.12 BUILD= TARBALL= HOST_CHECKS=$bhc DEBUG_KERNEL=0 DEMO=0 BACKPORT_CHECK=0 \
			CHECK_PART=$1 "${@:2}" "$TOP/harness/check.sh"
	}
	backport_part build nice -n 19 >"$R/backport.log" 2>&1 &
	bg+=($!)
	bbuild=$!
fi
# The host checks come before the test kernel: on a first run their
# per-commit builds walk the series in the main tree up to the tip, and the
# test kernel's build starts from what they built (harness/hostcheck.sh).
if [ "$PART" != guests ]; then
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
	echo "$image" >"$R/image-test"
	stage "test kernel" $((SECONDS - t))
else
	image=$(cat "$R/image-test" 2>/dev/null) ||
		die "no test kernel: the build part did not finish (CHECK_PART=build)"
fi

# The debug kernel (harness/config/debug.config): the same guest suite
# under KASAN, UBSAN, lockdep, DEBUG_OBJECTS and kmemleak. DEBUG_KERNEL=0
# skips it; DEBUG_MODES picks its modes (default: every mode but nested,
# whose kernel paths the other modes cover and whose time is the inner
# QEMU's). It builds in the background (nice 10: before the 6.12 kernel,
# which its guests do not wait for) while the test kernel's guests run.
debug=0
if [ "$PART" = all ] && [ "$BASE" = ours ] && [ "${DEBUG_KERNEL:-1}" = 1 ]; then
	debug=1
	log "the debug kernel, in the background (log: $R/debug-kernel.log)"
	(
		t=$SECONDS
		KERNEL=debug nice -n 10 "$TOP/harness/kernel.sh" 2>"$R/debug-kernel.log" | tail -n 1 >"$R/image-debug.new"
		mv "$R/image-debug.new" "$R/image-debug"
		echo $((SECONDS - t)) >"$R/debug-kernel.time"
	) &
	bg+=($!)
	dbuild=$!
fi

logs=()
# prepare_guests KERNEL MODE...: the kernel's initramfs (harness/guest.sh,
# built for the first mode, reused by the others) and each mode's DTB,
# listed in $R/dtbs-KERNEL ("MODE DTB" lines).
prepare_guests() {
	local kernel=$1 prefix= mode t reuse=
	shift
	[ "$kernel" = test ] || prefix=$kernel-
	t=$SECONDS
	: >"$R/dtbs-$kernel"
	for mode in "$@"; do
		echo "$mode $(KERNEL=$kernel GUEST_INITRAMFS=$reuse "$TOP/harness/guest.sh" "$mode" | tail -n 1)" \
			>>"$R/dtbs-$kernel"
		reuse=reuse
	done
	stage "guest ${prefix}initramfs and DTBs" $((SECONDS - t))
}

# boot_guests KERNEL IMAGE MODE...: the guest suite in each mode; the debug
# kernel's logs are console-debug-MODE.log (results "debug/MODE/...").
# Each kernel has its own guest directory (harness/guest.sh). A TCG guest
# keeps a host CPU about half busy (measured: two guests in 67 s used 57
# s of CPU): the modes boot GUEST_LANES (default 3) at a time, each lane
# taking the next mode not yet taken, in the order given (longest first
# balances the lanes).
boot_guests() {
	local kernel=$1 image=$2 prefix= extra= mode t lane lanes=()
	local -A dtbs=()
	shift 2
	[ "$kernel" = test ] || prefix=$kernel-
	# The stress loops run half their counts under the test kernel and a
	# twentieth under the debug kernel, where KASAN and lockdep make each
	# cycle several times slower (VFIO_STRESS_SCALE, a percentage,
	# reaches the tests through init's environment). Their counts are
	# sized for hardware: under TCG, with the CPUs busy with the builds,
	# the full counts took 121 s in the noiommu mode, past the 120 s a
	# test gets (selftests/vfio's settings; guest/check.sh enforces the
	# same), and a tenth under the debug kernel 95 s. 500 bind/unbind
	# cycles per test and device are still 500 tries of each race; the
	# debug kernel's 50 reach every path its checkers watch.
	extra=" VFIO_STRESS_SCALE=${STRESS_SCALE:-50}"
	[ "$kernel" = debug ] && extra=" VFIO_STRESS_SCALE=${DEBUG_STRESS_SCALE:-5}"
	while read -r mode dtb; do
		dtbs[$mode]=$dtb
	done <"$R/dtbs-$kernel"
	for mode in "$@"; do
		[ -n "${dtbs[$mode]:-}" ] || die "no DTB for $kernel/$mode (prepare_guests)"
		logs+=("$R/console-$prefix$mode.log")
	done
	t=$SECONDS
	rm -rf "$R/lanes-$kernel"
	mkdir -p "$R/lanes-$kernel"
	for ((lane = 0; lane < ${GUEST_LANES:-3}; lane++)); do
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
	stage "guests, $kernel kernel, ${GUEST_LANES:-3} at a time" $((SECONDS - t))
}
modes=${MODES:-noiommu nested smmu nested-kvm acpi versal composite handover}
# shellcheck disable=SC2086
[ "$PART" = guests ] || prepare_guests test $modes
if [ "$PART" = build ]; then
	log "$LINUX: built ($((SECONDS - t0)) s); the guests run with CHECK_PART=guests"
	exit 0
fi
# shellcheck disable=SC2086
boot_guests test "$image" $modes

if [ $debug = 1 ]; then
	t=$SECONDS
	bg_wait "$dbuild"
	[ -s "$R/image-debug" ] || { tail -n 20 "$R/debug-kernel.log" >&2; die "the debug kernel did not build (log: $R/debug-kernel.log)"; }
	dimage=$(cat "$R/image-debug")
	stage "wait for the debug kernel (built in $(cat "$R/debug-kernel.time") s in the background)" $((SECONDS - t))
	dmodes=${DEBUG_MODES:-noiommu smmu versal composite handover}
	# shellcheck disable=SC2086
	prepare_guests debug $dmodes
	# shellcheck disable=SC2086
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} boot_guests debug "$dimage" $dmodes
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

# The 6.12 backport's guests, once its builds are done.
: >"$R/backport.txt"
if [ $backport = 1 ]; then
	t=$SECONDS
	bg_wait "$bbuild"
	stage "wait for the 6.12 builds (in the background)" $((SECONDS - t))
	log "the 6.12 backport's guests (log: $R/backport.log)"
	backport_part guests >>"$R/backport.log" 2>&1 || true
	if [ -f "$B612/results.txt" ]; then
		sed -E 's#^(PASS|FAIL|SKIP) #\1 6.12/#' "$B612/results.txt" >"$R/backport.txt"
		grep -E '^==> 6\.12 .*: [0-9]+ s( \(CPUs [0-9]+% busy\))?$' "$R/backport.log" | sed 's/^==> //' >"$R/backport-times.txt" || true
	else
		echo "FAIL 6.12/check: no results ($(tail -n 1 "$R/backport.log"))" >"$R/backport.txt"
	fi
	mapfile -t -O "${#times[@]}" times <"$R/backport-times.txt" 2>/dev/null || true
fi
cat "$R/host.txt" <(grep -v '^TOTAL' "$R/guest.txt") "$R/demo.txt" "$R/backport.txt" >"$R/results.txt"
grep -E '^SKIP' "$R/results.txt" || true
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
# The failures last, next to the count: a CI log cut short in the middle
# still shows them.
grep -E '^FAIL' "$R/results.txt" || true
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
