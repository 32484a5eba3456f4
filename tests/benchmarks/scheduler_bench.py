"""Scheduler benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/scheduler_bench.py [--orders 100000] [--due 20000]
        [--database URL]

1. Scheduling: plan callback surveys for N confirmed orders through ``schedule_survey`` (the
   code path ``orders.confirm`` uses), 1000 orders per transaction; then a sample with the
   dispatch chat's class notice, which adds a message per confirmation.
2. Start-up: time and memory for the scheduler service to take the lead and run its catch-up
   pass with N timers pending — and, for comparison, the same number of jobs in APScheduler's
   SQLAlchemy job store (measured on a sample and scaled, since it is linear and slow).
3. Throughput: an idle drain with N pending rows (the every-30-s cost), then D of them due at
   once (pushes), their windows closing (phone tasks), dispatch alerts and auto-confirms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from handlers.callback_surveys.planning import schedule_survey
from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import FakeClock
from handlers.office.unit_of_work import UnitOfWork
from scheduler.agenda import agenda
from scheduler.drain import drain_once
from scheduler.service import SchedulerService
from storage.db import make_engine, upgrade
from storage.followups import CallbackSurvey
from storage.models import Person, StaffChat, WorkOrder

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
RESIDENTS = 2000


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def measured(label: str, items: int | None = None, trace: bool = False) -> Iterator[None]:
    """Time a step; with *trace*, also its Python allocation peak (tracemalloc slows code
    down several times, so timings of traced steps are not comparable)."""
    gc.collect()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    yield
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu  # steadier than the wall clock on a shared machine
    memory = ""
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory = f", Python peak {peak / 2**20:.2f} MB"
    rate = f", {items / seconds:,.0f}/s" if items else ""
    print(f"  {label}: {seconds:.3f} s (CPU {cpu:.3f} s){rate}{memory}, "
          f"process RSS peak {rss_mb():.0f} MB")


class Lock:
    """Always the leader (the benchmark measures the scheduler, not the lock)."""

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def seed(office: Office, orders: int, status: str, *, done_at: datetime | None = None,
         confirmed_at: datetime | None = None, offset: int = 0,
         created_at: datetime = START) -> list[int]:
    """Insert *orders* work orders in bulk (not timed: intake's cost, not the scheduler's)."""
    rows: list[dict[str, Any]] = [
        {"number": f"WO-B-{offset + i:07d}", "kind": "repair", "trade": "plumbing",
         "status": status, "location": "unit", "description": "tap drips",
         "photos": [], "done_photos": [], "reporter_chat_id": 10_000 + i % RESIDENTS,
         "contact_name": "resident", "contact_phone": "13800000000",
         "callback_class": ("other", "leak", "safety")[i % 3], "created_at": created_at,
         "done_at": done_at, "confirmed_at": confirmed_at} for i in range(orders)]
    with Session(office.engine) as session:
        before = session.execute(select(func.max(WorkOrder.id))).scalar_one() or 0
        for chunk in range(0, orders, 5000):
            session.execute(insert(WorkOrder), rows[chunk:chunk + 5000])
        session.commit()
    return list(range(before + 1, before + orders + 1))


def setup(url: str) -> Office:
    upgrade(url)
    office = Office(engine=make_engine(url), clock=FakeClock(START), timezone=TZ,
                    catalog=load_catalog())
    with Session(office.engine) as session:
        session.execute(insert(Person), [
            {"telegram_user_id": 10_000 + i, "role": "resident", "name": f"r{i}", "phone": "",
             "trades": [], "language": ("zh_Hans", "en")[i % 2], "blocked_bot": False}
            for i in range(RESIDENTS)])
        session.execute(insert(Person), [
            {"telegram_user_id": 20_000 + i, "role": "technician", "name": f"t{i}",
             "phone": "", "trades": ["plumbing"], "language": "zh_Hans", "blocked_bot": False}
            for i in range(4)])
        session.commit()
    return office


def bench_scheduling(office: Office, orders: int, sample: int = 5000) -> None:
    print(f"\n1. Scheduling callback surveys for {orders:,} confirmed orders")
    ids = seed(office, orders, "confirmed", done_at=START, confirmed_at=START)
    chunks = load_orders(office, ids)
    with measured("schedule_survey ×N (timer row + history event), 1000 per transaction",
                  orders):
        schedule(office, chunks)
    print(f"  rows: {orders:,} callback_survey")
    # With a dispatch chat bound, each confirmation also posts the class notice (a message,
    # not part of the timer): measured on a sample.
    bind_chats(office)
    sample = min(sample, orders)
    extra = seed(office, sample, "confirmed", done_at=START, confirmed_at=START,
                 offset=3 * orders)
    chunks = load_orders(office, extra)
    with measured(f"… with the dispatch chat's class notice (+1 outbox row), {sample:,} more",
                  sample):
        schedule(office, chunks)


def load_orders(office: Office, ids: list[int]) -> list[list[WorkOrder]]:
    """The confirmed orders, 1000 to a list, loaded before the clock starts: the confirmation
    has its order at hand, so loading it is the caller's cost (printed on its own)."""
    started = time.perf_counter()
    with Session(office.engine, expire_on_commit=False) as session:
        chunks = [list(session.exec(select(WorkOrder).where(
            col(WorkOrder.id).in_(ids[start:start + 1000]))))
            for start in range(0, len(ids), 1000)]
    print(f"  (loading the {len(ids):,} orders first, untimed: "
          f"{time.perf_counter() - started:.3f} s)")
    return chunks


