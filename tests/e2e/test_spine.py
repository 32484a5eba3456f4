"""The spine, end to end: the real ``frontline run`` (each framework, polling and webhook)
against the emulator, with people doing what they do on their phones.

Bind → report a repair → two plumbers race for the job in their group → the winner gets the
private job card → on the way → done → the resident asks for rework → done again → confirmed.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from tests.e2e.conftest import Launch
from tests.e2e.office import OfficeCodes, frontline
from tests.e2e.phone import NEXT_MORNING, Phone, buttons, text_of

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_repair_from_report_to_signature(
        framework: str, mode: str, emulator: RunningEmulator, client: EmulatorClient,
        codes: OfficeCodes, launch: Launch, database_url: str) -> None:
    bot = launch(framework, emulator.url, webhook=mode == "webhook")
    await bot.start()
    if mode == "webhook":
        await refuses_a_forged_update(bot.webhook_url or "")

    zhang = await Phone.of(client, "张师傅")
    zhao = await Phone.of(client, "赵师傅")
    liu = await Phone.of(client, "刘调度")
    wang = await Phone.of(client, "王芳", phone="+8613800000001")

    # Staff redeem their invites; the dispatcher binds the groups.
    for person in (zhang, zhao, liu):
        await person.says(f"/start {codes.staff[person.name]}")
        await person.sees(person.name)
    plumbers = (await client.create_group("水电组", [zhang.user_id, zhao.user_id, liu.user_id],
                                          added_by=liu.user_id))["id"]
    dispatch = (await client.create_group("调度台", [liu.user_id], added_by=liu.user_id))["id"]
    for chat, purpose in ((plumbers, "plumbers"), (dispatch, "dispatch")):
        await liu.says(f"/bindgroup {codes.groups[purpose]}", chat_id=chat)
        await liu.sees(chat_id=chat)

    # The resident binds with the code from the office's letter and reports a leak.
    await wang.says(f"/start {codes.households['3-1202']}")
    await wang.sees("3-1202")
    await wang.taps("报修")
    await wang.says("厨房水龙头一直滴水，关不紧")
    await wang.sees("对吗")
    await wang.taps("是的")
    await wang.sends_photos(2)
    await wang.taps("照片已发完")
    await wang.taps_choice(NEXT_MORNING)
    await wang.taps("使用")
    await wang.taps("提交")
    number = (await wang.sees("WO-"))["text"].split("WO-")[1][:13]
    number = f"WO-{number}"

    # The card reaches the plumbers' group without the resident's name or phone.
    card = await zhang.sees(number, chat_id=plumbers, after=0)
    assert "王芳" not in text_of(card) and "13800000001" not in text_of(card)
    await liu.sees(number, chat_id=dispatch, after=0)

    # Both plumbers tap Accept at once: exactly one gets the job.
    _, data = await zhang.button("接单", chat_id=plumbers)
    presses = await asyncio.gather(*(client.press_button(
        p.user_id, callback_data=data, message_id=card["message_id"], chat_id=plumbers)
        for p in (zhang, zhao)))
    answers = [await client.wait_for_callback_answer(p["callback_query_id"], 15)
               for p in presses]
    won = [number in (a.get("text") or "") for a in answers]
    assert sorted(won) == [False, True], answers
    winner, loser = (zhang, zhao) if won[0] else (zhao, zhang)
    shown = await winner.waits_for(
        lambda ms: any(m["message_id"] == card["message_id"] and winner.name in text_of(m)
                       and not buttons(m) for m in ms), chat_id=plumbers)
    assert len([m for m in shown if number in text_of(m)]) == 1  # edited, not re-sent
    private = await winner.sees("王芳", "13800000001", after=0)
    assert number in text_of(private)
    assert not [m for m in await loser.messages() if number in text_of(m)]
    await wang.sees(winner.name, after=0)

    # On the way, done, rework, done again, signed.
    await winner.taps("出发")
    await wang.sees(number, "师傅")
    await finish(winner, "换了阀芯")
    await wang.sees("换了阀芯")
    await wang.taps("要求返工")
    await wang.says("还是滴水")
    await winner.sees("还是滴水", after=0)
    await winner.sees(number, "已要求返工", after=0)  # the job card comes back
    await finish(winner, "整个龙头换新")
    await wang.sees("整个龙头换新")
    await wang.taps("确认签字")
    await wang.sees(number)

    order = json.loads(frontline(database_url, "orders", "show", number, "--json"))
    assert order["status"] == "confirmed" and order["rework_count"] == 1
    assert order["assignee"] == winner.name
    assert [e["action"] for e in order["events"]][:2] == ["created", "accepted"]
    assert await bot.terminate() == 0
    assert emulator.emulator.stats.errors.get(429, 0) == 0


async def finish(technician: Phone, note: str) -> None:
    """Mark the job done with a note, the way a technician does on the private card."""
    await technician.taps("✅ 完工")
    await technician.sees("提交完工")
    await technician.says(note)
    await technician.sees("说明已添加")
    await technician.taps("提交完工")


async def refuses_a_forged_update(url: str) -> None:
    """A request without the secret token is refused before anything is read."""
    forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
                                          "chat": {"id": 1, "type": "private"}}}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 401
