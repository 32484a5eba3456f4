"""The one place that wires Frontline together: settings → engine, clock, catalog → Office."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings
from dialogs.triage import warm_up
from handlers.catalog import load_catalog
from handlers.clock import Clock, SystemClock
from handlers.office import Office, OfficeRules
from storage.db import make_engine, upgrade


def office_rules(settings: Settings) -> OfficeRules:
    return OfficeRules(
        hotline=settings.hotline,
        dispatch_deadline=timedelta(minutes=settings.dispatch_deadline_minutes),
        auto_confirm_after=timedelta(hours=settings.auto_confirm_hours),
        response_deadline=timedelta(hours=settings.response_deadline_hours),
        survey_day_start=settings.survey_day_start,
        survey_day_end=settings.survey_day_end,
        bot_username=settings.bot_username,
    )


def build_office(settings: Settings, clock: Clock | None = None) -> Office:
    """Everything the handlers need, from the settings (triage dictionaries load here, once)."""
    warm_up()
    return Office(
        engine=make_engine(settings.database_url),
        clock=clock or SystemClock(),
        timezone=ZoneInfo(settings.timezone),
        catalog=load_catalog(settings.catalog_path),
        rules=office_rules(settings),
    )


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the schema (idempotent; safe at every start)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.database_url)
