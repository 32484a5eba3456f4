"""The sender's hand-off (``bot/hand_off.py``): rows this process's units of work commit go
out without a read of the outbox when the last read vouches for their chat, and are left to
a read otherwise (every slot taken, a retry, another process's row first, a block)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, cast

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.adapters.base import Transport
from bot.emulator import Emulator
from bot.sender import Limits, OutboxSender
from dialogs.events import Button, Edit, Priority, Say, inline
from handlers.delivery import outbox as delivery
from handlers.office import Office
from locales import Raw
from storage.models import Outbox, Person
from tests.e2e.faults import FaultProxy
from tests.e2e.harness import eventually, outbox
from tests.e2e.senders import add_person, add_staff_chat, bot_texts, queue, users


@contextlib.asynccontextmanager
async def handing_sender(office: Office, transport: Transport, monkeypatch: pytest.MonkeyPatch,
                         limits: Limits) -> AsyncIterator[tuple[Office, list[int]]]:
    """A running sender that the office's units of work hand their committed rows to, as
    ``frontline run`` wires it on SQLite; and how many rows each of its reads returned."""
    sender = OutboxSender(office, transport, limits)
    reads: list[int] = []
    read = delivery.due

    def counted(*args: Any, **kwargs: Any) -> delivery.Due:
        found = read(*args, **kwargs)
        reads.append(len(found.rows))
        return found

    monkeypatch.setattr(delivery, "due", counted)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await eventually(lambda: bool(reads), within=5, every=0.005)
    sender.hand_off([])  # a first commit: from now on its reads vouch for what they saw
    await eventually(lambda: len(reads) > 1, within=5, every=0.005)
    await asyncio.sleep(0.1)
    yield replace(office, outbox_listener=sender.hand_off), reads
    stop.set()
    await running


@pytest.fixture
async def handing(live_office: Office, transport: Transport, monkeypatch: pytest.MonkeyPatch
                  ) -> AsyncIterator[tuple[Office, list[int]]]:
    async with handing_sender(live_office, transport, monkeypatch, Limits(
            private_per_second=20, backoff_base=0.3, poll_interval=5.0)) as handed:
        yield handed


class GatedTransport:
    """The transport, with texts to one chat held until the gate opens (Telegram slow to
    answer): that chat's request keeps its slot meanwhile."""

    def __init__(self, transport: Transport, chat_id: int) -> None:
        self._transport, self.chat_id, self.gate = transport, chat_id, asyncio.Event()

    async def send_text(self, chat_id: int, text: str, *args: Any, **kwargs: Any) -> Any:
        if chat_id == self.chat_id:
            await self.gate.wait()
        return await self._transport.send_text(chat_id, text, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


async def test_a_row_handed_over_while_every_slot_is_taken_is_left_in_the_outbox_for_a_hold(
        emu: Emulator, live_office: Office, transport: Transport,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every slot taken (Telegram slow): a broadcast copy handed over then stays the outbox's,
    where a Hold can still take it back, instead of waiting in the sender's memory."""
    slow, resident = users(emu, 2)
    gated = GatedTransport(transport, slow)
    async with handing_sender(live_office, cast(Transport, gated), monkeypatch, Limits(
            private_per_second=20, max_in_flight=1, poll_interval=5.0)) as (office, _):
        queue(office, Say(slow, Raw("a reply Telegram is slow to take")))
        await asyncio.sleep(0.2)  # its request holds the only slot
        queue(office, Say(resident, Raw("notice"), ref="notice:1", priority=Priority.BULK))
        await asyncio.sleep(0.2)
        with Session(office.engine) as session:  # the Hold (handlers/delivery/bulk.take_back)
            session.execute(update(Outbox).where(col(Outbox.ref) == "notice:1",
                                                 col(Outbox.status) == "pending")
                            .values(status="cancelled"))
            session.commit()
        gated.gate.set()
        await eventually(lambda: bot_texts(emu, slow) == ["a reply Telegram is slow to take"],
                         within=5, every=0.005)
        await asyncio.sleep(0.3)
    assert bot_texts(emu, resident) == []
    assert [r.status for r in outbox(office) if r.ref == "notice:1"] == ["cancelled"]


async def test_a_reply_handed_over_at_commit_goes_out_without_reading_the_outbox(
        emu: Emulator, handing: tuple[Office, list[int]]) -> None:
    office, reads = handing
    [reader] = users(emu, 1)
    before = len(reads)
    queue(office, Say(reader, Raw("straight away")))
    await eventually(lambda: bot_texts(emu, reader) == ["straight away"], within=5, every=0.005)
    await eventually(lambda: outbox(office)[0].status == "sent", within=5, every=0.005)
    assert len(reads) == before
    [row] = outbox(office)
    assert row.telegram_message_id == emu.chats[reader].messages[-1].message_id


async def test_an_edit_handed_over_finds_the_message_it_edits_without_a_read(
        emu: Emulator, handing: tuple[Office, list[int]]) -> None:
    office, reads = handing
    [tech] = users(emu, 1)
    queue(office, Say(tech, Raw("job 1: open"), inline((Button(Raw("Accept"), "acc:1"),)),
                      ref="card:1"))
    await eventually(lambda: outbox(office)[0].status == "sent", within=5, every=0.005)
    before = len(reads)
    queue(office, Edit(tech, Raw("job 1: taken"), ref="card:1"))
    await eventually(lambda: outbox(office)[1].status == "sent", within=5, every=0.005)
    assert len(reads) == before
    [message] = [m for m in emu.chats[tech].messages if m.from_bot]
    assert message.data["text"] == "job 1: taken"


async def test_rows_for_one_chat_committed_together_go_out_in_order_without_a_read(
        emu: Emulator, handing: tuple[Office, list[int]]) -> None:
    office, reads = handing
    [tech] = users(emu, 1)
    before = len(reads)
    queue(office, Say(tech, Raw("job 1: open"), ref="card:1"), Say(tech, Raw("and a note")),
          Edit(tech, Raw("job 1: taken"), ref="card:1"))
    await eventually(lambda: [r.status for r in outbox(office)] == ["sent"] * 3, within=5,
                     every=0.005)
    assert len(reads) == before
    assert bot_texts(emu, tech) == ["job 1: taken", "and a note"]


@pytest.mark.parametrize("second", ["written together", "written during the retry"])
async def test_a_row_behind_one_being_retried_waits_for_the_retry(
        emu: Emulator, handing: tuple[Office, list[int]], proxy: FaultProxy,
        second: str) -> None:
    office, _ = handing
    [reader] = users(emu, 1)
    proxy.fail("sendMessage", 502, "Bad Gateway", times=1)
    if second == "written together":  # queued in the sender behind the first
        queue(office, Say(reader, Raw("first")), Say(reader, Raw("second")))
    else:  # handed over while the first waits for its retry
        queue(office, Say(reader, Raw("first")))
        await eventually(lambda: bool(proxy.sent_to(reader)), within=5, every=0.005)
        queue(office, Say(reader, Raw("second")))
    await eventually(lambda: len(bot_texts(emu, reader)) == 2, within=10, every=0.005)
    assert bot_texts(emu, reader) == ["first", "second"]
    # The proxy notes an answer once it has passed it on, a moment after the emulator shows
    # the message: on a loaded box the last note can come after the second text.
    await eventually(lambda: len(proxy.sent_to(reader, "sendMessage")) == 3, within=5,
                     every=0.005)
    assert [c.status for c in proxy.sent_to(reader, "sendMessage")] == [502, 200, 200]


async def test_a_row_another_process_wrote_first_goes_before_the_reply_handed_over(
        emu: Emulator, live_office: Office, handing: tuple[Office, list[int]]) -> None:
    office, _ = handing
    [reader] = users(emu, 1)
    queue(live_office, Say(reader, Raw("from another process")))  # not handed over
    queue(office, Say(reader, Raw("the reply")))
    await eventually(lambda: len(bot_texts(emu, reader)) == 2, within=10, every=0.005)
    assert bot_texts(emu, reader) == ["from another process", "the reply"]


async def test_a_reply_handed_over_for_someone_who_blocked_the_bot_is_held_untried(
        emu: Emulator, live_office: Office, handing: tuple[Office, list[int]],
        proxy: FaultProxy) -> None:
    office, reads = handing
    quitter, dispatcher = users(emu, 2)
    add_person(live_office, quitter, "Wang Fang", "13800000001")
    add_staff_chat(live_office, emu.create_group("Dispatch", [dispatcher]).id, "dispatch")
    with Session(live_office.engine) as session:
        person = session.exec(select(Person).where(Person.telegram_user_id == quitter)).one()
        person.blocked_bot = True
        session.add(person)
        session.commit()
    seen = len(reads)
    queue(office, Say(dispatcher, Raw("a read after this learns who blocked the bot")))
    queue(live_office, Say(dispatcher, Raw("not handed over: read")))
    await eventually(lambda: len(reads) > seen and len(bot_texts(emu, dispatcher)) == 2,
                     within=10, every=0.005)
    queue(office, Say(quitter, Raw("your plumber is coming")))
    await eventually(lambda: [r.status for r in outbox(office) if r.chat_id == quitter]
                     == ["parked"], within=10, every=0.005)
    assert proxy.sent_to(quitter) == []
