#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# git format-patch the series into out/series/ with a cover letter built
# from series/6.12/cover-letter (subject line, blank line, body).
. "$(dirname "$0")/lib.sh"
L=$BUILD/linux
O=$TOP/out/series
rm -rf "$O"
mkdir -p "$O"
git -C "$L" format-patch -q --cover-letter --base=base -o "$O" \
	--subject-prefix="PATCH" base..HEAD
cover=$(ls "$O"/0000-cover-letter.patch)
subject=$(head -n 1 "$SERIES/cover-letter")
body=$(tail -n +3 "$SERIES/cover-letter"
	echo
	echo "Base: $(base_version)"
	echo "Tested: $(cd "$TOP" && git rev-parse --short HEAD) of the project repository, make check")
python3 - "$cover" "$subject" "$body" <<'PY'
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject)
text = text.replace("*** BLURB HERE ***", body)
open(path, "w").write(text)
PY
ls "$O"
