"""Reporting a repair, as the resident's phone shows it: what they tap or write, what the bot
answers, word for word, with the buttons under each message.

Triage is the real one (the messages are plain ones it reads the same way every time); the
office's handling after "Submit" is tested in tests/integration. The last tests check that
``dialogs/repair.mmd`` draws exactly these steps and every move a resident can make.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dialogs import repair
from dialogs.model import DialogContext, Outcome, ReportEmergency, SubmitRepair, ToFrontDesk, Unit
from dialogs.triage import triage
from locales import Language
from tests.support import diagrams
from tests.support.transcripts import (
    Chat,
    Line,
    Move,
    Opening,
    Transcript,
    actions,
    play,
    wander,
)

DIAGRAM: Final = Path(repair.__file__).with_name("repair.mmd")
HOME: Final = (Unit(7, "3-1202"),)
TWO_HOMES: Final = (Unit(7, "3-1202"), Unit(9, "5-0801"))
ROSTER_PHONE: Final = "13800138000"
MENU: Final = {"repair": repair.start}


def resident(language: Language = "zh_Hans", units: tuple[Unit, ...] = HOME,
             phone: str = ROSTER_PHONE) -> DialogContext:
    return DialogContext(chat_id=501, language=language,
                         units=units, roster_phone=phone)


def wrote(text: str) -> Opening:
    """The resident wrote *text* outside any dialog and triage read it as a repair."""
    def opening(context: DialogContext, nonce: str) -> Outcome:
        return repair.start_with_guess(context, nonce, text, triage(text))
    return opening


# -- what the resident sees in simplified Chinese ----------------------------------------
TRADES = ["水管/给排水", "电路/电器", "燃气", "空调/暖气", "电梯", "门窗/墙面", "门禁/消防设施",
          "绿化", "保洁"]
ASK_WHAT = ("bot", "请问遇到了什么问题？请直接描述，或选择一个类别。", [*TRADES, "✖ 取消"])
ASK_WHERE = ("bot", "问题在哪里？", ["🏠 在我家", "🏢 公共区域", "✖ 取消"])
ASK_PLACE = ("bot", "具体在哪里？（例如：3号楼5层走廊）", ["✖ 取消"])
ASK_PHOTOS = ("bot", "如有照片请发送（可发多张），然后点击下方按钮。", ["没有照片", "✖ 取消"])
ASK_MORE_PHOTOS = ("bot", "如有照片请发送（可发多张），然后点击下方按钮。", ["照片已发完",
                                                                             "✖ 取消"])
ASK_TIME = ("bot", "您什么时间方便师傅上门？请选择或直接输入。",
            ["尽快", "今天下午", "明天上午", "明天下午", "✖ 取消"])
ASK_PHONE = ("bot", "师傅应拨打哪个电话联系您？请点击或输入号码。", ["使用 13800138000", "✖ 取消"])
CANCELLED = [("bot", "已取消，未提交任何内容。"), ("done", None)]


def guess(trade_and_where: str) -> Line:
    """Triage's guess, offered for confirmation, with one tap for each other reading."""
    other = "不，是在您家中" if trade_and_where.endswith("公共区域") else "不，是在公共区域"
    return ("bot", f"{trade_and_where}——对吗？",
            ["✅ 是的", "换个类别", other, "💬 这是投诉", "❓ 这是咨询", "✖ 取消"])


def confirm(*details: str) -> tuple[str, str, list[str]]:
    return ("bot", "\n".join(["请核对您的报修信息：", *details]), ["📨 提交", "✖ 取消"])


