"""Triage benchmark: accuracy per file and language, confusions, latency, start-up cost.

    uv run python -m tests.benchmarks.triage_bench [FILES...] [--passes N] [--blind]

Defaults to the shared examples (`../shared/triage-examples.jsonl` next to the repo, else
`/work/shared/...`) plus `tests/data/triage-labelled.jsonl`. A file whose name contains
`blind` (or every file, with `--blind`) is reported in aggregate only: no message text is
printed, so a blind batch can be measured without being read.

Start-up and RSS are measured in a fresh interpreter (import + `warm_up()`), so the figures do
not depend on what this script imported first. `--before DIR` first runs the same report for
another checkout (the code before a change), then this one, so both print side by side:

    git worktree add /tmp/triage-before 7f22928
    uv run python -m tests.benchmarks.triage_bench tests/data/triage-blind.jsonl \\
        --before /tmp/triage-before

Prints figures only; nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "triage-labelled.jsonl"
INTENTS = ("repair", "service", "complaint", "enquiry", "fee", "other")
Row = dict[str, Any]

_STARTUP = """
import json, sys, time
from pathlib import Path
def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
r0, t0 = rss(), time.perf_counter()
import dialogs.triage as t
t1 = time.perf_counter()
t.warm_up()
t2 = time.perf_counter()
t.triage("厨房水龙头一直滴水")
print(json.dumps({"import": t1 - t0, "warm_up": t2 - t1, "rss0": r0, "rss": rss(),
                  "module": t.__file__}))
