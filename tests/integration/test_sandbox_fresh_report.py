"""A fresh sandbox started early in a month posts last month's report to the managers' group
just after its URL: the scheduler's catch-up waits for the demo estate (its groups bound, its
past written) instead of finding no managers' chat and recording the month as skipped.

The sandbox runs in this process; its clock's "real" present is moved to the 3rd of a month,
whatever today is.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from bot.sandbox import clock as sandbox_clock
from bot.sandbox.server import Options, Sandbox
from bot.sandbox.timers import AfterSeeding
from tests.conftest import SHANGHAI

EARLY = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)  # the report of 2026-11 is due
WITHIN = 120.0  # seconds for the fresh estate and the report (two cores, shared)


def real_time_at(moment: datetime) -> type[datetime]:
    """``datetime`` whose ``now()`` runs from *moment* on, as real time would."""
    shift = moment - datetime.now(UTC)

    class Shifted(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return datetime.now(tz) + shift

    return Shifted


def report_in(sandbox: Sandbox, month: str) -> bool:
    if sandbox.view.world is None:
        return False
    chat = sandbox.emulator.chats[sandbox.view.world.groups["managers"]]
    sent = [m.data for m in chat.messages if m.from_bot]
    return (any(month in m.get("text", "") for m in sent)
            and any("photo" in m for m in sent))


async def test_a_fresh_sandbox_early_in_a_month_posts_last_months_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(sandbox_clock, "datetime", real_time_at(EARLY))
    caplog.set_level(logging.WARNING, logger="handlers.monthly_report.publish")
    urls: list[str] = []
    sandbox = Sandbox(Options(port=0, data=tmp_path / "estate"), urls.append)
    assert abs(sandbox.clock.now() - EARLY) < timedelta(minutes=1)
    running = asyncio.create_task(sandbox.run())
    try:
        deadline = asyncio.get_running_loop().time() + WITHIN
        while not (urls and report_in(sandbox, "2026-11")):
            assert not running.done(), "the sandbox stopped"
            assert "not posted" not in caplog.text, caplog.text
            assert asyncio.get_running_loop().time() < deadline, (
                "no report of 2026-11 in the managers' group", caplog.text)
            await asyncio.sleep(0.2)
    finally:
        sandbox.stop_requested.set()
        await asyncio.wait_for(running, 60)
    assert "not posted" not in caplog.text, caplog.text


class Recording:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def run_due_now(self) -> None:
        self.calls.append("run_due_now")


async def test_the_scheduler_waits_for_the_estate_and_stops_either_way() -> None:
    never, later = Recording(), Recording()
    ready = asyncio.Event()
    unseeded, seeded = AfterSeeding(never, ready), AfterSeeding(later, ready)
    await unseeded.start()
    await seeded.start()
    await asyncio.sleep(0.01)
    assert never.calls == later.calls == []
    await unseeded.stop()  # stopped half-way through seeding: never started
    ready.set()
    await asyncio.sleep(0.01)
    await seeded.stop()
    assert never.calls == [] and later.calls == ["start", "stop"]
