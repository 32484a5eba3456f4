"""The office itself: its rules, who may do what, the unit of work, people and group chats,
the office calendar, the catalog — what every desk builds on. Imports no other desk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from handlers.office.catalog import Catalog
from handlers.office.clock import Clock
from handlers.office.office_hours import OfficeHours, load_office_hours
from handlers.office.rules import OfficeRules


class OutboxListener(Protocol):
    """Told, after each commit, of the outbox rows it wrote: per INSERT the id of its last row
    and its rows (values in the order of ``unit_of_work.OUTBOX_COLUMNS``); and whether it
    changed who can be reached (a person blocked or unblocked the bot), so what the sender
    learnt of that from its last read no longer holds. For SQLite, whose rows of one INSERT
    have consecutive ids; the runtime sets it so its sender need not read them back."""

    def __call__(self, batches: Sequence[tuple[int, Sequence[Sequence[Any]]]], /, *,
                 reach_changed: bool = False) -> None: ...


class RideAlong(Protocol):
    """Writes waiting for a transaction (the sender's sent marks, on SQLite) that a unit of
    work about to commit takes along, so they cost no transaction of their own: called with
    what gives the unit of work's connection, it writes them there and returns what to call
    once the commit is over (True: committed; False: it failed, and they wait again), or None
    if nothing waited."""

    def __call__(self, connect: Callable[[], Connection], /) -> Callable[[bool], None] | None:
        ...


@dataclass(frozen=True, slots=True)
class Office:
    """Database, clock, time zone, catalog and rules: what a handler is given."""

    engine: Engine
    clock: Clock
    timezone: ZoneInfo
    catalog: Catalog
    rules: OfficeRules = field(default_factory=OfficeRules)
    outbox_listener: OutboxListener | None = None
    ride_along: RideAlong | None = None

    @property
    def hours(self) -> OfficeHours:
        """The office's opening hours, lunch break and holidays (its calendar file)."""
        return load_office_hours(self.rules.office_calendar_path)
