"""Helpers for tests that drive the Bot API emulator (``bot/emulator``) with the real client
libraries.

Client imports are local: aiogram alone takes seconds to import, and a test module that only
needs PTB should not pay for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.emulator.server import RunningEmulator, start_emulator

if TYPE_CHECKING:
    import aiogram
    import telegram

TEST_TOKEN = "123456:TEST-emulator_token"


@asynccontextmanager
async def running_emulator(**kw: Any) -> AsyncIterator[RunningEmulator]:
    """An emulator on a free loopback port; ``kw`` go to ``Emulator(...)``."""
    kw.setdefault("token", TEST_TOKEN)
    running = await start_emulator(**kw)
    try:
        yield running
    finally:
        await running.stop()


def aiogram_bot(url: str, token: str = TEST_TOKEN) -> aiogram.Bot:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))


def ptb_bot(url: str, token: str = TEST_TOKEN, *, http: str = "httpx") -> telegram.Bot:
    """A PTB bot on PTB's own httpx requests, or (``http="aiohttp"``) on the ones Frontline
    runs with (:class:`bot.adapters.ptb_request.AiohttpRequest`)."""
    from telegram import Bot

    requests: dict[str, Any] = {}
    if http == "aiohttp":
        from bot.adapters.ptb_request import AiohttpRequest

        requests = {"request": AiohttpRequest(connections=4),
                    "get_updates_request": AiohttpRequest(connections=1, read_timeout=30.0)}
    return Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot", **requests)
