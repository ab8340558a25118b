#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble build/LINUX/linux: a git repository with the pristine Debian
# source of the base as commit "base" (tag) and our series on top, one
# commit per patch, applied in order with its author, date and message.
#
#  - LINUX=7.3 (mainline): the patches are series/7.3/NNNN-*.patch (git
#    format-patch files), the source of truth.
#  - LINUX=6.12 (LTS backport): each commit is the same mainline patch,
#    first changed by series/6.12/NNNN-*.diff if there is one. A delta is a
#    unified diff of the patch file itself (index lines and diffstat left
#    out), from the mainline patch to its backport: a change made to the
#    mainline series reaches the backport unless it touches what the
#    backport changed, and then the delta no longer applies and this
#    script says so. harness/save.sh writes the deltas.
#
# The commits are built in a scratch index (no checkout), then the tree is
# moved to the new tip with "git reset --hard", which rewrites only files
# whose content changed: kbuild's timestamps stay valid and rebuilds stay
# incremental. Unchanged patches give unchanged commit ids.
#
# build/LINUX/linux is also where the series is edited: commit there (git
# commit --fixup, rebase -i --autosquash base, ...) and write the result
# back with harness/save.sh (make save). This script refuses to run over
# uncommitted changes or commits that were not saved.
. "$(dirname "$0")/lib.sh"

L=$BUILD/linux
[ -n "$TARBALL" ] || die "linux-source-$LINUX is not there (run harness/deps.sh)"

if ! git -C "$L" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	log "extracting $(basename "$TARBALL") into $L"
	rm -rf "$L"
	mkdir -p "$L"
	tar xf "$TARBALL" -C "$L" --strip-components=1
	git -C "$L" init -q -b series
	git -C "$L" config user.name "$(git -C "$TOP" config user.name || echo vfio-platform)"
	git -C "$L" config user.email "$(git -C "$TOP" config user.email || echo vfio-platform@localhost)"
	git -C "$L" config core.abbrev 12
	git -C "$L" add -A -f .
	GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000" \
		git -C "$L" commit -q -m "Linux $(make -s -C "$L" kernelversion) (Debian linux-source-$LINUX $(deb_version))"
	git -C "$L" tag base
fi

if [ "$BASE" = upstream ]; then
	U=$BUILD/linux-upstream
	[ -d "$U" ] || git -C "$L" worktree add -q --detach "$U" base
	log "base: $(base_version) (pristine, upstream vfio-platform)"
	exit 0
fi

# Work done in build/linux must not be lost: the tip this script made
# last is refs/series/assembled; HEAD elsewhere means unsaved commits.
if [ -n "$(git -C "$L" status --porcelain --untracked-files=no)" ]; then
	die "$L has uncommitted changes: commit them and run 'make save', or discard them (git -C $L reset --hard)"
fi
if last=$(git -C "$L" rev-parse -q --verify refs/series/assembled) &&
	[ "$(git -C "$L" rev-parse HEAD)" != "$last" ] &&
	[ "${FORCE:-0}" != 1 ]; then
	die "$L has commits that series/ does not: run 'LINUX=$LINUX make save' (or FORCE=1 to drop them)"
fi

shopt -s nullglob
patches=("$SERIES"/[0-9][0-9][0-9][0-9]-*.patch)
[ ${#patches[@]} -gt 0 ] || die "no patches in $SERIES"

idx=$BUILD/series.index
rm -f "$idx"
export GIT_INDEX_FILE=$idx
git -C "$L" read-tree base
parent=$(git -C "$L" rev-parse base)
info=$(mktemp -d)
for p in "${patches[@]}"; do
	n=$(basename "$p")
	n=${n%%-*}
	if [ "$LINUX" = 6.12 ]; then
		"$TOP/harness/backport.py" apply "$p" "$BACKPORT" >"$info/patch" ||
			die "the 6.12 backport of $(basename "$p") does not apply (series/6.12/$n-*.diff): redo it in build/6.12/linux and run 'LINUX=6.12 make save'"
	else
		cp "$p" "$info/patch"
	fi
	git -C "$L" mailinfo -b "$info/msg" "$info/diff" <"$info/patch" >"$info/head" ||
		die "$p: not a patch mail"
	git -C "$L" apply --cached "$info/diff" || die "$(basename "$p") does not apply to $LINUX"
	tree=$(git -C "$L" write-tree)
	hdr() { sed -n "s/^$1: //p" "$info/head"; }
	parent=$( { hdr Subject; echo; cat "$info/msg"; } | git stripspace |
		GIT_AUTHOR_NAME=$(hdr Author) GIT_AUTHOR_EMAIL=$(hdr Email) \
		GIT_AUTHOR_DATE=$(hdr Date) GIT_COMMITTER_DATE=$(hdr Date) \
		git -C "$L" commit-tree "$tree" -p "$parent")
done
rm -rf "$info"
unset GIT_INDEX_FILE

git -C "$L" reset -q --hard "$parent"
git -C "$L" update-ref refs/series/assembled "$parent"
log "base: $(base_version); series: ${#patches[@]} commits, tip $(git -C "$L" rev-parse --short HEAD)"
