# SPDX-License-Identifier: GPL-2.0
# Common settings for the host-side harness. Sourced, not run.

set -euo pipefail
# No entry point fails silently: a command that stops a script under -e
# names itself, its script and its line (inherited by functions and
# subshells through -E).
set -E
trap 'rc=$?; printf "error: %s failed (exit %d) at %s:%d\n" "$BASH_COMMAND" "$rc" "$(basename "${BASH_SOURCE[0]:-$0}")" "$LINENO" >&2; exit $rc' ERR

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# The series: git format-patch files, one per commit, applied in order on
# the pristine base (harness/tree.sh), written back by harness/save.sh.
SERIES=$TOP/series/6.12
# BASE=ours (default): our series; BASE=upstream: pristine 6.12 with
# upstream's vfio-platform, for comparison.
BASE=${BASE:-ours}
case "$BASE" in
ours) SRC=$BUILD/linux; OUT=$BUILD/out ;;
upstream) SRC=$BUILD/linux-upstream; OUT=$BUILD/out-upstream ;;
*) echo "BASE must be 'ours' or 'upstream'" >&2; exit 2 ;;
esac
# KERNEL=test (default): the test kernel; KERNEL=debug: the same plus
# harness/config/debug.config (KASAN, UBSAN, lockdep, kmemleak, ...), built
# in its own output directory.
KERNEL=${KERNEL:-test}
case "$KERNEL" in
test) ;;
debug) OUT=$OUT-debug ;;
*) echo "KERNEL must be 'test' or 'debug'" >&2; exit 2 ;;
esac
# The kernel source tarball: empty until deps.sh installed linux-source-6.12.
# Nothing here may need an installed package: deps.sh sources this file
# before it installs anything.
if [ -z "${TARBALL:-}" ]; then
	TARBALL=$(compgen -G '/usr/src/linux-source-6.12.tar.*' | head -n 1) || TARBALL=
fi
# User programs the kernel build makes (samples) run in a busybox guest
# without a dynamic loader: link them statically.
KMAKE=(make -s -C "$SRC" O="$OUT" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	USERLDFLAGS=-static)
JOBS=${JOBS:-$(($(nproc) + 1))}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# quiet_progress LOG WHAT CMD...: run CMD with its output in LOG, and say
# every 30 s that WHAT is still going on (apt-get, the kernel build).
quiet_progress() {
	local out=$1 what=$2 pid start=$SECONDS next=30
	shift 2
	"$@" >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ $((SECONDS - start)) -ge $next ]; then
			log "  ... $what: $((SECONDS - start)) s"
			next=$((next + 30))
		fi
	done
	wait "$pid"
}

base_version() {
	local deb
	deb=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
	echo "Linux $(make -s -C "$BUILD/linux" kernelversion 2>/dev/null) (Debian linux-source-6.12 $deb)"
}
