#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The 6.12 backport as deltas of the mainline series' patch files.

A delta (series/6.12/NNNN-*.diff) is a unified diff from mainline patch
NNNN to its 6.12 backport, both in a normal form: git format-patch text
without the diffstat, without "index" lines (blob ids differ between bases
and change with every edit) and with hunk headers that keep only the
preimage's start line ("@@ -A @@"), so that a change elsewhere in the
same file does not break a delta. The full headers are computed again
when a backport is written out. A mainline patch without a delta is
backported as it is.

  backport.py apply PATCH DELTADIR      print the backport of PATCH
  backport.py save PATCH BACKPORT OUT   write OUT, the delta from PATCH to
                                        BACKPORT (a format-patch file of
                                        the 6.12 commit), or remove OUT
                                        when they are the same

A delta is applied by exact context, at the recorded line or the nearest
place where its context matches; a hunk that matches nowhere fails the
whole apply (exit 1, with the hunk named), it is never fuzzed.
"""
import difflib
import glob
import os
import re
import sys

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
PATCH_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)?(?: \+\d+(?:,\d+)?)? @@(.*)$", re.S)


def normal_form(text):
    """format-patch text without its diffstat and index lines."""
    head, sep, rest = text.partition("\n---\n")
    if not sep:
        raise SystemExit("not a format-patch file (no '---' line)")
    start = rest.find("diff --git ")
    rest = rest[start:] if start >= 0 else ""
    lines = []
    for l in rest.splitlines(keepends=True):
        if l.startswith("index "):
            continue
        m = PATCH_HUNK.match(l)
        if m:
            l = f"@@ -{m.group(1)} @@{m.group(2)}"
        lines.append(l)
    out = head + sep + "".join(lines)
    return out if out.endswith("\n") else out + "\n"


def git_form(text):
    """The normal form with complete hunk headers again."""
    head, sep, rest = text.partition("\n---\n")
    lines = rest.splitlines(keepends=True)
    out, i, offset = [], 0, 0
    while i < len(lines):
        l = lines[i]
        if l.startswith("diff --git "):
            offset = 0
        m = PATCH_HUNK.match(l)
        if not m:
            out.append(l)
            i += 1
            continue
        j, old, new = i + 1, 0, 0
        while j < len(lines) and lines[j][:1] in (" ", "-", "+", "\\"):
            if lines[j].startswith("diff --git "):
                break
            old += lines[j][0] in " -"
            new += lines[j][0] in " +"
            j += 1
        a = int(m.group(1))
        if old == 0:
            c = a + offset + 1 if a else 1
        elif new == 0:
            c = a + offset - 1
        else:
            c = a + offset
        rng = lambda s, n: f"{s}" if n == 1 else f"{s},{n}"
        out.append(f"@@ -{rng(a, old)} +{rng(c, new)} @@{m.group(2)}")
        out.extend(lines[i + 1:j])
        offset += new - old
        i = j
    return head + sep + "".join(out)


def parse_hunks(delta):
    hunks, cur = [], None
    for line in delta.splitlines(keepends=True):
        m = HUNK.match(line)
        if m:
            cur = {"at": int(m.group(1)), "old": [], "new": [], "header": line.strip()}
            hunks.append(cur)
        elif cur is not None and line[:1] in (" ", "-", "+"):
            body = line[1:]
            if line[0] in " -":
                cur["old"].append(body)
            if line[0] in " +":
                cur["new"].append(body)
        elif line.startswith("\\"):
            continue
    return hunks


def apply(text, delta, name):
    lines = text.splitlines(keepends=True)
    pos = 0  # hunks apply in order, each after the previous one
    for h in parse_hunks(delta):
        old, want = h["old"], max(h["at"] - 1, 0)
        n = len(old)
        found = None
        for dist in range(0, len(lines) + 1):
            for at in (want + dist, want - dist):
                if pos <= at <= len(lines) - n and lines[at:at + n] == old:
                    found = at
                    break
            if found is not None:
                break
        if found is None:
            sys.stderr.write(f"error: {name}: hunk {h['header']} does not match\n")
            sys.exit(1)
        lines[found:found + n] = h["new"]
        pos = found + len(h["new"])
    return "".join(lines)


def delta_of(deltadir, patch):
    num = os.path.basename(patch).split("-", 1)[0]
    found = sorted(glob.glob(os.path.join(deltadir, num + "-*.diff")))
    if len(found) > 1:
        raise SystemExit(f"error: more than one delta for patch {num} in {deltadir}")
    return found[0] if found else None


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "apply":
        patch, deltadir = sys.argv[2:4]
        text = normal_form(open(patch).read())
        delta = delta_of(deltadir, patch)
        if delta:
            text = apply(text, open(delta).read(), os.path.basename(delta))
        sys.stdout.write(git_form(text))
    elif len(sys.argv) == 5 and sys.argv[1] == "save":
        patch, backport, out = sys.argv[2:5]
        a = normal_form(open(patch).read()).splitlines(keepends=True)
        b = normal_form(open(backport).read()).splitlines(keepends=True)
        name = os.path.basename(patch)
        diff = "".join(difflib.unified_diff(a, b, "a/" + name, "b/" + name))
        if diff:
            # The delta must give back exactly the backport.
            if apply("".join(a), diff, os.path.basename(out)) != "".join(b):
                raise SystemExit(f"error: the delta of {name} does not reproduce its backport")
            with open(out, "w") as f:
                f.write(diff)
        elif os.path.exists(out):
            os.remove(out)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
