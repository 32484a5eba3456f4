"""Runtime benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/runtime_bench.py [--updates 2000] [--frameworks aiogram ptb]
        [--databases sqlite postgres] [--phases cold throughput latency outbound]
        [--repeat 3] [--cold-runs 3] [--rates 100] [--latency-runs 1] [--latency-seconds 10]

Measured from outside, as the issue "Lean and ready for production" measured it: the emulator
runs in this process, every bot is a fresh process on a fresh database (SQLite, or a database
of its own on one PostgreSQL server that pgserver starts for the run), and the bare framework's
echo bot (``tests.support.echo``) runs in turns with Frontline. python-telegram-bot's bare
echo runs twice: on aiohttp as Frontline's PTB adapter does (the fair baseline, the one ratios
are taken against) and on PTB's default httpx.

1. Cold start (SQLite): spawn → first getUpdates, the CPU seconds used by then, RSS once the
   triage model is warm; ``--cold-runs`` fresh starts. And ``frontline run`` without a token.
2. Throughput: ``--updates`` updates of a realistic mix (70 % texts, 30 % taps) queued at once,
   until every answer is delivered; updates/s and the bot's CPU ms per update of the bare echo,
   of our runtime with a lean core and of the whole of Frontline on each database, one worker.
3. Latency at ``--rates`` (100/s, as the goals): update → outbox commit and update → reply sent,
   p50 / p99, on each database; the bare echo's update → reply beside it.
4. Outbound: a 300-row broadcast against the emulator's enforced limits, sender at 25/s.

Every row prints min / median / max of its runs; a Markdown table of the goals (✓/✗ against
the medians, never an assertion) closes the run. The parts live in ``tests/benchmarks/runtime/``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.runtime.processes import SERVE_LEAN_CORE

if __name__ == "__main__":
    if SERVE_LEAN_CORE in sys.argv:  # a bot process of the throughput phase
        from tests.benchmarks.runtime.lean_core import serve_lean_core

        serve_lean_core()
        raise SystemExit(0)
    from tests.benchmarks.runtime.run import main, parser

    asyncio.run(main(parser(__doc__ or "").parse_args()))
