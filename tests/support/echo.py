"""Bare-framework echo bots (aiogram 3 and python-telegram-bot 22) against any Bot API URL.

They are the "no Frontline code" baselines for benchmarks and the smoke tests of the emulator:

    python -m tests.support.echo --framework aiogram|ptb --api http://127.0.0.1:PORT --token T
                                 [--http httpx|aiohttp]

Both do the same Bot API calls as Frontline does for the same input, so a benchmark compares
like with like: a text is answered with a message, a tap with its answer and an edit of the
message it was on.

PTB's own HTTP client is httpx; ``--http aiohttp`` carries its requests over aiohttp with the
request class Frontline's PTB adapter uses (``bot.adapters.ptb_request``, which imports only
aiohttp and PTB), so a bare PTB bot and Frontline under PTB differ by Frontline, not by the
HTTP library.

Each prints ``ECHO_READY`` (flushed) once it is polling. Framework imports are local because
importing aiogram alone costs seconds; a run only pays for the framework it uses.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from telegram.ext import Application


def build_aiogram_echo(api: str, token: str) -> tuple[Bot, Dispatcher]:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        if message.text:
            await message.answer(message.text)

    @dispatcher.callback_query()
    async def echo_tap(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(f"tapped {query.data}")

    return bot, dispatcher


HTTP_CLIENTS = ("httpx", "aiohttp")


def build_ptb_echo(
    api: str, token: str, *, concurrent_updates: bool = False, http: str = "httpx"
) -> Application[Any, Any, Any, Any, Any, Any]:
    from telegram import Message, Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(concurrent_updates)
    )
    if http == "aiohttp":
        from bot.adapters.ptb_request import AiohttpRequest

        # One answer at a time (updates are handled in turn), and the long poll apart.
        builder = builder.request(AiohttpRequest(connections=8)).get_updates_request(
            AiohttpRequest(connections=1)
        )
    app = builder.build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    async def echo_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is not None:
            await query.answer()
            if isinstance(query.message, Message):
                await query.edit_message_text(f"tapped {query.data}")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(echo_tap))
    return app


async def _run_aiogram(api: str, token: str) -> None:
    bot, dispatcher = build_aiogram_echo(api, token)

    async def ready() -> None:
        print("ECHO_READY framework=aiogram", flush=True)

    dispatcher.startup.register(ready)
    await dispatcher.start_polling(bot, polling_timeout=10)


def _run_ptb(api: str, token: str, concurrent: bool, http: str) -> None:
    app = build_ptb_echo(api, token, concurrent_updates=concurrent, http=http)

    async def ready(_: Any) -> None:
        print(f"ECHO_READY framework=ptb http={http}", flush=True)

    app.post_init = ready
    app.run_polling(poll_interval=0.0, timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.echo", description=__doc__)
    parser.add_argument("--framework", choices=("aiogram", "ptb"), required=True)
    parser.add_argument("--api", required=True, help="Bot API base URL, e.g. the emulator's")
    parser.add_argument("--token", required=True)
    parser.add_argument(
        "--concurrent", action="store_true", help="PTB only: process updates concurrently"
    )
    parser.add_argument(
        "--http", choices=HTTP_CLIENTS, default="httpx", help="PTB only: its HTTP client"
    )
    args = parser.parse_args(argv)
    if args.framework == "aiogram":
        asyncio.run(_run_aiogram(args.api, args.token))
    else:
        _run_ptb(args.api, args.token, args.concurrent, args.http)


if __name__ == "__main__":
    main()
