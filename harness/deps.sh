#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build and the tests need from Debian's archive.
# Idempotent and quiet once everything is there.
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm flex bison bc libssl-dev libelf-dev
      coccinelle ocaml-nox device-tree-compiler cpio rsync kmod
      python3-docutils git make gcc perl xz-utils
      qemu-efi-aarch64 acpica-tools)
# arm64 libraries the static selftests link (7.3's libvfio: -luuid).
ARM64_PKGS=(uuid-dev:arm64)

# arm64 packages (busybox, libraries of the selftests): dpkg multiarch.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || die "need root to enable arm64 packages (dpkg multiarch)"
	log "enabling arm64 packages (dpkg multiarch)"
	dpkg --add-architecture arm64
	need_update=1
fi

missing=()
for p in "${PKGS[@]}" "${ARM64_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
	log "installing ${missing[*]} (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	mkdir -p "$BUILD"
	apt-get update -q >/dev/null
	need_update=0
	quiet_progress "$BUILD/apt.log" "apt-get install" \
		apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ tail -20 "$BUILD/apt.log"; die "apt-get install failed"; }
fi
# A new architecture's package lists, for busybox below.
[ "${need_update:-0}" = 1 ] && apt-get update -q >/dev/null

# linux-source-7.3 is in trixie-backports, not in Debian 12's suites: it is
# downloaded (not installed) through a private apt configuration that
# leaves the machine's alone, and its tarball kept in build/deps/.
if ! compgen -G "$DEPS/linux-source-7.3.tar.*" >/dev/null; then
	log "fetching linux-source-7.3 (trixie-backports, private apt lists)"
	A=$DEPS/apt
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/deb"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main" >"$A/sources.list"
	apt_private=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$A/lists" -o Dir::Cache="$A/cache" -o APT::Sandbox::User=root)
	apt-get "${apt_private[@]}" update -q >"$A/update.log" 2>&1 ||
		{ tail -5 "$A/update.log"; die "apt-get update (trixie-backports) failed"; }
	(cd "$A/deb" && rm -f ./*.deb &&
		apt-get "${apt_private[@]}" download -q linux-source-7.3 >"$A/download.log" 2>&1) ||
		{ tail -5 "$A/download.log"; die "apt-get download linux-source-7.3 failed"; }
	deb=$(compgen -G "$A/deb/linux-source-7.3_*.deb" | head -n 1)
	dpkg-deb -f "$deb" Version >"$DEPS/linux-source-7.3.version"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards './usr/src/linux-source-7.3.tar.*' \
		>"$DEPS/linux-source-7.3.tar.xz.part"
	mv "$DEPS/linux-source-7.3.tar.xz.part" "$DEPS/linux-source-7.3.tar.xz"
	rm -rf "$A/deb" "$A/cache"
	log "linux-source-7.3 $(cat "$DEPS/linux-source-7.3.version")"
fi

# sparse: Debian 12's (0.6.4) cannot parse __typeof_unqual__, which 7.3's
# headers use, and the kernel's scripts/checker-valid.sh then turns C=2
# into a no-op with one warning. The release candidate in Debian's unstable
# suite parses it, but its binary package needs a newer libc: its source
# package is downloaded (private apt lists, deb-src) and the sparse binary
# built from the upstream tarball, kept in build/deps/sparse/.
if [ ! -x "$SPARSE" ]; then
	log "building sparse from Debian unstable's source package (private apt lists)"
	A=$DEPS/apt-src
	rm -rf "$A"
	mkdir -p "$A/lists/partial" "$A/src" "$A/build"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" >"$A/sources.list"
	apt_src=(-o Dir::Etc::sourcelist="$A/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State::Lists="$A/lists" -o APT::Sandbox::User=root)
	apt-get "${apt_src[@]}" update -q >"$A/update.log" 2>&1 ||
		{ tail -5 "$A/update.log"; die "apt-get update (sid deb-src) failed"; }
	(cd "$A/src" && apt-get "${apt_src[@]}" source --download-only -q sparse >"$A/download.log" 2>&1) ||
		{ tail -5 "$A/download.log"; die "apt-get source sparse failed"; }
	orig=$(compgen -G "$A/src/sparse_*.orig.tar.*" | head -n 1) || die "no sparse source tarball"
	tar -xf "$orig" -C "$A/build" --strip-components=1
	make -C "$A/build" -j"$JOBS" sparse >"$A/build.log" 2>&1 ||
		{ tail -20 "$A/build.log"; die "building sparse failed"; }
	mkdir -p "${SPARSE%/*}"
	install -m 0755 "$A/build/sparse" "$SPARSE"
	basename "$(compgen -G "$A/src/sparse_*.dsc" | head -n 1)" .dsc >"${SPARSE%/*}/version"
	rm -rf "$A"
	log "sparse: $(cat "${SPARSE%/*}/version")"
fi

# busybox for the guest: an arm64 package, unpacked, never installed.
BB=$BUILD/busybox/bin/busybox
if [ ! -x "$BB" ]; then
	mkdir -p "$BUILD/busybox/bin"
	log "fetching busybox-static:arm64"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
		{ apt-get update -q >/dev/null; (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null); }
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
	install -m 0755 "$tmp/x/bin/busybox" "$BB"
	rm -rf "$tmp"
fi
exit 0
