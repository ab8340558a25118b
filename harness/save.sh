#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reverse of tree.sh: after editing the series in build/linux with git
# (commit --amend, commit --fixup and rebase -i --autosquash base, a new
# commit, ...), write base..HEAD back into series/6.12/ as git
# format-patch files, one per commit. Canonical form: no numbering in the
# subject, a zero "From" line, no signature, so a file changes only when
# its commit does.
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
OUTDIR=${1:-$SERIES}

[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes: commit them first"
tmp=$(mktemp -d)
git -C "$L" format-patch -q --zero-commit --no-signature --no-numbered \
	--no-cover-letter -o "$tmp" base..HEAD
mkdir -p "$OUTDIR"
rm -f "$OUTDIR"/[0-9][0-9][0-9][0-9]-*.patch
mv "$tmp"/*.patch "$OUTDIR"/
rmdir "$tmp"
if [ "$OUTDIR" = "$SERIES" ]; then
	git -C "$L" update-ref refs/series/assembled HEAD
fi
log "saved $(git -C "$L" rev-list --count base..HEAD) commits to ${OUTDIR#"$TOP"/}"
