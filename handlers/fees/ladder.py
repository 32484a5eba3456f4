"""The fee ladder as data: payment, overdue and final notices per plan, the late fee, sending.

The defaults are ``handlers/fees/data/ladder.yaml`` (the manual's numbers, 001 第五篇); an office
names its own copy in the ``fee_ladder_path`` rule (``FRONTLINE_FEE_LADDER_PATH``). Everything
here is pure date arithmetic on the ladder: which notice goes out on which day, for which
period, and by when it asks to be paid.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.fees.late_fee import LateFeeTerms

DEFAULT_LADDER: Final = Path(__file__).parent / "data" / "ladder.yaml"
PLANS: Final = ("semiannual", "quarterly", "monthly")
NoticeKind = Literal["payment", "overdue", "final"]
KINDS: Final[tuple[NoticeKind, ...]] = ("payment", "overdue", "final")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PayWithin(_Strict):
    """How long a notice gives to pay: months and/or days after its date."""

    months: int = Field(default=0, ge=0, le=12)
    days: int = Field(default=0, ge=0, le=366)

    @model_validator(mode="after")
    def _some_time(self) -> PayWithin:
        if self.months == 0 and self.days == 0:
            raise ValueError("pay_within needs months or days")
        return self


class NoticeRule(_Strict):
    """When a notice goes out: ``dates`` ("MM-DD", every year) or ``day`` of every month."""

    dates: tuple[str, ...] = ()
    day: int | None = Field(default=None, ge=1, le=28)
    pay_within: PayWithin

    @field_validator("dates")
    @classmethod
    def _dates_exist_every_year(cls, dates: tuple[str, ...]) -> tuple[str, ...]:
        for text in dates:
            try:
                month, day = (int(part) for part in text.split("-"))
                date(2027, month, day)  # not a leap year: 02-29 would skip years
            except ValueError:
                raise ValueError(f"{text!r} is not an MM-DD date that exists every year"
                                 ) from None
        return tuple(sorted(dates))

    @model_validator(mode="after")
    def _dates_or_day(self) -> NoticeRule:
        if bool(self.dates) == (self.day is not None):
            raise ValueError("give either dates (MM-DD) or day (of every month)")
        return self

    def days_in(self, year: int) -> list[date]:
        """This notice's dates in *year*."""
        if self.day is not None:
            return [date(year, month, self.day) for month in range(1, 13)]
        return [date(year, *(int(part) for part in text.split("-"))) for text in self.dates]


class PlanRule(_Strict):
    """One plan: the length of its period and its two dated notices."""

    months: int
    payment: NoticeRule
    overdue: NoticeRule

    @field_validator("months")
    @classmethod
    def _divides_the_year(cls, months: int) -> int:
        if months not in (1, 2, 3, 4, 6, 12):
            raise ValueError("months must divide the year: 1, 2, 3, 4, 6 or 12")
        return months


class LateFeeRule(_Strict):
    rate_per_day: Decimal = Field(default=Decimal("0.003"), gt=0, lt=1)
    grace_days: int = Field(default=0, ge=0, le=365)
    cap_percent: Decimal | None = Field(default=None, gt=0)

    @property
    def terms(self) -> LateFeeTerms:
        return LateFeeTerms(self.rate_per_day, self.grace_days, self.cap_percent)

    @property
    def per_mille(self) -> str:
        """The rate as people read it: ``3`` (‰)."""
        return f"{(self.rate_per_day * 1000).normalize():f}"


class FinalRule(_Strict):
    after_overdue_days: int = Field(default=8, ge=1, le=90)
    pay_within_days: int = Field(default=5, ge=1, le=90)


class FollowUpRule(_Strict):
    letter_after_months: int = Field(default=3, ge=1, le=24)


class SendingRule(_Strict):
    prepare_hour: int = Field(default=8, ge=0, le=23)
    day_start: int = Field(default=9, ge=0, le=23)
    day_end: int = Field(default=20, ge=1, le=24)
    auto_approve: bool = False
    catch_up_days: int = Field(default=7, ge=0, le=60)
    queue_window: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def _daytime(self) -> SendingRule:
        if not self.day_start < self.day_end:
            raise ValueError("sending.day_start must come before day_end")
        return self


