"""A complaint end to end, under each framework: the real ``frontline run`` against the emulator.

The resident complains in her own words → the desk sets the severity with one tap → the
supervisor is asked to take it over → nobody does, and when the clock runs out (the office's
scheduler pass, run here with the clock moved on) it goes up to the director → the desk
records the result, which reaches the resident.
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from handlers.office import Office
from handlers.office.catalog import load_catalog
from handlers.office.clock import FakeClock, SystemClock
from scheduler.drain import drain_once
from storage.db import make_engine
from tests.e2e.conftest import Launch
from tests.e2e.office import OfficeCodes, frontline, last_line
from tests.e2e.phone import Phone, buttons, text_of

pytestmark = pytest.mark.e2e


async def test_a_complaint_is_graded_escalated_and_resolved(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        codes: OfficeCodes, launch: Launch, database_url: str) -> None:
    for name, rank in (("孙主管", "supervisor"), ("周主任", "director")):
        codes.staff[name] = last_line(frontline(database_url, "invite", "staff", "--role",
                                                "manager", "--rank", rank, "--name", name))
    bot = launch(framework, emulator.url)
    await bot.start()

    liu = await Phone.of(client, "刘调度")
    sun = await Phone.of(client, "孙主管")
    zhou = await Phone.of(client, "周主任")
    wang = await Phone.of(client, "王芳", phone="+8613800000001")
    for person in (liu, sun, zhou):
        await person.says(f"/start {codes.staff[person.name]}")
        await person.sees(person.name)
    dispatch = (await client.create_group("调度台", [liu.user_id], added_by=liu.user_id))["id"]
    managers = (await client.create_group("主管群", [liu.user_id, sun.user_id, zhou.user_id],
                                          added_by=liu.user_id))["id"]
    for chat, purpose in ((dispatch, "dispatch"), (managers, "managers")):
        await liu.says(f"/bindgroup {codes.groups[purpose]}", chat_id=chat)
        await liu.sees(chat_id=chat)
    await wang.says(f"/start {codes.households['3-1202']}")
    await wang.sees("3-1202")

    # She complains in her own words; the dialog asks the manual's questions, all skippable.
    await wang.says("保安态度太差，对业主大吼大叫")
    for prompt, answer in (("什么时候发生", "跳过"), ("在哪里发生", "跳过"),
                           ("哪个部门", "安护员"), ("怎么做", "道歉"),
                           ("某个日期前", "没有特定日期"), ("如有照片", "没有照片"),
                           ("请核对您的投诉", "提交")):
        await wang.sees(prompt)
        await wang.taps(answer)
    thanks = await wang.sees("CP-", "非常抱歉")
    number = "CP-" + text_of(thanks).split("CP-")[1].split(" ")[0].split("\n")[0]

    # The desk grades it with one tap; the supervisor is asked to take it over.
    await liu.sees(number, "请设定严重程度", chat_id=dispatch, after=0)
    await liu.taps("重要", chat_id=dispatch)
    await wang.sees(number, "部门主管")
    await sun.sees(number, "接手", after=0)

    # Nobody takes it: two days later the office's scheduler pass sends it up the chain.
    later = Office(engine=make_engine(database_url),
                   clock=FakeClock(SystemClock().now() + timedelta(days=2)),
                   timezone=ZoneInfo("Asia/Shanghai"), catalog=load_catalog())
    try:
        report = drain_once(later)
    finally:
        later.engine.dispose()
    assert report.counts["complaint_deadline:escalated"] >= 1
    await zhou.sees(number, "已上报给 管理处主任", after=0)

    # The desk records the result; the resident reads it at once and may accept it.
    await liu.taps("已解决", chat_id=dispatch)
    await liu.sees(number, "是如何解决的")
    await liu.says("已与当班保安谈话，他会当面向您道歉。")
    result = await wang.sees(number, "已解决", "当面向您道歉")
    assert [label for label, _ in buttons(result)][:1] == ["👍 认可"]

    shown = json.loads(frontline(database_url, "complaints", "show", number, "--json"))
    actions = [e["action"] for e in shown["events"]]
    assert actions[:3] == ["received", "severity_set", "handed_over"]
    assert "escalated" in actions and actions[-1] == "resolved"
    assert shown["status"] == "resolved" and shown["owner_level"] in ("director", "admin")
    assert await bot.terminate() == 0
