"""Triage benchmark: accuracy per file and language, confusions, latency, start-up cost.

    uv run python -m tests.benchmarks.triage_bench [FILES...] [--passes N]

Defaults to the shared examples (`../shared/triage-examples.jsonl` next to the repo, else
`/work/shared/...`) plus `tests/data/triage-labelled.jsonl`. For the labelled set it also prints
its even and odd lines separately: the first model was built on the even half of the original
391 lines and measured on the odd half; later lines were blind batches, each measured once
before any tuning on it. Prints figures only; nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dialogs.triage import Triage, triage, warm_up

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "triage-labelled.jsonl"
Row = dict[str, Any]


def default_files() -> list[Path]:
    shared = ROOT.parent / "shared" / "triage-examples.jsonl"
    if not shared.exists():
        shared = Path("/work/shared/triage-examples.jsonl")
    return [p for p in (shared, LABELLED) if p.exists()]


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rss_mb() -> float:
    """Current resident set size; falls back to the peak where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:6.1f}% ({num}/{den})" if den else "     n/a"


def metrics(rows: Sequence[Row], got: Sequence[Triage]) -> dict[str, tuple[int, int]]:
    """(hits, total) per measure. Trade/location only where a trade/location is expected."""
    m: dict[str, list[int]] = {k: [0, 0] for k in
                               ("intent", "trade", "location", "service", "em_recall",
                                "em_precision")}
    for row, g in zip(rows, got, strict=True):
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
        if g.emergency:
            m["em_precision"][0] += bool(row["emergency"])
            m["em_precision"][1] += 1
    return {k: (v[0], v[1]) for k, v in m.items()}


def report(title: str, rows: Sequence[Row], got: Sequence[Triage]) -> None:
    m = metrics(rows, got)
    print(f"  {title:<26} n={len(rows):<4} intent {pct(*m['intent'])}  trade {pct(*m['trade'])}"
          f"  location {pct(*m['location'])}")
    print(f"  {'':<26}        emergency recall {pct(*m['em_recall'])}  precision "
          f"{pct(*m['em_precision'])}  service {pct(*m['service'])}")


def confusions(rows: Sequence[Row], got: Sequence[Triage], top: int = 12) -> None:
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for row, g in zip(rows, got, strict=True):
        pairs: list[tuple[str, object, object]] = [("intent", row["intent"], g.intent)]
        if row.get("trade"):
            pairs.append(("trade", row["trade"], g.trade))
        if row.get("location"):
            pairs.append(("location", row["location"], g.location))
        pairs.append(("emergency", row["emergency"], g.emergency))
        for field, want, have in pairs:
            if want != have:
                key = f"{field}: {want} -> {have}"
                counts[key] += 1
                examples.setdefault(key, row["text"][:70])
    if not counts:
        print("  (no confusions)")
    for key, n in counts.most_common(top):
        print(f"  {n:3d}  {key:<34} e.g. {examples[key]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--passes", type=int, default=20)
    args = parser.parse_args(argv)
    files = args.files or default_files()

    rss0 = rss_mb()
    started = time.perf_counter()
    spent = warm_up()
    elapsed = time.perf_counter() - started
    print(f"start-up: warm_up {spent:.3f} s (wall {elapsed:.3f} s), RSS +{rss_mb() - rss0:.1f} MB "
          f"(now {rss_mb():.1f} MB)")

    everything: list[tuple[Row, Triage]] = []
    for path in files:
        rows = load(path)
        got = [triage(r["text"]) for r in rows]
        everything += zip(rows, got, strict=True)
        print(f"\n== {path.name}")
        report("all", rows, got)
        for lang in sorted({r.get("lang", "?") for r in rows}):
            idx = [i for i, r in enumerate(rows) if r.get("lang", "?") == lang]
            report(f"lang {lang}", [rows[i] for i in idx], [got[i] for i in idx])
        if path.resolve() == LABELLED.resolve():
            for name, parity in (("even lines", 0), ("odd lines", 1)):
                report(name, rows[parity::2], got[parity::2])
        flagged = Counter(g.hazard for g in got if g.emergency)
        print("  hazards flagged: " + ", ".join(f"{h} {n}" for h, n in flagged.most_common()))
        print("  top confusions (expected -> got):")
        confusions(rows, got)

    texts = [r["text"] for r, _ in everything]
    wall: list[float] = []
    cpu: list[float] = []  # thread CPU time: what triage costs, without time spent preempted
    for _ in range(args.passes):
        for text in texts:
            c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
            triage(text)
            wall.append((time.perf_counter_ns() - w0) / 1e6)
            cpu.append((time.thread_time_ns() - c0) / 1e6)
    print(f"\nlatency over {len(wall)} calls ({args.passes} passes x {len(texts)} messages), "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs:")
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
