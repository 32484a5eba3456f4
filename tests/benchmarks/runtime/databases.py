"""The databases a run's bots use: a fresh SQLite file, or a fresh database on one PostgreSQL
server of the run's own (pgserver, as the multi-worker tests start it), for every bot.

The benchmark looks into them from outside with the plain drivers (sqlite3, psycopg): the
emulator shares this process, and SQLAlchemy's Python would take its time from the emulator.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import new_database
from tests.e2e.cluster import Postgres

DATABASES = ("sqlite", "postgres")
TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


@dataclass
class Database:
    """One bot's database: its URL and a connection of the benchmark's own to look into it."""

    kind: str  # "sqlite" | "postgres"
    url: str
    _probe: Any = None

    def connect(self) -> Any:
        """A DB-API connection that sees every commit as soon as it is made."""
        if self.kind == "sqlite":
            return sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30,
                                   check_same_thread=False)
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def outbox_idle(self) -> bool:
        """Nothing left for the sender: every answer is out."""
        if self._probe is None:
            self._probe = self.connect()
        rows = self._probe.execute("SELECT count(*) FROM outbox WHERE status = 'pending'")
        return bool(rows.fetchone()[0] == 0)

    def committed(self, connection: Any, keys: Iterable[str]) -> list[str]:
        """Which of the dedupe *keys* another connection can see, i.e. are committed."""
        wanted = list(keys)
        if self.kind == "sqlite":
            marks = ", ".join("?" * len(wanted))
            query = f"SELECT key FROM processed_update WHERE key IN ({marks})"
            return [key for (key,) in connection.execute(query, wanted)]
        return [key for (key,) in connection.execute(
            "SELECT key FROM processed_update WHERE key = ANY(%s)", (wanted,))]

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None


@dataclass
class Databases:
    """Hands out a fresh database per bot; PostgreSQL's server is started on first use."""

    workdir: Path
    _server: Postgres | None = None
    _count: int = 0

    def fresh(self, kind: str, name: str) -> Database:
        self._count += 1
        if kind == "sqlite":
            return Database(kind, f"sqlite:///{self.workdir / f'{name}-{self._count}.db'}")
        if self._server is None:
            self._server = Postgres().start()
        return Database(kind, new_database(self._server.url, "bench"))

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None


@dataclass
class CommitWatch:
    """Notes when each expected dedupe key becomes visible from outside, i.e. committed: a
    thread asks the database every millisecond about the keys still outstanding."""

    database: Database
    seen: dict[str, float] = field(default_factory=dict)  # key → wall clock of its commit
    _expected: queue.SimpleQueue[str] = field(default_factory=queue.SimpleQueue)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def expect(self, key: str) -> None:
        self._expected.put(key)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _watch(self) -> None:
        connection = self.database.connect()
        outstanding: set[str] = set()
        try:
            while not self._stop.is_set():
                while not self._expected.empty():
                    outstanding.add(self._expected.get())
                if outstanding:
                    found = self.database.committed(connection, outstanding)
                    now = time.time()
                    for key in found:
                        self.seen[key] = now
                    outstanding.difference_update(found)
                time.sleep(0.001)
        finally:
            connection.close()
