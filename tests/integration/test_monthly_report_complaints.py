"""The complaints desk's section of the report and the digest: complaints received, by
severity, and their clocks met / missed / still running at the month's end."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from handlers.monthly_report import digest
from handlers.monthly_report.message import chat_message
from handlers.monthly_report.report import build
from handlers.office import Office
from handlers.office.clock import FakeClock
from locales import render
from tests.conftest import make_office
from tests.support.report_month import NOVEMBER, build_month, sh

complaints = pytest.importorskip("storage.complaints")


def clock(session: Session, complaint: int, kind: str, started: datetime, due: datetime | None,
          state: str, ended: datetime | None = None) -> None:
    session.add(complaints.ComplaintClock(
        complaint_id=complaint, kind=kind, basis="calendar", length_seconds=3600,
        state=state, started_at=started, due_at=due, ended_at=ended))


@pytest.fixture
def office(tmp_path: Path) -> Office:
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(sh(12, 1, 9)))
    build_month(office)
    with Session(office.engine) as session:
        rows = {}
        for number, severity, created, what in (
                ("TS-1", "important", sh(11, 3, 10), "保安态度差，晚上巡逻不认真"),
                ("TS-2", None, sh(11, 29, 10), "楼道堆放杂物没人管"),
                ("TS-3", "minor", sh(11, 10, 10), "电梯广告太吵"),
                ("TS-4", "minor", sh(12, 1, 7), "垃圾桶满了没人清")):
            row = complaints.Complaint(number=number, severity=severity, what=what,
                                       created_at=created, status="open")
            session.add(row)
            session.flush()
            rows[number] = row.id
        one, two, three, four = rows["TS-1"], rows["TS-2"], rows["TS-3"], rows["TS-4"]
        clock(session, one, "response", sh(11, 3, 10), sh(11, 4, 10), "met", sh(11, 3, 11))
        clock(session, one, "first_step", sh(11, 3, 10), sh(11, 3, 11), "missed",
              sh(11, 3, 11))
        clock(session, one, "resolve", sh(11, 3, 10), sh(11, 6, 10), "met", sh(11, 5, 10))
        clock(session, two, "response", sh(11, 29, 10), sh(11, 30, 10), "running")
        clock(session, two, "resolve", sh(11, 29, 10), sh(12, 2, 10), "running")
        clock(session, three, "response", sh(11, 10, 10), sh(11, 11, 10), "stopped",
              sh(11, 10, 10, 30))
        clock(session, four, "response", sh(12, 1, 7), sh(12, 1, 12), "running")
        session.commit()
    return office


def test_complaints_and_their_clocks_at_the_months_end(office: Office) -> None:
    report = build(office, NOVEMBER)
    found = report.month.complaints
    assert found is not None
    assert found.received == 3
    assert found.by_severity == {"important": 1, "-": 1, "minor": 1}
    # met: TS-1's response and resolve; missed: TS-1's first step, TS-2's response (due on
    # the 30th, still running); running: TS-2's resolve (due 2 December); TS-3 withdrawn.
    assert (found.clocks.hits, found.clocks.misses, found.clocks.pending) == (2, 2, 1)
    assert found.by_duty["response"].misses == 1 and found.by_duty["first_step"].misses == 1
    got = {h.key: (h.value, h.previous) for h in report.headlines() if "complaint" in h.key}
    assert got == {"complaints": (3, 0), "complaint_clock_hits": (2, 0),
                   "complaint_clock_misses": (2, 0), "complaint_clock_rate": (50.0, None)}
    text = render(chat_message(report, office.rules), "en")
    assert ("📣 Complaints: 3 (+3) (major 0, important 1, minor 1, not graded yet 1); their "
            "deadlines met 2 (+2), missed 2 (+2), 50 % (—)") in text
    groups = {g.dimension: g for g in report.causes}
    # the three complaints' words join the five remarks of the month (the front desk's
    # complaint among them)
    assert groups["overall"].remarks == 8 and groups["complaints"].remarks == 4


def test_the_digest_lists_complaint_deadlines_past_and_near(office: Office) -> None:
    found = digest.collect(office, sh(12, 1, 8, 30))
    overdue = [render(line, "en") for line in found.overdue]
    near = [render(line, "en") for line in found.complaints]
    assert any(line.startswith("TS-2 · a human word · due 2026-11-30 10:00") for line in overdue)
    assert near == ["TS-4 · a human word · due 2026-12-01 12:00: 垃圾桶满了没人清"]


def test_the_digest_leaves_out_complaints_about_the_front_desk(office: Office) -> None:
    """The managers' group has the desk in it: a complaint about the desk, late or near its
    clock, is not in the digest (admin/HR hears of its clocks privately)."""
    with Session(office.engine) as session:
        row = complaints.Complaint(number="TS-5", severity="minor", what="客服挂了我两次电话",
                                   created_at=sh(11, 30, 9), status="open",
                                   about_service_centre=True, level=3)
        session.add(row)
        session.flush()
        clock(session, row.id, "response", sh(11, 30, 9), sh(12, 1, 8), "running")
        clock(session, row.id, "resolve", sh(11, 30, 9), sh(12, 1, 12), "running")
        session.commit()
    text = render(digest.text_of(digest.collect(office, sh(12, 1, 8, 30))), "en")
    assert "TS-4" in text and "TS-5" not in text and "挂了" not in text


def test_a_complaint_about_the_desk_is_counted_but_its_words_stay_out_of_the_report(
        office: Office) -> None:
    """The report goes to the managers' group, where the desk sits: the complaint counts, its
    words are not among the causes the message and the workbook quote."""
    with Session(office.engine) as session:
        session.add(complaints.Complaint(number="TS-6", severity="minor",
                                         what="客服态度恶劣，挂了我两次电话",
                                         created_at=sh(11, 20, 9), status="open",
                                         about_service_centre=True, level=3))
        session.commit()
    report = build(office, NOVEMBER)
    assert report.month.complaints is not None and report.month.complaints.received == 4
    assert not any("挂了" in voice.text for voice in report.month.voices)
    assert "挂了" not in render(chat_message(report, office.rules), "zh_Hans")
