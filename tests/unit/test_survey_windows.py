"""Callback windows and the daytime clamp: table cases an office would recognise, then
Hypothesis for the arithmetic everywhere else (any moment, zone, window and daytime hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.callback_surveys import monthly_duties as duties
from handlers.callback_surveys.planning import (
    SurveyRules,
    callback_class,
    push_moment,
    survey_window,
)
from handlers.office.calendar import daytime_from, month_key, shift_month
from handlers.office.rules import OfficeRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
RULES = SurveyRules()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def test_a_job_confirmed_at_19_50_on_friday_is_surveyed_on_saturday_morning() -> None:
    window = survey_window(sh(2026, 11, 27, 19, 50), "other", SHANGHAI, RULES)
    assert window.push == sh(2026, 11, 28, 9, 0)
    assert window.end == sh(2026, 11, 29, 19, 50)


def test_a_morning_confirmation_is_surveyed_an_hour_later() -> None:
    window = survey_window(sh(2026, 11, 23, 10, 0), "safety", SHANGHAI, RULES)
    assert window.push == sh(2026, 11, 23, 11, 0)
    assert window.end - window.start == timedelta(days=2)


def test_before_opening_hours_the_survey_waits_for_nine() -> None:
    window = survey_window(sh(2026, 11, 23, 6, 30), "other", SHANGHAI, RULES)
    assert window.push == sh(2026, 11, 23, 9, 0)


def test_across_midnight_and_the_month_end() -> None:
    window = survey_window(sh(2026, 11, 30, 23, 30), "other", SHANGHAI, RULES)
    assert window.push == sh(2026, 12, 1, 9, 0)
    assert window.end == sh(2026, 12, 2, 23, 30)


def test_a_leak_window_is_three_days_and_counts_the_leap_day() -> None:
    window = survey_window(sh(2028, 2, 28, 22, 0), "leak", SHANGHAI, RULES)
    assert window.push == sh(2028, 2, 29, 9, 0)
    assert window.end == sh(2028, 3, 2, 22, 0)


def test_across_the_year_end() -> None:
    window = survey_window(sh(2026, 12, 31, 20, 0), "other", SHANGHAI, RULES)
    assert window.push == sh(2027, 1, 1, 9, 0)
    assert window.end == sh(2027, 1, 2, 20, 0)


def test_spring_forward_in_new_york_keeps_the_wall_clock() -> None:
    # 2026-03-08 02:00 EST → 03:00 EDT: the window is 47 hours, the push 09:00 local.
    window = survey_window(ny(2026, 3, 7, 19, 30), "other", NEW_YORK, RULES)
    assert window.push == ny(2026, 3, 8, 9, 0)
    assert window.push.astimezone(UTC).hour == 13  # EDT, not EST
    assert window.end == ny(2026, 3, 9, 19, 30)
    assert window.end - window.start == timedelta(hours=47)


def test_fall_back_in_new_york_makes_a_49_hour_window() -> None:
    window = survey_window(ny(2026, 10, 31, 12, 0), "other", NEW_YORK, RULES)
    assert window.end == ny(2026, 11, 2, 12, 0)
    assert window.end - window.start == timedelta(hours=49)


def test_shanghai_has_no_dst_so_two_days_are_48_hours() -> None:
    for month in range(1, 13):
        window = survey_window(sh(2026, month, 15, 12, 0), "other", SHANGHAI, RULES)
        assert window.end - window.start == timedelta(hours=48)


def test_a_window_with_no_daytime_left_has_no_push() -> None:
    assert push_moment(sh(2026, 11, 23, 20, 30), sh(2026, 11, 24, 8, 0), SHANGHAI, 9, 20) is None
    assert push_moment(sh(2026, 11, 23, 19, 0), sh(2026, 11, 23, 19, 0), SHANGHAI, 9, 20) is None


def test_a_survey_due_late_in_its_window_is_still_clamped_inside_it() -> None:
    window = survey_window(sh(2026, 11, 23, 10, 0), "other", SHANGHAI, RULES,
                           now=sh(2026, 11, 25, 8, 0))  # catching up after an outage
    assert window.push == sh(2026, 11, 25, 9, 0) and window.push < window.end


def test_daytime_until_midnight() -> None:
    assert daytime_from(sh(2026, 11, 23, 23, 30), SHANGHAI, 9, 24) == sh(2026, 11, 23, 23, 30)
    assert daytime_from(sh(2026, 11, 24, 0, 30), SHANGHAI, 9, 24) == sh(2026, 11, 24, 9, 0)


def test_daytime_hours_must_make_sense() -> None:
    with pytest.raises(ValueError, match="daytime"):
        SurveyRules(day_start=20, day_end=9)


def test_the_callback_class_follows_triage_then_the_trade() -> None:
    assert callback_class("leak", "civil") == "leak"
    assert callback_class("other", "security") == "safety"
    assert callback_class(None, "plumbing") == "other"
    assert callback_class("bogus", "plumbing") == "other"


def test_month_arithmetic() -> None:
    assert shift_month(202601, -1) == 202512
    assert shift_month(202612, 1) == 202701
    assert shift_month(202611, -13) == 202510
    assert month_key(sh(2026, 12, 1, 0, 30), SHANGHAI) == 202612
    assert month_key(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), SHANGHAI) == 202612


def test_monthly_duty_moments_in_the_office_zone() -> None:
    listing, overdue, _quota = duties.duties(OfficeRules())
    now = sh(2026, 12, 10, 8, 59)
    assert duties.latest(listing, now, SHANGHAI) == sh(2026, 12, 1, 9, 0)
    assert duties.latest(overdue, now, SHANGHAI) == sh(2026, 11, 10, 9, 0)
    assert duties.next_due(overdue, now, SHANGHAI) == sh(2026, 12, 10, 9, 0)
    assert duties.expires(listing, 202612, SHANGHAI) == sh(2026, 12, 10, 9, 0)
    assert duties.expires(overdue, 202612, SHANGHAI) == sh(2027, 1, 1, 0, 0)
    assert duties.next_due(listing, ny(2026, 3, 1, 9, 0), NEW_YORK) == ny(2026, 4, 1, 9, 0)


# -- Hypothesis ----------------------------------------------------------------------------
ZONES = [SHANGHAI, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Europe/London"),
         ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kathmandu")]
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2034, 12, 31),
                       timezones=st.just(UTC))
hours = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1])


def _daytime(moment: datetime, tz: ZoneInfo, start: int, end: int) -> bool:
    """An independent reading of "daytime": the local hour on the wall clock."""
    return start <= moment.astimezone(tz).hour < end


@settings(max_examples=200, deadline=None)
@given(due=moments, length=st.integers(0, 5 * 24 * 60), tz=st.sampled_from(ZONES),
       day=hours)
def test_the_push_is_the_first_daytime_moment_inside_the_window(
        due: datetime, length: int, tz: ZoneInfo, day: tuple[int, int]) -> None:
    start, end = day
    window_end = due + timedelta(minutes=length)
    push = push_moment(due, window_end, tz, start, end)
    # Brute force at 5-minute steps: daytime periods are whole local hours, so a step never
    # jumps over one.
    step = timedelta(minutes=5)
    limit = push if push is not None else window_end
    probe = due
    while probe < limit:
        assert not _daytime(probe, tz, start, end)
        probe += step
    if push is not None:
        assert due <= push < window_end
        assert _daytime(push, tz, start, end)


@settings(max_examples=200, deadline=None)
@given(anchor=moments, klass=st.sampled_from(["safety", "leak", "other"]),
       tz=st.sampled_from(ZONES))
def test_a_window_spans_whole_calendar_days_and_its_push_lies_inside(
        anchor: datetime, klass: str, tz: ZoneInfo) -> None:
    window = survey_window(anchor, klass, tz, RULES)
    days = RULES.windows.days(klass)
    span = window.end - window.start
    assert timedelta(days=days) - timedelta(hours=3) <= span <= timedelta(days=days, hours=3)
    if anchor.astimezone(tz).utcoffset() == window.end.astimezone(tz).utcoffset():
        assert span == timedelta(days=days)  # no offset change in between: exact days
    assert window.push is not None  # two days always hold daytime hours
    assert window.start + RULES.delay <= window.push < window.end
    assert _daytime(window.push, tz, RULES.day_start, RULES.day_end)
