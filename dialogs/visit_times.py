"""A new visit time a technician typed ("明天下午三点", "周四9点到11点", "Thu 9-11am"), read
as the visit window a clerk would diary — or ``None`` when the words give no concrete time
("等配件到了再约", "明天", "周三或周四"). Pure: the office's half-day windows, the length of a
point time and the moment the words were typed (in the office's time zone) are passed in.

The words are read in triage's one form (``dialogs.triage.normalize``: Simplified Chinese,
lower case), so Traditional and Cantonese writing need no variants here; only the Cantonese
day words triage has no use for (聽日, 下晝) are mapped below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Final

from dialogs.appointment import Window
from dialogs.triage import normalize

# Words that make a time a choice, a bound or a maybe, not a window.
_VAGUE: Final = re.compile(r"或|还是|之前|以前|之后|以后|前后|不确定|待定|再约|再定|看情况|"
                           r"[点时]前|[点时]后|\bor\b|\bbefor|\bafter\b|\bsometim|\bmayb")
# "晚一点", "早点": later/earlier, not one o'clock.
_NOT_HOURS: Final = re.compile(r"[早晚快慢多少差有]一?点+|一点点|一下")
_WORDS: Final = (  # Cantonese and spoken forms, as the forms read below
    ("听朝", "明天上午"), ("听日", "明天"), ("明早", "明天上午"), ("明晚", "明天晚上"),
    ("今早", "今天上午"), ("今晚", "今天晚上"), ("后日", "后天"), ("今日", "今天"),
    ("明日", "明天"), ("下昼", "下午"), ("上昼", "上午"), ("朝早", "上午"), ("夜晚", "晚上"),
    ("tonight", "today evening"), ("day after tomorrow", "后天"),
)
_DIGITS: Final = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}
_WEEKDAY_ZH: Final = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                      "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEKDAY_EN: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS_EN: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                     "nov", "dec")
_HALVES: Final = (("上午", "morning"), ("早上", "morning"), ("早晨", "morning"),
                  ("morn", "morning"), ("下午", "afternoon"), ("afternoon", "afternoon"),
                  ("晚上", "evening"), ("even", "evening"))  # as triage stems "morning"
_CLOCK: Final = r"(\d{1,2})(?:[:：](\d{2})|\s*[点时](?:(\d{1,2})(?!刻)分?|(半)|(\d)刻)?)"
_RANGE: Final = re.compile(_CLOCK + r"?\s*(am|pm)?\s*(?:到|至|-|~|～|—|–|to)\s*"
                           r"(?:下午|晚上|中午)?\s*" + _CLOCK + r"?\s*(am|pm)?")
_POINT: Final = re.compile(_CLOCK + r"\s*(am|pm)?|(\d{1,2})\s*(am|pm)")
# The window a time is stored with (``dialogs.times.written_time``): "明天下午 (2026-11-24
# 14:00–17:00)" is that window exactly, whatever the words before it would be read as now.
_STORED: Final = re.compile(r"\((\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})–(\d{2}):(\d{2})\)\s*$")


def typed_window(text: str, now: datetime, halves: Mapping[str, tuple[time, time]],
                 point: timedelta) -> Window | None:
    """The window *text* (typed at *now*, office time) names, or ``None``. A point time lasts
    *point*; a half-day alone is its window in *halves* (slot → opens, closes). A stored
    window in brackets at the end is read as written."""
    if m := _STORED.search(text):
        return _stored(m, now, halves)
    words = _read(text)
    if not words or _VAGUE.search(words):
        return None
    today = now.date()
    day = _day(words, today)
    words = _day_words_out(words)
    half = next((slot for word, slot in _HALVES if word in words), None)
    bounds = _clock(words, half, point)
    if bounds is None:
        if half is None or half not in halves or day is None:
            return None  # a day alone ("明天") is no window, nor a half-day without one
        bounds = halves[half]
    opens, closes = bounds
    if day is None:  # "下午三点": today's
        day = today
    return _ahead(day, opens, closes, now, halves)


def _stored(m: re.Match[str], now: datetime, halves: Mapping[str, tuple[time, time]]
            ) -> Window | None:
    year, month, day, open_h, open_m, close_h, close_m = (int(part) for part in m.groups())
    try:
        return _ahead(date(year, month, day), time(open_h, open_m), time(close_h, close_m), now,
                      halves)
    except ValueError:  # not a date or a time after all
        return None


def _ahead(day: date, opens: time, closes: time, now: datetime,
           halves: Mapping[str, tuple[time, time]]) -> Window | None:
    """The window, unless it is empty or over by *now*."""
    if not opens < closes or datetime.combine(day, closes, tzinfo=now.tzinfo) <= now:
        return None
    return Window(day, _slot(opens, halves), opens, closes)


def _read(text: str) -> str:
    words = normalize(text)
    for said, meant in _WORDS:
        words = words.replace(said, meant)
    # weekdays before numerals: 周一 is a day, not one o'clock
    words = re.sub(r"(下{0,2})(?:周|星期|礼拜)([一二三四五六日天1-7])",
                   lambda m: f" W{len(m.group(1))}{_WEEKDAY_ZH[m.group(2)]} ", words)
    words = _NOT_HOURS.sub(" ", words)
    return re.sub(r"[零〇一二两三四五六七八九十]+", lambda m: str(_number(m.group())), words)


def _number(numeral: str) -> int:
    """一 … 九十九 (and 〇 in 二〇): enough for days, hours and minutes."""
    if "十" not in numeral:
        value = 0
        for ch in numeral:
            value = value * 10 + _DIGITS[ch]
        return value
    tens, _, ones = numeral.partition("十")
    return (_DIGITS.get(tens[-1:], 1) if tens else 1) * 10 + (_DIGITS[ones[:1]] if ones else 0)


def _day(words: str, today: date) -> date | None:
    if m := re.search(r"W(\d)(\d)", words):
        return _weekday(today, int(m.group(2)), int(m.group(1)))
    if m := re.search(r"(?:(next)\s+)?\b(" + "|".join(_WEEKDAY_EN) + r")[a-z]*\b", words):
        return _weekday(today, _WEEKDAY_EN.index(m.group(2)), 1 if m.group(1) else 0)
    for word, ahead in (("大后天", 3), ("后天", 2), ("明天", 1), ("tomorrow", 1), ("今天", 0),
                        ("today", 0)):
        if word in words:
            return today + timedelta(days=ahead)
    if m := re.search(r"(?:(\d{1,2})月)?(\d{1,2})[日号]", words):
        return _dated(today, int(m.group(1)) if m.group(1) else None, int(m.group(2)))
    if m := re.search(r"\b(" + "|".join(_MONTHS_EN) + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b",
                      words):
        return _dated(today, _MONTHS_EN.index(m.group(1)) + 1, int(m.group(2)))
    return None


def _weekday(today: date, weekday: int, weeks: int) -> date:
    """周三: the next Wednesday, today included; 下周三 (*weeks* 1): the week after this one's."""
    if weeks:
        return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _dated(today: date, month: int | None, day: int) -> date | None:
    """The next 12月5号 (or 5号 of this month or the next) on or after *today*."""
    for ahead in range(13):
        year, mon = divmod(today.month - 1 + ahead, 12)
        if month is not None and mon + 1 != month:
            continue
        try:
            found = date(today.year + year, mon + 1, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _day_words_out(words: str) -> str:
    """The words without the day, so that its numbers are not read as hours."""
    words = re.sub(r"W\d\d|(?:\d{1,2}月)?\d{1,2}[日号]", " ", words)
    return re.sub(r"\b(?:" + "|".join(_MONTHS_EN) + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b",
                  " ", words)


def _clock(words: str, half: str | None, point: timedelta) -> tuple[time, time] | None:
    if m := _RANGE.search(words):
        if not re.search(r"[点时:：]|am|pm", m.group()):
            return None  # "2-3天": not hours
        first, meridiem = m.group(6), m.group(12)  # "11am to 1pm", "9-11am"
        closes = _hour(m, 7, half, meridiem)
        opens = _hour(m, 1, half, first or (meridiem if meridiem == "am" else None))
        if opens is not None and closes is not None and opens >= closes and meridiem is None:
            closes = _hour(m, 7, "afternoon", None)  # "10点到2点": to 2 in the afternoon
        if opens is None or closes is None:
            return None
        return opens, closes
    if m := _POINT.search(words):
        if m.group(7) is not None:  # "3pm"
            opens = _at(int(m.group(7)), 0, half, m.group(8))
        else:
            opens = _hour(m, 1, half, m.group(6))
        if opens is None:
            return None
        ends = datetime.combine(date.min, opens) + point
        return (opens, ends.time()) if ends.date() == date.min else None
    return None


def _hour(m: re.Match[str], first: int, half: str | None, meridiem: str | None) -> time | None:
    hour, minutes, more, halfhour, quarter = m.group(first, first + 1, first + 2, first + 3,
                                                     first + 4)
    minute = int(minutes or more or 0) + (30 if halfhour else 0) + 15 * int(quarter or 0)
    return _at(int(hour), minute, half, meridiem)


def _at(hour: int, minute: int, half: str | None, meridiem: str | None) -> time | None:
    if meridiem == "pm" or (meridiem is None and half in ("afternoon", "evening")):
        hour += 12 if hour < 12 else 0
    elif meridiem is None and half is None and 1 <= hour <= 7:
        hour += 12  # nobody comes at 3 in the night: 3 is in the afternoon
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _slot(opens: time, halves: Mapping[str, tuple[time, time]]) -> str:
    """The office's half-day nearest to a window opening at *opens* (it names it)."""
    def distance(slot: str) -> float:
        start, end = halves[slot]
        if start <= opens < end:
            return 0
        edge = start if opens < start else end
        return abs((datetime.combine(date.min, opens) - datetime.combine(date.min, edge))
                   .total_seconds())
    return min(reversed(list(halves)), key=distance)
