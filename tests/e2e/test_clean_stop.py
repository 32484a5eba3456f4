"""Ctrl-C stops Frontline cleanly however it was started: through ``uv run`` as the README
says (uv forwards the terminal's SIGINT a second time about 200 ms later) and directly.

Clean means: exit code 0, "stopped" logged, no traceback, no unclosed HTTP session, and the
SQLite WAL folded back into the database file — for ``frontline run`` on both frameworks and
for the sandbox.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.conftest import ci
from tests.e2e.conftest import Launch
from tests.e2e.harness import BotProcess
from tests.support.emulator import running_emulator
from tests.support.sandbox import press_ctrl_c, start_sandbox, through_uv

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["uv run", "directly"])
def started(request: pytest.FixtureRequest) -> str:
    if request.param == "uv run" and shutil.which("uv") is None and not ci():
        pytest.skip("uv is not installed: pip install uv")
    return str(request.param)


class UvBotProcess(BotProcess):
    """``uv run frontline run``, in the test's temp dir."""

    def _command(self) -> list[str]:
        return through_uv("run")


def _clean(output: str) -> None:
    assert "Traceback" not in output, output[-4000:]
    assert "Unclosed" not in output, output[-4000:]


async def test_frontline_run_stops_cleanly_on_ctrl_c(
        framework: str, started: str, launch: Launch, tmp_path: Path) -> None:
    async with running_emulator() as emulator:
        bot = launch(framework, emulator.url)
        if started == "uv run":
            bot = UvBotProcess(bot.env, bot.log_path, cwd=bot.cwd)
            launch.processes.append(bot)
        await bot.start(within=90)
        assert bot.process is not None
        await asyncio.to_thread(press_ctrl_c, bot.process.pid)
        assert await bot.wait(60) == 0, bot.log()[-4000:]
    _clean(bot.log())
    assert "runtime: stopped" in bot.log()
    assert "SIGINT received again; already stopping" in bot.log() or started == "directly"
    assert (tmp_path / "frontline.db").exists()
    assert not (tmp_path / "frontline.db-wal").exists(), "the WAL is checkpointed"


def test_the_sandbox_stops_cleanly_on_ctrl_c(framework: str, started: str,
                                             tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start_sandbox(data, tmp_path, "--framework", framework, within=90,
                            command=through_uv() if started == "uv run" else None)
    try:
        press_ctrl_c(running.process.pid)
        assert running.process.wait(60) == 0, running.stderr()
    finally:
        running.kill()
    _clean(running.stderr())
    log = (data / "sandbox.log").read_text(errors="replace")
    _clean(log)
    assert "runtime: stopped" in log and "sandbox: stopped" in log, log[-3000:]
    assert (data / "frontline.db").exists() and (data / "chats.json").exists()
    assert not (data / "frontline.db-wal").exists(), "the WAL is checkpointed"
