"""The managers' daily digest (at ``digest_time``, default 08:30): what needs their eye today —
open emergencies, requests past their deadline, jobs nobody has taken yet, complaints whose
answer is due soon. Posted once a day (``followup_mark`` kind ``digest:daily``, subject the
office's date as yyyymmdd), even when all is clear: "nothing waiting" is news too.

Complaints near their clock: the complaints desk's running deadlines (``complaint_clock``,
001 第四篇 4(5)) due within six hours, and front-desk complaints whose answer promise
(``due_at``) is; deadlines already past are listed with the overdue. Complaints about the
service centre are left out: the desk is in the managers' group.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialogs.events import Priority, Say
from dialogs.model import REQUEST_KINDS, TRADE_NAMES
from dialogs.statuses import STATUS_NAMES, Status
from handlers.monthly_report.publish import at_time
from handlers.office import Office
from handlers.office.calendar import deadline_clock, wall_clock
from handlers.office.due_items import mark
from handlers.office.people import alert_chats, unit_label
from handlers.office.unit_of_work import UnitOfWork
from locales import Msg, Raw, Text, _, lines
from storage.db import read_session
from storage.followups import FollowupMark
from storage.models import FrontDeskRequest, Household, Person, WorkOrder

log = logging.getLogger(__name__)
KIND: Final = "digest:daily"
SHOWN: Final = 10  # lines per list; the rest is counted
COMPLAINT_WARNING: Final = timedelta(hours=6)  # "near its clock": due within this
DUTIES: Final[dict[str, Msg]] = {
    "response": _("a human word"), "first_step": _("taken up by the owner"),
    "answer": _("a clear answer"), "resolve": _("resolved"),
    "verdict": _("the resident's verdict")}
UNFINISHED: Final = (Status.OPEN, Status.ACCEPTED, Status.ON_WAY, Status.IN_PROGRESS,
                     Status.REWORK)


@dataclass(frozen=True, slots=True)
class Digest:
    """What the digest lists, each as shown lines and a count."""

    day: date
    emergencies: list[Text]
    overdue: list[Text]
    unassigned: list[Text]
    complaints: list[Text]

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return (len(self.emergencies), len(self.overdue), len(self.unassigned),
                len(self.complaints))


def collect(office: Office, now: datetime) -> Digest:
    """What is waiting at *now*."""
    tz, rules = office.timezone, office.rules
    with read_session(office.engine) as session:
        units = {h.id: unit_label(h) for h in session.exec(select(Household))}
        names = dict(session.exec(select(Person.id, Person.name)).all())
        orders = session.exec(select(WorkOrder).where(col(WorkOrder.status).in_(UNFINISHED))
                              .order_by(col(WorkOrder.created_at))).all()

        def where(o: WorkOrder) -> str:
            return o.place or units.get(o.household_id, "") or "-"

        emergencies: list[Text] = [_("{number} · {what} · {where} · {status} · since {time}",
                         number=Raw(o.number), what=TRADE_NAMES.get(o.trade, Raw(o.trade)),
                         where=Raw(where(o)), status=_status(o, names),
                         time=Raw(wall_clock(o.created_at, tz))) for o in orders if o.emergency]
        late_open = [o for o in orders if o.status == Status.OPEN and o.created_at is not None
                     and o.created_at + rules.dispatch_deadline <= now]
        overdue: list[Text] = [_("{number} · {what} · not accepted for {waited} (the deadline "
                                 "is {minutes} min)", number=Raw(o.number),
                                 what=TRADE_NAMES.get(o.trade, Raw(o.trade)),
                                 waited=_waited(now - o.created_at),
                                 minutes=rules.dispatch_deadline_minutes)
                               for o in late_open if o.created_at is not None]
        overdue += [_("FD-{id} · {kind} · unanswered, due {due}", id=r.id or 0,
                      kind=REQUEST_KINDS.get(r.kind, Raw(r.kind)),
                      due=Raw(wall_clock(r.due_at, tz)))
                    for r in _desk(session, due_before=now)]
        unassigned: list[Text] = [
            _("{number} · {what} · {where} · waiting {waited}", number=Raw(o.number),
              what=TRADE_NAMES.get(o.trade, Raw(o.trade)), where=Raw(where(o)),
              waited=_waited(now - o.created_at))
                      for o in orders if o.status == Status.OPEN and o.assignee_id is None
                      and o.created_at is not None]
        complaints: list[Text] = [_("FD-{id} · due {due}: {text}", id=r.id or 0,
                        due=Raw(wall_clock(r.due_at, tz)), text=Raw(r.text[:80]))
                      for r in _desk(session, due_after=now, due_before=now + COMPLAINT_WARNING,
                                     kind="complaint")]
        late, soon = _complaint_clocks(session, now, tz)
    return Digest(now.astimezone(tz).date(), emergencies, overdue + late, unassigned,
                  complaints + soon)


def _complaint_clocks(session: Session, now: datetime,
                      tz: ZoneInfo) -> tuple[list[Text], list[Text]]:
    """The complaints desk's running deadlines: past due (not yet escalated by the drain) and
    due within the warning time, but none about the service centre. Nothing where the desk's
    tables are not there."""
    try:  # by name: the complaints desk's tables are optional for this report
        tables: Any = importlib.import_module("storage.complaints")
    except ImportError:
        return [], []
    Complaint, ComplaintClock = tables.Complaint, tables.ComplaintClock
    if not inspect(session.get_bind()).has_table("complaint_clock"):
        return [], []
    rows = session.exec(select(ComplaintClock, Complaint.number, Complaint.what)
                        .join(Complaint, col(Complaint.id) == col(ComplaintClock.complaint_id))
                        # The desk sits in the managers' group: a complaint about it goes
                        # to admin/HR privately, never to a group (001 §2.2.8).
                        .where(ComplaintClock.state == "running",
                               col(Complaint.about_service_centre).is_(False),
                               col(ComplaintClock.due_at).is_not(None),
                               col(ComplaintClock.due_at) <= now + COMPLAINT_WARNING)
                        .order_by(col(ComplaintClock.due_at))).all()
    late: list[Text] = []
    soon: list[Text] = []
    for clock, number, what in rows:
        assert clock.due_at is not None
        line = _("{number} · {duty} · due {due}: {text}", number=Raw(number),
                 duty=DUTIES.get(clock.kind, Raw(clock.kind)),
                 due=Raw(deadline_clock(clock.due_at, tz)), text=Raw(what[:80]))
        (late if clock.due_at <= now else soon).append(line)
    return late, soon


def _status(order: WorkOrder, names: dict[int | None, str]) -> Text:
    status = STATUS_NAMES.get(order.status, Raw(order.status))
    if order.assignee_id is None:
        return status
    return _("{status} ({name})", status=status, name=Raw(names.get(order.assignee_id, "?")))


def _waited(delta: timedelta) -> Text:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return _("{n} min", n=Raw(str(minutes)))
    if minutes < 48 * 60:
        return _("{n} h", n=Raw(str(minutes // 60)))
    return _("{n} days", n=Raw(str(minutes // 1440)))


def _desk(session: Session, *, due_before: datetime, due_after: datetime | None = None,
          kind: str | None = None) -> list[FrontDeskRequest]:
    r = FrontDeskRequest
    query = select(r).where(r.status == "open", col(r.answered_at).is_(None),
                            col(r.due_at).is_not(None), col(r.due_at) <= due_before)
    if due_after is not None:
        query = query.where(col(r.due_at) > due_after)
    if kind is not None:
        query = query.where(r.kind == kind)
    return list(session.exec(query.order_by(col(r.due_at))))


def _listed(items: list[Text]) -> list[Text]:
    shown: list[Text] = [_("  • {item}", item=item) for item in items[:SHOWN]]
    if len(items) > SHOWN:
        shown.append(_("  … and {count} more.", count=len(items) - SHOWN))
    return shown


def text_of(digest: Digest) -> Text:
    """The digest as the managers read it."""
    emergencies, overdue, unassigned, complaints = digest.counts
    if not any(digest.counts):
        return lines(_("🗓 Daily digest {day}", day=Raw(digest.day.isoformat())),
                     _("✅ Nothing is waiting: no open emergencies, nothing past its deadline, "
                       "every job taken."))
    return lines(
        _("🗓 Daily digest {day}", day=Raw(digest.day.isoformat())),
        _("🚨 Open emergencies: {count}", count=emergencies), *_listed(digest.emergencies),
        _("⏰ Past their deadline: {count}", count=overdue), *_listed(digest.overdue),
        _("👤 Not taken by anyone yet: {count}", count=unassigned), *_listed(digest.unassigned),
        _("💬 Complaints due within {hours} h: {count}",
          hours=int(COMPLAINT_WARNING.total_seconds() // 3600), count=complaints),
        *_listed(digest.complaints))


# -- the daily duty -----------------------------------------------------------------------
def latest(office: Office, now: datetime) -> datetime:
    """The digest's most recent moment at or before *now*."""
    today = now.astimezone(office.timezone).date()
    moment = at_time(today, office.rules.digest_time, office.timezone)
    return moment if moment <= now else at_time(today - timedelta(days=1),
                                                office.rules.digest_time, office.timezone)


