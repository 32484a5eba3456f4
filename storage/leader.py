"""One leader at a time across all processes: a lock next to the database, and the loop that
holds it.

Two outbox senders would each respect the rate limits and together break them, and could send
the same row twice; two schedulers would run each job twice. PostgreSQL: a session-level
advisory lock held on a dedicated connection (released by the server if the process dies).
SQLite: an OS file lock beside the database file (released by the kernel if the process dies,
even on kill -9).

:func:`lead` is the one loop the sender (``bot/runtime.py``) and the scheduler
(``scheduler/service.py``) both run: try the lock, run while it is held, stop at once when it
is lost, and try again — after a failed database connect too, with a capped back-off and one
log line per failed attempt. It only ends when told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, TypeVar

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
T = TypeVar("T")

# pg_try_advisory_lock takes a bigint; any constant unique to this application will do.
ADVISORY_KEY = 0x46524F4E544C494E  # "FRONTLIN"
# In-memory databases live in one process: a process-wide lock per URL is exact there.
_LOCAL: dict[str, threading.Lock] = {}
FOLLOWER_RETRY = 2.0  # seconds between a follower's attempts to take the lead
# Seconds between checks that the lock is still ours. A PostgreSQL restart drops the lock
# without a word; the old leader must notice before a follower, trying every FOLLOWER_RETRY,
# can take it over, or two leaders would run side by side.
LEADER_RECHECK = 1.0
# The longest wait between attempts while the database is down: short enough that the lead
# is taken again well within 30 s of the database coming back.
FAILURE_BACKOFF_CAP = 5.0


class Leadership(Protocol):
    """A leader lock: :class:`LeaderLock` in production, a stand-in in tests."""

    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


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
            self._engine = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        connection = self._engine.connect()
        key = ADVISORY_KEY ^ zlib.crc32(self.name.encode())  # stable across processes
        try:
            got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                          {"k": key}).scalar())
            connection.commit()
        except Exception:
            connection.close()
            raise
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


async def _in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


async def lead(lock: Leadership, run: Callable[[asyncio.Event], Awaitable[None]],
               stop: asyncio.Event, *, name: str, retry: float = FOLLOWER_RETRY,
               recheck: float = LEADER_RECHECK, backoff_cap: float = FAILURE_BACKOFF_CAP,
               handover: float = 0.0,
               call: Callable[[Callable[[], bool]], Awaitable[bool]] = _in_thread) -> None:
    """Run ``run(lost)`` whenever this process holds *lock*, until *stop* is set.

    ``run`` must return soon after its *lost* event is set (on shutdown, or when the lock
    turns out to be gone). A follower tries again every *retry* seconds. When trying the lock
    fails (the database is unreachable) or ``run`` raises, the attempt is logged once and
    retried after a back-off that doubles up to *backoff_cap*; the lock is released before
    each new attempt. Lock calls go through *call* (a thread of the caller's choosing: a file
    lock belongs to the thread that took it).

    A lock taken after the database was unreachable may have been dropped by a database
    restart while another process still led: that one is winding down and may still be
    writing what it did. ``run`` then starts only after *handover* seconds.
    """
    failures = 0
    outage = False  # the database failed us since we last led
    while not stop.is_set():
        try:
            leading = await call(lock.try_acquire)
        except Exception as error:
            failures += 1
            outage = True
            delay = min(backoff_cap, retry * 2 ** (failures - 1))
            log.warning("leader: could not try the %s lock (attempt %d, next in %.1fs): %s",
                        name, failures, delay, error, exc_info=failures == 1)
            await _wait(stop, delay)
            continue
        if not leading:
            failures, outage = 0, False  # someone else took the lead after any outage
            await _wait(stop, retry)
            continue
        lost = asyncio.Event()
        watch = asyncio.create_task(_watch(lock, stop, lost, name, recheck, call),
                                    name=f"leader:{name}")
        try:
            if outage and handover:
                log.info("leader: the %s starts in %.1fs, once any former leader has "
                         "finished writing", name, handover)
                await _wait(lost, handover)
            outage = False
            if not lost.is_set():
                await run(lost)
            failures = 0
        except Exception as error:
            failures += 1
            delay = min(backoff_cap, retry * 2 ** (failures - 1))
            log.warning("leader: the %s stopped on an error (attempt %d, next in %.1fs): %s",
                        name, failures, delay, error, exc_info=True)
        else:
            delay = 0.0
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            try:
                await call(_releasing(lock))
            except Exception:
                log.warning("leader: releasing the %s lock failed", name, exc_info=True)
        if delay:
            await _wait(stop, delay)


def _releasing(lock: Leadership) -> Callable[[], bool]:
    def release() -> bool:
        lock.release()
        return True
    return release


async def _watch(lock: Leadership, stop: asyncio.Event, lost: asyncio.Event, name: str,
                 recheck: float, call: Callable[[Callable[[], bool]], Awaitable[bool]]) -> None:
    """Set *lost* on shutdown, or as soon as the lock turns out to be gone."""
    while not stop.is_set():
        await _wait(stop, recheck)
        if stop.is_set():
            break
        try:
            held = await call(lock.still_held)
        except Exception:
            held = False
        if not held:
            log.warning("leader: lost the %s lock; stopping until it is ours again", name)
            break
    lost.set()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
