"""The runtime benchmark still runs: every phase, both databases, tiny counts, under PTB (its
two bare echo bots cover the most of the benchmark's code; aiogram differs only by name).

It checks that every figure the issue's goals name is printed, not what the figures are.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.conftest import unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "runtime_bench.py"
GOALS = ("updates/s ≥ 60% of bare echo | python-telegram-bot, SQLite",
         "updates/s ≥ 60% of bare echo | python-telegram-bot, PostgreSQL",
         "cold start ≤ bare + 1.0 s | python-telegram-bot",
         "RSS ≤ bare + 60 MB | python-telegram-bot",
         "update → commit p99 ≤ 15 ms at 100/s | python-telegram-bot, SQLite",
         "update → commit p99 ≤ 15 ms at 100/s | python-telegram-bot, PostgreSQL",
         "update → reply sent p99 ≤ 30 ms at 100/s | python-telegram-bot, SQLite",
         "update → reply sent p99 ≤ 30 ms at 100/s | python-telegram-bot, PostgreSQL")
ROWS = ("updates/s: bare echo, aiohttp (fair)", "updates/s: bare echo, httpx (PTB default)",
        "updates/s, SQLite: runtime + lean core", "updates/s, PostgreSQL: Frontline (whole core)",
        "update→reply sent at 100/s for 0.5 s: bare echo, aiohttp (fair)",
        "update→outbox commit at 100/s for 0.5 s: Frontline, PostgreSQL",
        "spawn → first getUpdates: frontline run", "broadcast of 300",
        "`frontline run` without a token")


async def test_every_phase_prints_every_goal(tmp_path: Path) -> None:
    try:
        import pgserver  # noqa: F401
    except ImportError:  # pragma: no cover - pgserver is a dev dependency
        unavailable("the runtime benchmark's PostgreSQL rows need pgserver", "uv sync")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(BENCH), "--frameworks", "ptb", "--updates", "20", "--repeat", "1",
        "--cold-runs", "1", "--rates", "100", "--latency-seconds", "0.5", cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 600)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-4000:]
    figures, _, table = text.partition("goals (medians;")
    assert [row for row in ROWS if row not in figures] == [], text[-4000:]
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    missing = [goal for goal in GOALS if not any(f"| {goal} |" in line for line in lines)]
    assert missing == [], table
    assert all(line.rstrip().endswith(("| ✓ |", "| ✗ |")) for line in lines[1:]), table
