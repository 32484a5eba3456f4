"""A household's statement as of a day: bills with principal, paid and late fee, the total due
and when it grows. One function computes it for the resident's chat, the staff's CLI and every
notice, so all of them show the same figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from handlers.fees.late_fee import Charge, LateFeeTerms, Paid, allocate, late_fee
from handlers.fees.money import ZERO, from_fen, round_money, yuan
from storage.fees import FeeBill, FeePayment, FeeWaiver
from storage.models import WorkOrder


@dataclass(frozen=True, slots=True)
class BillLine:
    """One bill on the statement."""

    bill_id: int
    period_start: date
    period_end: date
    item: str
    work_order: str | None  # the paid work order's number, for service lines
    principal: Decimal
    paid: Decimal
    late_fee: Decimal  # after waivers
    waived: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.principal - self.paid

    def as_dict(self) -> dict[str, Any]:
        return {"bill_id": self.bill_id, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "item": self.item,
                "work_order": self.work_order, "principal": yuan(self.principal),
                "paid": yuan(self.paid), "late_fee": yuan(self.late_fee),
                "waived": yuan(self.waived), "outstanding": yuan(self.outstanding)}


@dataclass(frozen=True, slots=True)
class Statement:
    """Everything a household owes as of a day."""

    as_of: date
    lines: tuple[BillLine, ...]
    credit: Decimal  # paid beyond every bill's principal

    @property
    def principal(self) -> Decimal:
        return sum((line.principal for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((line.outstanding for line in self.lines), ZERO)

    @property
    def late_fee(self) -> Decimal:
        return sum((line.late_fee for line in self.lines), ZERO)

    @property
    def total_due(self) -> Decimal:
        return max(ZERO, self.outstanding + self.late_fee - self.credit)

    @property
    def credit_left(self) -> Decimal:
        """The credit beyond everything due, late fees included: money paid twice or ahead of
        any bill, kept towards the next bills."""
        return max(ZERO, self.credit - self.outstanding - self.late_fee)

    def owed_through(self, day: date) -> Decimal:
        """Principal still owed on bills whose period starts on or before *day*."""
        return sum((line.outstanding for line in self.lines if line.period_start <= day), ZERO)

    def due_through(self, day: date) -> Decimal:
        """What is still due — principal and late fee — for the periods starting on or before
        *day*: a household that paid a period's principal but not its late fee still owes for
        it (001 第五篇 1.1.3–1.3.3). Money paid beyond them counts against their late fee first
        (the allocation puts it on a later bill's principal, or in credit)."""
        later = sum((line.principal + line.late_fee for line in self.lines
                     if line.period_start > day), ZERO)
        return max(ZERO, self.total_due - later)

    def open_lines(self) -> tuple[BillLine, ...]:
        return tuple(line for line in self.lines if line.outstanding > 0 or line.late_fee > 0)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "bills": [b.as_dict() for b in self.lines],
                "principal": yuan(self.principal), "paid": yuan(self.paid),
                "outstanding": yuan(self.outstanding), "late_fee": yuan(self.late_fee),
                "credit": yuan(self.credit), "total_due": yuan(self.total_due)}


@dataclass(frozen=True, slots=True)
class Growth:
    """When the total due next grows, and by how much a day from then."""

    on: date
    per_day: Decimal


