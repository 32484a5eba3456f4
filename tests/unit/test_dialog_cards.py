"""How a work order reads in each place — the trade group's job card, the card after someone
took it, the technician's private card and its buttons, the resident's /my line — word for
word, for one leaking tap (WO-20261123-0012), an emergency and a paid lamp repair."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Final

import pytest

from dialogs import cards
from dialogs.buttons import Verb, parse
from dialogs.cards import OrderView
from dialogs.statuses import Status
from locales import Language, Localized, Text, render
from tests.support.transcripts import labels

TAP: Final = OrderView(
    id=12, number="WO-20261123-0012", kind="repair", status="open", trade="plumbing",
    location="unit", unit="3-1202", place="", description="厨房水龙头一直滴水",
    preferred_time="@tomorrow_am", created="11-23 10:05", photos=("p1", "p2"),
    contact_name="李女士", contact_phone="13800138000")
TAKEN: Final = dataclasses.replace(TAP, status="accepted", assignee_name="张师傅",
                                   accepted="10:07")
GAS: Final = dataclasses.replace(
    TAP, emergency=True, hazard="gas", trade="gas", location="public", unit="",
    place="3号楼1单元大堂", description="", preferred_time="", photos=())
LAMP: Final = dataclasses.replace(
    TAP, kind="service", status="on_way", assignee_name="张师傅", price=Decimal("35"),
    service_name=Localized({"zh_Hans": "日光灯维修", "zh_Hant": "日光燈維修",
                            "en": "Fluorescent lamp repair"}),
    description="客厅灯管闪烁", proposed_time="周六上午", checklist=("检查启辉器", "开灯试验"))
LAMP_AGREED: Final = dataclasses.replace(LAMP, status="in_progress", price_confirmed=True)

# (where it is shown, the text, the language, exactly what is shown)
SHOWN: Final[list[tuple[str, Text, Language, str]]] = [
    ("the trade group's job card: no resident name or phone before acceptance",
     cards.group_card(TAP), "zh_Hans",
     "WO-20261123-0012 · 水管/给排水\n房号：3-1202\n问题描述：厨房水龙头一直滴水\n"
     "方便上门时间：明天上午\n"
     "照片：2 张\n提交时间：11-23 10:05"),
    ("the job card in an English-speaking group",
     cards.group_card(TAP), "en",
     "WO-20261123-0012 · Plumbing\nUnit 3-1202\nProblem: 厨房水龙头一直滴水\n"
     "Convenient time: Tomorrow morning\nPhotos: 2\nReported: 11-23 10:05"),
    ("the group card once taken: no visit time, which would go stale",
     cards.taken_card(TAKEN), "zh_Hans",
     "WO-20261123-0012 · 水管/给排水\n房号：3-1202\n问题描述：厨房水龙头一直滴水\n"
     "照片：2 张\n提交时间：11-23 10:05\n✅ 张师傅已于 10:07 接单"),
    ("an emergency in a public area",
     cards.group_card(GAS), "zh_Hans",
     "🚨 紧急 WO-20261123-0012 · 燃气\n公共区域：3号楼1单元大堂\n险情：燃气异味\n"
     "提交时间：11-23 10:05"),
    ("the technician's own card, with the resident's name and phone",
     cards.private_card(TAKEN), "zh_Hans",
     "WO-20261123-0012 · 水管/给排水\n状态：已接单\n房号：3-1202\n业主：李女士，电话 13800138000\n"
     "问题描述：厨房水龙头一直滴水\n方便上门时间：明天上午"),
    ("a paid job on the way: price and new time wait for the resident",
     cards.private_card(LAMP), "zh_Hans",
     "WO-20261123-0012 · 日光灯维修\n状态：师傅正在路上\n房号：3-1202\n"
     "业主：李女士，电话 13800138000\n"
     "问题描述：客厅灯管闪烁\n方便上门时间：明天上午\n改约时间：周六上午（待业主确认）\n"
     "报价：35.00 元（待业主确认）\n作业清单：\n• 检查启辉器\n• 开灯试验"),
    ("a paid job in progress at the agreed price, in English",
     cards.private_card(LAMP_AGREED), "en",
     "WO-20261123-0012 · Fluorescent lamp repair\nStatus: in progress\nUnit 3-1202\n"
     "Resident: 李女士, tel. 13800138000\nProblem: 客厅灯管闪烁\n"
     "Convenient time: Tomorrow morning\n"
     "Proposed new time: 周六上午 (waiting for the resident)\nPrice agreed: 35.00 yuan\n"
     "Checklist:\n• 检查启辉器\n• 开灯试验"),
    ("the resident's /my line",
     cards.request_line(dataclasses.replace(TAP, status="done")), "zh_Hans",
     "WO-20261123-0012 · 水管/给排水 · 已完工，待业主确认"),
    ("the resident's /my line, in traditional Chinese",
     cards.request_line(LAMP), "zh_Hant", "WO-20261123-0012 · 日光燈維修 · 師傅正在路上"),
]


@pytest.mark.parametrize(("where", "text", "language", "shown"), SHOWN,
                         ids=[row[0] for row in SHOWN])
def test_what_the_card_shows(where: str, text: Text, language: Language, shown: str) -> None:
    assert render(text, language) == shown


def test_the_group_card_has_one_button_to_accept_the_job() -> None:
    keyboard = cards.group_card_keyboard(TAP)
    assert labels(keyboard, "zh_Hans") == ["✋ 接单"]
    taps = [parse(button.data) for row in keyboard.rows for button in row]
    assert [(t.verb, t.args) if t else None for t in taps] == [(Verb.ACCEPT, (12,))]


ALL_WORK = ["🚶 出发", "🕒 改约时间", "✅ 完工", "⚠️ 上报损坏/丢失"]
UNDER_WAY = ["🕒 改约时间", "✅ 完工", "⚠️ 上报损坏/丢失"]


@pytest.mark.parametrize(("status", "buttons"), [
    (Status.OPEN, []),
    (Status.ACCEPTED, ALL_WORK),
    (Status.ON_WAY, UNDER_WAY),
    (Status.IN_PROGRESS, UNDER_WAY),
    (Status.DONE, []),
    (Status.REWORK, ALL_WORK),  # sets off again, to the same technician
    (Status.CONFIRMED, []),
    (Status.CANCELLED, []),
])
def test_the_technicians_buttons_follow_the_status(status: Status, buttons: list[str]) -> None:
    order = dataclasses.replace(TAKEN, status=status)
    assert labels(cards.private_card_keyboard(order), "zh_Hans") == buttons


@pytest.mark.parametrize(("order", "buttons", "verbs"), [
    (LAMP, ["🕒 改约时间", "💰 报价", "⚠️ 上报损坏/丢失"],
     [Verb.PROPOSE_TIME, Verb.PROPOSE_PRICE, Verb.REPORT_DAMAGE]),
    (LAMP_AGREED, UNDER_WAY, [Verb.PROPOSE_TIME, Verb.FINISH, Verb.REPORT_DAMAGE]),
    (TAKEN, ALL_WORK, [Verb.SET_OFF, Verb.PROPOSE_TIME, Verb.FINISH, Verb.REPORT_DAMAGE]),
], ids=["paid, price not agreed: no Done yet", "paid, price agreed", "repair"])
def test_paid_work_is_done_only_after_the_price_is_agreed(
        order: OrderView, buttons: list[str], verbs: list[Verb]) -> None:
    keyboard = cards.private_card_keyboard(order)
    assert labels(keyboard, "zh_Hans") == buttons
    taps = [parse(button.data) for row in keyboard.rows for button in row]
    assert [(t.verb, t.args) if t else None for t in taps] == [(v, (12,)) for v in verbs]


def test_a_public_area_without_a_place_reads_as_a_dash() -> None:
    order = dataclasses.replace(TAP, location="public", place="")
    assert render(cards.where_text(order), "en") == "Public area: -"
    assert render(cards.where_text(dataclasses.replace(TAP, unit="")), "en") == "Unit -"
