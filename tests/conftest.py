"""Shared fixtures: an office on a fresh database with a clock that only moves when told."""

from __future__ import annotations

import functools
import os
import socket
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import pytest

from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import FakeClock
from storage.db import make_engine, upgrade

pytest_plugins = ["tests.support.live"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday morning


@pytest.fixture(autouse=True)
def _no_real_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything tries to reach the real Bot API."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, str) and host.endswith("telegram.org"):
            raise RuntimeError(f"tests must not reach {host}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@functools.cache
def _sqlite_at_head() -> Path:
    """A SQLite file this process migrated to the newest schema, once."""
    template = Path(tempfile.mkdtemp(prefix="frontline-schema-")) / "head.db"
    upgrade(f"sqlite:///{template}")
    return template


def migrated(url: str) -> None:
    """Bring the database at *url* to the newest schema. A new SQLite file is a copy of one
    this process migrated once: running the migrations took ~0.35 s of every test."""
    prefix = "sqlite:///"
    path = Path(url.removeprefix(prefix))
    if not url.startswith(prefix) or path.exists():
        upgrade(url)
        return
    # The backup API copies a consistent database whatever its journal mode.
    with closing(sqlite3.connect(_sqlite_at_head())) as source, \
            closing(sqlite3.connect(path)) as copy:
        source.backup(copy)


def make_office(url: str, clock: FakeClock | None = None) -> Office:
    migrated(url)
    return Office(engine=make_engine(url), clock=clock or FakeClock(START), timezone=SHANGHAI,
                  catalog=load_catalog())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def office(tmp_path: Path, clock: FakeClock) -> Iterator[Office]:
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", clock)
    yield office
    office.engine.dispose()


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


INSTALL = "; install it with: "  # what the summary below looks for in a skip's reason


def unavailable(why: str, command: str) -> NoReturn:
    """Skip for want of something a developer can install with *command*; under CI, fail.

    The reason says the command, and :func:`pytest_terminal_summary` repeats it after the
    results, so a missing browser is never a silent "1 skipped".
    """
    reason = f"{why}{INSTALL}{command}"
    if ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After the results, each command that would have run the tests skipped for want of it
    (pytest hides skip reasons without ``-rs``)."""
    skipped: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
        if INSTALL in reason:
            reason = reason.removeprefix("Skipped: ")
            skipped[reason] = skipped.get(reason, 0) + 1
    if not skipped:
        return
    terminalreporter.section("tests skipped for want of something installed", sep="!",
                             yellow=True, bold=True)
    for reason, count in skipped.items():
        terminalreporter.line(f"{count} skipped: {reason}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL 16 (pgserver), started once per test session."""
    try:
        import pgserver
    except ImportError:  # pragma: no cover - pgserver is a dev dependency
        unavailable("PostgreSQL tests need pgserver (a dev dependency)", "uv sync")
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield str(server.get_uri())
    server.cleanup()


@pytest.fixture(scope="session")
def postgres_schema(postgres_server: str) -> str:
    """The name of a database on the shared server migrated to the newest schema, once."""
    from sqlalchemy.engine import make_url

    url = new_database(postgres_server, "head")
    upgrade(url)
    return str(make_url(url).database)


@pytest.fixture
def postgres_url(postgres_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the shared server for one test."""
    return new_database(postgres_server)


def new_database(server_url: str, prefix: str = "t", *, template: str | None = None) -> str:
    """Create a fresh database on the server at *server_url*, empty or a copy of *template*
    (PostgreSQL copies its files: far quicker than migrating); returns its URL."""
    import uuid

    from sqlalchemy import text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    admin_engine = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    admin_engine.dispose()
    base, _, query = server_url.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


@pytest.fixture(params=["sqlite", "postgres"])
def any_office(request: pytest.FixtureRequest, tmp_path: Path,
               clock: FakeClock) -> Iterator[Office]:
    """The same office on SQLite and on PostgreSQL, for storage-sensitive tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'frontline.db'}"
    else:  # a copy of the migrated database: the same schema, without migrating each time
        url = new_database(request.getfixturevalue("postgres_server"),
                           template=request.getfixturevalue("postgres_schema"))
    office = make_office(url, clock)
    yield office
    office.engine.dispose()