TRANSCRIPTS: Final = {
    "a leak under the sink, reported step by step from the menu": Transcript(resident(), [
        ("taps", "🔧 报修"),
        ASK_WHAT,
        ("taps", "水管/给排水"),
        ("bot", "水管/给排水：请简单描述一下问题。", ["跳过", "✖ 取消"]),
        ("sends", "厨房水槽下面漏水"),
        ASK_WHERE,
        ("taps", "🏠 在我家"),
        ASK_PHOTOS,
        ("sends photo", ""),
        ASK_MORE_PHOTOS,
        ("taps", "照片已发完"),
        ASK_TIME,
        ("taps", "明天上午"),
        ASK_PHONE,
        ("taps", "使用 13800138000"),
        confirm("报修类别：水管/给排水", "房号：3-1202", "问题描述：厨房水槽下面漏水",
                "照片：1 张",
                "方便上门时间：明天上午", "联系电话：13800138000"),
        ("taps", "📨 提交"),
        ("done", SubmitRepair(
            description="厨房水槽下面漏水", trade="plumbing", location="unit", household_id=7,
            place="", photos=("photo-1",), preferred_time="@tomorrow_am",
            contact_phone="13800138000")),
    ], menu=MENU),
    "a dripping tap written in her own words: the guess is confirmed": Transcript(resident(), [
        guess("水管/给排水，在您家中"),
        ("taps", "✅ 是的"),
        ASK_PHOTOS,
        ("taps", "没有照片"),
        ASK_TIME,
        ("sends", "周六上午十点"),
        ASK_PHONE,
        ("sends", "139 0013 9000"),
        confirm("报修类别：水管/给排水", "房号：3-1202", "问题描述：厨房水龙头一直滴水",
                "照片：0 张",
                "方便上门时间：周六上午十点", "联系电话：139 0013 9000"),
        ("taps", "📨 提交"),
        ("done", SubmitRepair(
            description="厨房水龙头一直滴水", trade="plumbing", location="unit", household_id=7,
            place="", photos=(), preferred_time="周六上午十点", contact_phone="139 0013 9000",
            service_key="tap_valve")),
    ], opening=wrote("厨房水龙头一直滴水")),
    "a lift button, from someone without a home here: public area only": Transcript(
        resident(units=(), phone=""), [
            ("taps", "🔧 报修"),
            ASK_WHAT,
            ("taps", "电梯"),
            ("bot", "电梯：请简单描述一下问题。", ["跳过", "✖ 取消"]),
            ("taps", "跳过"),
            ASK_PLACE,
            ("sends", "3号楼东侧电梯按钮失灵"),
            ASK_PHOTOS,
            ("taps", "没有照片"),
            ASK_TIME,
            ("taps", "尽快"),
            ("bot", "师傅应拨打哪个电话联系您？请点击或输入号码。", ["✖ 取消"]),
            ("sends", "13912345678"),
            confirm("报修类别：电梯", "公共区域：3号楼东侧电梯按钮失灵", "问题描述：-",
                    "照片：0 张",
                    "方便上门时间：尽快", "联系电话：13912345678"),
            ("taps", "📨 提交"),
            ("done", SubmitRepair(
                description="", trade="lift", location="public", household_id=None,
                place="3号楼东侧电梯按钮失灵", photos=(), preferred_time="@asap",
                contact_phone="13912345678")),
        ], menu=MENU),
    "two homes, another trade, and the phone shared from the contact button": Transcript(
        resident(units=TWO_HOMES), [
            guess("电路/电器，在您家中"),
            ("taps", "换个类别"),
            ("bot", "属于哪一类问题？", [*TRADES, "其他", "✖ 取消"]),
            ("taps", "电路/电器"),
            ASK_WHERE,
            ("taps", "🏠 在我家"),
            ("bot", "是哪一套房屋？", ["3-1202", "5-0801", "✖ 取消"]),
            ("taps", "5-0801"),
            ASK_PHOTOS,
            ("taps", "没有照片"),
            ASK_TIME,
            ("taps", "今天下午"),
            ASK_PHONE,
            ("shares contact", "+8613900001111"),
            confirm("报修类别：电路/电器", "房号：5-0801", "问题描述：卫生间灯不亮了",
                    "照片：0 张",
                    "方便上门时间：今天下午", "联系电话：+8613900001111"),
            ("taps", "📨 提交"),
            ("done", SubmitRepair(
                description="卫生间灯不亮了", trade="electrical", location="unit", household_id=9,
                place="", photos=(), preferred_time="@today_pm",
                contact_phone="+8613900001111")),
        ], opening=wrote("卫生间灯不亮了")),
    "what it cannot use is refused politely, and the dialog stays where it was": Transcript(
        resident(), [
            ("taps", "🔧 报修"),
            ASK_WHAT,
            ("sends sticker",),
            ("bot", "请用文字描述问题，或选择一个类别。"),
            ("sends photo", ""),  # one answer, and the photo is kept for the request
            ("bot", "📎 照片已保留，会随报修一起提交。\n请用文字描述问题，或选择一个类别。"),
            ("sends", "漏" * 2001),
            ("bot", "消息太长了（2001 字，最多 2000 字）。请精简后重新发送。"),
            ("taps", "燃气"),
            ("bot", "燃气：请简单描述一下问题。", ["跳过", "✖ 取消"]),
            ("taps forged", "v1:dialog:n0001:trade:²"),
            ("bot", "请用文字描述问题。"),
            ("sends", "   "),
            ("bot", "请用文字描述问题。"),
            ("taps", "跳过"),
            ASK_WHERE,
            ("sends", "在家"),
            ("bot", "请从上方按钮中选择一项。"),
            ("taps", "🏢 公共区域"),
            ASK_PLACE,
            ("sends", "大" * 201),
            ("bot", "请简单说明具体位置。"),
            ("sends", "地下车库入口"),
            ASK_MORE_PHOTOS,
            ("sends", "照片稍后补"),
            ("bot", "已补充到问题描述中。"),
            ("sends sticker",),
            ("bot", "请发送照片，或点击按钮继续。"),
            ("taps", "照片已发完"),
            ASK_TIME,
            ("sends sticker",),
            ("bot", "请选择一个时间，或直接输入。"),
            ("taps", "尽快"),
            ASK_PHONE,
            ("sends", "我的电话"),
            ("bot", "这似乎不是有效的电话号码。请只输入数字，例如 13800138000。"),
            ("sends", "13800138000"),
            confirm("报修类别：燃气", "公共区域：地下车库入口", "问题描述：照片稍后补",
                    "照片：1 张",
                    "方便上门时间：尽快", "联系电话：13800138000"),
            ("sends", "好的"),
            ("bot", "请点击“提交”发送报修，或点击“取消”。"),
            ("taps", "✖ 取消"),
            *CANCELLED,
        ], menu=MENU),
    "a button from an earlier, cancelled report does nothing": Transcript(resident(), [
        ("taps", "🔧 报修"),
        ASK_WHAT,
        ("taps", "✖ 取消"),
        *CANCELLED,
        ("starts again",),
        ASK_WHAT,
        ("taps an old button", "水管/给排水"),
        ("bot", "请用文字描述问题，或选择一个类别。"),
        ("taps", "水管/给排水"),
        ("bot", "水管/给排水：请简单描述一下问题。", ["跳过", "✖ 取消"]),
    ], menu=MENU),
    "a gas smell leaves the form at once: safety instructions come first": Transcript(
        resident(), [
            ("taps", "🔧 报修"),
            ASK_WHAT,
            ("sends", "厨房煤气味很重"),
            ("done", ReportEmergency(text="厨房煤气味很重", hazard="gas", trade="gas",
                                     location="unit")),
        ], menu=MENU),
    "a noise complaint is no repair: it goes to the front desk": Transcript(resident(), [
        ("taps", "🔧 报修"),
        ASK_WHAT,
        ("sends", "楼上装修噪音太大了，天天晚上吵"),
        ("done", ToFrontDesk(kind="complaint", text="楼上装修噪音太大了，天天晚上吵",
                             severity="important")),
    ], menu=MENU),
    "she writes more instead of answering: the fuller text is read again": Transcript(
        resident(), [
            guess("水管/给排水，在您家中"),
            ("sends", "是楼道里的水管"),
            guess("水管/给排水，在公共区域"),
            ("taps", "不，是在您家中"),
            ASK_PHOTOS,
            ("sends photo", "漏水的地方"),
            ASK_MORE_PHOTOS,
            ("taps", "✖ 取消"),
            *CANCELLED,
        ], opening=wrote("水管漏水")),
    "a complaint triage read as a repair reaches the front desk in one tap": Transcript(
        resident(), [
            guess("水管/给排水，在您家中"),
            ("taps", "💬 这是投诉"),
            ("done", ToFrontDesk(kind="complaint", text="厨房水龙头一直滴水",
                                 corrected_from="repair/plumbing/unit")),
        ], opening=wrote("厨房水龙头一直滴水")),
    "in English: a flickering hallway lamp": Transcript(resident("en"), [
        ("bot", "Electrical, in a public area — right?",
         ["✅ Yes", "Another trade", "No, in your home", "💬 It's a complaint",
          "❓ It's a question", "✖ Cancel"]),
        ("taps", "✅ Yes"),
        ("bot", "Where exactly? (for example: building 3, 5th floor corridor)", ["✖ Cancel"]),
        ("sends", "Building 3, 2nd floor hallway"),
        ("bot", "Send photos if you have them (several are fine), then tap the button.",
         ["No photos", "✖ Cancel"]),
        ("taps", "No photos"),
        ("bot", "When is convenient for the technician to come? Pick one or type it.",
         ["As soon as possible", "Today afternoon", "Tomorrow morning", "Tomorrow afternoon",
          "✖ Cancel"]),
        ("taps", "As soon as possible"),
        ("bot", "Which phone number should the technician call? Tap or type one.",
         ["Use 13800138000", "✖ Cancel"]),
        ("sends", "call me"),
        ("bot", "That does not look like a phone number. Please type digits only, "
                "e.g. 13800138000."),
        ("taps", "Use 13800138000"),
        ("bot", "Please check your repair request:\nTrade: Electrical\n"
                "Public area: Building 3, 2nd floor hallway\n"
                "Problem: The lamp in the hallway of building 3 is flickering\nPhotos: 0\n"
                "Convenient time: As soon as possible\nContact phone: 13800138000",
         ["📨 Submit", "✖ Cancel"]),
        ("taps", "📨 Submit"),
        ("done", SubmitRepair(
            description="The lamp in the hallway of building 3 is flickering",
            trade="electrical", location="public", household_id=None,
            place="Building 3, 2nd floor hallway", photos=(), preferred_time="@asap",
            contact_phone="13800138000")),
    ], opening=wrote("The lamp in the hallway of building 3 is flickering")),
    "in traditional Chinese: a door that will not close, cancelled at the end": Transcript(
        resident("zh_Hant"), [
            ("taps", "🔧 報修"),
            ("bot", "請問遇到了什麼問題？請直接描述，或選擇一個類別。",
             ["水管/給排水", "電路/電器", "燃氣", "冷氣/暖氣", "電梯", "門窗/牆面",
              "門禁/消防設備",
              "綠化", "清潔", "✖ 取消"]),
            ("taps", "門窗/牆面"),
            ("bot", "門窗/牆面：請簡單描述一下問題。", ["略過", "✖ 取消"]),
            ("sends sticker",),
            ("bot", "請用文字描述問題。"),
            ("sends", "睡房門關唔埋"),
            ("bot", "問題在哪裡？", ["🏠 在我家", "🏢 公共區域", "✖ 取消"]),
            ("taps", "🏠 在我家"),
            ("bot", "如有照片請傳送（可傳多張），然後點選下方按鈕。", ["沒有照片", "✖ 取消"]),
            ("taps", "✖ 取消"),
            ("bot", "已取消，未送出任何內容。"),
            ("done", None),
        ], menu=MENU),
}


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript(name: str) -> None:
    transcript = TRANSCRIPTS[name]
    assert play(repair.step, transcript) == list(transcript.lines)


