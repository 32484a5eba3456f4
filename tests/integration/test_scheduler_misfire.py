"""Downtime: after a three-day outage everything missed runs once on start, if it still makes
sense — each survey is sent once and never outside its window or at night; the rest becomes
a phone task or an alert. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from handlers.office import Office
from handlers.office.calendar import is_daytime
from handlers.office.clock import FakeClock
from scheduler import SchedulerService, run_due_now
from storage.followups import CallbackSurvey
from storage.leader import LeaderLock
from storage.models import EventLog
from tests.support.desk import Person
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate
from tests.support.orders import (
    confirm,
    due,
    finish,
    open_order,
    order_row,
    sh,
    survey_row,
    until,
)


async def test_a_three_day_outage_sends_each_survey_once_and_only_inside_its_window(
        any_office: Office, clock: FakeClock) -> None:
    office = any_office
    estate = build_estate(office, staff_language="en")
    li, wang = estate.neighbour, estate.resident
    clock.set(sh(2026, 11, 23, 10, 0))  # Monday
    # Before the outage: confirmations and a finished job nobody signs.
    a = confirm(office, _done(office, li, estate))  # other: window until Wed 10:00
    clock.set(sh(2026, 11, 23, 10, 10))
    c = confirm(office, _done(office, wang, estate, "leak"))  # leak: until Thu 10:10
    d_order = _done(office, li, estate)  # auto-confirm due Wed 10:10
    clock.set(sh(2026, 11, 23, 10, 20))
    f_order = open_order(office, wang)  # nobody accepts it
    clock.set(sh(2026, 11, 23, 10, 30))
    assert not due(office).counts["survey:sent"]  # A's push is 11:00: the bot goes down first

    clock.set(sh(2026, 11, 26, 8, 30))  # Thursday, before opening hours: the bot comes back
    service = SchedulerService(office, LeaderLock(_url(office), "scheduler"),
                               drain_every=3600, follower_retry=0.05, leader_recheck=0.05)
    await service.start()
    try:
        await until(lambda: survey_row(office, a).state == "phone")
        await until(lambda: order_row(office, d_order).status == "confirmed")
    finally:
        await service.stop()
    assert survey_row(office, a).sent_at is None  # its window closed during the outage
    assert survey_row(office, c).state == "scheduled"  # still open, but it is 08:30
    assert survey_row(office, c).due_at == sh(2026, 11, 26, 9, 0)
    assert any("Callback needed" in t and order_row(office, _order_of(office, a)).number in t
               for t in estate.desk.texts(DISPATCH))
    assert order_row(office, f_order).status == "open"
    assert len(_events(office, "dispatch_alert")) == 1  # late, but still useful: once
    assert len(_events(office, "escalated_to_managers")) == 1  # and past 24 h: once
    assert not run_due_now(office)  # coalesced: a second pass finds nothing

    # The days after: a drain every 30 minutes until the windows are long closed.
    while clock.now() < sh(2026, 11, 30, 12, 0):
        clock.advance(timedelta(minutes=30))
        due(office)
    with Session(office.engine) as session:
        rows = session.exec(select(CallbackSurvey).order_by(col(CallbackSurvey.id))).all()
    assert len(rows) == 3  # A, C, and D's after its automatic confirmation
    sent = [row for row in rows if row.sent_at is not None]
    assert {row.id for row in sent} == {c, _survey_of(office, d_order)}
    for row in sent:
        assert row.sent_at is not None and row.window_start is not None
        assert row.window_start <= row.sent_at < (row.window_end or row.sent_at)
        assert is_daytime(row.sent_at, office.timezone, 9, 20)
    assert survey_row(office, c).sent_at == sh(2026, 11, 26, 9, 0)
    assert len(_events(office, "survey_sent")) == 2  # each once
    assert all(row.state == "phone" for row in rows)  # nobody answered: all to the phone


async def test_monthly_duties_after_an_outage_run_once_or_are_dropped_with_a_reason(
        office: Office, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    estate = build_estate(office, staff_language="en")
    run_due_now(office)  # Nov 23: November's duties are settled
    open_survey = confirm(office, _done(office, estate.neighbour, estate))
    clock.set(sh(2026, 12, 12, 15, 0))  # down from Nov 23 to Dec 12: past the 1st and the 10th
    caplog.set_level("INFO", logger="handlers.callback_surveys.monthly_duties")
    report = run_due_now(office)
    assert report.counts["callbacks_list:skipped"] == 1
    assert report.counts["callbacks_overdue:done"] == 1
    assert "callbacks_list for 202612 dropped" in caplog.text and "superseded" in caplog.text
    number = order_row(office, _order_of(office, open_survey)).number
    managers = estate.desk.texts(MANAGERS)
    assert any(number in t and "after day 10" in t for t in managers)
    assert not any(key.startswith(("callbacks", "quota")) for key in run_due_now(office).counts)


def _done(office: Office, resident: Person, estate: Estate, klass: str = "other") -> int:
    """A job *resident* reported, finished now by the plumber."""
    order_id = open_order(office, resident, status="accepted", assignee=estate.plumber,
                          callback_class=klass)
    finish(office, order_id)
    return order_id


def _url(office: Office) -> str:
    return office.engine.url.render_as_string(hide_password=False)


def _events(office: Office, action: str) -> list[EventLog]:
    with Session(office.engine) as session:
        return list(session.exec(select(EventLog).where(EventLog.action == action)).all())


def _order_of(office: Office, survey_id: int) -> int:
    return survey_row(office, survey_id).order_id


def _survey_of(office: Office, order_id: int) -> int:
    with Session(office.engine) as session:
        survey_id = session.exec(select(CallbackSurvey.id)
                                 .where(CallbackSurvey.order_id == order_id)).one()
        assert survey_id is not None
        return survey_id
