"""The report and the digest reach the managers' chat on their day, once — across repeated
passes and a restart — with the charts as uploadable files; the scheduler has their jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from handlers.monthly_report import digest, publish
from handlers.office import Office
from handlers.office.clock import FakeClock
from locales import render
from scheduler import SchedulerService
from scheduler.drain import reports_once
from storage.followups import FollowupMark
from storage.leader import LeaderLock
from storage.models import EventLog, FrontDeskRequest, Outbox, WorkOrder
from tests.conftest import make_office
from tests.support.report_month import MANAGERS_CHAT, build_month, sh


@pytest.fixture
def month_office(tmp_path: Path) -> Office:
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(sh(11, 30, 12)))
    build_month(office)
    return office


def _clock(office: Office) -> FakeClock:
    assert isinstance(office.clock, FakeClock)
    return office.clock


def _rows(office: Office, chat_id: int = MANAGERS_CHAT) -> list[Outbox]:
    with Session(office.engine) as session:
        return list(session.exec(select(Outbox).where(Outbox.chat_id == chat_id)
                                 .order_by(col(Outbox.id))))


def _marks(office: Office, kind: str) -> list[FollowupMark]:
    with Session(office.engine) as session:
        return list(session.exec(select(FollowupMark).where(FollowupMark.kind == kind)))


def test_the_report_is_posted_on_the_1st_once_with_its_charts(month_office: Office,
                                                               tmp_path: Path) -> None:
    office, clock = month_office, _clock(month_office)
    assert reports_once(office, "report").counts == {"report:skipped": 1}  # October's: too late
    clock.set(sh(12, 1, 8, 59))
    assert not reports_once(office, "report")
    assert _rows(office) == []
    clock.set(sh(12, 1, 9, 0))
    assert reports_once(office, "report").counts == {"report:posted": 1}
    text, album = _rows(office)
    assert text.text.startswith("📊") and "2026-11" in text.text and "11（+8）" in text.text
    assert text.photos == [] and len(album.photos) == 9
    files = [Path(url2pathname(urlparse(uri).path)) for uri in album.photos]
    assert all(uri.startswith("file://") for uri in album.photos)
    assert all(p.is_file() and p.read_bytes()[:4] == b"\x89PNG" for p in files)
    folder = tmp_path / "reports" / "2026-11"  # beside the SQLite file
    assert files[0].parent == folder
    book = load_workbook(folder / "service-report-2026-11.xlsx")
    assert book.sheetnames[0] == "汇总"  # the managers' chat speaks Simplified Chinese

    clock.advance(timedelta(minutes=30))
    assert not reports_once(office, "report")  # once a month
    restarted = make_office(office.engine.url.render_as_string(hide_password=False),
                            FakeClock(sh(12, 3, 10)))
    assert not reports_once(restarted, "report")  # and a restart does not post it again
    assert len(_rows(office)) == 2
    [mark] = [m for m in _marks(office, publish.KIND) if m.outcome == "done"]
    assert mark.subject_id == 202611 and "service-report-2026-11.xlsx" in mark.detail["files"]
    with Session(office.engine) as session:
        [posted] = session.exec(select(EventLog).where(
            EventLog.action == "monthly_report_posted")).all()
    assert posted.detail["month"] == 202611 and posted.detail["requests"] == 11


def test_a_second_process_that_computed_it_too_does_not_post_twice(
        month_office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    office = month_office
    _clock(office).set(sh(12, 1, 9, 5))
    assert publish.run_due(office) == "posted"
    monkeypatch.setattr(publish, "due_month", lambda office, now: 202611)  # it looked first
    assert publish.run_due(office) == "already"
    assert len(_rows(office)) == 2


def test_without_a_managers_chat_the_month_is_recorded_not_retried(tmp_path: Path) -> None:
    office = make_office(f"sqlite:///{tmp_path / 'f.db'}", FakeClock(sh(12, 1, 9, 1)))
    assert publish.run_due(office) == "no_chat"
    assert publish.run_due(office) == "not_due"
    assert not (tmp_path / "reports").exists()


def test_the_report_day_and_time_are_settings(month_office: Office) -> None:
    office = month_office
    rules = office.rules.model_copy(update={"report_day": 3, "report_time": sh(1, 1, 7, 15)
                                            .timetz().replace(tzinfo=None)})
    moved = Office(office.engine, office.clock, office.timezone, office.catalog, rules)
    _clock(office).set(sh(12, 1, 9, 0))
    publish.run_due(moved)  # October's, recorded as too late
    assert publish.next_due(moved, sh(12, 1, 9)) == sh(12, 3, 7, 15)
    _clock(office).set(sh(12, 3, 7, 14))
    assert publish.run_due(moved) == "not_due"
    _clock(office).set(sh(12, 3, 7, 15))
    assert publish.run_due(moved) == "posted"


# -- the daily digest ---------------------------------------------------------------------
def _waiting(office: Office) -> None:
    """An emergency still being worked, and a complaint whose answer is due in 3 hours."""
    with Session(office.engine) as session:
        wo3 = session.exec(select(WorkOrder).where(WorkOrder.number == "WO3")).one()
        session.add(WorkOrder(number="WO9", kind="repair", status="accepted", emergency=True,
                              trade="gas", place="5栋1单元", assignee_id=wo3.assignee_id,
                              created_at=sh(12, 1, 7), accepted_at=sh(12, 1, 7, 5)))
        session.add(FrontDeskRequest(kind="complaint", text="楼下装修噪音太大", status="open",
                                     created_at=sh(11, 30, 11, 30), due_at=sh(12, 1, 11, 30)))
        session.commit()


def test_the_daily_digest_lists_what_waits_for_the_managers(month_office: Office) -> None:
    office, clock = month_office, _clock(month_office)
    _waiting(office)
    clock.set(sh(12, 1, 8, 29))
    digest.run_due(office)  # yesterday's (30 Nov 08:30) is stale by now: recorded, not sent
    assert _rows(office) == []
    clock.set(sh(12, 1, 8, 30))
    assert reports_once(office, "digest").counts == {"digest:posted": 1}
    [row] = _rows(office)
    lines = row.text.splitlines()
    assert lines[0] == "🗓 每日简报 2026-12-01"
    assert "🚨 未结的紧急情况：1" in lines
    assert any(line.startswith("  • WO9 · 燃气 · 5栋1单元 · 已接单（陈师傅）") for line in lines)
    # WO5 (public leak, nobody took it) is past the dispatch deadline and untaken;
    # FD fee question past its due time; WO6 was accepted at 08:00 today.
    assert "⏰ 已超期：2" in lines
    assert any("WO5" in line and "已 11 天 无人接单" in line for line in lines)
    assert any(line.startswith("  • FD-") and "收费问题" in line for line in lines)
    assert "👤 尚无人接手：1" in lines
    assert "💬 6 小时内到期的投诉：1" in lines
    assert any("楼下装修噪音太大" in line for line in lines)
    clock.advance(timedelta(hours=1))
    assert not reports_once(office, "digest")  # once a day
    clock.set(sh(12, 2, 8, 30))
    assert reports_once(office, "digest").counts == {"digest:posted": 1}


def test_an_all_clear_digest_says_so(tmp_path: Path) -> None:
    office = make_office(f"sqlite:///{tmp_path / 'f.db'}", FakeClock(sh(12, 1, 8, 45)))
    build_month(office)
    with Session(office.engine) as session:
        for order in session.exec(select(WorkOrder)):
            order.status = "confirmed"
            session.add(order)
        for request in session.exec(select(FrontDeskRequest)):
            request.status = "answered"
            session.add(request)
        session.commit()
    assert digest.run_due(office) == "posted"
    [row] = _rows(office)
    assert render(digest.text_of(digest.collect(office, sh(12, 1, 8, 45))), "en") \
        .splitlines()[1].startswith("✅ Nothing is waiting")
    assert "✅" in row.text


async def test_the_scheduler_has_a_monthly_report_job_and_a_daily_digest_job(
        office: Office) -> None:
    service = SchedulerService(office, LeaderLock(
        office.engine.url.render_as_string(hide_password=False), "scheduler"))
    scheduler = service._build()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    report, daily = jobs["reports.monthly"].trigger, jobs["reports.digest"].trigger
    fields = {f.name: str(f) for f in report.fields}
    assert (fields["day"], fields["hour"], fields["minute"]) == ("1", "9", "0")
    fields = {f.name: str(f) for f in daily.fields}
    assert (fields["day"], fields["hour"], fields["minute"]) == ("*", "8", "30")


def test_frontline_jobs_lists_the_next_report_and_digest(month_office: Office) -> None:
    from scheduler.agenda import agenda

    items, counts = agenda(month_office)  # 30 November, noon
    planned = {item.kind: item for item in items}
    report, daily = planned["duty:monthly_report"], planned["duty:daily_digest"]
    assert (report.target, report.due) == ("2026-11", sh(12, 1, 9))
    assert (daily.target, daily.due) == ("2026-11-30", sh(11, 30, 8, 30))  # today's, late
    assert counts["duty:monthly_report"] == counts["duty:daily_digest"] == 1


def test_a_month_without_work_orders_gets_a_line_not_empty_charts(tmp_path: Path) -> None:
    # September 2026 has no work orders: the report says so in one line and posts no album
    # of nine empty charts (and draws none into the folder).
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(sh(10, 1, 9)))
    build_month(office)
    assert reports_once(office, "report").counts == {"report:posted": 1}
    [text] = _rows(office)
    assert text.photos == []
    assert "📎 2026-09 没有工单，不附图表。工作簿和 CSV：" in text.text
    assert "图表随后发送" not in text.text
    assert not list((tmp_path / "reports" / "2026-09").glob("*.png"))
    assert (tmp_path / "reports" / "2026-09" / "service-report-2026-09.xlsx").is_file()
