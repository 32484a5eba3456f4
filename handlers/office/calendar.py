"""The office's calendar: daytime hours, calendar days, months. Pure time arithmetic.

Every moment here is timezone-aware; results are in UTC. Days are the office's calendar days:
"2 days" ends at the same wall-clock time two days later, so across a DST change a period is
47 or 49 hours long — what a person at the front desk means by "within two days".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def wall_clock(moment: datetime | None, timezone: ZoneInfo) -> str:
    """'2026-11-22 14:05' in the office's time zone."""
    return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M") if moment else ""


def deadline_clock(moment: datetime | None, timezone: ZoneInfo) -> str:
    """wall_clock for a deadline: one at a midnight reads as the end of the day before,
    '2026-11-23 24:00' (as the office hours write a day's end), so a deadline at the end of
    the day a resident asked for shows that day, not the next."""
    if moment is None:
        return ""
    local = moment.astimezone(timezone)
    if local.strftime("%H:%M") == "00:00":
        return f"{local - timedelta(days=1):%Y-%m-%d} 24:00"
    return wall_clock(moment, timezone)


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
    """Whether *moment* falls inside the daytime hours (local)."""
    return daytime_from(moment, tz, day_start, day_end) == moment


def add_days(moment: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The same local wall-clock time *days* calendar days later, in UTC."""
    local = moment.astimezone(tz)
    return (local + timedelta(days=days)).astimezone(UTC)  # wall-clock arithmetic in tz


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
