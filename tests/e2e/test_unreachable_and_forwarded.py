"""A resident who blocked the bot, and a forwarded emergency — end to end, the real
``frontline run`` under each framework against the emulator (behind a proxy that logs every
call).

Li Lei reports two dripping taps, then blocks the bot. Zhang the plumber takes both jobs: what
is said to her is held without a single attempt, and dispatch gets one phone task. She unblocks
the bot and reads it all in order. Then she forwards her neighbour's "the gas smells", and his
photo of a dripping tap: the bot asks whether each is about her home before opening anything.
Li and the dispatcher use English.
"""

from __future__ import annotations

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from tests.e2e.conftest import Launch
from tests.e2e.faults import FaultProxy
from tests.e2e.harness import rows
from tests.e2e.office import OfficeCodes
from tests.e2e.phone import NEXT_MORNING, Phone, buttons, crew_of, text_of

pytestmark = pytest.mark.e2e


async def report_a_drip(li: Phone, words: str) -> str:
    await li.taps("Report a repair")
    await li.says(words)
    await li.taps("Yes")
    await li.taps("No photos")
    await li.taps_choice(NEXT_MORNING)
    await li.taps("Use")
    await li.taps("Submit")
    receipt = await li.sees("WO-")
    return "WO-" + text_of(receipt).split("WO-")[1][:13]


async def test_a_blocked_resident_is_held_for_and_a_forwarded_gas_smell_is_asked_about(
        framework: str, emulator: RunningEmulator, client: EmulatorClient, proxy: FaultProxy,
        codes: OfficeCodes, launch: Launch, database_url: str) -> None:
    bot = launch(framework, proxy.url)
    await bot.start()
    crew = await crew_of(client, codes)
    zhang, liu, li, plumbers, dispatch = (crew.zhang, crew.liu, crew.li, crew.plumbers,
                                          crew.dispatch)
    first = await report_a_drip(li, "The kitchen tap is dripping all the time")
    second = await report_a_drip(li, "The bathroom tap is dripping too")

    # She blocks the bot; Zhang takes both jobs.
    await client.block(li.user_id)
    before = len(await li.messages())
    tried = len(proxy.sent_to(li.user_id, "sendMessage"))
    for number in (first, second):
        card = await zhang.sees(number, chat_id=plumbers, after=0)
        accept = next(data for label, data in buttons(card) if "Accept" in label)
        await client.press_button(zhang.user_id, callback_data=accept,
                                  message_id=card["message_id"], chat_id=plumbers)
        await zhang.sees(number, after=0)
    task = await liu.sees("Li Lei", "13800000002", "cannot be reached", chat_id=dispatch,
                          after=0)
    held = f"SELECT count(*) FROM outbox WHERE chat_id = {li.user_id} AND status = 'parked'"
    await liu.waits_for(lambda _: int(str(rows(database_url, held)[0][0])) >= 2, chat_id=dispatch)
    assert len(proxy.sent_to(li.user_id, "sendMessage")) == tried  # not one attempt
    assert len(await li.messages()) == before
    tasks = [m for m in await liu.messages(dispatch) if "Li Lei" in text_of(m)
             and "Telegram" in text_of(m)]
    assert [m["message_id"] for m in tasks] == [task["message_id"]]  # told once

    # She unblocks the bot: what was held arrives, in order; the phone task says so.
    await client.unblock(li.user_id)
    await li.waits_for(lambda shown: len(shown) >= before + 2, within=20)
    arrived = [text_of(m) for m in (await li.messages())[before:]]
    assert any("张师傅" in t for t in arrived)
    assert len(proxy.sent_to(li.user_id, "sendMessage")) > tried
    await liu.waits_for(lambda ms: any(m["message_id"] == task["message_id"]
                                       and text_of(m).startswith("✅") for m in ms),
                        chat_id=dispatch)

    # Her neighbour's words, forwarded: asked about first, nothing opened until she answers.
    orders = "SELECT count(*) FROM work_order WHERE emergency"
    await li.forwards("My neighbour says: the gas smells really strong in the stairwell",
                      "Neighbour")
    question = await li.sees("You forwarded this", "stairwell")
    assert [label for label, _ in buttons(question)] == ["Yes, my home", "No, someone else's"]
    assert rows(database_url, orders) == [(0,)]
    await li.taps("Yes, my home")
    await li.sees("400-000-0000")  # the emergency path at once: safety first
    sos = await liu.button("I'm on it", chat_id=dispatch)
    assert "Li Lei" in text_of(sos[0]) or "3-1203" in text_of(sos[0])
    assert rows(database_url, orders) == [(1,)]

    # Her neighbour's photo of a dripping tap, with his words: asked about too; "Yes" makes it
    # her own report, the photo kept with it.
    await li.sends_photos(1, caption="The kitchen tap is dripping", forwarded_from="Neighbour")
    await li.sees("You forwarded this", "kitchen tap")
    await li.taps("Yes, my home")
    await li.sees("Photo kept")
    assert await bot.terminate() == 0
