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
	# Debian's tarballs are xz in many blocks: decompress them on every
	# CPU (xz 5.4).
	tar -I "xz -T$JOBS" -xf "$TARBALL" -C "$L" --strip-components=1
	git -C "$L" init -q -b series
	git -C "$L" config user.name "$(git -C "$TOP" config user.name || echo vfio-platform)"
	git -C "$L" config user.email "$(git -C "$TOP" config user.email || echo vfio-platform@localhost)"
	git -C "$L" config core.abbrev 12
	# zlib level 1 for the ~90,000 objects of the tree (measured on 7.3:
	# 19 s of CPU instead of 34, 617 MB instead of 562 MB).
	git -C "$L" -c core.looseCompression=1 add -A -f .
	GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000" \
		git -C "$L" commit -q -m "Linux $(make -s -C "$L" kernelversion) (Debian linux-source-$LINUX $(deb_version))"
	git -C "$L" tag base
fi
# No automatic gc: "git add" of the whole tree leaves some 90,000 loose
# objects, and the next commit or am would start a repack of the kernel's
# history in the background, minutes of CPU under the builds that follow.
git -C "$L" config gc.auto 0
git -C "$L" config maintenance.auto false
# HEAD where the series ends, if a killed walk of the host checks left it
# elsewhere.
walk_restore

if [ "$BASE" = upstream ]; then
	U=$BUILD/linux-upstream
	[ -d "$U" ] || git -C "$L" worktree add -q --detach "$U" base
	log "base: $(base_version) (pristine, upstream vfio-platform)"
	exit 0
fi

# Work done in build/linux must not be lost: the tip this script made
# last is refs/series/assembled; HEAD elsewhere means unsaved commits.
if [ -n "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
	[ -d "$(git -C "$L" rev-parse --git-path rebase-apply)" ]; then
	die "$L has uncommitted changes or a git am in progress: finish or commit them and run 'make save', or discard them (git -C $L am --abort; git -C $L reset --hard)"
fi
# CONTINUE=1 (6.12, after a delta stopped applying, below): keep the
# commits in build/6.12/linux and apply the patches after them.
from=0
if [ "${CONTINUE:-0}" = 1 ]; then
	[ "$LINUX" = 6.12 ] || die "CONTINUE=1 is for the 6.12 backport (LINUX=6.12)"
	from=$(git -C "$L" rev-list --count base..HEAD)
elif last=$(git -C "$L" rev-parse -q --verify refs/series/assembled) &&
	[ "$(git -C "$L" rev-parse HEAD)" != "$last" ] &&
	[ "${FORCE:-0}" != 1 ]; then
	die "$L has commits that series/ does not: run 'LINUX=$LINUX make save' (or FORCE=1 to drop them)"
fi

shopt -s nullglob
patches=("$SERIES"/[0-9][0-9][0-9][0-9]-*.patch)
[ ${#patches[@]} -gt 0 ] || die "no patches in $SERIES"

# backport_conflict PATCH N WHAT [AM]: the 6.12 backport of PATCH (the
# mainline patch file, number N) cannot be
# made (WHAT: its delta no longer applies to the mainline patch, which
# changed where the backport differs, or the backport no longer applies
# to the 6.12 tree). build/6.12/linux is left at the patches before it,
# with AM (default: PATCH; else the backport) being applied by
# "git am": what does not apply is where 6.12 differs. The last
# committed backport of the patch is written beside it for reference.
# Does not return.
backport_conflict() {
	local p=$1 n=$2 what=$3 am=${4:-$1} old=$BUILD/backport-$2-committed.patch ref how errs noun=backport
	[ -n "${4:-}" ] || noun="mainline patch"
	unset GIT_INDEX_FILE
	git -C "$L" reset -q --hard "$parent"
	git -C "$L" update-ref refs/series/assembled "$parent"
	ref="no committed backport of it applies either"
	# (backport.py finds a patch's delta by the patch's file name)
	mkdir "$info/committed"
	if git -C "$TOP" show "HEAD:series/7.3/${p##*/}" >"$info/committed/${p##*/}" 2>/dev/null &&
		"$TOP/harness/backport.py" apply "$info/committed/${p##*/}" "$BACKPORT" >"$old" 2>/dev/null; then
		ref="the last committed backport is $old"
	else
		rm -f "$old"
	fi
	# The mainline patch's blobs are not in this repository, so -3 can
	# only merge where it finds them; what does not apply is left in
	# .rej files beside its file.
	how="without a conflict"
	if ! git -C "$L" am -q -3 "$am" >"$info/am.log" 2>&1; then
		# git apply leaves the index alone when a hunk is rejected:
		# stage what the patch touches (forced: Debian's .gitignore
		# ignores the whole tree), so that am --continue takes it.
		(cd "$L" && pt=$(git rev-parse --git-path rebase-apply/patch) &&
			{ git apply --reject "$pt" || true; } &&
			git apply --numstat "$pt" | cut -f3 | while read -r f; do
				if [ -e "$f" ]; then git add -f -- "$f"; else git rm -q --cached --ignore-unmatch -- "$f"; fi
			done) >>"$info/am.log" 2>&1 || true
		how="in part: what did not apply, where 6.12 differs, is in $(cd "$L" && git ls-files -o -- '*.rej' | tr '\n' ' ')"
	fi
	errs=$(grep '^error: ' "$info/am.log" | grep -v 'already exists in working directory' | sort -u | head -5 || true)
	rm -rf "$info"
	[ -z "$errs" ] || log "$errs"
	die "patch $n: $what.
$L now has the patches before it, and git am -3 applied the
$noun $how. Make it the backport again, with the 6.12 note in its
message ($ref), then:
  (fix each .rej and delete it) git -C $L add -u; git -C $L am --continue
  (or, where am is done: git -C $L commit --amend)
  CONTINUE=1 LINUX=6.12 make tree    (applies the patches after it)
  LINUX=6.12 make save               (writes series/6.12 again)"
}

idx=$BUILD/series.index
rm -f "$idx"
export GIT_INDEX_FILE=$idx
if [ "$from" -gt 0 ]; then
	git -C "$L" read-tree HEAD
	parent=$(git -C "$L" rev-parse HEAD)
else
	git -C "$L" read-tree base
	parent=$(git -C "$L" rev-parse base)
fi
info=$(mktemp -d)
i=0
for p in "${patches[@]}"; do
	i=$((i + 1))
	[ "$i" -gt "$from" ] || continue
	n=$(basename "$p")
	n=${n%%-*}
	if [ "$LINUX" = 6.12 ]; then
		"$TOP/harness/backport.py" apply "$p" "$BACKPORT" >"$info/patch" ||
			backport_conflict "$p" "$n" "its 6.12 delta no longer applies"
	else
		cp "$p" "$info/patch"
	fi
	git -C "$L" mailinfo -b "$info/msg" "$info/diff" <"$info/patch" >"$info/head" ||
		die "$p: not a patch mail"
	if ! git -C "$L" apply --cached "$info/diff"; then
		[ "$LINUX" = 6.12 ] || die "$(basename "$p") does not apply to $LINUX"
		cp "$info/patch" "$BUILD/backport-$n.patch"
		backport_conflict "$p" "$n" "its backport no longer applies to 6.12" "$BUILD/backport-$n.patch"
	fi
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
