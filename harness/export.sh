#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reverse of tree.sh: after editing the series in build/linux with git
# (commit --amend, rebase -i, ...), write it back into patches/: for commit
# number i of base..HEAD, the i-th patches/NNNN-*/ gets the commit's message
# (without our Signed-off-by), its new files in their final form (the tip's)
# at their paths in this repository, and everything else, changes to new
# files of earlier commits included, as one changes.patch. The number of
# commits must not change; add a directory to add a commit.
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
shopt -s nullglob
dirs=("$TOP"/patches/[0-9][0-9][0-9][0-9]-*/)
mapfile -t commits < <(git -C "$L" rev-list --reverse base..HEAD)
[ ${#dirs[@]} -eq ${#commits[@]} ] ||
	die "${#commits[@]} commits but ${#dirs[@]} patch directories"
name=$(git -C "$L" config user.name)
email=$(git -C "$L" config user.email)
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	d=${dirs[$i]%/}
	excl=()
	if [ -f "$d/files" ]; then
		while read -r f; do
			[ -n "$f" ] || continue
			excl+=(":(exclude)$f")
			[ "$f" = MAINTAINERS ] && continue
			# The final form; later commits' changes go to their patches.
			git -C "$L" show "HEAD:$f" >"$TOP/$f"
		done <"$d/files"
	fi
	if [ -f "$d/remove" ]; then
		while read -r f; do
			[ -n "$f" ] && excl+=(":(exclude)$f")
		done <"$d/remove"
	fi
	rm -f "$d"/*.patch
	git -C "$L" diff "$c^" "$c" -- . "${excl[@]}" >"$d/changes.patch"
	[ -s "$d/changes.patch" ] || rm -f "$d/changes.patch"
	git -C "$L" log -1 --format=%B "$c" |
		grep -vxF "Signed-off-by: $name <$email>" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$d/message"
done
log "exported ${#commits[@]} commits into patches/"
