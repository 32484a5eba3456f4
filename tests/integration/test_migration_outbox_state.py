"""Migration 0003 keeps every outbox row and moves the state once written into ``error``
(``parts_done=N; 429: reason``) into its own columns — and back on downgrade — on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from storage.db import alembic_config, make_engine

OLD_ROWS = [  # (status, error) as the sender wrote them before 0003
    ("pending", "parts_done=2; 429: Too Many Requests: retry after 7"),
    ("pending", "parts_done=1"),
    ("pending", "429: Too Many Requests: retry after 3"),
    ("pending", "parts_done=3; Bad Gateway"),
    ("failed", "gave up: Bad Gateway"),
    ("sent", ""),
]
EXPECTED = [  # (parts_sent, rate_limited, last_error)
    (2, True, "Too Many Requests: retry after 7"),
    (1, False, ""),
    (0, True, "Too Many Requests: retry after 3"),
    (3, False, "Bad Gateway"),
    (0, False, "gave up: Bad Gateway"),
    (0, False, ""),
]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'frontline.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_outbox_state_moves_into_columns_and_back(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as connection:
        for number, (status, error) in enumerate(OLD_ROWS, start=1):
            connection.execute(text(
                "INSERT INTO outbox (id, chat_id, op, priority, text, photos, ref, callback_id,"
                " alert, status, attempts, error, created_at) VALUES (:id, :chat, 'send', 0,"
                " :text, '[]', '', '', false, :status, 1, :error, :at)"),
                {"id": number, "chat": 100 + number, "text": f"message {number}",
                 "status": status, "error": error, "at": now})

    command.upgrade(config, "0003")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, text, status, parts_sent, rate_limited, last_error FROM outbox"
            " ORDER BY id")).all()
    assert [(r.id, r.text, r.status) for r in rows] == [
        (n, f"message {n}", status) for n, (status, _) in enumerate(OLD_ROWS, start=1)]
    assert [(r.parts_sent, bool(r.rate_limited), r.last_error) for r in rows] == EXPECTED

    command.downgrade(config, "0002")
    with engine.connect() as connection:
        errors = connection.execute(text("SELECT error FROM outbox ORDER BY id")).scalars().all()
    assert list(errors) == [error for _, error in OLD_ROWS]
    engine.dispose()