def test_the_photo_limit_is_ten_and_the_eleventh_is_not_kept() -> None:
    lines = [("sends photo", "")] * (repair.MAX_PHOTOS + 1)
    said = play(repair.step, Transcript(resident(), [("taps", "✅ 是的"), *lines],
                                        opening=wrote("厨房水龙头一直滴水")))
    assert said[-1] == ("bot", "照片已达上限（10 张）。")
    assert said[-3] == ASK_MORE_PHOTOS


# -- the diagram -------------------------------------------------------------------------
def test_repair_mmd_draws_exactly_the_dialogs_steps() -> None:
    assert diagrams.read(DIAGRAM).states == {step.name for step in repair.Step}


def test_every_move_in_the_transcripts_is_an_arrow_of_repair_mmd() -> None:
    moves: list[Move] = []
    for transcript in TRANSCRIPTS.values():
        play(repair.step, transcript, moves)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), moves, _name) == set()


def _name(step: str) -> str:
    return repair.Step(step).name


# Texts a resident might send at any step: descriptions triage reads in different ways, places,
# times, phone numbers, and nonsense.
TEXTS: Final = ("厨房水龙头一直滴水", "楼道灯不亮", "煤气味很重", "物业费怎么交", "楼上太吵了",
                "是楼道里的", "在我家卫生间", "3号楼大堂", "明天上午十点", "13800138000",
                "+86 139",
                "ok", "", "   ", "漏" * 2001, "x" * 201)
CONTEXTS: Final = st.builds(resident, st.sampled_from(("zh_Hans", "en")),
                            st.sampled_from(((), HOME, TWO_HOMES)),
                            st.sampled_from((ROSTER_PHONE, "")))
OPENINGS: Final = st.sampled_from(("menu", *TEXTS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(context=CONTEXTS, opening=OPENINGS, lines=actions(TEXTS))
def test_whatever_a_resident_taps_or_writes_the_dialog_follows_an_arrow(
        context: DialogContext, opening: str, lines: list[Line]) -> None:
    # The reception opens the dialog from free text only for a repair that is no emergency.
    guess = triage(opening)
    assume(opening == "menu" or (guess.intent == "repair" and not guess.emergency))
    chat = Chat(repair.step, context, repair.start if opening == "menu" else wrote(opening))
    wander(chat, lines)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), chat.moves, _name) == set()
