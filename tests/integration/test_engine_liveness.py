"""A pooled PostgreSQL connection the server closed is replaced at checkout, without the
round trip ``pool_pre_ping`` spent on every transaction (storage.db)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import make_engine


def test_a_connection_the_server_closed_is_replaced(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    admin = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.begin() as connection:  # the server ends it, as a restart would
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                      {"pid": backend}).scalar_one()
        with engine.connect() as connection:  # no error: a fresh connection
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
    finally:
        engine.dispose()
        admin.dispose()


def test_a_live_connection_costs_no_ping(postgres_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(postgres_url)
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection))
    try:
        for _ in range(3):
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 42")).scalar_one() == 42
        pooled = engine.pool.checkedin()  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    assert pings == []
    assert pooled == 1  # the same connection served all three
