"""What Telegram accepted is written down in groups (``bot/sent_marks.py``): several marks in
one statement, and on SQLite the waiting marks ride on the next unit of work instead of
taking a transaction of their own; a unit of work whose commit fails gives them back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.sent_marks import SentMarks
from dialogs.events import Say
from handlers.delivery import outbox as delivery
from handlers.office import Office
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import Raw
from tests.e2e.senders import queue


def statuses(office: Office) -> dict[int, tuple[str, int | None]]:
    with office.engine.connect() as connection:
        return {row.id: (row.status, row.telegram_message_id) for row in connection.execute(
            select(OUTBOX.c.id, OUTBOX.c.status, OUTBOX.c.telegram_message_id))}


def test_several_marks_are_one_statement(any_office: Office) -> None:
    # It was an expanding IN in an executemany: every group of two or more failed, and each
    # mark was then written on its own.
    queue(any_office, Say(1, Raw("a")), Say(2, Raw("b")), Say(3, Raw("c")))
    delivery.mark_sent(any_office, [(1, 11), (2, 12)])
    assert statuses(any_office) == {1: ("sent", 11), 2: ("sent", 12), 3: ("pending", None)}


@pytest.fixture
def writer() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
    yield pool
    pool.shutdown(wait=True)


def held(writer: ThreadPoolExecutor) -> threading.Event:
    """Keep the writer busy (as with updates being handled) until the event is set."""
    release = threading.Event()
    writer.submit(release.wait, 10)
    return release


async def mark_waiting(office: Office, writer: ThreadPoolExecutor) -> tuple[
        SentMarks, Office, threading.Event, asyncio.Task[None]]:
    """Row 1 delivered, its mark waiting: its flush is queued behind the writer's work. The
    marks, the office whose units of work take them along, what frees the writer, and the
    sender's wait for the mark."""
    queue(office, Say(1, Raw("delivered")))
    marks = SentMarks(office, writer)
    release = held(writer)
    recorded = asyncio.create_task(marks.record(1, 41))
    await asyncio.sleep(0.05)
    return marks, replace(office, ride_along=marks.ride), release, recorded


async def test_waiting_marks_ride_on_the_next_unit_of_work(
        office: Office, writer: ThreadPoolExecutor) -> None:
    marks, riding, release, recorded = await mark_waiting(office, writer)
    assert statuses(office)[1] == ("pending", None)
    await asyncio.to_thread(queue, riding, Say(2, Raw("the next reply")))
    await asyncio.wait_for(recorded, 5)  # committed with that unit of work
    assert statuses(office) == {1: ("sent", 41), 2: ("pending", None)}
    release.set()
    await asyncio.to_thread(writer.submit(lambda: None).result, 5)
    assert (marks.rode, marks.flushed) == (1, 0)  # the flush found nothing left to write


async def test_a_failed_commit_gives_the_marks_back_for_a_flush(
        office: Office, writer: ThreadPoolExecutor) -> None:
    marks, riding, release, recorded = await mark_waiting(office, writer)

    def failing_update() -> None:
        with UnitOfWork(riding) as uow:
            uow.send(Say(2, Raw("never committed")))

            def refused() -> None:
                raise RuntimeError("the database went away at commit")

            uow.session.commit = refused  # type: ignore[method-assign]
            uow.commit()

    with pytest.raises(RuntimeError):
        await asyncio.to_thread(failing_update)
    assert statuses(office) == {1: ("pending", None)}
    release.set()
    await asyncio.wait_for(recorded, 5)  # written by a flush of their own
    assert statuses(office) == {1: ("sent", 41)}
    assert (marks.rode, marks.flushed) == (0, 1)


def test_a_unit_of_work_does_not_fail_for_a_sender_whose_loop_has_closed(
        office: Office, writer: ThreadPoolExecutor) -> None:
    queue(office, Say(1, Raw("delivered")))
    marks = SentMarks(office, writer)
    loop = asyncio.new_event_loop()
    release = held(writer)
    try:
        recording = loop.create_task(marks.record(1, 41))
        loop.run_until_complete(asyncio.sleep(0.05))
        recording.cancel()  # the sender stopped waiting …
        loop.run_until_complete(asyncio.gather(recording, return_exceptions=True))
    finally:
        loop.close()  # … and is gone; its mark still waits
    queue(replace(office, ride_along=marks.ride), Say(2, Raw("the next reply")))
    release.set()
    assert statuses(office) == {1: ("sent", 41), 2: ("pending", None)}
