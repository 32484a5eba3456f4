"""A complaint's clocks: which deadlines it has, how each counts time, pauses, met and missed.

The manual's deadlines (001 第四篇 4(5)) with the office's settings (``OfficeRules.complaints``):

| duty | major | important | minor | counts |
|---|---|---|---|---|
| response: a human word to the resident (004) | 24 h | 24 h | 24 h | ``response_deadline_basis`` |
| first_step: the owner takes it | director, same office day | supervisor, 1 office hour | — |
| | | | | office hours |
| answer: a clear answer to the resident | 2 days | — | — | calendar days |
| resolve | 10 days | 3 days | 2 days or the resident's date | calendar days |

Every clock starts when the complaint was received (the severity, set later or changed, does
not move it: a re-grade counts the new severity's clocks from the same start). Time waiting
for the resident is left out: a clock's ``length_seconds`` is the time it gives in its basis,
and its due moment is recomputed from the pauses whenever one ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlmodel import col, select

from handlers.front_desk.complaint_chain import ADMIN, DESK, SEVERITY_LEVELS
from handlers.office import Office
from handlers.office.calendar import add_days
from handlers.office.unit_of_work import UnitOfWork
from storage.complaints import Complaint, ComplaintClock

OFFICE, CALENDAR = "office", "calendar"
RUNNING, PAUSED, MET, MISSED, STOPPED = "running", "paused", "met", "missed", "stopped"
HOUR: Final = 3600
# The duties each clock stands for, in the order a card lists them.
KINDS: Final = ("response", "first_step", "answer", "resolve", "verdict")
SEVERITY_KINDS: Final = ("first_step", "answer", "resolve")  # the duties a severity sets


# -- time in a basis -----------------------------------------------------------------------
def elapsed(office: Office, basis: str, start: datetime, end: datetime) -> float:
    """Seconds from *start* to *end* counted in *basis* (office: open hours only)."""
    if basis == OFFICE:
        return office.hours.between(start, end, office.timezone)
    return max((end - start).total_seconds(), 0.0)


def later(office: Office, basis: str, start: datetime, seconds: float) -> datetime:
    """The moment *seconds* of *basis* time after *start*. Negative seconds (a re-grade whose
    time from receipt has run out) give the moment it ran out, already past, in calendar time;
    open hours do not run backwards, so in office time it is the next open moment."""
    if basis == OFFICE:
        return office.hours.add(start, seconds, office.timezone)
    return start + timedelta(seconds=seconds)


def pauses_of(complaint: Complaint) -> list[tuple[datetime, datetime | None]]:
    return [(datetime.fromisoformat(str(start)),
             datetime.fromisoformat(end) if end else None) for start, end in complaint.pauses]


def used(office: Office, clock: ComplaintClock, complaint: Complaint, now: datetime) -> float:
    """How much of the clock's time has been used by *now*, pauses left out."""
    assert clock.started_at is not None
    total = elapsed(office, clock.basis, clock.started_at, now)
    for start, end in pauses_of(complaint):
        begin, finish = max(start, clock.started_at), min(end or now, now)
        if finish > begin:
            total -= elapsed(office, clock.basis, begin, finish)
    return max(total, 0.0)


def schedule(office: Office, clock: ComplaintClock, complaint: Complaint,
             now: datetime) -> None:
    """Set the due and warning moments of a running clock from what it has used."""
    spent = used(office, clock, complaint, now)
    clock.due_at = later(office, clock.basis, now, clock.length_seconds - spent)
    warn_after = clock.length_seconds * office.rules.complaints.warn_percent / 100
    # The verdict window is the resident's time, not an owner's duty: nobody to warn.
    clock.warn_at = None if clock.warned_at is not None or clock.kind == "verdict" else later(
        office, clock.basis, now, warn_after - spent)


# -- which clocks a complaint gets ---------------------------------------------------------
def _days(office: Office, start: datetime, days: int) -> int:
    return int((add_days(start, days, office.timezone) - start).total_seconds())


