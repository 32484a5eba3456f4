"""Months as the report names them: ``yyyymm`` keys, "YYYY-MM" labels, their bounds in UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.office.calendar import month_start, shift_month


def month_range(key: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight on the 1st of month *key* and of the month after, in UTC."""
    return month_start(key, tz), month_start(shift_month(key, 1), tz)


def month_label(key: int) -> str:
    return f"{key // 100}-{key % 100:02d}"


def parse_month(text: str) -> int:
    """"2026-11" → 202611; ValueError for anything else."""
    year, _, month = text.strip().partition("-")
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()
            and len(year) == 4 and 1 <= int(month) <= 12):
        raise ValueError(f"a month is written YYYY-MM, got {text!r}")
    return int(year) * 100 + int(month)


def same_moment_a_month_earlier(moment: datetime, tz: ZoneInfo) -> datetime:
    """*moment* one calendar month earlier, local wall clock (31 March → 28/29 February)."""
    local = moment.astimezone(tz)
    key = shift_month(local.year * 100 + local.month, -1)
    year, month = key // 100, key % 100
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return local.replace(year=year, month=month, day=min(local.day, last_day))
