"""What the bot is about to do, read from the same tables and rules the drain uses — so the
office sees exactly what will happen, whether or not a scheduler is running right now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, func
from sqlmodel import Session, col, select

from handlers.announcements import sending as announcements
from handlers.callback_surveys import monthly_duties as duties
from handlers.front_desk import complaint_deadlines
from handlers.monthly_report import digest as daily_digest
from handlers.monthly_report import publish as monthly_report
from handlers.office import Office
from handlers.office.calendar import month_key, shift_month, wall_clock
from handlers.work_orders import emergency_clock, visit_reminders
from handlers.work_orders.deadlines import DISPATCH_LEAD, dispatch_clock
from storage.db import read_session
from storage.followups import CallbackSurvey, FollowupMark
from storage.models import FrontDeskRequest, WorkOrder

NOTES = {
    "survey": "push the 1–5 survey (daytime only)",
    "survey_close": "window closes: phone task if unanswered",
    "emergency_ack": "repeat the emergency alert, managers too, if nobody acknowledged it",
    "repost": "post the job card again if nobody took it (once, before the deadline)",
    "dispatch_deadline": "alert dispatch with assign-to buttons if still not accepted",
    "auto_confirm": "confirm automatically if the resident has not signed",
    "no_response": "escalate to managers if still without a response",
    "front_desk_no_response": "escalate to managers if still unanswered",
    "complaint_warning": "warn the complaint's owner: 80 % of a clock has passed",
    "complaint_deadline": "a complaint's deadline: up one level if its duty is not done",
    "visit_evening": "remind the resident and the technician the evening before the visit",
    "visit_last": "remind the resident and the technician shortly before the visit",
    "visit_missed": "alert dispatch if nobody arrived by the window's end and its grace",
    "announcement": "send an approved announcement's copies (daytime unless urgent)",
    "duty:callbacks_list": "dispatch gets last month's open callbacks",
    "duty:callbacks_overdue": "managers get last month's callbacks still open",
    "duty:quota_check": "remind if on-site share or spot checks are behind",
    "duty:monthly_report": "managers get last month's service report, with charts",
    "duty:daily_digest": "managers get the day's digest: emergencies, overdue, untaken jobs",
}


@dataclass(frozen=True, slots=True)
class Planned:
    """One thing the bot will do, and when."""

    kind: str
    target: str  # an order number, FD-<id>, or a month
    due: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "due": _iso(self.due, tz),
                "window_start": _iso(self.window_start, tz),
                "window_end": _iso(self.window_end, tz), "note": NOTES.get(self.kind, "")}


def _iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


def agenda(office: Office, limit: int = 200) -> tuple[list[Planned], Counter[str]]:
    """The next *limit* planned items, soonest first, and how many there are of each kind."""
    now = office.clock.now()
    rules = office.rules
    items: list[Planned] = []
    counts: Counter[str] = Counter()
    with read_session(office.engine) as session:
        for state, kind in (("scheduled", "survey"), ("sent", "survey_close")):
            query = (select(CallbackSurvey, WorkOrder.number)
                     .join(WorkOrder, col(WorkOrder.id) == col(CallbackSurvey.order_id))
                     .where(col(CallbackSurvey.state) == state,
                            col(CallbackSurvey.due_at).is_not(None)))
            counts[kind] = _count(session, select(func.count()).select_from(CallbackSurvey)
                                  .where(col(CallbackSurvey.state) == state,
                                         col(CallbackSurvey.due_at).is_not(None)))
            for survey, number in session.exec(
                    query.order_by(col(CallbackSurvey.due_at)).limit(limit)):
                assert survey.due_at is not None
                items.append(Planned(kind, number, survey.due_at, survey.window_start,
                                     survey.window_end))
        for kind, status, stamp, delay, marked in (
                ("repost", "open", WorkOrder.created_at, rules.repost_after, "repost"),
                ("dispatch_deadline", "open", dispatch_clock(),
                 rules.dispatch_deadline - DISPATCH_LEAD, "dispatch_alert"),
                ("auto_confirm", "done", WorkOrder.done_at, rules.auto_confirm_after, None),
                ("no_response", "open", WorkOrder.created_at, rules.response_deadline,
                 "no_response")):
            items += _orders(session, counts, kind, status, stamp, delay, marked, limit)
        # Not acknowledged by the on-duty chat in time: the alert repeats, managers hear.
        items += _orders(session, counts, "emergency_ack", "open", emergency_clock.alert_clock(),
                         rules.emergency_ack, emergency_clock.UNACKED, limit,
                         col(WorkOrder.emergency).is_(True), _unmarked(emergency_clock.ACK))
        items += _front_desk(session, counts, limit)
        complaint_items, complaint_counts = complaint_deadlines.upcoming(session, limit)
        items += [Planned(kind, target, due) for kind, target, due in complaint_items]
        counts.update(complaint_counts)
        visit_items, visit_counts = visit_reminders.upcoming(session, limit)
        items += [Planned(kind, target, due) for kind, target, due in visit_items]
        counts.update(visit_counts)
        notice_items, notice_counts = announcements.upcoming(session, limit)
        items += [Planned(kind, target, due) for kind, target, due in notice_items]
        counts.update(notice_counts)
    tz = office.timezone
    for duty in duties.duties(office.rules):
        due = _duty_due(office, duty, now)
        key = month_key(due, tz)
        items.append(Planned(f"duty:{duty.kind}", f"{key // 100}-{key % 100:02d}", due))
        counts[f"duty:{duty.kind}"] = 1
    report = _report_due(office, now)
    reported = month_key(report, tz)
    items.append(Planned("duty:monthly_report", _month(reported, -1), report))
    digest_due = _digest_due(office, now)
    items.append(Planned("duty:daily_digest", digest_due.astimezone(tz).date().isoformat(),
                         digest_due))
    counts["duty:monthly_report"] = counts["duty:daily_digest"] = 1
    items.sort(key=lambda item: item.due)
    return items[:limit], counts


def _count(session: Session, query: Any) -> int:
    return int(session.exec(query).one())


def _unmarked(kind: str) -> ColumnElement[bool]:
    """The work order has no follow-up mark of *kind* yet (that follow-up is still to come)."""
    return ~exists().where(col(FollowupMark.kind) == kind,
                           col(FollowupMark.subject_id) == col(WorkOrder.id))


def _orders(session: Session, counts: Counter[str], kind: str, status: str, stamp: Any,
            delay: timedelta, marked: str | None, limit: int,
            *where: ColumnElement[bool]) -> list[Planned]:
    """*stamp*: the moment the follow-up counts from, a column or a clock that may restart
    (``deadlines.dispatch_clock``, ``emergency_clock.alert_clock``)."""
    conditions: list[ColumnElement[bool]] = [col(WorkOrder.status) == status,
                                             stamp.is_not(None), *where]
    if marked is not None:
        conditions.append(_unmarked(marked))
    counts[kind] = _count(session, select(func.count()).select_from(WorkOrder)
                          .where(*conditions))
    rows = session.exec(select(WorkOrder.number, stamp).where(*conditions)
                        .order_by(stamp).limit(limit)).all()
    return [Planned(kind, number, moment + delay) for number, moment in rows]


def _front_desk(session: Session, counts: Counter[str], limit: int) -> list[Planned]:
    conditions = [col(FrontDeskRequest.status) == "open",
                  col(FrontDeskRequest.answered_at).is_(None),
                  col(FrontDeskRequest.due_at).is_not(None),
                  ~exists().where(col(FollowupMark.kind) == "fd_no_response",
                                  col(FollowupMark.subject_id) == col(FrontDeskRequest.id))]
    counts["front_desk_no_response"] = _count(
        session, select(func.count()).select_from(FrontDeskRequest).where(*conditions))
    rows = session.exec(select(FrontDeskRequest.id, FrontDeskRequest.due_at).where(*conditions)
                        .order_by(col(FrontDeskRequest.due_at)).limit(limit)).all()
    return [Planned("front_desk_no_response", f"FD-{i}", due) for i, due in rows
            if due is not None]


def _duty_due(office: Office, duty: duties.Duty, now: datetime) -> datetime:
    """The latest moment if it is still to run (missed, not superseded), else the next one."""
    tz = office.timezone
    key = month_key(duties.latest(duty, now, tz), tz)
    with read_session(office.engine) as session:
        done = session.exec(select(FollowupMark.id).where(
            FollowupMark.kind == f"duty:{duty.kind}", FollowupMark.subject_id == key)).first()
    if done is None and now < duties.expires(duty, key, tz):
        return duties.latest(duty, now, tz)
    return duties.next_due(duty, now, tz)


def _month(key: int, months: int = 0) -> str:
    key = shift_month(key, months)
    return f"{key // 100}-{key % 100:02d}"


def _report_due(office: Office, now: datetime) -> datetime:
    """The monthly report's moment: the latest if it is still to be posted, else the next."""
    latest = monthly_report.latest(office, now)
    if (monthly_report.due_month(office, now) is not None
            and now < latest + monthly_report.LATE_FOR):
        return latest
    return monthly_report.next_due(office, now)


