"""On PostgreSQL a commit that writes outbox rows, in any process, wakes the leading sender at
once (migration 0012's trigger, ``storage/outbox_signal.py``), instead of at its next poll."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text

from bot.runtime import lead_sender
from bot.sender import Limits, OutboxSender
from dialogs.events import Say
from handlers.office import Office
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw
from storage.db import alembic_config, make_engine
from storage.leader import LeaderLock
from storage.outbox_signal import APPLICATION_NAME, OutboxSignal
from tests.conftest import make_office
from tests.e2e.harness import eventually
from tests.e2e.senders import add_person, queue
from tests.integration.test_leader_loop import RecordingTransport

pytestmark = pytest.mark.postgres

POLL = 60.0  # seconds: a sender that polled only would not send within the test


@pytest.fixture
def pg_office(postgres_url: str) -> Iterator[Office]:
    office = make_office(postgres_url)
    yield office
    office.engine.dispose()


class Heard:
    """Counts the signal's calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _terminate_listeners(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = :name"),
            {"name": APPLICATION_NAME}).scalar()
        connection.commit()
    engine.dispose()
    return int(killed or 0)


async def test_committed_outbox_rows_are_heard_and_other_writes_are_not(
        pg_office: Office, postgres_url: str) -> None:
    heard = Heard()
    signal = OutboxSignal(postgres_url, heard)
    listening = asyncio.create_task(signal.run())
    try:
        await eventually(lambda: signal.listening)
        await eventually(lambda: heard.count == 1)  # once on connecting: commits unheard
        add_person(pg_office, 1, "A")  # a commit without outbox rows
        with UnitOfWork(pg_office) as uow:  # outbox rows inserted, then rolled back
            uow.send(Say(1, Raw("rolled back")))
            uow.write_queued()
        queue(pg_office, Say(1, Raw("one")), Say(2, Raw("two")))  # one commit, two rows
        await eventually(lambda: heard.count == 2)
        await asyncio.sleep(0.3)
        assert heard.count == 2  # neither the person nor the rolled-back row was heard
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
    assert not signal.listening


async def test_the_listener_connects_again_after_its_connection_is_cut(
        pg_office: Office, postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    heard = Heard()
    signal = OutboxSignal(postgres_url, heard, liveness=0.2)
    caplog.set_level(logging.WARNING, "storage.outbox_signal")
    listening = asyncio.create_task(signal.run())
    try:
        await eventually(lambda: signal.listening)
        assert _terminate_listeners(postgres_url) == 1
        await eventually(lambda: signal.connects == 2 and signal.listening, within=10)
        assert any("not listening" in r.getMessage() for r in caplog.records)
        before = heard.count
        queue(pg_office, Say(1, Raw("after the cut")))
        await eventually(lambda: heard.count > before)
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)


async def test_a_leading_sender_sends_another_process_s_row_without_waiting_for_its_poll(
        pg_office: Office, postgres_url: str) -> None:
    transport = RecordingTransport()
    sender = OutboxSender(pg_office, transport,  # type: ignore[arg-type]
                          Limits(poll_interval=POLL))
    signal = OutboxSignal(postgres_url, sender.wake)
    stop = asyncio.Event()
    task = asyncio.create_task(lead_sender(sender, LeaderLock(postgres_url), stop,
                                           signal=signal))
    try:
        await eventually(lambda: signal.listening, within=10)
        await asyncio.sleep(0.2)  # the sender's first read is over: it waits for its poll
        # Written by another worker: nothing in this process wakes the sender.
        other = make_office(postgres_url)
        started = time.monotonic()
        queue(other, Say(101, Raw("from the other worker")))
        other.engine.dispose()
        await eventually(lambda: transport.texts == ["from the other worker"], within=5)
        assert time.monotonic() - started < 5 < POLL
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert not signal.listening  # it listens only while leading


def _outbox_triggers(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'outbox'::regclass"
                " AND NOT tgisinternal")).scalars())
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_again(postgres_url: str) -> None:
    config = alembic_config(postgres_url)
    command.upgrade(config, "head")
    assert _outbox_triggers(postgres_url) == {"outbox_written"}
    command.downgrade(config, "0011_outbox_chat_ref")
    assert _outbox_triggers(postgres_url) == set()
    command.upgrade(config, "head")
    assert _outbox_triggers(postgres_url) == {"outbox_written"}
