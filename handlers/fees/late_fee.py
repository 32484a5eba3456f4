"""Late fees (滞纳金) and the allocation of payments: pure functions of dates and amounts.

The manual (001 第五篇 1.1.2–1.3.3): 3 ‰ of the amount owed per day, counted from the first
day of the unpaid period. Here, precisely:

- A payment pays bills oldest first (by period, then by bill), principal only; money beyond
  every bill's principal is credit (it settles late fees on the statement).
- The principal owed on day *d* is the bill's amount less what was allocated to it by
  payments made on or before *d* — a bill paid on its first day costs nothing.
- The late fee as of date *D* is ``rate × Σ principal(d)`` over the days *d* from the
  period's first day (plus the office's grace days, none by default) up to the day before
  *D*: days that have fully passed. With a cap (none by default: the manual has none) it is
  at most ``cap_percent`` % of the bill's amount. It is rounded half-up to the fen once, at
  the end.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from handlers.fees.money import ZERO, round_money


@dataclass(frozen=True, slots=True)
class LateFeeTerms:
    """The office's late-fee rule (``late_fee`` in the fee ladder)."""

    rate_per_day: Decimal
    grace_days: int = 0
    cap_percent: Decimal | None = None

    def first_day(self, period_start: date) -> date:
        """The first day that costs a late fee."""
        return period_start + timedelta(days=self.grace_days)


@dataclass(frozen=True, slots=True)
class Charge:
    """A bill as the allocation sees it: what it is, when its period starts, how much."""

    key: Hashable
    start: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Paid:
    """Money received on a day."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """Which payments went to which bill (day, amount), and the money left over."""

    parts: dict[Hashable, list[Paid]]
    credit: Decimal

    def paid(self, key: Hashable) -> Decimal:
        return sum((p.amount for p in self.parts.get(key, ())), ZERO)


def allocate(charges: Sequence[Charge], payments: Sequence[Paid]) -> Allocation:
    """Spread *payments* (in date order) over *charges* (in the order given: oldest first)."""
    parts: dict[Hashable, list[Paid]] = {charge.key: [] for charge in charges}
    unpaid = [charge.amount for charge in charges]
    index = 0
    credit = ZERO
    for payment in sorted(payments, key=lambda p: p.on):  # stable: same-day order is kept
        left = payment.amount
        while left > 0 and index < len(charges):
            share = min(left, unpaid[index])
            if share > 0:
                parts[charges[index].key].append(Paid(payment.on, share))
                unpaid[index] -= share
                left -= share
            if unpaid[index] <= 0:
                index += 1
        credit += left
    return Allocation(parts, credit)


def late_fee_exact(amount: Decimal, period_start: date, paid: Sequence[Paid], as_of: date,
                   terms: LateFeeTerms) -> Decimal:
    """The late fee of one bill as of *as_of*, unrounded (capped if the office caps it)."""
    first = terms.first_day(period_start)
    if as_of <= first or amount <= 0:
        return Decimal(0)
    owed = amount - sum((p.amount for p in paid if p.on < first), Decimal(0))
    changes: dict[date, Decimal] = {}
    for p in paid:
        if first <= p.on < as_of:
            changes[p.on] = changes.get(p.on, Decimal(0)) + p.amount
    principal_days = Decimal(0)
    cursor = first
    for day in sorted(changes):
        principal_days += max(owed, Decimal(0)) * (day - cursor).days
        owed -= changes[day]
        cursor = day
    principal_days += max(owed, Decimal(0)) * (as_of - cursor).days
    fee = terms.rate_per_day * principal_days
    if terms.cap_percent is not None:
        fee = min(fee, amount * terms.cap_percent / 100)
    return fee


def late_fee(amount: Decimal, period_start: date, paid: Sequence[Paid], as_of: date,
             terms: LateFeeTerms) -> Decimal:
    """The late fee of one bill as of *as_of*, rounded half-up to the fen."""
    return round_money(late_fee_exact(amount, period_start, paid, as_of, terms))


def owed_on(amount: Decimal, paid: Sequence[Paid], day: date) -> Decimal:
    """The principal of a bill still owed at the end of *day*."""
    return amount - sum((p.amount for p in paid if p.on <= day), Decimal(0))