def schedule(office: Office, chunks: list[list[WorkOrder]]) -> None:
    """As ``orders.confirm`` calls it: the order is at hand, the survey is planned."""
    for orders in chunks:
        with UnitOfWork(office) as uow:
            for order in orders:
                schedule_survey(uow, order)
            uow.commit()


def bind_chats(office: Office) -> None:
    with Session(office.engine) as session:
        session.add(StaffChat(chat_id=-1003, purpose="dispatch", title="dispatch"))
        session.add(StaffChat(chat_id=-1004, purpose="managers", title="managers"))
        session.commit()


def bench_start(office: Office, orders: int) -> None:
    print(f"\n2. Start-up with {orders:,} timers pending")

    async def start_and_catch_up() -> None:
        service = SchedulerService(office, Lock(), drain_every=3600)
        await service.start()
        while not service.leading:  # noqa: ASYNC110 (a property, nothing to wait on)
            await asyncio.sleep(0.001)
        await service.run_due_now()  # the catch-up pass (nothing is due yet)
        print(f"  APScheduler jobs held: {len(service.planned_jobs())}")
        await service.stop()

    with measured("take the lead + catch-up pass"):
        asyncio.run(start_and_catch_up())
    with measured("the same, memory traced", trace=True):
        asyncio.run(start_and_catch_up())
    with measured("`frontline jobs` listing: the first 200, with totals by kind"):
        items, counts = agenda(office, limit=200)
    print(f"  → {len(items)} shown of {sum(counts.values()):,}")
    bench_jobstore(orders)


def bench_jobstore(orders: int, sample: int = 3000) -> None:
    """The alternative: one APScheduler job per order in the SQLAlchemy job store."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/jobs.db"
        scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)},
                                        timezone=TZ)
        scheduler.start(paused=True)
        # APScheduler keeps the wall clock, not the office's: jobs dated from START would be
        # overdue, and a scheduler shutting down would try to run them (thread errors).
        soon = datetime.now(TZ) + timedelta(days=2)
        started = time.perf_counter()
        for i in range(sample):
            scheduler.add_job(print, "date", run_date=soon + timedelta(seconds=i),
                              args=(i,), id=f"survey:{i}")
        add = time.perf_counter() - started
        scheduler.shutdown(wait=False)
        load, loaded, _ = _load_jobs(url, trace=False)
        _, _, peak = _load_jobs(url, trace=True)
    scale = orders / sample
    print(f"  for comparison, SQLAlchemy job store, {sample:,} jobs measured: "
          f"add {sample / add:,.0f} jobs/s, load all {loaded:,} in {load:.3f} s "
          f"({peak / 2**20:.1f} MB)")
    print(f"  → scaled to {orders:,} jobs: add ≈ {add * scale:,.0f} s, load ≈ "
          f"{load * scale:,.1f} s and ≈ {peak * scale / 2**20:,.0f} MB")


def _load_jobs(url: str, trace: bool) -> tuple[float, int, int]:
    """Start a scheduler on the job store and load every job, as a listing or a rescheduling
    pass does: (seconds, jobs, Python allocation peak if traced)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    gc.collect()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)},
                                    timezone=TZ)
    scheduler.start(paused=True)
    loaded = len(scheduler.get_jobs())
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    scheduler.shutdown(wait=False)
    return seconds, loaded, peak


def bench_throughput(office: Office, due: int) -> None:
    clock = office.clock
    assert isinstance(clock, FakeClock)
    with Session(office.engine) as session:
        pending = session.execute(select(func.count()).select_from(CallbackSurvey)).scalar_one()
        # Only the first *due* surveys come due; the rest stay pending (untimed set-up).
        session.execute(update(CallbackSurvey).where(col(CallbackSurvey.id) > due)
                        .values(due_at=START + timedelta(days=30)))
        session.commit()
    print(f"\n3. Due-item throughput ({due:,} due among {pending:,} pending)")
    with measured("idle drain, nothing due yet (the every-30-s cost)"):
        report = drain_once(office)
    with measured("the same, memory traced", trace=True):
        drain_once(office)
    assert not report, report.summary()
    clock.set(START + timedelta(hours=1, minutes=1))  # their push moment has come
    with measured(f"{due:,} surveys due at once: pushed", due):
        report = drain_once(office)
    print(f"  → {report.summary()}")
    clock.set(START + timedelta(days=3, hours=1))  # their windows closed, nobody answered
    with measured(f"{due:,} windows closing: phone tasks", due):
        report = drain_once(office)
    print(f"  → {report.summary()}")
    small = max(due // 10, 1)
    seed(office, small, "open", offset=10_000_000, created_at=clock.now())
    seed(office, small, "done", done_at=clock.now(), offset=20_000_000,
         created_at=clock.now())
    clock.advance(timedelta(minutes=15))
    with measured(f"{small:,} orders past the dispatch deadline: alerts", small):
        report = drain_once(office)
    print(f"  → {report.summary()}")
    clock.advance(timedelta(hours=48))
    with measured(f"{small:,} done orders auto-confirmed (+ {small:,} open escalated)",
                  2 * small):
        report = drain_once(office)
    print(f"  → {report.summary()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000,
                        help="how many of them come due at once in the throughput part")
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        office = setup(url)
        print(f"Scheduler benchmark: {args.orders:,} orders, {url.split(':')[0]}, "
              f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        bench_scheduling(office, args.orders)
        bench_start(office, args.orders)
        bench_throughput(office, min(args.due, args.orders))
        office.engine.dispose()


if __name__ == "__main__":
    main()
