#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host checks on the assembled series (build/linux, base..HEAD); one
# "PASS|FAIL name: detail" line per check.
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
n=$(git -C "$L" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || exit 0

# checkpatch --strict on every commit.
for c in $(git -C "$L" rev-list --reverse base..HEAD); do
	subj=$(git -C "$L" log -1 --format=%s "$c")
	out=$(git -C "$L" format-patch -1 --stdout "$c" |
		(cd "$L" && scripts/checkpatch.pl --strict --quiet --no-tree - 2>&1) || true)
	if [ -z "$out" ]; then
		echo "PASS host/checkpatch/$subj"
	else
		echo "FAIL host/checkpatch/$subj: $(echo "$out" | grep -E '^(ERROR|WARNING|CHECK)' | head -3 | tr '\n' ' ')"
		echo "$out" >&2
	fi
done
