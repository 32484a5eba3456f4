"""Helpers for tests that drive the emulator with the real client libraries.

Client imports are local: aiogram alone takes seconds to import, and a test module that only
needs PTB should not pay for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .server import RunningEmulator, start_emulator

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


def ptb_bot(url: str, token: str = TEST_TOKEN) -> telegram.Bot:
    from telegram import Bot

    return Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")
