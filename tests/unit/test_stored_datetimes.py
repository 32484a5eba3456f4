"""Rows written straight through the driver (storage.bulk) store a time exactly as SQLAlchemy
would: the same text on SQLite, the same aware UTC value on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from storage.types import UtcDateTime, stored_datetime

MOMENTS = [datetime(2026, 11, 27, 19, 50, tzinfo=timezone(timedelta(hours=8))),
           datetime(2026, 11, 28, 1, 2, 3, 456789, tzinfo=UTC),
           datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-5)))]


PSYCOPG = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("dialect", [sqlite.dialect(), PSYCOPG], ids=["sqlite", "postgresql"])
def test_a_time_is_handed_to_the_driver_as_sqlalchemy_hands_it(dialect: Dialect) -> None:
    through_sqlalchemy = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert through_sqlalchemy is not None
    for moment in MOMENTS:
        assert stored_datetime(dialect.name)(moment) == through_sqlalchemy(moment)
    with pytest.raises(ValueError, match="naive"):
        stored_datetime(dialect.name)(datetime(2026, 11, 27, 19, 50))
