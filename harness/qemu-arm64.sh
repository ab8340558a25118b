#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# For the "nested" guest modes: Debian's arm64 qemu-system-aarch64, dtc
# and fdtget (the nested-kvm mode writes the inner guest's device tree),
# and the shared libraries they load, to run inside the outer (arm64) test
# guest.
# The packages come from Debian's archive through dpkg multiarch (arm64 is
# already a foreign architecture for busybox-static:arm64, see deps.sh);
# they are downloaded and unpacked, never installed. The result is cached
# in $BUILD/qemu-arm64 and refetched only when apt's candidate version of
# qemu-system-arm:arm64 or device-tree-compiler:arm64 changes.
#   $BUILD/qemu-arm64/root   usr/bin/qemu-system-aarch64, dtc, fdtget,
#                            their ELF library closure and the dynamic
#                            loader: a tree to copy into the guest's root
# Prints the root directory last.
. "$(dirname "$0")/lib.sh"

Q=$BUILD/qemu-arm64
# One at a time on the machine: make check fetches for the 7.3 and the
# 6.12 builds at once, and apt-get update takes apt's locks.
mkdir -p "$DEPS"
exec 9>"$DEPS/qemu-arm64.lock"
flock 9
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || die "need root to enable arm64 packages (dpkg multiarch)"
	log "enabling arm64 packages (dpkg multiarch)"
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
fi
ver=$(apt-cache policy qemu-system-arm:arm64 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	log "no candidate for qemu-system-arm:arm64: apt-get update"
	apt-get update -q >/dev/null
	ver=$(apt-cache policy qemu-system-arm:arm64 | awk '/Candidate:/ { print $2 }')
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	die "qemu-system-arm:arm64 is not available"
fi
dtcver=$(apt-cache policy device-tree-compiler:arm64 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$dtcver" ] || [ "$dtcver" = "(none)" ]; then
	die "device-tree-compiler:arm64 is not available"
fi
ver="$ver dtc $dtcver"
if [ "$(cat "$Q/root/.version" 2>/dev/null)" = "$ver" ]; then
	echo "$Q/root"
	exit 0
fi

t=$SECONDS
log "fetching qemu-system-arm:arm64 and device-tree-compiler:arm64 ($ver) and their libraries (apt multiarch)"
rm -rf "$Q"
mkdir -p "$Q/debs" "$Q/x" "$Q/root"
# The run-time closure: every arm64 package qemu-system-arm:arm64 depends
# on, less packaging and login machinery that QEMU never loads. Which of
# them are really needed is decided below from the ELF headers.
mapfile -t pkgs < <(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances qemu-system-arm:arm64 \
	device-tree-compiler:arm64 |
	grep -E '^[a-z0-9][a-z0-9.+-]*:arm64$' |
	grep -vE '^(dpkg|debconf|cdebconf|adduser|passwd|install-info|tar|libpam.*|libdebian-installer.*|libnewt.*|libslang.*|libtextwrap.*|libsemanage.*|libaudit.*|libcap2-bin|libexecs0|iso-codes|readline-common|libasound2-data|libdrm-common):arm64$' |
	sort -u)
[ ${#pkgs[@]} -gt 10 ] || die "qemu-system-arm:arm64: dependency closure not found"
(cd "$Q/debs" && apt-get download -q "${pkgs[@]}" >"$Q/download.log" 2>&1) ||
	{ tail -5 "$Q/download.log" >&2; die "apt-get download failed"; }
for d in "$Q"/debs/*.deb; do
	dpkg-deb -x "$d" "$Q/x"
done

# Copy the binary and what it loads, transitively (DT_NEEDED), into root.
X=$Q/x
R=$Q/root
libdirs=(lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib)
copy() {
	mkdir -p "$R/$(dirname "$1")"
	cp -a "$X/$1" "$R/$1"
	# A symlinked library: copy its target too.
	if [ -L "$X/$1" ]; then
		local tgt
		tgt=$(readlink "$X/$1")
		case "$tgt" in /*) tgt=${tgt#/} ;; *) tgt=$(dirname "$1")/$tgt ;; esac
		[ -e "$R/$tgt" ] || copy "$tgt"
	fi
}
queue=(usr/bin/qemu-system-aarch64 usr/bin/dtc usr/bin/fdtget)
declare -A done_=()
while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	[ -n "${done_[$f]:-}" ] && continue
	done_[$f]=1
	copy "$f"
	while read -r soname; do
		found=
		for dir in "${libdirs[@]}"; do
			if [ -e "$X/$dir/$soname" ]; then
				found=$dir/$soname
				break
			fi
		done
		[ -n "$found" ] || die "$f needs $soname, which no fetched package has"
		queue+=("$found")
	done < <(aarch64-linux-gnu-readelf -d "$X/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
# The dynamic loader named in the binary's PT_INTERP.
interp=$(aarch64-linux-gnu-readelf -l "$X/usr/bin/qemu-system-aarch64" |
	sed -n 's/.*Requesting program interpreter: \/\(.*\)\]/\1/p')
[ -n "$interp" ] || die "qemu-system-aarch64 has no program interpreter"
copy "$interp"
echo "$ver" >"$R/.version"
rm -rf "$X"
log "qemu-system-aarch64 $ver: ${#done_[@]} files, $(du -sh "$R" | cut -f1) in $((SECONDS - t)) s"
echo "$R"
