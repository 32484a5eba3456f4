"""Convenient-time choices: quick buttons stored as ``@key``, or what the resident typed."""

from __future__ import annotations

from typing import Final

from locales import Msg, Raw, Text, _

QUICK_TIMES: Final[dict[str, Msg]] = {
    "asap": _("As soon as possible"),
    "today_pm": _("Today afternoon"),
    "tomorrow_am": _("Tomorrow morning"),
    "tomorrow_pm": _("Tomorrow afternoon"),
}


def time_text(value: str) -> Text:
    """Render a stored time: a quick choice in the reader's language, typed text as is."""
    if value.startswith("@") and value[1:] in QUICK_TIMES:
        return QUICK_TIMES[value[1:]]
    return Raw(value)
