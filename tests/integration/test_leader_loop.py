"""The one leader loop (``storage.leader.lead``) the outbox sender and the scheduler both run:
a failed database connect is logged once per attempt and retried with a capped back-off, a
lock lost with its connection is given up and taken again, and nothing stops for good."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.adapters.base import KeyboardJson
from bot.runtime import lead_sender
from bot.sender import Limits, OutboxSender
from dialogs.events import Say
from handlers.office import Office
from locales import Raw
from scheduler import SchedulerService
from storage.leader import LeaderLock, lead
from tests.conftest import make_office
from tests.e2e.harness import eventually
from tests.e2e.senders import queue

FAST_RETRY = FAST_RECHECK = 0.02  # seconds: the loop, sped up


class FlakyLock:
    """A real lock whose first *failures* attempts fail as a refused connect would."""

    def __init__(self, lock: LeaderLock, failures: int) -> None:
        self.lock, self.failures, self.attempts = lock, failures, 0

    def try_acquire(self) -> bool:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise OperationalError("connect", {}, ConnectionRefusedError("database is down"))
        return self.lock.try_acquire()

    def still_held(self) -> bool:
        return self.lock.still_held()

    def release(self) -> None:
        self.lock.release()


class RecordingTransport:
    """Accepts every send and remembers the texts."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send_text(self, chat_id: int, text: str, keyboard: KeyboardJson | None) -> int:
        self.texts.append(text)
        return len(self.texts)

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"unexpected call {name}")


def _failures(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith(
        f"leader: could not try the {name} lock")]


async def test_a_failed_connect_is_retried_with_a_capped_backoff_logged_once_per_attempt(
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    flaky = FlakyLock(LeaderLock(url), failures=4)
    stop, leading = asyncio.Event(), asyncio.Event()

    async def run(lost: asyncio.Event) -> None:
        leading.set()
        await lost.wait()

    caplog.set_level(logging.WARNING, "storage.leader")
    task = asyncio.create_task(lead(flaky, run, stop, name="sender", backoff_cap=0.05,
                                    retry=FAST_RETRY, recheck=FAST_RECHECK))
    await asyncio.wait_for(leading.wait(), 5)
    failed = _failures(caplog, "sender")
    assert flaky.attempts == 5 and len(failed) == 4  # one line per failed attempt
    assert [r.args[2] for r in failed] == [0.02, 0.04, 0.05, 0.05]  # type: ignore[index]
    assert failed[0].exc_info and not any(r.exc_info for r in failed[1:])  # one traceback
    stop.set()
    await asyncio.wait_for(task, 5)
    assert not flaky.lock.held and LeaderLock(url).try_acquire()  # released at the end


async def test_after_an_outage_the_new_leader_waits_for_the_former_one_to_finish_writing(
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    # A database restart drops the lock while the former leader may still be writing down
    # what it sent; a process that takes the lead after failing to reach the database waits.
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    stop = asyncio.Event()
    started: dict[str, float] = {}

    def runner(name: str) -> Callable[[asyncio.Event], Awaitable[None]]:
        async def run(lost: asyncio.Event) -> None:
            started[name] = time.monotonic()
            await lost.wait()
        return run

    caplog.set_level(logging.INFO, "storage.leader")
    begun = time.monotonic()
    after_outage = asyncio.create_task(lead(
        FlakyLock(LeaderLock(url, "after-outage"), failures=1), runner("after-outage"), stop,
        name="after-outage", retry=FAST_RETRY, recheck=FAST_RECHECK, handover=0.5))
    fresh = asyncio.create_task(lead(
        LeaderLock(url, "fresh"), runner("fresh"), stop, name="fresh", retry=FAST_RETRY,
        recheck=FAST_RECHECK, handover=0.5))
    await eventually(lambda: len(started) == 2, within=5)
    stop.set()
    await asyncio.wait_for(asyncio.gather(after_outage, fresh), 5)
    assert started["after-outage"] - begun >= 0.5
    waits = [r.getMessage() for r in caplog.records if "starts in" in r.getMessage()]
    assert waits == ["leader: the after-outage starts in 0.5s, once any former leader has "
                     "finished writing"]  # a lead taken without an outage starts at once


async def test_a_run_that_fails_is_started_again_after_releasing_the_lock(
        tmp_path: Path) -> None:
    lock = LeaderLock(f"sqlite:///{tmp_path / 'frontline.db'}")
    stop, runs = asyncio.Event(), []

    async def run(lost: asyncio.Event) -> None:
        runs.append(lock.held)
        if len(runs) == 1:
            raise OperationalError("SELECT", {}, ConnectionResetError("connection dropped"))
        await lost.wait()

    task = asyncio.create_task(lead(lock, run, stop, name="sender", retry=FAST_RETRY,
                                    recheck=FAST_RECHECK))
    await eventually(lambda: len(runs) == 2, within=5)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert runs == [True, True] and not lock.held


def _terminate_lock_holders(url: str) -> int:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )).scalar()
        connection.commit()
    admin.dispose()
    return int(killed or 0)


def _lock_holder(url: str) -> int | None:
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        pid = connection.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )).scalar()
    admin.dispose()
    return int(pid) if pid is not None else None


@pytest.mark.postgres
async def test_the_sender_resumes_after_the_connection_holding_its_lock_is_killed(
        postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    office: Office = make_office(postgres_url)
    transport = RecordingTransport()
    sender = OutboxSender(office, transport,  # type: ignore[arg-type]
                          Limits(poll_interval=0.05))
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, "storage.leader")
    task = asyncio.create_task(lead_sender(sender, LeaderLock(postgres_url), stop,
                                           retry=FAST_RETRY, recheck=FAST_RECHECK))
    try:
        queue(office, Say(101, Raw("before")))
        await eventually(lambda: transport.texts == ["before"])
        first = _lock_holder(postgres_url)
        assert first is not None and _terminate_lock_holders(postgres_url) == 1
        await eventually(lambda: _lock_holder(postgres_url) not in (None, first))
        queue(office, Say(101, Raw("after")))
        await eventually(lambda: transport.texts == ["before", "after"])
        assert any("lost the sender lock" in r.getMessage() for r in caplog.records)
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        office.engine.dispose()
    assert _lock_holder(postgres_url) is None  # released at shutdown


@pytest.mark.postgres
async def test_the_scheduler_waits_out_a_missing_database_and_a_killed_connection(
        postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    office: Office = make_office(postgres_url)
    # The lock lives in a database that does not exist yet: every connect fails.
    base, _, query = postgres_url.partition("?")
    missing = f"t_{uuid.uuid4().hex[:12]}"
    lock_url = f"{base.rsplit('/', 1)[0]}/{missing}?{query}"
    service = SchedulerService(office, LeaderLock(lock_url, "scheduler"), drain_every=3600,
                               follower_retry=0.02, leader_recheck=0.02)
    caplog.set_level(logging.WARNING, "storage.leader")
    await service.start()
    try:
        await eventually(lambda: len(_failures(caplog, "scheduler")) >= 3)
        assert not service.leading
        admin = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
                              ).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{missing}"'))
        admin.dispose()
        await eventually(lambda: service.leading)  # the database is back: it leads
        first = _lock_holder(lock_url)
        assert first is not None and _terminate_lock_holders(lock_url) == 1
        await eventually(lambda: _lock_holder(lock_url) not in (None, first))
        await eventually(lambda: service.leading)
        assert any("lost the scheduler lock" in r.getMessage() for r in caplog.records)
    finally:
        await service.stop()
        office.engine.dispose()
    assert _lock_holder(lock_url) is None
