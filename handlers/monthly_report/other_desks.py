"""The other desks' month: the fee desk's and the complaints desk's (each where its tables
exist), and the residents' wishes for services we lack."""

from __future__ import annotations

import importlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, inspect, select
from sqlmodel import Session

from handlers.monthly_report.satisfaction import Voice
from handlers.monthly_report.service_levels import Clock, judge, tally
from handlers.monthly_report.tables import DEMAND, table
from handlers.office.calendar import shift_month


# -- services we lack (unmet demand) -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Demand:
    """Residents' wishes for a service we do not offer, grouped by what they asked for."""

    service: str
    count: int
    units: int
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnmetDemandRow:
    request: str
    unit: str
    name: str


def unmet_demand_of(session: Session, start: datetime, end: datetime) -> list[UnmetDemandRow]:
    """The wishes recorded in the month, in the order they came."""
    u = DEMAND
    rows = session.execute(select(u.request, u.unit, u.name).where(
        u.created_at >= start, u.created_at < end).order_by(u.id))
    return [UnmetDemandRow(request, unit or "", name or "") for request, unit, name in rows]


# -- complaints (the complaints desk's tables, when they exist) ---------------------------
@dataclass(frozen=True, slots=True)
class Complaints:
    """The complaints desk's month (001 第四篇 4): complaints received, by severity, and
    their clocks — each deadline of each complaint — met, missed or still running at the
    month's end."""

    received: int
    by_severity: dict[str, int]  # major | important | minor | "-" (not graded yet)
    clocks: Clock
    by_duty: dict[str, Clock]  # response | first_step | answer | resolve | verdict


def complaints_of(session: Session, start: datetime,
                  end: datetime) -> tuple[Complaints, list[Voice]] | None:
    """Complaints received in the month and their clocks, seen at the month's end (a clock
    stopped before its deadline counts for neither side); None without the tables."""
    try:  # by name: the complaints desk's tables are optional for this report
        complaint_tables: Any = importlib.import_module("storage.complaints")
    except ImportError:  # the complaints desk is not part of this installation
        return None
    if not inspect(session.get_bind()).has_table("complaint_clock"):
        return None
    c: Any = table(complaint_tables.Complaint).c
    k: Any = table(complaint_tables.ComplaintClock).c
    received = session.execute(select(c.id, c.number, c.severity, c.what, c.about,
                                      c.about_service_centre)
                               .where(c.created_at >= start, c.created_at < end)).all()
    stop = end.timestamp()
    outcomes: dict[str, list[str | None]] = defaultdict(list)
    for duty, state, due, ended in session.execute(
            select(k.kind, k.state, k.due_at, k.ended_at)
            .where(k.started_at >= start, k.started_at < end)):
        deadline = due.timestamp() if due is not None else float("inf")  # paused: running
        finish = ended.timestamp() if ended is not None else None
        outcomes[duty].append(judge(deadline, finish if state == "met" else None, stop,
                                    finish if state == "stopped" else None))
    by_duty = {duty: tally(found) for duty, found in outcomes.items()}
    total = sum(by_duty.values(), Clock())
    # The report goes to the managers' group, where the desk sits: a complaint about the
    # desk is counted, but its words stay with admin/HR (001 §2.2.8).
    voices = [Voice("complaint", " ".join(filter(None, [what.strip(), (about or "").strip()])),
                    None, None, number) for _id, number, _sev, what, about, desk in received
              if what and what.strip() and not desk]
    return Complaints(len(received), dict(Counter(row.severity or "-" for row in received)),
                      total, by_duty), voices


# -- fees (the fee desk's tables, when they exist) ----------------------------------------
@dataclass(frozen=True, slots=True)
class Fees:
    """The fee desk's month (amounts in yuan)."""

    billed: Decimal
    bills: int
    collected: Decimal
    payments: int
    arrears: Decimal  # principal owed at the month's end
    households_in_arrears: int
    notices: dict[str, int]  # campaign kind (payment | overdue | final) → notices sent

    @property
    def notices_sent(self) -> int:
        return sum(self.notices.values())


def fees_of(session: Session, key: int, tz: ZoneInfo) -> Fees | None:
    """The fee desk's month, or None where its tables are not there (an older database)."""
    try:
        from storage import fees as fee_tables
    except ImportError:  # pragma: no cover - the fee desk is part of the product now
        return None
    if not inspect(session.get_bind()).has_table("fee_bill"):
        return None
    first = date(key // 100, key % 100, 1)
    nxt = shift_month(key, 1)
    last = date(nxt // 100, nxt % 100, 1) - timedelta(days=1)
    bill: Table = fee_tables.FeeBill.__table__  # type: ignore[attr-defined]
    pay: Table = fee_tables.FeePayment.__table__  # type: ignore[attr-defined]
    notice: Table = fee_tables.FeeNotice.__table__  # type: ignore[attr-defined]
    campaign: Table = fee_tables.FeeCampaign.__table__  # type: ignore[attr-defined]
    billed, bills = session.execute(
        select(func.coalesce(func.sum(bill.c.amount_fen), 0), func.count())
        .where(bill.c.period_start >= first, bill.c.period_start <= last)).one()
    collected, payments = session.execute(
        select(func.coalesce(func.sum(pay.c.amount_fen), 0), func.count())
        .where(pay.c.paid_on >= first, pay.c.paid_on <= last)).one()
    owed_bills = dict(session.execute(
        select(bill.c.household_id, func.sum(bill.c.amount_fen))
        .where(bill.c.period_start <= last).group_by(bill.c.household_id)).all())
    paid = dict(session.execute(
        select(pay.c.household_id, func.sum(pay.c.amount_fen))
        .where(pay.c.paid_on <= last).group_by(pay.c.household_id)).all())
    owing = [owed - (paid.get(h) or 0) for h, owed in owed_bills.items()
             if owed - (paid.get(h) or 0) > 0]
    notices = dict(session.execute(
        select(campaign.c.kind, func.count()).select_from(
            notice.join(campaign, campaign.c.id == notice.c.campaign_id))
        .where(notice.c.sent_on >= first, notice.c.sent_on <= last)
        .group_by(campaign.c.kind)).all())
    return Fees(billed=_yuan(billed), bills=int(bills), collected=_yuan(collected),
                payments=int(payments), arrears=_yuan(sum(owing)),
                households_in_arrears=len(owing),
                notices={str(k): int(n) for k, n in notices.items()})


def _yuan(fen: int | None) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))
