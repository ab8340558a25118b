#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make series: git format-patch both series, each with its cover letter
# (series/LINUX/cover-letter: subject line, blank line, body) and the base
# it applies to:
#   out/series/7.3/   the mainline series, what is posted
#   out/series/6.12/  its backport to the 6.12 LTS
. "$(dirname "$0")/lib.sh"
for base in 7.3 6.12; do
	LINUX=$base BUILD= TARBALL= "$TOP/harness/tree.sh"
	L=$TOP/build/$base/linux
	O=$TOP/out/series/$base
	rm -rf "$O"
	mkdir -p "$O"
	prefix=PATCH
	[ "$base" = 6.12 ] && prefix="PATCH 6.12.y"
	git -C "$L" format-patch -q --cover-letter --base=base -o "$O" \
		--subject-prefix="$prefix" base..HEAD
	cover=$O/0000-cover-letter.patch
	subject=$(head -n 1 "$TOP/series/$base/cover-letter")
	body=$(tail -n +3 "$TOP/series/$base/cover-letter"
		echo
		echo "Base: $(LINUX=$base BUILD= bash -c ". '$TOP/harness/lib.sh'; base_version")"
		echo "Tested: $(cd "$TOP" && git rev-parse --short HEAD) of the project repository, make check")
	python3 - "$cover" "$subject" "$body" <<'PY'
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject)
text = text.replace("*** BLURB HERE ***", body)
open(path, "w").write(text)
PY
	log "out/series/$base: $(ls "$O" | wc -l) files"
done
