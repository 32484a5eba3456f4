"""Work orders put straight into the state a follow-up or scheduler test needs, and readers
of what the office recorded.

Orders skip the conversations (the repair dialog has its own tests), and time moves only when a
test moves the fake clock; ``due()`` then runs what the scheduler's drain would run.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from handlers.callback_surveys.planning import schedule_survey
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.people import person_by_telegram
from handlers.office.unit_of_work import UnitOfWork
from scheduler.drain import DrainReport, drain_once
from storage.followups import CallbackSurvey, FollowupMark
from storage.models import EventLog, FrontDeskRequest, Residence, WorkOrder
from tests.conftest import SHANGHAI
from tests.support.desk import Person

_numbers = itertools.count(1)


def open_order(office: Office, reporter: Person, *, trade: str = "plumbing",
               callback_class: str = "other", status: str = "open",
               assignee: Person | None = None) -> int:
    """A work order *reporter* submitted just now, as intake would have stored it."""
    with UnitOfWork(office) as uow:
        person = person_by_telegram(uow.session, reporter.user_id)
        assert person is not None and person.id is not None
        residence = uow.session.exec(select(Residence).where(
            Residence.person_id == person.id)).first()
        technician = person_by_telegram(uow.session, assignee.user_id) if assignee else None
        order = WorkOrder(
            number=f"WO-T-{next(_numbers):04d}", kind="repair", trade=trade, status=status,
            household_id=residence.household_id if residence else None,
            description="kitchen tap drips", contact_name=reporter.name,
            contact_phone="13800000002", reporter_id=person.id,
            reporter_chat_id=reporter.user_id, callback_class=callback_class,
            created_at=uow.now, assignee_id=technician.id if technician else None,
            accepted_at=uow.now if technician else None)
        uow.session.add(order)
        uow.session.flush()
        uow.log("created", order=order)
        uow.commit()
        assert order.id is not None
        return order.id


def finish(office: Office, order_id: int) -> None:
    """The technician marks the job done now."""
    with UnitOfWork(office) as uow:
        order = uow.session.get(WorkOrder, order_id)
        assert order is not None
        order.status, order.done_at = "done", uow.now
        uow.log("done", order=order)
        uow.commit()


def confirm(office: Office, order_id: int) -> int:
    """The resident signs now; the survey is planned as ``orders.confirm`` will plan it."""
    with UnitOfWork(office) as uow:
        order = uow.session.get(WorkOrder, order_id)
        assert order is not None
        order.status, order.confirmed_at = "confirmed", uow.now
        uow.log("confirmed", order=order, by="resident")
        schedule_survey(uow, order)
        uow.commit()
    with Session(office.engine) as session:
        survey_id = session.exec(select(CallbackSurvey.id)
                                 .where(CallbackSurvey.order_id == order_id)).one()
    assert survey_id is not None
    return survey_id


def survey_row(office: Office, survey_id: int) -> CallbackSurvey:
    with Session(office.engine) as session:
        row = session.get(CallbackSurvey, survey_id)
        assert row is not None
        return row


def order_row(office: Office, order_id: int) -> WorkOrder:
    with Session(office.engine) as session:
        row = session.get(WorkOrder, order_id)
        assert row is not None
        return row


def events(office: Office, action: str) -> list[EventLog]:
    with Session(office.engine) as session:
        return list(session.exec(select(EventLog).where(EventLog.action == action)
                                 .order_by(col(EventLog.id))).all())


def marks(office: Office, kind: str) -> list[FollowupMark]:
    with Session(office.engine) as session:
        return list(session.exec(select(FollowupMark).where(FollowupMark.kind == kind)).all())


def front_desk(office: Office, chat_id: int, text: str) -> int:
    """An enquiry recorded now with the office's answer deadline."""
    with UnitOfWork(office) as uow:
        request = FrontDeskRequest(kind="enquiry", chat_id=chat_id, text=text,
                                   created_at=uow.now,
                                   due_at=uow.now + office.rules.response_deadline)
        uow.session.add(request)
        uow.commit()
        assert request.id is not None
        return request.id


def due(office: Office) -> DrainReport:
    """What the scheduler's periodic drain would do now (monthly duties apart)."""
    return drain_once(office)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock moment in the office's zone (Asia/Shanghai in the fixtures)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def surveyed(office: Office, clock: FakeClock, resident: Person, technician: Person) -> int:
    """A job confirmed now whose survey went out an hour later; returns the survey id.

    From the fixtures' start (Monday 10:00): survey at 11:00, window until Wednesday 10:00.
    """
    order_id = open_order(office, resident, status="accepted", assignee=technician)
    finish(office, order_id)
    survey_id = confirm(office, order_id)
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:sent"] == 1
    return survey_id


def phoned(office: Office, clock: FakeClock, resident: Person, technician: Person) -> int:
    """A survey (as ``surveyed``) left unanswered: on Wednesday 10:00 its window closed and it
    became a phone task for the desk; returns the survey id."""
    survey_id = surveyed(office, clock, resident, technician)
    clock.set(sh(2026, 11, 25, 10, 0))
    assert due(office).counts["survey:phone"] == 1
    return survey_id


async def until(condition: Callable[[], bool]) -> None:
    """Wait, at most five seconds, until *condition* holds (for the real event loop)."""
    async with asyncio.timeout(5):
        # Polling on purpose: the condition is a database read, nothing signals it.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