def _digest_due(office: Office, now: datetime) -> datetime:
    """Today's digest if it is still to be posted, else tomorrow's."""
    latest = daily_digest.latest(office, now)
    day = latest.astimezone(office.timezone).date()
    with read_session(office.engine) as session:
        done = session.exec(select(FollowupMark.id).where(
            FollowupMark.kind == daily_digest.KIND,
            FollowupMark.subject_id == day.year * 10000 + day.month * 100 + day.day)).first()
    return latest if done is None and now < latest + timedelta(hours=12) else \
        daily_digest.next_due(office, now)


def render_text(items: list[Planned], office: Office) -> list[list[str]]:
    """Rows for a table: due (local; "overdue" if it runs at the next drain), kind, target,
    window, what happens."""
    tz, now = office.timezone, office.clock.now()
    return [[wall_clock(i.due, tz) + (" (overdue)" if i.due <= now else ""), i.kind, i.target,
             f"{wall_clock(i.window_start, tz)} → {wall_clock(i.window_end, tz)}"
             if i.window_end else "", NOTES.get(i.kind, "")] for i in items]


# Enough that overdue items (handled at the next drain) never hide the next future one.
NEXT_DUE_LIMIT = 1000


def next_due(office: Office, after: datetime) -> datetime | None:
    """The first moment after *after* at which something on the agenda falls due (the sandbox
    walks a clock jump from one such moment to the next)."""
    items, _ = agenda(office, limit=NEXT_DUE_LIMIT)
    return min((item.due for item in items if item.due > after), default=None)
