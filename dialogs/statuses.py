"""A work order's statuses and their names: the one definition the cards, lists and the state
machine (``handlers/work_orders/states.py``) all use."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from locales import Msg, _


class Status(StrEnum):
    """Where a work order stands (001 §2.4–2.5)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    ON_WAY = "on_way"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    REWORK = "rework"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


STATUS_NAMES: Final[dict[str, Msg]] = {
    Status.OPEN: _("waiting for a technician"),
    Status.ACCEPTED: _("accepted"),
    Status.ON_WAY: _("technician on the way"),
    Status.IN_PROGRESS: _("in progress"),
    Status.DONE: _("done, waiting for the resident's confirmation"),
    Status.REWORK: _("rework requested"),
    Status.CONFIRMED: _("confirmed"),
    Status.CANCELLED: _("cancelled"),
}
# The technician holds the job: time, price, done and damage questions are open.
WORKING: Final = frozenset({Status.ACCEPTED, Status.ON_WAY, Status.IN_PROGRESS, Status.REWORK})
# Work has not started: the resident may still cancel (2.4.4).
CANCELLABLE: Final = frozenset({Status.OPEN, Status.ACCEPTED, Status.ON_WAY})
FINISHED: Final = frozenset({Status.CONFIRMED, Status.CANCELLED})
# The assignee may set off (again, after a rework request).
MAY_SET_OFF: Final = frozenset({Status.ACCEPTED, Status.REWORK})