def next_due(office: Office, now: datetime) -> datetime:
    return at_time(latest(office, now).astimezone(office.timezone).date() + timedelta(days=1),
                   office.rules.digest_time, office.timezone)


def run_due(office: Office) -> str:
    """Post today's digest if its time has passed and it was not posted: "posted", "no_chat",
    "already", "not_due" or "skipped" (a day missed while the office was down)."""
    now = office.clock.now()
    moment = latest(office, now)
    day = moment.astimezone(office.timezone).date()
    subject = day.year * 10000 + day.month * 100 + day.day
    with read_session(office.engine) as session:
        if session.exec(select(FollowupMark.id).where(
                FollowupMark.kind == KIND, FollowupMark.subject_id == subject)).first():
            return "not_due"
    stale = now >= moment + timedelta(hours=12)  # yesterday's digest is no news this evening
    digest = None if stale else collect(office, now)  # read before taking the write lock
    try:
        with UnitOfWork(office) as uow:
            chats = alert_chats(uow.session, "managers")
            if digest is None or not chats:
                mark(uow, KIND, subject, outcome="skipped",
                     reason="stale" if stale else "no managers' chat")
                uow.commit()
                return "skipped" if stale else "no_chat"
            mark(uow, KIND, subject, counts=list(digest.counts))
            for chat_id in chats:
                uow.send(Say(chat_id, text_of(digest), priority=Priority.NOTICE))
            uow.log("daily_digest_posted", day=day.isoformat(), counts=list(digest.counts))
            uow.commit()
    except IntegrityError:
        return "already"
    return "posted"

