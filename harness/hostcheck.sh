#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host checks on the assembled series of LINUX (build/LINUX/linux,
# base..HEAD); one "PASS|FAIL host/...: detail" line per check:
#  - series/LINUX is exactly what make save writes from build/LINUX/linux;
#  - checkpatch --strict on every commit;
#  - sparse and W=1 on every C file the series adds or changes;
#  - every commit builds: the objects and directories it touches are built
#    in a worktree at that commit (build/LINUX/bisect), from the same
#    fragments.
# HOST_CHECKS=quick leaves out everything that builds (sparse, W=1, the
# per-commit builds).
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
n=$(git -C "$L" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || exit 0
LOGS=$BUILD/hostcheck
rm -rf "$LOGS"
mkdir -p "$LOGS"
# phase NAME: the time since the last phase, on stderr (check.sh's log).
pt=$SECONDS
phase() { log "host checks, $1: $((SECONDS - pt)) s"; pt=$SECONDS; }

# series/LINUX is in the form make save writes: what is reviewed in this
# repository is what build/LINUX/linux holds, byte for byte.
canon=$(mktemp -d)
"$TOP/harness/save.sh" "$canon" 2>/dev/null
dir=$SERIES
[ "$LINUX" = 7.3 ] || dir=$BACKPORT
if diff -r -x cover-letter "$dir" "$canon" >"$LOGS/series-canonical.diff"; then
	echo "PASS host/series/canonical"
else
	echo "FAIL host/series/canonical: series/$LINUX differs from make save's output (see $LOGS/series-canonical.diff)"
fi
rm -rf "$canon"

# Our MAINTAINERS patterns: checkpatch's "does MAINTAINERS need updating?"
# is a known exception (cover letter) for files our entry covers. awk
# reads to the end: an early exit would kill git show with SIGPIPE.
mapfile -t ours < <(git -C "$L" show HEAD:MAINTAINERS |
	awk '/^VFIO PLATFORM DRIVER$/ { on = 1; next } /^$/ { on = 0 } on' |
	sed -n 's/^F:\t//p')
covered() {
	local f p
	for f in "$@"; do
		for p in "${ours[@]}"; do
			# F: patterns are globs (vfio_platform_*) or directories.
			# shellcheck disable=SC2053
			[[ "$f" == $p* ]] && continue 2
		done
		return 1
	done
}

# checkpatch of commit number $1 ($2) into $LOGS/checkpatch-$1.txt, its
# verdict into $LOGS/checkpatch-$1.verdict. checkpatch is one perl
# process per patch: the patches are checked $JOBS at a time.
checkpatch_one() {
	local i=$1 c=$2 subj touched path type
	subj=$(git -C "$L" log -1 --format=%s "$c")
	git -C "$L" format-patch -1 --stdout "$c" >"$LOGS/$i.patch"
	# build/linux comes from a tarball, without upstream's history:
	# checkpatch cannot look up the commit ids of Fixes: tags
	# (UNKNOWN_COMMIT_ID); their form is still checked.
	(cd "$L" && scripts/checkpatch.pl --strict --no-tree --no-summary --terse \
		--showfile --show-types --ignore UNKNOWN_COMMIT_ID "$LOGS/$i.patch") >"$LOGS/checkpatch-$i.txt" 2>&1 || true
	mapfile -t touched < <(git -C "$L" diff --name-only --diff-filter=AD "$c^" "$c")
	if covered "${touched[@]}"; then
		sed -i '/FILE_PATH_CHANGES/d' "$LOGS/checkpatch-$i.txt"
	fi
	# Known exceptions ("path TYPE"), each justified in the cover letter.
	while read -r path type; do
		case "$path" in ''|'#'*) continue ;; esac
		sed -i "\#^$path:[0-9]*: [A-Z]*:$type:#d" "$LOGS/checkpatch-$i.txt"
	done <"$TOP/harness/checkpatch-exceptions"
	if [ -s "$LOGS/checkpatch-$i.txt" ]; then
		echo "FAIL host/checkpatch/$subj: $(head -3 "$LOGS/checkpatch-$i.txt" | tr '\n' ' ')"
	else
		echo "PASS host/checkpatch/$subj"
	fi >"$LOGS/checkpatch-$i.verdict"
}

