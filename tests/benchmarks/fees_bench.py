"""Fee campaign benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/fees_bench.py [--households 100000] [--database URL]

1. An estate of N households on the monthly plan (a fifth with a resident bound to the bot),
   last month billed and most of it paid: the data a campaign starts from.
2. Preparing the 1st's overdue notice — bills generated for the month, a notice row for each
   household that owes, the counts per building and the managers' preview — in a fresh
   process, so its peak RSS is the preparation's own (the goal: ≤ 5 s, ≤ 250 MB).
3. After approval: turning a window of notices into outbox rows (the drain's pace, each
   balance re-checked), and recording a payment mid-campaign (it stops the pending notice).
4. Through the emulator (``--send`` households, its Bot API limits enforced: 30/s, 1/s a
   chat): a real ``frontline run`` sends an approved campaign at its configured rate; the
   figures are its pace against that rate and the 429s; meanwhile residents of paid-up
   households ask for /fees and the time until the answer reaches them is taken (p50 / p99,
   the goal ≤ 1 s); and a payment recorded while the household's notice still waits — the
   time until that notice is stopped, and whether it reached the resident anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)  # the 1st, at the ladder's preparation hour
BUILDINGS = 50


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def office_for(url: str, moment: datetime | None,  # type: ignore[no-untyped-def]
               ladder: Path | None = None):
    """The office on *url*: its clock stopped at *moment*, or the real one (None)."""
    from handlers.office import Office
    from handlers.office.catalog import load_catalog
    from handlers.office.clock import FakeClock, SystemClock
    from handlers.office.rules import OfficeRules
    from storage.db import make_engine

    return Office(engine=make_engine(url), clock=FakeClock(moment) if moment else SystemClock(),
                  timezone=TZ, catalog=load_catalog(),
                  rules=OfficeRules(fee_ladder_path=ladder) if ladder else OfficeRules())


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
    if office.engine.dialect.name == "postgresql":
        # The planner's statistics, as autovacuum would have gathered them after an import
        # this size (not SQLite: the office never runs ANALYZE there).
        with office.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    office.engine.dispose()
    print(f"  estate of {households:,} households written in "
          f"{time.perf_counter() - started:.1f} s (set-up)")


def backends_of(engine: Engine) -> list[int]:
    """The PostgreSQL backend of each connection *engine* opens from now on (none on SQLite),
    so the server's share of the work can be read off them: the pool keeps them alive."""
    pids: list[int] = []
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _note(dbapi_connection: Any, _record: Any) -> None:
            pids.append(int(dbapi_connection.info.backend_pid))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes *pids* have used so far (Linux ``/proc``; the bench's
    PostgreSQL runs on this machine)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def prepare_in_child(url: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from handlers.fees.campaigns import run_calendar
    from handlers.fees.ledger import ladder_of

    office = office_for(url, START)
    backends = backends_of(office.engine)
    ladder_of(office)  # the ladder file is read once per process anyway
    before = rss_mb()
    started = time.perf_counter()
    counts = run_calendar(office)
    seconds = time.perf_counter() - started
    server = cpu_seconds(backends) if backends else None
    out.put((seconds, server, before, rss_mb(), dict(counts)))


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


# -- 4. through the emulator ----------------------------------------------------------------
INTERACTIVE = 20  # residents of paid-up households asking for /fees during the campaign
ASK_EVERY = 0.25  # seconds between two of their questions (each resident every 5 s)


def through_emulator_estate(url: str, folder: Path, users: list[int], askers: list[int]) -> Path:
    """An estate where each of *users* owes this month's fee and each of *askers* is paid up,
    the month's overdue notice prepared and approved; returns a ladder file that sends at
    any hour (the bench must not depend on the time of day it runs) and lets the bot's own
    calendar prepare nothing but at 23:00 (a notice it prepared would replace this one).

    The paid-up households paid two months, so whatever notice falls due they owe nothing."""
    from handlers.fees import campaigns, ledger
    from handlers.fees.ladder import NoticeDate, Period, pay_by
    from handlers.office.unit_of_work import UnitOfWork
    from storage.db import upgrade
    from storage.fees import FeeBill, FeePayment
    from storage.models import Household, Person, Residence, StaffChat

    ladder_file = folder / "ladder.yaml"
    source = Path(ledger.__file__).with_name("data") / "ladder.yaml"
    ladder_file.write_text(source.read_text(encoding="utf-8").replace(
        "day_start: 9 ", "day_start: 0 ").replace("day_end: 20", "day_end: 24")
        .replace("prepare_hour: 8 ", "prepare_hour: 23 ").replace("catch_up_days: 7",
                                                                   "catch_up_days: 0"),
        encoding="utf-8")
    upgrade(url)
    office = office_for(url, None, ladder_file)
    now = office.clock.now()
    today = now.astimezone(TZ).date()
    month = Period(today.replace(day=1), (today.replace(day=1) + timedelta(days=32))
                   .replace(day=1) - timedelta(days=1))
    everyone = users + askers
    with office.engine.begin() as connection:
        connection.execute(insert(StaffChat.__table__), [  # type: ignore[attr-defined]
            {"chat_id": -1004, "purpose": "managers", "trades": [], "title": "managers",
             "language": "zh_Hans", "active": True}])
        connection.execute(insert(Household.__table__), [  # type: ignore[attr-defined]
            {"building": str(n % 5 + 1), "room": f"{n:05d}", "name": f"业主{n}",
             "phone": f"139{n:08d}", "fee_plan": "monthly", "monthly_fee": "250.00"}
            for n in range(len(everyone))])
        connection.execute(insert(Person.__table__), [  # type: ignore[attr-defined]
            {"telegram_user_id": user, "role": "resident", "name": f"业主{n}", "phone": "",
             "trades": [], "language": "zh_Hans", "blocked_bot": False, "created_at": now}
            for n, user in enumerate(everyone)])
        people = dict(connection.execute(select(
            Person.__table__.c.telegram_user_id,  # type: ignore[attr-defined]
            Person.__table__.c.id)).all())  # type: ignore[attr-defined]
        connection.execute(insert(Residence.__table__), [  # type: ignore[attr-defined]
            {"person_id": people[user], "household_id": n + 1, "bound_at": now,
             "bound_by": "code"} for n, user in enumerate(everyone)])
        connection.execute(insert(FeeBill.__table__), [  # type: ignore[attr-defined]
            {"household_id": n + 1, "period_start": month.start, "period_end": month.end,
             "item": "management", "amount_fen": 25000, "source": "generated",
             "created_at": now, "updated_at": now} for n in range(len(everyone))])
        connection.execute(insert(FeePayment.__table__), [  # type: ignore[attr-defined]
            {"household_id": len(users) + n + 1, "amount_fen": 50000, "paid_on": today,
             "receipt_no": f"P-{n}", "source": "import", "created_at": now}
            for n in range(len(askers))])
    rule = ledger.ladder_of(office).plans["monthly"].overdue
    with UnitOfWork(office) as uow:
        campaign = campaigns.prepare(uow, NoticeDate(today, "monthly", "overdue", month,
                                                     pay_by(today, rule.pay_within)))
        uow.commit()
    assert campaign.id is not None
    campaigns.decide_from_cli(office, campaign.id, "approve")
    office.engine.dispose()
    return ladder_file


async def through_emulator(households: int, framework: str) -> None:
    from sqlmodel import Session, col
    from sqlmodel import select as model_select

    from bot.emulator import RateLimits, start_emulator
    from handlers.fees import ledger
    from storage.fees import FeeNotice
    from storage.models import Household, Outbox
    from tests.e2e.harness import BotProcess, safe_env
    from tests.support.emulator import TEST_TOKEN

    rate = 25.0  # the sender's default (Settings.send_rate_per_second)
    running = await start_emulator(token=TEST_TOKEN, rate_limits=RateLimits())
    emu = running.emulator
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'send.db'}"
        users = [emu.create_user(f"R{n}", started=True).id for n in range(households)]
        askers = [emu.create_user(f"A{n}", started=True).id for n in range(INTERACTIVE)]
        ladder_file = through_emulator_estate(url, folder, users, askers)
        campaign_chats, asker_chats = set(users), set(askers)
        sends: list[float] = []
        arrived: dict[int, list[float]] = {user: [] for user in users}
        answers: dict[int, list[float]] = {user: [] for user in askers}
        subscription = emu.subscribe()

        async def watch() -> None:
            async for event in subscription:
                if event["type"] != "message" or not event["message"]["from_bot"]:
                    continue
                at, chat = time.perf_counter(), event["chat_id"]
                sends.append(at)
                if chat in campaign_chats:
                    arrived[chat].append(at)
                elif chat in asker_chats:
                    answers[chat].append(at)

        watcher = asyncio.create_task(watch())
        bot = BotProcess(safe_env(running.url, FRONTLINE_DATABASE_URL=url,
                                  FRONTLINE_FRAMEWORK=framework,
                                  FRONTLINE_FEE_LADDER_PATH=str(ladder_file)),
                         folder / "bot.log", cwd=folder)
        try:
            await bot.start(within=120)
            waits: list[float] = []
            stopped_in = float("nan")
            paid_notice: int | None = None
            asked = 0
            office = office_for(url, None, ladder_file)
            while sum(1 for user in users if arrived[user]) < households - 1:
                user = askers[asked % len(askers)]
                before = len(answers[user])
                at = time.perf_counter()
                emu.send_text(user, "/fees")
                asked += 1
                await asyncio.sleep(ASK_EVERY)
                if asked == 12:  # 3 s in: a household whose notice still waits pays (its
                    # notice not yet written, or written to the outbox but not yet sent)
                    with Session(office.engine) as session:
                        notice = session.exec(model_select(FeeNotice).where(
                            col(FeeNotice.state).in_(("pending", "sent"))).order_by(
                            col(FeeNotice.id).desc()).limit(1)).first()
                        assert notice is not None
                        household = session.get(Household, notice.household_id)
                        assert household is not None
                    paid_notice = notice.id
                    started = time.perf_counter()
                    result = ledger.record_at_desk(office, household.building, household.room,
                                                   "250.00", receipt_no="BENCH-MID")
                    stopped_in = time.perf_counter() - started
                    assert result.stopped == 1, result
                for _ in range(40):  # each answer is looked for before the next question
                    if len(answers[user]) > before:
                        waits.append(answers[user][before] - at)
                        break
                    await asyncio.sleep(0.05)
            await asyncio.sleep(2)
            with Session(office.engine) as session:
                paid_got_it = session.exec(model_select(Outbox.id).where(
                    Outbox.ref == ledger.notice_ref(paid_notice),
                    Outbox.status == "sent")).first() is not None
            office.engine.dispose()
            await bot.terminate()
        finally:
            bot.cleanup()
            subscription.close()
            await watcher
            await running.stop()
    campaign = sorted(t for user in users for t in arrived[user][:1])
    pace = (len(campaign) - 1) / (campaign[-1] - campaign[0]) if len(campaign) > 1 else 0.0
    # Every send while the campaign ran (its notices, the answers, the receipt) against
    # the sender's one configured rate.
    during = [t for t in sends if campaign and campaign[0] <= t <= campaign[-1]]
    overall = (len(during) - 1) / (during[-1] - during[0]) if len(during) > 1 else 0.0
    waits.sort()
    p50 = statistics.median(waits) if waits else float("nan")
    p99 = waits[max(0, int(len(waits) * 0.99) - 1)] if waits else float("nan")
    print(f"  [{framework}] {len(campaign):,} notices through the emulator (limits enforced): "
          f"{pace:.1f} notices/s, all sends meanwhile {overall:.1f}/s = "
          f"{overall / rate:.0%} of the configured {rate:.0f}/s, "
          f"{emu.stats.too_many_requests} × 429")
    print(f"  [{framework}] /fees asked during the campaign: {len(waits)} of {asked} answered, "
          f"answer reached the resident in p50 {p50 * 1000:.0f} ms / p99 {p99 * 1000:.0f} ms")
    print(f"  [{framework}] a payment while its notice waited: notice stopped in "
          f"{stopped_in * 1000:.0f} ms; the notice reached the resident anyway: "
          f"{'yes' if paid_got_it else 'no'} (they got the receipt only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--postgres", action="store_true",
                        help="a fresh PostgreSQL (pgserver, a dev dependency) instead")
    parser.add_argument("--send", type=int, default=1500,
                        help="households of the campaign sent through the emulator (0: skip)")
    parser.add_argument("--framework", default="aiogram", choices=("aiogram", "ptb"))
    args = parser.parse_args()
    if args.send:
        print(f"Fee campaign through the emulator, {args.send:,} households")
        asyncio.run(through_emulator(args.send, args.framework))
    if not args.households:
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'fees.db'}"
        server = None
        if args.postgres:
            import pgserver

            server = pgserver.get_server(Path(folder) / "pg", cleanup_mode="stop")
            url = str(server.get_uri())
        print(f"Fee campaign, {args.households:,} households on "
              f"{url.split(':', 1)[0]}")
        build(url, args.households)
        context = multiprocessing.get_context("spawn")
        out: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
        child = context.Process(target=prepare_in_child, args=(url, out))
        child.start()
        seconds, backend_cpu, before, peak, counts = out.get()
        child.join()
        backend = (f" (PostgreSQL backend CPU {backend_cpu:.2f} s)" if backend_cpu is not None
                   else "")
        print(f"  preparing the 1st's notices: {seconds:.2f} s{backend}, process RSS "
              f"{before:.0f} MB before, peak {peak:.0f} MB ({counts})")
        after_approval(url)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
