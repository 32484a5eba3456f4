"""The office's opening hours: when the front desk is open, and time counted in open hours.

A clock the manuals give in hours ("within 1 hour of receiving it") counts only the time the
desk is open: opening periods per weekday (the gap between two is the lunch break), public
holidays closed, make-up working days (调休) open with Monday's hours. The office owns the
YAML (``handlers/office/data/office_calendar.yaml`` is the shipped default). Pure arithmetic:
moments are timezone-aware, results are UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

DEFAULT_PATH = Path(__file__).parent / "data" / "office_calendar.yaml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIOD = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")
# No office is closed this long; a search that finds no open hour within it is a broken file.
SEARCH_DAYS = 400

Period = tuple[time, time]


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Opening periods per weekday (0 = Monday), holidays, make-up working days."""

    weekly: tuple[tuple[Period, ...], ...]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("opening hours need all seven weekdays")
        if not any(self.weekly):
            raise ValueError("the office is never open: give at least one opening period")
        if self.holidays & self.workdays:
            raise ValueError("a day cannot be a holiday and a make-up working day")

    # -- days -----------------------------------------------------------------------------
    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The day's opening periods (none on a holiday; Monday's on a make-up working day)."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.weekly[0]
        return self.weekly[day.weekday()]

    def is_open_day(self, day: date) -> bool:
        return bool(self.periods_on(day))

    def _spans(self, start: datetime, tz: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
        """Opening spans (UTC) that end after *start*, in order."""
        first = start.astimezone(tz).date()
        for offset in range(SEARCH_DAYS):
            day = first + timedelta(days=offset)
            for opens, closes in self.periods_on(day):
                begin, end = _at(day, opens, tz), _at(day, closes, tz)
                if end > start:
                    yield max(begin, start.astimezone(UTC)), end
        raise ValueError(f"the office calendar has no open hour within {SEARCH_DAYS} days "
                         f"of {start:%Y-%m-%d}")

    # -- open time ------------------------------------------------------------------------
    def is_open(self, moment: datetime, tz: ZoneInfo) -> bool:
        """Whether the desk is open at *moment*."""
        begin, _ = next(self._spans(moment, tz))
        return begin == moment.astimezone(UTC)

    def next_open(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """*moment* if the desk is open then, else the next opening."""
        return next(self._spans(moment, tz))[0]

    def add(self, start: datetime, seconds: float, tz: ZoneInfo) -> datetime:
        """The moment *seconds* of open time after *start* (0 → the next open moment)."""
        left = max(seconds, 0.0)
        for begin, end in self._spans(start, tz):
            span = (end - begin).total_seconds()
            if left <= span:
                return begin + timedelta(seconds=left)
            left -= span
        raise AssertionError("unreachable: _spans raises when it runs out")

    def between(self, start: datetime, end: datetime, tz: ZoneInfo) -> float:
        """Seconds the desk is open from *start* to *end* (0 when end ≤ start)."""
        if end <= start:
            return 0.0
        total = 0.0
        for begin, finish in self._spans(start, tz):
            if begin >= end:
                break
            total += (min(finish, end) - begin).total_seconds()
        return total

    def close_of_day(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """Closing time of the office day *moment* falls in: today's last closing if the desk
        is still to be open today, else the next open day's ("the same day" of the manual)."""
        first = moment.astimezone(tz).date()
        for offset in range(SEARCH_DAYS):
            day = first + timedelta(days=offset)
            periods = self.periods_on(day)
            if periods and _at(day, periods[-1][1], tz) > moment:
                return _at(day, periods[-1][1], tz)
        raise ValueError(f"the office calendar has no open day within {SEARCH_DAYS} days")

    def weekly_hours(self) -> list[tuple[list[str], list[str]]]:
        """Runs of weekdays with the same hours, e.g. (["mon", "fri"], ["08:30–12:00", …]);
        the reader's language joins the periods (``locales.listed``)."""
        runs: list[tuple[list[str], list[str]]] = []
        for index, periods in enumerate(self.weekly):
            shown = [f"{a:%H:%M}–{_clock(b)}" for a, b in periods]
            if runs and runs[-1][1] == shown:
                runs[-1][0][1:] = [WEEKDAYS[index]]
            else:
                runs.append(([WEEKDAYS[index]], shown))
        return [(days, shown) for days, shown in runs if shown]


def _clock(value: time) -> str:
    return "24:00" if value == time.max else f"{value:%H:%M}"


def _at(day: date, value: time, tz: ZoneInfo) -> datetime:
    if value == time.max:  # "24:00": the next midnight
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return datetime.combine(day, value, tzinfo=tz).astimezone(UTC)


def _period(text: str, where: str) -> Period:
    found = PERIOD.match(str(text).strip())
    if found is None:
        raise ValueError(f"office calendar: {where}: {text!r} is not like 08:30-12:00")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h2 == 24 and m2:
        raise ValueError(f"office calendar: {where}: {text!r} ends after 24:00")
    opens, closes = time(h1, m1), time.max if h2 == 24 else time(h2, m2)
    if not opens < closes:
        raise ValueError(f"office calendar: {where}: {text!r} closes before it opens")
    return opens, closes


def _days(values: Any, where: str) -> frozenset[date]:
    days: set[date] = set()
    for value in values or []:
        if isinstance(value, datetime) or not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"office calendar: {where}: {value!r} is not a date "
                                 "(YYYY-MM-DD)") from None
        days.add(value)
    return frozenset(days)


def parse_office_hours(data: Mapping[str, Any]) -> OfficeHours:
    """Build the calendar from the YAML's mapping; raises ValueError naming what is wrong."""
    hours = data.get("opening_hours")
    if not isinstance(hours, Mapping) or set(hours) - set(WEEKDAYS):
        raise ValueError(f"office calendar: opening_hours must map {', '.join(WEEKDAYS)} to "
                         "lists of periods")
    weekly: list[tuple[Period, ...]] = []
    for day in WEEKDAYS:
        periods = sorted(_period(p, day) for p in hours.get(day) or [])
        for (_, closes), (opens, _) in pairwise(periods):
            if opens < closes:
                raise ValueError(f"office calendar: {day}: opening periods overlap")
        weekly.append(tuple(periods))
    return OfficeHours(tuple(weekly), _days(data.get("holidays"), "holidays"),
                       _days(data.get("workdays"), "workdays"))


@cache
def load_office_hours(path: Path | None = None) -> OfficeHours:
    """The office's calendar file (default: the shipped one), read once per process."""
    source = path or DEFAULT_PATH
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: the office calendar must be a mapping")
    return parse_office_hours(data)
