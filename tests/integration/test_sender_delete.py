"""A recalled announcement's copy is deleted through each framework's own Bot, the way
Telegram allows it: a bot's own message within 48 hours, and not after (the emulator keeps
Telegram's rule, so the recall's choice between deleting and correcting is tested against it)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, col, select

from bot.emulator import RunningEmulator
from bot.sender import Limits, OutboxSender
from dialogs.events import Delete, Say
from handlers.office import Office
from locales import Raw
from storage.models import Outbox
from tests.e2e.senders import queue, transport_for
from tests.support.emulator import running_emulator

QUICK = Limits(private_per_second=20, backoff_base=0.1, poll_interval=0.1)


class Clock:
    """The emulator's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator_clock() -> Clock:
    return Clock()


@pytest.fixture
async def timed_emulator(emulator_clock: Clock) -> AsyncIterator[RunningEmulator]:
    async with running_emulator(clock=emulator_clock) as running:
        yield running


def sent_id(office: Office, text: str) -> int:
    with Session(office.engine) as session:
        row = session.exec(select(Outbox).where(Outbox.text == text)
                           .order_by(col(Outbox.id).desc())).first()
        assert row is not None and row.telegram_message_id is not None
        return row.telegram_message_id


def status_of_last(office: Office) -> tuple[str, str]:
    with Session(office.engine) as session:
        row = session.exec(select(Outbox).order_by(col(Outbox.id).desc())).first()
        assert row is not None
        return row.status, row.last_error


async def test_a_message_is_deleted_within_48_hours_and_not_after(
        framework: str, timed_emulator: RunningEmulator, emulator_clock: Clock,
        live_office: Office) -> None:
    emu = timed_emulator.emulator
    reader = emu.create_user("Reader", started=True).id
    async with transport_for(framework, timed_emulator.url) as transport:
        sender = OutboxSender(live_office, transport, QUICK)
        queue(live_office, Say(reader, Raw("wrong notice")), Say(reader, Raw("old notice")))
        assert await sender.drain()
        queue(live_office, Delete(reader, sent_id(live_office, "wrong notice")))
        assert await sender.drain()
        assert status_of_last(live_office) == ("sent", "")
        shown = {m.data.get("text"): m.deleted for m in emu.chats[reader].messages}
        assert shown == {"wrong notice": True, "old notice": False}
        emulator_clock.now += 48 * 3600
        queue(live_office, Delete(reader, sent_id(live_office, "old notice")))
        assert await sender.drain()
        status, error = status_of_last(live_office)
        assert status == "failed" and "can't be deleted for everyone" in error
        assert not next(m for m in emu.chats[reader].messages
                        if m.data.get("text") == "old notice").deleted
