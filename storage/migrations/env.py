"""Alembic environment: the schema is SQLModel's metadata."""

from __future__ import annotations

import zlib

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.announcements  # (registers the announcements and outage tables)
import storage.appointments  # (registers the visit windows)
import storage.complaints  # (registers the complaint desk's tables)
import storage.fees  # (registers the fee desk's tables)
import storage.followups  # (registers the callback-survey and follow-up tables)
import storage.models  # noqa: F401  (registers the tables)
from storage.db import make_engine
from storage.leader import ADVISORY_KEY

# Workers started together each run the upgrade: on PostgreSQL one migrates while the others
# wait on this lock, then find the schema at head (the lock ends with the transaction).
MIGRATING = ADVISORY_KEY ^ zlib.crc32(b"migrations")

config = context.config
url = config.get_main_option("sqlalchemy.url") or "sqlite:///frontline.db"
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATING})
        context.run_migrations()
engine.dispose()
