# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/nested.sh (the outer guest) and guest/nested-l2.sh
# (the inner one), which define tap() and BENCH (the benchmark program).
#
# roundtrip NAME BUS DEV: the PL061 DEV's VFIO interrupt round trip (the
# benchmark program's --irq: 200 of them, each exactly one interrupt),
# printed as "# ROUNDTRIP NAME p50 p99" for the host's summary.
roundtrip() {
	"$BENCH" --irq "$2" "$3" 200 >/tmp/rt.out 2>&1
	rtrc=$?
	p50=$(awk '$2 == "irq.eventfd.p50" { print $3 }' /tmp/rt.out)
	p99=$(awk '$2 == "irq.eventfd.p99" { print $3 }' /tmp/rt.out)
	if [ $rtrc = 0 ] && [ -n "$p50" ]; then
		echo "# ROUNDTRIP $1 $p50 $p99"
		tap 1 "irq_round_trip_$1" "200 round trips of $3 (unmask eventfd): p50 $p50 us, p99 $p99 us"
	else
		tap 0 "irq_round_trip_$1" "rc $rtrc: $(tr '\n' ' ' </tmp/rt.out)"
	fi
}
