"""Several workers started at once each upgrade the same empty PostgreSQL database: one
migrates, the others wait for it and find the schema at head — none fails, none migrates
twice (``storage/migrations/env.py`` takes an advisory lock for the upgrade)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from storage.db import declared_head, make_engine

pytestmark = pytest.mark.postgres
WORKERS = 4


def test_workers_upgrading_at_once_leave_one_schema_at_head(postgres_url: str) -> None:
    upgrade = f"from storage.db import upgrade; upgrade({postgres_url!r})"
    workers = [subprocess.Popen([sys.executable, "-c", upgrade], stderr=subprocess.PIPE,
                                text=True) for _ in range(WORKERS)]
    failures = [error for worker in workers
                if (error := worker.communicate(timeout=120)[1]) and worker.returncode != 0]
    assert not failures, failures[0]
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert [row[0] for row in versions] == [declared_head()]
            assert "outbox" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