def response_plan(office: Office) -> tuple[str, int]:
    """(basis, length) of the 24-hour rule."""
    return office.rules.response_deadline_basis, office.rules.response_deadline_hours * HOUR


def severity_plan(office: Office, complaint: Complaint,
                  starts: Mapping[str, datetime] | None = None,
                  ) -> list[tuple[str, str, int, int, datetime]]:
    """(kind, basis, length, level, start) of the clocks the complaint's severity sets; each
    counts from its kind's moment in *starts* (a reopened complaint's resolve clock: the
    reopening), else from the complaint's start."""
    rules, received = office.rules.complaints, complaint.created_at
    assert received is not None and complaint.severity is not None
    owner = ADMIN if complaint.about_service_centre else SEVERITY_LEVELS[complaint.severity]

    def start(kind: str) -> datetime:
        return (starts or {}).get(kind) or received

    if complaint.severity == "major":
        same_day = office.hours.close_of_day(start("first_step"), office.timezone)
        return [("first_step", OFFICE, int(office.hours.between(
                    start("first_step"), same_day, office.timezone)), owner, start("first_step")),
                ("answer", CALENDAR, _days(office, start("answer"), rules.major_answer_days),
                 owner, start("answer")),
                ("resolve", CALENDAR, _days(office, start("resolve"), rules.major_resolve_days),
                 owner, start("resolve"))]
    if complaint.severity == "important":
        return [("first_step", OFFICE, rules.important_first_step_hours * HOUR, owner,
                 start("first_step")),
                ("resolve", CALENDAR, _days(office, start("resolve"),
                                            rules.important_resolve_days), owner,
                 start("resolve"))]
    return [("resolve", CALENDAR, resolve_length(office, complaint, start("resolve")), owner,
             start("resolve"))]


def resolve_length(office: Office, complaint: Complaint, start: datetime) -> int:
    """The resolve clock's time: the severity's days, or a minor complaint's own date."""
    rules = office.rules.complaints
    days = {"major": rules.major_resolve_days, "important": rules.important_resolve_days,
            "minor": rules.minor_resolve_days}[complaint.severity or "minor"]
    deadline = complaint.resident_deadline
    if complaint.severity == "minor" and deadline is not None and deadline > start:
        return int((deadline - start).total_seconds())
    return _days(office, start, days)


# -- rows ----------------------------------------------------------------------------------
def grade(uow: UnitOfWork, complaint: Complaint) -> None:
    """Run the clocks of the complaint's severity, counted from the complaint's start with its
    pauses left out. On a re-grade the old severity's clocks that still run stop (no longer
    needed) and give way to the new ones, each counted from when the duty it replaces began
    (the complaint's start, or the reopening for a reopened one's resolve clock — not an
    escalation's new clock); a duty already met at the new owner's level (taken over,
    answered) stays met. A new clock already past is due at once, so the drain passes it up.
    The 24-hour response is no severity's and goes on as it was."""
    every = clocks_of(uow, complaint, (RUNNING, PAUSED, MET, MISSED, STOPPED))
    live = [c for c in every if c.state in (RUNNING, PAUSED) and c.kind in SEVERITY_KINDS]
    met = [c for c in every if c.state == MET]
    starts = {c.kind: start for c in live if (start := _duty_start(every, c)) is not None}
    for clock in live:
        _end(clock, STOPPED, uow.now)
        uow.session.add(clock)
    for kind, basis, length, level, start in severity_plan(uow.office, complaint, starts):
        if not any(c.kind == kind for c in live) and any(
                c.kind == kind and c.level >= level for c in met):
            continue
        start_clock(uow, complaint, kind, basis, length, level, started_at=start)


def _duty_start(every: Sequence[ComplaintClock], clock: ComplaintClock) -> datetime | None:
    """When the duty *clock* stands for began. A missed deadline's next level gets a new clock
    from the moment it was missed (the same unit of work's now ends the one and starts the
    other); the duty itself began with the first clock of that run."""
    start = clock.started_at
    for earlier in reversed(every[:every.index(clock)]):
        if earlier.kind != clock.kind:
            continue
        if earlier.state != MISSED or earlier.ended_at != start:
            break
        start = earlier.started_at
    return start


