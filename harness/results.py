#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read guest console logs written by guest/check.sh and print one line per
result ("PASS|FAIL|SKIP name: detail"), then "TOTAL p f s".

A missing result, a test program that exited non-zero without a failing
TAP line, a guest that did not finish, and any kernel report (panic, BUG,
WARNING, Oops, call trace, KASAN, UBSAN, lockdep, DEBUG_OBJECTS, kmemleak)
on the console are failures. A log named console-debug-MODE.log comes from
the debug kernel: its results are named "debug/MODE/...", and its end-of-run
kmemleak scan and lockdep state are results of their own."""
import re
import sys

REPORTS = re.compile(r"(Kernel panic|BUG:|WARNING:|Oops|Call trace:|UBSAN:|KASAN:|"
                     r"Internal error:|Unable to handle kernel|"
                     r"unreferenced object|INFO: task .* blocked|"
                     r"possible circular locking|inconsistent lock state|"
                     r"sleeping function called from invalid context|"
                     r"ODEBUG:|suspected memory leak|"
                     r"possible recursive locking|lockdep is turned off)")
TAP = re.compile(r"^(\s*)(not ok|ok) (\d+) (.*?)(?:\s+#\s*(SKIP|TODO)\b(.*))?$")

results = []


def add(state, name, detail=""):
    results.append((state, name, detail.strip()))


def why(lines, i):
    """The diagnostics around the failed result at lines[i], for its detail:
    the harness prints an assertion's before its "not ok", a shell check
    its own after it."""
    before, after = [], []
    j = i - 1
    while j >= 0 and not TAP.match(lines[j]) and len(before) < 40:
        if lines[j].lstrip().startswith("#"):
            before.insert(0, lines[j].strip().lstrip("# "))
        j -= 1
    j = i + 1
    while j < len(lines) and not TAP.match(lines[j]) and len(after) < 2:
        if lines[j].lstrip().startswith("#"):
            after.append(lines[j].strip().lstrip("# "))
        j += 1
    text = " | ".join([l for l in before if l][-3:] + after)
    return text[:400]


def kselftest(mode, name, lines, rc):
    """Top-level TAP results of one kselftest_harness program."""
    plan = None
    seen = 0
    failed = 0
    for i, line in enumerate(lines):
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
            continue
        m = TAP.match(line)
        if not m or m.group(1):
            continue
        seen += 1
        case = f"{mode}/{name}/{m.group(4)}"
        if m.group(5) == "SKIP":
            add("SKIP", case, m.group(6))
        elif m.group(2) == "ok":
            add("PASS", case)
        else:
            failed += 1
            add("FAIL", case, why(lines, i))
    if plan is None:
        add("FAIL", f"{mode}/{name}", f"no TAP plan (exit {rc})")
    elif seen != plan:
        add("FAIL", f"{mode}/{name}", f"{seen} of {plan} results (exit {rc})")
    elif rc not in ("0", "4") and not failed:
        # 4 is kselftest's "skip" exit code.
        add("FAIL", f"{mode}/{name}", f"exit {rc} without a failing test")


def kunit(mode, suite, lines):
    """Test cases of one KUnit suite from debugfs (one level below the suite)."""
    parsed = [(len(m.group(1)), m) for m in map(TAP.match, lines) if m]
    if not parsed:
        add("FAIL", f"{mode}/kunit/{suite}", "no results")
        return
    level = min(i for i, _ in parsed) + 4
    cases = [m for i, m in parsed if i == level]
    if not cases:
        add("FAIL", f"{mode}/kunit/{suite}", "no test cases")
    for m in cases:
        case = f"{mode}/kunit/{suite}/{m.group(4)}"
        if m.group(5) == "SKIP":
            add("SKIP", case, m.group(6))
        else:
            add("PASS" if m.group(2) == "ok" else "FAIL", case)


def parse(path):
    text = open(path, errors="replace").read().replace("\r", "")
    lines = text.split("\n")
    mode = re.sub(r"^console-|\.log$", "", path.rsplit("/", 1)[-1])
    mode = re.sub(r"^debug-", "debug/", mode)
    done = False
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^### (TEST|KUNIT) (\S+)$", line)
        if m:
            kind, name = m.groups()
            body = []
            i += 1
            rc = None
            while i < len(lines) and not lines[i].startswith("### "):
                body.append(lines[i])
                i += 1
            if i < len(lines):
                e = re.match(r"^### END (\S+)(?: rc=(\d+))?$", lines[i])
                if e:
                    rc = e.group(2)
            if kind == "TEST":
                if rc is None:
                    add("FAIL", f"{mode}/{name}", "did not finish")
                else:
                    kselftest(mode, name, body, rc)
            else:
                kunit(mode, name, body)
            continue
        if line == "### DONE":
            done = True
        # The debug kernel's end-of-run checks (guest/check.sh).
        m = re.match(r"^### KMEMLEAK (\d+) scans, (\d+) leaks$", line)
        if m:
            scans, leaks = map(int, m.groups())
            add("PASS" if scans and not leaks else "FAIL", f"{mode}/kmemleak",
                f"{leaks} suspected leaks after {scans} scans")
        m = re.match(r"^### LOCKDEP debug_locks=(\d+)$", line)
        if m:
            add("PASS" if m.group(1) == "1" else "FAIL", f"{mode}/lockdep",
                "" if m.group(1) == "1" else "lockdep turned itself off")
        i += 1
    if not done:
        add("FAIL", f"{mode}/guest", "the guest did not finish its run")
    elif mode.startswith("debug/") and not any(
            l.startswith("### KMEMLEAK ") for l in lines):
        add("FAIL", f"{mode}/kmemleak", "no kmemleak scan")
    for line in lines:
        if REPORTS.search(line):
            add("FAIL", f"{mode}/kernel", line)


for p in sys.argv[1:]:
    parse(p)
for state, name, detail in results:
    print(f"{state} {name}" + (f": {detail}" if detail else ""))
count = {s: sum(1 for r in results if r[0] == s) for s in ("PASS", "FAIL", "SKIP")}
print(f"TOTAL {count['PASS']} {count['FAIL']} {count['SKIP']}")
