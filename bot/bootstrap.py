"""Settings → the Office (engine, clock, timezone, catalog, rules) and a ready database.

The runtime (``bot/runtime.py``), the sandbox and the CLI build their office here and wire
the rest — adapter, intake, sender, scheduler — around it themselves.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import Clock, SystemClock
from handlers.office.rules import load_rules
from storage.db import make_engine, upgrade


def build_office(settings: Settings, clock: Clock | None = None) -> Office:
    """Everything the handlers need, from the settings.

    The triage model is not loaded here: ``frontline run`` warms it up beside polling
    (``bot/runtime.py``), and elsewhere the first message triaged loads it.
    """
    return Office(
        engine=make_engine(settings.database_url),
        clock=clock or SystemClock(),
        timezone=ZoneInfo(settings.timezone),
        catalog=load_catalog(settings.catalog_path),
        rules=load_rules(),
    )


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the schema (idempotent; safe at every start)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.database_url)
