"""The sandbox's clock jump walks through the day (issue 15, item 5): a trainer presses "+1 day"
right after Li reports a leak nobody takes and after Wang signs a finished job. Every follow-up
due in those 24 hours happens at its own moment, in order — the re-post, the 15-minute dispatch
alert, the survey an hour after the signature, the 24-hour escalation — instead of all of them
stamped at the end of the jump, in a burst.

The office runs on the sandbox clock; its scheduler pass and the simulated Telegram stand in for
the sandbox's scheduler and sender, and note the clock each message was delivered at (the
emulator dates messages by the same clock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.sandbox.clock import SandboxClock
from bot.sandbox.timers import Walk, walk
from handlers.office import Office
from scheduler.agenda import next_due
from scheduler.drain import run_due_now
from tests.conftest import SHANGHAI, START, make_office
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS, build_estate
from tests.support.orders import confirm, finish, open_order

SLACK = timedelta(seconds=5)  # real time passes while a stop runs


@pytest.fixture
def sandbox_clock() -> SandboxClock:
    return SandboxClock(SHANGHAI, offset=START - datetime.now(UTC))


@pytest.fixture
def sandbox_office(tmp_path: Path, sandbox_clock: SandboxClock) -> Iterator[Office]:
    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}")
    office = Office(office.engine, sandbox_clock, office.timezone, office.catalog, office.rules)
    yield office
    office.engine.dispose()


def test_a_day_jump_runs_each_follow_up_at_its_own_moment_in_order(
        sandbox_office: Office, sandbox_clock: SandboxClock) -> None:
    office, clock = sandbox_office, sandbox_clock
    estate = build_estate(office, staff_language="en")
    desk = estate.desk
    reported = clock.now()
    leak = open_order(office, estate.neighbour)  # nobody takes it
    signed = open_order(office, estate.resident, status="accepted", assignee=estate.plumber)
    finish(office, signed)
    confirm(office, signed)
    desk.deliver()
    seen = {chat: len(desk.chats.get(chat, [])) for chat in desk.chats}
    arrived: list[tuple[datetime, int, str]] = []

    async def run() -> bool:
        await asyncio.to_thread(run_due_now, office)
        return True

    async def settle() -> None:
        desk.deliver()
        for chat, shown in desk.chats.items():
            arrived.extend((clock.now(), chat, m.text) for m in shown[seen.get(chat, 0):])
            seen[chat] = len(shown)

    target = reported + timedelta(days=1)
    stops = asyncio.run(walk(clock, target, Walk(partial(next_due, office), run, settle)))

    rules = office.rules

    def first(chat: int, words: str) -> datetime:
        return next(at for at, where, text in arrived if where == chat and words in text)

    moments = {
        "re-posted to the plumbers": (first(PLUMBERS, "kitchen tap drips"), rules.repost_after),
        "dispatch alerted": (first(DISPATCH, "Nobody has accepted"),
                             rules.dispatch_deadline - timedelta(minutes=1)),
        "survey sent": (first(estate.resident.user_id, "服务回访"), rules.survey_delay),
        "managers escalated": (first(MANAGERS, "no response for 24 hours"),
                               rules.response_deadline),
    }
    for what, (at, after) in moments.items():
        assert reported + after <= at <= reported + after + SLACK, (what, at - reported)
    stamps = [at for at, _, _ in arrived]
    assert stamps == sorted(stamps), "released in due-time order"
    assert stops >= len(moments)
    assert abs(clock.now() - target) < SLACK
    assert leak and sum(1 for at in stamps if at > target - timedelta(minutes=1)) <= 2, (
        "no burst at the end of the jump")
