"""``frontline sandbox --data DIR`` twice: the estate, the chats and the moved clock survive a
restart, and the bot still answers — under aiogram first, then under python-telegram-bot."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.emulator.client import EmulatorClient
from tests.support.sandbox import start_sandbox

pytestmark = pytest.mark.e2e


async def _world(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}sandbox/api/world") as resp:
        assert resp.status == 200
        return dict(await resp.json())


async def _jump(url: str, jump: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.post(
            f"{url}sandbox/api/clock", json={"jump": jump}) as resp:
        assert resp.status == 200, await resp.text()
        return dict(await resp.json())


def _person(world: dict[str, Any], key: str) -> int:
    return int(next(p["id"] for p in world["people"] if p["key"] == key))


async def _my_requests(client: EmulatorClient, user_id: int) -> str:
    """What /my answers now (the bot must still take in new updates)."""
    await client.send_text(user_id, "/my")
    reply = await client.wait_for_message(user_id, lambda m: "WO-" in m.get("text", ""),
                                          timeout=20)
    return str(reply["text"])


async def test_a_kept_sandbox_comes_back_with_its_people_chats_and_clock(
        tmp_path: Path) -> None:
    data = tmp_path / "kept"
    first = start_sandbox(data, tmp_path, name="first")
    try:
        world = await _world(first.url)
        wang = _person(world, "wang")
        async with EmulatorClient(first.url.rstrip("/")) as client:
            before = await client.history(wang)
            assert any("WO-" in m.get("text", "") for m in before), "the demo history"
            listing = await _my_requests(client, wang)
        moved = await _jump(first.url, "day")
        assert moved["step_seconds"] == 86400
    finally:
        assert first.interrupt() == 0
    assert "Traceback" not in first.stderr(), first.stderr()

    second = start_sandbox(data, tmp_path, "--framework", "ptb", name="second")
    try:
        again = await _world(second.url)
        assert again["people"] == world["people"] and again["groups"] == world["groups"]
        assert again["framework"] == "ptb"
        assert again["clock"]["offset_seconds"] >= 86400 - 5, "the moved clock is kept"
        async with EmulatorClient(second.url.rstrip("/")) as client:
            kept = await client.history(wang)
            assert [m["message_id"] for m in kept[:len(before)]] == [
                m["message_id"] for m in before], "the chat history is kept"
            numbers = set(re.findall(r"WO-\d{8}-\d{4}", listing))
            assert numbers <= set(re.findall(r"WO-\d{8}-\d{4}", await _my_requests(
                client, wang))), "the restarted bot answers, from the same database"
    finally:
        assert second.interrupt() == 0
    assert "Traceback" not in second.stderr(), second.stderr()


async def test_port_zero_prints_the_port_it_picked(tmp_path: Path) -> None:
    running = start_sandbox(tmp_path / "data", tmp_path, name="port")
    try:
        async with aiohttp.ClientSession() as http, http.get(running.url) as resp:
            assert resp.status == 200
            assert "Frontline sandbox" in await resp.text()
        assert running.port != 0 and running.url.startswith("http://127.0.0.1:")
    finally:
        running.process.terminate()  # SIGTERM, as a service manager would stop it
        assert await asyncio.to_thread(running.process.wait, 20) == 0
