"""Cluster benchmark: prints figures, asserts nothing.

    uv run python tests/benchmarks/cluster_bench.py [--workers 1 2 4] [--updates 1200]
                                                    [--rate 100] [--no-failover]
                                                    [--outage 60] [--framework aiogram]

The README's "Deploying" topology on this machine (``tests/e2e/cluster.py``): PostgreSQL of
its own (pgserver), N ``frontline run --webhook`` workers on loopback, nginx on
``bot/deploy/nginx.conf`` in front, the emulator (in this process) pushing updates to nginx
as Telegram does. The load is people who have not bound their chat yet: each message they
write is one whole update through the office's core (person lookup, dedupe claim, dialog,
outbox) and gets exactly one reply, so replies are counted against updates. A fresh database
and fresh processes for every row.

1. Throughput, 1 / 2 / 4 workers: ``--updates`` updates queued at once; updates/s until every
   webhook was answered 2xx (taken in and committed), and until every reply was delivered
   (one leader sends them all).
2. Latency at a steady ``--rate`` updates/s (100) for 10 s: update → reply p50 / p99 per
   worker count.
3. Failover: under a steady 50 updates/s, kill -9 the worker leading the sender; seconds until
   another worker leads, the longest wait for a reply to an update written from a second
   before the kill on, duplicates and losses.
4. PostgreSQL outage: under a steady 20 updates/s, the server is stopped for ``--outage``
   seconds; seconds from its return until every reply is out, the webhook 5xx answers
   (Telegram redelivers), duplicates and losses, and whether every worker is still running.

Measured 2026-12-02 on the 2-core development machine while other jobs ran (load average
≈ 5; one run each, so read them as rough), aiogram, pgserver's PostgreSQL 16:

| workers | updates/s taken in | replies/s | p50 / p99 at 100 updates/s | doubled / lost |
|---|---|---|---|---|
| 1 | 161 | 160 | 153 / 728 ms | 0 / 0 |
| 2 | 236 | 205 | 93 / 542 ms | 0 / 0 |
| 4 | 127–147 | 106–124 | 86–97 / 253–825 ms | 0 / 0 |

Four workers on two cores only add contention (each is a whole Python process with its own
triage model); more workers pay off with more cores. kill -9 of the leader among 4: another
led after 0.2–0.7 s, the longest update → reply around it 1.2 s, 0 doubled / 0 lost of 1,000.
PostgreSQL stopped for 60 s under 20 updates/s: 18,776 webhook deliveries answered 500 and
were delivered again, the backlog was answered 12.9 s after the server returned (up to 5 s
until a worker tries the lead again, then the sender's 7 s hand-over), 0 doubled / 0 lost of
1,600, both workers still running.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.emulator import Emulator, start_emulator
from tests.conftest import new_database
from tests.e2e.cluster import Cluster, Postgres, Strangers, office_with_residents
from tests.support.emulator import TEST_TOKEN

PEOPLE = 200


def fresh_database(server_url: str) -> str:
    """A new, empty database on the benchmark's server, upgraded to the newest schema."""
    url = new_database(server_url, "bench")
    office, _ = office_with_residents(url, 0)
    office.engine.dispose()
    return url


