"""The complaint clocks as the scheduler drains them: a warning to the owner at 80 %, and a
missed deadline that moves the complaint one level up the chain (desk → supervisor →
director → admin/HR), where the next level gets its own time for the same duty.

Idempotent like the other timers: a warned clock has ``warned_at`` and no ``warn_at``; a
missed one leaves ``running`` in the same transaction as its messages.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from handlers.front_desk.complaint_chain import LEVEL_KEYS, LEVEL_NAMES, TOP
from handlers.front_desk.complaint_clocks import HOUR, MISSED, OFFICE, RUNNING, start_clock
from handlers.front_desk.complaint_handling import close
from handlers.front_desk.complaint_notices import (
    due_text,
    notify,
    post_card,
    record,
    reference,
    refresh_cards,
)
from handlers.office.due_items import finder
from handlers.office.unit_of_work import UnitOfWork
from locales import _
from storage.complaints import Complaint, ComplaintClock

DUTY_NAMES = {
    "response": _("reply to the resident"),
    "first_step": _("take it over"),
    "answer": _("give the resident a clear answer"),
    "resolve": _("resolve it"),
}


# Running complaint clocks past their warning moment (not warned yet), and past their deadline.
find_warnings = finder(ComplaintClock, ComplaintClock.warn_at,
                       col(ComplaintClock.state) == RUNNING)
find_missed = finder(ComplaintClock, ComplaintClock.due_at, col(ComplaintClock.state) == RUNNING)


def warn(uow: UnitOfWork, clock_id: int) -> str:
    """Most of a clock's time has passed: its owner hears, once."""
    clock = uow.session.get(ComplaintClock, clock_id)
    if clock is None or clock.state != RUNNING or clock.warn_at is None:
        return "not_due"
    complaint = uow.session.get(Complaint, clock.complaint_id)
    assert complaint is not None
    clock.warn_at, clock.warned_at = None, uow.now
    uow.session.add(clock)
    if clock.kind in DUTY_NAMES:
        notify(uow, complaint, complaint.level, _(
            "⚠ Complaint {number}: {percent} % of the time to {duty} has passed; due {due}.",
            number=reference(complaint), percent=uow.office.rules.complaints.warn_percent,
            duty=DUTY_NAMES[clock.kind], due=due_text(uow, clock.due_at)))
    record(uow, complaint, "warned", clock=clock.kind, level=LEVEL_KEYS[complaint.level],
           due=clock.due_at.isoformat() if clock.due_at else None)
    return "warned"


def miss(uow: UnitOfWork, clock_id: int) -> str:
    """A deadline passed: one level up, with that level's own time for the same duty; the
    resident's verdict window closes the complaint instead."""
    clock = uow.session.get(ComplaintClock, clock_id)
    if clock is None or clock.state != RUNNING or clock.due_at is None:
        return "not_due"
    complaint = uow.session.get(Complaint, clock.complaint_id)
    assert complaint is not None
    due = clock.due_at
    clock.state, clock.ended_at, clock.due_at, clock.warn_at = MISSED, uow.now, None, None
    uow.session.add(clock)
    if clock.kind == "verdict":
        close(uow, complaint, "no answer from the resident")
        return "closed"
    before = complaint.level
    if before >= TOP:
        record(uow, complaint, "deadline_missed", clock=clock.kind, level=LEVEL_KEYS[before],
               due=due.isoformat(), note="already with admin/HR: nowhere higher")
        notify(uow, complaint, before, _(
            "⏰ Complaint {number}: the time to {duty} has run out (due {due}).",
            number=reference(complaint), duty=DUTY_NAMES[clock.kind],
            due=due_text(uow, due)))
        refresh_cards(uow, complaint)
        return "overdue"
    complaint.level = before + 1
    uow.session.add(complaint)
    hours = uow.office.rules.complaints.escalated_office_hours
    again = start_clock(uow, complaint, clock.kind, OFFICE, hours * HOUR, complaint.level)
    record(uow, complaint, "escalated", clock=clock.kind, from_level=LEVEL_KEYS[before],
           to_level=LEVEL_KEYS[complaint.level], due=due.isoformat(),
           next_due=again.due_at.isoformat() if again.due_at else None)
    post_card(uow, complaint, complaint.level, _(
        "⏰ Complaint {number} is passed up to {owner}: nobody managed to {duty} by {due}. "
        "Please act by {next}.", number=reference(complaint),
        owner=LEVEL_NAMES[complaint.level], duty=DUTY_NAMES[clock.kind],
        due=due_text(uow, due), next=due_text(uow, again.due_at)))
    return "escalated"


def upcoming(session: Session, limit: int) -> tuple[list[tuple[str, str, datetime]],
                                                    dict[str, int]]:
    """What the drain will do next about complaints, soonest first: (kind, "CP-… duty",
    when), and how many of each kind (for ``frontline jobs``)."""
    found: list[tuple[str, str, datetime]] = []
    counts: dict[str, int] = {}
    for kind, column in (("complaint_warning", ComplaintClock.warn_at),
                         ("complaint_deadline", ComplaintClock.due_at)):
        where = (col(ComplaintClock.state) == RUNNING, col(column).is_not(None))
        counts[kind] = int(session.exec(select(func.count()).select_from(ComplaintClock)
                                        .where(*where)).one())
        rows = session.exec(select(Complaint.number, ComplaintClock.kind, column)
                            .join(Complaint, col(Complaint.id) == col(ComplaintClock.complaint_id))
                            .where(*where).order_by(col(column)).limit(limit)).all()
        found += [(kind, f"{number} {duty}", moment) for number, duty, moment in rows
                  if moment is not None]
    return found, counts
