"""Running the bot against the emulator: in this process (integration) or as ``frontline run``.

Every environment built here points ``FRONTLINE_API_BASE`` at a local emulator or proxy;
:func:`safe_env` refuses anything else, so no test can reach the real api.telegram.org.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.runtime import run_bot
from bot.settings import Settings
from dialogs.events import Event
from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import SystemClock
from storage.db import make_engine, upgrade
from storage.models import Outbox
from tests.support.emulator import TEST_TOKEN

Core = Callable[[Office, Event], None]
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
READY_LINE = " up ("  # "runtime: aiogram bot @name up (long polling)"


def assert_local(url: str) -> None:
    """Refuse any Bot API base that is not this machine."""
    host = urlsplit(url).hostname or ""
    if host not in LOCAL_HOSTS:
        raise RuntimeError(f"tests must talk to a local emulator, not {url}")


def safe_env(api_base: str, **extra: str) -> dict[str, str]:
    """The child's environment: ours minus any FRONTLINE_* we did not choose, plus *extra*."""
    assert_local(api_base)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update({"FRONTLINE_API_BASE": api_base, "FRONTLINE_BOT_TOKEN": TEST_TOKEN,
                "PYTHONUNBUFFERED": "1", **extra})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def office_for(url: str) -> Office:
    """An office on *url* with the real clock (the sender's retry times are wall-clock)."""
    upgrade(url)
    return Office(engine=make_engine(url), clock=SystemClock(),
                  timezone=ZoneInfo("Asia/Shanghai"), catalog=load_catalog())


def outbox(office: Office) -> list[Outbox]:
    with Session(office.engine) as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))).all())


def rows(database_url: str, query: str) -> list[tuple[object, ...]]:
    """Read the bot's SQLite database as the office would look into it."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return list(connection.execute(query))


async def eventually(check: Callable[[], bool], within: float = 10.0,
                     every: float = 0.02) -> None:
    """Wait until *check()* is true; fail after *within* seconds."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s: {check}")
        await asyncio.sleep(every)


# -- in this process ---------------------------------------------------------------------------
@dataclass
class InProcessBot:
    settings: Settings
    office: Office
    stop: asyncio.Event
    task: asyncio.Task[None]


@asynccontextmanager
async def bot_in_process(api_base: str, office: Office, core: Core, *, framework: str,
                         webhook_url: str | None = None,
                         **settings: Any) -> AsyncIterator[InProcessBot]:
    """``run_bot`` in a task of this event loop; stopped (gracefully) on exit."""
    assert_local(api_base)
    values: dict[str, Any] = {"bot_token": TEST_TOKEN, "api_base": api_base,
                              "framework": framework, "database_url": str(office.engine.url),
                              **settings}
    config = Settings.model_validate(values)
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(config, webhook_url=webhook_url, office=office,
                                       stop=stop, handle=core))
    try:
        yield InProcessBot(config, office, stop, task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


# -- as a separate process -----------------------------------------------------------------
def run_command() -> list[str]:
    """``frontline run`` — or, while the CLI does not register it yet, the same function."""
    from bot.cli import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in
             app.registered_commands}
    if "run" in names or "run_command" in names:
        script = Path(sys.executable).with_name("frontline")
        return [str(script), "run"] if script.exists() else [
            sys.executable, "-m", "bot.cli", "run"]
    return [sys.executable, "-m", "bot.run_cli"]


@dataclass
class BotProcess:
    """A real ``frontline run`` process; its output goes to a log file in the test's tmp dir."""

    env: dict[str, str]
    log_path: Path
    webhook_url: str | None = None
    cwd: Path | None = None  # a temp dir: no stray .env file can point it anywhere else
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    def _command(self) -> list[str]:
        command = run_command()
        if self.webhook_url:
            command += ["--webhook", self.webhook_url]
        return command

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, within: float = 40.0) -> None:
        """Start the process and wait until it says it is up."""
        assert not self.running
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self._command(), env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.cwd)
        self.starts += 1
        deadline = time.monotonic() + within
        while True:
            text = self.log_path.read_bytes()[offset:].decode(errors="replace")
            if READY_LINE in text:
                return
            if self.process.returncode is not None:
                raise RuntimeError(f"frontline run exited early:\n{text[-4000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"frontline run not up within {within}s:\n{text[-4000:]}")
            await asyncio.sleep(0.05)

    async def terminate(self, within: float = 30.0) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await self.wait(within)

    async def kill(self) -> None:
        """kill -9: no cleanup of any kind."""
        assert self.process is not None
        self.process.kill()
        await self.wait(10)

    async def wait(self, within: float) -> int:
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            raise

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def cleanup(self) -> None:
        if self.running and self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
