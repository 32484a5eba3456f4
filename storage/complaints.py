"""Complaints (投诉), their clocks and their history; questions the office's FAQ answered.

A complaint's deadlines are rows of ``complaint_clock`` with a ``due_at`` and a ``warn_at``
(the 80 % warning), drained by the periodic job like the other timers; a paused clock has
neither. Every step of a complaint is a row of ``complaint_event``: nothing is deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models import _json, _telegram_id, _when


class Complaint(SQLModel, table=True):
    """One resident's complaint, from intake to the resident's verdict and rating.

    ``status``: new (severity not set yet) → open → paused (waiting for the resident) → open
    → resolved (the outcome was told; waiting for accept or reopen) → closed; a reopened
    complaint is open again (once). ``level`` is who owns it now: 0 the desk, 1 a supervisor,
    2 the director, 3 admin/HR (complaints about the service centre start there).
    """

    __tablename__ = "complaint"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    status: str = Field(default="new", max_length=16, index=True)
    severity: str | None = Field(default=None, max_length=16)  # major | important | minor
    suggested_severity: str | None = Field(default=None, max_length=16)
    about_service_centre: bool = Field(default=False, index=True)
    level: int = Field(default=0)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    chat_id: int | None = _telegram_id()  # the resident's private chat
    what: str = Field(max_length=4000)  # 发生经过
    occurred: str = Field(default="", max_length=200)  # 发生时间, as the resident said it
    place: str = Field(default="", max_length=200)  # 地点
    department: str = Field(default="", max_length=32)  # 被投诉部门 (a key) …
    about: str = Field(default="", max_length=200)  # … or the person / words the resident gave
    wants: str = Field(default="", max_length=1000)  # 住户的要求
    resident_deadline: datetime | None = _when()  # the end of the day the resident asked for
    photos: list[str] = _json(list)
    work_order_id: int | None = Field(default=None, foreign_key="work_order.id")
    outcome: str = Field(default="", max_length=4000)
    reopen_count: int = Field(default=0)
    rating: int | None = Field(default=None)
    # Time waiting for the resident: [[start, end or null], …] as ISO strings (UTC).
    pauses: list[list[str | None]] = _json(list)
    created_at: datetime | None = _when(nullable=False, index=True)
    severity_set_at: datetime | None = _when()
    taken_at: datetime | None = _when()
    answered_at: datetime | None = _when()
    resolved_at: datetime | None = _when()
    closed_at: datetime | None = _when()
    rated_at: datetime | None = _when()


class ComplaintClock(SQLModel, table=True):
    """One deadline of a complaint: a duty (``kind``), how it counts time, when it is due.

    ``kind``: response (a human word to the resident, 004) | first_step (the supervisor or the
    director takes it) | answer (a clear answer, major) | resolve | verdict (the resident's
    accept-or-reopen window). ``basis``: office (open hours of the office calendar) or calendar
    (wall-clock time). ``length_seconds`` is the duty's time in that basis, pauses excluded.
    ``state``: running → met | missed | stopped, or paused while the resident is asked.
    A missed deadline escalates one level and the next level gets a new row for the same duty.
    """

    __tablename__ = "complaint_clock"
    __table_args__ = (Index("ix_complaint_clock_due", "state", "due_at"),
                      Index("ix_complaint_clock_warn", "state", "warn_at"))
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=16)
    basis: str = Field(max_length=8)
    level: int = Field(default=0)  # the owner's level while this deadline runs
    length_seconds: int
    state: str = Field(default="running", max_length=8)
    started_at: datetime | None = _when(nullable=False)
    due_at: datetime | None = _when()
    warn_at: datetime | None = _when()
    warned_at: datetime | None = _when()
    ended_at: datetime | None = _when()


class ComplaintEvent(SQLModel, table=True):
    """Who did what to a complaint, when, from which chat — one row per step, never updated."""

    __tablename__ = "complaint_event"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime | None = _when(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    telegram_user_id: int | None = _telegram_id()
    chat_id: int | None = _telegram_id()
    action: str = Field(max_length=32)
    detail: dict[str, Any] = _json(dict)


class FaqQuestion(SQLModel, table=True):
    """A question the office's FAQ answered (or nearly did), and whether it helped.

    "No, ask the desk" turns it into a front-desk request; the rows show the office which
    questions its FAQ misses.
    """

    __tablename__ = "faq_question"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    chat_id: int | None = _telegram_id()
    text: str = Field(max_length=4000)
    kind: str = Field(default="enquiry", max_length=16)  # enquiry | fee: for the desk
    faq_key: str = Field(default="", max_length=64)
    score: float = Field(default=0.0)
    helpful: bool | None = Field(default=None)
    request_id: int | None = Field(default=None, foreign_key="front_desk_request.id")
    created_at: datetime | None = _when(nullable=False)
