"""A new visit time a technician types, read as the visit window a clerk would diary."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.visit_times import typed_window
from handlers.office.rules import SLOTS, AppointmentRules

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=TZ)  # a Wednesday morning
RULES = AppointmentRules()


def read(text: str, now: datetime = NOW) -> tuple[str, str, str] | None:
    window = typed_window(text, now, {slot: RULES.window(slot) for slot in SLOTS},
                          timedelta(minutes=RULES.typed_time_minutes))
    if window is None:
        return None
    return f"{window.day:%m-%d}", f"{window.opens:%H:%M}", f"{window.closes:%H:%M}"


@pytest.mark.parametrize(("text", "expected"), [
    # a point time is diaried as a window of the office's typed_time_minutes
    ("明天下午三点", ("12-03", "15:00", "16:00")),
    ("明天下午3点", ("12-03", "15:00", "16:00")),
    ("后天上午十点半", ("12-04", "10:30", "11:30")),
    ("明天15:30", ("12-03", "15:30", "16:30")),
    ("周五下午两点左右", ("12-04", "14:00", "15:00")),
    ("下周一上午10点", ("12-07", "10:00", "11:00")),
    ("星期六上午九点一刻", ("12-05", "09:15", "10:15")),
    ("12月5号下午4点", ("12-05", "16:00", "17:00")),
    ("今天下午三点", ("12-02", "15:00", "16:00")),
    ("下午3点", ("12-02", "15:00", "16:00")),  # no day: today, still ahead
    ("明天晚上七点", ("12-03", "19:00", "20:00")),
    ("明天3点", ("12-03", "15:00", "16:00")),  # nobody visits at 3 in the night
    # a half-day is the office's window for it
    ("明天上午", ("12-03", "09:00", "12:00")),
    ("后天下午", ("12-04", "14:00", "17:00")),
    ("周三晚上", ("12-02", "18:00", "20:00")),
    ("明晚", ("12-03", "18:00", "20:00")),
    ("下周二上午", ("12-08", "09:00", "12:00")),
    ("12月10日下午", ("12-10", "14:00", "17:00")),
    # a range is that window
    ("明天9点到11点", ("12-03", "09:00", "11:00")),
    ("明天下午2点到4点", ("12-03", "14:00", "16:00")),
    ("周四下午三点至五点", ("12-03", "15:00", "17:00")),
    ("后天10:00-11:30", ("12-04", "10:00", "11:30")),
    ("明天上午10点到下午2点", ("12-03", "10:00", "14:00")),
    ("明天下午三点半到五点", ("12-03", "15:30", "17:00")),
    ("明天中午12点", ("12-03", "12:00", "13:00")),
    ("12月5日 下午1点", ("12-05", "13:00", "14:00")),
    # Traditional and Cantonese, through triage's normaliser
    ("明天下午三點", ("12-03", "15:00", "16:00")),
    ("禮拜五上午十點", ("12-04", "10:00", "11:00")),
    ("下週一下午", ("12-07", "14:00", "17:00")),
    ("聽日下晝三點", ("12-03", "15:00", "16:00")),
    ("聽朝十點", ("12-03", "10:00", "11:00")),
    # English
    ("tomorrow 3pm", ("12-03", "15:00", "16:00")),
    ("Thu 9-11am", ("12-03", "09:00", "11:00")),
    ("Friday 2:30 pm", ("12-04", "14:30", "15:30")),
    ("Friday 3pm-5pm", ("12-04", "15:00", "17:00")),
    ("tomorrow 11am to 1pm", ("12-03", "11:00", "13:00")),
    ("tomorrow morning", ("12-03", "09:00", "12:00")),
    ("next Monday afternoon", ("12-07", "14:00", "17:00")),
])
def test_a_concrete_typed_time_is_a_window(text: str, expected: tuple[str, str, str]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize("text", [
    "等配件到了再约",
    "明天",  # a day, but no time of it
    "周三或者周四下午",  # two days: the resident has to choose
    "下午三点之前",
    "晚一点再过来",
    "我打电话跟您约时间",
    "sometime next week",
    "after 3pm tomorrow",
    "",
])
def test_words_that_give_no_concrete_time_are_no_window(text: str) -> None:
    assert read(text) is None


def test_a_weekday_already_past_this_week_is_next_weeks() -> None:
    assert read("周一下午三点") == ("12-07", "15:00", "16:00")


def test_a_time_of_today_already_past_is_no_window() -> None:
    assert read("上午九点") is None  # typed at 10:15


@pytest.mark.parametrize(("text", "now", "expected"), [
    # as dialogs.times.written_time stores a time written in the report: its bracket is exact
    ("周三下午三点 (2026-11-25 15:00–16:00)", datetime(2026, 11, 23, 9, 0, tzinfo=TZ),
     ("11-25", "15:00", "16:00", "afternoon")),
    # read the next morning, 明天 alone would be the 25th: the bracket is the report's 明天
    ("明天下午 (2026-11-24 14:00–17:00)", datetime(2026, 11, 24, 8, 0, tzinfo=TZ),
     ("11-24", "14:00", "17:00", "afternoon")),
    ("tomorrow morning (2026-11-24 09:00–12:00)", datetime(2026, 11, 23, 20, 0, tzinfo=TZ),
     ("11-24", "09:00", "12:00", "morning")),
])
def test_a_stored_window_in_brackets_is_read_exactly(
        text: str, now: datetime, expected: tuple[str, str, str, str]) -> None:
    window = typed_window(text, now, {slot: RULES.window(slot) for slot in SLOTS},
                          timedelta(minutes=RULES.typed_time_minutes))
    assert window is not None
    assert (f"{window.day:%m-%d}", f"{window.opens:%H:%M}", f"{window.closes:%H:%M}",
            window.slot) == expected


def test_a_stored_window_already_past_is_no_window() -> None:
    assert read("明天下午 (2026-11-24 14:00–17:00)") is None  # read on 12-02
