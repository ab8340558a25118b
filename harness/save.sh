#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reverse of tree.sh: after editing the series in build/LINUX/linux
# with git (commit --amend, commit --fixup and rebase -i --autosquash base,
# a new commit, ...), write base..HEAD back.
#  - LINUX=7.3: into series/7.3/ as git format-patch files, one per
#    commit. Canonical form: no numbering in the subject, a zero "From"
#    line, no signature, so a file changes only when its commit does.
#  - LINUX=6.12: into series/6.12/ as deltas against the mainline patches
#    (harness/backport.py), one NNNN-*.diff per commit that differs. The
#    backport has the same commits as mainline, in the same order.
# Usage: save.sh [OUTDIR] (default: the series directory of LINUX).
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
walk_restore
if [ "$LINUX" = 7.3 ]; then
	OUTDIR=${1:-$SERIES}
else
	OUTDIR=${1:-$BACKPORT}
fi

[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
	die "$L has uncommitted changes: commit them first"
tmp=$(mktemp -d)
git -C "$L" format-patch -q --zero-commit --no-signature --no-numbered \
	--no-cover-letter -o "$tmp" base..HEAD
mkdir -p "$OUTDIR"
if [ "$LINUX" = 7.3 ]; then
	rm -f "$OUTDIR"/[0-9][0-9][0-9][0-9]-*.patch
	mv "$tmp"/*.patch "$OUTDIR"/
else
	shopt -s nullglob
	mainline=("$SERIES"/[0-9][0-9][0-9][0-9]-*.patch)
	ours=("$tmp"/*.patch)
	[ ${#mainline[@]} = ${#ours[@]} ] ||
		die "the backport has ${#ours[@]} commits, the mainline series ${#mainline[@]}: they must match one to one"
	rm -f "$OUTDIR"/[0-9][0-9][0-9][0-9]-*.diff
	for i in "${!mainline[@]}"; do
		m=$(basename "${mainline[$i]}" .patch)
		"$TOP/harness/backport.py" save "${mainline[$i]}" "${ours[$i]}" "$OUTDIR/$m.diff"
	done
fi
rm -rf "$tmp"
if [ "$OUTDIR" = "$SERIES" ] || [ "$OUTDIR" = "$BACKPORT" ]; then
	git -C "$L" update-ref refs/series/assembled HEAD
fi
log "saved $(git -C "$L" rev-list --count base..HEAD) commits ($LINUX) to ${OUTDIR#"$TOP"/}"
