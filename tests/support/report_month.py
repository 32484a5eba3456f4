"""A hand-built month for the service report: November 2026 (and a little of October), every
row written with known timestamps, so each figure of the report can be worked out by hand.

The expected figures are spelled out in ``tests/integration/test_monthly_report.py``, next to
the arithmetic; the rows are here, in the order the office would have written them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.office import Office
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

SHANGHAI = ZoneInfo("Asia/Shanghai")
MANAGERS_CHAT = -1004
NOVEMBER = 202611


def sh(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Month:
    """Ids of what was written, by name."""

    people: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    orders: dict[str, int] = field(default_factory=dict)


class Builder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids = Month()

    def add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row

    def event(self, order: str, action: str, at: datetime, actor: str | None,
              **detail: Any) -> None:
        self.add(EventLog(order_id=self.ids.orders[order], at=at,
                          actor_id=self.ids.people[actor] if actor else None,
                          action=action, detail=detail))

    def order(self, name: str, *, trade: str, unit: str | None, created: datetime,
              kind: str = "repair", emergency: bool = False, status: str,
              assignee: str | None = None, accepted: datetime | None = None,
              on_way: datetime | None = None, done: datetime | None = None,
              confirmed: datetime | None = None, cancelled: datetime | None = None,
              rework_count: int = 0, place: str = "") -> None:
        row = self.add(WorkOrder(
            number=name, kind=kind, status=status, emergency=emergency, trade=trade,
            location="public" if unit is None else "unit",
            household_id=self.ids.units[unit] if unit else None, place=place,
            assignee_id=self.ids.people[assignee] if assignee else None,
            created_at=created, accepted_at=accepted, on_way_at=on_way, done_at=done,
            confirmed_at=confirmed, cancelled_at=cancelled, rework_count=rework_count,
            reporter_id=self.ids.people["wang"]))
        self.ids.orders[name] = row.id
        self.event(name, "created", created, "wang", kind=kind, trade=trade)


def build_month(office: Office) -> Month:
    """Write the month; return the ids."""
    with Session(office.engine) as session:
        b = Builder(session)
        for key, name, role, trades in (
                ("wang", "王芳", "resident", []), ("zhang", "张师傅", "technician", ["plumbing"]),
                ("chen", "陈师傅", "technician", ["electrical"]),
                ("liu", "刘调度", "dispatcher", []), ("huang", "黄经理", "manager", [])):
            b.ids.people[key] = b.add(Person(telegram_user_id=len(b.ids.people) + 100,
                                             role=role, name=name, trades=trades,
                                             created_at=sh(9, 1))).id
        for building, room in (("3", "1202"), ("3", "1203"), ("5", "0101")):
            b.ids.units[f"{building}-{room}"] = b.add(Household(
                building=building, room=room, name="-", phone="1")).id
        b.add(StaffChat(chat_id=MANAGERS_CHAT, purpose="managers", language="zh_Hans",
                        bound_at=sh(9, 1)))
        _october(b)
        _november(b)
        _callbacks(b)
        _desk_and_demand(b)
        _fees(b)
        session.commit()
        return b.ids


def _october(b: Builder) -> None:
    b.order("WO-OCT-1", trade="electrical", unit="3-1202", created=sh(10, 28, 10),
            status="confirmed", assignee="chen", accepted=sh(10, 28, 10, 20),
            done=sh(10, 29, 10), confirmed=sh(10, 30, 10))
    b.event("WO-OCT-1", "accepted", sh(10, 28, 10, 20), "chen")
    b.event("WO-OCT-1", "done", sh(10, 29, 10), "chen")
    b.event("WO-OCT-1", "confirmed", sh(10, 30, 10), "wang")
    b.order("WO-OCT-2", trade="plumbing", unit="5-0101", created=sh(10, 25, 9),
            status="confirmed", assignee="zhang", accepted=sh(10, 25, 9, 5),
            done=sh(10, 26, 9), confirmed=sh(10, 27, 10))
    b.event("WO-OCT-2", "accepted", sh(10, 25, 9, 5), "zhang")
    b.event("WO-OCT-2", "done", sh(10, 26, 9), "zhang")
    b.event("WO-OCT-2", "confirmed", sh(10, 27, 10), "wang")


def _november(b: Builder) -> None:
    # WO1: the model job — accepted in 5 min, done in 2 h.
    b.order("WO1", trade="plumbing", unit="3-1202", created=sh(11, 2, 10), status="confirmed",
            assignee="zhang", accepted=sh(11, 2, 10, 5), on_way=sh(11, 2, 10, 20),
            done=sh(11, 2, 12), confirmed=sh(11, 2, 13))
    b.event("WO1", "accepted", sh(11, 2, 10, 5), "zhang")
    b.event("WO1", "on_way", sh(11, 2, 10, 20), "zhang")
    b.event("WO1", "done", sh(11, 2, 12), "zhang")
    b.event("WO1", "confirmed", sh(11, 2, 13), "wang")
    # WO2: accepted late (30 min), sent back twice, finally done after 48 h.
    b.order("WO2", trade="plumbing", unit="3-1203", created=sh(11, 5, 9), status="confirmed",
            assignee="zhang", accepted=sh(11, 5, 9, 30), done=sh(11, 7, 9),
            confirmed=sh(11, 7, 10), rework_count=2)
    b.event("WO2", "accepted", sh(11, 5, 9, 30), "zhang")
    b.event("WO2", "done", sh(11, 5, 15), "zhang")
    b.event("WO2", "rework_requested", sh(11, 5, 16), "wang", reason="水龙头还在漏水", round=1)
    b.event("WO2", "done", sh(11, 6, 10), "zhang")
    b.event("WO2", "rework_requested", sh(11, 6, 11), "wang", reason="还是漏水，师傅态度差",
            round=2)
    b.event("WO2", "done", sh(11, 7, 9), "zhang")
    b.event("WO2", "confirmed", sh(11, 7, 10), "wang")
    # WO3: an emergency at night, assigned by the dispatcher in 10 min, auto-confirmed.
    b.order("WO3", trade="electrical", unit="5-0101", created=sh(11, 10, 20), emergency=True,
            status="confirmed", assignee="chen", accepted=sh(11, 10, 20, 10),
            done=sh(11, 10, 22), confirmed=sh(11, 12, 22))
    b.event("WO3", "emergency_alerted", sh(11, 10, 20), "wang", hazard="sparks")
    b.event("WO3", "assigned", sh(11, 10, 20, 10), "liu", technician="陈师傅")
    b.event("WO3", "done", sh(11, 10, 22), "chen")
    b.event("WO3", "auto_confirmed", sh(11, 12, 22), None, by="auto")
    # WO4: a paid cleaning, cancelled by the resident before the dispatch deadline.
    b.order("WO4", trade="cleaning", unit="3-1202", kind="service", created=sh(11, 15, 9),
            status="cancelled", cancelled=sh(11, 15, 9, 10))
    b.event("WO4", "cancelled", sh(11, 15, 9, 10), "wang", reason="不需要了")
    # WO5: a public-area leak nobody took all month.
    b.order("WO5", trade="plumbing", unit=None, place="3栋地下车库", created=sh(11, 20, 8),
            status="open")
    # WO6: reported ten minutes before midnight on the 30th, accepted on 1 December.
    b.order("WO6", trade="electrical", unit="3-1203", created=sh(11, 30, 23, 50),
            status="accepted", assignee="chen", accepted=sh(12, 1, 8))
    b.event("WO6", "accepted", sh(12, 1, 8), "chen")
    # WO7: on the way at the month's end.
    b.order("WO7", trade="plumbing", unit="5-0101", created=sh(11, 25, 10), status="on_way",
            assignee="zhang", accepted=sh(11, 25, 10, 10), on_way=sh(11, 25, 10, 30))
    b.event("WO7", "accepted", sh(11, 25, 10, 10), "zhang")
    b.event("WO7", "on_way", sh(11, 25, 10, 30), "zhang")
    # WO8: accepted in 10 min, done in 3 h, its callback went to the phone.
    b.order("WO8", trade="plumbing", unit="3-1203", created=sh(11, 26, 9), status="confirmed",
            assignee="zhang", accepted=sh(11, 26, 9, 10), done=sh(11, 26, 12),
            confirmed=sh(11, 27, 10))
    b.event("WO8", "accepted", sh(11, 26, 9, 10), "zhang")
    b.event("WO8", "done", sh(11, 26, 12), "zhang")
    b.event("WO8", "confirmed", sh(11, 27, 10), "wang")


def _survey(b: Builder, order: str, window: datetime, *, state: str = "done",
            rating: int | None = None, rated: datetime | None = None, via: str = "bot",
            comment: str = "", **extra: Any) -> None:
    b.add(CallbackSurvey(order_id=b.ids.orders[order], state=state, window_start=window,
                         window_end=window + timedelta(days=2), rating=rating,
                         rated_at=rated, rated_via=via if rated else "", comment=comment,
                         created_at=window, **extra))


def _callbacks(b: Builder) -> None:
    _survey(b, "WO-OCT-2", sh(10, 27, 10), rating=5, rated=sh(10, 27, 15))
    _survey(b, "WO-OCT-1", sh(10, 30, 10), rating=4, rated=sh(11, 1, 10))
    _survey(b, "WO1", sh(11, 2, 13), rating=5, rated=sh(11, 2, 15), comment="很满意",
            spot_checked_at=sh(11, 20, 10), spot_checked_by=b.ids.people["huang"])
    _survey(b, "WO2", sh(11, 7, 10), rating=2, rated=sh(11, 8, 10), via="onsite",
            comment="师傅迟到了，态度也不好", onsite_at=sh(11, 8, 10),
            onsite_by=b.ids.people["liu"], corrective_at=sh(11, 8, 10),
            corrected_at=sh(11, 9, 10), corrected_by=b.ids.people["huang"],
            correction_note="已向业主道歉，张师傅重新培训")
    _survey(b, "WO3", sh(11, 12, 22), rating=1, rated=sh(11, 16, 10), via="phone",
            comment="[刘调度] 业主说电工收费太贵", phone_task_at=sh(11, 14, 22),
            corrective_at=sh(11, 16, 10))
    _survey(b, "WO8", sh(11, 27, 10), state="phone", phone_task_at=sh(11, 29, 10))


def _desk_and_demand(b: Builder) -> None:
    for kind, unit, created, due, answered, text, status in (
            ("enquiry", "3-1202", sh(10, 10, 10), sh(10, 11, 10), sh(10, 10, 10, 30),
             "停车卡怎么办", "answered"),
            ("complaint", "3-1202", sh(11, 3, 10), sh(11, 4, 10), sh(11, 3, 12),
             "保安态度差，晚上巡逻不认真", "answered"),
            ("enquiry", "5-0101", sh(11, 12, 9), sh(11, 13, 9), sh(11, 14, 9),
             "快递放哪里", "answered"),
            ("fee", None, sh(11, 28, 10), sh(11, 29, 10), None, "物业费怎么交", "open")):
        b.add(FrontDeskRequest(kind=kind, status=status,
                               household_id=b.ids.units[unit] if unit else None, text=text,
                               created_at=created, due_at=due, answered_at=answered))
    for request, created in (("宠物寄养", sh(10, 5, 10)), ("想预约搬家服务", sh(11, 3, 10)),
                             ("能帮忙搬家吗", sh(11, 9, 10)), ("有没有宠物寄养", sh(11, 21, 10))):
        b.add(UnmetDemand(name="王芳", unit="3-1202", request=request, created_at=created))


def _fees(b: Builder) -> None:
    u = b.ids.units
    b.add(FeeBill(household_id=u["5-0101"], period_start=date(2026, 10, 1),
                  period_end=date(2026, 10, 31), item="management", amount_fen=30000,
                  created_at=sh(9, 15)))
    for unit in ("3-1202", "3-1203"):
        b.add(FeeBill(household_id=u[unit], period_start=date(2026, 11, 1),
                      period_end=date(2026, 11, 30), item="management", amount_fen=30000,
                      created_at=sh(10, 15)))
    b.add(FeePayment(household_id=u["3-1202"], amount_fen=30000, paid_on=date(2026, 11, 5),
                     receipt_no="R-1", created_at=sh(11, 5, 10)))
    b.add(FeePayment(household_id=u["3-1203"], amount_fen=30000, paid_on=date(2026, 12, 2),
                     receipt_no="R-2", created_at=sh(12, 2, 10)))
    for kind, day, units in (("payment", date(2026, 11, 15), ("3-1202", "3-1203")),
                             ("overdue", date(2026, 11, 1), ("5-0101",))):
        campaign = b.add(FeeCampaign(kind=kind, plan="monthly", notice_date=day,
                                     period_start=date(2026, 11, 1),
                                     period_end=date(2026, 11, 30), pay_by=date(2026, 11, 30),
                                     status="done", prepared_at=sh(day.month, day.day)))
        for unit in units:
            b.add(FeeNotice(campaign_id=campaign.id, household_id=u[unit], amount_fen=30000,
                            state="delivered", sent_on=day,
                            sent_at=sh(day.month, day.day, 9), created_at=sh(10, 31)))
