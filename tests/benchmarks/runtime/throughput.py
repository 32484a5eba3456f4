"""Throughput: bound residents send the mix as fast as the emulator takes it, timed until every
update is handled *and* every answer delivered.

Rows per framework: each bare echo bot (no database: a text answered with a message, a tap
with its answer and an edit — the Bot API calls Frontline makes for the same input); per
database, our runtime with the lean core (one transaction: dedupe + the same replies — what the
runtime itself costs) and the whole of Frontline. One turn runs every row once, each in a fresh
process on a fresh database; ``--repeat`` turns. Beside updates/s, the bot process's CPU
milliseconds per update (PostgreSQL's own CPU is not in it).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bot.emulator import start_emulator
from tests.benchmarks.runtime.databases import TITLES, Databases
from tests.benchmarks.runtime.figures import Figures, spread
from tests.benchmarks.runtime.processes import (
    UNLIMITED,
    Baseline,
    baselines,
    cpu_seconds,
    frontline_bot,
    until,
)
from tests.benchmarks.runtime.residents import (
    ECHO_BUTTON,
    MENU,
    bind_residents,
    echo_bot,
    inject_mix,
    lean_residents,
    new_office,
)
from tests.support.emulator import TEST_TOKEN

CORES = {"lean": "runtime + lean core (dedupe + reply)", "frontline": "Frontline (whole core)"}


async def throughput_bare(framework: str, baseline: Baseline, updates: int,
                          workdir: Path) -> tuple[float, float]:
    """(updates/s, CPU ms per update) of one fresh bare echo bot."""
    async with echo_bot(framework, baseline, workdir) as (emu, users, pid):
        sends, edits = emu.stats.sends, emu.stats.methods["editMessageText"]
        cpu = cpu_seconds(pid)
        started = time.perf_counter()
        texts = inject_mix(emu, users, updates, MENU)
        # Every text brings a message back; every tap an answer and an edit.
        await until(lambda: emu.stats.sends - sends >= texts
                    and emu.stats.methods["editMessageText"] - edits >= updates - texts
                    and not emu.pending_update_count, every=0.005)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu
    return updates / elapsed, cpu * 1000 / updates


async def throughput_ours(framework: str, kind: str, core: str, updates: int, workdir: Path,
                          databases: Databases) -> tuple[float, float]:
    """(updates/s, CPU ms per update) of one fresh ``frontline run`` with *core* on a fresh
    database of *kind*."""
    running = await start_emulator(token=TEST_TOKEN)
    emu = running.emulator
    database = databases.fresh(kind, f"tp-{framework}-{core}")
    try:
        codes = new_office(database.url)
        bot = frontline_bot(framework, running.url, database.url, workdir, core=core,
                            **UNLIMITED)
        await bot.start(within=120)
        assert bot.process is not None
        users = await (lean_residents(emu) if core == "lean" else bind_residents(emu, codes))
        await until(lambda: not emu.pending_update_count and database.outbox_idle())
        cpu = cpu_seconds(bot.process.pid)
        started = time.perf_counter()
        inject_mix(emu, users, updates, ECHO_BUTTON if core == "lean" else MENU)
        await until(lambda: not emu.pending_update_count, every=0.005)
        await until(database.outbox_idle, every=0.005)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(bot.process.pid) - cpu
        await bot.terminate()
    finally:
        database.close()
        await running.stop()
    return updates / elapsed, cpu * 1000 / updates


async def throughput(framework: str, kinds: list[str], updates: int, repeat: int,
                     workdir: Path, databases: Databases, out: Figures) -> None:
    """*repeat* turns of every row, then each row's min / median / max."""
    bare = baselines(framework)
    for _ in range(repeat):
        for baseline in bare:
            rate, cpu = await throughput_bare(framework, baseline, updates, workdir)
            out.note(("updates/s", framework, "", baseline.name), rate)
            out.note(("cpu ms", framework, "", baseline.name), cpu)
        for kind in kinds:
            for core in CORES:
                rate, cpu = await throughput_ours(framework, kind, core, updates, workdir,
                                                  databases)
                out.note(("updates/s", framework, kind, core), rate)
                out.note(("cpu ms", framework, kind, core), cpu)

    def row(label: str, key: tuple[str, str], fair: float | None = None) -> None:
        rates = out.runs[("updates/s", framework, *key)]
        text = f"{spread(rates, 'updates/s', 0)}"
        if fair is not None:
            text += f" ({statistics.median(rates) / fair:.0%} of bare)"
        cpu = out.runs[("cpu ms", framework, *key)]
        out.add(label, f"{text}; CPU {spread(cpu, 'ms/update')}")

    runs = f"{repeat} runs, min / median / max" if repeat > 1 else "one run"
    out.add(f"[{framework}] end-to-end, {updates} updates queued at once ({runs})", "")
    for baseline in bare:
        row(f"[{framework}] updates/s: {baseline.name}", ("", baseline.name))
    fair = statistics.median(out.runs[("updates/s", framework, "", bare[0].name)])
    for kind in kinds:
        for core, label in CORES.items():
            row(f"[{framework}] updates/s, {TITLES[kind]}: {label}", (kind, core), fair)
