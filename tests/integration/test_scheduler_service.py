"""The scheduler service: one leader among many processes, its APScheduler jobs, and the
sandbox's "run what is due now". Real event loop, real locks, short intervals."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler import SchedulerService
from storage.leader import LeaderLock
from tests.conftest import make_office
from tests.support.estate import build_estate
from tests.support.orders import (
    confirm,
    finish,
    open_order,
    sh,
    survey_row,
    until,
)


def _fast(office: Office) -> SchedulerService:
    """A scheduler that retries, re-checks and drains within a fraction of a second."""
    return SchedulerService(office, LeaderLock(_url(office), "scheduler"), drain_every=0.2,
                            follower_retry=0.05, leader_recheck=0.05)


def _url(office: Office) -> str:
    return office.engine.url.render_as_string(hide_password=False)


async def _exactly_one_leads(office: Office) -> None:
    first, second = _fast(office), _fast(office)
    await first.start()
    await second.start()
    try:
        await until(lambda: first.leading or second.leading)
        await asyncio.sleep(0.3)  # several follower retries
        assert [first.leading, second.leading].count(True) == 1
        leader, follower = (first, second) if first.leading else (second, first)
        await leader.stop()
        await until(lambda: follower.leading)  # the follower takes over
        assert not leader.leading
    finally:
        await first.stop()
        await second.stop()
    lock = LeaderLock(_url(office), "scheduler")
    assert lock.try_acquire()  # stopping released the lock
    lock.release()


async def test_two_schedulers_on_one_sqlite_file_run_one_at_a_time(office: Office) -> None:
    await _exactly_one_leads(office)


@pytest.mark.postgres
async def test_two_schedulers_on_postgresql_run_one_at_a_time(postgres_url: str,
                                                              clock: FakeClock) -> None:
    office = make_office(postgres_url, clock)
    try:
        await _exactly_one_leads(office)
    finally:
        office.engine.dispose()


async def test_the_leader_holds_only_a_few_jobs_with_fixed_ids(office: Office) -> None:
    service = _fast(office)
    await service.start()
    try:
        await until(lambda: service.leading)
        jobs = dict(service.planned_jobs())
        assert {"followups.drain", "duties.callbacks_list", "duties.callbacks_overdue",
                "duties.quota_check"} <= set(jobs)
        listing = jobs["duties.callbacks_list"]
        assert listing is not None
        local = listing.astimezone(office.timezone)
        assert (local.day, local.hour, local.minute) == (1, 9, 0)
    finally:
        await service.stop()
    assert service.planned_jobs() == []


async def test_on_taking_the_lead_everything_due_runs_at_once(tmp_path: Path) -> None:
    clock = FakeClock(sh(2026, 11, 23, 10, 0))
    office = make_office(f"sqlite:///{tmp_path / 'office.db'}", clock)
    estate = build_estate(office)
    order_id = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    survey_id = confirm(office, order_id)
    clock.advance(timedelta(hours=1))  # the survey is due; nothing has run it yet
    woken: list[bool] = []
    service = SchedulerService(office, LeaderLock(_url(office), "scheduler"), drain_every=60,
                               follower_retry=0.05, leader_recheck=0.05,
                               on_work=lambda: woken.append(True))
    await service.start()
    try:
        await until(lambda: survey_row(office, survey_id).state == "sent")
        await until(lambda: bool(woken))  # the sender in this process would be woken
    finally:
        await service.stop()
        office.engine.dispose()


async def test_run_due_now_works_without_leading(office: Office, clock: FakeClock) -> None:
    """The sandbox moves its clock and asks for what is due, leader or not."""
    estate = build_estate(office)
    open_order(office, estate.neighbour)
    clock.advance(timedelta(minutes=15))
    follower = SchedulerService(office, _NeverLeads())
    report = await follower.run_due_now()
    assert report.counts["dispatch_deadline:alerted"] == 1
    assert not follower.leading
    assert not (await follower.run_due_now()).counts["dispatch_deadline:alerted"]
    await follower.stop()


class _NeverLeads:
    def try_acquire(self) -> bool:
        return False

    def still_held(self) -> bool:
        return False

    def release(self) -> None:
        pass
