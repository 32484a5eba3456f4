"""Whole frameworks against the emulator: aiogram's Dispatcher and PTB's Application polling
with the echo bots from ``tests.support.echo``, and the ``python -m`` entry points as processes."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from tests.support.echo import HTTP_CLIENTS, build_aiogram_echo, build_ptb_echo
from tests.support.emulator import TEST_TOKEN


async def _echo_roundtrip(client: EmulatorClient, texts: list[str]) -> None:
    user = await client.create_user("Echo", language_code="en")
    for text in texts:
        await client.send_text(user["id"], text)

        def is_echo(message: dict[str, Any], expected: str = text) -> bool:
            return message.get("text") == expected

        reply = await client.wait_for_message(user["id"], is_echo, timeout=5)
        assert reply["from_bot"] and reply["from"]["is_bot"]


async def test_aiogram_dispatcher_echo(emulator: RunningEmulator, client: EmulatorClient) -> None:
    bot, dispatcher = build_aiogram_echo(emulator.url, TEST_TOKEN)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        await _echo_roundtrip(client, ["hello", "/start deep_link-1", "报修：厨房漏水 🚰"])
    finally:
        await dispatcher.stop_polling()
        await polling
    stats = await client.stats()
    assert stats["methods"]["sendMessage"] == 3 and stats["methods"]["getUpdates"] >= 1


@pytest.mark.parametrize("http", HTTP_CLIENTS)
async def test_ptb_application_echo(emulator: RunningEmulator, client: EmulatorClient,
                                    http: str) -> None:
    app = build_ptb_echo(emulator.url, TEST_TOKEN, http=http)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            await _echo_roundtrip(client, ["hi", "/help", "缴费 ¥300"])
        finally:
            await app.updater.stop()
            await app.stop()
    assert (await client.stats())["methods"]["sendMessage"] == 3


async def _read_line(proc: asyncio.subprocess.Process, prefix: str, seconds: float) -> str:
    assert proc.stdout is not None
    async with asyncio.timeout(seconds):
        while True:
            line = (await proc.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"process exited before printing {prefix}")
            if line.startswith(prefix):
                return line.strip()


async def test_cli_emulator_and_ptb_echo_processes() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.emulator",
        "--port",
        "0",
        "--token",
        TEST_TOKEN,
        "--enforce-limits",
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    echo: asyncio.subprocess.Process | None = None
    try:
        url = (await _read_line(server, "EMULATOR_URL=", 20)).split("=", 1)[1]
        echo = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.echo",
            "--framework",
            "ptb",
            "--api",
            url,
            "--token",
            TEST_TOKEN,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
        await _read_line(echo, "ECHO_READY", 20)
        async with EmulatorClient(url) as control:
            await _echo_roundtrip(control, ["from a process"])
    finally:
        for proc in (echo, server):
            if proc is not None and proc.returncode is None:
                proc.terminate()
                await proc.wait()
    assert server.returncode == 0  # SIGTERM is a clean shutdown


async def test_aiogram_webhook_echo(emulator: RunningEmulator, client: EmulatorClient) -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler
    from aiohttp import web

    bot, dispatcher = build_aiogram_echo(emulator.url, TEST_TOKEN)
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token="hook-secret").register(
        app, path="/telegram"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
        await bot.set_webhook(url, secret_token="hook-secret")
        await _echo_roundtrip(client, ["over the webhook"])
        # A wrong secret is refused by aiogram (401), so the emulator keeps retrying it.
        await bot.set_webhook(url, secret_token="other-secret")
        user = await client.create_user("Late")
        await client.send_text(user["id"], "lost?")
        await asyncio.sleep(0.3)
        info = await client.webhook()
        assert info["pending_update_count"] == 1 and "401" in info["last_error_message"]
        await bot.delete_webhook(drop_pending_updates=True)
    finally:
        await runner.cleanup()
        await bot.session.close()
