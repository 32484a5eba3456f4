"""Convenient-time choices: quick buttons stored as ``@key``, or what the resident typed — a
quick choice or typed time already past, or outside the office's visit windows, is not taken."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final

from dialogs.appointment import Window
from dialogs.model import VisitHours
from dialogs.triage import normalize
from dialogs.visit_times import typed_window
from locales import LIST_SEPARATORS, Language, Localized, Msg, Raw, Text, _, listed, render

QUICK_TIMES: Final[dict[str, Msg]] = {
    "asap": _("As soon as possible"),
    "today_pm": _("Today afternoon"),
    "tomorrow_am": _("Tomorrow morning"),
    "tomorrow_pm": _("Tomorrow afternoon"),
}
PASSED: Final = _("That time has already passed. Please pick or type a later time.")
# The quick choices naming a window of today: (slot), offered only while it is still ahead.
_TODAY: Final = {"today_pm": "afternoon"}
# The quick choices naming a window of the next day the office visits (tomorrow, or after
# the days it is closed), and their label then: "Monday morning".
_NEXT: Final = {"tomorrow_am": "morning", "tomorrow_pm": "afternoon"}
_NEXT_LABELS: Final = {"tomorrow_am": lambda day: _("{day} morning", day=day),
                       "tomorrow_pm": lambda day: _("{day} afternoon", day=day)}
WEEKDAY_NAMES: Final = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"),
                        _("Friday"), _("Saturday"), _("Sunday"))
# Where a report's words part: a time is read from one clause ("明天下午在家"), not across them.
_CLAUSES: Final = re.compile(r"[，,。；;！!？?\n]+")
_LAST: Final = re.compile(r"(?:[A-Za-z]+|.)$")
_FIRST: Final = re.compile(r"^(?:[A-Za-z]+|.)")
# Days before today (read in triage's form: Simplified, lower case; 琴日 is Cantonese).
_BYGONE: Final = re.compile(r"昨天|前天|昨日|昨晚|琴日|\byesterday\b|\blast night\b")


def time_text(value: str) -> Text:
    """Render a stored time: a quick choice in the reader's language, typed text as is."""
    if value.startswith("@") and value[1:] in QUICK_TIMES:
        return QUICK_TIMES[value[1:]]
    return Raw(value)


def quick_times(visits: VisitHours | None) -> dict[str, Msg]:
    """The quick choices still ahead on the days the office visits (all of them when the
    hours are not known): after a closed day "Tomorrow morning" is the next visit day's,
    named ("Monday morning")."""
    if visits is None:
        return dict(QUICK_TIMES)
    day = next_visit_day(visits)
    return {key: _NEXT_LABELS[key](WEEKDAY_NAMES[day.weekday()])
            if key in _NEXT and day != visits.now.date() + timedelta(days=1) else label
            for key, label in QUICK_TIMES.items()
            if key not in _TODAY or (visits.is_open(visits.now.date())
                                     and _ahead(visits, _TODAY[key]))}


def quick_value(key: str, visits: VisitHours | None, language: Language) -> str:
    """What a tapped quick choice stores: ``@key``, or, for the next visit day after a closed
    one, its label and window, read as that window wherever it is read:
    "周一上午 (2026-11-30 09:00–12:00)"."""
    if visits is None or key not in _NEXT:
        return "@" + key
    day = next_visit_day(visits)
    if day == visits.now.date() + timedelta(days=1):
        return "@" + key
    opens, closes = visits.windows[_NEXT[key]]
    label = render(quick_times(visits)[key], language)
    return f"{label} ({day:%Y-%m-%d} {_clock(opens)}–{_clock(closes)})"


def next_visit_day(visits: VisitHours) -> date:
    """The first day after today the office visits (tomorrow if its calendar is not known)."""
    today = visits.now.date()
    return next((today + timedelta(days=n) for n in range(1, 32)
                 if visits.is_open(today + timedelta(days=n))), today + timedelta(days=1))


def _ahead(visits: VisitHours, slot: str) -> bool:
    closes = datetime.combine(visits.now.date(), visits.windows[slot][1],
                              tzinfo=visits.now.tzinfo)
    return closes - visits.last_call > visits.now


def time_refusal(typed: str, visits: VisitHours | None) -> Text | None:
    """Why a typed time cannot be booked (already past, or outside the visit windows), or
    None: a time that names no window ("after work") is taken as typed."""
    if visits is None:
        return None
    if _BYGONE.search(normalize(typed)):
        return PASSED
    window = _window(typed, visits)
    if window is None:
        return None
    if datetime.combine(window.day, window.closes, tzinfo=visits.now.tzinfo) <= visits.now:
        return PASSED
    if not visits.is_open(window.day) or not any(
            opens <= window.opens and window.closes <= closes
            for opens, closes in visits.windows.values()):
        return _("Home visits are made {days}, {hours}. Please pick or type a time within "
                 "those hours.", days=_visit_days(visits), hours=_visit_hours(visits))
    return None


def _visit_days(visits: VisitHours) -> Text:
    """The weekdays the office visits in the coming week, in runs: "Monday–Friday"."""
    today = visits.now.date()
    open_days = sorted({(today + timedelta(days=n)).weekday() for n in range(7)
                        if visits.is_open(today + timedelta(days=n))})
    runs: list[list[int]] = []
    for weekday in open_days:
        if runs and runs[-1][-1] == weekday - 1:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    shown = [WEEKDAY_NAMES[run[0]] if len(run) == 1 else _(
        "{first}–{last}", first=WEEKDAY_NAMES[run[0]], last=WEEKDAY_NAMES[run[-1]])
        for run in runs]
    return Localized({language: listed((render(run, language) for run in shown), language)
                      for language in LIST_SEPARATORS})


def _visit_hours(visits: VisitHours) -> Text:
    """The visit windows, as the reader's language lists them: "09:00–12:00, 14:00–17:00"."""
    shown = [f"{_clock(opens)}–{_clock(closes)}" for opens, closes in sorted(
        visits.windows.values())]
    return Localized({language: listed(shown, language) for language in LIST_SEPARATORS})


def written_time(text: str, visits: VisitHours | None) -> str | None:
    """The first concrete time in a report's own words ("卫生间漏水，明天下午在家") that can
    be booked, as the words naming it and their window: "明天下午 (2026-11-24 14:00–17:00)";
    None when none does, or when the visit hours are not known."""
    if visits is None:
        return None
    for clause in _CLAUSES.split(text):
        window = _window(clause, visits)
        if window is not None and time_refusal(clause, visits) is None:
            words = _shortest(clause.strip(), window, visits)
            return (f"{words} ({window.day:%Y-%m-%d} "
                    f"{_clock(window.opens)}–{_clock(window.closes)})")
    return None


def _window(typed: str, visits: VisitHours) -> Window | None:
    """The window *typed* names, its day counted from today, even if it has passed."""
    midnight = visits.now.replace(hour=0, minute=0, second=0, microsecond=0)
    return typed_window(typed, midnight, visits.windows, visits.point)


def _shortest(clause: str, window: Window, visits: VisitHours) -> str:
    """The fewest words of *clause* that still name *window* ("明天下午在家": 明天下午), cut
    a character (a Latin word) at a time from the end, then from the start."""
    for end in (_LAST, _FIRST):
        while (shorter := end.sub("", clause, count=1).strip()) and _window(
                shorter, visits) == window:
            clause = shorter
    return clause


def _clock(moment: time) -> str:
    return f"{moment:%H:%M}"
