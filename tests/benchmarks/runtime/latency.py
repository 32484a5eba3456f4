"""Latency at a steady rate (``--rates``, the goals' 100/s) for ``--latency-seconds``: update →
outbox commit (the dedupe row seen from outside) and update → the bot's first answer reaching
the emulator, for Frontline on each database and for each bare echo bot (answer only).

Outbound: a 300-row broadcast against the emulator's enforced limits (30/s, 1/s per chat) with
the sender at its default 25/s: sends/s and 429s.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.emulator import Emulator, RateLimits, start_emulator
from dialogs.events import Priority, Say
from locales import Raw
from tests.benchmarks.runtime.databases import TITLES, CommitWatch, Databases
from tests.benchmarks.runtime.figures import Figures, percentile, spread
from tests.benchmarks.runtime.processes import (
    UNLIMITED,
    Baseline,
    baselines,
    frontline_bot,
    until,
)
from tests.benchmarks.runtime.residents import (
    MENU,
    bind_residents,
    echo_bot,
    inject_paced,
    new_office,
)
from tests.e2e.harness import office_for
from tests.e2e.senders import queue
from tests.support.emulator import TEST_TOKEN

REPLIES = ("message", "message_edited", "callback_answered")  # the bot's first answer to an update
LATENCIES = {"commit": "update→outbox commit", "reply": "update→reply sent"}
LATENCY_RATES = (100.0,)  # updates/s; the goals are stated at 100/s


@asynccontextmanager
async def answers(emu: Emulator) -> AsyncIterator[dict[int, list[float]]]:
    """When the bot's answers arrived, per chat, while the block runs."""
    answered: dict[int, list[float]] = {}
    subscription = emu.subscribe()

    async def note() -> None:
        async for event in subscription:
            if event["type"] in REPLIES and (event["type"] != "message"
                                             or event["message"]["from_bot"]):
                answered.setdefault(event["chat_id"], []).append(time.time())

    listener = asyncio.create_task(note())
    try:
        yield answered
        await asyncio.sleep(0.2)  # the last answers' events
    finally:
        subscription.close()
        await listener


def reply_waits(stamps: dict[int, tuple[int, float]],
                answered: dict[int, list[float]]) -> list[float]:
    """Milliseconds from each update to the first answer in its chat after it (each resident
    writes every couple of seconds, so that answer is the one to it), sorted."""
    waits = []
    for user, at in stamps.values():
        later = [t for t in answered.get(user, []) if t >= at]
        if later:
            waits.append((min(later) - at) * 1000)
    return sorted(waits)


def keep(out: Figures, key: tuple[str, ...], waits: list[float]) -> None:
    out.note((*key, "p50"), statistics.median(waits) if waits else float("nan"))
    out.note((*key, "p99"), percentile(waits, 0.99))


async def latency_bare(framework: str, baseline: Baseline, workdir: Path, out: Figures,
                       per_second: float, seconds: float) -> None:
    """Update → answer of one fresh bare echo bot at *per_second*."""
    async with echo_bot(framework, baseline, workdir) as (emu, users, _), \
            answers(emu) as answered:
        stamps = await inject_paced(emu, users, int(per_second * seconds), per_second, MENU)
        await until(lambda: len(reply_waits(stamps, answered)) >= len(stamps), within=60)
    keep(out, ("reply", framework, "", baseline.name, f"{per_second:g}"),
         reply_waits(stamps, answered))


async def latency_ours(framework: str, kind: str, workdir: Path, databases: Databases,
                       out: Figures, per_second: float, seconds: float) -> None:
    """Update → commit and update → answer of one fresh Frontline on a database of *kind*."""
    running = await start_emulator(token=TEST_TOKEN)
    emu = running.emulator
    database = databases.fresh(kind, f"lat-{framework}")
    watch = CommitWatch(database)
    try:
        codes = new_office(database.url)
        bot = frontline_bot(framework, running.url, database.url, workdir, **UNLIMITED)
        await bot.start(within=120)
        users = await bind_residents(emu, codes)
        await until(lambda: not emu.pending_update_count and database.outbox_idle())
        watch.start()
        async with answers(emu) as answered:
            stamps = await inject_paced(emu, users, int(per_second * seconds), per_second, MENU,
                                        queued=lambda update: watch.expect(f"u:{update}"))
            await until(lambda: all(f"u:{u}" in watch.seen for u in stamps), within=60)
            await until(database.outbox_idle, within=60)
        await bot.terminate()
    finally:
        watch.stop()
        database.close()
        await running.stop()
    rate = f"{per_second:g}"
    keep(out, ("commit", framework, kind, "frontline", rate),
         sorted((watch.seen[f"u:{u}"] - at) * 1000 for u, (_, at) in stamps.items()))
    keep(out, ("reply", framework, kind, "frontline", rate), reply_waits(stamps, answered))


async def latency(framework: str, kinds: list[str], workdir: Path, databases: Databases,
                  out: Figures, rates: list[float], runs: int, seconds: float) -> None:
    """*runs* turns at each rate (bare echoes, then Frontline on each database); then p50 and
    p99 per row, as min / median / max over the runs."""
    for per_second in rates:
        for _ in range(runs):
            for baseline in baselines(framework):
                await latency_bare(framework, baseline, workdir, out, per_second, seconds)
            for kind in kinds:
                await latency_ours(framework, kind, workdir, databases, out, per_second,
                                   seconds)
        where = f"at {per_second:g}/s for {seconds:g} s" + (f", {runs} runs" if runs > 1 else "")
        for baseline in baselines(framework):
            latency_row(out, f"[{framework}] update→reply sent {where}: {baseline.name}",
                        ("reply", framework, "", baseline.name, f"{per_second:g}"))
        for kind in kinds:
            for what, label in LATENCIES.items():
                latency_row(out, f"[{framework}] {label} {where}: Frontline, {TITLES[kind]}",
                            (what, framework, kind, "frontline", f"{per_second:g}"))


def latency_row(out: Figures, label: str, key: tuple[str, ...]) -> None:
    p50, p99 = out.runs[(*key, "p50")], out.runs[(*key, "p99")]
    out.add(label, f"p50 {spread(p50, 'ms', 1)}, p99 {spread(p99, 'ms', 1)}")


async def outbound(framework: str, workdir: Path, databases: Databases, out: Figures,
                   rows: int = 300) -> None:
    running = await start_emulator(token=TEST_TOKEN, rate_limits=RateLimits())
    emu = running.emulator
    database = databases.fresh("sqlite", f"out-{framework}")
    new_office(database.url)
    stamps: list[float] = []
    try:
        bot = frontline_bot(framework, running.url, database.url, workdir)  # limits: 25/s
        await bot.start(within=120)
        users = [emu.create_user(f"R{i}", started=True).id for i in range(rows)]
        subscription = emu.subscribe()

        async def count_sends() -> None:
            async for event in subscription:
                if event["type"] == "message" and event["message"]["from_bot"]:
                    stamps.append(time.perf_counter())

        counter = asyncio.create_task(count_sends())
        office = office_for(database.url)
        queue(office, *(Say(u, Raw("停水通知：明天 9:00–12:00"), priority=Priority.BULK)
                        for u in users))
        office.engine.dispose()
        await until(lambda: len(stamps) >= rows, within=120)
        subscription.close()
        await counter
        await bot.terminate()
    finally:
        await running.stop()
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    out.add(f"[{framework}] broadcast of {rows} at limit 30/s, sender set to 25/s",
            f"{rate:.1f} sends/s ({rate / 25:.0%} of 25/s), "
            f"{emu.stats.too_many_requests} × 429")
