"""Booking a paid service, as the resident's phone shows it: the price list, what they tap or
write, and exactly what the bot answers, with the buttons under each message.

The price list here is a small one of the office's kinds of price (a range, a fixed price, a
price agreed on site); triage is the real one. The last tests check that
``dialogs/service.mmd`` draws exactly these steps and every move a resident can make.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import service
from dialogs.model import CatalogItem, DialogContext, Outcome, RecordDemand, SubmitService, Unit
from locales import Language
from tests.support import diagrams
from tests.support.transcripts import Chat, Line, Move, Opening, Transcript, actions, play, wander

DIAGRAM: Final = Path(service.__file__).with_name("service.mmd")
HOME: Final = (Unit(7, "3-1202"),)
TWO_HOMES: Final = (Unit(7, "3-1202"), Unit(9, "5-0801"))
MENU: Final = {"service": service.start}


def _item(key: str, trade: str, names: tuple[str, str, str], units: tuple[str, str, str],
          low: str | None, high: str | None) -> CatalogItem:
    return CatalogItem(key, trade, dict(zip(("zh_Hans", "zh_Hant", "en"), names, strict=True)),
                       dict(zip(("zh_Hans", "zh_Hant", "en"), units, strict=True)),
                       Decimal(low) if low else None, Decimal(high) if high else None)


PRICE_LIST: Final = (
    _item("fluorescent_lamp", "electrical", ("日光灯维修", "日光燈維修",
                                             "Fluorescent lamp repair"),
          ("盏", "盞", "lamp"), "20.00", "40.00"),
    _item("switch", "electrical", ("开关维修", "開關維修", "Switch repair"), ("个", "個",
                                                                              "switch"),
          "15.00", "30.00"),
    _item("cleaning_hour", "cleaning", ("家政保洁", "家政清潔", "Home cleaning"),
          ("小时", "小時", "hour"), "35.00", "35.00"),
    _item("appliance", "other", ("家电检修", "家電檢修", "Appliance check"),
          ("台", "台", "appliance"), None, None),
)


def resident(language: Language = "zh_Hans", units: tuple[Unit, ...] = HOME,
             phone: str = "13800138000") -> DialogContext:
    return DialogContext(chat_id=501, language=language,
                         units=units, roster_phone=phone, catalog=PRICE_LIST)


def wrote(text: str) -> Opening:
    """The resident wrote *text* outside any dialog and triage read it as a paid service."""
    def opening(context: DialogContext, nonce: str) -> Outcome:
        return service.start_described(context, nonce, text)
    return opening


# -- what the resident sees in simplified Chinese ----------------------------------------
PRICES = ("bot", "请选择服务项目（价格不含材料费）。",
          ["日光灯维修 · 20.00–40.00 元/盏", "开关维修 · 15.00–30.00 元/个",
           "家政保洁 · 35.00 元/小时",
           "家电检修 · 现场议价", "其他服务…", "✖ 取消"])
ASK_TIME = ("bot", "希望什么时间上门？请选择或输入时间。", ["尽快", "今天下午", "明天上午",
                                                            "明天下午", "✖ 取消"])
ASK_PHONE = ("bot", "我们应拨打哪个电话联系您？请点击或输入号码。", ["使用 13800138000", "✖ 取消"])


def lamp_or_not(language: Language = "zh_Hans") -> Line:
    if language == "zh_Hant":
        return ("bot", "您是要預約：日光燈維修（20.00–40.00 元/盞）嗎？", ["✅ 是的", "不是",
                                                                           "✖ 取消"])
    return ("bot", "您是要预约：日光灯维修（20.00–40.00 元/盏）吗？", ["✅ 是的", "不是",
                                                                       "✖ 取消"])


def confirm(*details: str) -> Line:
    return ("bot", "\n".join(["请核对您的预约：", *details,
                              "师傅开工前会在此对话中与您确认最终价格。"]),
            ["📨 确认预约", "✖ 取消"])


TRANSCRIPTS: Final = {
    "two hours of cleaning from the price list": Transcript(resident(), [
        ("taps", "🧹 预约有偿服务"),
        PRICES,
        ("taps", "家政保洁 · 35.00 元/小时"),
        ASK_TIME,
        ("taps", "明天下午"),
        ASK_PHONE,
        ("taps", "使用 13800138000"),
        confirm("服务项目：家政保洁", "价格：35.00 元/小时", "房号：3-1202", "预约时间：明天下午",
                "联系电话：13800138000"),
        ("taps", "📨 确认预约"),
        ("done", SubmitService(service_key="cleaning_hour", household_id=7,
                               preferred_time="@tomorrow_pm", contact_phone="13800138000")),
    ], menu=MENU),
    "a new switch, written in her own words, for the second of two homes": Transcript(
        resident(units=TWO_HOMES), [
            ("bot", "您是要预约：开关维修（15.00–30.00 元/个）吗？", ["✅ 是的", "不是",
                                                                      "✖ 取消"]),
            ("taps", "✅ 是的"),
            ("bot", "为您名下哪一套房屋预约？", ["3-1202", "5-0801", "✖ 取消"]),
            ("sends", "5-0801"),
            ("bot", "请从上方按钮中选择一项。"),
            ("taps", "5-0801"),
            ASK_TIME,
            ("sends", "周日下午三点"),
            ASK_PHONE,
            ("sends", "13912345678"),
            confirm("服务项目：开关维修", "价格：15.00–30.00 元/个", "房号：5-0801",
                    "预约时间：周日下午三点",
                    "联系电话：13912345678"),
            ("taps", "📨 确认预约"),
            ("done", SubmitService(service_key="switch", household_id=9,
                                   preferred_time="周日下午三点", contact_phone="13912345678",
                                   note="想换一个开关")),
        ], opening=wrote("想换一个开关")),
    "something the office does not offer is recorded as unmet demand": Transcript(resident(), [
        ("taps", "🧹 预约有偿服务"),
        PRICES,
        ("sends sticker",),
        ("bot", "请从列表中选择一项服务。"),
        ("taps", "其他服务…"),
        ("bot", "请问您需要什么服务？请简单描述。", ["✖ 取消"]),
        ("sends photo", ""),
        ("bot", "请用文字描述。"),
        ("sends", "帮我装窗帘"),
        ("done", RecordDemand(request="帮我装窗帘", household_id=7)),
    ], menu=MENU),
    "she did not mean the lamp repair we offered: recorded as unmet demand": Transcript(
        resident(), [
            lamp_or_not(),
            ("sends", "嗯"),
            ("bot", "请点击上方按钮回答。"),
            ("taps", "不是"),
            ("done", RecordDemand(request="日光灯不亮了，想请师傅来修", household_id=7)),
        ], opening=wrote("日光灯不亮了，想请师傅来修")),
    "a blocked toilet is not on the price list: no dialog at all": Transcript(resident(), [
        ("done", RecordDemand(request="想请人帮忙通马桶", household_id=7)),
    ], opening=wrote("想请人帮忙通马桶")),
    "typed at the price list, then refusals at every step, then Cancel": Transcript(resident(), [
        ("taps", "🧹 预约有偿服务"),
        PRICES,
        ("sends", "灯管坏了"),
        lamp_or_not(),
        ("taps", "✅ 是的"),
        ASK_TIME,
        ("sends", "x" * 201),
        ("bot", "请选择一个时间，或直接输入。"),
        ("taps", "尽快"),
        ASK_PHONE,
        ("sends", "abc"),
        ("bot", "这似乎不是有效的电话号码。请只输入数字，例如 13800138000。"),
        ("shares contact", "+8613900001111"),
        confirm("服务项目：日光灯维修", "价格：20.00–40.00 元/盏", "房号：3-1202",
                "预约时间：尽快",
                "联系电话：+8613900001111"),
        ("sends", "好"),
        ("bot", "请点击“确认预约”，或点击“取消”。"),
        ("taps an old button", "家政保洁 · 35.00 元/小时"),
        ("bot", "请点击“确认预约”，或点击“取消”。"),
        ("taps", "✖ 取消"),
        ("bot", "已取消，未预约任何服务。"),
        ("done", None),
    ], menu=MENU),
    "in English: an appliance check, price agreed on site": Transcript(resident("en"), [
        ("taps", "🧹 Book a service"),
        ("bot", "Which service would you like? Prices exclude materials.",
         ["Fluorescent lamp repair · 20.00–40.00 yuan / lamp",
          "Switch repair · 15.00–30.00 yuan / switch", "Home cleaning · 35.00 yuan / hour",
          "Appliance check · price agreed on site", "Something else…", "✖ Cancel"]),
        ("taps", "Appliance check · price agreed on site"),
        ("bot", "When should we come? Pick one or type a time.",
         ["As soon as possible", "Today afternoon", "Tomorrow morning", "Tomorrow afternoon",
          "✖ Cancel"]),
        ("taps", "As soon as possible"),
        ("bot", "Which phone number should we call? Tap or type one.",
         ["Use 13800138000", "✖ Cancel"]),
        ("taps", "Use 13800138000"),
        ("bot", "Please check your booking:\nService: Appliance check\n"
                "Price: price agreed on site\nUnit 3-1202\nTime: As soon as possible\n"
                "Contact phone: 13800138000\n"
                "The technician confirms the final price with you in this chat before "
                "starting.", ["📨 Book it", "✖ Cancel"]),
        ("taps", "📨 Book it"),
        ("done", SubmitService(service_key="appliance", household_id=7, preferred_time="@asap",
                               contact_phone="13800138000")),
    ], menu=MENU),
    "in traditional Chinese, in Cantonese words: the lamp, then Cancel": Transcript(
        resident("zh_Hant"), [
            lamp_or_not("zh_Hant"),
            ("taps", "✅ 是的"),
            ("bot", "希望什麼時間上門？請選擇或輸入時間。", ["盡快", "今天下午", "明天上午",
                                                             "明天下午", "✖ 取消"]),
            ("taps", "✖ 取消"),
            ("bot", "已取消，未預約任何服務。"),
            ("done", None),
        ], opening=wrote("日光燈唔著，想請師傅嚟修")),
}


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript(name: str) -> None:
    transcript = TRANSCRIPTS[name]
    assert play(service.step, transcript) == list(transcript.lines)


# -- the diagram -------------------------------------------------------------------------
def _name(step: str) -> str:
    return service.Step(step).name


def test_service_mmd_draws_exactly_the_dialogs_steps() -> None:
    assert diagrams.read(DIAGRAM).states == {step.name for step in service.Step}


def test_every_move_in_the_transcripts_is_an_arrow_of_service_mmd() -> None:
    moves: list[Move] = []
    for transcript in TRANSCRIPTS.values():
        play(service.step, transcript, moves)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), moves, _name) == set()


TEXTS: Final = ("想换一个开关", "灯管坏了", "帮我装窗帘", "想请人帮忙通马桶", "明天上午",
                "13800138000",
                "5-0801", "ok", "", "x" * 201, "漏" * 2001)
CONTEXTS: Final = st.builds(resident, st.sampled_from(("zh_Hans", "en")),
                            st.sampled_from(((), HOME, TWO_HOMES)),
                            st.sampled_from(("13800138000", "")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=CONTEXTS, opening=st.sampled_from(("menu", *TEXTS)), lines=actions(TEXTS))
def test_whatever_a_resident_taps_or_writes_the_booking_follows_an_arrow(
        context: DialogContext, opening: str, lines: list[Line]) -> None:
    chat = Chat(service.step, context, service.start if opening == "menu" else wrote(opening))
    wander(chat, lines)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), chat.moves, _name) == set()
