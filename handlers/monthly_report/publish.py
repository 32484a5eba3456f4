"""Making the report and posting it: the files (PNG charts, XLSX, CSV) in a folder, the headline
message and the charts to the managers' chat — on the report day each month, once.

Once a month: the post is recorded in ``followup_mark`` (kind ``report:monthly``, subject the
reported month as yyyymm) in the same transaction as its outbox rows, so a restart, a second
process or the start-up catch-up never posts it twice (the second insert fails and its
transaction, messages included, rolls back). The figures are computed *before* that
transaction, on a read-only connection: a big estate's report takes seconds, and a write
lock held that long would make residents wait.

Charts reach Telegram as files: each outbox photo is the PNG's ``file://`` URI, which the
sender uploads (multipart) instead of passing a file_id. The folder must therefore be on a
disk the sending process can read — the default is beside the SQLite database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from dialogs.events import Priority, Say
from handlers.monthly_report import charts, export
from handlers.monthly_report.message import chat_message
from handlers.monthly_report.months import month_label
from handlers.monthly_report.report import Report, build
from handlers.office import Office
from handlers.office.calendar import month_key, shift_month, wall_clock
from handlers.office.due_items import mark
from handlers.office.people import alert_chats, staff_chat
from handlers.office.unit_of_work import UnitOfWork
from locales import DEFAULT_LANGUAGE, Language, Raw, _, parse_language
from storage.db import read_session
from storage.followups import FollowupMark

log = logging.getLogger(__name__)

KIND: Final = "report:monthly"
LATE_FOR: Final = timedelta(days=7)  # how long after its day a missed report is still posted


@dataclass(frozen=True, slots=True)
class Files:
    """What one report wrote."""

    folder: Path
    charts: list[Path] = field(default_factory=list)
    workbook: Path | None = None
    csv: list[Path] = field(default_factory=list)

    def all(self) -> list[Path]:
        return [*self.charts, *([self.workbook] if self.workbook else []), *self.csv]


def reports_folder(office: Office) -> Path:
    """Where report files are kept: the office's setting, else ``reports/`` beside the SQLite
    database, else ``./reports``."""
    if office.rules.reports_path is not None:
        return office.rules.reports_path
    url = office.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "reports"
    return Path("reports").resolve()


def write_files(report: Report, folder: Path, language: Language) -> Files:
    """The charts, the workbook and the CSV files of *report* in *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = export.file_stem(report)
    drawn = charts.draw_charts(report, folder, language)
    named = []
    for path in drawn:  # "requests.png" → "service-report-2026-11-requests.png"
        target = path.with_name(f"{stem}-{path.name}")
        path.replace(target)
        named.append(target)
    workbook = export.write_workbook(report, folder / f"{stem}.xlsx", language)
    return Files(folder, named, workbook, export.write_csv(report, folder, language))


def managers_language(office: Office) -> Language:
    """The language of the managers' chat (the report's charts and workbook use it)."""
    with read_session(office.engine) as session:
        chat = staff_chat(session, "managers")
        return (parse_language(chat.language) if chat else None) or DEFAULT_LANGUAGE


def make_report(office: Office, key: int, folder: Path, *, as_of: datetime | None = None,
                language: Language | None = None) -> tuple[Report, Files]:
    """Compute month *key*'s report and write its files (``frontline report``)."""
    report = build(office, key, as_of)
    return report, write_files(report, folder, language or managers_language(office))


def post(uow: UnitOfWork, report: Report, files: Files) -> int:
    """Queue the message and the charts for the managers' chat; how many chats got it."""
    chats = alert_chats(uow.session, "managers")
    text = chat_message(report, uow.office.rules, str(files.folder))
    photos = tuple(path.resolve().as_uri() for path in files.charts)
    for chat_id in chats:
        uow.send(Say(chat_id, text, priority=Priority.NOTICE))
        if photos:
            uow.send(Say(chat_id, _("📈 Charts of the {month} report",
                                    month=Raw(report.label)),
                         photos=photos, priority=Priority.NOTICE))
    return len(chats)


# -- the monthly duty ---------------------------------------------------------------------
def at_time(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """*moment* local on *day*, in UTC."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def occurrence(office: Office, key: int) -> datetime:
    """The report's moment in month *key* (it reports the month before)."""
    rules = office.rules
    return at_time(date(key // 100, key % 100, rules.report_day), rules.report_time,
                   office.timezone)


def latest(office: Office, now: datetime) -> datetime:
    """The report's most recent moment at or before *now*."""
    key = month_key(now, office.timezone)
    moment = occurrence(office, key)
    return moment if moment <= now else occurrence(office, shift_month(key, -1))


def next_due(office: Office, now: datetime) -> datetime:
    """The report's next moment after *now*."""
    key = month_key(now, office.timezone)
    moment = occurrence(office, key)
    return moment if moment > now else occurrence(office, shift_month(key, 1))


def due_month(office: Office, now: datetime) -> int | None:
    """The month whose report is due and not yet posted, or None."""
    moment = latest(office, now)
    reported = shift_month(month_key(moment, office.timezone), -1)
    with read_session(office.engine) as session:
        done = session.exec(select(FollowupMark.id).where(
            FollowupMark.kind == KIND, FollowupMark.subject_id == reported)).first()
    return None if done is not None else reported


def run_due(office: Office) -> str:
    """Post last month's report if its moment has passed and it was not posted: "posted",
    "no_chat" or "skipped" (recorded, nothing sent), "already" or "not_due".

    After downtime the report is still posted for a week after its day; later than that the
    next one is near and the month is recorded as skipped (``frontline report`` makes it).
    """
    now = office.clock.now()
    key = due_month(office, now)
    if key is None:
        return "not_due"
    with read_session(office.engine) as session:
        has_chat = bool(alert_chats(session, "managers"))
    stale = now >= latest(office, now) + LATE_FOR
    files = Files(reports_folder(office))
    report = None
    if has_chat and not stale:
        report, files = make_report(office, key, reports_folder(office) / month_label(key),
                                    as_of=now)
    try:
        with UnitOfWork(office) as uow:
            if report is None:
                reason = ("its day was more than a week ago" if stale
                          else "no managers' chat is bound")
                mark(uow, KIND, key, outcome="skipped", reason=reason)
                uow.commit()
                log.warning("report: %s not posted: %s", month_label(key), reason)
                return "skipped" if stale else "no_chat"
            mark(uow, KIND, key, folder=str(files.folder),
                 files=[p.name for p in files.all()])
            posted = post(uow, report, files)
            uow.log("monthly_report_posted", month=key, chats=posted,
                    requests=report.month.requests, folder=str(files.folder),
                    due=wall_clock(occurrence(office, shift_month(key, 1)), office.timezone))
            uow.commit()
    except IntegrityError:
        return "already"  # another process posted it first; its post stands
    log.info("report: %s posted to %d chat(s); files in %s", month_label(key), posted,
             files.folder)
    return "posted"
