"""The desks a first update rarely needs — fees, complaints, announcements, the desk tools —
imported when the reception first uses them, not before the bot starts polling (with their
storage and what they import, about 0.2 s of a cold start). A resident's first words need the
FAQ, the intake and the outage check, none of these.

Each name stands for its module: for mypy and import-linter it is the module itself (the
imports under ``TYPE_CHECKING``); at run time a stand-in that imports the module at the first
attribute read and hands the attribute over. The import system's lock makes that import happen
once, whichever worker thread comes first; later reads are a dictionary lookup.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.announcements import notices as announcements
    from handlers.fees import campaigns as fee_campaigns
    from handlers.fees import residents as fee_residents
    from handlers.fees import staff as fee_staff
    from handlers.fees import tasks as fee_tasks
    from handlers.front_desk import complaint_handling, complaint_records, complaints, desk_tools


class _OnFirstUse:
    """A module, imported when one of its attributes is first read."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self._module), name)


if not TYPE_CHECKING:
    announcements = _OnFirstUse("handlers.announcements.notices")
    fee_campaigns = _OnFirstUse("handlers.fees.campaigns")
    fee_residents = _OnFirstUse("handlers.fees.residents")
    fee_staff = _OnFirstUse("handlers.fees.staff")
    fee_tasks = _OnFirstUse("handlers.fees.tasks")
    complaint_handling = _OnFirstUse("handlers.front_desk.complaint_handling")
    complaint_records = _OnFirstUse("handlers.front_desk.complaint_records")
    complaints = _OnFirstUse("handlers.front_desk.complaints")
    desk_tools = _OnFirstUse("handlers.front_desk.desk_tools")

__all__ = ["announcements", "complaint_handling", "complaint_records", "complaints",
           "desk_tools", "fee_campaigns", "fee_residents", "fee_staff", "fee_tasks"]
