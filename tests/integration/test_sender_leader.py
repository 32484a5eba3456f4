"""Exactly one sender across processes: the leader lock on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.leader import LeaderLock


def test_one_process_leads_on_a_sqlite_file_until_it_lets_go(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    first, second = LeaderLock(url), LeaderLock(url)
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    assert LeaderLock(url, name="scheduler").try_acquire()  # another role, another lock
    first.release()
    assert second.try_acquire()
    second.release()


def test_a_leader_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'frontline.db'}"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from storage.leader import LeaderLock; "
         f"lock = LeaderLock({url!r}); assert lock.try_acquire(); print('held', flush=True); "
         "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not LeaderLock(url).try_acquire()
    finally:
        holder.kill()
        holder.wait()
    lock = LeaderLock(url)
    deadline = time.monotonic() + 5
    while not lock.try_acquire():
        assert time.monotonic() < deadline, "the dead leader's lock was never released"
        time.sleep(0.05)
    lock.release()


def test_an_in_memory_database_leads_within_the_process() -> None:
    first, second = LeaderLock("sqlite://"), LeaderLock("sqlite://")
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


@pytest.mark.postgres
def test_one_process_leads_on_postgresql_and_notices_a_lost_connection(
        postgres_url: str) -> None:
    first, second = LeaderLock(postgres_url), LeaderLock(postgres_url)
    assert first.try_acquire() and not second.try_acquire()
    assert first.still_held()
    admin = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"))
        connection.commit()
    admin.dispose()
    assert not first.still_held()  # the server dropped the lock with the connection
    assert second.try_acquire()
    second.release()
