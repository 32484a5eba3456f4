"""The office's opening hours: open time counted across lunch, nights, weekends and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.office.office_hours import (
    DEFAULT_PATH,
    OfficeHours,
    load_office_hours,
    parse_office_hours,
)

TZ = ZoneInfo("Asia/Shanghai")
HOURS = load_office_hours(DEFAULT_PATH)
HOUR = 3600.0


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def test_an_hour_from_a_weekday_morning_is_an_hour_later() -> None:
    assert local(HOURS.add(at("2026-11-23", "10:00"), HOUR, TZ)) == "2026-11-23 11:00"


def test_the_lunch_break_does_not_count() -> None:
    assert local(HOURS.add(at("2026-11-23", "11:30"), HOUR, TZ)) == "2026-11-23 14:00"


def test_an_hour_received_at_night_starts_when_the_desk_opens() -> None:
    assert local(HOURS.add(at("2026-11-23", "21:00"), HOUR, TZ)) == "2026-11-24 09:30"


def test_friday_evening_runs_on_into_monday() -> None:
    assert local(HOURS.add(at("2026-11-27", "17:00"), HOUR, TZ)) == "2026-11-30 09:00"


def test_a_holiday_and_the_weekend_are_closed() -> None:
    # Thursday 24 September 2026; Mid-Autumn Friday 25th, then the weekend.
    assert local(HOURS.add(at("2026-09-24", "17:00"), HOUR, TZ)) == "2026-09-28 09:00"
    assert not HOURS.is_open_day(date(2026, 10, 1))


def test_a_make_up_working_day_is_open_with_mondays_hours() -> None:
    assert HOURS.is_open(at("2026-10-10", "09:00"), TZ)  # a Saturday, 调休
    assert not HOURS.is_open(at("2026-10-11", "09:00"), TZ)


def test_the_same_office_day_ends_at_closing_time() -> None:
    assert local(HOURS.close_of_day(at("2026-11-23", "10:00"), TZ)) == "2026-11-23 17:30"
    assert local(HOURS.close_of_day(at("2026-11-23", "18:00"), TZ)) == "2026-11-24 17:30"
    assert local(HOURS.close_of_day(at("2026-11-28", "10:00"), TZ)) == "2026-11-30 17:30"


def test_open_time_between_two_moments() -> None:
    assert HOURS.between(at("2026-11-23", "08:00"), at("2026-11-24", "08:00"), TZ) == 7.5 * HOUR
    assert HOURS.between(at("2026-11-24", "08:00"), at("2026-11-23", "08:00"), TZ) == 0


def test_weekly_hours_are_shown_as_runs_of_days() -> None:
    assert HOURS.weekly_hours() == [(["mon", "fri"], ["08:30–12:00", "13:30–17:30"])]


@pytest.mark.parametrize(("data", "problem"), [
    ({"opening_hours": {"mon": ["8:30-12:00"]}}, "not like"),
    ({"opening_hours": {"mon": ["12:00-08:30"]}}, "closes before"),
    ({"opening_hours": {"mon": ["08:00-12:00", "11:00-13:00"]}}, "overlap"),
    ({"opening_hours": {"funday": ["08:00-12:00"]}}, "must map"),
    ({"opening_hours": {"mon": []}}, "never open"),
    ({"opening_hours": {"mon": ["08:00-12:00"]}, "holidays": ["soon"]}, "not a date"),
])
def test_a_broken_calendar_says_what_is_wrong(data: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_office_hours(data)


def test_a_desk_open_round_the_clock_counts_wall_time() -> None:
    always = parse_office_hours({"opening_hours": {d: ["00:00-24:00"] for d in
                                                   ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}})
    start = at("2026-11-23", "10:00")
    assert always.add(start, 30 * HOUR, TZ) == start + timedelta(hours=30)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20),
                       timezones=st.just(UTC))


@given(moments, st.floats(min_value=0, max_value=200 * HOUR))
def test_adding_open_time_then_measuring_it_gives_it_back(start: datetime, seconds: float
                                                          ) -> None:
    end = HOURS.add(start, seconds, TZ)
    assert end >= start
    assert abs(HOURS.between(start, end, TZ) - seconds) < 1e-3
    assert HOURS.is_open(end, TZ) or seconds > 0


@given(moments, moments, moments)
def test_open_time_adds_up_over_a_split(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    total = HOURS.between(a, c, TZ)
    assert abs(total - HOURS.between(a, b, TZ) - HOURS.between(b, c, TZ)) < 1e-3


def test_hours_are_a_value() -> None:
    assert isinstance(HOURS, OfficeHours)
