"""Late fees and partial payments, checked against a day-by-day oracle written as simply as the
manual reads: each day, add 3 ‰ of what is still owed on the bill at the end of that day.

The oracle never allocates a payment: it pools everything paid up to a day and lets that pool
fill the bills oldest first. The code allocates each payment once and sums constant stretches,
so the two share no arithmetic beyond Decimal itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.fees.late_fee import Charge, LateFeeTerms, Paid, allocate, late_fee
from handlers.fees.money import from_fen, parse_amount, round_money, to_fen
from handlers.fees.statement import compute, growth
from storage.fees import FeeBill, FeePayment, FeeWaiver

MANUAL = LateFeeTerms(Decimal("0.003"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def oracle(bills: list[tuple[date, Decimal]], payments: list[tuple[date, Decimal]],
           as_of: date, terms: LateFeeTerms) -> list[Decimal]:
    """Each bill's late fee as of *as_of*, one day at a time."""
    fees = []
    for index, (start, amount) in enumerate(bills):
        older = sum((a for _, a in bills[:index]), Decimal(0))
        fee = Decimal(0)
        day = start + timedelta(days=terms.grace_days)
        while day < as_of:
            paid_by_then = sum((a for on, a in payments if on <= day), Decimal(0))
            paid_here = min(max(paid_by_then - older, Decimal(0)), amount)
            fee += terms.rate_per_day * (amount - paid_here)
            day += timedelta(days=1)
        if terms.cap_percent is not None:
            fee = min(fee, amount * terms.cap_percent / 100)
        fees.append(fee.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return fees


def bill_rows(bills: list[tuple[date, Decimal]]) -> list[FeeBill]:
    return [FeeBill(id=i + 1, household_id=1, period_start=start,
                    period_end=start + timedelta(days=27), item=f"item{i}",
                    amount_fen=to_fen(amount), created_at=NOW)
            for i, (start, amount) in enumerate(bills)]


def payment_rows(payments: list[tuple[date, Decimal]]) -> list[FeePayment]:
    return [FeePayment(id=i + 1, household_id=1, amount_fen=to_fen(amount), paid_on=on,
                       created_at=NOW) for i, (on, amount) in enumerate(payments)]


# Odd amounts, to the fen; dates over leap years (2024, 2028), month ends and year changes.
amounts = st.integers(min_value=1, max_value=9_999_999).map(from_fen)
days = st.dates(min_value=date(2023, 11, 1), max_value=date(2029, 3, 31))
month_ends = st.builds(lambda y, m: date(y, m, 1) - timedelta(days=1),
                       st.integers(2024, 2028), st.integers(1, 12))
period_starts = st.one_of(days, month_ends, st.builds(lambda y: date(y, 12, 1),
                                                      st.integers(2023, 2028)))
terms = st.builds(LateFeeTerms,
                  st.sampled_from([Decimal("0.003"), Decimal("0.0005"), Decimal("0.01")]),
                  st.sampled_from([0, 0, 3, 15]),
                  st.sampled_from([None, None, Decimal("10"), Decimal("100")]))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]],
                                      date]:
    bills = sorted(draw(st.lists(st.tuples(period_starts, amounts), min_size=1, max_size=4)),
                   key=lambda b: b[0])
    first = bills[0][0]
    payments = draw(st.lists(st.tuples(
        st.dates(min_value=first - timedelta(days=40), max_value=first + timedelta(days=500)),
        amounts), max_size=5))
    as_of = draw(st.dates(min_value=first - timedelta(days=5),
                          max_value=first + timedelta(days=500)))
    return bills, payments, as_of


@settings(max_examples=400, deadline=None)
@given(ledgers(), terms)
@example(([(date(2027, 12, 1), Decimal("1680.00"))], [(date(2028, 1, 5), Decimal("1000.00"))],
          date(2028, 3, 1)), MANUAL)  # Dec → Jan, a leap February
@example(([(date(2028, 2, 29), Decimal("0.01"))], [], date(2028, 3, 1)), MANUAL)
def test_the_statement_matches_the_day_by_day_oracle(
        ledger: tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]], date],
        rule: LateFeeTerms) -> None:
    bills, payments, as_of = ledger
    statement = compute(bill_rows(bills), payment_rows(payments), [], as_of, rule)
    counted = [(on, a) for on, a in payments if on <= as_of]
    assert [line.late_fee for line in statement.lines] == oracle(bills, counted, as_of, rule)
    paid = sum((a for _, a in counted), Decimal(0))
    billed = sum((a for _, a in bills), Decimal(0))
    assert statement.paid + statement.credit == paid  # every fen is somewhere
    assert statement.outstanding == max(billed - paid, Decimal(0))
    for line in statement.lines:
        assert line.late_fee == round_money(line.late_fee) >= 0