def compute(bills: Sequence[FeeBill], payments: Sequence[FeePayment],
            waivers: Sequence[FeeWaiver], as_of: date, terms: LateFeeTerms,
            numbers: dict[int, str] | None = None) -> Statement:
    """The statement of one household from its rows: payments made after *as_of* do not count
    yet; every bill issued counts (a payment notice lists the coming period's bill)."""
    ordered = sorted(bills, key=lambda b: (b.period_start, b.period_end, b.id or 0))
    charges = [Charge(b.id, b.period_start, from_fen(b.amount_fen)) for b in ordered]
    received = [Paid(p.paid_on, from_fen(p.amount_fen))
                for p in sorted(payments, key=lambda p: (p.paid_on, p.id or 0))
                if p.paid_on <= as_of and p.amount_fen > 0]
    allocation = allocate(charges, received)
    waived: dict[int, Decimal] = {}
    for waiver in waivers:
        waived[waiver.bill_id] = waived.get(waiver.bill_id, ZERO) + from_fen(waiver.amount_fen)
    lines = []
    for bill, charge in zip(ordered, charges, strict=True):
        assert bill.id is not None
        fee = late_fee(charge.amount, bill.period_start, allocation.parts[bill.id], as_of, terms)
        off = min(fee, waived.get(bill.id, ZERO))
        lines.append(BillLine(bill.id, bill.period_start, bill.period_end, bill.item,
                              (numbers or {}).get(bill.work_order_id or 0), charge.amount,
                              allocation.paid(bill.id), fee - off, off))
    return Statement(as_of, tuple(lines), allocation.credit)


def growth(statement: Statement, terms: LateFeeTerms) -> Growth | None:
    """The next day the total due is larger, and the late fee a day from then; None when no
    unpaid bill will ever cost a late fee (or every one has reached the cap)."""
    accruing: dict[date, Decimal] = {}
    for line in statement.lines:
        if line.outstanding <= 0:
            continue
        if terms.cap_percent is not None and line.late_fee + line.waived >= round_money(
                line.principal * terms.cap_percent / 100):
            continue
        # The fee of a day shows from the next day (days that have fully passed).
        starts = max(terms.first_day(line.period_start), statement.as_of) + timedelta(days=1)
        accruing[starts] = accruing.get(starts, ZERO) + line.outstanding
    if not accruing:
        return None
    first = min(accruing)
    owed = sum((amount for on, amount in accruing.items() if on == first), ZERO)
    return Growth(first, round_money(owed * terms.rate_per_day))


def load_many(session: Session, household_ids: Collection[int], as_of: date,
              terms: LateFeeTerms) -> dict[int, Statement]:
    """:func:`load` for many households at once (a batch of notices): four queries in all."""
    wanted = list(household_ids)
    if not wanted:
        return {}
    bills: dict[int, list[FeeBill]] = defaultdict(list)
    payments: dict[int, list[FeePayment]] = defaultdict(list)
    waivers: dict[int, list[FeeWaiver]] = defaultdict(list)
    for bill in session.exec(select(FeeBill).where(col(FeeBill.household_id).in_(wanted))):
        bills[bill.household_id].append(bill)
    for payment in session.exec(select(FeePayment).where(
            col(FeePayment.household_id).in_(wanted))):
        payments[payment.household_id].append(payment)
    for waiver in session.exec(select(FeeWaiver).where(
            col(FeeWaiver.household_id).in_(wanted))):
        waivers[waiver.household_id].append(waiver)
    order_ids = [b.work_order_id for rows in bills.values() for b in rows
                 if b.work_order_id is not None]
    numbers: dict[int, str] = {}
    if order_ids:
        numbers = {i: n for i, n in session.exec(select(WorkOrder.id, WorkOrder.number).where(
            col(WorkOrder.id).in_(order_ids))) if i is not None}
    return {h: compute(bills[h], payments[h], waivers[h], as_of, terms, numbers)
            for h in wanted}


def load(session: Session, household_id: int, as_of: date, terms: LateFeeTerms) -> Statement:
    """The household's statement as of *as_of*, from the database."""
    bills = session.exec(select(FeeBill).where(FeeBill.household_id == household_id)).all()
    payments = session.exec(select(FeePayment).where(
        FeePayment.household_id == household_id)).all()
    waivers = session.exec(select(FeeWaiver).where(
        FeeWaiver.household_id == household_id)).all()
    order_ids = [b.work_order_id for b in bills if b.work_order_id is not None]
    numbers: dict[int, str] = {}
    if order_ids:
        numbers = {i: n for i, n in session.exec(select(WorkOrder.id, WorkOrder.number).where(
            col(WorkOrder.id).in_(order_ids))) if i is not None}
    return compute(bills, payments, waivers, as_of, terms, numbers)