class Ladder(_Strict):
    """The whole fee ladder of the office."""

    late_fee: LateFeeRule = Field(default_factory=LateFeeRule)
    final_notice: FinalRule = Field(default_factory=FinalRule)
    follow_up: FollowUpRule = Field(default_factory=FollowUpRule)
    sending: SendingRule = Field(default_factory=SendingRule)
    plans: dict[str, PlanRule]

    @field_validator("plans")
    @classmethod
    def _every_plan(cls, plans: dict[str, PlanRule]) -> dict[str, PlanRule]:
        missing = [plan for plan in PLANS if plan not in plans]
        unknown = [plan for plan in plans if plan not in PLANS]
        if missing or unknown:
            raise ValueError(f"plans must be exactly {', '.join(PLANS)}")
        return plans


@cache
def _load(path: Path, mtime: float) -> Ladder:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Ladder.model_validate(data)


_RECHECK_SECONDS: Final = 5.0
_checked: dict[Path | None, tuple[float, Ladder]] = {}


def load_ladder(path: Path | None = None) -> Ladder:
    """The ladder in *path* (default: the manual's), read once per version of the file; the
    file is looked at again at most every few seconds (a batch of notices asks often)."""
    now = time.monotonic()
    cached = _checked.get(path)
    if cached is not None and now - cached[0] < _RECHECK_SECONDS:
        return cached[1]
    file = path or DEFAULT_LADDER
    if not file.is_file():
        raise FileNotFoundError(f"the fee ladder {file} does not exist")
    ladder = _load(file.resolve(), file.stat().st_mtime)
    _checked[path] = (now, ladder)
    return ladder


# -- periods and dates --------------------------------------------------------------------
@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A billing period, both days included."""

    start: date
    end: date

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


def add_months(day: date, months: int) -> date:
    """The same day *months* later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_containing(months: int, day: date) -> Period:
    """The period of a plan of *months* months that *day* falls in."""
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return Period(start, add_months(start, months) - timedelta(days=1))


def period_from(months: int, day: date) -> Period:
    """The first period of a plan of *months* months starting on or after *day*."""
    current = period_containing(months, day)
    if current.start == day:
        return current
    return period_containing(months, current.end + timedelta(days=1))


def pay_by(day: date, within: PayWithin) -> date:
    return add_months(day, within.months) + timedelta(days=within.days)


@dataclass(frozen=True, slots=True, order=True)
class NoticeDate:
    """One notice of the ladder: its date, plan and kind, its period and its pay-by date."""

    on: date
    plan: str
    kind: NoticeKind
    period: Period
    pay_by: date


def notices_of(ladder: Ladder, plan: str, year: int) -> list[NoticeDate]:
    """Every notice of *plan* dated in *year* (finals of last December's overdue notices too)."""
    rule = ladder.plans[plan]
    found: list[NoticeDate] = []
    for on in rule.payment.days_in(year):
        found.append(NoticeDate(on, plan, "payment", period_from(rule.months, on),
                                pay_by(on, rule.payment.pay_within)))
    final = ladder.final_notice
    for overdue_year in (year - 1, year):
        for on in rule.overdue.days_in(overdue_year):
            period = period_containing(rule.months, on)
            if on.year == year:
                found.append(NoticeDate(on, plan, "overdue", period,
                                        pay_by(on, rule.overdue.pay_within)))
            final_on = on + timedelta(days=final.after_overdue_days)
            if final_on.year == year:
                found.append(NoticeDate(final_on, plan, "final", period,
                                        final_on + timedelta(days=final.pay_within_days)))
    return sorted(found)


def notices_in_year(ladder: Ladder, year: int) -> list[NoticeDate]:
    """Every notice of every plan dated in *year*, in date order."""
    return sorted(n for plan in PLANS for n in notices_of(ladder, plan, year))


def notices_between(ladder: Ladder, first: date, last: date) -> list[NoticeDate]:
    """Every notice dated from *first* to *last*, both included."""
    return [n for year in range(first.year, last.year + 1)
            for n in notices_in_year(ladder, year) if first <= n.on <= last]


def next_payment_period(ladder: Ladder, plan: str, after: date) -> Period:
    """The period of the plan's first payment notice dated on or after *after*: where paid
    work of a closed month is billed (its next notice)."""
    for year in (after.year, after.year + 1):
        for notice in notices_of(ladder, plan, year):
            if notice.kind == "payment" and notice.on >= after:
                return notice.period
    raise AssertionError("a plan has a payment notice every year")


def overdue_notice_for(ladder: Ladder, plan: str, final: NoticeDate) -> date:
    """The date of the overdue notice a final notice follows."""
    return final.on - timedelta(days=ladder.final_notice.after_overdue_days)
