"""Fixtures' helpers for sender tests: a real framework transport aimed at an emulator or proxy,
and a quick way to queue outbox rows the way handlers do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel import Session

from bot.adapters.base import Transport
from bot.emulator import Emulator
from dialogs.events import Outgoing
from handlers.office import Office
from handlers.office.unit_of_work import UnitOfWork
from storage.models import Person, StaffChat
from tests.e2e.harness import assert_local
from tests.support.emulator import TEST_TOKEN


@asynccontextmanager
async def transport_for(framework: str, api_base: str) -> AsyncIterator[Transport]:
    """The framework's own Bot, wrapped as the sender's Transport."""
    assert_local(api_base)
    if framework == "aiogram":
        from bot.adapters.aiogram_adapter import AiogramTransport
        from tests.support.emulator import aiogram_bot
        bot = aiogram_bot(api_base)
        try:
            yield AiogramTransport(bot)
        finally:
            await bot.session.close()
        return
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.adapters.ptb_adapter import PtbTransport
    ptb = Bot(TEST_TOKEN, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot",
              request=HTTPXRequest(connection_pool_size=64))
    async with ptb:
        yield PtbTransport(ptb)


def queue(office: Office, *items: Outgoing) -> None:
    """Write outbox rows in one transaction, as a handler would."""
    with UnitOfWork(office) as uow:
        uow.send(*items)
        uow.commit()


def add_person(office: Office, telegram_user_id: int, name: str, phone: str = "") -> None:
    with Session(office.engine) as session:
        session.add(Person(telegram_user_id=telegram_user_id, name=name, phone=phone))
        session.commit()


def add_staff_chat(office: Office, chat_id: int, purpose: str, title: str = "") -> None:
    with Session(office.engine) as session:
        session.add(StaffChat(chat_id=chat_id, purpose=purpose, title=title or purpose))
        session.commit()


def users(emu: Emulator, count: int) -> list[int]:
    return [emu.create_user(f"R{i}", started=True).id for i in range(count)]


def bot_texts(emu: Emulator, chat_id: int) -> list[str]:
    return [m.data.get("text") or m.data.get("caption") or ""
            for m in emu.chats[chat_id].messages if m.from_bot]
