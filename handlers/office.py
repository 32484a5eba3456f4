"""The dependencies every use case needs, wired once by ``bot/bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from handlers.catalog import Catalog
from handlers.clock import Clock


@dataclass(frozen=True, slots=True)
class OfficeRules:
    """The office's configurable deadlines and contacts (SPEC defaults)."""

    hotline: str = "400-000-0000"
    dispatch_deadline: timedelta = timedelta(minutes=15)
    auto_confirm_after: timedelta = timedelta(hours=48)
    response_deadline: timedelta = timedelta(hours=24)
    survey_day_start: int = 9
    survey_day_end: int = 20
    bot_username: str = ""


@dataclass(frozen=True, slots=True)
class Office:
    """Database, clock, time zone, catalog and rules: what a handler is given."""

    engine: Engine
    clock: Clock
    timezone: ZoneInfo
    catalog: Catalog
    rules: OfficeRules = field(default_factory=OfficeRules)
