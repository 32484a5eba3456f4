"""Writing down what Telegram accepted: the sender's sent marks, committed in groups, and on
SQLite riding on the units of work the writer thread is about to commit anyway.

A delivery's mark (status ``sent`` and the message id an edit will need) must be committed
before the row leaves the sender's hands, or a restart could send it again. Each mark goes to
the writer as soon as it is free, as it would alone; marks that come while a write is queued
or under way share it (group commit). On SQLite the writer is one thread, shared with the
intake (``bot/runtime.py``): under load a flush queued behind the updates being handled
would be one more transaction (BEGIN IMMEDIATE, UPDATE, COMMIT) for a few rows, about a
seventh of the bot's CPU. So the office's units of work take the waiting marks along
(:class:`~handlers.office.RideAlong`): the first to commit writes them in its own transaction,
and the flush that follows finds nothing left to write. A unit of work whose commit fails
gives them back, and a flush writes them.

The marks are for one event loop (the sender's); :meth:`SentMarks.ride` is called in the
committing thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

from sqlalchemy import Connection

from bot.thread_calls import call_from_thread, start_in_thread
from handlers.delivery import outbox as delivery
from handlers.office import Office

log = logging.getLogger(__name__)
Mark = tuple[int, int | None, asyncio.Future[None]]  # outbox id, message id, committed


def _settle(batch: Sequence[Mark], error: BaseException | None) -> None:
    for _, _, future in batch:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


class SentMarks:
    """The marks not yet committed, and who writes them."""

    def __init__(self, office: Office, writer: Executor | None) -> None:
        self.office = office
        self._writer = writer
        self._lock = threading.Lock()  # the loop adds; a committing thread may take
        self._waiting: list[Mark] = []
        self._flush_queued = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.flushed = 0  # transactions of their own the marks took (for the tests)
        self.rode = 0  # units of work they rode on

    async def record(self, row_id: int, message_id: int | None) -> None:
        """Return once the delivery of *row_id* is committed; raises if its write failed."""
        loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._waiting.append((row_id, message_id, future))
        self._queue_flush()
        await future

    def _queue_flush(self) -> None:
        """On the loop: one flush in the writer's queue at a time."""
        with self._lock:
            if self._flush_queued or not self._waiting:
                return
            self._flush_queued = True
        assert self._loop is not None
        start_in_thread(self._loop, self._writer, self._flush)

    def _take(self) -> list[Mark]:
        with self._lock:
            batch, self._waiting = self._waiting, []
            return batch

    def _flush(self) -> None:
        """In the writer: write what waits in a transaction of its own."""
        with self._lock:
            self._flush_queued = False  # marks coming from now on queue the next flush
        batch = self._take()
        if not batch:
            return  # a unit of work took them along
        error: BaseException | None = None
        try:
            delivery.mark_sent(self.office, [(row_id, message) for row_id, message, _ in batch])
            self.flushed += 1
        except Exception as failure:
            error = failure
        self._tell(batch, error)

    def _tell(self, batch: list[Mark], error: BaseException | None) -> None:
        loop = self._loop
        # A closed loop has no sender waiting; a unit of work that has committed must not
        # fail for it.
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                call_from_thread(loop, _settle, batch, error)

    def ride(self, connect: Callable[[], Connection]) -> Callable[[bool], None] | None:
        """Write the waiting marks in the transaction *connect* gives (a unit of work about
        to commit); returns what to call once its commit is over, or None if none waited."""
        batch = self._take()
        if not batch:
            return None
        try:
            delivery.write_marks(connect(), [(row_id, message) for row_id, message, _ in batch],
                                 self.office.clock.now())
        except Exception:
            # Never the resident's update's failure: the marks wait for a flush of their own.
            log.exception("sender: sent marks could not ride on a unit of work")
            self._give_back(batch)
            return None

        def landed(committed: bool) -> None:
            if committed:
                self.rode += 1
                self._tell(batch, None)
            else:
                self._give_back(batch)

        return landed

    def _give_back(self, batch: list[Mark]) -> None:
        """A commit they rode on failed: ahead of any newer marks, for a flush to write."""
        with self._lock:
            self._waiting[:0] = batch
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                call_from_thread(loop, self._queue_flush)
