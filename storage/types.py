"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; always hand back aware UTC datetimes.

    SQLite has no time zones, so without this a value would come back naive and comparisons
    with the injected clock's aware "now" would fail.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_text(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME text: naive UTC, always with microseconds.
    return _aware_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC)


def stored_datetime(dialect_name: str) -> Callable[[datetime], Any]:
    """What :class:`UtcDateTime` hands the driver for an aware datetime, for rows written
    straight through the DBAPI: SQLAlchemy's processing of each value costs more than the
    insert itself when a timer pass writes thousands of rows."""
    return _sqlite_text if dialect_name == "sqlite" else _aware_utc
