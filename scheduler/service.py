"""The scheduler the runtime starts: APScheduler 3 on the bot's event loop, in the leader only.

Design: per-order timers are rows with a due time in our own tables (``callback_survey``),
or are derived from the state of ``work_order`` / ``front_desk_request``; one periodic job
drains whatever is due. APScheduler holds only a handful of jobs — the drain, one cron job per
monthly duty, a catch-up at start — in its in-memory job store, re-created with fixed ids
(``replace_existing``) each time this process becomes the leader. Why not a job per order in
the SQLAlchemy job store: it manages ~850 jobs/s on SQLite here (100k orders: minutes to
schedule, and all of them unpickled at every start), and two processes sharing one store run
jobs twice. Here scheduling a timer is one row in the transaction that makes it due, start-up
loads nothing per order, and a restart loses nothing: the rows are still there.

Misfires: the drain's job has no grace limit and coalesces — after a stall it runs once.
After downtime the catch-up job runs everything due at once, and each handler decides whether
its item still makes sense (a survey whose window closed becomes a phone task; a duty
superseded by a later one is dropped with a logged reason).

Exactly one scheduler: the jobs run only while this process holds the leader lock (PostgreSQL
advisory lock / file lock beside the SQLite file, passed in as *leadership*), held by
:func:`storage.leader.lead`, the loop the outbox sender runs too. A follower tries again every
few seconds, after a failed database connect with a capped back-off; a leader that loses its
lock stops its jobs at once. Correctness
does not rest on the lock — every step is conditional and keyed — it only keeps the work
(and the logs) in one place.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.office import Office
from storage.leader import FOLLOWER_RETRY, LEADER_RECHECK, Leadership, lead

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from scheduler.drain import DrainReport

log = logging.getLogger(__name__)
T = TypeVar("T")

DRAIN_EVERY = 30.0  # seconds between drains: the dispatch alert acts a minute early for this
# What the jobs need, imported where they are used and loaded in a thread as the service
# starts (:meth:`SchedulerService._lead`): ``frontline run`` starts it once receiving has
# begun, and APScheduler with every desk a drain calls is not needed to answer an update.
JOB_MODULES = ("apscheduler.schedulers.asyncio", "apscheduler.triggers.cron",
               "apscheduler.triggers.date", "apscheduler.triggers.interval",
               "handlers.callback_surveys.monthly_duties", "handlers.fees.ledger",
               "scheduler.drain")
__all__ = ["Leadership", "SchedulerService"]


class SchedulerService:
    """Start beside the bot, stop at shutdown; ``run_due_now()`` whenever the clock jumps."""

    def __init__(self, office: Office, leadership: Leadership, *,
                 drain_every: float = DRAIN_EVERY, follower_retry: float = FOLLOWER_RETRY,
                 leader_recheck: float = LEADER_RECHECK,
                 on_work: Callable[[], None] | None = None) -> None:
        self.office = office
        self.leadership = leadership
        # Called on the event loop after a pass that wrote something — e.g. the sender's
        # ``wake`` in the same process, so messages leave without waiting for its poll.
        self.on_work = on_work
        self.drain_every = drain_every
        self.follower_retry = follower_retry
        self.leader_recheck = leader_recheck
        self.scheduler: AsyncIOScheduler | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Database work runs on one thread, so passes never overlap. The lock object gets a
        # thread of its own: a file lock is owned by the thread that took it.
        self._worker: ThreadPoolExecutor | None = None
        self._lock_thread: ThreadPoolExecutor | None = None

    @property
    def leading(self) -> bool:
        """True while this process runs the jobs."""
        return self.scheduler is not None

    async def start(self) -> None:
        """Begin trying to lead; returns at once (a follower keeps trying in the background)."""
        if self._task is not None:
            return
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._lead(), name="scheduler")

    async def stop(self) -> None:
        """Stop the jobs, let a pass in flight finish, give the lock up."""
        if self._task is not None:
            self._stop.set()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for pool in (self._worker, self._lock_thread):
            if pool is not None:
                await asyncio.to_thread(pool.shutdown, True)
        self._worker = self._lock_thread = None

    async def run_due_now(self) -> DrainReport:
        """Run everything due by the office clock now (the sandbox, after moving its clock).

        Safe whether or not this process leads: every step is conditional and keyed.
        """
        from scheduler.drain import run_due_now

        return self._done(await self._in_worker(run_due_now, self.office))

    def planned_jobs(self) -> list[tuple[str, datetime | None]]:
        """APScheduler's own jobs and their next run (real time), for logs and tests."""
        if self.scheduler is None:
            return []
        return [(job.id, job.next_run_time) for job in self.scheduler.get_jobs()]

    # -- leadership ----------------------------------------------------------------------
    async def _lead(self) -> None:
        await asyncio.to_thread(_load_jobs)  # off the loop, which keeps answering meanwhile
        await lead(self.leadership, self._run_as_leader, self._stop, name="scheduler",
                   retry=self.follower_retry, recheck=self.leader_recheck, call=self._locked)

    async def _run_as_leader(self, lost: asyncio.Event) -> None:
        scheduler = self._build()
        scheduler.start()
        self.scheduler = scheduler
        log.info("scheduler: leading; jobs %s", [job.id for job in scheduler.get_jobs()])
        try:
            await lost.wait()
        finally:
            self.scheduler = None
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on its next loop turn
            await self._in_worker(lambda: None)  # a pass in flight ends before the lock goes

    # -- the jobs ------------------------------------------------------------------------
    def _build(self) -> AsyncIOScheduler:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.date import DateTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        from handlers.callback_surveys.monthly_duties import duties
        from handlers.fees.ledger import ladder_of

        _quiet_apscheduler()
        tz = self.office.timezone
        # Coalesce and no grace limit: a drain or a duty that was late runs once, late.
        scheduler = AsyncIOScheduler(timezone=tz, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        now = datetime.now(UTC)
        scheduler.add_job(self._catch_up, DateTrigger(run_date=now, timezone=tz),
                          id="followups.catch_up", name="everything due after downtime",
                          replace_existing=True)
        scheduler.add_job(self._drain, IntervalTrigger(seconds=self.drain_every, timezone=tz),
                          id="followups.drain", name="surveys, deadlines, escalations",
                          replace_existing=True)
        for duty in duties(self.office.rules):
            scheduler.add_job(self._duty, CronTrigger(day=duty.day, hour=duty.hour, minute=0,
                                                      timezone=tz),
                              args=(duty.kind,), id=f"duties.{duty.kind}",
                              name=f"monthly {duty.kind}", replace_existing=True)
        # The fee ladder's dates: each day at the ladder's hour, that day's notices are
        # prepared (the drain sends approved ones; the catch-up covers downtime).
        scheduler.add_job(self._fees, CronTrigger(
            hour=ladder_of(self.office).sending.prepare_hour, minute=0, timezone=tz),
            id="fees.calendar", name="fee notices of the day", replace_existing=True)
        # The managers' daily digest and the monthly service report (handlers/monthly_report).
        rules = self.office.rules
        scheduler.add_job(self._reports, CronTrigger(
            day=rules.report_day, hour=rules.report_time.hour, minute=rules.report_time.minute,
            timezone=tz), args=("report",), id="reports.monthly",
            name="monthly service report", replace_existing=True)
        scheduler.add_job(self._reports, CronTrigger(
            hour=rules.digest_time.hour, minute=rules.digest_time.minute, timezone=tz),
            args=("digest",), id="reports.digest", name="managers' daily digest",
            replace_existing=True)
        return scheduler

    async def _reports(self, only: str) -> None:
        from scheduler.drain import reports_once

        await self._job(reports_once, self.office, only)

    async def _catch_up(self) -> None:
        from scheduler.drain import run_due_now

        await self._job(run_due_now, self.office)

    async def _drain(self) -> None:
        from scheduler.drain import drain_once

        await self._job(drain_once, self.office)

    async def _fees(self) -> None:
        from scheduler.drain import fees_once

        await self._job(fees_once, self.office)

    async def _duty(self, kind: str) -> None:
        from scheduler.drain import duties_once

        await self._job(duties_once, self.office, kind)

    async def _job(self, fn: Callable[..., DrainReport], *args: Any) -> None:
        try:
            self._done(await self._in_worker(fn, *args))
        except asyncio.CancelledError:
            # APScheduler cancels a running job at shutdown; the pass itself finishes on the
            # worker thread, and stopping waits for it. Nothing to report.
            log.debug("scheduler: %s interrupted by shutdown", getattr(fn, "__name__", fn))

    def _done(self, report: DrainReport) -> DrainReport:
        if report and self.on_work is not None:
            try:
                self.on_work()
            except Exception:
                log.exception("scheduler: on_work failed")
        return report

    async def _in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="scheduler")
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def _locked(self, fn: Callable[[], T]) -> T:
        if self._lock_thread is None:
            self._lock_thread = ThreadPoolExecutor(1, thread_name_prefix="scheduler-lock")
        return await asyncio.get_running_loop().run_in_executor(self._lock_thread, fn)


def _load_jobs() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)


def _quiet_apscheduler() -> None:
    """APScheduler logs every run at INFO (every 30 s here); keep warnings unless configured."""
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
