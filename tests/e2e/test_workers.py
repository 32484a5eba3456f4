"""Outgrowing one machine: several ``frontline run --webhook`` workers behind nginx on one
PostgreSQL, as the README's "Deploying" section sets them up. One of them leads (sends the
outbox, runs the scheduler); when it is killed another takes over; when PostgreSQL goes away
for a while the webhooks answer 5xx, Telegram delivers again, and nothing is lost or doubled.

Correctness only — one reply per update, one leader, a takeover — never timing: the waits are
generous for a loaded 2-core machine. The figures are ``tests/benchmarks/cluster_bench.py``'s.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.emulator import RunningEmulator
from tests.e2e.cluster import (
    LEADS_SENDER,
    Cluster,
    Strangers,
    advisory_locks,
    on_postgres_of_its_own,
)
from tests.e2e.harness import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
PEOPLE = 30
SETTLE = 60.0  # seconds every wait may take on a busy machine
OUTAGE = 60.0  # seconds PostgreSQL is away under load, as the issue asks


async def answered_once_each(strangers: Strangers, cluster: Cluster) -> float:
    """Wait until every update has its reply (returns when that was); then, a moment later,
    no reply is doubled."""
    try:
        await eventually(strangers.answered, within=SETTLE, every=0.1)
    except AssertionError:
        raise AssertionError(f"{strangers.missing()} of {strangers.sent} updates unanswered\n"
                             f"{cluster.logs()}") from None
    answered = time.monotonic()
    await asyncio.sleep(1.0)  # a second copy would have been sent by now
    assert strangers.doubled() == 0, cluster.logs()
    return answered


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_workers_answer_each_update_once_and_a_killed_leader_is_replaced(
        emulator: RunningEmulator, tmp_path: Path, framework: str) -> None:
    async with on_postgres_of_its_own(tmp_path, emulator.url, 3, framework) as (database,
                                                                                cluster):
        # One of them leads; the others follow.
        await eventually(lambda: len(cluster.leading_sender()) == 1, within=SETTLE,
                         every=0.1)
        # The sender's and the scheduler's, once (the scheduler starts once receiving has).
        await eventually(lambda: advisory_locks(database.url) == 2, within=SETTLE, every=0.2)
        strangers = Strangers(emulator.emulator, PEOPLE)
        strangers.write(3)
        await answered_once_each(strangers, cluster)

        # kill -9 the leader; the people go on writing while nobody leads.
        (leader,) = cluster.leading_sender()
        await leader.kill()
        killed = time.monotonic()
        strangers.write(3)
        await eventually(lambda: len(cluster.leading_sender()) == 1, within=SETTLE,
                         every=0.1)
        print(f"\nthe sender's lead taken over {time.monotonic() - killed:.1f} s after "
              "kill -9")
        await answered_once_each(strangers, cluster)
        (successor,) = cluster.leading_sender()
        assert successor is not leader and LEADS_SENDER in successor.log()
        await eventually(lambda: advisory_locks(database.url) == 2, within=SETTLE, every=0.2)
        assert sum(w.running for w in cluster.workers) == 2


async def test_a_postgresql_outage_under_load_loses_and_doubles_nothing(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with on_postgres_of_its_own(tmp_path, emulator.url, 2) as (database, cluster):
        strangers = Strangers(emulator.emulator, PEOPLE)
        strangers.write(2)
        await answered_once_each(strangers, cluster)

        database.stop()
        stats = emulator.emulator.stats
        failures_before = stats.webhook_failures
        stopped = time.monotonic()
        while time.monotonic() - stopped < OUTAGE:  # people keep writing meanwhile
            strangers.write(1)
            await asyncio.sleep(OUTAGE / 5)
        # The webhooks said 500 and Telegram (the emulator) keeps delivering again.
        assert stats.webhook_failures > failures_before
        assert emulator.emulator.webhook is not None
        assert " 500 " in (emulator.emulator.webhook.last_error_message or "")
        assert emulator.emulator.pending_update_count > 0
        assert all(w.running for w in cluster.workers), cluster.logs()

        database.resume()
        back = time.monotonic()
        answered = await answered_once_each(strangers, cluster)
        print(f"\nPostgreSQL away {back - stopped:.0f} s; every reply out "
              f"{answered - back:.1f} s after it came back")
        assert all(w.running for w in cluster.workers), cluster.logs()
        assert len(cluster.leading_sender()) == 1
        await eventually(lambda: advisory_locks(database.url) == 2, within=SETTLE, every=0.2)

