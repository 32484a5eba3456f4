"""A bad day for the real ``frontline run``: blocked users, a 429 storm, updates delivered
twice, SIGTERM in the middle of a burst, and kill -9 in the middle of a dialog."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from bot.emulator import RateLimits, RunningEmulator
from bot.emulator.client import EmulatorClient
from tests.e2e.conftest import Launch
from tests.e2e.faults import FaultProxy
from tests.e2e.harness import rows
from tests.e2e.office import OfficeCodes, frontline
from tests.e2e.phone import NEXT_MORNING, Phone, text_of

pytestmark = pytest.mark.e2e


async def settled(database_url: str, chat_id: int, within: float = 10.0) -> None:
    """Wait until the bot has recorded every message to *chat_id* as sent."""
    query = f"SELECT count(*) FROM outbox WHERE chat_id = {chat_id} AND status = 'pending'"
    for _ in range(int(within / 0.02)):
        if rows(database_url, query) == [(0,)]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"messages to {chat_id} still pending after {within}s")


async def bind_dispatch(client: EmulatorClient, codes: OfficeCodes) -> tuple[Phone, int]:
    liu = await Phone.of(client, "刘调度")
    await liu.says(f"/start {codes.staff['刘调度']}")
    await liu.sees("刘调度")
    dispatch = (await client.create_group("调度台", [liu.user_id], added_by=liu.user_id))["id"]
    await liu.says(f"/bindgroup {codes.groups['dispatch']}", chat_id=dispatch)
    await liu.sees(chat_id=dispatch)
    return liu, dispatch


async def test_duplicates_a_blocked_resident_and_a_429_storm_on_one_bad_day(
        framework: str, emulator: RunningEmulator, client: EmulatorClient, proxy: FaultProxy,
        codes: OfficeCodes, launch: Launch, database_url: str) -> None:
    # One process for the three troubles (each start of aiogram costs seconds).
    bot = launch(framework, proxy.url)
    await bot.start()
    liu, dispatch = await bind_dispatch(client, codes)
    wang = await Phone.of(client, "王芳")
    await wang.says(f"/start {codes.households['3-1202']}")
    await wang.sees("3-1202")

    # Telegram hands the same batch (/start CODE) out again: nothing happens twice.
    proxy.replay_updates(2)
    await wang.says("/help")
    await wang.sees()
    await asyncio.sleep(0.3)
    texts = [text_of(m) for m in await wang.messages()]
    assert len([t for t in texts if "3-1202" in t]) == 1
    assert not [t for t in texts if "无效" in t]  # the used code was not tried again

    # Wang asks for the menu and blocks the bot before the answer gets through.
    proxy.fail("sendMessage", 502, "Bad Gateway", chat_id=wang.user_id)
    await wang.says("/menu")
    await client.block(wang.user_id)
    notice = await liu.sees("王芳", "3-1202", "13800000001", chat_id=dispatch, within=20)
    assert "⚠️" in text_of(notice)
    statuses = rows(database_url, f"SELECT status FROM outbox WHERE chat_id = {wang.user_id}")
    assert statuses[-1] == ("parked",)  # held until she comes back
    assert rows(database_url, "SELECT blocked_bot FROM person WHERE telegram_user_id = "
                              f"{wang.user_id}") == [(1,)]

    # Telegram allows far fewer sends than we were told: a 429 storm.
    emulator.emulator.set_rate_limits(RateLimits(global_per_second=4))
    people = [await Phone.of(client, f"住户{i}") for i in range(12)]
    await asyncio.gather(*(p.says("/start") for p in people))
    for person in people:
        await person.waits_for(lambda shown: len(shown) >= 1, within=30)
    await asyncio.sleep(0.5)  # anything doubled would show up by now
    assert [len(await p.messages()) for p in people] == [1] * len(people)
    limited = [c for c in proxy.calls if c.status == 429]
    assert limited, "the storm did not happen"
    for call in limited:
        assert call.chat_id is not None and call.retry_after is not None
        inside = [c for c in proxy.sent_to(call.chat_id)
                  if call.at < c.at < call.at + call.retry_after - 0.01]
        assert inside == [], "a chat was written to inside its 429 window"
    emulator.emulator.set_rate_limits(None)

    # The dispatcher removes the bot from his group: it stops posting there.
    await client.remove_bot(dispatch, by=liu.user_id)
    await asyncio.sleep(0.5)
    assert rows(database_url, f"SELECT active FROM staff_chat WHERE chat_id = {dispatch}") == [
        (0,)]
    assert await bot.terminate() == 0


async def test_sigterm_and_kill_9_lose_nothing_and_double_nothing(
        framework: str, emulator: RunningEmulator, client: EmulatorClient, codes: OfficeCodes,
        launch: Launch, database_url: str) -> None:
    bot = launch(framework, emulator.url)
    await bot.start()

    # A burst, then SIGTERM while it is being handled: the process finishes what it took in.
    crowd = [await Phone.of(client, f"住户{i}") for i in range(8)]
    sent = await asyncio.gather(*(p.says("/start") for p in crowd))
    assert await bot.terminate() == 0
    taken = {f"u:{s['update_id']}" for s in sent} - {
        f"u:{u['update_id']}" for u in emulator.emulator.pending_updates()}
    handled = {key for (key,) in rows(database_url, "SELECT key FROM processed_update")}
    assert taken <= handled, "an update was confirmed to Telegram but never handled"

    await bot.start()
    for person in crowd:
        await person.waits_for(lambda shown: len(shown) == 1)

    # Mid-dialog, kill -9 right after a tap; the resident carries on after the restart.
    wang = await Phone.of(client, "王芳", phone="+8613800000001")
    await wang.says(f"/start {codes.households['3-1202']}")
    await wang.sees("3-1202")
    await wang.taps("报修")
    await wang.says("卫生间下水道堵了")
    await wang.sees("对吗")
    await wang.taps("是的")
    _, data = await wang.button("没有照片")
    message_id = await wang.last_id()
    # Between Telegram accepting a message and our commit of "sent" lies a window of a few
    # milliseconds that no design can close (Telegram has no idempotency key); a kill in it
    # means one repeat. Kill in the dialog, not in that window: once the bot has recorded
    # its sends, Wang taps and the process dies before it can answer.
    await settled(database_url, wang.user_id)
    await client.press_button(wang.user_id, callback_data=data, message_id=message_id)
    await bot.kill()
    await bot.start()
    await wang.sees("方便师傅上门？", after=message_id)
    await wang.taps_choice(NEXT_MORNING)
    await wang.taps("使用")
    await wang.taps("提交")
    number = text_of(await wang.sees("WO-")).split("WO-")[1][:13]

    texts = [text_of(m) for m in await wang.messages()]
    doubled = [t for t, n in Counter(texts).items() if n > 1 and "WO-" not in t]
    assert not doubled, f"sent twice: {doubled}"
    assert len([t for t in texts if "方便师傅上门？" in t]) == 1
    orders = json.loads(frontline(database_url, "orders", "list", "--json"))
    assert [o["number"] for o in orders] == [f"WO-{number}"]
    assert await bot.terminate() == 0
    assert bot.starts == 3
