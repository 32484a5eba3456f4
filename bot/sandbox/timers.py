"""The sandbox's timed follow-ups: the office's scheduler, plus "run what is due now".

``frontline run`` starts the scheduler (``scheduler.SchedulerService``) beside the bot; the
sandbox does the same and, after each clock jump, asks it to run whatever became due at once
— a trainer who presses "+1 day" should see the survey now, not at the next periodic drain.
If the scheduler cannot be loaded the sandbox still runs, without timers, and says so.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Protocol

from bot.settings import Settings
from handlers.office import Office
from storage.leader import LeaderLock

log = logging.getLogger(__name__)


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


async def run_due(service: DueRunner | None) -> bool:
    """Run due follow-ups now; False when there is no scheduler to ask."""
    if service is None:
        return False
    result = service.run_due_now()
    if inspect.isawaitable(result):
        await result
    return True
