"""The sandbox's demo estate has a past: last month and this month so far, so the monthly
report and the clock's "Next 1st" show a full report."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, func, select

from bot.sandbox.clock import JUMPS, step_for
from bot.sandbox.history import write_history
from handlers.monthly_report import publish
from handlers.monthly_report.report import build
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.registration import roster
from storage.models import Outbox, WorkOrder
from tests.conftest import make_office
from tests.support.estate import MANAGERS, build_estate

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 16, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def office(tmp_path: Path) -> Office:
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(NOW))
    build_estate(office)
    roster.import_households(office, enumerate([  # the roster's units nobody linked
        {"building": "1", "room": room, "name": "业主", "phone": f"1390000{n:04d}"}
        for n, room in enumerate(("0101", "0202", "0301", "0502"))], start=2))
    return office


@pytest.mark.parametrize(("wall", "expected"), [
    ("2026-12-16 10:00", timedelta(days=15, hours=23)),
    ("2026-12-01 08:00", timedelta(days=31, hours=1)),  # the next 1st, not today's
    ("2027-02-28 09:00", timedelta(days=1)),
])
def test_next_first_jumps_to_the_reports_morning(wall: str, expected: timedelta) -> None:
    assert "next_first" in JUMPS
    now = datetime.fromisoformat(wall).replace(tzinfo=SHANGHAI)
    assert step_for("next_first", now, SHANGHAI) == expected


def test_the_past_fills_last_month_and_this_month_so_far(office: Office) -> None:
    written = write_history(office, NOW)
    assert written > 60
    with Session(office.engine) as session:
        numbers = session.exec(select(WorkOrder.number)).all()
        latest = session.exec(select(func.max(WorkOrder.created_at))).one()
    assert len(numbers) == len(set(numbers))
    assert latest is not None and latest < NOW - timedelta(days=1)
    november = build(office, 202611)
    m = november.month
    assert m.work_orders > 40 and m.ratings.total > 30 and m.front_desk > 0
    assert m.completion.median is not None and m.dispatch.hits and m.dispatch.misses
    assert any(g.dimension == "overall" and g.keywords for g in november.causes)
    assert m.callbacks.total > 30 and m.demand_total > 0
    with Session(office.engine) as session:  # the past is closed: nothing open, nobody's list
        assert set(session.exec(select(WorkOrder.status).where(
            col(WorkOrder.description) == "（历史记录）")).all()) == {"confirmed", "cancelled"}
        assert not session.exec(select(WorkOrder).where(
            col(WorkOrder.description) == "（历史记录）",
            col(WorkOrder.household_id).in_([1, 2, 3]))).first()  # the linked units


def test_next_first_posts_a_full_report_to_the_managers(office: Office) -> None:
    write_history(office, NOW)
    clock = office.clock
    assert isinstance(clock, FakeClock)
    clock.set(NOW + step_for("next_first", NOW, SHANGHAI))
    assert publish.run_due(office) == "posted"
    with Session(office.engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.chat_id == MANAGERS)
                            .order_by(col(Outbox.id))).all()
    text, album = rows[-2:]
    assert "2026-12" in text.text and "2026-11" in text.text
    assert len(album.photos) >= 8 and all(p.startswith("file://") for p in album.photos)
