#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernels of make check's later stages, built ahead: the debug kernel,
# then the 6.12 backport's tree and test kernel. check.sh starts this in
# the background under nice -n 19 once the 7.3 tree is assembled, so it
# only takes the CPU time that the stages in front leave idle (a link, a
# Kconfig run, checkpatch, a guest waiting on a timer). Nothing depends on
# it succeeding: each stage still runs its own kernel.sh, which finds the
# work done or does it, and fails there if a build fails.
#   $BUILD/warm-debug.done  written when the debug kernel is through
#   DEBUG_KERNEL=0, BACKPORT_CHECK=0  leave that kernel out (as check.sh)
. "$(dirname "$0")/lib.sh"
trap - ERR
set +e
# nice only orders the processes of one scheduler autogroup, and check.sh
# starts this in a session, so an autogroup, of its own: lower the
# group's weight too (measured: without it, the debug kernel took half of
# the CPUs from the test kernel's build).
echo 19 >/proc/self/autogroup 2>/dev/null || true

s=$SECONDS
if [ "${DEBUG_KERNEL:-1}" = 1 ]; then
	KERNEL=debug "$TOP/harness/kernel.sh" >/dev/null
	log "warm-up: 7.3 debug kernel, exit $?, $((SECONDS - s)) s"
fi
touch "$BUILD/warm-debug.done"
s=$SECONDS
if [ "${BACKPORT_CHECK:-1}" = 1 ]; then
	LINUX=6.12 BUILD='' TARBALL='' "$TOP/harness/deps.sh" &&
		LINUX=6.12 BUILD='' TARBALL='' "$TOP/harness/tree.sh" &&
		LINUX=6.12 BUILD='' TARBALL='' "$TOP/harness/kernel.sh" >/dev/null
	log "warm-up: 6.12 tree and test kernel, exit $?, $((SECONDS - s)) s"
fi
exit 0
