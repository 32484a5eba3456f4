"""The visit window of a job, as people read it: the technician's choice of window, the
resident's answer, the reminders, the dispatcher's missed-visit alert. Pure: the handlers
(``handlers/work_orders/appointments.py``) work out which windows are open and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Final

from dialogs.buttons import Verb, tap
from dialogs.events import Button, InlineKeyboard, inline
from locales import Msg, Raw, Text, _

SLOT_NAMES: Final[dict[str, Msg]] = {
    "morning": _("morning"),
    "afternoon": _("afternoon"),
    "evening": _("evening"),
}

# The slot a button carries for the resident's own typed time on its day ("周三下午三点":
# 15:00–16:00), which is not one of the office's windows.
OWN_TIME: Final = 9


@dataclass(frozen=True, slots=True)
class Window:
    """One visit window: a local day, a slot of it, its local opening and closing times."""

    day: date
    slot: str
    opens: time
    closes: time

    @property
    def key(self) -> int:
        """The day as yyyymmdd, as a button carries it."""
        return self.day.year * 10000 + self.day.month * 100 + self.day.day

    @property
    def slot_index(self) -> int:
        """The slot as a button carries it (0 morning, 1 afternoon, 2 evening)."""
        return list(SLOT_NAMES).index(self.slot)


def day_text(day: date, today: date) -> Text:
    """"today", "tomorrow", or the date (12-05) as the reader sees it on *today*."""
    ahead = (day - today).days
    if ahead == 0:
        return _("today")
    if ahead == 1:
        return _("tomorrow")
    return Raw(f"{day:%m-%d}")


def window_text(window: Window, today: date) -> Text:
    """"tomorrow morning, 09:00–12:00"."""
    return _("{day} {slot}, {opens}–{closes}", day=day_text(window.day, today),
             slot=SLOT_NAMES[window.slot], opens=Raw(f"{window.opens:%H:%M}"),
             closes=Raw(f"{window.closes:%H:%M}"))


def _choice(label: Text, order_id: int, window: Window, desk: bool,
            slot: int | None = None) -> Button:
    slot = window.slot_index if slot is None else slot
    if desk:  # the dispatch chat's choice
        return Button(label, tap(Verb.DESK_WINDOW, order_id, window.key, slot))
    return Button(label, tap(Verb.WINDOW, order_id, window.key, slot))


def choices(order_id: int, windows: list[Window], today: date, *, desk: bool = False,
            preferred: Window | None = None) -> InlineKeyboard:
    """One row per day, one button per window; the resident's own time first, if offered
    (one she typed, not one of *windows*, as ``OWN_TIME``). In a private chat (the
    technician's, the resident's) or, with *desk*, the dispatch chat."""
    first = [_choice(_("✅ {window} (the resident's time)", window=window_text(preferred, today)),
                     order_id, preferred, desk, None if preferred in windows else OWN_TIME)
             ] if preferred else []
    days = sorted({w.day for w in windows})
    rows = [[_choice(_("{day} {slot}", day=day_text(day, today), slot=SLOT_NAMES[w.slot]),
                     order_id, w, desk) for w in windows if w.day == day] for day in days]
    return inline(first, *rows)


def answer_keyboard(order_id: int) -> InlineKeyboard:
    """The resident's answer to a window: it suits them, or they pick another."""
    return inline([Button(_("✅ That suits me"), tap(Verb.WINDOW_OK, order_id, "yes")),
                   Button(_("🔁 Another time"), tap(Verb.WINDOW_OK, order_id, "other"))])


def arrived_keyboard(order_id: int) -> InlineKeyboard:
    return inline([Button(_("📍 I have arrived"), tap(Verb.ARRIVED, order_id))])


def missed_keyboard(order_id: int) -> InlineKeyboard:
    """The dispatcher's buttons on a missed visit: move the window, or take it in hand."""
    return inline([Button(_("📅 Reschedule"), tap(Verb.RESCHEDULE, order_id)),
                   Button(_("☎ I'll follow it up"), tap(Verb.MISSED_SEEN, order_id))])
