"""Planned outages at the front desk: while one runs, a resident of its buildings who reports
that utility ("停水了", "冇水", "no water") gets the notice at once, and no work order is
opened — unless they tap "report it anyway". Emergencies never come here: the reception
sends them down the emergency path first. Once the outage has ended, reports open work
orders as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from sqlalchemy import bindparam, select, update
from sqlmodel import col
from sqlmodel import select as select_rows

from dialogs import announce as texts
from dialogs.events import Edit, inline
from handlers.front_desk import faq
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import households_of, outage_may_run
from handlers.office.permissions import OUT_OF_DATE
from locales import Text, _, lines
from storage.announcements import (
    ANNOUNCEMENT,
    LIVE,
    OUTAGE_RUNNING,
    Announcement,
    OutageReport,
)
from storage.models import EventLog

REPORT_TABLE = OutageReport.__table__  # type: ignore[attr-defined]
ANSWERED: Final = "outage_answered"
TIMES_ASKED: Final = "outage_times"  # the FAQ key noted when an outage's times answered
# Built once, in Core: a resident's text may ask it, and building it cost more than running it.
_A = ANNOUNCEMENT.c
RUNNING_OUTAGES = (select(_A.id, _A.utility, _A.buildings, _A.starts_at, _A.ends_at, _A.text)
                   .where(OUTAGE_RUNNING).order_by(_A.id))
# Running or announced: not over yet. Asked only of a text that asks when.
COMING_OUTAGES = (select(_A.id, _A.utility, _A.buildings, _A.starts_at, _A.ends_at, _A.text)
                  .where(_A.kind == "outage", _A.status.in_(LIVE), _A.ends_at > bindparam("now"))
                  .order_by(_A.starts_at, _A.id))


def answered(caller: Caller, text: str, photos: Sequence[str] = ()) -> bool:
    """If *text* (alone, or a photo's caption) reports the utility of an outage running in
    the caller's building now, answer with the notice and the one-tap override, and say True.
    The *photos* are kept with the report for that tap. A text that asks when an outage in
    the caller's building starts or ends is told its times (`times_asked`)."""
    buildings = {h.building for h in households_of(caller.session, caller.person)}
    if not buildings:
        return False
    if not photos and times_asked(caller, text, buildings):
        return True
    if not outage_may_run(caller.session):
        return False
    running = caller.session.connection().execute(RUNNING_OUTAGES, {"now": caller.now}).all()
    outage = _latest_word([a for a in running if buildings & set(a.buildings)
                           and texts.about_outage(text, a.utility)])
    if outage is None:
        return False
    report = OutageReport(announcement_id=outage.id,
                          person_id=caller.person.id if caller.person else None,
                          chat_id=caller.chat_id, text=text, photos=list(photos),
                          created_at=caller.now)
    caller.session.add(report)
    caller.session.flush()
    assert report.id is not None
    caller.reply(_answer(caller, outage, buildings), texts.outage_keyboard(report.id))
    caller.log(ANSWERED, announcement_id=outage.id, report_id=report.id, text=text,
               album=caller.event.album)
    return True


def times_asked(caller: Caller, text: str, buildings: set[str]) -> bool:
    """"什么时候来水？", "幾時有水", "when will the water be back?" from a resident of a building
    with that utility's outage running or announced: the outage's notice, with its times, and
    "Did this answer it?" (No goes to the desk). True if it was answered."""
    utilities = [u for u in texts.UTILITIES if texts.asks_when(text, u)]
    if not utilities:
        return False
    coming = caller.session.connection().execute(COMING_OUTAGES, {"now": caller.now}).all()
    outage = _latest_word([a for a in coming if a.utility in utilities
                           and buildings & set(a.buildings)])
    if outage is None:
        return False
    faq.ask_if_answered(caller, text, TIMES_ASKED, 1.0,
                        _answer(caller, outage, buildings, texts.outage_notice_text))
    return True


def _latest_word(found: Sequence[Any]) -> Any:
    """Of the outages *found* (the first to come first), the one to answer with: the first,
    as last announced — a later notice of the same utility for hours that overlap its own
    is the office's correction of it (the works run late, or start later)."""
    if not found:
        return None
    first = found[0]
    return max((a for a in found if a.utility == first.utility
                and a.starts_at < first.ends_at and a.ends_at > first.starts_at),
               key=lambda a: a.id)


def album_rest(caller: Caller) -> bool:
    """A photo of the album whose first photo's caption the outage notice answered (an album
    comes one photo per update): kept with that report, for "report it anyway", and not
    answered again. True if it was."""
    event = caller.event
    answer = caller.session.exec(select_rows(EventLog).where(
        EventLog.action == ANSWERED, EventLog.telegram_user_id == event.user_id).order_by(
            col(EventLog.id).desc())).first()
    if answer is None or answer.detail.get("album") != event.album:
        return False
    report = caller.session.get(OutageReport, answer.detail.get("report_id"))
    if report is None or report.reported_at is not None:
        return False
    report.photos = [*report.photos, *event.photo_file_ids]
    caller.session.add(report)
    return True


class _Outage(Protocol):
    """What the answer shows of an outage: its row as read, or the Announcement."""

    utility: str
    buildings: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    text: str


def _answer(caller: Caller, outage: _Outage, buildings: set[str],
            notice: Callable[[str, str, str, str, str], Text] = texts.outage_text) -> Text:
    """The notice as the resident's answer: the outage in their buildings, and when."""
    tz = caller.uow.office.timezone
    return notice(outage.utility, ", ".join(sorted(buildings & set(outage.buildings))),
                             wall_clock(outage.starts_at, tz), wall_clock(outage.ends_at, tz),
                             outage.text)


def report_anyway(caller: Caller, report_id: int) -> OutageReport | None:
    """"It's not the outage": the report (the words the resident wrote, and the photos with
    them), to be taken in as usual (once); None if the tap is not theirs or was already
    taken. The answer loses its button."""
    report = caller.session.get(OutageReport, report_id)
    if (report is None or caller.person is None or report.person_id != caller.person.id
            or report.reported_at is not None):
        caller.refuse(OUT_OF_DATE)
        return None
    # Conditional: two quick taps open one work order, not two.
    taken = caller.session.connection().execute(
        update(REPORT_TABLE).where(REPORT_TABLE.c.id == report.id,
                                   REPORT_TABLE.c.reported_at.is_(None))
        .values(reported_at=caller.now))
    if int(getattr(taken, "rowcount", 0) or 0) != 1:
        caller.refuse(OUT_OF_DATE)
        return None
    outage = caller.session.get(Announcement, report.announcement_id)
    assert outage is not None
    taken_text = _("Taken: your report goes ahead as usual.")
    caller.toast(taken_text)
    caller.uow.send(Edit(caller.chat_id, lines(_answer(caller, outage, {
        h.building for h in households_of(caller.session, caller.person)}), taken_text),
        inline(), message_id=caller.event.message_id))
    caller.log("outage_overridden", announcement_id=report.announcement_id,
               report_id=report.id)
    return report
