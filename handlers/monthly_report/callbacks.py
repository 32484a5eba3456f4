"""Callbacks: a duty that runs past the month (done by the 10th, 001 §2.7.3), so observed as
of the report's moment, from the surveys' timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, not_, or_, select
from sqlmodel import Session

from handlers.callback_surveys import monthly_duties
from handlers.callback_surveys.planning import UNREACHED_STATES
from handlers.monthly_report.months import month_range
from handlers.monthly_report.tables import SURVEYS, table
from handlers.office.calendar import month_start, shift_month
from handlers.office.rules import OfficeRules
from storage.followups import CallbackSurvey


@dataclass(frozen=True, slots=True)
class Callbacks:
    """The callback duties (001 §2.7.3–2.7.5), observed at the report's moment."""

    total: int  # callbacks of the month (by confirmation)
    done: int  # of those, done (with a rating) by the report's moment
    unreachable: int  # of those, closed by then as could not reach / wrong number
    phone_open: int  # of those, waiting as a phone task
    previous_total: int  # callbacks of the month before
    previous_done_by_due: int  # of those, done or closed unreachable by the due day (the 10th)
    due_at: datetime  # that due moment
    next_due_at: datetime  # when this month's callbacks are due (the 10th of the next)
    # Of the month's callbacks, those done on site by the report's moment (2.7.4: 上门回访 is
    # a way of doing a callback, and at least 5 % of the month's callbacks are done so).
    # Numerator and denominator are the same callbacks, so the share never exceeds 100 %: a
    # visit on 1 December to a November callback counts for November.
    onsite: int
    onsite_needed: int
    onsite_percent: int
    spot_checks: int  # managers' spot checks made in the month (2.7.5)
    spot_checks_needed: int
    phone_outstanding: int  # phone tasks open at the report's moment, any month

    @property
    def completion(self) -> float | None:
        """The share handled (001 第四篇 2(3)④: 100 %): done, or closed as not reachable."""
        return (self.done + self.unreachable) / self.total if self.total else None

    @property
    def previous_completion_by_due(self) -> float | None:
        return self.previous_done_by_due / self.previous_total if self.previous_total else None

    @property
    def onsite_share(self) -> float | None:
        """On-site callbacks as a share of the month's callbacks (both: ``onsite``)."""
        return self.onsite / self.total if self.total else None


def callbacks_of(session: Session, key: int, tz: ZoneInfo, rules: OfficeRules,
                 as_of: datetime) -> Callbacks:
    """The callbacks of month *key* and the month before, as of *as_of*."""
    s = SURVEYS
    surveys = table(CallbackSurvey)
    start, end = month_range(key, tz)
    previous_start = month_start(shift_month(key, -1), tz)
    due_duty = next(d for d in monthly_duties.duties(rules) if d.kind == "callbacks_overdue")
    due_at = monthly_duties.occurrence(due_duty, key, tz)

    def count(*conditions: Any) -> int:
        return int(session.execute(select(func.count()).select_from(surveys).where(*conditions))
                   .scalar_one())

    def done_by(moment: datetime) -> Any:
        # A late tap in the bot is noted on the phone task, which stays open until the desk
        # records the call: not done, as monthly_duties and the desk's card read it.
        # A task closed because a late comment reopened the order was answered in the bot.
        return (((s.rated_at <= moment) & or_(s.rated_via != "bot", not_(s.late)))
                | ((s.state == "reworked") & (s.closed_at <= moment)))

    def unreached_by(moment: datetime) -> Any:
        return s.state.in_(UNREACHED_STATES) & (s.closed_at <= moment)

    in_month = (s.window_start >= start, s.window_start < end,
                s.created_at <= as_of)
    total = count(*in_month)
    done = count(*in_month, done_by(as_of))
    waiting_by_phone = (s.phone_task_at <= as_of,
                        or_(s.rated_at.is_(None), not_(done_by(as_of))),
                        or_(s.closed_at.is_(None), s.closed_at > as_of))
    unreachable = count(*in_month, unreached_by(as_of))
    phone_open = count(*in_month, *waiting_by_phone)
    in_previous = (s.window_start >= previous_start, s.window_start < start)
    previous_total = count(*in_previous)
    due_seen = min(due_at, as_of)
    previous_done = count(*in_previous, or_(done_by(due_seen), unreached_by(due_seen)))
    seen = min(end, as_of)
    onsite = count(*in_month, s.onsite_at <= as_of)
    checks = count(s.spot_checked_at >= start, s.spot_checked_at < seen)
    quotas = monthly_duties.Quotas(total, done, onsite, checks, rules.onsite_callback_percent,
                                   rules.manager_spot_checks, unreachable)
    return Callbacks(
        total=total, done=done, unreachable=unreachable, phone_open=phone_open,
        previous_total=previous_total, previous_done_by_due=previous_done, due_at=due_at,
        next_due_at=monthly_duties.occurrence(due_duty, shift_month(key, 1), tz), onsite=onsite,
        onsite_needed=quotas.onsite_needed, onsite_percent=rules.onsite_callback_percent,
        spot_checks=checks, spot_checks_needed=quotas.checks_needed,
        phone_outstanding=count(*waiting_by_phone))
