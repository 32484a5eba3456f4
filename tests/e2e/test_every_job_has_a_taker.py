"""Every job has a taker, emergencies run on their own clock, and buttons stay true — end to
end, the real ``frontline run`` under each framework against the emulator.

A ceiling leak (doors/windows/walls: no group, no technician of that trade) goes to the
dispatcher at once, who assigns the plumber with one tap; a gas smell reaches the dispatch chat
(no on-duty chat is bound) with an "I'm on it" button, and the resident hears who is coming.
Li Lei and the dispatcher use the bot in English.
"""

from __future__ import annotations

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from tests.e2e.conftest import Launch
from tests.e2e.office import OfficeCodes
from tests.e2e.phone import NEXT_MORNING, buttons, crew_of, text_of

pytestmark = pytest.mark.e2e


async def test_an_orphan_job_is_assigned_and_an_emergency_acknowledged(
        framework: str, emulator: RunningEmulator, client: EmulatorClient, codes: OfficeCodes,
        launch: Launch) -> None:
    bot = launch(framework, emulator.url)
    await bot.start()
    crew = await crew_of(client, codes)
    zhang, liu, li, dispatch = crew.zhang, crew.liu, crew.li, crew.dispatch

    # A ceiling leak: nobody in a group can take it, so the dispatcher has it at once.
    await li.taps("Report a repair")
    await li.says("The bedroom ceiling is leaking water")
    await li.taps("Yes")
    await li.taps("No photos")
    await li.taps_choice(NEXT_MORNING)
    await li.taps("Use")
    await li.taps("Submit")
    receipt = await li.sees("WO-", "dispatcher is arranging")
    number = "WO-" + text_of(receipt).split("WO-")[1][:13]
    alert = await liu.sees(number, chat_id=dispatch, after=0)
    assert any("张师傅" in label for label, _ in buttons(alert))
    await liu.taps("张师傅", chat_id=dispatch)
    await liu.waits_for(lambda ms: any(m["message_id"] == alert["message_id"]
                                       and not buttons(m) and "张师傅" in text_of(m)
                                       for m in ms), chat_id=dispatch)
    await zhang.sees(number, "Li Lei", "13800000002", after=0)
    await li.sees(number, "张师傅")

    # Done and signed: the done card shows the signature and keeps no buttons.
    await zhang.taps("✅ 完工")
    await zhang.sees("提交完工")
    await zhang.says("修好了天花板")
    await zhang.sees("说明已添加")
    await zhang.taps("提交完工")
    done, _ = await li.button("Confirm (sign)")
    assert "修好了天花板" in text_of(done)
    await li.taps("Confirm (sign)")
    await li.waits_for(lambda ms: any(m["message_id"] == done["message_id"] and not buttons(m)
                                      and "signed" in text_of(m) for m in ms))
    # No card of a finished job keeps a button (the edit of 张师傅's card may follow Li's).
    await zhang.waits_for(lambda ms: not any(number in text_of(m) and buttons(m) for m in ms))

    # A gas smell: no on-duty chat and no gas group, so the alert in dispatch is its one
    # message there, with "I'm on it" and the assign-to buttons; the first tap tells the
    # resident who is coming, and the assign-to buttons stay until someone holds the job.
    await li.taps("Emergency")
    await li.taps("Gas smell")
    await li.sees("alerted")
    sos = await liu.button("I'm on it", chat_id=dispatch)
    assert "张师傅" in str(buttons(sos[0]))
    await liu.taps("I'm on it", chat_id=dispatch)
    await liu.waits_for(lambda ms: any(m["message_id"] == sos[0]["message_id"]
                                       and "I'm on it" not in str(buttons(m))
                                       and "张师傅" in str(buttons(m)) and "刘调度" in text_of(m)
                                       for m in ms), chat_id=dispatch)
    # Counted by the emergency's number: the signed job's notices may still be arriving.
    emergency = "WO-" + text_of(sos[0]).split("WO-")[1][:13]
    about_it = [m for m in await liu.messages(chat_id=dispatch) if emergency in text_of(m)]
    assert [m["message_id"] for m in about_it] == [sos[0]["message_id"]]
    await li.sees("刘调度", "400-000-0000")
    assert await bot.terminate() == 0
