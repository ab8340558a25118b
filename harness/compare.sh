#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests against our series and against pristine 6.12
# (upstream's vfio-platform) and print, per test, where they differ.
. "$(dirname "$0")/lib.sh"
HOST_CHECKS=0 DEBUG_KERNEL=0 BASE=ours "$TOP/harness/check.sh" >/dev/null || true
HOST_CHECKS=0 BASE=upstream "$TOP/harness/check.sh" >/dev/null || true
python3 - "$BUILD/check-ours/results.txt" "$BUILD/check-upstream/results.txt" <<'PY'
import sys

def load(path):
    res = {}
    for line in open(path):
        state, _, rest = line.rstrip("\n").partition(" ")
        name = rest.split(": ", 1)[0]
        res[name] = state
    return res

ours, up = load(sys.argv[1]), load(sys.argv[2])
names = sorted(set(ours) | set(up))
print(f"{'test':70} {'ours':6} {'upstream':8}")
for n in names:
    o, u = ours.get(n, "-"), up.get(n, "-")
    mark = "" if o == u else "  <- differs"
    print(f"{n[:70]:70} {o:6} {u:8}{mark}")
for label, res in (("ours", ours), ("upstream", up)):
    c = {s: sum(1 for v in res.values() if v == s) for s in ("PASS", "FAIL", "SKIP")}
    print(f"{label}: {c['PASS']} passed, {c['FAIL']} failed, {c['SKIP']} skipped")
PY