n=0
for c in $(git -C "$L" rev-list --reverse base..HEAD); do
	n=$((n + 1))
	rm -f "$LOGS/checkpatch-$n.verdict"
	checkpatch_one "$n" "$c" &
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
done
wait
for ((i = 1; i <= n; i++)); do
	cat "$LOGS/checkpatch-$i.verdict" 2>/dev/null ||
		echo "FAIL host/checkpatch/commit $i: no verdict (see $LOGS/checkpatch-$i.txt)"
done

phase checkpatch
quick=0
[ "${HOST_CHECKS:-1}" = quick ] && quick=1

# The series' commits, oldest first (the walk moves HEAD in place).
mapfile -t commits < <(git -C "$L" rev-list --reverse base..HEAD)

# Where commits other than the tip are built (the per-commit builds, and
# sparse on the base's version of the files the series changes). On a first
# run, with no kernel built yet and a clean tree, in the main tree and the
# test kernel's build directory: the walk over the commits ends at the tip,
# and the test kernel that harness/check.sh builds next starts from the
# objects it left, instead of a worktree building the same objects again
# (prepare, scripts, drivers/base and the series' directories). Once a
# kernel is built, in a worktree at the side (build/LINUX/bisect): checking
# out older commits in the main tree would make the next incremental build
# recompile everything the series' headers reach.
inplace=0
if [ $quick = 0 ] && [ "$KERNEL" = test ] && [ ! -e "$OUT/vmlinux" ] &&
	[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ]; then
	inplace=1
	B=$L
	BO=$OUT
	BMAKE=("${KMAKE[@]}")
	tip=$(git -C "$L" symbolic-ref -q --short HEAD || git -C "$L" rev-parse HEAD)
	# The marker lets the next tree.sh or save.sh put HEAD back if this
	# walk is killed where no trap runs (lib.sh's walk_restore).
	echo "$tip" >"$BUILD/walk-in-progress"
	# The walk configures OUT for the commits it builds (and a killed
	# walk leaves it so): harness/kernel.sh is to configure the test
	# kernel again, from its fragments, as it does on a first run,
	# whatever stamp an earlier build left.
	rm -f "$OUT/.fragment-stamp"
	# The walk's end: HEAD back where it was, on every exit.
	walk_end() { git -C "$L" checkout -q "$tip" && rm -f "$BUILD/walk-in-progress"; }
	trap walk_end EXIT
