"""The processes a run starts: ``frontline run`` (whole core or lean core) and the bare echo bots,
and what is read from them (RSS, CPU seconds)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import BotProcess, safe_env
from tests.support.emulator import TEST_TOKEN

ENTRY = Path(__file__).resolve().parents[1] / "runtime_bench.py"  # serves the lean core too
SERVE_LEAN_CORE = "--serve-lean-core"
UNLIMITED = {"FRONTLINE_SEND_RATE_PER_SECOND": "100000",
             "FRONTLINE_PRIVATE_CHAT_PER_SECOND": "1000",
             "FRONTLINE_GROUP_CHAT_PER_MINUTE": "100000"}
SPAWNED: list[BotProcess] = []
ECHOES: list[asyncio.subprocess.Process] = []


@dataclass(frozen=True)
class Baseline:
    """One bare echo bot of a framework: ``name`` in the figures, ``args`` for the echo."""

    name: str
    args: tuple[str, ...] = ()


def baselines(framework: str) -> list[Baseline]:
    """The bare echo bots Frontline under *framework* is compared with; the first is the fair
    one (the same HTTP library as Frontline), the one ratios and goals are taken against."""
    if framework == "ptb":
        return [Baseline("bare echo, aiohttp (fair)", ("--http", "aiohttp")),
                Baseline("bare echo, httpx (PTB default)", ("--http", "httpx"))]
    return [Baseline("bare echo")]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: on a busy shared machine the wall clock
    says more about the neighbours than about us."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def frontline_bot(framework: str, api: str, database_url: str, workdir: Path,
                  core: str = "frontline", **env: str) -> BotProcess:
    """``frontline run`` (not started yet); with ``core="lean"`` the same runtime with the
    lean core (:mod:`tests.benchmarks.runtime.lean_core`)."""
    settings = {"FRONTLINE_DATABASE_URL": database_url, "FRONTLINE_FRAMEWORK": framework, **env}
    process = BotProcess(safe_env(api, **settings), workdir / f"bot-{framework}-{core}.log",
                         cwd=workdir)
    SPAWNED.append(process)
    if core == "lean":
        process._command = lambda: [sys.executable, str(ENTRY), SERVE_LEAN_CORE]  # type: ignore[method-assign]
    return process


async def start_echo(framework: str, baseline: Baseline, api: str,
                     workdir: Path) -> asyncio.subprocess.Process:
    """A bare echo bot, once it says it is polling."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.echo", "--framework", framework, *baseline.args,
        "--api", api, "--token", TEST_TOKEN, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, cwd=workdir)
    ECHOES.append(process)
    assert process.stdout is not None
    while b"ECHO_READY" not in await process.stdout.readline():
        if process.returncode is not None:
            raise RuntimeError(f"the {framework} {baseline.name} exited early")
    return process


async def stop_echo(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 10)
    except TimeoutError:
        process.kill()


def stop_all() -> None:
    """Kill whatever a failed phase left running."""
    for bot in SPAWNED:
        bot.cleanup()
    for echo in ECHOES:
        if echo.returncode is None:
            echo.kill()


async def until(check: Callable[[], bool], within: float = 300.0, every: float = 0.01) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark phase did not finish")
        await asyncio.sleep(every)
