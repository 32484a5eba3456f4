"""Callback surveys (回访) and one-off follow-ups that already happened, with their due times.

Per-order timers live here as rows with a ``due_at``, drained by one periodic job, instead of
one APScheduler job each: a row costs one index entry, a job-store job costs a pickled blob and
a scheduler wake-up (see ``scheduler/service.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import _json, _telegram_id, _when


class CallbackSurvey(SQLModel, table=True):
    """The callback for one completed visit of a work order: its window, the push, the answer.

    One per visit, keyed (order, visit): the first visit is 0, a rework's is the order's
    rework count when it was confirmed again — so the office calls back after every completed
    job (001 第四篇 2(3)④) and a repeated confirmation of the same visit adds nothing.

    ``state``: scheduled (waiting for its push moment) → sent (waiting for an answer until
    ``window_end``) → done; or → phone (the window closed unanswered: a phone-callback task is
    with the dispatch chat) → done when staff record the result, or → unreachable / wrong_number
    / reworked when the task is closed without one (``closed_at``). ``due_at`` is the next moment
    the drain must look at the row, NULL when nothing is pending — so the drain's query is one
    range scan on one index however many finished surveys pile up.
    """

    __tablename__ = "callback_survey"
    __table_args__ = (Index("ix_callback_survey_due", "due_at"),
                      UniqueConstraint("order_id", "visit", name="uq_callback_survey_visit"))
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="work_order.id")
    visit: int = Field(default=0)  # 0 the first visit, then the rework round it follows
    callback_class: str = Field(default="other", max_length=8)  # safety | leak | other
    state: str = Field(default="scheduled", max_length=16)
    window_start: datetime | None = _when(nullable=False, index=True)
    window_end: datetime | None = _when(nullable=False)
    due_at: datetime | None = _when()
    chat_id: int | None = _telegram_id()  # the resident's private chat
    sent_at: datetime | None = _when()
    rating: int | None = Field(default=None)  # 1–5
    rated_at: datetime | None = _when()
    rated_via: str = Field(default="", max_length=8)  # bot | phone | onsite
    rated_by: int | None = Field(default=None, foreign_key="person.id")  # staff, for calls
    late: bool = Field(default=False)  # answered in the bot after the window closed
    comment: str = Field(default="", max_length=4000)
    phone_task_at: datetime | None = _when()
    phone_attempts: int = Field(default=0)  # calls nobody answered
    # A phone task closed without a rating: unreachable (after the office's unanswered calls)
    # | wrong_number | reworked (a late comment reopened the order; the rework is called back)
    closed_at: datetime | None = _when()
    # The resident's own late rating in the bot, kept when the desk then records the call
    bot_rating: int | None = Field(default=None)
    # Why the callback went to a person: unanswered (sent, no answer in its window) |
    # undelivered (sent, never reached the chat) | no_daytime | unreachable (never sent)
    phone_reason: str = Field(default="", max_length=16)
    corrective_at: datetime | None = _when()  # rating ≤ 2: a corrective task was raised
    corrected_at: datetime | None = _when()
    corrected_by: int | None = Field(default=None, foreign_key="person.id")
    correction_note: str = Field(default="", max_length=1000)  # what was done to put it right
    onsite_at: datetime | None = _when()  # an on-site callback (2.7.4)
    onsite_by: int | None = Field(default=None, foreign_key="person.id")
    spot_checked_at: datetime | None = _when()  # a manager's spot check (2.7.5)
    spot_checked_by: int | None = Field(default=None, foreign_key="person.id")
    attempts: int = Field(default=0)  # drain failures, for back-off
    created_at: datetime | None = _when(nullable=False)


class FollowupMark(SQLModel, table=True):
    """A one-off follow-up that has happened: an alert, an escalation, a monthly duty.

    Its (kind, subject) pair is unique, so it happens once even if two drains race or the
    process restarts half-way: the second insert fails and its transaction — with its
    messages — rolls back.
    """

    __tablename__ = "followup_mark"
    __table_args__ = (UniqueConstraint("kind", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # dispatch_alert | no_response | fd_no_response | duty:…
    subject_id: int  # a work order id, a front-desk request id, or a month as yyyymm
    outcome: str = Field(default="done", max_length=16)  # done | skipped
    at: datetime | None = _when(nullable=False)
    detail: dict[str, Any] = _json(dict)
