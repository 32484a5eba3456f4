"""Time-driven follow-ups: APScheduler 3 in the leader process, draining due rows.

``SchedulerService`` is what the runtime starts; ``run_due_now`` is the synchronous pass the
sandbox can call after moving its clock. See ``scheduler/service.py`` for the design.

The names load on first use: ``frontline jobs`` (``scheduler/cli.py``) is registered by every
``frontline`` command, and the drain imports every desk. The service itself is light: it
loads APScheduler and the drain as it starts, which ``frontline run`` does once receiving
has begun.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.drain import DrainReport, run_due_now
    from scheduler.service import Leadership, SchedulerService

__all__ = ["DrainReport", "Leadership", "SchedulerService", "run_due_now"]
_HOMES = {"DrainReport": "scheduler.drain", "run_due_now": "scheduler.drain",
          "Leadership": "scheduler.service", "SchedulerService": "scheduler.service"}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
