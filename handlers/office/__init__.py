"""The office itself: its rules, who may do what, the unit of work, people and group chats,
the office calendar, the catalog — what every desk builds on. Imports no other desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from handlers.office.catalog import Catalog
from handlers.office.clock import Clock
from handlers.office.office_hours import OfficeHours, load_office_hours
from handlers.office.rules import OfficeRules


@dataclass(frozen=True, slots=True)
class Office:
    """Database, clock, time zone, catalog and rules: what a handler is given."""

    engine: Engine
    clock: Clock
    timezone: ZoneInfo
    catalog: Catalog
    rules: OfficeRules = field(default_factory=OfficeRules)

    @property
    def hours(self) -> OfficeHours:
        """The office's opening hours, lunch break and holidays (its calendar file)."""
        return load_office_hours(self.rules.office_calendar_path)