else
	B=$BUILD/bisect
	BO=$BUILD/out-bisect
	BMAKE=(make -s -C "$B" O="$BO" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	[ $quick = 1 ] || [ -d "$B" ] || git -C "$L" worktree add -q --detach "$B" base
fi
mkdir -p "$BO"
# The test kernel's fragments (ours: the host checks are of our series).
mapfile -t frags < <(BASE=ours KERNEL=test EXTRA_CONFIG='' config_fragments)
cat "${frags[@]}" >"$BO/hostcheck.config"
configure() { KCONFIG_ALLCONFIG="$BO/hostcheck.config" "${BMAKE[@]}" allnoconfig >/dev/null 2>&1; }
# 1 once the tree where other commits are built has a .config from the
# fragments (sparse_base leaves one at the base).
configured=0

# sparse and W=1 on the C files of the series. A file the series adds must
# have no warning; a file it changes must have no warning that the base
# version does not have (same text, line numbers aside).
normalize() {
	grep -E ': (warning|error):' "$1" |
		sed -E "s#^($L|$B)/##; s#^([^ :]+):[0-9]+(:[0-9]+)?: #\\1: #" | sort || true
}
mapfile -t cfiles < <(git -C "$L" diff --name-only --diff-filter=AM base..HEAD -- '*.c' |
	grep -v '^tools/' || true)
mapfile -t changed_c < <(git -C "$L" diff --name-only --diff-filter=M base..HEAD -- '*.c' |
	grep -v '^tools/' || true)
objs=("${cfiles[@]/%.c/.o}")
sparse=0
[ ${#objs[@]} -gt 0 ] && [ $quick = 0 ] && sparse=1

# The base's warnings, in the tree where other commits are built.
sparse_base() {
	: >"$LOGS/sparse-w1-base.txt"
	[ ${#changed_c[@]} -gt 0 ] || return 0
	git -C "$B" checkout -q --detach base
	configure && configured=1
	"${BMAKE[@]}" -j"$JOBS" C=2 CHECK="$SPARSE" W=1 "${changed_c[@]/%.c/.o}" \
		>"$LOGS/sparse-w1-base.txt" 2>&1 || true
}

# The tip's warnings, from the main tree, compared with the base's. In the
# worktree mode its objects then get their normal flags back; in place, the
# test kernel's build recompiles them.
sparse_tip() {
	local f w
	"${KMAKE[@]}" -j"$JOBS" C=2 CHECK="$SPARSE" W=1 "${objs[@]}" >"$LOGS/sparse-w1.txt" 2>&1 || true
	normalize "$LOGS/sparse-w1-base.txt" >"$LOGS/base.norm"
	normalize "$LOGS/sparse-w1.txt" >"$LOGS/ours.norm"
	# Known false positives, each with its reason in the file.
	sort "$LOGS/base.norm" <(grep -v '^#' "$TOP/harness/sparse-exceptions") >"$LOGS/known.norm"
	comm -23 "$LOGS/ours.norm" "$LOGS/known.norm" >"$LOGS/new.norm"
	for f in "${cfiles[@]}"; do
		w=$(grep -F "$f: " "$LOGS/new.norm" | grep "^$f: " || true)
		if [ -n "$w" ]; then
			echo "FAIL host/sparse-w1/$f: $(echo "$w" | head -2 | tr '\n' ' ')"
		else
			echo "PASS host/sparse-w1/$f"
		fi
	done
	# The kernel turns C=2 into a no-op, with one warning, when it finds
	# the checker too old (scripts/checker-valid.sh): that is no pass.
	if grep -q 'is not available or not up to date' "$LOGS/sparse-w1-base.txt" "$LOGS/sparse-w1.txt"; then
		echo "FAIL host/sparse-w1: $SPARSE does not check this tree (see $LOGS/sparse-w1.txt)"
	fi
	if grep -qE '(^make.*Error|error:)' "$LOGS/sparse-w1.txt"; then
		echo "FAIL host/sparse-w1: build errors (see $LOGS/sparse-w1.txt)"
	fi
	[ $inplace = 1 ] || "${KMAKE[@]}" -j"$JOBS" "${objs[@]}" >/dev/null 2>&1 || true
}

# Bisectability: every commit builds what it touches.
per_commit() {
	local kconfig=0 c subj changed targets f ts
	for c in "${commits[@]}"; do
		subj=$(git -C "$L" log -1 --format=%s "$c")
		ts=$SECONDS
		git -C "$B" checkout -q --detach "$c"
		[ -z "$(git -C "$L" diff --name-only "$c^" "$c" -- '*Kconfig*')" ] || kconfig=1
		mapfile -t changed < <(git -C "$L" diff --name-only --diff-filter=AM "$c^" "$c")
		targets=()
		for f in "${changed[@]}"; do
			case "$f" in
			tools/*|Documentation/*|MAINTAINERS) ;;
			*.c) targets+=("${f%.c}.o") ;;
			include/*) ;;
			*/Kconfig|*/Makefile|*.h) targets+=("$(dirname "$f")/") ;;
			esac
		done
		# A changed header (include/) is built through the commit's own
		# objects where the commit only adds lines to it: what a header
		# gains cannot break the files that do not use it, and the
		# commit's objects that do use it are built. Where it changes
		# or removes a line (a declaration other files may use), or the
		# commit has no object of its own, it is built through the
		# directories of the series. (The three driver-core commits
		# only add to device.h and driver.h: building drivers/base,
		# amba and vfio for each of them took 160 s of a 480 s walk.)
		if printf '%s\n' "${changed[@]}" | grep -q '^include/' &&
			{ [ ${#targets[@]} -eq 0 ] ||
				git -C "$L" diff "$c^" "$c" -- include/ | grep '^-[^-]' >/dev/null; }; then
			targets+=(drivers/base/ drivers/amba/ drivers/vfio/)
		fi
		if [ ${#targets[@]} -eq 0 ]; then
			echo "PASS host/bisect/$subj: nothing to build"
			continue
		fi
		mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u)
		# The .config follows the Kconfig files: where a commit (or one
		# before it with nothing to build) changed one, the fragments
		# are appended to the .config and make's syncconfig reads it
		# again. The last assignment of a symbol wins, so the symbols
		# of the fragments take their values where they exist; a new
		# symbol the fragments do not name takes its default. That is
		# one Kconfig run per such commit, where allnoconfig would make
		# two (allnoconfig, then make's syncconfig): each costs some 13
		# s of CPU here, most of it the compiler probes Kconfig runs.
		if [ "$configured" = 0 ]; then
			configure && configured=1
		elif [ $kconfig = 1 ]; then
			cat "$BO/hostcheck.config" >>"$BO/.config"
		fi
		kconfig=0
		if [ "$configured" = 1 ] &&
			"${BMAKE[@]}" -j"$JOBS" "${targets[@]}" >"$LOGS/bisect.txt" 2>&1; then
			echo "PASS host/bisect/$subj"
		else
			echo "FAIL host/bisect/$subj: $(grep -m3 -E 'error|Error' "$LOGS/bisect.txt" | tr '\n' ' ')"
		fi
		# Where the walk's time goes: seconds, targets, commit.
		echo "$((SECONDS - ts)) ${targets[*]} ($subj)" >>"$LOGS/bisect-times.txt"
	done
	# Where the walk ends, every symbol the fragments set has the
	# fragments' value in the configuration make used (auto.conf, which
	# syncconfig writes from the symbols' values), as harness/kernel.sh
	# checks the test kernel's.
	[ "$configured" = 1 ] || return 0
	local missing
	missing=$(config_not_taken "$BO/include/config/auto.conf" "$BO/hostcheck.config")
	if [ -z "$missing" ]; then
		echo "PASS host/bisect/config: the fragments' symbols took at the tip"
	else
		echo "FAIL host/bisect/config: did not take at the tip: $(echo "$missing" | tr '\n' ' ')"
	fi
}

if [ $inplace = 1 ]; then
	# base, each commit in order, then sparse at the tip where the walk
	# ends.
	[ $sparse = 0 ] || sparse_base
	per_commit
	phase "per-commit builds (in place, with sparse on the base)"
	[ $sparse = 0 ] || { sparse_tip; phase "sparse and W=1 at the tip"; }
	walk_end
	trap - EXIT
else
	[ $sparse = 0 ] || { sparse_base; sparse_tip; phase "sparse and W=1"; }
	[ $quick = 1 ] || { per_commit; phase "per-commit builds"; }
fi

# Documentation: every .rst the series adds builds without warnings
# (docutils), and the kernel-doc of every C file and header it adds or
# changes has no warnings.
mapfile -t rsts < <(git -C "$L" diff --name-only --diff-filter=A base..HEAD -- '*.rst')
for f in "${rsts[@]}"; do
	if out=$(rst2html --halt=warning --report=warning "$L/$f" 2>&1 >/dev/null) && [ -z "$out" ]; then
		echo "PASS host/docs/$f"
	else
		echo "FAIL host/docs/$f: $(echo "$out" | head -2 | tr '\n' ' ')"
	fi
done
mapfile -t kdoc < <(git -C "$L" diff --name-only --diff-filter=A base..HEAD -- '*.c' '*.h' |
	grep -v '^tools/' || true)
if [ ${#kdoc[@]} -gt 0 ]; then
	out=$(cd "$L" && scripts/kernel-doc -none -Wall "${kdoc[@]}" 2>&1)
	if [ -z "$out" ]; then
		echo "PASS host/kernel-doc: ${#kdoc[@]} files"
	else
		echo "FAIL host/kernel-doc: $(echo "$out" | head -3 | tr '\n' ' ')"
	fi
fi
phase docs
