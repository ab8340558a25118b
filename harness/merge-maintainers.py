#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merge our MAINTAINERS entries (argv[1]) into the kernel's MAINTAINERS
(stdin) and print the result. An entry whose title already exists replaces
it; a new one goes to its alphabetical place."""
import sys

def is_title(lines, i):
    """An entry title: a non-empty upper-case line after a blank line."""
    return i > 0 and lines[i - 1] == "" and lines[i] != "" and \
        lines[i][0].isalnum() and lines[i] == lines[i].upper()

ours = [b.strip("\n") for b in open(sys.argv[1]).read().split("\n\n") if b.strip()]
lines = sys.stdin.read().split("\n")
first = lines.index("3C59X NETWORK DRIVER")
for entry in ours:
    title = entry.split("\n")[0]
    new = entry.split("\n") + [""]
    titles = [i for i in range(first, len(lines)) if is_title(lines, i)]
    if title in [lines[i] for i in titles]:
        start = lines.index(title, first)
        end = lines.index("", start) + 1
        lines[start:end] = new
        continue
    pos = next((i for i in titles if lines[i].casefold() > title.casefold()), None)
    if pos is None:
        sys.exit("no place for " + title)
    lines[pos:pos] = new
sys.stdout.write("\n".join(lines))
