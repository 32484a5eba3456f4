"""The month's callback duties (001 §2.7): on the 1st, dispatch gets last month's callbacks
still open; on the 10th, whatever is still open goes to the managers (2.7.3); on the 20th, a
reminder if the month is behind on on-site callbacks (≥ 5 %, 2.7.4) or spot checks (≥ 3, 2.7.5).

Each duty runs once per month: its run is recorded in ``followup_mark`` (kind ``duty:…``,
subject yyyymm). After downtime only the latest occurrence is considered, and only while it
still means something — the 1st's list is pointless once the 10th's escalation is due.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, Priority, Say, inline
from handlers.callback_surveys.planning import DONE_STATES, OPEN_STATES, UNREACHED_STATES
from handlers.office import Office
from handlers.office.calendar import at_hour, month_key, month_start, shift_month, wall_clock
from handlers.office.due_items import mark
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS
from handlers.office.rules import OfficeRules
from handlers.office.unit_of_work import UnitOfWork
from locales import Msg, Raw, Text, _, lines
from storage.followups import CallbackSurvey, FollowupMark
from storage.models import WorkOrder

log = logging.getLogger(__name__)

LIST_LIMIT: Final = 40  # lines per message; Telegram cuts at 4096 characters
CANDIDATES: Final = 5  # buttons offered with a quota reminder
STATE_NAMES: Final[dict[str, Msg]] = {
    "scheduled": _("survey planned"),
    "sent": _("waiting for the resident"),
    "phone": _("phone callback pending"),
}


@dataclass(frozen=True, slots=True)
class Duty:
    """A monthly duty: on *day* at *hour*:00 local; worth running late until *until_day*
    (when a later duty supersedes it), else until the month ends."""

    kind: str
    day: int
    hour: int = 9
    until_day: int | None = None


def duties(rules: OfficeRules) -> tuple[Duty, ...]:
    """The month's duties on the office's days: the list on the 1st, the escalation on the
    10th (callbacks done by then, 2.7.3), the quota check on the 20th."""
    return (Duty("callbacks_list", rules.callbacks_list_day, until_day=rules.callbacks_due_day),
            Duty("callbacks_overdue", rules.callbacks_due_day),
            Duty("quota_check", rules.quota_check_day))


def occurrence(duty: Duty, key: int, tz: ZoneInfo) -> datetime:
    """The duty's moment in month *key* (yyyymm), in UTC."""
    return at_hour(date(key // 100, key % 100, duty.day), duty.hour, tz)


def latest(duty: Duty, now: datetime, tz: ZoneInfo) -> datetime:
    """The duty's most recent moment at or before *now*."""
    key = month_key(now, tz)
    moment = occurrence(duty, key, tz)
    return moment if moment <= now else occurrence(duty, shift_month(key, -1), tz)


def next_due(duty: Duty, now: datetime, tz: ZoneInfo) -> datetime:
    """The duty's next moment after *now*."""
    key = month_key(now, tz)
    moment = occurrence(duty, key, tz)
    return moment if moment > now else occurrence(duty, shift_month(key, 1), tz)


def expires(duty: Duty, key: int, tz: ZoneInfo) -> datetime:
    """Until when the duty of month *key* is still worth running late."""
    if duty.until_day is not None:  # the 10th's escalation supersedes the 1st's list
        return at_hour(date(key // 100, key % 100, duty.until_day), duty.hour, tz)
    return month_start(shift_month(key, 1), tz)  # next month brings its own


def run_due(office: Office, only: str | None = None) -> Counter[str]:
    """Run each duty whose latest moment has passed and that has not run; once per month."""
    done: Counter[str] = Counter()
    for duty in duties(office.rules):
        if only is not None and duty.kind != only:
            continue
        try:
            with UnitOfWork(office) as uow:
                outcome = _run(uow, duty)
                uow.commit()
        except IntegrityError:
            outcome = "already"  # another process recorded it first; its run stands
        except Exception:
            log.exception("duties: %s failed", duty.kind)
            outcome = "failed"
        done[f"{duty.kind}:{outcome}"] += 1
    return done


def _run(uow: UnitOfWork, duty: Duty) -> str:
    tz, now = uow.office.timezone, uow.now
    key = month_key(latest(duty, now, tz), tz)
    kind = f"duty:{duty.kind}"
    if uow.session.exec(select(FollowupMark.id).where(
            FollowupMark.kind == kind, FollowupMark.subject_id == key)).first() is not None:
        return "already"
    if now >= expires(duty, key, tz):
        reason = f"it was due {wall_clock(occurrence(duty, key, tz), tz)} and is superseded"
        log.info("duties: %s for %s dropped: %s", duty.kind, key, reason)
        mark(uow, kind, key, outcome="skipped", reason=reason)
        return "skipped"
    detail = _RUN[duty.kind](uow, key)
    mark(uow, kind, key, **detail)
    uow.log(f"duty_{duty.kind}", month=key, **detail)
    return "done"


# -- what each duty does -----------------------------------------------------------------
def _month_range(key: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return month_start(key, tz), month_start(shift_month(key, 1), tz)


def month_surveys(session: Session, key: int, tz: ZoneInfo,
                  states: Sequence[str] | None = None) -> list[tuple[CallbackSurvey, str]]:
    """The month's callbacks (by confirmation) with their order numbers."""
    start, end = _month_range(key, tz)
    query = (select(CallbackSurvey, WorkOrder.number)
             .join(WorkOrder, col(WorkOrder.id) == col(CallbackSurvey.order_id))
             .where(col(CallbackSurvey.window_start) >= start,
                    col(CallbackSurvey.window_start) < end))
    if states is not None:
        query = query.where(col(CallbackSurvey.state).in_(states))
    return [(s, n) for s, n in session.exec(query.order_by(col(CallbackSurvey.window_start)))]


@dataclass(frozen=True, slots=True)
class Quotas:
    """How a month stands on its callback duties."""

    total: int  # the month's callbacks (by the window's opening)
    done: int
    onsite: int  # of those, done on site (2.7.4): the share is onsite / total
    spot_checks: int
    onsite_percent: int  # the office's on-site share (2.7.4)
    spot_checks_required: int  # the managers' monthly spot checks (2.7.5)
    unreached: int = 0  # closed without a rating: resident not reached (wrong number …)

    @property
    def onsite_needed(self) -> int:
        """On-site callbacks the month needs to meet the office's share."""
        return math.ceil(self.total * self.onsite_percent / 100)

    @property
    def checks_needed(self) -> int:
        """Spot checks the month needs (never more than the callbacks done)."""
        return min(self.spot_checks_required, self.done)


def quotas(session: Session, key: int, tz: ZoneInfo, rules: OfficeRules) -> Quotas:
    """Month *key*'s callbacks, done, on site and spot-checked, against the office's quotas."""
    start, end = _month_range(key, tz)
    survey = CallbackSurvey
    in_month = (col(survey.window_start) >= start, col(survey.window_start) < end)
    total = session.exec(select(func.count()).select_from(survey).where(*in_month)).one()
    done = session.exec(select(func.count()).select_from(survey)
                        .where(*in_month, col(survey.state).in_(DONE_STATES))).one()
    # the month's callbacks done on site (2.7.4), so the share is of the same callbacks
    unreached = session.exec(select(func.count()).select_from(survey).where(
        *in_month, col(survey.state).in_(UNREACHED_STATES))).one()
    onsite = session.exec(select(func.count()).select_from(survey).where(
        *in_month, col(survey.onsite_at).is_not(None))).one()
    checks = session.exec(select(func.count()).select_from(survey).where(
        col(survey.spot_checked_at) >= start, col(survey.spot_checked_at) < end)).one()
    return Quotas(total, done, onsite, checks, rules.onsite_callback_percent,
                  rules.manager_spot_checks, unreached)


def _month(key: int) -> Raw:
    return Raw(f"{key // 100}-{key % 100:02d}")


def _quota_line(q: Quotas) -> Text:
    return _("Done {done} of {total}; closed, resident not reached {unreached}; on site "
             "{onsite} (at least {onsite_needed}); managers' spot checks {checks} (at least "
             "{checks_needed}).", done=q.done, total=q.total, unreached=q.unreached,
             onsite=q.onsite, onsite_needed=q.onsite_needed,
             checks=q.spot_checks, checks_needed=q.checks_needed)


def _open_lines(rows: list[tuple[CallbackSurvey, str]], tz: ZoneInfo) -> list[Text]:
    shown: list[Text] = [
        _("{number} · {state} · window until {end}", number=Raw(number),
          state=STATE_NAMES.get(s.state, Raw(s.state)), end=Raw(wall_clock(s.window_end, tz)))
        for s, number in rows[:LIST_LIMIT]]
    if len(rows) > LIST_LIMIT:
        shown.append(_("… and {count} more.",
                       count=len(rows) - LIST_LIMIT))
    return shown


def callbacks_list(uow: UnitOfWork, key: int) -> dict[str, Any]:
    """The 1st: last month's callbacks still open, for the dispatch chat."""
    tz, month = uow.office.timezone, shift_month(key, -1)
    q = quotas(uow.session, month, tz, uow.office.rules)
    if q.total == 0:
        return {"open": 0}
    rows = month_surveys(uow.session, month, tz, OPEN_STATES)
    text = lines(_("📋 Callbacks of {month}: {open} still open — all must be done by day {day} "
                   "of this month.", month=_month(month), open=len(rows),
                   day=uow.office.rules.callbacks_due_day),
                 _quota_line(q), *_open_lines(rows, tz))
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        uow.send(Say(chat_id, text, priority=Priority.NOTICE))
    return {"open": len(rows), "total": q.total}


def callbacks_overdue(uow: UnitOfWork, key: int) -> dict[str, Any]:
    """The 10th: last month's callbacks still open go to the managers (2.7.3)."""
    tz, month = uow.office.timezone, shift_month(key, -1)
    rows = month_surveys(uow.session, month, tz, OPEN_STATES)
    if rows:
        text = lines(_("⚠️ {count} callbacks of {month} are still open after day {day} of "
                       "this month.", count=len(rows), month=_month(month),
                       day=uow.office.rules.callbacks_due_day), *_open_lines(rows, tz))
        for chat_id in alert_chats(uow.session, "managers", "dispatch"):
            uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
    return {"open": len(rows)}


def quota_check(uow: UnitOfWork, key: int) -> dict[str, Any]:
    """The 20th: remind whoever is behind, with a few callbacks to act on."""
    tz, session = uow.office.timezone, uow.session
    q = quotas(session, key, tz, uow.office.rules)
    done_rows = list(reversed(month_surveys(session, key, tz, ("done",))))
    if q.onsite < q.onsite_needed:
        picks = [(s, n) for s, n in done_rows if s.onsite_at is None][:CANDIDATES]
        text = lines(_("🏠 On-site callbacks in {month}: {count} of at least {needed} "
                       "({percent} %). Visit a few residents and record it:",
                       month=_month(key), count=q.onsite, needed=q.onsite_needed,
                       percent=q.onsite_percent), _quota_line(q))
        _remind(uow, DESK_CHATS, text, picks, Verb.ONSITE, "🏠")
    if q.spot_checks < q.checks_needed:
        picks = [(s, n) for s, n in done_rows if s.spot_checked_at is None][:CANDIDATES]
        text = lines(_("🔎 Managers' spot checks in {month}: {count} of {needed}. Re-check a few "
                       "callbacks with the residents and record them:", month=_month(key),
                       count=q.spot_checks, needed=q.checks_needed), _quota_line(q))
        _remind(uow, ("managers",), text, picks, Verb.SPOT_CHECK, "🔎")
    return {"onsite": q.onsite, "onsite_needed": q.onsite_needed, "spot_checks": q.spot_checks,
            "checks_needed": q.checks_needed}


def _remind(uow: UnitOfWork, purposes: tuple[str, ...], text: Text,
            picks: list[tuple[CallbackSurvey, str]], verb: Verb, icon: str) -> None:
    buttons = [Button(Raw(f"{icon} {number}"), tap(verb, s.id)) for s, number in picks]
    for chat_id in alert_chats(uow.session, *purposes):
        uow.send(Say(chat_id, text, inline(*[[b] for b in buttons]),
                     priority=Priority.NOTICE))


_RUN: Final[dict[str, Callable[[UnitOfWork, int], dict[str, Any]]]] = {
    "callbacks_list": callbacks_list, "callbacks_overdue": callbacks_overdue,
    "quota_check": quota_check,
}
