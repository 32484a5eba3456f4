"""A timer pass that auto-confirms a thousand jobs at once plans every callback, on SQLite and
on PostgreSQL: the surveys are written in pages straight through the driver, so this checks
what is recorded (windows, defaults, one event and one dispatch notice per survey)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.drain import drain_once
from storage.followups import CallbackSurvey
from storage.models import Outbox, WorkOrder
from tests.support.estate import DISPATCH, build_estate
from tests.support.orders import events, sh

JOBS = 1005  # more than one page of the surveys' INSERT


def test_a_thousand_jobs_confirmed_in_one_pass_each_get_one_survey(
        any_office: Office, clock: FakeClock) -> None:
    office = any_office
    estate = build_estate(office, staff_language="en")
    li = estate.neighbour
    with Session(office.engine) as session:  # finished by technicians a day ago
        session.add_all(WorkOrder(
            number=f"WO-B-{i:04d}", kind="repair", trade=("plumbing", "security")[i % 2],
            status="done", description="kitchen tap drips", contact_name="Li Lei",
            contact_phone="13800000002", reporter_chat_id=li.user_id, created_at=clock.now(),
            done_at=clock.now()) for i in range(JOBS))
        session.commit()
    clock.advance(office.rules.auto_confirm_after + timedelta(minutes=5))
    confirmed_at = clock.now()  # Monday 10:00 + 48 h 5 min: Wednesday 10:05

    report = drain_once(office, batch=JOBS + 100)

    assert report.counts["auto_confirm:confirmed"] == JOBS
    with Session(office.engine) as session:
        surveys = session.exec(select(CallbackSurvey).order_by(col(CallbackSurvey.id))).all()
        numbers = dict(session.exec(select(WorkOrder.id, WorkOrder.number)).all())
    assert len(surveys) == JOBS and len({s.order_id for s in surveys}) == JOBS
    for survey in surveys:
        klass = "safety" if numbers[survey.order_id][-1] in "13579" else "other"
        assert (survey.callback_class, survey.state, survey.chat_id) == (
            klass, "scheduled", li.user_id)
        assert survey.window_start == confirmed_at
        assert survey.window_end == sh(2026, 11, 27, 10, 5)  # two days, both classes
        assert survey.due_at == confirmed_at + timedelta(hours=1)
        assert survey.created_at == confirmed_at
        assert (survey.rated_via, survey.late, survey.comment, survey.phone_attempts,
                survey.attempts, survey.sent_at) == ("", False, "", 0, 0, None)
    logged = {e.order_id: e.detail["survey_id"] for e in events(office, "survey_scheduled")}
    assert logged == {s.order_id: s.id for s in surveys}
    with Session(office.engine) as session:
        notices = session.exec(select(Outbox.ref).where(
            Outbox.chat_id == DISPATCH, col(Outbox.ref).startswith("svn:"))).all()
    assert sorted(notices) == sorted(f"svn:{s.id}" for s in surveys)

    assert not drain_once(office).counts["auto_confirm:confirmed"]  # nothing planned twice
    with Session(office.engine) as session:
        assert len(session.exec(select(CallbackSurvey.id)).all()) == JOBS
