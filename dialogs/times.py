"""Convenient-time choices: quick buttons stored as ``@key``, or what the resident typed — a
quick choice or typed time already past, or outside the office's visit windows, is not taken."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Final

from dialogs.appointment import Window
from dialogs.model import VisitHours
from dialogs.triage import normalize
from dialogs.visit_times import typed_window
from locales import Msg, Raw, Text, _

QUICK_TIMES: Final[dict[str, Msg]] = {
    "asap": _("As soon as possible"),
    "today_pm": _("Today afternoon"),
    "tomorrow_am": _("Tomorrow morning"),
    "tomorrow_pm": _("Tomorrow afternoon"),
}
PASSED: Final = _("That time has already passed. Please pick or type a later time.")
# The quick choices naming a window of today: (slot), offered only while it is still ahead.
_TODAY: Final = {"today_pm": "afternoon"}
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
    """The quick choices still ahead (all of them when the hours are not known)."""
    return {key: label for key, label in QUICK_TIMES.items()
            if visits is None or key not in _TODAY or _ahead(visits, _TODAY[key])}


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
    first = min(opens for opens, _closes in visits.windows.values())
    last = max(closes for _opens, closes in visits.windows.values())
    if window.opens < first or window.closes > last:
        return _("Technicians visit from {opens} to {closes}. Please pick or type a time "
                 "within those hours.", opens=Raw(_clock(first)), closes=Raw(_clock(last)))
    return None


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
