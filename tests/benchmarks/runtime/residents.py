"""The office and its residents on the emulator, and the traffic they send: a realistic mix of
70 % texts and 30 % button taps, queued at once or at a steady rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.emulator import Emulator, start_emulator
from dialogs.buttons import Verb, tap
from handlers.registration import roster
from tests.benchmarks.runtime.processes import Baseline, start_echo, stop_echo, until
from tests.e2e.harness import office_for
from tests.support.emulator import TEST_TOKEN

TEXTS = ("厨房水龙头一直滴水", "好的", "明天上午可以吗", "谢谢", "楼道灯不亮了")
RESIDENTS = 200
MENU = tap(Verb.MENU, "my")  # the residents' menu button: "my requests"
ECHO_BUTTON = "again:"  # the lean core's button


def new_office(url: str) -> list[str]:
    """Upgrade the fresh database at *url* and import the households; returns their codes."""
    office = office_for(url)
    rows = [{"building": "1", "room": f"{i:04d}", "name": f"住户{i}",
             "phone": f"1390000{i:04d}"} for i in range(RESIDENTS)]
    roster.import_households(office, enumerate(rows, start=2))
    codes = [code for _, _, code in roster.household_codes(office)]
    office.engine.dispose()
    return codes


async def bind_residents(emu: Emulator, codes: list[str]) -> list[int]:
    """Each resident sends /start CODE; returns their ids once all got the menu."""
    users = [emu.create_user(f"住户{i}", language_code="zh-hans").id for i in range(len(codes))]
    for user, code in zip(users, codes, strict=True):
        emu.send_text(user, f"/start {code}")
    await until(lambda: all(button(emu, u, MENU) for u in users), within=120)
    return users


async def lean_residents(emu: Emulator) -> list[int]:
    """People who said hello to the lean core and got its button back."""
    users = [emu.create_user(f"U{i}", started=True).id for i in range(RESIDENTS)]
    for user in users:
        emu.send_text(user, "hello")
    await until(lambda: all(button(emu, u, ECHO_BUTTON) for u in users))
    return users


def echo_residents(emu: Emulator) -> list[int]:
    """People with a message carrying a button to tap, as our residents have, for the bare
    echo bot (which has no menu of its own)."""
    users = [emu.create_user(f"U{i}", started=True).id for i in range(RESIDENTS)]
    for user in users:
        emu.bot_send(emu.chats[user], {"text": "menu"}, markup={"inline_keyboard": [[
            {"text": "📋", "callback_data": MENU}]]}, count_as=0)
    return users


@asynccontextmanager
async def echo_bot(framework: str, baseline: Baseline, workdir: Path,
                   ) -> AsyncIterator[tuple[Emulator, list[int], int]]:
    """A fresh emulator with :func:`echo_residents` and a fresh bare echo bot polling it:
    (the emulator, the residents, the bot's pid)."""
    running = await start_emulator(token=TEST_TOKEN)
    emu = running.emulator
    try:
        echo = await start_echo(framework, baseline, running.url, workdir)
        users = echo_residents(emu)
        await until(lambda: emu.stats.methods["getUpdates"] > 0)
        yield emu, users, echo.pid
        await stop_echo(echo)
    finally:
        await running.stop()


def button(emu: Emulator, user: int, prefix: str) -> tuple[int, str] | None:
    """The newest bot message in the user's chat with a button whose data starts *prefix*."""
    for record in reversed(emu.chats[user].messages):
        markup = record.data.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for found in row:
                if found.get("callback_data", "").startswith(prefix):
                    return record.message_id, found["callback_data"]
    return None


def inject_one(emu: Emulator, user: int, n: int, prefix: str) -> tuple[int | None, bool]:
    """Update number *n* of the mix (7 texts to 3 taps): (its update_id, whether a text)."""
    found = button(emu, user, prefix) if n % 10 >= 7 else None
    if found is not None:
        _, update_id = emu.press_button(user, callback_data=found[1], message_id=found[0])
        return update_id, False
    return emu.send_text(user, TEXTS[n % len(TEXTS)]).update_id, True


def inject_mix(emu: Emulator, users: list[int], count: int, prefix: str) -> int:
    """Queue *count* updates of the mix; returns how many were texts."""
    return sum(inject_one(emu, users[n % len(users)], n, prefix)[1] for n in range(count))


async def inject_paced(emu: Emulator, users: list[int], count: int, per_second: float,
                       prefix: str, queued: Callable[[int], None] = lambda _: None,
                       ) -> dict[int, tuple[int, float]]:
    """Queue the mix at a steady rate; returns who sent each update and when it was queued
    (wall clock). *queued* hears each update_id at once."""
    stamps: dict[int, tuple[int, float]] = {}
    started = time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / per_second - time.monotonic()))
        user = users[n % len(users)]
        update_id, _ = inject_one(emu, user, n, prefix)
        if update_id is not None:
            stamps[update_id] = user, time.time()
            queued(update_id)
    return stamps