"""


def default_files() -> list[Path]:
    shared = ROOT.parent / "shared" / "triage-examples.jsonl"
    if not shared.exists():
        shared = Path("/work/shared/triage-examples.jsonl")
    return [p for p in (shared, LABELLED) if p.exists()]


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:6.1f}% ({num}/{den})" if den else "     n/a"


def uncertain(g: Any) -> bool:
    """The "is anyone in danger?" question; older code has no such signal."""
    return bool(getattr(g, "emergency_uncertain", False))


def metrics(rows: Sequence[Row], got: Sequence[Any]) -> dict[str, tuple[int, int]]:
    """(hits, total) per measure. Trade/location only where a trade/location is expected."""
    m: dict[str, list[int]] = {k: [0, 0] for k in
                               ("intent", "trade", "location", "service", "em_recall",
                                "em_precision", "ask_recall", "asked_safe")}
    for row, g in zip(rows, got, strict=True):
        if "intent" in row:  # an emergency-only set (triage-emergency-dev.jsonl) has none
            m["intent"][0] += g.intent == row["intent"]
            m["intent"][1] += 1
        if row.get("trade"):
            m["trade"][0] += g.trade == row["trade"]
            m["trade"][1] += 1
        if row.get("location"):
            m["location"][0] += g.location == row["location"]
            m["location"][1] += 1
        if "service" in row and row.get("trade"):
            m["service"][0] += g.service == row["service"]
            m["service"][1] += 1
        if row["emergency"]:
            m["em_recall"][0] += g.emergency
            m["em_recall"][1] += 1
            m["ask_recall"][0] += g.emergency or uncertain(g)
            m["ask_recall"][1] += 1
        else:
            m["asked_safe"][0] += uncertain(g) and not g.emergency
            m["asked_safe"][1] += 1
        if g.emergency:
            m["em_precision"][0] += bool(row["emergency"])
            m["em_precision"][1] += 1
    return {k: (v[0], v[1]) for k, v in m.items()}


def report(title: str, rows: Sequence[Row], got: Sequence[Any]) -> None:
    m = metrics(rows, got)
    print(f"  {title:<26} n={len(rows):<4} intent {pct(*m['intent'])}  trade {pct(*m['trade'])}"
          f"  location {pct(*m['location'])}")
    print(f"  {'':<26}        emergency recall {pct(*m['em_recall'])}  precision "
          f"{pct(*m['em_precision'])}  service {pct(*m['service'])}")
    print(f"  {'':<26}        emergency or asked {pct(*m['ask_recall'])}  asked though safe "
          f"{pct(*m['asked_safe'])}")


def intent_matrix(rows: Sequence[Row], got: Sequence[Any]) -> None:
    counts = Counter((r.get("intent"), g.intent) for r, g in zip(rows, got, strict=True))
    print("  intent confusion (rows: expected, columns: got)")
    print("  " + " " * 10 + "".join(f"{i[:7]:>8}" for i in INTENTS))
    for want in INTENTS:
        print(f"  {want:<10}" + "".join(f"{counts[(want, have)]:>8}" for have in INTENTS))


def confusions(rows: Sequence[Row], got: Sequence[Any], top: int = 12,
               examples: bool = True) -> None:
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for row, g in zip(rows, got, strict=True):
        pairs: list[tuple[str, object, object]] = (
            [("intent", row["intent"], g.intent)] if "intent" in row else [])
        if row.get("trade"):
            pairs.append(("trade", row["trade"], g.trade))
        if row.get("location"):
            pairs.append(("location", row["location"], g.location))
        pairs.append(("emergency", row["emergency"], g.emergency))
        for field, want, have in pairs:
            if want != have:
                key = f"{field}: {want} -> {have}"
                counts[key] += 1
                first.setdefault(key, row["text"][:70])
    if not counts:
        print("  (no confusions)")
    for key, n in counts.most_common(top):
        print(f"  {n:3d}  {key:<34}" + (f" e.g. {first[key]}" if examples else ""))


def startup() -> dict[str, Any]:
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, text=True,
                         check=True, env=env).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--blind", action="store_true", help="never print message texts")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--before", type=Path, help="another checkout to report first")
    args = parser.parse_args(argv)
    files = args.files or default_files()
    if args.before is not None:
        rest = [str(p.resolve()) for p in files] + ["--passes", str(args.passes)]
        rest += ["--blind"] * args.blind + ["--no-latency"] * args.no_latency
        env = dict(os.environ, PYTHONPATH=str(args.before.resolve()))
        print(f"######## BEFORE: {args.before}", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), *rest], env=env,
                       check=True, cwd=args.before)
        print("\n######## AFTER: this checkout", flush=True)

    runs = [startup() for _ in range(3)]
    best = min(runs, key=lambda r: r["import"] + r["warm_up"])
    print(f"code: {best['module']}")
    print(f"start-up (fresh interpreter, best of 3): import {best['import']:.3f} s + warm_up "
          f"{best['warm_up']:.3f} s = {best['import'] + best['warm_up']:.3f} s; "
          f"RSS +{best['rss'] - best['rss0']:.1f} MB (now {best['rss']:.1f} MB)")

    from dialogs.triage import triage, warm_up

    warm_up()
    everything: list[str] = []
    for path in files:
        rows = load(path)
        got = [triage(r["text"]) for r in rows]
        everything += [r["text"] for r in rows]
        blind = args.blind or "blind" in path.name
        print(f"\n== {path.name}" + ("  (aggregate only)" if blind else ""))
        report("all", rows, got)
        keys = sorted({(r.get("lang", "?"), r.get("variant")) for r in rows},
                      key=lambda k: (k[0], k[1] or ""))
        for lang in sorted({k[0] for k in keys}):
            idx = [i for i, r in enumerate(rows) if r.get("lang", "?") == lang]
            report(f"lang {lang}", [rows[i] for i in idx], [got[i] for i in idx])
            variants = [v for k, v in keys if k == lang and v]
            for variant in variants if len(variants) > 1 else ():
                idx = [i for i, r in enumerate(rows)
                       if r.get("lang", "?") == lang and r.get("variant") == variant]
                report(f"  {lang}/{variant}", [rows[i] for i in idx], [got[i] for i in idx])
        flagged = Counter(g.hazard for g in got if g.emergency)
        print("  hazards flagged: " + ", ".join(f"{h} {n}" for h, n in flagged.most_common()))
        intent_matrix(rows, got)
        print("  top confusions (expected -> got):")
        confusions(rows, got, examples=not blind)

    if args.no_latency:
        return 0
    wall: list[float] = []
    cpu: list[float] = []  # thread CPU time: what triage costs, without time spent preempted
    for _ in range(args.passes):
        for text in everything:
            c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
            triage(text)
            wall.append((time.perf_counter_ns() - w0) / 1e6)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
    print(f"\nlatency over {len(wall)} calls ({args.passes} passes x {len(everything)} messages),"
          f" load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs:")
    for name, values in (("wall", wall), ("cpu ", cpu)):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"  {name}  p50 {statistics.median(values):.3f} ms  p99 {p99:.3f} ms  "
              f"max {values[-1]:.3f} ms")
    long_text = "楼道的灯坏了，" * 1500
    started = time.perf_counter()
    triage(long_text)
    print(f"one 10,500-character message: {(time.perf_counter() - started) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