async def until(check: Callable[[], bool], within: float, every: float = 0.01) -> float:
    """Wait for *check*; returns the monotonic time it became true."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark phase did not finish")
        await asyncio.sleep(every)
    return time.monotonic()


async def stamping(strangers: Strangers, stop: asyncio.Event) -> None:
    """Note when each reply shows up, every 10 ms, until *stop*."""
    while not stop.is_set():
        strangers.stamp()
        await asyncio.sleep(0.01)
    strangers.stamp()


async def paced(strangers: Strangers, per_second: float, seconds: float) -> None:
    """People write at a steady rate (one person after another)."""
    started = time.monotonic()
    for n in range(int(per_second * seconds)):
        await asyncio.sleep(max(0.0, started + n / per_second - time.monotonic()))
        strangers.say(strangers.users[n % len(strangers.users)])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@asynccontextmanager
async def cluster_of(server: Postgres, root: Path, workers: int,
                     framework: str) -> AsyncIterator[tuple[Cluster, Emulator]]:
    """An emulator and *workers* workers on a fresh database of *server*."""
    running = await start_emulator(token=TEST_TOKEN)
    cluster = Cluster(root / f"{workers}w-{uuid.uuid4().hex[:6]}", running.url,
                      fresh_database(server.url), framework)
    cluster.root.mkdir(parents=True)
    try:
        await cluster.start(workers)
        yield cluster, running.emulator
    finally:
        await cluster.stop()
        await running.stop()


async def throughput(server: Postgres, root: Path, workers: int, updates: int,
                     framework: str, rate: float) -> list[str]:
    async with cluster_of(server, root, workers, framework) as (_, emulator):
        strangers = Strangers(emulator, PEOPLE)
        await asyncio.sleep(3)  # the triage warm-up of every worker is done
        started = time.monotonic()
        strangers.write(max(1, updates // PEOPLE))
        taken = await until(lambda: emulator.pending_update_count == 0, within=600)
        replied = await until(strangers.answered, within=600)
        await asyncio.sleep(1)
        sent = strangers.sent
        burst = (f"{workers} worker(s): {sent / (taken - started):6.0f} updates/s taken in, "
                 f"{sent / (replied - started):6.0f} /s replied ({sent} updates; doubled "
                 f"{strangers.doubled()}, lost {strangers.missing()})")
        latency = Strangers(emulator, PEOPLE)
        stop = asyncio.Event()
        watcher = asyncio.create_task(stamping(latency, stop))
        await paced(latency, rate, 10)
        await until(latency.answered, within=120)
        stop.set()
        await watcher
        times = latency.latencies()
        steady = (f"{workers} worker(s) at {rate:.0f} updates/s: update → reply p50 "
                  f"{percentile(times, 0.5) * 1000:5.0f} ms, p99 "
                  f"{percentile(times, 0.99) * 1000:5.0f} ms (doubled {latency.doubled()}, "
                  f"lost {latency.missing()})")
        return [burst, steady]


async def failover(server: Postgres, root: Path, workers: int, framework: str) -> str:
    async with cluster_of(server, root, workers, framework) as (cluster, emulator):
        strangers = Strangers(emulator, PEOPLE)
        await asyncio.sleep(3)  # the triage warm-up of every worker is done
        stop = asyncio.Event()
        watcher = asyncio.create_task(stamping(strangers, stop))
        load = asyncio.create_task(paced(strangers, 50, 20))
        await asyncio.sleep(6)
        (leader,) = cluster.leading_sender()
        await leader.kill()
        killed = time.monotonic()
        taken_over = await until(lambda: len(cluster.leading_sender()) == 1, within=60, every=0.05)
        await load
        await until(strangers.answered, within=120)
        await asyncio.sleep(2)
        stop.set()
        await watcher
        # The updates written from a second before the kill on: their replies wait for it.
        worst = max(reply - sent for user in strangers.users for sent, reply in zip(
            strangers.sent_at[user], strangers.replied_at[user], strict=False)
            if sent > killed - 1)
        return (f"kill -9 of the leader among {workers}: another leads after "
                f"{taken_over - killed:.1f} s; longest update → reply around it "
                f"{worst:.1f} s; "
                f"doubled {strangers.doubled()}, lost {strangers.missing()} "
                f"of {strangers.sent}")


async def outage(root: Path, seconds: float, framework: str) -> str:
    server = Postgres().start()  # one of its own: it is stopped
    try:
        async with cluster_of(server, root, 2, framework) as (cluster, emulator):
            strangers = Strangers(emulator, PEOPLE)
            stop = asyncio.Event()
            watcher = asyncio.create_task(stamping(strangers, stop))
            load = asyncio.create_task(paced(strangers, 20, seconds + 20))
            await asyncio.sleep(5)
            failures = emulator.stats.webhook_failures
            server.stop()
            await asyncio.sleep(seconds)
            refused = emulator.stats.webhook_failures - failures
            server.resume()
            back = time.monotonic()
            await load
            await until(strangers.answered, within=300)
            await asyncio.sleep(2)
            stop.set()
            await watcher
            # When the last update written before the server returned got its reply.
            caught_up = max(reply for user in strangers.users for sent, reply in zip(
                strangers.sent_at[user], strangers.replied_at[user], strict=False)
                if sent < back)
            alive = sum(w.running for w in cluster.workers)
            return (f"PostgreSQL stopped {seconds:.0f} s under 20 updates/s: "
                    f"{refused} webhook deliveries answered 5xx (redelivered); the backlog "
                    f"answered {caught_up - back:.1f} s after it returned; doubled "
                    f"{strangers.doubled()}, lost {strangers.missing()} of {strangers.sent}; "
                    f"{alive}/{len(cluster.workers)} workers running")
    finally:
        server.close()


async def main(workers: list[int], updates: int, seconds: float, framework: str, *,
               rate: float = 100.0, failover_too: bool = True) -> None:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as folder:
        root = Path(folder)
        server = Postgres().start()
        try:
            for count in workers:
                for line in await throughput(server, root, count, updates, framework, rate):
                    print(line, flush=True)
                    lines.append(line)
            if failover_too:
                line = await failover(server, root, max(workers), framework)
                print(line, flush=True)
                lines.append(line)
        finally:
            server.close()
        if seconds:
            line = await outage(root, seconds, framework)
            print(line, flush=True)
            lines.append(line)
    print("\n".join(["", f"summary ({framework}; one run of each, on a shared machine):",
                     *lines]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--updates", type=int, default=1200)
    parser.add_argument("--outage", type=float, default=60.0,
                        help="seconds PostgreSQL is stopped (0: skip that phase)")
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--rate", type=float, default=100.0,
                        help="updates/s of the steady latency phase")
    parser.add_argument("--failover", action=argparse.BooleanOptionalAction, default=True,
                        help="kill -9 the leader under load")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.workers, arguments.updates, arguments.outage,
                     arguments.framework, rate=arguments.rate, failover_too=arguments.failover))
