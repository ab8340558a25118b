#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble build/linux: a git repository with the pristine Debian 6.12
# source as commit "base" and our series on top, one commit per
# patches/NNNN-*/ directory, in order.
#
# Each patches/NNNN-slug/ directory holds:
#   message    the commit message (subject, blank line, body)
#   *.patch    diffs applied in order: to files that exist in the kernel,
#              and to new files that earlier commits of the series add
#   files      new files of this commit, one path per line; the file at the
#              same path in this repository is its final form, and this
#              commit adds it without the changes later *.patch make to it
#   remove     paths this commit deletes (git rm -r)
#
# The series is built in a scratch index (no checkout), then build/linux is
# moved to the new tip with "git reset --hard", which rewrites only files
# whose content changed: kbuild's timestamps stay valid and rebuilds stay
# incremental.
. "$(dirname "$0")/lib.sh"

L=$BUILD/linux
[ -n "$TARBALL" ] || die "linux-source-6.12 is not installed (run harness/deps.sh)"

if ! git -C "$L" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	log "extracting $(basename "$TARBALL") into $L"
	rm -rf "$L"
	mkdir -p "$L"
	tar xf "$TARBALL" -C "$L" --strip-components=1
	deb=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	git -C "$L" init -q -b series
	git -C "$L" config user.name "$(git -C "$TOP" config user.name || echo vfio-platform)"
	git -C "$L" config user.email "$(git -C "$TOP" config user.email || echo vfio-platform@localhost)"
	git -C "$L" config core.abbrev 12
	git -C "$L" add -A -f .
	GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000" \
		git -C "$L" commit -q -m "Linux $(make -s -C "$L" kernelversion) (Debian linux-source-6.12 $deb)"
	git -C "$L" tag base
fi

if [ "$BASE" = upstream ]; then
	U=$BUILD/linux-upstream
	[ -d "$U" ] || git -C "$L" worktree add -q --detach "$U" base
	log "base: $(base_version) (pristine, upstream vfio-platform)"
	exit 0
fi

name=$(git -C "$L" config user.name)
email=$(git -C "$L" config user.email)
idx=$BUILD/series.index
rm -f "$idx"
export GIT_INDEX_FILE=$idx
git -C "$L" read-tree base
parent=$(git -C "$L" rev-parse base)
n=0
declare -A seen=()
shopt -s nullglob
all_dirs=("$TOP"/patches/[0-9][0-9][0-9][0-9]-*/)

# A new file is kept here in its final form. When later commits change it
# (their *.patch touch it), the version the introducing commit $1 adds is
# the final one with those changes reversed, latest first.
introduced_version() {
	local d=$1 f=$2 w i j p later=() patches
	for i in "${!all_dirs[@]}"; do
		[ "${all_dirs[$i]%/}" = "$d" ] && break
	done
	for ((j = ${#all_dirs[@]} - 1; j > i; j--)); do
		patches=()
		for p in "${all_dirs[$j]}"*.patch; do
			[ -e "$p" ] && patches=("$p" "${patches[@]}")
		done
		later+=("${patches[@]}")
	done
	w=$(mktemp -d)
	mkdir -p "$w/$(dirname "$f")"
	cp "$TOP/$f" "$w/$f"
	for p in "${later[@]}"; do
		grep -qxF -e "+++ b/$f" -e "--- a/$f" "$p" || continue
		(cd "$w" && git apply -R --include="$f" "$p") ||
			die "$p: cannot take it out of $f"
	done
	cat "$w/$f"
	rm -rf "$w"
}

for d in "$TOP"/patches/[0-9][0-9][0-9][0-9]-*/; do
	d=${d%/}
	[ -f "$d/message" ] || die "$d: no message"
	if [ -f "$d/remove" ]; then
		while read -r p; do
			[ -n "$p" ] && git -C "$L" rm -q -r -f --cached "$p"
		done <"$d/remove"
	fi
	for p in "$d"/*.patch; do
		[ -e "$p" ] || continue
		git -C "$L" apply --cached "$p" || die "$p does not apply"
	done
	if [ -f "$d/files" ]; then
		while read -r f; do
			[ -n "$f" ] || continue
			[ -f "$TOP/$f" ] || die "$d/files: $f does not exist"
			[ -z "${seen[$f]:-}" ] || die "$f is listed by ${seen[$f]} and $d"
			seen[$f]=$d
			if [ "$f" = MAINTAINERS ]; then
				blob=$(git -C "$L" show :MAINTAINERS |
					"$TOP/harness/merge-maintainers.py" "$TOP/MAINTAINERS" |
					git -C "$L" hash-object -w --stdin)
			else
				blob=$(introduced_version "$d" "$f" | git -C "$L" hash-object -w --stdin)
			fi
			mode=100644
			[ -x "$TOP/$f" ] && mode=100755
			git -C "$L" update-index --add --cacheinfo "$mode,$blob,$f"
		done <"$d/files"
	fi
	tree=$(git -C "$L" write-tree)
	msg=$(git interpret-trailers --if-exists addIfDifferent \
		--trailer "Signed-off-by: $name <$email>" <"$d/message")
	# Fixed dates: unchanged input gives unchanged commit ids.
	n=$((n + 1))
	parent=$(printf '%s\n' "$msg" | GIT_AUTHOR_DATE="@$((1764000000 + n * 60)) +0000" \
		GIT_COMMITTER_DATE="@$((1764000000 + n * 60)) +0000" \
		git -C "$L" commit-tree "$tree" -p "$parent")
done
unset GIT_INDEX_FILE

# Every new file in this repository must belong to a commit.
while read -r f; do
	[ -n "${seen[$f]:-}" ] || die "$f is not listed in any patches/*/files"
done < <(cd "$TOP" && git ls-files --cached --others --exclude-standard -- \
	drivers include tools samples Documentation MAINTAINERS arch)

git -C "$L" reset -q --hard "$parent"
log "base: $(base_version); series: $n commits, tip $(git -C "$L" rev-parse --short HEAD)"
