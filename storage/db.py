"""Engine and sessions: SQLite in WAL mode with up-front write locks, or PostgreSQL."""

from __future__ import annotations

import re
import select
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

if TYPE_CHECKING:  # Alembic is imported only when there is a migration to run
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "frontline_read_only"
# What each migration file declares (Alembic's own template): revision and down_revision.
DECLARED_REVISION = re.compile(r"^revision\b[^=]*=\s*['\"]([^'\"]+)['\"]\s*$", re.MULTILINE)
DECLARED_PARENT = re.compile(r"^down_revision\b[^=]*=\s*(?:None|['\"]([^'\"]+)['\"])\s*$",
                             re.MULTILINE)


def make_engine(url: str) -> Engine:
    """Create the engine for *url*, tuned for many small transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=10, max_overflow=10)
    if engine.dialect.driver == "psycopg":
        event.listen(engine, "checkout", _drop_if_closed_by_server)
    return engine


def _drop_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server has closed (restart, terminated backend, idle
    timeout) is replaced at checkout, as ``pool_pre_ping`` would, but without its round trip
    (a SELECT 1 before every transaction, a seventh of an update's on PostgreSQL): an idle
    connection has nothing to read, so a readable socket means the server's goodbye or EOF.
    Whatever this misses fails the transaction, which its caller tries once more."""
    from psycopg.pq import ConnStatus  # loaded already: the connection is psycopg's

    pgconn = dbapi_connection.pgconn
    if dbapi_connection.closed or pgconn.status != ConnStatus.OK or select.select(
            [pgconn.socket], [], [], 0)[0]:
        raise DisconnectionError("closed by the server")


def _tune_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling would start a DEFERRED transaction lazily; a writer
    # that upgrades later can fail with "database is locked", so we take the write lock up front.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for queries only; on SQLite it does not block writers."""
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for queries only; on SQLite it does not block writers."""
    with read_connection(engine) as connection, Session(bind=connection) as session:
        yield session


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to *revision*.

    A database already at the newest migration is left as it is without importing Alembic,
    which costs half a second of every start.
    """
    if revision == "head" and (head := declared_head()) is not None and stored_revisions(
            url) == [head]:
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def declared_head() -> str | None:
    """The newest migration, as the migration files declare it (read as text); None unless
    they form one chain that every file declares plainly — then Alembic decides."""
    files = list((MIGRATIONS_DIR / "versions").glob("*.py"))
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in files:
        source = path.read_text(encoding="utf-8")
        revision, parent = DECLARED_REVISION.search(source), DECLARED_PARENT.search(source)
        if revision is None or parent is None:
            return None
        revisions.add(revision.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(revisions) == len(files) and len(heads) == 1 else None


def stored_revisions(url: str) -> list[str]:
    """The revisions recorded in the database's ``alembic_version`` (none for a new one)."""
    engine = make_engine(url)
    try:
        with read_connection(engine) as connection:
            if not inspect(connection).has_table("alembic_version"):
                return []
            return [str(row[0]) for row in
                    connection.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


