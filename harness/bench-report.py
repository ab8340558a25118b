#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the console logs of make bench's rounds (round-R-BASE.log, written
by guest/bench.sh), check them, and print medians over rounds for our
kernel and upstream's, their ratio and the goals of issue 9; write the
same as JSON.

A round counts only if the benchmark exited 0, printed every measurement,
and the guest kernel log has no report (BUG, WARNING, Oops, ...). The bytes
read in bulk must be the same in every round of both kernels, and those of
/dev/mem. Exit status 1 if a round or such a check failed."""
import argparse
import datetime
import json
import math
import os
import re
import statistics
import sys

REPORTS = re.compile(r"(Kernel panic|BUG:|WARNING:|Oops|Call trace:|UBSAN:|KASAN:|"
                     r"Internal error:|Unable to handle kernel|unreferenced object)")

# name: (unit, what is better, goal kind, goal text)
LOWER, HIGHER = "lower", "higher"


def goal_of(name):
    """(kind, limit, text): how ours must compare with upstream."""
    if name.startswith("rw."):
        return ("ratio_max", 1.0, "ours <= 1.0x upstream's time (speed >= 1.0x)")
    if name.startswith("bulk."):
        return ("ratio_min", 2.0, "ours >= 2x upstream's MB/s")
    if name.startswith("irq."):
        return ("ratio_max", 1.0, "ours <= 1.0x upstream")
    if name.startswith("cycle."):
        return ("ratio_max", 1.0, "ours <= 1.0x upstream")
    return (None, None, "")


def parse(path):
    """Metrics, checksums and problems of one round's console log."""
    text = open(path, errors="replace").read().replace("\r", "")
    metrics, sums, problems = {}, {}, []
    rc = None
    in_bench = in_dmesg = False
    for line in text.split("\n"):
        if line.startswith("### BENCH-START"):
            in_bench = True
        m = re.match(r"^BENCH (\S+) (\S+) (\S+)$", line)
        if m:
            if m.group(1) in metrics:
                problems.append(f"{m.group(1)} reported twice")
            metrics[m.group(1)] = (float(m.group(2)), m.group(3))
            continue
        m = re.match(r"^BENCH-SUM (\S+) fd=(\S+) devmem=(\S+)$", line)
        if m:
            sums[m.group(1)] = (m.group(2), m.group(3))
            continue
        m = re.match(r"^### BENCH-END rc=(\d+)", line)
        if m:
            rc = int(m.group(1))
            in_bench = False
        if in_bench and (line.startswith("BENCH-ERROR") or line.startswith("# ")):
            problems.append(line)
        if line.startswith("### DMESG"):
            in_dmesg = True
        if REPORTS.search(line):
            problems.append(f"kernel: {line.strip()}")
    if rc is None:
        problems.append("the benchmark did not finish (no BENCH-END)")
    elif rc != 0:
        problems.append(f"the benchmark exited {rc}")
    if not in_dmesg or "### DONE" not in text:
        problems.append("the guest did not finish")
    return metrics, sums, problems


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    ap.add_argument("--markdown", help="also write the table as Markdown")
    ap.add_argument("--machine", default="")
    ap.add_argument("--ours", default="ours")
    ap.add_argument("--upstream", default="upstream")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--scale", type=int, default=0)
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()

    rounds = {"ours": {}, "upstream": {}}
    units = {}
    order = []
    sums = {}
    problems = []
    for path in a.logs:
        m = re.search(r"round-(\d+)-(ours|upstream)\.log$", path)
        if not m:
            problems.append(f"{path}: not a round log")
            continue
        r, base = int(m.group(1)), m.group(2)
        metrics, s, probs = parse(path)
        problems += [f"{os.path.basename(path)}: {p}" for p in probs]
        if probs:
            continue
        rounds[base][r] = {k: v for k, (v, _) in metrics.items()}
        for k, (_, u) in metrics.items():
            units[k] = u
            if k not in order:
                order.append(k)
        for k, (fd, mem) in s.items():
            sums.setdefault(k, set()).update([fd, mem])

    for k, vals in sums.items():
        if len(vals) != 1:
            problems.append(f"{k}: different bytes read across rounds, kernels "
                            f"or /dev/mem: {sorted(vals)}")
    for base in rounds:
        if not rounds[base]:
            problems.append(f"no good round of {base}")
    for base in rounds:
        for r, metrics in rounds[base].items():
            missing = set(order) - set(metrics)
            if missing:
                problems.append(f"round {r} {base}: missing {sorted(missing)}")

    res = {}
    for k in order:
        ent = {"unit": units[k], "better": HIGHER if units[k] == "MB/s" else LOWER}
        for base in rounds:
            vals = [rounds[base][r][k] for r in sorted(rounds[base]) if k in rounds[base][r]]
            ent[base] = {"median": statistics.median(vals) if vals else None,
                         "values": vals}
        o, u = ent["ours"]["median"], ent["upstream"]["median"]
        ent["ratio"] = o / u if o and u else None
        # Per-round ratios of interleaved rounds: how much drift there was.
        per = [rounds["ours"][r][k] / rounds["upstream"][r][k]
               for r in sorted(rounds["ours"]) if r in rounds["upstream"]
               and k in rounds["ours"][r] and k in rounds["upstream"][r]]
        ent["round_ratios"] = per
        kind, lim, text = goal_of(k)
        if kind and ent["ratio"] is not None:
            ok = (lambda r: r <= lim) if kind == "ratio_max" else (lambda r: r >= lim)
            ent["goal"] = text
            ent["met"] = ok(ent["ratio"])
            # Missed by the median, but some interleaved rounds met it:
            # within the drift of this machine, not a clear miss.
            ent["verdict"] = ("met" if ent["met"] else
                              "missed (within noise)" if any(map(ok, per)) else "MISSED")
        res[k] = ent

    # mmap vs /dev/mem, in each kernel: within 5%.
    derived = {}
    for what, better in (("pflash.read", HIGHER), ("pl061.load", LOWER)):
        mk, dk = f"mmap.{what}", f"devmem.{what}"
        if mk not in res or dk not in res:
            continue
        for base in rounds:
            mv, dv = res[mk][base]["median"], res[dk][base]["median"]
            if not mv or not dv:
                continue
            ratio = mv / dv
            met = ratio >= 0.95 if better == HIGHER else ratio <= 1.05
            derived[f"mmap_vs_devmem.{what}.{base}"] = {
                "ratio": ratio, "goal": "mmap within 5% of /dev/mem", "met": met}

    now = datetime.datetime.now(datetime.timezone.utc)
    doc = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "machine": a.machine,
           "kernels": {"ours": a.ours, "upstream": a.upstream},
           "rounds": a.rounds, "scale": a.scale,
           "method": "interleaved rounds (ours, upstream, ...), one QEMU boot each; "
                     "medians over rounds; ratio = ours / upstream",
           "metrics": res, "mmap_vs_devmem": derived,
           "bulk_checksums": {k: sorted(v)[0] for k, v in sums.items() if len(v) == 1},
           "problems": problems}
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)

    print(f"# {doc['date']}; {a.machine}")
    print(f"# ours: {a.ours}; upstream: {a.upstream}")
    print(f"# {len(rounds['ours'])} + {len(rounds['upstream'])} good rounds, "
          f"interleaved; medians; ratio = ours / upstream")
    hdr = f"{'metric':22} {'unit':5} {'ours':>8} {'upstream':>9} {'ratio':>6} {'per round':>11}  goal"
    print(hdr)
    for k in order:
        e = res[k]
        per = e["round_ratios"]
        rng = f"{min(per):.2f}-{max(per):.2f}" if per else "-"
        goal = ""
        if "met" in e:
            goal = f"{e['verdict']}: {e['goal']}"
        ratio = f"{e['ratio']:.2f}" if e["ratio"] is not None else "-"
        print(f"{k:22} {e['unit']:5} {fmt(e['ours']['median']):>8} "
              f"{fmt(e['upstream']['median']):>9} {ratio:>6} {rng:>11}  {goal}")
    for k, d in derived.items():
        print(f"{k:40} mmap/devmem {d['ratio']:.3f}  "
              f"{'met' if d['met'] else 'MISSED'}: {d['goal']}")
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(f"{doc['date']}; {a.machine}; {len(rounds['ours'])} + "
                    f"{len(rounds['upstream'])} interleaved rounds, medians.\n\n")
            f.write("| metric | unit | ours | upstream | ours/upstream | per round | goal |\n")
            f.write("|---|---|---:|---:|---:|---:|---|\n")
            for k in order:
                e = res[k]
                per = e["round_ratios"]
                rng = f"{min(per):.2f}-{max(per):.2f}" if per else "-"
                ratio = f"{e['ratio']:.2f}" if e["ratio"] is not None else "-"
                f.write(f"| {k} | {e['unit']} | {fmt(e['ours']['median'])} | "
                        f"{fmt(e['upstream']['median'])} | {ratio} | {rng} | "
                        f"{e.get('verdict', '')} |\n")
            for k, d in derived.items():
                f.write(f"| {k} | mmap/devmem | | | {d['ratio']:.3f} | | "
                        f"{'met' if d['met'] else 'MISSED'} (within 5%) |\n")
    for p in problems:
        print(f"PROBLEM {p}")
    print(f"# JSON: {a.json}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
