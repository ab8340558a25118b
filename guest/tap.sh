# SPDX-License-Identifier: GPL-2.0
# TAP output of the guest test scripts (guest/samples-test.sh,
# guest/versal.sh), sourced: ok NAME, not_ok NAME, skip NAME REASON number
# the results in $n and count the failures in $failed.
n=0
failed=0

echo "TAP version 13"

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
}

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
