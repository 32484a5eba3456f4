"""The outbox sender: drains outbox rows within Telegram's limits, for either framework.

Policy lives here; the Bot API calls live behind :class:`~bot.adapters.base.Transport`.

- Limits are sliding windows, the way Telegram states them ("20 per minute in a group"):
  global (default 25/s), 1/s per private chat, 20/min per group (chat_id < 0). A send needs
  one free slot; an album takes one slot per photo. Edits, deletions, button answers and a
  chat's command menu are not messages and only wait for their chat's turn (and its 429
  window).
- Each chat has at most one request in flight, so its messages arrive in order.
- 429 → no request to that chat until ``retry_after`` has passed (also after a restart);
  429s from several chats within a second pause every chat (the bot-wide limit is lower
  than we were told).
- 5xx / network → retry with exponential backoff; 403 → undeliverable, staff are told.
- The row is marked sent with its message_id as soon as Telegram accepts it (rows accepted
  together share one commit; on SQLite it may ride on a handler's, ``bot/sent_marks.py``).
  Only a crash in the milliseconds between Telegram's answer and that commit can repeat a
  message: Telegram offers no idempotency key to close it.
- Rows are found by reading the outbox when a handler wrote some (``wake``: at once), when a
  request finishes (at most every ``scan_interval``), and every ``poll_interval`` for other
  processes' rows (the scheduler's, other workers'). On PostgreSQL every commit with outbox
  rows, in any process, calls ``wake`` too (``storage/outbox_signal.py``): the poll is then
  only the fallback while that signal's connection is down.
- Handed over at commit (``hand_off``, SQLite; the bookkeeping is ``bot/hand_off.py``): the
  rows this process's units of work commit go out without being read back, when the last
  complete read vouches for their chat. It saw
  every row up to the outbox's highest id; the rows handed over since continue that id
  sequence without a gap (on SQLite ids follow commit order), so no other process wrote in
  between; their chat had nothing else waiting and is not blocked. A chat's rows behind its
  own request in flight wait in its queue here, in the order a read would pick them, and
  start as that request finishes; reads leave those chats out, as they do busy ones, so a row
  is in one place only: queued, in flight, or the outbox's. Only behind one request: a row
  held here is out of reach of a Hold or a recall (they cancel the outbox's rows), and must
  not wait long, nor ahead of replies the outbox holds. Anything else (every slot taken, a
  gap, a chat with rows waiting unseen, an edit of a message this sender did not deliver, a
  limit, a failure in the chat) is left to a read, at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from bot.adapters.base import (
    Blocked,
    DeliveryError,
    Migrated,
    NotModified,
    Rejected,
    RetryAfter,
    Transient,
    Transport,
)
from bot.adapters.parts import plan_send
from bot.adapters.ratelimit import Limits, RateLimiter
from bot.hand_off import HandOff
from bot.sent_marks import SentMarks
from bot.thread_calls import call_from_thread, run_in_thread
from handlers.delivery import outbox as delivery
from handlers.delivery.outbox import Pending
from handlers.office import Office

log = logging.getLogger(__name__)
__all__ = ["Limits", "OutboxSender", "SenderStats"]
P = ParamSpec("P")
R = TypeVar("R")


async def _first_of(events: Sequence[asyncio.Event], within: float) -> bool:
    """Wait until one of *events* is set or *within* seconds pass; True if one was set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        done, _ = await asyncio.wait(waiters, timeout=within,
                                     return_when=asyncio.FIRST_COMPLETED)
        return bool(done)
    finally:
        for waiter in waiters:
            waiter.cancel()


@dataclass(slots=True)
class SenderStats:
    """Counters the benchmark and the logs report."""

    sent: int = 0
    parts: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    undeliverable: int = 0
    started: float = field(default_factory=time.perf_counter)


