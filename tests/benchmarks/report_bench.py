"""Monthly report benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/report_bench.py [--households 5000] [--orders 20000]
        [--database URL]

An estate of 5,000 households whose reported month (November 2026) has 20,000 work orders —
and the month before another 20,000, since every figure is compared with it — each with its
steps in ``event_log`` (created, accepted, on the way, done, confirmed; one in twelve sent
back for rework), callback surveys with ratings and comments for the confirmed ones, front-
desk requests, wishes for services we lack, and a month of fee bills, payments and notices.
Rows are written with bulk inserts (the benchmark is about the report, not about intake).

Then the report is made the way the 1st's job makes it — figures of both months, causes of
dissatisfaction (jieba.analyse), charts (PNG), workbook (XLSX) and CSV — twice. Loading the
libraries is shown apart: triage and jieba load when any Frontline process starts
(``bot/bootstrap.py``), jieba.analyse and matplotlib at the first report of a process. Wall
and CPU seconds are both printed: on a shared machine the CPU figure is the report's own
cost. The target is ≤ 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert

from dialogs.triage import warm_up
from handlers.monthly_report import causes, charts, export
from handlers.monthly_report.report import build
from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import FakeClock
from storage.db import make_engine, upgrade
from storage.fees import FeeBill, FeeCampaign, FeeNotice, FeePayment
from storage.followups import CallbackSurvey
from storage.models import (
    EventLog,
    FrontDeskRequest,
    Household,
    Person,
    StaffChat,
    UnmetDemand,
    WorkOrder,
)
from tests.benchmarks.runtime.processes import rss_mb

TZ = ZoneInfo("Asia/Shanghai")
REPORTED = 202611
TRADES = ("plumbing", "electrical", "gas", "hvac", "lift", "civil", "security", "greenery",
          "cleaning", "other")
COMPLAINTS = ("师傅迟到了一个多小时", "态度不好，说话很冲", "水龙头还是漏水", "收费太贵了",
              "修完没有清理现场", "约好的时间没来", "漏水没修好又漏了", "電梯還是有異響",
              "空调修了还是不制冷", "门锁换了还是打不开", "The technician was late and rude",
              "灯还是一闪一闪的", "垃圾没有及时清运", "保安态度差")
PRAISE = ("很满意", "师傅很专业", "速度快，谢谢", "", "", "")
WISHES = ("宠物寄养", "搬家服务", "洗车", "家电清洗", "代收快递", "月嫂推荐", "开锁换锁芯")


def table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


@contextmanager
def measured(label: str, store: dict[str, tuple[float, float]] | None = None) -> Iterator[None]:
    """Wall-clock and CPU seconds of a step (CPU shows the cost on a busy machine), and the
    process's RSS after it (what the 1st's report adds to the bot that makes it)."""
    started, cpu = time.perf_counter(), time.process_time()
    yield
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if store is not None:
        store[label] = (seconds, cpu)
    print(f"  {label:<52} {seconds:7.2f} s  (CPU {cpu:5.2f} s)  RSS {rss_mb(os.getpid()):4.0f} MB",
          flush=True)


def at(year: int, month: int, day: int, minute_of_day: int) -> datetime:
    return datetime(year, month, day, tzinfo=TZ) + timedelta(minutes=minute_of_day)


def populate(office: Office, households: int, orders: int, rng: random.Random) -> None:
    engine = office.engine
    with engine.begin() as db:
        db.execute(insert(table(Household)), [
            {"building": str(1 + n // 250), "room": f"{n % 250 + 101:04d}", "name": f"业主{n}",
             "phone": f"139{n:08d}", "fee_plan": "monthly"} for n in range(households)])
        staff = [{"telegram_user_id": 10_000 + n, "role": "technician", "name": f"师傅{n:02d}",
                  "trades": [TRADES[n % len(TRADES)]], "language": "zh_Hans"}
                 for n in range(40)]
        staff += [{"telegram_user_id": 20_000 + n, "role": role, "name": f"{role}{n}",
                   "trades": [], "language": "zh_Hans"}
                  for n, role in enumerate(("dispatcher", "dispatcher", "manager"))]
        db.execute(insert(table(Person)), staff)
        db.execute(insert(table(StaffChat)), [{"chat_id": -1004, "purpose": "managers",
                                               "trades": [], "language": "zh_Hans"}])
    technicians = {t: [n + 1 for n in range(40) if TRADES[n % len(TRADES)] == t]
                   for t in TRADES}
    order_id = 0
    for year, month in ((2026, 10), (2026, 11)):
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        surveys: list[dict[str, Any]] = []
        for n in range(orders):
            order_id += 1
            trade = rng.choice(TRADES)
            created = at(year, month, rng.randint(1, 28), rng.randint(0, 1439))
            accepted = created + timedelta(minutes=rng.expovariate(1 / 12))
            on_way = accepted + timedelta(minutes=rng.randint(5, 60))
            done = on_way + timedelta(minutes=rng.expovariate(1 / 180))
            confirmed = done + timedelta(hours=rng.uniform(0.5, 48))
            fate = rng.random()
            technician = rng.choice(technicians[trade])
            status = ("open" if fate < 0.03 else "cancelled" if fate < 0.06 else
                      "accepted" if fate < 0.1 else "confirmed")
            rework = 1 if rng.random() < 1 / 12 else 0
            rows.append({
                "number": f"WO-{year}{month:02d}-{n:05d}", "kind": "repair" if fate < 0.9
                else "service", "status": status, "emergency": rng.random() < 0.01,
                "trade": trade, "location": "public" if rng.random() < 0.15 else "unit",
                "household_id": rng.randint(1, households), "created_at": created,
                "accepted_at": accepted if status in ("accepted", "confirmed") else None,
                "assignee_id": technician if status in ("accepted", "confirmed") else None,
                "on_way_at": on_way if status == "confirmed" else None,
                "done_at": done if status == "confirmed" else None,
                "confirmed_at": confirmed if status == "confirmed" else None,
                "cancelled_at": created + timedelta(minutes=5) if status == "cancelled"
                else None, "rework_count": rework, "photos": [], "done_photos": []})
            events.append({"order_id": order_id, "at": created, "actor_id": None,
                           "action": "created", "detail": {}})
            if status == "cancelled":
                events.append({"order_id": order_id, "at": created + timedelta(minutes=5),
                               "actor_id": None, "action": "cancelled",
                               "detail": {"reason": "不需要了"}})
                continue
            if status == "open":
                continue
            events.append({"order_id": order_id, "at": accepted, "actor_id": technician,
                           "action": "accepted", "detail": {}})
            if status != "confirmed":
                continue
            events.append({"order_id": order_id, "at": on_way, "actor_id": technician,
                           "action": "on_way", "detail": {}})
            if rework:
                first = done - timedelta(minutes=90)
                events += [{"order_id": order_id, "at": first, "actor_id": technician,
                            "action": "done", "detail": {}},
                           {"order_id": order_id, "at": first + timedelta(minutes=30),
                            "actor_id": None, "action": "rework_requested",
                            "detail": {"reason": rng.choice(COMPLAINTS), "round": 1}}]
            events += [{"order_id": order_id, "at": done, "actor_id": technician,
                        "action": "done", "detail": {}},
                       {"order_id": order_id, "at": confirmed, "actor_id": None,
                        "action": "confirmed", "detail": {}}]
            rated = confirmed + timedelta(hours=rng.uniform(1, 40))
            rating = rng.choices((1, 2, 3, 4, 5), (3, 4, 8, 30, 55))[0]
            answered = rng.random() < 0.9
            surveys.append({
                "order_id": order_id, "callback_class": "other",
                "state": "done" if answered else "phone", "window_start": confirmed,
                "window_end": confirmed + timedelta(days=2), "created_at": confirmed,
                "rating": rating if answered else None, "rated_at": rated if answered else None,
                "rated_via": "bot" if answered else "",
                "comment": rng.choice(COMPLAINTS if rating <= 2 else PRAISE) if answered
                else "", "phone_task_at": None if answered else confirmed + timedelta(days=2),
                "onsite_at": rated if answered and rng.random() < 0.06 else None,
                "spot_checked_at": rated if answered and rng.random() < 0.001 else None})
        with engine.begin() as db:
            for start in range(0, len(rows), 5000):
                db.execute(insert(table(WorkOrder)), rows[start:start + 5000])
            for start in range(0, len(events), 20000):
                db.execute(insert(table(EventLog)), events[start:start + 20000])
            for start in range(0, len(surveys), 5000):
                db.execute(insert(table(CallbackSurvey)), surveys[start:start + 5000])
            db.execute(insert(table(FrontDeskRequest)), [{
                "kind": rng.choice(("complaint", "enquiry", "fee", "other")),
                "status": "answered", "household_id": rng.randint(1, households),
                "text": rng.choice(COMPLAINTS), "created_at": (c := at(year, month,
                                                                        rng.randint(1, 28),
                                                                        rng.randint(0, 1439))),
                "due_at": c + timedelta(hours=24),
                "answered_at": c + timedelta(minutes=rng.expovariate(1 / 300))}
                for _ in range(orders // 10)])
            db.execute(insert(table(UnmetDemand)), [{
                "name": "业主", "unit": f"{rng.randint(1, 20)}-0101",
                "request": f"想问问有没有{rng.choice(WISHES)}",
                "created_at": at(year, month, rng.randint(1, 28), 600)} for _ in range(200)])
            day_one = date(year, month, 1)
            db.execute(insert(table(FeeBill)), [{
                "household_id": h, "period_start": day_one,
                "period_end": day_one + timedelta(days=27), "item": "management",
                "amount_fen": 30000, "source": "generated", "created_at": at(year, month, 1, 0)}
                for h in range(1, households + 1)])
            db.execute(insert(table(FeePayment)), [{
                "household_id": h, "amount_fen": 30000, "paid_on": day_one + timedelta(days=9),
                "receipt_no": f"R{year}{month}-{h}", "source": "import",
                "created_at": at(year, month, 10, 0)}
                for h in range(1, households + 1) if rng.random() < 0.9])
            campaign = db.execute(insert(table(FeeCampaign)).values(
                kind="payment", plan="monthly", notice_date=day_one, period_start=day_one,
                period_end=day_one + timedelta(days=27), pay_by=day_one + timedelta(days=7),
                status="done", households=households, total_fen=households * 30000,
                by_building=[], prepared_at=at(year, month, 1, 0))).inserted_primary_key
            assert campaign is not None
            db.execute(insert(table(FeeNotice)), [{
                "campaign_id": campaign[0], "household_id": h, "amount_fen": 30000,
                "state": "delivered", "sent_on": day_one, "sent_at": at(year, month, 1, 600),
                "created_at": at(year, month, 1, 0)} for h in range(1, households + 1)])


def report_once(office: Office, folder: Path, label: str) -> tuple[float, float]:
    print(f"{label}:")
    times: dict[str, tuple[float, float]] = {}
    with measured("figures of both months + causes (jieba)", times):
        report = build(office, REPORTED)
    with measured(f"{len(charts.CHARTS)} charts (PNG)", times):
        charts.draw_charts(report, folder, "zh_Hans")
    with measured("workbook (XLSX) + CSV", times):
        export.write_workbook(report, folder / "report.xlsx", "zh_Hans")
        export.write_csv(report, folder, "zh_Hans")
    total = sum(wall for wall, _cpu in times.values())
    cpu = sum(cpu for _wall, cpu in times.values())
    m = report.month
    print(f"  {'total':<52} {total:7.2f} s  (CPU {cpu:5.2f} s) — {m.work_orders} work orders, "
          f"{m.front_desk} front-desk requests, {m.ratings.total} ratings, {len(m.voices)} "
          "remarks analysed")
    return total, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=20000, help="work orders per month")
    parser.add_argument("--database", default=None, help="a SQLAlchemy URL (default: SQLite "
                        "in a temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="report-bench-"))
    url = args.database or f"sqlite:///{folder / 'frontline.db'}"
    upgrade(url)
    office = Office(engine=make_engine(url), clock=FakeClock(datetime(2026, 12, 1, 9, 0,
                                                                      tzinfo=TZ)),
                    timezone=TZ, catalog=load_catalog())
    print(f"Estate: {args.households} households, {args.orders} work orders in 2026-11 and "
          f"{args.orders} in 2026-10 ({url.split(':', 1)[0]})")
    with measured("writing the estate (bulk inserts)"):
        populate(office, args.households, args.orders, random.Random(7))
    print("Once per process:")
    with measured("start-up: triage and jieba (bot/bootstrap.py)"):
        warm_up()
    with measured("the report's libraries: jieba.analyse, matplotlib"):
        causes.tools()
        charts.cjk_font("zh_Hans")
    cold, cold_cpu = report_once(office, folder / "cold", "Report of 2026-11, the first")
    warm, warm_cpu = report_once(office, folder / "warm", "Report of 2026-11, again")
    verdict = "within" if cold <= 10 else "OVER"
    load = os.getloadavg()[0]
    print(f"\nReport for {args.households} households / {args.orders} work orders: "
          f"{cold:.2f} s the first time (CPU {cold_cpu:.2f} s), {warm:.2f} s again (CPU "
          f"{warm_cpu:.2f} s)"
          f" — {verdict} the 10 s target. Load average {load:.1f} on {os.cpu_count()} cores.")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
