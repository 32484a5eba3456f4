"""The sandbox's own parts, without starting it: the clock control and the kept chats."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.emulator import Emulator
from bot.sandbox import snapshot
from bot.sandbox.clock import SandboxClock, step_for
from bot.sandbox.seed import create_world, find_world

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("wall", "expected"), [
    ("2026-11-23 07:30", timedelta(hours=1, minutes=30)),  # later today
    ("2026-11-23 09:00", timedelta(days=1)),  # exactly 09:00: the next one is tomorrow's
    ("2026-11-23 21:15", timedelta(hours=11, minutes=45)),  # tomorrow morning
])
def test_next_nine_is_always_the_next_office_morning(wall: str, expected: timedelta) -> None:
    now = datetime.fromisoformat(wall).replace(tzinfo=SHANGHAI)
    assert step_for("next_nine", now, SHANGHAI) == expected
    assert (now + expected).astimezone(SHANGHAI).hour == 9


def test_hour_and_day_jumps_are_exact() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    assert step_for("hour", now, SHANGHAI) == timedelta(hours=1)
    assert step_for("day", now, SHANGHAI) == timedelta(days=1)


def test_a_moved_clock_is_kept_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    clock = SandboxClock.load(SHANGHAI, path)
    before = clock.now()
    clock.advance("day")
    clock.advance("hour")
    again = SandboxClock.load(SHANGHAI, path)
    assert again.offset == timedelta(days=1, hours=1)
    assert again.now() - before >= timedelta(days=1, hours=1)
    assert again.now().tzinfo is not None


def test_a_broken_clock_file_means_real_time(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    path.write_text("{not json")
    assert SandboxClock.load(SHANGHAI, path).offset == timedelta(0)


def test_the_chats_come_back_with_their_ids_and_photos(tmp_path: Path) -> None:
    emulator = Emulator(token=None)
    world = create_world(emulator)
    wang = world.people["wang"]
    emulator.send_text(wang, "/start")
    emulator.send_photos(wang, count=2, caption="漏水")
    emulator.send_text(world.people["zhang"], "收到", chat_id=world.groups["plumbing"])
    path = tmp_path / "chats.json"
    snapshot.save(emulator, path)

    restored = Emulator(token=None)
    assert snapshot.restore(restored, path)
    assert find_world(restored) == world
    assert [m.data for m in restored.chats[wang].messages] == [
        m.data for m in emulator.chats[wang].messages]
    photo = restored.chats[wang].messages[-1].data["photo"][-1]["file_id"]
    assert restored.files.by_id[photo].content == emulator.files.by_id[photo].content
    # New people, groups and updates never reuse an id the bot has already seen.
    newcomer = restored.create_user("新来的")
    assert newcomer.id not in emulator.users
    assert restored.send_text(wang, "again").update_id not in {
        u["update_id"] for u in emulator.pending_updates()}


def test_an_unreadable_snapshot_starts_the_chats_afresh(tmp_path: Path) -> None:
    path = tmp_path / "chats.json"
    path.write_text('{"version": 99}')
    emulator = Emulator(token=None)
    assert not snapshot.restore(emulator, path)
    assert not emulator.users and not emulator.chats
    assert not snapshot.restore(emulator, tmp_path / "missing.json")


def test_update_ids_skip_past_what_the_bot_has_handled() -> None:
    emulator = Emulator(token=None)
    world = create_world(emulator)
    snapshot.skip_update_ids(emulator, 500_000)
    assert emulator.send_text(world.people["li"], "hello").update_id == 500_001
