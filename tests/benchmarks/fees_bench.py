"""Fee campaign benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/fees_bench.py [--households 100000] [--database URL]

1. An estate of N households on the monthly plan (a fifth with a resident bound to the bot),
   last month billed and most of it paid: the data a campaign starts from.
2. Preparing the 1st's overdue notice — bills generated for the month, a notice row for each
   household that owes, the counts per building and the managers' preview — in a fresh
   process, so its peak RSS is the preparation's own (the goal: ≤ 5 s, ≤ 250 MB).
3. After approval: turning a window of notices into outbox rows (the drain's pace, each
   balance re-checked), and recording a payment mid-campaign (it stops the pending notice).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)  # the 1st, at the ladder's preparation hour
BUILDINGS = 50


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def office_for(url: str, moment: datetime):  # type: ignore[no-untyped-def]
    from handlers.office import Office
    from handlers.office.catalog import load_catalog
    from handlers.office.clock import FakeClock
    from storage.db import make_engine

    return Office(engine=make_engine(url), clock=FakeClock(moment), timezone=TZ,
                  catalog=load_catalog())


def build(url: str, households: int) -> None:
    """The estate, written with bulk inserts (this is set-up, not the measured part)."""
    from storage.db import upgrade
    from storage.fees import FeeBill, FeePayment
    from storage.models import Household, Person, Residence, StaffChat

    upgrade(url)
    office = office_for(url, START)
    started = time.perf_counter()
    chunk = 5000
    with office.engine.begin() as connection:
        connection.execute(insert(StaffChat.__table__), [  # type: ignore[attr-defined]
            {"chat_id": -1004, "purpose": "managers", "trades": [], "title": "managers",
             "language": "zh_Hans", "active": True}])
        for first in range(0, households, chunk):
            rows = [{"building": str(i % BUILDINGS + 1), "room": f"{i:06d}",
                     "name": f"业主{i}", "phone": f"138{i:08d}", "fee_plan": "monthly",
                     "monthly_fee": f"{200 + i % 300}.50"}
                    for i in range(first, min(first + chunk, households))]
            connection.execute(insert(Household.__table__), rows)  # type: ignore[attr-defined]
        ids = [row[0] for row in connection.execute(
            select(Household.__table__.c.id).order_by(  # type: ignore[attr-defined]
                Household.__table__.c.id))]  # type: ignore[attr-defined]
        for first in range(0, len(ids), chunk):
            part = ids[first:first + chunk]
            connection.execute(insert(FeeBill.__table__), [  # type: ignore[attr-defined]
                {"household_id": h, "period_start": date(2026, 11, 1),
                 "period_end": date(2026, 11, 30), "item": "management",
                 "amount_fen": 20050 + (h % 300) * 100, "source": "generated",
                 "created_at": START, "updated_at": START} for h in part])
            # Nine in ten paid November; the rest owe it.
            connection.execute(insert(FeePayment.__table__), [  # type: ignore[attr-defined]
                {"household_id": h, "amount_fen": 20050 + (h % 300) * 100,
                 "paid_on": date(2026, 11, 10), "receipt_no": f"N-{h}", "source": "import",
                 "created_at": START} for h in part if h % 10])
            residents = [h for h in part if h % 5 == 0]
            connection.execute(insert(Person.__table__), [  # type: ignore[attr-defined]
                {"telegram_user_id": 10_000_000 + h, "role": "resident", "name": f"业主{h}",
                 "phone": "", "trades": [], "language": "zh_Hans", "blocked_bot": False,
                 "created_at": START} for h in residents])
        people = dict(connection.execute(select(
            Person.__table__.c.telegram_user_id,  # type: ignore[attr-defined]
            Person.__table__.c.id)).all())  # type: ignore[attr-defined]
        for first in range(0, len(ids), chunk):
            connection.execute(insert(Residence.__table__), [  # type: ignore[attr-defined]
                {"person_id": people[10_000_000 + h], "household_id": h, "bound_at": START,
                 "bound_by": "code"} for h in ids[first:first + chunk] if h % 5 == 0])
    office.engine.dispose()
    print(f"  estate of {households:,} households written in "
          f"{time.perf_counter() - started:.1f} s (set-up)")


def prepare_in_child(url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from handlers.fees.campaigns import run_calendar
    from handlers.fees.ledger import ladder_of

    office = office_for(url, START)
    ladder_of(office)  # the ladder file is read once per process anyway
    before = rss_mb()
    started = time.perf_counter()
    counts = run_calendar(office)
    seconds = time.perf_counter() - started
    out.put((seconds, before, rss_mb(), dict(counts)))


def after_approval(url: str) -> None:
    from sqlmodel import Session
    from sqlmodel import select as model_select

    from handlers.fees import campaigns, ledger
    from handlers.fees.statement import load
    from handlers.office.clock import FakeClock
    from handlers.office.due_items import run
    from scheduler.drain import timers
    from storage.fees import FeeCampaign, FeeNotice
    from storage.models import Household

    office = office_for(url, START)
    with Session(office.engine) as session:
        campaign_id = session.exec(model_select(FeeCampaign.id).where(
            FeeCampaign.kind == "overdue")).one()
    assert campaign_id is not None
    campaigns.decide_from_cli(office, campaign_id, "approve")
    clock = office.clock
    assert isinstance(clock, FakeClock)
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
    timer = next(t for t in timers(office) if t.name == "fee_notice")
    started = time.perf_counter()
    done = run(office, timer)
    seconds = time.perf_counter() - started
    sent = done.get("sent", 0)
    print(f"  one drain pass after approval: {sum(done.values()):,} notices handled "
          f"({dict(done)}) in {seconds:.2f} s, {sum(done.values()) / seconds:,.0f}/s "
          f"(the outbox window caps a pass; each balance re-checked) — {sent} written")
    with Session(office.engine) as session:
        pending = session.exec(model_select(FeeNotice).where(
            FeeNotice.campaign_id == campaign_id, FeeNotice.state == "pending")
            .limit(1)).first()
        assert pending is not None
        household = session.get(Household, pending.household_id)
        assert household is not None
        due = load(session, pending.household_id, date(2026, 12, 1), ledger.terms_of(office))
    started = time.perf_counter()
    result = ledger.record_at_desk(office, household.building, household.room,
                                   str(due.owed_through(date(2026, 12, 1))),
                                   receipt_no="BENCH-1")
    seconds = time.perf_counter() - started
    print(f"  a payment mid-campaign: recorded and its pending notice stopped "
          f"({result.stopped}) in {seconds * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'fees.db'}"
        print(f"Fee campaign, {args.households:,} households on "
              f"{url.split(':', 1)[0]}")
        build(url, args.households)
        context = multiprocessing.get_context("spawn")
        out: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        child = context.Process(target=prepare_in_child, args=(url, out))
        child.start()
        seconds, before, peak, counts = out.get()
        child.join()
        print(f"  preparing the 1st's notices: {seconds:.2f} s, process RSS {before:.0f} MB "
              f"before, peak {peak:.0f} MB ({counts})")
        after_approval(url)


if __name__ == "__main__":
    main()