@settings(max_examples=200, deadline=None)
@given(ledgers(), terms, st.integers(min_value=1, max_value=40))
def test_the_late_fee_never_shrinks_as_days_pass(
        ledger: tuple[list[tuple[date, Decimal]], list[tuple[date, Decimal]], date],
        rule: LateFeeTerms, later: int) -> None:
    bills, payments, as_of = ledger
    before = compute(bill_rows(bills), payment_rows(payments), [], as_of, rule)
    after = compute(bill_rows(bills), payment_rows(payments), [], as_of + timedelta(days=later),
                    rule)
    # A payment counts from its own day on: days already passed keep their fee.
    for earlier, later_line in zip(before.lines, after.lines, strict=True):
        assert later_line.late_fee >= earlier.late_fee


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=5), st.lists(amounts, max_size=6))
def test_allocation_fills_the_oldest_bill_first_and_keeps_every_fen(
        bills: list[Decimal], payments: list[Decimal]) -> None:
    charges = [Charge(i, date(2027, 1 + i, 1), a) for i, a in enumerate(bills)]
    paid = [Paid(date(2027, 1, 1) + timedelta(days=i), a) for i, a in enumerate(payments)]
    allocation = allocate(charges, paid)
    shares = [allocation.paid(i) for i in range(len(bills))]
    assert sum(shares, Decimal(0)) + allocation.credit == sum(payments, Decimal(0))
    for index, (share, amount) in enumerate(zip(shares, bills, strict=True)):
        assert 0 <= share <= amount
        if share > 0:  # a later bill gets money only once every older one is paid
            assert all(shares[i] == bills[i] for i in range(index))
    if allocation.credit > 0:
        assert shares == bills


# -- the manual's figures, by hand --------------------------------------------------------
def test_a_half_year_unpaid_for_ten_days_costs_3_per_mille_a_day() -> None:
    # 280.00 a month, half a year: 1680.00 from Jul 1; on Jul 11 ten days have passed.
    assert late_fee(Decimal("1680.00"), date(2027, 7, 1), [], date(2027, 7, 11),
                    MANUAL) == Decimal("50.40")


def test_a_partial_payment_lowers_the_fee_from_its_day() -> None:
    # 4 days on 1680.00, then 6 days on 680.00: (6720 + 4080) × 0.003 = 32.40
    assert late_fee(Decimal("1680.00"), date(2027, 7, 1), [Paid(date(2027, 7, 5),
                                                                Decimal("1000.00"))],
                    date(2027, 7, 11), MANUAL) == Decimal("32.40")


def test_paying_on_the_first_day_of_the_period_costs_nothing() -> None:
    paid = [Paid(date(2027, 7, 1), Decimal("1680.00"))]
    assert late_fee(Decimal("1680.00"), date(2027, 7, 1), paid, date(2027, 12, 31),
                    MANUAL) == Decimal("0.00")


def test_rounding_is_half_up_to_the_fen_once_at_the_end() -> None:
    # 15.00 × 0.003 = 0.045 → 0.05 (half up; banker's rounding would give 0.04)
    assert late_fee(Decimal("15.00"), date(2027, 1, 1), [], date(2027, 1, 2),
                    MANUAL) == Decimal("0.05")
    # 1.00 × 0.003 = 0.003 a day: three days are 0.009 → 0.01, not 3 × 0.00
    assert late_fee(Decimal("1.00"), date(2027, 1, 1), [], date(2027, 1, 4),
                    MANUAL) == Decimal("0.01")


def test_grace_days_and_the_cap_are_the_offices_choice() -> None:
    graced = LateFeeTerms(Decimal("0.003"), grace_days=5)
    assert late_fee(Decimal("100.00"), date(2027, 1, 1), [], date(2027, 1, 6),
                    graced) == Decimal("0.00")
    assert late_fee(Decimal("100.00"), date(2027, 1, 1), [], date(2027, 1, 8),
                    graced) == Decimal("0.60")
    capped = LateFeeTerms(Decimal("0.003"), cap_percent=Decimal("10"))
    assert late_fee(Decimal("100.00"), date(2027, 1, 1), [], date(2029, 1, 1),
                    capped) == Decimal("10.00")
    assert late_fee(Decimal("100.00"), date(2027, 1, 1), [], date(2029, 1, 1),
                    MANUAL) == Decimal("219.30")  # uncapped by default: 731 days


def test_a_waiver_lowers_the_fee_shown_and_the_statement_says_when_it_grows() -> None:
    bills = bill_rows([(date(2027, 7, 1), Decimal("1680.00"))])
    waiver = FeeWaiver(id=1, household_id=1, bill_id=1, amount_fen=2000, reason="hospital",
                       at=NOW)
    statement = compute(bills, [], [waiver], date(2027, 7, 11), MANUAL)
    assert statement.lines[0].late_fee == Decimal("30.40")
    assert statement.total_due == Decimal("1710.40")
    grows = growth(statement, MANUAL)
    assert grows is not None and grows.on == date(2027, 7, 12)
    assert grows.per_day == Decimal("5.04")
    upcoming = compute(bills, [], [], date(2027, 6, 1), MANUAL)
    assert growth(upcoming, MANUAL) == type(grows)(date(2027, 7, 2), Decimal("5.04"))
    assert growth(compute(bills, payment_rows([(date(2027, 6, 3), Decimal("1680.00"))]), [],
                          date(2027, 7, 11), MANUAL), MANUAL) is None


@pytest.mark.parametrize(("typed", "amount"), [
    ("280", "280.00"), ("280.5", "280.50"), ("¥1,280.50", "1280.50"), ("45元", "45.00"),
    (" 0.01 ", "0.01"), ("0", None), ("-5", None), ("1.005", None), ("abc", None),
    ("NaN", None), ("1e9", None), ("", None)])
def test_amounts_are_read_to_the_fen_or_refused(typed: str, amount: str | None) -> None:
    parsed = parse_amount(typed)
    assert (str(parsed) if parsed is not None else None) == amount