class OutboxSender:
    """Drain the outbox through *transport*; ``run(stop)`` until stopped, then finish in-flight."""

    def __init__(self, office: Office, transport: Transport, limits: Limits | None = None,
                 *, monotonic: Callable[[], float] = time.monotonic,
                 writer: Executor | None = None) -> None:
        self.office = office
        self.transport = transport
        self.limits = limits or Limits()
        self.limiter = RateLimiter(self.limits)
        self.stats = SenderStats()
        self._now = monotonic
        # Writes go where the intake's do: on SQLite one thread for both, so they queue in
        # Python instead of colliding on the file lock (SQLite's busy wait sleeps for ms).
        self._writer = writer
        self._wake = asyncio.Event()
        self._in_flight: dict[int, int] = {}  # outbox id → chat id
        self._tasks: set[asyncio.Task[None]] = set()
        self._progress = asyncio.Event()
        self._last_scan = float("-inf")
        self.marks = SentMarks(office, writer)  # what Telegram accepted, being written down
        self._loop: asyncio.AbstractEventLoop | None = None  # while running: hand-offs taken
        self._hand = HandOff(self._wake)  # what reads vouch for (see the module's docstring)

    def wake(self) -> None:
        """Tell the sender new rows were written (called after each handled update)."""
        self._wake.set()

    def hand_off(self, batches: Sequence[tuple[int, Sequence[Sequence[Any]]]], /, *,
                 reach_changed: bool = False) -> None:
        """The outbox rows a unit of work has just committed (``Office.outbox_listener``; any
        thread). Taken only while this sender runs (leads); otherwise the leader's read
        finds them. If the unit of work changed who can be reached, the last read vouches for
        nothing any more (it saw who had blocked the bot before)."""
        loop = self._loop
        if loop is None:
            return
        rows = delivery.committed(batches)  # in the committing thread, not on the loop
        with contextlib.suppress(RuntimeError):  # the loop has just closed
            if reach_changed:  # before the rows: callbacks keep their order
                call_from_thread(loop, self._hand.forget)
            call_from_thread(loop, self._hand.take, rows)

    async def run(self, stop: asyncio.Event) -> None:
        """Send until *stop* is set; then let requests already started finish."""
        await self._restore_pauses()
        self._loop = asyncio.get_running_loop()
        read, poll_at = True, 0.0
        try:
            while not stop.is_set():
                try:
                    if read:
                        delay = await self.send_due()
                        poll_at = self._now() + delay
                    else:
                        self._send_handed()
                        delay = poll_at - self._now()
                except Exception:
                    # The database may be briefly unavailable; the rows will still be there.
                    log.exception("sender: reading the outbox failed")
                    self._hand.forget()
                    delay = self.limits.poll_interval * 4
                    poll_at = self._now() + delay
                read = await self._next(delay, stop)
        finally:
            self._loop = None  # hand-offs are for the leader only
            self._hand.forget()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _next(self, delay: float, stop: asyncio.Event) -> bool:
        """Wait for something to do; True if it needs a read of the outbox."""
        read, progress = await self._sleep(delay, stop)
        if read:
            return True
        if progress and not (self._hand.handing and self._hand.settled()):
            # A finished request may have rows behind it: read, paced (see _pace_scans).
            if self._hand.handed_in.is_set():
                self._send_handed()
            else:
                self._hand.leave_to_read(self._start_queued())
            await self._pace_scans()
            return True
        return False  # rows handed over, or nothing a read would find

    async def _pace_scans(self) -> None:
        """Under load every finished request wakes us; scanning the outbox for each would eat
        the CPU the handlers need, so such scans are at least ``scan_interval`` apart. Rows a
        handler has just committed (``wake``, ``hand_off``) cut the pause short, and a wake-up
        at the time the limits named (a slot free, a retry due) or by ``wake`` has none: a
        reply never waits for it."""
        gap = self._last_scan + self.limits.scan_interval - self._now()
        if gap > 0:
            await _first_of([self._wake, self._hand.handed_in], gap)

    async def drain(self, within: float = 30.0) -> bool:
        """Send until no row is waiting (bar ones scheduled for later); False if out of time.
        Reads the outbox each time (rows handed over are not taken)."""
        try:
            async with asyncio.timeout(within):
                while True:
                    delay = await self.send_due()
                    if not self._tasks and not await asyncio.to_thread(
                            delivery.waiting, self.office):
                        return True
                    await self._sleep(delay, None)
        except TimeoutError:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            return False

    async def send_due(self) -> float:
        """Start every request the limits allow now; returns how long to wait before more."""
        now = self._now()
        self._last_scan = now
        # Queued chats are left out as busy ones are: their rows are in hand already.
        excluded = (set(self._in_flight.values()) | self.limiter.blocked(now)
                    | set(self._hand.queued))
        free = self.limits.max_in_flight - len(self._in_flight)
        self._wake.clear()  # before reading: a row committed during the read wakes us again
        forgotten = self._hand.forgotten
        found = await asyncio.to_thread(
            delivery.due, self.office, limit=min(self.limits.batch, free + 16),
            exclude_chats=excluded, exclude_ids=set(self._in_flight), vouch=self._hand.handing,
            since=self._hand.newest)
        now = self._now()
        delay = min(self.limits.poll_interval, self.limiter.next_free(now))
        busy_chats = set(self._in_flight.values())
        left: set[int] = set()  # chats of rows not started now
        for index, row in enumerate(found.rows):
            if row.id in self._in_flight:
                continue
            if len(self._in_flight) >= self.limits.max_in_flight:
                delay = 0.0  # woken again by the next completion
                left.update(r.chat_id for r in found.rows[index:])
                break
            if row.op != "toast":
                if row.chat_id in busy_chats:
                    continue
                wait = self._wait_for(row, now)
                if wait > 0:
                    delay = min(delay, wait)
                    left.add(row.chat_id)
                    if self.limiter.global_wait(now) > 0:
                        left.update(r.chat_id for r in found.rows[index:])
                        break  # nothing else can go before the global window moves
                    continue
                busy_chats.add(row.chat_id)
            self._start(row)
        self._hand.learn(found, excluded, left, forgotten=forgotten)
        self._hand.leave_to_read(self._start_queued(now))
        return delay

    def _send_handed(self) -> None:
        """Start the rows handed over at commit that the last read vouches for, unread."""
        rows, fresh = self._hand.ready()  # fresh: chats left for a read by this pass
        now = self._now()
        for row in rows:
            if row.op == "toast":  # toasts ignore chat order
                if len(self._in_flight) < self.limits.max_in_flight:
                    self._start(row)
                else:
                    fresh.add(row.chat_id)
            else:  # started below if a slot is free, else given up to a read
                self._hand.queued.setdefault(row.chat_id, []).append(row)
        self._hand.leave_to_read(fresh | self._start_queued(now))

    def _start_queued(self, now: float | None = None) -> set[int]:
        """Start each queued chat's next row whose chat is free, while slots last; returns
        the chats whose queue was given up to a read (no slot free, a limit, or an edit of a
        message this sender did not deliver). Only chats with a request in flight keep a
        queue (see the module's docstring)."""
        now = self._now() if now is None else now
        busy = set(self._in_flight.values())
        given_up: set[int] = set()
        queued = self._hand.queued
        for chat, rows in list(queued.items()):
            if chat in busy:
                continue
            if len(self._in_flight) >= self.limits.max_in_flight:
                del queued[chat]  # still pending in the outbox: a read picks by priority
                given_up.add(chat)
                continue
            head = min(rows, key=lambda r: (r.priority, r.id))  # as a read would choose
            row = self._hand.shown(head)
            if (row.op == "edit" and row.message_id is None) or self._wait_for(row, now) > 0:
                del queued[chat]  # still pending in the outbox, and now not left out
                given_up.add(chat)
                continue
            rows.remove(head)
            if not rows:
                del queued[chat]
            self._start(row)
        return given_up

    def _wait_for(self, row: Pending, now: float) -> float:
        """Seconds until *row* may go; if it may go now, its slots are reserved."""
        if row.op in ("edit", "delete", "commands"):
            return self.limiter.paused(row.chat_id, now)
        wait = self.limiter.wait(row.chat_id, now)
        if wait <= 0:
            parts = plan_send(row)
            self.limiter.reserve(row.chat_id, parts[min(row.parts_sent, len(parts) - 1)].messages,
                                 now)
        return wait

    def _start(self, row: Pending) -> None:
        self._in_flight[row.id] = row.chat_id
        task = asyncio.create_task(self._deliver(row), name=f"outbox:{row.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sleep(self, delay: float, stop: asyncio.Event | None) -> tuple[bool, bool]:
        """Wait *delay* or until woken; says (whether to read the outbox now — rows written
        (``wake``), *stop* or the time running out —, whether a request finished)."""
        woken = await _first_of([self._wake, self._progress, self._hand.handed_in,
                                 *([stop] if stop is not None else [])], max(delay, 0.001))
        read = not woken or self._wake.is_set() or (stop is not None and stop.is_set())
        progress = self._progress.is_set()
        self._progress.clear()
        return read, progress

    async def _restore_pauses(self) -> None:
        windows = await asyncio.to_thread(delivery.rate_limit_windows, self.office)
        wall, mono = self.office.clock.now(), self._now()
        for chat_id, until in windows.items():
            self.limiter.pause(chat_id, mono + (until - wall).total_seconds())

    # -- one row -------------------------------------------------------------------------
    async def _deliver(self, row: Pending) -> None:
        """Send one row and record the outcome; never raises."""
        sent = False
        try:
            sent = await self._attempt(row)
        except Exception:
            log.exception("sender: outbox %d: unexpected failure", row.id)
        finally:
            self._in_flight.pop(row.id, None)
            if not sent and row.op != "toast":
                self._hand.unsettle(row.chat_id)
            self._progress.set()

    async def _attempt(self, row: Pending) -> bool:
        """Deliver *row*; True if it is now marked sent."""
        done = row.parts_sent
        try:
            if row.op == "toast":
                await self.transport.answer_callback(row.callback_id, row.text, row.alert)
                message_id: int | None = None
            elif row.op == "edit":
                message_id = await self._edit(row)
            elif row.op == "delete":
                if row.message_id is None:
                    raise Rejected("delete without a message to delete")
                await self.transport.delete_message(row.chat_id, row.message_id)
                message_id = row.message_id
            elif row.op == "commands":
                # The chat's own menu ("commands for chat X"): not a message, nothing to edit.
                commands = [(str(name), str(text))
                            for name, text in (row.keyboard or {}).get("commands", [])]
                await self.transport.set_commands(commands, row.chat_id, None)
                message_id = None
            else:
                message_id = row.message_id
                earlier = list(row.parts_message_ids)
                parts = plan_send(row)
                for index in range(row.parts_sent, len(parts)):
                    count = parts[index].messages
                    if index > row.parts_sent:
                        await self._acquire(row.chat_id, count)
                    try:
                        made = await parts[index].send(self.transport, row.chat_id)
                    finally:
                        self.limiter.settle(row.chat_id, count, self._now())
                    message_id = made[0]
                    done = index + 1
                    self.stats.parts += 1
                    if done < len(parts):
                        # Written down with the progress: the row keeps only the last
                        # part's message, and a recall deletes these too.
                        earlier += made
                        await self._record(delivery.mark_progress, self.office, row.id, done,
                                           message_id, earlier)
        except NotModified:
            message_id = row.message_id
        except DeliveryError as error:
            await self._failed(row, error, done)
            return False
        await self._mark_sent(row.id, message_id)
        self.stats.sent += 1
        self._hand.delivered(row, message_id)
        return True

    async def _mark_sent(self, row_id: int, message_id: int | None) -> None:
        """Record a delivery, committed with any others that are ready (``bot/sent_marks.py``);
        if that write fails, on its own, retried until it is written."""
        try:
            await self.marks.record(row_id, message_id)
        except Exception:
            await self._record(delivery.mark_sent, self.office, [(row_id, message_id)])

    async def _edit(self, row: Pending) -> int | None:
        if row.message_id is None:
            raise Rejected("edit without a message to edit")
        await self.transport.edit_text(row.chat_id, row.message_id, row.text, row.keyboard)
        return row.message_id

    async def _acquire(self, chat_id: int, count: int) -> None:
        """Wait for room for the next part of a multi-part send."""
        while True:
            now = self._now()
            wait = self.limiter.wait(chat_id, now)
            if wait <= 0:
                self.limiter.reserve(chat_id, count, now)
                return
            await asyncio.sleep(wait)

    async def _failed(self, row: Pending, error: DeliveryError, done: int) -> None:
        if isinstance(error, RetryAfter):
            self.stats.rate_limited += 1
            storm = self.limiter.rate_limited(row.chat_id, self._now(), error.seconds)
            log.warning("sender: 429 for chat %d, quiet %s for %.0fs", row.chat_id,
                        "everywhere" if storm else "there", error.seconds)
            await self._record(delivery.retry_later, self.office, row.id,
                               timedelta(seconds=error.seconds), error.reason,
                               parts_sent=done, rate_limited=True)
        elif isinstance(error, Transient):
            self.stats.retried += 1
            if row.attempts + 1 >= self.limits.max_attempts:
                self.stats.failed += 1
                await self._record(delivery.mark_failed, self.office, row.id,
                                   f"gave up: {error.reason}")
                return
            delay = min(self.limits.backoff_cap, self.limits.backoff_base * 2 ** row.attempts)
            delay *= random.uniform(0.8, 1.2)  # spread retries so they do not arrive together
            await self._record(delivery.retry_later, self.office, row.id, timedelta(seconds=delay),
                               error.reason, parts_sent=done)
        elif isinstance(error, Blocked) and row.op != "toast":
            # (A 403 to a tap's answer says nothing about the chat; it is dropped below.)
            self.stats.undeliverable += 1
            told = await self._record(delivery.mark_undeliverable, self.office, row.id,
                                      error.reason)
            log.info("sender: chat %d unreachable (%s); staff told: %s", row.chat_id,
                     error.reason, told)
            self._hand.unreachable(row.chat_id)
            self.wake()  # the follow-up notice is a new row
        elif isinstance(error, Migrated):
            await self._record(delivery.migrate_chat, self.office, row.chat_id, error.new_chat_id)
            self._hand.forget()  # the chat's rows moved: read again
        else:
            self.stats.failed += 1
            log.warning("sender: outbox %d rejected: %s", row.id, error.reason)
            await self._record(delivery.mark_failed, self.office, row.id, error.reason)

    async def _record(self, step: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Write an outcome, retrying while the database is briefly unavailable.

        Until the write succeeds the row stays in flight, so it cannot be sent again.
        """
        delay = 0.05
        while True:
            try:
                return await run_in_thread(self._writer, functools.partial(step, *args, **kwargs))
            except Exception:
                log.exception("sender: recording %s failed; retrying", step.__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


