"""The goals of the issue "Lean and ready for production" against this run's medians, as a
Markdown table to paste into a note. Figures only: a ✗ is printed, never raised."""

from __future__ import annotations

from tests.benchmarks.runtime.databases import TITLES
from tests.benchmarks.runtime.figures import Figures
from tests.benchmarks.runtime.processes import baselines

FRAMEWORKS = {"aiogram": "aiogram", "ptb": "python-telegram-bot"}
GOAL_RATE = "100"  # updates/s the latency goals are stated at
SHARE_OF_BARE = 0.60
EXTRA_START_S = 1.0
EXTRA_RSS_MB = 60.0
COMMIT_P99_MS = 15.0
REPLY_P99_MS = 30.0


def mark(met: bool) -> str:
    return "✓" if met else "✗"


def summary(out: Figures, frameworks: list[str], kinds: list[str]) -> list[str]:
    """The table's lines; a goal this run did not measure has no row."""
    rows: list[tuple[str, str, str, bool]] = []  # goal, where, figure, met
    for framework in frameworks:
        name = FRAMEWORKS[framework]
        fair = baselines(framework)[0].name
        bare = out.median(("updates/s", framework, "", fair))
        for kind in kinds:
            whole = out.median(("updates/s", framework, kind, "frontline"))
            if bare and whole is not None:
                rows.append((f"updates/s ≥ {SHARE_OF_BARE:.0%} of bare echo",
                             f"{name}, {TITLES[kind]}",
                             f"{whole:,.0f} vs {bare:,.0f} ({whole / bare:.0%})",
                             whole >= SHARE_OF_BARE * bare))
        ours, theirs = (out.median(("cold", framework, who, "polled")) for who in
                        ("frontline", fair))
        cpu, bare_cpu = (out.median(("cold", framework, who, "cpu")) for who in
                         ("frontline", fair))
        if ours is not None and theirs is not None and cpu is not None and bare_cpu is not None:
            rows.append((f"cold start ≤ bare + {EXTRA_START_S:.1f} s", name,
                         f"{ours:.1f} s vs {theirs:.1f} s ({ours - theirs:+.1f} s); "
                         f"CPU {cpu:.1f} vs {bare_cpu:.1f} s",
                         ours <= theirs + EXTRA_START_S))
        ours, theirs = (out.median(("cold", framework, who, "rss")) for who in
                        ("frontline", fair))
        if ours is not None and theirs is not None:
            rows.append((f"RSS ≤ bare + {EXTRA_RSS_MB:.0f} MB", name,
                         f"{ours:.0f} vs {theirs:.0f} MB ({ours - theirs:+.0f} MB)",
                         ours <= theirs + EXTRA_RSS_MB))
        for kind in kinds:
            for what, goal in (("commit", COMMIT_P99_MS), ("reply", REPLY_P99_MS)):
                p99 = out.median((what, framework, kind, "frontline", GOAL_RATE, "p99"))
                p50 = out.median((what, framework, kind, "frontline", GOAL_RATE, "p50"))
                if p99 is None or p50 is None:
                    continue
                label = "update → commit" if what == "commit" else "update → reply sent"
                figure = f"p50 {p50:.1f} / p99 {p99:.1f} ms"
                bare_p99 = out.median(("reply", framework, "", fair, GOAL_RATE, "p99"))
                if what == "reply" and bare_p99 is not None:
                    figure += f" (bare p99 {bare_p99:.1f} ms)"
                rows.append((f"{label} p99 ≤ {goal:.0f} ms at {GOAL_RATE}/s",
                             f"{name}, {TITLES[kind]}", figure, p99 <= goal))
    if not rows:
        return []
    lines = ["| goal | where | figure (medians of the runs) | |", "|---|---|---|---|"]
    lines += [f"| {goal} | {where} | {figure} | {mark(met)} |"
              for goal, where, figure, met in rows]
    return lines
