"""Callback windows and daytime hours: pure time arithmetic, no database, no clock.

Every moment here is timezone-aware; results are in UTC. Days are the office's calendar days:
"2 days" ends at the same wall-clock time two days later, so across a DST change a window is
47 or 49 hours long — what a person at the front desk means by "within two days".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

CALLBACK_CLASSES: Final = ("safety", "leak", "other")
# 001 第四篇 2(3)④: safety facilities within 2 days; leaks 3 days after the leak test; others 2.
DEFAULT_WINDOWS: Final[Mapping[str, int]] = MappingProxyType(
    {"safety": 2, "leak": 3, "other": 2})


@dataclass(frozen=True, slots=True)
class SurveyRules:
    """When callback surveys may be pushed (the office's settings, SPEC defaults).

    A window opens when the order is confirmed — the resident's signature or the automatic
    confirmation — so an order confirmed late still gets its full window; for leaks the
    technician's done report comes after the leak test, hence "3 days after the leak test".
    """

    window_days: Mapping[str, int] = field(default_factory=lambda: DEFAULT_WINDOWS)
    # Not on top of the "confirmed" message: an hour later the resident has seen the fix hold,
    # and a confirmation late in the day moves the survey to the next morning.
    delay: timedelta = timedelta(hours=1)
    day_start: int = 9  # local hour, inclusive
    day_end: int = 20  # local hour, exclusive (24 = midnight)

    def __post_init__(self) -> None:
        if not 0 <= self.day_start < self.day_end <= 24:
            raise ValueError(f"daytime hours must satisfy 0 <= start < end <= 24, got "
                             f"{self.day_start}–{self.day_end}")


def callback_class(stored: str | None, trade: str) -> str:
    """The order's callback class: triage's guess, else what its trade implies."""
    if stored in CALLBACK_CLASSES and stored != "other":
        return stored
    return "safety" if trade == "security" else "other"  # fire/security equipment (SPEC)


def at_hour(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """*hour*:00 local on *day*, in UTC. Hour 24 is the next midnight.

    A wall time inside a DST gap (02:30 on a spring-forward night) resolves to the first
    moment that exists after it, which is what "from 02:00" means on such a day.
    """
    if hour == 24:
        day, hour = day + timedelta(days=1), 0
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)


def daytime_from(moment: datetime, tz: ZoneInfo, day_start: int, day_end: int) -> datetime:
    """The earliest moment ≥ *moment* inside daytime hours (local), in UTC."""
    local_day = moment.astimezone(tz).date()
    # Today's hours, or tomorrow's; the day after covers a moment just past midnight UTC
    # whose local date is still "today" in a far-west zone.
    for offset in range(3):
        day = local_day + timedelta(days=offset)
        if moment < at_hour(day, day_end, tz):
            return max(moment.astimezone(UTC), at_hour(day, day_start, tz))
    raise AssertionError("unreachable: a daytime period starts within two days")


def is_daytime(moment: datetime, tz: ZoneInfo, day_start: int, day_end: int) -> bool:
    return daytime_from(moment, tz, day_start, day_end) == moment


def push_moment(due: datetime, window_end: datetime, tz: ZoneInfo, day_start: int,
                day_end: int) -> datetime | None:
    """When to push a survey due at *due*: the first daytime moment before the window closes.

    None if the window closes first — the survey then becomes a phone-callback task.
    """
    moment = daytime_from(due, tz, day_start, day_end)
    return moment if moment < window_end else None


def add_days(moment: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time *days* calendar days later, in UTC."""
    local = moment.astimezone(tz)
    return (local + timedelta(days=days)).astimezone(UTC)  # wall-clock arithmetic in tz


@dataclass(frozen=True, slots=True)
class Window:
    """A survey's window and the moment it should be pushed (None: no daytime left in it)."""

    start: datetime
    end: datetime
    push: datetime | None


def survey_window(anchor: datetime, klass: str, tz: ZoneInfo, rules: SurveyRules,
                  now: datetime | None = None) -> Window:
    """The window opened at *anchor* (the order's confirmation) for a callback of *klass*.

    The push is ``delay`` after the anchor (or *now*, if later), clamped into daytime hours.
    """
    days = rules.window_days.get(klass, rules.window_days["other"])
    start = anchor.astimezone(UTC)
    end = add_days(anchor, days, tz)
    due = start + rules.delay
    if now is not None and now > due:
        due = now
    return Window(start, end, push_moment(due, end, tz, rules.day_start, rules.day_end))


def month_key(moment: datetime, tz: ZoneInfo) -> int:
    """The local month of *moment* as yyyymm (e.g. 202611)."""
    local = moment.astimezone(tz)
    return local.year * 100 + local.month


def month_start(key: int, tz: ZoneInfo) -> datetime:
    """Local midnight on the 1st of month *key* (yyyymm), in UTC."""
    return at_hour(date(key // 100, key % 100, 1), 0, tz)


def shift_month(key: int, months: int) -> int:
    """Month *key* moved by *months* (negative for earlier)."""
    index = (key // 100) * 12 + (key % 100 - 1) + months
    return (index // 12) * 100 + index % 12 + 1
