"""An edit by ref finds its message through the (chat_id, ref, id) index (migration 0011): a
staff chat holds every alert and card it was ever sent, and by chat alone the lookup read
them all. On SQLite and PostgreSQL; the migration goes down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from handlers.office.unit_of_work import SHOWN_UNDER_REF
from storage.db import alembic_config, make_engine


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'frontline.db'}"
    return str(request.getfixturevalue("postgres_url"))


def outbox_indexes(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {str(i["name"]) for i in inspect(engine).get_indexes("outbox")}
    finally:
        engine.dispose()


def test_the_outbox_is_indexed_by_chat_and_ref_and_the_migration_goes_both_ways(
        url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert {"ix_outbox_chat_ref", "ix_outbox_ref", "ix_outbox_pending"} <= outbox_indexes(url)
    assert "ix_outbox_chat_id" not in outbox_indexes(url)
    command.downgrade(config, "0010_survey_per_visit")
    assert "ix_outbox_chat_id" in outbox_indexes(url)
    assert "ix_outbox_chat_ref" not in outbox_indexes(url)
    command.upgrade(config, "head")
    assert "ix_outbox_chat_ref" in outbox_indexes(url)


def test_a_lookup_by_ref_in_a_busy_chat_uses_the_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as connection:
        compiled = SHOWN_UNDER_REF.compile(engine)
        values = compiled.construct_params({"chat": -1001, "ref": "card:1"})
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled),
            tuple(values[name] for name in compiled.positiontup or ())).all()
    engine.dispose()
    assert any("ix_outbox_chat_ref" in str(row) and "ref=?" in str(row) for row in plan), plan
