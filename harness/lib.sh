# SPDX-License-Identifier: GPL-2.0
# Common settings for the host-side harness. Sourced, not run.

set -euo pipefail
# No entry point fails silently: a command that stops a script under -e
# names itself, its script and its line (inherited by functions and
# subshells through -E).
set -E
trap 'rc=$?; printf "error: %s failed (exit %d) at %s:%d\n" "$BASH_COMMAND" "$rc" "$(basename "${BASH_SOURCE[0]:-$0}")" "$LINENO" >&2; exit $rc' ERR

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# LINUX: the base the series is built on. 7.3 (default): mainline, the
# tree the series is posted to, series/7.3/ (the source of truth). 6.12:
# the LTS backport, series/6.12/ (the mainline patches plus per-patch
# deltas, see harness/tree.sh). Each base has its own build directory.
LINUX=${LINUX:-7.3}
case "$LINUX" in
7.3|6.12) ;;
*) echo "LINUX must be 7.3 or 6.12" >&2; exit 2 ;;
esac
export LINUX
BUILD=${BUILD:-$TOP/build/$LINUX}
# Sources fetched by deps.sh (not installed packages): linux-source-7.3.
DEPS=${DEPS:-$TOP/build/deps}
# The series (git format-patch files, harness/tree.sh applies them,
# harness/save.sh writes them back) and the 6.12 backport's deltas.
SERIES=$TOP/series/7.3
BACKPORT=$TOP/series/6.12
# BASE=ours (default): our series; BASE=upstream: the pristine base with
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
# The kernel source tarball of the base: empty until deps.sh installed
# linux-source-6.12 or fetched linux-source-7.3. Nothing here may need an
# installed package: deps.sh sources this file before it installs
# anything.
if [ -z "${TARBALL:-}" ]; then
	case "$LINUX" in
	6.12) TARBALL=$(compgen -G '/usr/src/linux-source-6.12.tar.*' | head -n 1) || TARBALL= ;;
	7.3) TARBALL=$(compgen -G "$DEPS/linux-source-7.3.tar.*" | head -n 1) || TARBALL= ;;
	esac
fi
# User programs the kernel build makes (samples) run in a busybox guest
# without a dynamic loader: link them statically.
KMAKE=(make -s -C "$SRC" O="$OUT" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
	USERLDFLAGS=-static)
JOBS=${JOBS:-$(($(nproc) + 1))}
# The sparse the host checks run (harness/deps.sh builds it).
SPARSE=${SPARSE:-$DEPS/sparse/sparse}

log() { printf '==> %s\n' "$*" >&2; }

# cpu_ticks: "BUSY TOTAL", the jiffies all CPUs spent busy and in all since
# boot (/proc/stat; idle and iowait are not busy). cpu_busy T0 T1: how busy
# the CPUs were between two cpu_ticks, as " (CPUs N% busy)".
cpu_ticks() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}
cpu_busy() {
	# shellcheck disable=SC2086
	set -- $1 $2
	[ "$4" -gt "$2" ] && printf ' (CPUs %d%% busy)' $(((($3 - $1) * 100) / ($4 - $2)))
	return 0
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# walk_restore: the host checks' first run walks the series in
# build/LINUX/linux itself, moving HEAD commit by commit, and puts HEAD back
# where it was when the walk ends or is stopped (harness/hostcheck.sh). A
# walk killed outright (SIGKILL, a lost machine) cannot: it leaves a
# marker, build/LINUX/walk-in-progress, with the branch HEAD was on. Put HEAD
# back before anything reads the series from the tree or writes it.
walk_restore() {
	local m=$BUILD/walk-in-progress
	[ -f "$m" ] || return 0
	log "an interrupted walk of the host checks left $BUILD/linux at $(git -C "$BUILD/linux" rev-parse --short HEAD): back to $(cat "$m")"
	git -C "$BUILD/linux" checkout -q "$(cat "$m")" || die "cannot check out $(cat "$m") in $BUILD/linux"
	rm -f "$m"
}

# config_fragments: the fragments of the kernel KERNEL of BASE on LINUX, in
# the order they are applied (a later one wins): test.config, the base's
# own symbols (linux-LINUX.config: tests 6.12 does not have), ours.config
# for our series, debug.config for the debug kernel, then EXTRA_CONFIG.
# One per line. harness/kernel.sh configures kernels from them and the
# host checks' per-commit builds use the test kernel's.
config_fragments() {
	local c=$TOP/harness/config
	echo "$c/test.config"
	[ ! -f "$c/linux-$LINUX.config" ] || echo "$c/linux-$LINUX.config"
	[ "$BASE" != ours ] || echo "$c/ours.config"
	[ "$KERNEL" != debug ] || echo "$c/debug.config"
	[ -z "${EXTRA_CONFIG:-}" ] || echo "$EXTRA_CONFIG"
}

# config_not_taken CONFIG FRAGMENT...: the fragments' lines whose value
# CONFIG (a .config, or the auto.conf make used) does not have, in their
# order. The last fragment that names a symbol decides it ("# CONFIG_X is
# not set" included: the debug kernel leaves some out).
config_not_taken() {
	local conf=$1 line sym
	shift
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF "$line" "$conf" ;;
		*) sym=${line#"# "} && ! grep -q "^${sym% is not set}=" "$conf" ;;
		esac || echo "$line"
	done < <(sed -nE 's/^(CONFIG_[A-Za-z0-9_]+)=.*/&\t\1/p; s/^# (CONFIG_[A-Za-z0-9_]+) is not set$/&\t\1/p' "$@" |
		awk -F'\t' '{ last[$2] = $1; order[$2] = NR } END { for (s in last) print order[s] "\t" last[s] }' |
		sort -n | cut -f2-)
}

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

# The Debian package version of the base's source.
deb_version() {
	case "$LINUX" in
	6.12) dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown ;;
	7.3) cat "$DEPS/linux-source-7.3.version" 2>/dev/null || echo unknown ;;
	esac
}

base_version() {
	echo "Linux $(make -s -C "$BUILD/linux" kernelversion 2>/dev/null) (Debian linux-source-$LINUX $(deb_version))"
}
