"""Planning callback surveys (回访): the class of callback, its window, the moment to push.

A window opens when the order is confirmed — the resident's signature or the automatic
confirmation — and lasts the office's days for its class (``OfficeRules.callback_windows``:
safety 2, leak 3 after the leak test, other 2, 001 第四篇 2(3)④). Surveys are pushed only in
daytime hours; one that cannot be pushed in its window becomes a phone task. Pure arithmetic
here, except :func:`schedule_survey`, which plans the survey in the confirmation's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from dialogs import survey as texts
from dialogs.events import Priority, Say
from handlers.office import Office
from handlers.office.calendar import add_days, daytime_from, wall_clock
from handlers.office.due_items import chats
from handlers.office.rules import CallbackWindows
from handlers.office.unit_of_work import UnitOfWork
from storage.bulk import BulkInsert
from storage.followups import CallbackSurvey
from storage.models import WorkOrder

CALLBACK_CLASSES: Final = ("safety", "leak", "other")
OPEN_STATES: Final = ("scheduled", "sent", "phone")  # a callback not yet done (2.7.3)
# A phone task closed without a rating: could not reach (after the office's unanswered calls),
# a wrong number, or a late comment reopened the order as rework.
UNREACHED_STATES: Final = ("unreachable", "wrong_number")  # closed, resident not reached
CLOSED_STATES: Final = (*UNREACHED_STATES, "reworked")
# Done: rated, or answered in the bot late with a comment that reopened the order as rework
# (its phone task closed). Closed unrated — unreachable, wrong_number — is neither.
DONE_STATES: Final = ("done", "reworked")
SURVEYS: Table = CallbackSurvey.__table__  # type: ignore[attr-defined]
# One INSERT … ON CONFLICT (order_id, visit) DO NOTHING for all the surveys a unit of work
# planned, straight through the driver: a timer pass confirms thousands of orders, and building a
# statement per survey, then SQLAlchemy's processing of each value, were most of the cost.
PLAN_ONCE: Final = BulkInsert(
    SURVEYS, ("order_id", "visit", "callback_class", "state", "window_start", "window_end",
              "due_at", "chat_id", "created_at"),
    on_conflict_do_nothing=("order_id", "visit"), returning=("order_id", "id"))


@dataclass(frozen=True, slots=True)
class SurveyRules:
    """When callback surveys may be pushed: the part of the office's rules the arithmetic needs.
    """

    windows: CallbackWindows = field(default_factory=CallbackWindows)
    # Not on top of the "confirmed" message: an hour later the resident has seen the fix hold,
    # and a confirmation late in the day moves the survey to the next morning.
    delay: timedelta = timedelta(hours=1)
    day_start: int = 9  # local hour, inclusive
    day_end: int = 20  # local hour, exclusive (24 = midnight)

    def __post_init__(self) -> None:
        if not 0 <= self.day_start < self.day_end <= 24:
            raise ValueError(f"daytime hours must satisfy 0 <= start < end <= 24, got "
                             f"{self.day_start}–{self.day_end}")


def rules_of(office: Office) -> SurveyRules:
    """The survey rules in force at *office*."""
    rules = office.rules
    return SurveyRules(windows=rules.callback_windows, delay=rules.survey_delay,
                       day_start=rules.survey_day_start, day_end=rules.survey_day_end)


def callback_class(stored: str | None, trade: str) -> str:
    """The order's callback class: triage's guess, else what its trade implies."""
    if stored in CALLBACK_CLASSES and stored != "other":
        return stored
    return "safety" if trade == "security" else "other"  # fire/security equipment (SPEC)


def push_moment(due: datetime, window_end: datetime, tz: ZoneInfo, day_start: int,
                day_end: int) -> datetime | None:
    """When to push a survey due at *due*: the first daytime moment before the window closes.

    None if the window closes first — the survey then becomes a phone-callback task.
    """
    moment = daytime_from(due, tz, day_start, day_end)
    return moment if moment < window_end else None


@dataclass(frozen=True, slots=True)
class Window:
    """A survey's window and the moment it should be pushed (None: no daytime left in it)."""

    start: datetime
    end: datetime
    push: datetime | None


def survey_window(anchor: datetime, klass: str, tz: ZoneInfo, rules: SurveyRules,
                  now: datetime | None = None) -> Window:
    """The window opened at *anchor* (the order's confirmation) for a callback of *klass*.

    The push is ``delay`` after the anchor (or *now*, if later), clamped into daytime hours.
    """
    days = rules.windows.days(klass)
    start = anchor.astimezone(UTC)
    end = add_days(anchor, days, tz)
    due = start + rules.delay
    if now is not None and now > due:
        due = now
    return Window(start, end, push_moment(due, end, tz, rules.day_start, rules.day_end))




@dataclass(frozen=True, slots=True)
class Plan:
    """A survey planned for a confirmed order, waiting for its unit of work to write it."""

    order: WorkOrder
    callback_class: str
    window: Window
    visit: int  # the order's rework count when it was confirmed (0: the first visit)


def schedule_survey(uow: UnitOfWork, order: WorkOrder) -> None:
    """Plan the callback for an order that was just confirmed; once per completed visit.

    Planned in the same unit of work as the confirmation, so a survey exists for every
    confirmed visit or for none. The row is written with the unit of work's other rows, in one
    INSERT with every survey it planned, and then its history event and the dispatch notice
    (which need its id): a repeated confirmation finds the visit's survey and adds nothing,
    while a rework confirmed later (the order's rework count is its visit) gets its own.
    """
    assert order.id is not None
    klass = callback_class(order.callback_class, order.trade)
    window = survey_window(order.confirmed_at or uow.now, klass, uow.office.timezone,
                           rules_of(uow.office), now=uow.now)
    uow.batch(write_surveys).append(Plan(order, klass, window, order.rework_count))


def write_surveys(uow: UnitOfWork, plans: list[Plan]) -> None:
    """Write the planned surveys at once; log and announce the ones that are new."""
    now = uow.now
    rows = [(plan.order.id, plan.visit, plan.callback_class, "scheduled", plan.window.start,
             plan.window.end,
             # No daytime left in the window: due at once, and the drain raises the phone task.
             plan.window.push or plan.window.start, plan.order.reporter_chat_id, now)
            for plan in plans]
    new = {int(order_id): int(survey_id) for order_id, survey_id
           in PLAN_ONCE.write(uow.session.connection(), rows)}
    tz, dispatch = uow.office.timezone, chats(uow, "dispatch")
    for plan in plans:
        assert plan.order.id is not None
        survey_id = new.pop(plan.order.id, None)
        if survey_id is None:  # planned before (a repeated confirmation): nothing more to do
            continue
        order, klass, window = plan.order, plan.callback_class, plan.window
        uow.log("survey_scheduled", order=order, survey_id=survey_id, visit=plan.visit,
                callback_class=klass, push=window.push.isoformat() if window.push else None,
                window_end=window.end.isoformat())
        for chat_id in dispatch:
            uow.send(Say(chat_id, texts.class_notice(order.number, klass,
                                                     wall_clock(window.push, tz),
                                                     wall_clock(window.end, tz)),
                         texts.class_keyboard(survey_id, klass), ref=f"svn:{survey_id}",
                         priority=Priority.NOTICE))
