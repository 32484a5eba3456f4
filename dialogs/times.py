"""Convenient-time choices: quick buttons stored as ``@key``, or what the resident typed — a
quick choice or typed time already past, or outside the office's visit windows, is not taken."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Final

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
    midnight = visits.now.replace(hour=0, minute=0, second=0, microsecond=0)
    window = typed_window(typed, midnight, visits.windows, visits.point)
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


def _clock(moment: time) -> str:
    return f"{moment:%H:%M}"
