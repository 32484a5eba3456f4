"""Cold start: ``frontline run`` from spawn until its first getUpdates reaches the emulator, and
its RSS once the triage model is warm, beside each bare echo bot of the framework; fresh
processes in turns, on SQLite. Also how long ``frontline run`` without a token takes to say so,
and how much of what the bots import is compiled to bytecode (a start without a .pyc compiles
the module from source: README, "Installed compiled")."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import resource
import statistics
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

from bot.emulator import Emulator, start_emulator
from tests.benchmarks.runtime.databases import Databases
from tests.benchmarks.runtime.figures import Figures, spread
from tests.benchmarks.runtime.processes import (
    ECHOES,
    Baseline,
    baselines,
    cpu_seconds,
    frontline_bot,
    rss_mb,
    start_echo,
    stop_echo,
    until,
)
from tests.benchmarks.runtime.residents import new_office
from tests.e2e.harness import run_command
from tests.support.emulator import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("bot", "dialogs", "handlers", "locales", "scheduler", "storage")
TRIAGE_READY = "runtime: triage ready"  # logged once the background warm-up is done
FIGURES = ("polled", "cpu", "rss")  # what each fresh start gives, in Figures' keys


async def first_poll(emu: Emulator, started: float,
                     pid: Callable[[], int | None]) -> tuple[float, float]:
    """Seconds from *started* (the spawn) until the emulator sees the first getUpdates, and
    the CPU seconds the process had used by then."""
    await until(lambda: emu.stats.methods["getUpdates"] > 0, within=120, every=0.002)
    elapsed = time.perf_counter() - started
    process = pid()
    return elapsed, cpu_seconds(process) if process is not None else float("nan")


async def cold_frontline(framework: str, workdir: Path,
                         databases: Databases) -> tuple[float, float, float, float]:
    """One fresh ``frontline run``: (spawn → "up", spawn → first getUpdates, its CPU seconds,
    RSS once triage is warm)."""
    running = await start_emulator(token=TEST_TOKEN)
    try:
        database = databases.fresh("sqlite", f"cold-{framework}")
        new_office(database.url)
        bot = frontline_bot(framework, running.url, database.url, workdir)
        earlier = len(bot.log())  # the runs before this one wrote to the same log
        started = time.perf_counter()
        up = asyncio.create_task(bot.start(within=120))
        polled, cpu = await first_poll(
            running.emulator, started, lambda: bot.process.pid if bot.process else None)
        await up
        elapsed = time.perf_counter() - started
        await until(lambda: TRIAGE_READY in bot.log()[earlier:], within=120)
        assert bot.process is not None
        memory = rss_mb(bot.process.pid)
        await bot.terminate()
    finally:
        await running.stop()
    return elapsed, polled, cpu, memory


async def cold_echo(framework: str, baseline: Baseline,
                    workdir: Path) -> tuple[float, float, float]:
    """One fresh bare echo bot: (spawn → first getUpdates, its CPU seconds, RSS)."""
    running = await start_emulator(token=TEST_TOKEN)
    try:
        started = time.perf_counter()
        echoes = len(ECHOES)
        ready = asyncio.create_task(start_echo(framework, baseline, running.url, workdir))
        polled, cpu = await first_poll(
            running.emulator, started, lambda: ECHOES[-1].pid if len(ECHOES) > echoes else None)
        echo = await ready
        memory = rss_mb(echo.pid)
        await stop_echo(echo)
    finally:
        await running.stop()
    return polled, cpu, memory


async def no_token_answer(workdir: Path) -> tuple[float, float]:
    """Seconds ``frontline run`` takes to say that the token is missing, and exit; and the CPU
    seconds it used (no other child of ours ends meanwhile)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONTLINE_")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *run_command(), env=env, cwd=workdir, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)
    await process.wait()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compiled(folders: list[Path]) -> str:
    """How many of the .py files under *folders* have a .pyc to start from."""
    sources = [source for folder in folders for source in folder.rglob("*.py")]
    found = sum(Path(importlib.util.cache_from_source(str(source))).is_file()
                for source in sources)
    return f"{found} of {len(sources)} .py files have a .pyc"


def bytecode(out: Figures) -> None:
    out.add("bytecode: site-packages", compiled([Path(sysconfig.get_paths()["purelib"])]))
    out.add("bytecode: Frontline's packages", compiled([ROOT / name for name in PACKAGES]))


async def without_token(workdir: Path, out: Figures, runs: int) -> None:
    answers = [await no_token_answer(workdir) for _ in range(runs)]
    out.add("`frontline run` without a token: until it has said so",
            spread([wall for wall, _ in answers], "s"))
    out.add("`frontline run` without a token: CPU seconds",
            spread([cpu for _, cpu in answers], "s"))


async def cold_start(framework: str, workdir: Path, databases: Databases, out: Figures,
                     runs: int) -> None:
    """*runs* fresh starts of Frontline and of each bare echo, in turns (a busy neighbour
    slows them alike)."""
    up: list[float] = []
    bare = baselines(framework)
    for _ in range(runs):
        elapsed, polled, cpu, rss = await cold_frontline(framework, workdir, databases)
        up.append(elapsed)
        for name, value in zip(FIGURES, (polled, cpu, rss), strict=True):
            out.note(("cold", framework, "frontline", name), value)
        for baseline in bare:
            for name, value in zip(FIGURES, await cold_echo(framework, baseline, workdir),
                                   strict=True):
                out.note(("cold", framework, baseline.name, name), value)

    def row(what: str, who: str, unit: str, digits: int, fair: str | None = None) -> None:
        values = out.runs[("cold", framework, who, what)]
        text = spread(values, unit, digits)
        if fair is not None:
            extra = statistics.median(values) - statistics.median(
                out.runs[("cold", framework, fair, what)])
            text += f"  (median {extra:+.{digits}f} {unit})"
        out.add(f"[{framework}] {LABELS[what]}: {'frontline run' if fair else who}", text)

    runs_of = f"{runs} fresh runs of each, min / median / max" if runs > 1 else "one run"
    out.add(f"[{framework}] cold start on SQLite ({runs_of}; Frontline's +/- vs "
            f"{bare[0].name})", "")
    for what, unit, digits in (("polled", "s", 2), ("cpu", "s", 2), ("rss", "MB", 0)):
        for baseline in bare:
            row(what, baseline.name, unit, digits)
        row(what, "frontline", unit, digits, fair=bare[0].name)
    out.add(f"[{framework}] cold start → \"up\" logged: frontline run", spread(up, "s"))


LABELS = {"polled": "spawn → first getUpdates", "cpu": "CPU s by the first getUpdates",
          "rss": "RSS (Frontline's once triage is warm)"}
