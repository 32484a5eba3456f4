"""A newcomer's first ``frontline run``, as a real process: no token, a mistyped token, no Bot
API to be reached yet, a token the Bot API rejects. Each is one clear line, never a traceback;
an unreachable Bot API is tried again (one line per attempt) until it answers."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.harness import READY_LINE, free_port, run_command, safe_env
from tests.support.emulator import running_emulator

pytestmark = pytest.mark.e2e

UNREACHABLE = "cannot reach the Bot API at "


def _env(tmp_path: Path, api_base: str, framework: str = "aiogram", **extra: str
         ) -> dict[str, str]:
    return safe_env(api_base, FRONTLINE_DATABASE_URL=f"sqlite:///{tmp_path / 'frontline.db'}",
                    FRONTLINE_FRAMEWORK=framework, **extra)


def _read(log: Path) -> str:
    return log.read_bytes().decode(errors="replace")


async def _start(env: dict[str, str], tmp_path: Path) -> tuple[asyncio.subprocess.Process, Path]:
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *run_command(), env=env, stdout=out, stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path, start_new_session=True)
    return process, log


async def _until(log: Path, process: asyncio.subprocess.Process, text: str, *,
                 count: int = 1, within: float = 90.0) -> str:
    """Wait until *text* is in the log *count* times; fail if the process exits first."""
    deadline = time.monotonic() + within
    while True:
        output = _read(log)
        if output.count(text) >= count:
            return output
        if process.returncode is not None or time.monotonic() > deadline:
            if process.returncode is None:
                process.kill()
            raise AssertionError(f"{text!r} ×{count} not seen:\n{output[-4000:]}")
        await asyncio.sleep(0.1)


def _one_clear_line(output: str, *words: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    for word in words:
        assert word in lines[0], output


async def test_without_a_token_one_line_says_where_to_get_one(tmp_path: Path) -> None:
    env = _env(tmp_path, "http://127.0.0.1:9")
    del env["FRONTLINE_BOT_TOKEN"]
    process, log = await _start(env, tmp_path)
    assert await asyncio.wait_for(process.wait(), 60) != 0
    _one_clear_line(_read(log), "FRONTLINE_BOT_TOKEN is not set", "@BotFather")
    assert not (tmp_path / "frontline.db").exists(), "nothing is created without a token"


async def test_a_token_that_is_not_one_is_refused_in_one_line(tmp_path: Path) -> None:
    process, log = await _start(
        _env(tmp_path, "http://127.0.0.1:9", FRONTLINE_BOT_TOKEN="my bot token"), tmp_path)
    assert await asyncio.wait_for(process.wait(), 60) != 0
    _one_clear_line(_read(log), "does not look like a bot token", "@BotFather")


async def test_an_unreachable_bot_api_is_tried_again_until_it_answers(
        framework: str, tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet
    api = f"http://127.0.0.1:{port}"
    process, log = await _start(_env(tmp_path, api, framework), tmp_path)
    try:
        output = await _until(log, process, UNREACHABLE + api, count=2)
        assert "Traceback" not in output
        attempts = [line for line in output.splitlines() if UNREACHABLE in line]
        assert "attempt 1, trying again in 1 s" in attempts[0], attempts
        assert "attempt 2, trying again in 2 s" in attempts[1], attempts
        async with running_emulator(port=port):
            output = await _until(log, process, READY_LINE)
            process.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(process.wait(), 60) == 0
        output = _read(log)
        assert "Traceback" not in output and "Unclosed" not in output, output
        assert "runtime: stopped" in output
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)


async def test_ctrl_c_while_waiting_for_the_bot_api_stops_cleanly(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    process, log = await _start(_env(tmp_path, api), tmp_path)
    try:
        await _until(log, process, UNREACHABLE + api)
        os.killpg(process.pid, signal.SIGINT)
        await asyncio.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)  # as ``uv run`` forwards it again
        assert await asyncio.wait_for(process.wait(), 30) == 0
        output = _read(log)
        assert "Traceback" not in output and "Unclosed" not in output, output
        assert "runtime: stopped" in output, output[-2000:]
        assert not (tmp_path / "frontline.db-wal").exists()
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)


async def test_a_rejected_token_is_one_line_and_no_retry(framework: str, tmp_path: Path) -> None:
    async with running_emulator() as emulator:  # it knows only the tests' own token
        process, log = await _start(
            _env(tmp_path, emulator.url, framework, FRONTLINE_BOT_TOKEN="42:not-this-bot"),
            tmp_path)
        assert await asyncio.wait_for(process.wait(), 90) == 1
    output = _read(log)
    assert "Traceback" not in output and "Unclosed" not in output, output
    assert UNREACHABLE not in output, "a rejected token is not tried again"
    last = output.strip().splitlines()[-1]
    assert "rejected FRONTLINE_BOT_TOKEN" in last and "@BotFather" in last, output[-2000:]
    assert "not-this-bot" not in output, "the token is never printed"
