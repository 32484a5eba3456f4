"""The sandbox's timed follow-ups: the office's scheduler, plus "run what is due now".

``frontline run`` starts the scheduler (``scheduler.SchedulerService``) beside the bot; the
sandbox does the same and, for each clock jump, *walks* the clock to its target: it stops at
every moment something falls due on the way (the office's agenda, ``scheduler.agenda``), runs
what is due there and waits until those messages are delivered, then moves on. A 15-minute
dispatch alert inside a 24-hour jump therefore arrives dated 15 minutes after the report, in
order with the rest — the chats read as the day would have gone, not as a burst stamped at the
end. If the scheduler cannot be loaded the sandbox still runs, without timers, and says so.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from bot.sandbox.clock import SandboxClock
from bot.settings import Settings
from handlers.delivery.outbox import waiting
from handlers.office import Office
from storage.leader import LeaderLock

log = logging.getLogger(__name__)

MAX_STOPS = 500  # a month's jump stops at each day's digest, surveys, deadlines: well under
SETTLE_SECONDS = 10.0  # the longest wait for one stop's messages to be delivered
SETTLE_POLL = 0.05
# The sender looks at the outbox every half second: a count that has not moved for longer is
# stuck (a retry due later), and the walk goes on rather than wait for it at every stop.
SETTLE_STILL = 1.5


class DueRunner(Protocol):
    """A background service that can also be told "run what is due now"."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def run_due_now(self) -> Any: ...


def find_scheduler(office: Office, settings: Settings) -> DueRunner | None:
    """The office's scheduler service, leading through the same lock as ``frontline run``."""
    try:
        from scheduler import SchedulerService
    except ImportError as error:
        log.warning("sandbox: no scheduler (%s); clock jumps will move time only", error)
        return None
    return SchedulerService(office, LeaderLock(settings.database_url, name="scheduler"))


class AfterSeeding:
    """*service*, started beside the bot only once *ready* is set (the demo estate seeded):
    its catch-up on start must find the managers' chat bound and last month in place, not
    record the month's report as skipped for good. ``start`` returns at once, as the bot's
    services do; ``stop`` works whether or not *service* got to start."""

    def __init__(self, service: DueRunner, ready: asyncio.Event) -> None:
        self.service = service
        self.ready = ready
        self._waiting: asyncio.Task[None] | None = None
        self._started = False

    async def start(self) -> None:
        if self._waiting is None:
            self._waiting = asyncio.create_task(self._start(), name="scheduler-after-seeding")

    async def _start(self) -> None:
        await self.ready.wait()
        self._started = True
        await self.service.start()

    async def stop(self) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
            await asyncio.gather(self._waiting, return_exceptions=True)
            self._waiting = None
        if self._started:
            self._started = False
            await self.service.stop()


async def run_due(service: DueRunner | None) -> bool:
    """Run due follow-ups now; False when there is no scheduler to ask."""
    if service is None:
        return False
    result = service.run_due_now()
    if inspect.isawaitable(result):
        await result
    return True


@dataclass(frozen=True, slots=True)
class Walk:
    """What a clock jump needs besides the clock: when is the next thing due after a moment,
    how to run what is due, and how to wait until its messages are out."""

    next_due: Callable[[datetime], datetime | None]  # called in a thread (database reads)
    run: Callable[[], Awaitable[bool]]
    settle: Callable[[], Awaitable[None]]


async def walk(clock: SandboxClock, target: datetime, how: Walk) -> int:
    """Move *clock* to *target* through each moment a follow-up falls due; returns the stops.

    At each stop the clock shows that moment while its follow-ups run and their messages are
    delivered (the emulator dates messages by this clock), so they are stamped at their due
    time and released in due-time order.
    """
    stops = 0
    while stops < MAX_STOPS:
        due = await asyncio.to_thread(how.next_due, clock.now())
        if due is None or due > target:
            break
        clock.move_to(due)
        await how.run()
        await how.settle()
        stops += 1
    else:
        log.warning("sandbox: the jump stopped %s times; the rest runs at its end", stops)
    clock.move_to(target)
    await how.run()
    await how.settle()
    return stops


def office_walk(office: Office, service: DueRunner) -> Walk:
    """How *office*'s clock jumps walk: its agenda, its scheduler, its outbox."""
    from scheduler.agenda import next_due  # beside the scheduler: absent with it
    return Walk(next_due=partial(next_due, office), run=partial(run_due, service),
                settle=partial(delivered, office))


async def delivered(office: Office) -> None:
    """Wait until the outbox has nothing left to send now — or nothing moves any more (a row
    waiting for its retry, a chat held back), or ``SETTLE_SECONDS`` have passed."""
    now = time.monotonic()
    deadline, last, moved = now + SETTLE_SECONDS, -1, now
    while now < deadline and now - moved < SETTLE_STILL:
        left = await asyncio.to_thread(waiting, office)
        if not left:
            return
        now = time.monotonic()
        if left != last:
            last, moved = left, now
        await asyncio.sleep(SETTLE_POLL)
        now = time.monotonic()
