"""The demo estate's past: last month and this month so far, as the office's records would
hold them, so ``frontline report`` and the clock's "Next 1st" show a full service report.

The estate itself is set up through the running bot (``seed.py``); six weeks of daily
traffic that way would take minutes, so the past is written as rows — work orders with every
step in ``event_log``, callback surveys with ratings and comments, front-desk requests,
wishes for services we lack — dated from the 1st of last month to the day before yesterday,
by the estate's own technicians, for the households of the roster that no persona lives in.
Every job of the past is closed: nothing is sent, no deadline or job list changes.
The dice are seeded, so every sandbox has the same past.

The fees' past too (``write_fees``): every household's bills from last month to the end of
next month (its plan's periods), all paid ahead — the plans are prepaid (预缴) — except the
few of the estate in arrears, who paid nothing. The ladder's notices of the past count as
sent (they went on paper before the bot), so the next date of the ladder is the first the
bot prepares.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.sandbox.estate import HOUSEHOLDS, PEOPLE
from handlers.fees.ladder import notices_between, period_containing
from handlers.fees.ledger import MANAGEMENT, ladder_of
from handlers.fees.money import to_fen
from handlers.office import Office
from handlers.office.calendar import at_hour, month_key, month_start, shift_month
from storage.fees import FeeBill, FeeCampaign, FeePayment
from storage.followups import CallbackSurvey
from storage.models import EventLog, FrontDeskRequest, Household, Person, UnmetDemand, WorkOrder

PRAISE: Final = ("师傅很专业，谢谢", "来得很快", "很满意", "Quick and tidy, thank you", "", "",
                 "", "修得很好")
GRIPES: Final = ("师傅迟到了一个多小时", "态度不好，说话很冲", "收费太贵了", "修完没有清理现场",
                 "约好的时间没来", "The technician was late and never called back")
TRADE_GRIPES: Final = {"plumbing": ("水龙头还是漏水", "漏水没修好又漏了"),
                       "electrical": ("灯还是一闪一闪的", "插座还是没电"),
                       "lift": ("電梯還是有異響",), "hvac": ("空调修了还是不制冷",),
                       "gas": ("热水器还是打不着火",), "security": ("门禁卡还是刷不开",)}
REWORK: Final = {"plumbing": "还是漏水", "electrical": "灯还是不亮", "lift": "电梯还是有异响",
                 "hvac": "还是不制冷", "gas": "还是打不着火", "security": "门还是关不上"}
DESK: Final = (("complaint", "楼下装修噪音太大，晚上十点还在施工"),
               ("complaint", "保安态度差，不让快递进小区"),
               ("enquiry", "停车月卡怎么续费？"), ("enquiry", "小区游泳池几号开放？"),
               ("fee", "这个月物业费为什么多了二十元？"), ("complaint", "垃圾没有及时清运，很臭"))
WISHES: Final = ("宠物寄养", "想预约搬家服务", "能帮忙洗车吗", "家电清洗", "代收快递",
                 "有没有搬家服务")
TRADES: Final = ("plumbing", "electrical", "gas", "hvac", "lift", "security")


def write_history(office: Office, now: datetime, seed: int = 26) -> int:
    """Write the past from the 1st of last month to two days before *now*; the orders."""
    rng = random.Random(seed)
    tz = office.timezone
    start = month_start(shift_month(month_key(now, tz), -1), tz)
    last_day = (now - timedelta(days=2)).astimezone(tz).date()
    with Session(office.engine) as session:
        people = list(session.exec(select(Person)))
        # Not the units of the personas: their "/my" lists show the tour's requests.
        persona_units = {tuple(p.unit.split("-", 1)) for p in PEOPLE if p.unit}
        units = [h.id for h in session.exec(select(Household).order_by(col(Household.id)))
                 if h.id is not None and (h.building, h.room) not in persona_units]
        technicians: dict[str, list[int]] = defaultdict(list)
        for p in people:
            if p.role == "technician" and p.id is not None:
                for trade in p.trades or []:
                    technicians[trade].append(p.id)
        desk = next((p.id for p in people if p.role == "dispatcher"), None)
        manager = next((p.id for p in people if p.role == "manager"), None)
        trades = [t for t in TRADES if technicians.get(t)]
        if not units or not trades:
            return 0
        writer = _Writer(rng, session)
        day = start.astimezone(tz).date()
        while day <= last_day:
            for n in range(rng.randint(1, 3)):
                trade = rng.choice(trades)
                created = datetime(day.year, day.month, day.day, rng.randint(7, 20),
                                   rng.randint(0, 59), tzinfo=tz)
                writer.order(f"WO-{day:%Y%m%d}-{90 + n:04d}", trade, rng.choice(units),
                             rng.choice(technicians[trade]), desk, manager, created, now)
            if rng.random() < 0.35:
                kind, text = rng.choice(DESK)
                asked = datetime(day.year, day.month, day.day, rng.randint(8, 19), tzinfo=tz)
                answered = asked + timedelta(minutes=rng.choice((20, 90, 240, 1800)))
                writer.rows[FrontDeskRequest].append({
                    "kind": kind, "status": "answered", "household_id": rng.choice(units),
                    "text": text, "created_at": asked, "due_at": asked + timedelta(hours=24),
                    "answered_at": answered})
            if rng.random() < 0.15:
                writer.rows[UnmetDemand].append({
                    "name": "业主", "unit": "", "request": rng.choice(WISHES),
                    "created_at": datetime(day.year, day.month, day.day, 15, tzinfo=tz)})
            day += timedelta(days=1)
        writer.flush()
        session.commit()
        return writer.orders


def write_fees(office: Office, now: datetime) -> None:
    """Bills of the plans' periods from the 1st of last month to the end of next month, paid
    ahead by all but the households in arrears; the ladder's notices up to today marked as
    sent. Written before the bot starts: its fee calendar must find the past in place."""
    ladder, tz = ladder_of(office), office.timezone
    start = month_start(shift_month(month_key(now, tz), -1), tz)
    first, today = start.astimezone(tz).date(), now.astimezone(tz).date()
    until = month_start(shift_month(month_key(now, tz), 2), tz).date() - timedelta(days=1)
    owing = {(h.building, h.room) for h in HOUSEHOLDS if h.in_arrears}
    bills: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    with Session(office.engine) as session:
        for household in session.exec(select(Household).order_by(col(Household.id))):
            if household.id is None or not household.monthly_fee:
                continue
            months = ladder.plans[household.fee_plan].months
            period = period_containing(months, first)
            while period.start <= until:
                fen = to_fen(household.monthly_fee * months)
                bills.append({"household_id": household.id, "period_start": period.start,
                              "period_end": period.end, "item": MANAGEMENT, "amount_fen": fen,
                              "source": "generated", "created_at": start, "updated_at": start})
                if (household.building, household.room) not in owing:
                    paid_on = min(max(period.start - timedelta(days=5), first),
                                  today - timedelta(days=2))
                    payments.append({
                        "household_id": household.id, "amount_fen": fen, "paid_on": paid_on,
                        "receipt_no": f"DEMO-{household.id}-{period.start:%Y%m}",
                        "source": "import", "recorded_by": None,
                        "created_at": at_hour(paid_on, 10, tz)})
                period = period_containing(months, period.end + timedelta(days=1))
        sent = [{"kind": n.kind, "plan": n.plan, "notice_date": n.on,
                 "period_start": n.period.start, "period_end": n.period.end,
                 "pay_by": n.pay_by, "status": "done", "households": 0, "total_fen": 0,
                 "by_building": [], "prepared_at": at_hour(n.on, 8, tz),
                 "finished_at": at_hour(n.on, 8, tz)}
                for n in notices_between(ladder, first - timedelta(days=60), today)]
        for model, rows in ((FeeBill, bills), (FeePayment, payments), (FeeCampaign, sent)):
            if rows:
                session.connection().execute(insert(model), rows)
        session.commit()


class _Writer:
    def __init__(self, rng: random.Random, session: Session) -> None:
        self.rng, self.session = rng, session
        self.rows: dict[type[Any], list[dict[str, Any]]] = defaultdict(list)
        self.orders = 0

    def order(self, number: str, trade: str, household: int, technician: int,
              desk: int | None, manager: int | None, created: datetime, now: datetime) -> None:
        """One closed job (or a cancelled one): nothing of the past is still open, so no
        technician's job list, no deadline and no resident's list changes."""
        reporter = None  # households of the roster who never linked a chat
        rng = self.rng
        fate = rng.random()
        assigned = rng.random() < 0.15 and desk is not None
        accepted = created + timedelta(minutes=rng.choice((3, 6, 9, 12, 14, 18, 25, 40)))
        on_way = accepted + timedelta(minutes=rng.randint(10, 50))
        done = on_way + timedelta(minutes=rng.randint(30, 240))
        rework = rng.random() < 0.08
        if rework:
            done += timedelta(hours=20)
        confirmed = min(done + timedelta(hours=rng.choice((1, 3, 20, 48))),
                        now - timedelta(days=1))
        status = "cancelled" if fate < 0.05 else "confirmed"
        order = WorkOrder(number=number, kind="repair", status=status, trade=trade,
                          emergency=trade == "gas" and rng.random() < 0.2,
                          household_id=household, reporter_id=reporter, created_at=created,
                          assignee_id=None if status == "cancelled" else technician,
                          accepted_at=None if status == "cancelled" else accepted,
                          on_way_at=on_way if status == "confirmed" else None,
                          done_at=done if status == "confirmed" else None,
                          confirmed_at=confirmed if status == "confirmed" else None,
                          cancelled_at=created + timedelta(minutes=5)
                          if status == "cancelled" else None,
                          rework_count=1 if rework and status == "confirmed" else 0,
                          description="（历史记录）", contact_name="业主")
        self.session.add(order)
        self.session.flush()
        self.orders += 1
        events = self.rows[EventLog]

        def event(at: datetime, action: str, actor: int | None, **detail: Any) -> None:
            events.append({"order_id": order.id, "at": at, "actor_id": actor,
                           "action": action, "detail": detail})

        event(created, "created", reporter, kind="repair", trade=trade)
        if status == "cancelled":
            event(created + timedelta(minutes=5), "cancelled", reporter, reason="不需要了")
            return
        if assigned:
            event(accepted, "assigned", desk, technician_id=technician)
        else:
            event(accepted, "accepted", technician)
        if status != "confirmed":
            return
        event(on_way, "on_way", technician)
        if rework:
            first = done - timedelta(hours=20)
            event(first, "done", technician)
            event(first + timedelta(hours=2), "rework_requested", reporter,
                  reason=REWORK.get(trade, "修完第二天又坏了"), round=1)
        event(done, "done", technician)
        event(confirmed, "confirmed", reporter)
        rating = rng.choices((1, 2, 3, 4, 5), (4, 6, 10, 30, 50))[0]
        answered = rng.random() < 0.9
        rated = confirmed + timedelta(hours=rng.randint(2, 30))
        self.rows[CallbackSurvey].append({
            "order_id": order.id, "callback_class": "other",
            "state": "done" if answered else "phone", "window_start": confirmed,
            "window_end": confirmed + timedelta(days=2), "created_at": confirmed,
            "rating": rating if answered else None, "rated_at": rated if answered else None,
            "rated_via": ("onsite" if rng.random() < 0.08 else "bot") if answered else "",
            "comment": rng.choice(GRIPES + TRADE_GRIPES.get(trade, ()) * 2 if rating <= 2
                                  else PRAISE) if answered else "",
            "phone_task_at": None if answered else confirmed + timedelta(days=2),
            "spot_checked_at": rated + timedelta(days=1)
            if answered and manager and rng.random() < 0.05 else None,
            "spot_checked_by": manager})

    def flush(self) -> None:
        for model, rows in self.rows.items():
            if rows:
                if model is CallbackSurvey:
                    for row in rows:
                        if row["rated_via"] == "onsite":
                            row["onsite_at"] = row["rated_at"]
                        row.setdefault("onsite_at", None)
                self.session.connection().execute(insert(model), rows)
            rows.clear()
