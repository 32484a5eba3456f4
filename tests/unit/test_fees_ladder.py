"""The fee ladder's calendar: every notice of every plan across two years (2027, and 2028 with
its 29 February), written out by hand from the manual (001 第五篇), against the ladder file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from handlers.fees.ladder import (
    DEFAULT_LADDER,
    add_months,
    load_ladder,
    next_payment_period,
    notices_between,
    notices_in_year,
    notices_of,
)

D = date


def last_day(year: int, month: int) -> date:
    return add_months(D(year, month, 1), 1) - timedelta(days=1)


def expected(year: int) -> set[tuple[date, str, str, date, date, date]]:
    """(date, plan, kind, period start, period end, pay by) — as the manual says it."""
    y, n = year, year + 1
    rows = {
        # 1.1 semiannual: payment Jun 1 / Dec 1 for the next half-year, a month to pay;
        # overdue Jan 1 / Jul 1, a month; final from the 8th day after it, 5 days.
        (D(y, 6, 1), "semiannual", "payment", D(y, 7, 1), D(y, 12, 31), D(y, 7, 1)),
        (D(y, 12, 1), "semiannual", "payment", D(n, 1, 1), D(n, 6, 30), D(n, 1, 1)),
        (D(y, 1, 1), "semiannual", "overdue", D(y, 1, 1), D(y, 6, 30), D(y, 2, 1)),
        (D(y, 7, 1), "semiannual", "overdue", D(y, 7, 1), D(y, 12, 31), D(y, 8, 1)),
        (D(y, 1, 9), "semiannual", "final", D(y, 1, 1), D(y, 6, 30), D(y, 1, 14)),
        (D(y, 7, 9), "semiannual", "final", D(y, 7, 1), D(y, 12, 31), D(y, 7, 14)),
    }
    # 1.2 quarterly: payment Mar 1 / Jun 1 / Sep 1 / Dec 1 for the next quarter.
    for month, start, end in ((3, D(y, 4, 1), D(y, 6, 30)), (6, D(y, 7, 1), D(y, 9, 30)),
                              (9, D(y, 10, 1), D(y, 12, 31)), (12, D(n, 1, 1), D(n, 3, 31))):
        rows.add((D(y, month, 1), "quarterly", "payment", start, end,
                  add_months(D(y, month, 1), 1)))
    for month in (1, 4, 7, 10):
        start, end = D(y, month, 1), last_day(y, month + 2)
        rows.add((D(y, month, 1), "quarterly", "overdue", start, end, D(y, month + 1, 1)))
        rows.add((D(y, month, 9), "quarterly", "final", start, end, D(y, month, 14)))
    # 1.3 monthly: payment from the 15th for next month; overdue from the 1st, 7 days.
    for month in range(1, 13):
        following = add_months(D(y, month, 1), 1)
        rows.add((D(y, month, 15), "monthly", "payment", following,
                  last_day(following.year, following.month), D(following.year,
                                                               following.month, 15)))
        rows.add((D(y, month, 1), "monthly", "overdue", D(y, month, 1), last_day(y, month),
                  D(y, month, 8)))
        rows.add((D(y, month, 9), "monthly", "final", D(y, month, 1), last_day(y, month),
                  D(y, month, 14)))
    return rows


@pytest.mark.parametrize("year", [2027, 2028])
def test_every_notice_of_every_plan_falls_on_the_manuals_day(year: int) -> None:
    ladder = load_ladder()
    found = {(n.on, n.plan, n.kind, n.period.start, n.period.end, n.pay_by)
             for n in notices_in_year(ladder, year)}
    assert found == expected(year)
    assert len(found) == 6 + 12 + 36


def test_february_of_a_leap_year_is_billed_to_its_29th() -> None:
    february = [n for n in notices_of(load_ladder(), "monthly", 2028)
                if n.kind == "overdue" and n.on.month == 2]
    assert february[0].period.end == D(2028, 2, 29)


def test_notices_between_cross_the_year_and_include_both_ends() -> None:
    found = notices_between(load_ladder(), D(2027, 12, 15), D(2028, 1, 1))
    assert [(n.on, n.plan, n.kind) for n in found] == [
        (D(2027, 12, 15), "monthly", "payment"),
        (D(2028, 1, 1), "monthly", "overdue"),
        (D(2028, 1, 1), "quarterly", "overdue"),
        (D(2028, 1, 1), "semiannual", "overdue")]


def test_paid_work_of_a_closed_month_goes_on_the_next_payment_notice() -> None:
    ladder = load_ladder()
    # November's work closes on Dec 1: the monthly plan's next notice (Dec 15) bills January;
    # the quarterly one's (Dec 1 itself) bills January–March.
    assert next_payment_period(ladder, "monthly", D(2027, 12, 1)).start == D(2028, 1, 1)
    quarterly = next_payment_period(ladder, "quarterly", D(2027, 12, 1))
    assert (quarterly.start, quarterly.end) == (D(2028, 1, 1), D(2028, 3, 31))
    assert next_payment_period(ladder, "semiannual", D(2027, 12, 2)).start == D(2028, 7, 1)


def test_an_office_moves_its_dates_and_rate_in_its_own_file(tmp_path: Path) -> None:
    text = DEFAULT_LADDER.read_text(encoding="utf-8")
    text = text.replace('rate_per_day: "0.003"', 'rate_per_day: "0.0005"')
    text = text.replace("payment: {day: 15,", "payment: {day: 20,")
    own = tmp_path / "ladder.yaml"
    own.write_text(text, encoding="utf-8")
    ladder = load_ladder(own)
    assert ladder.late_fee.per_mille == "0.5"
    monthly = [n.on.day for n in notices_of(ladder, "monthly", 2027) if n.kind == "payment"]
    assert set(monthly) == {20}


@pytest.mark.parametrize(("bad", "good"), [
    ('dates: ["06-01", "12-01"]', 'dates: ["02-29"]'),  # not every year has it
    ("months: 6", "months: 5"),  # does not divide the year
    ("after_overdue_days: 8", "after_overdue_days: 0"),
    ("day_end: 20", "day_end: 8"),  # daytime ending before it starts
])
def test_a_ladder_that_makes_no_sense_is_refused(tmp_path: Path, good: str, bad: str) -> None:
    own = tmp_path / "ladder.yaml"
    own.write_text(DEFAULT_LADDER.read_text(encoding="utf-8").replace(bad, good, 1),
                   encoding="utf-8")
    with pytest.raises(ValidationError):
        load_ladder(own)
