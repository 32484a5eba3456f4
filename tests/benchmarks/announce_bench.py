"""Announcement benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/announce_bench.py [--households 20000]

1. An estate of N households, each with one resident bound to the bot (bulk inserts).
2. Preparing a notice to the whole estate: the audience resolved, one recipient row per chat
   (one INSERT), the counts per language and the preview — the time a manager waits.
3. After approval: the drain writing the queue window's worth of outbox rows (its pace, rows
   per second), and a resident's "停水了" answered by a running outage (the reception's cost
   of checking for an outage, per message, p50 / p99).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
BUILDINGS = 50


def build(url: str, households: int) -> None:
    """The estate, written with bulk inserts (set-up, not measured)."""
    from storage.db import upgrade
    from storage.models import Household, Person, Residence, StaffChat

    upgrade(url)
    from storage.db import make_engine
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(StaffChat.__table__), [  # type: ignore[attr-defined]
            {"chat_id": -1004, "purpose": "managers", "trades": [], "title": "managers",
             "language": "zh_Hans", "active": True}])
        connection.execute(insert(Household.__table__), [  # type: ignore[attr-defined]
            {"id": i + 1, "building": str(i % BUILDINGS + 1), "room": f"{i:06d}",
             "name": f"业主{i}", "phone": f"138{i:08d}", "fee_plan": "monthly"}
            for i in range(households)])
        connection.execute(insert(Person.__table__), [  # type: ignore[attr-defined]
            {"id": i + 1, "telegram_user_id": 10_000 + i, "role": "resident",
             "name": f"业主{i}", "phone": "", "trades": [],
             "language": ("zh_Hans", "zh_Hant", "en")[i % 3], "blocked_bot": False,
             "rank": "", "on_shift": True} for i in range(households)])
        connection.execute(insert(Residence.__table__), [  # type: ignore[attr-defined]
            {"person_id": i + 1, "household_id": i + 1, "bound_by": "code"}
            for i in range(households)])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20000)
    args = parser.parse_args()

    from sqlmodel import Session, select

    from dialogs.events import ChatKind, Event, EventKind
    from dialogs.model import DraftAnnouncement
    from dialogs.triage import warm_up
    from handlers.announcements import notices, sending
    from handlers.office import Office
    from handlers.office.catalog import load_catalog
    from handlers.office.clock import FakeClock
    from handlers.office.due_items import Timer, run
    from handlers.reception.entry import handle
    from storage.announcements import OutageReport
    from storage.db import make_engine

    folder = Path(tempfile.mkdtemp(prefix="announce-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    build(url, args.households)
    print(f"estate: {args.households} households with a resident each, built in "
          f"{time.perf_counter() - started:.1f} s")
    office = Office(engine=make_engine(url), clock=FakeClock(START), timezone=TZ,
                    catalog=load_catalog())

    started = time.perf_counter()
    notice = notices.prepare_from_cli(office, DraftAnnouncement(
        text="本周六清洗外墙，请关好窗户。", photos=(), audience="estate"))
    print(f"prepare to the whole estate: {notice.recipients} recipients "
          f"{notice.by_language} in {time.perf_counter() - started:.2f} s")
    notices.decide_from_cli(office, notice.id or 0, "approve")

    window = office.rules.announcements.queue_window
    started = time.perf_counter()
    done = run(office, Timer("announcement", sending.find_due, sending.send_one))
    seconds = time.perf_counter() - started
    print(f"drain: {done['queued']} outbox rows written (the queue window is {window}) in "
          f"{seconds:.2f} s = {done['queued'] / seconds:.0f} rows/s")

    outage = notices.prepare_from_cli(office, DraftAnnouncement(
        text="管道检修。", photos=(), audience="buildings", buildings=("1",), utility="water",
        starts="2026-12-03 09:00", ends="2026-12-03 17:00"), approve=True)
    warm_up()
    timings = []
    for n in range(min(200, args.households // BUILDINGS)):
        resident = 10_000 + n * BUILDINGS  # all in building 1
        moment = time.perf_counter()
        handle(office, Event(key=f"u:{n}", kind=EventKind.TEXT, chat_id=resident,
                             chat_kind=ChatKind.PRIVATE, user_id=resident, text="停水了"))
        timings.append((time.perf_counter() - moment) * 1000)
    timings.sort()
    with Session(office.engine) as session:
        answered = len(session.exec(select(OutageReport.id)).all())
    print(f"{answered} of {len(timings)} reports during outage #{outage.id} answered with the "
          f"notice: p50 "
          f"{statistics.median(timings):.1f} ms, p99 {timings[int(len(timings) * 0.99) - 1]:.1f} "
          "ms per message")


if __name__ == "__main__":
    main()
