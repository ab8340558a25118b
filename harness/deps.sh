#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build and the tests need from Debian's archive.
# Idempotent and quiet once everything is there.
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm flex bison bc libssl-dev libelf-dev sparse
      coccinelle ocaml-nox device-tree-compiler cpio rsync kmod
      python3-docutils git make gcc perl xz-utils
      qemu-efi-aarch64 acpica-tools)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	log "installing ${missing[*]} (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	mkdir -p "$BUILD"
	apt-get update -q >/dev/null
	quiet_progress "$BUILD/apt.log" "apt-get install" \
		apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ tail -20 "$BUILD/apt.log"; die "apt-get install failed"; }
fi

# busybox for the guest: an arm64 package, unpacked, never installed.
BB=$BUILD/busybox/bin/busybox
if [ ! -x "$BB" ]; then
	mkdir -p "$BUILD/busybox/bin"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "enabling arm64 packages (dpkg multiarch)"
		dpkg --add-architecture arm64
		apt-get update -q >/dev/null
	fi
	log "fetching busybox-static:arm64"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
		{ apt-get update -q >/dev/null; (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null); }
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
	install -m 0755 "$tmp/x/bin/busybox" "$BB"
	rm -rf "$tmp"
fi
exit 0
