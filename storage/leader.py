"""One outbox sender across all processes: a leader lock next to the database.

Two senders would each respect the rate limits and together break them, and could send the
same row twice. PostgreSQL: a session-level advisory lock held on a dedicated connection
(released by the server if the process dies). SQLite: an OS file lock beside the database
file (released by the kernel if the process dies, even on kill -9).
"""

from __future__ import annotations

import logging
import threading
import zlib
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# pg_try_advisory_lock takes a bigint; any constant unique to this application will do.
ADVISORY_KEY = 0x46524F4E544C494E  # "FRONTLIN"
# In-memory databases live in one process: a process-wide lock per URL is exact there.
_LOCAL: dict[str, threading.Lock] = {}


class LeaderLock:
    """``try_acquire()`` without blocking; ``still_held()`` to notice a lost connection."""

    def __init__(self, database_url: str, name: str = "sender") -> None:
        self.database_url = database_url
        self.name = name
        self._file: FileLock | None = None
        self._local: threading.Lock | None = None
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database in ("", ":memory:") or database.startswith("file::memory:"):
                self._local = _LOCAL.setdefault(f"{database_url}#{name}", threading.Lock())
            else:
                # Not thread-local: asyncio.to_thread may acquire and release on different
                # threads. No soft-lock fallback: a lock file left by kill -9 would block
                # every later leader, where an OS lock dies with its process.
                self._file = FileLock(str(Path(database).resolve()) + f".{name}.lock",
                                      thread_local=False, fallback_to_soft=False)
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True if we are (now) the leader."""
        if self.held:
            return True
        if self._file is not None:
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                return False
            self.held = True
        elif self._local is not None:
            self.held = self._local.acquire(blocking=False)
        else:
            self.held = self._try_postgres()
        if self.held:
            log.info("leader: this process now runs the %s", self.name)
        return self.held

    def _try_postgres(self) -> bool:
        url = self.database_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if self._engine is None:
            self._engine = create_engine(url, pool_size=1, max_overflow=0)
        connection = self._engine.connect()
        key = ADVISORY_KEY ^ zlib.crc32(self.name.encode())  # stable across processes
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
                   .scalar())
        connection.commit()
        if got:
            self._connection = connection
        else:
            connection.close()
        return got

    def still_held(self) -> bool:
        """False if the lock was lost (the PostgreSQL connection dropped)."""
        if not self.held:
            return False
        if self._connection is None:
            return True
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
        except Exception:
            log.warning("leader: lost the database connection holding the %s lock", self.name)
            self.release()
            return False
        return True

    def release(self) -> None:
        """Give the lock up (at shutdown, or after losing it)."""
        if not self.held:
            return
        self.held = False
        if self._file is not None:
            self._file.release()
        elif self._local is not None:
            self._local.release()
        elif self._connection is not None:
            try:
                self._connection.close()  # closing the session releases its advisory locks
            finally:
                self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