def start_clock(uow: UnitOfWork, complaint: Complaint, kind: str, basis: str, length: int,
                level: int, started_at: datetime | None = None) -> ComplaintClock:
    """A new running deadline for the complaint, due *length* of *basis* time after its
    start, pauses left out."""
    assert complaint.id is not None
    clock = ComplaintClock(complaint_id=complaint.id, kind=kind, basis=basis, level=level,
                           length_seconds=max(int(length), 1), state=RUNNING,
                           started_at=started_at or uow.now)
    if complaint.status == "paused" and kind != "verdict":
        clock.state = PAUSED
    else:
        schedule(uow.office, clock, complaint, uow.now)
    uow.session.add(clock)
    uow.session.flush()
    return clock


def clocks_of(uow: UnitOfWork, complaint: Complaint,
              states: Sequence[str] = (RUNNING, PAUSED)) -> list[ComplaintClock]:
    return list(uow.session.exec(select(ComplaintClock).where(
        ComplaintClock.complaint_id == complaint.id, col(ComplaintClock.state).in_(states))
        .order_by(col(ComplaintClock.id))).all())


def meet(uow: UnitOfWork, complaint: Complaint, *kinds: str) -> list[str]:
    """The duties *kinds* are done: their clocks stop as met. Returns the kinds met."""
    met: list[str] = []
    for clock in clocks_of(uow, complaint):
        if clock.kind in kinds:
            _end(clock, MET, uow.now)
            uow.session.add(clock)
            met.append(clock.kind)
    return met


def stop_all(uow: UnitOfWork, complaint: Complaint) -> None:
    """The complaint is closed: nothing of it is due any more."""
    for clock in clocks_of(uow, complaint):
        _end(clock, STOPPED, uow.now)
        uow.session.add(clock)


def _end(clock: ComplaintClock, state: str, now: datetime) -> None:
    clock.state, clock.ended_at, clock.due_at, clock.warn_at = state, now, None, None


def pause(uow: UnitOfWork, complaint: Complaint) -> bool:
    """Stop the clocks while the complaint waits for the resident; False if already waiting."""
    if complaint.status == "paused":
        return False
    complaint.pauses = [*complaint.pauses, [uow.now.astimezone(UTC).isoformat(), None]]
    complaint.status = "paused"
    for clock in clocks_of(uow, complaint, (RUNNING,)):
        if clock.kind != "verdict":
            clock.state, clock.due_at, clock.warn_at = PAUSED, None, None
            uow.session.add(clock)
    uow.session.add(complaint)
    return True


def resume(uow: UnitOfWork, complaint: Complaint) -> float | None:
    """The resident answered: the clocks run again, later by the time spent waiting.

    Returns the seconds the complaint waited, or None when it was not waiting.
    """
    if complaint.status != "paused" or not complaint.pauses:
        return None
    start, _ = complaint.pauses[-1]
    complaint.pauses = [*complaint.pauses[:-1], [start, uow.now.astimezone(UTC).isoformat()]]
    complaint.status = "open"
    for clock in clocks_of(uow, complaint, (PAUSED,)):
        clock.state = RUNNING
        schedule(uow.office, clock, complaint, uow.now)
        uow.session.add(clock)
    uow.session.add(complaint)
    return (uow.now - datetime.fromisoformat(str(start))).total_seconds()


def paused_seconds(complaint: Complaint, now: datetime) -> float:
    """All the time the complaint has waited for the resident (wall clock)."""
    return sum(((end or now) - start).total_seconds() for start, end in pauses_of(complaint))


def opening_level(complaint: Complaint) -> int:
    """Where a new complaint starts: the desk, or admin/HR for one about the desk itself."""
    return ADMIN if complaint.about_service_centre else DESK
