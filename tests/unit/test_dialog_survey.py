"""Callback surveys (回访) as the phones show them: the resident's 1–5 question and thanks, the
dispatch chat's class notice, phone task, corrective task — word for word, with the buttons and
what each button stands for.

The last tests check that ``dialogs/survey.mmd`` draws exactly the states a callback survey
row takes in the code (``CallbackSurvey.state``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

from dialogs import survey
from dialogs.buttons import Verb, parse
from dialogs.events import InlineKeyboard
from dialogs.model import TRADE_NAMES
from handlers import callback_surveys
from locales import Language, Text, render
from storage import followups
from tests.support import diagrams
from tests.support.transcripts import labels

DIAGRAM: Final = Path(survey.__file__).with_name("survey.mmd")
ORDER: Final = "WO-20261123-0012"
SURVEY: Final = 12
RATINGS: Final = ["1 😞", "2 🙁", "3 😐", "4 🙂", "5 😄"]
LI: Final = survey.Contact("3-1202", "李女士", "13800138000")
CASE: Final = survey.Corrective(ORDER, 1, "bot", LI, TRADE_NAMES["plumbing"], "卫生间天花板漏水",
                                "更换了三通", "张师傅")
CALLS: Final = ["☎1", "☎2", "☎3", "☎4", "☎5", "🏠1", "🏠2", "🏠3", "🏠4", "🏠5"]

# (who reads it, the message, its buttons, the language, exactly what they see, the buttons)
SHOWN: Final[list[tuple[str, Text, InlineKeyboard | None, Language, str, list[str]]]] = [
    ("the resident is asked for a rating",
     survey.question(ORDER, TRADE_NAMES["plumbing"]), survey.rating_keyboard(SURVEY), "zh_Hans",
     "📋 工单 WO-20261123-0012（水管/给排水）服务回访。\n"
     "您对本次维修满意吗？请点击 1（非常不满意）至 5（非常满意）评分。", RATINGS),
    ("the resident is asked for a rating, in English",
     survey.question(ORDER, TRADE_NAMES["plumbing"]), survey.rating_keyboard(SURVEY), "en",
     "📋 Callback for WO-20261123-0012 (Plumbing).\n"
     "How satisfied are you with the repair? Tap 1 (very dissatisfied) to 5 (very satisfied).",
     RATINGS),
    ("the resident is thanked for a 5",
     survey.thanks(ORDER, 5, False), None, "zh_Hans",
     "感谢您对工单 WO-20261123-0012 的评价：5/5。", []),
    ("a dissatisfied resident hears that a supervisor follows up",
     survey.thanks(ORDER, 2, True), None, "zh_Hans",
     "很抱歉工单 WO-20261123-0012 未能让您满意（2/5），主管会与您联系跟进。", []),
    ("a dissatisfied resident, in English",
     survey.thanks(ORDER, 2, True), None, "en",
     "We are sorry WO-20261123-0012 did not go well (2/5). A supervisor will follow up with "
     "you.", []),
    ("a rating after the window is noted, and a call may still come",
     survey.late_thanks(ORDER, 4), None, "zh_Hans",
     "谢谢，您对工单 WO-20261123-0012 的评价（4/5）已记录。"
     "由于回访期已过，工作人员可能仍会致电您。", []),
    ("the resident may add a comment or skip it",
     survey.ALREADY, survey.skip_keyboard(SURVEY), "zh_Hans", "您的评价已经记录，谢谢！",
     ["跳过"]),
    ("the resident's comment is thanked",
     survey.COMMENT_THANKS, None, "zh_Hans", "谢谢，您的意见已转达。", []),
    ("dispatch learns the order is confirmed and may correct the class",
     survey.class_notice(ORDER, "leak", "11-24 11:00", "11-26 10:00"),
     survey.class_keyboard(SURVEY, "leak"), "zh_Hans",
     "📋 工单 WO-20261123-0012 已确认。回访类别：渗漏类（闭水试验后 3 天）。\n"
     "问卷发送时间：11-24 11:00，回访期至 11-26 10:00。", ["🛡 安全设施", "🔧 其他"]),
    ("no daytime left in the window: it will be a phone callback",
     survey.class_notice(ORDER, "safety", "", "11-25 20:00"),
     survey.class_keyboard(SURVEY, "safety"), "en",
     "📋 WO-20261123-0012 is confirmed. Callback: safety facility (2 days).\n"
     "No daytime left in the window (until 11-25 20:00): phone callback.",
     ["💧 Leak", "🔧 Other"]),
    ("dispatch is asked to phone: a late rating and two unanswered calls",
     survey.phone_task(ORDER, LI, "unanswered", "11-23 11:00", "11-25 20:00", 2, 3),
     survey.phone_keyboard(SURVEY), "zh_Hans",
     "📞 工单 WO-20261123-0012 需要回访：问卷已于 11-23 11:00 发送，"
     "业主未在 11-25 20:00 前回复。\n"
     "房号 3-1202 · 李女士 · 电话 13800138000\n业主逾期后线上评分：3/5。\n"
     "已拨打 2 次，均无人接听。\n"
     "请记录业主满意度：电话回访后点 ☎，上门回访后点 🏠。",
     [*CALLS, "📵 无人接听", "❌ 号码错误"]),
    ("a phone task for a public area: no unit, name or phone",
     survey.phone_task(ORDER, survey.Contact("", "", ""), "unanswered", "11-23 11:00",
                       "11-25 20:00", 0, None),
     survey.phone_keyboard(SURVEY), "en",
     "📞 Callback needed for WO-20261123-0012: the survey was sent at 11-23 11:00 and not "
     "answered by 11-25 20:00.\n"
     "Unit - · - · tel. -\n"
     "Record the resident's satisfaction: ☎ after a call, 🏠 after a visit.",
     [*CALLS, "📵 No answer", "❌ Wrong number"]),
    # Never "not answered" for a survey the resident never had (issue 15, item 5).
    ("a survey never sent at night-only hours left: the task says so",
     survey.phone_task(ORDER, LI, "no_daytime", "", "11-25 20:00", 0, None),
     survey.phone_keyboard(SURVEY), "en",
     "📞 Callback needed for WO-20261123-0012: the survey was never sent — no daytime hours "
     "were left before its window closed (11-25 20:00).\n"
     "Unit 3-1202 · 李女士 · tel. 13800138000\n"
     "Record the resident's satisfaction: ☎ after a call, 🏠 after a visit.",
     [*CALLS, "📵 No answer", "❌ Wrong number"]),
    ("a resident who blocked the bot was never sent one",
     survey.phone_task(ORDER, LI, "unreachable", "", "11-25 20:00", 0, None), None, "zh_Hant",
     "📞 工單 WO-20261123-0012 需要回訪：問卷未曾發送——無法透過機器人聯絡到業主。\n"
     "房號 3-1202 · 李女士 · 電話 13800138000\n"
     "請記錄業主滿意度：電話回訪後點 ☎，上門回訪後點 🏠。", []),
    ("a survey that never reached the chat is not called unanswered",
     survey.phone_task(ORDER, LI, "undelivered", "11-23 11:00", "11-25 20:00", 0, None), None,
     "zh_Hans",
     "📞 工单 WO-20261123-0012 需要回访：问卷未能送达业主的聊天（无法投递），业主并未看到问卷。\n"
     "房号 3-1202 · 李女士 · 电话 13800138000\n"
     "请记录业主满意度：电话回访后点 ☎，上门回访后点 🏠。", []),
    ("a recorded callback, with room for a note",
     survey.callback_done(ORDER, 4, "phone", "王调度"), survey.note_keyboard(SURVEY), "zh_Hans",
     "✅ 工单 WO-20261123-0012 回访已记录：4/5（电话回访），记录人：王调度。", ["✍ 添加备注"]),
    ("the desk's call after a late tap in the bot: both ratings",
     survey.callback_done(ORDER, 5, "phone", "Wang", bot_rating=3), None, "en",
     "✅ Callback for WO-20261123-0012 recorded: 5/5 by phone, by Wang.\n"
     "Kept as well: the resident had answered 3/5 late in the bot.", []),
    ("every copy of a task closed after the office's calls: why, no buttons",
     survey.phone_closed(ORDER, LI, "unreachable", 3, "王调度"), None, "zh_Hans",
     "🚫 WO-20261123-0012 的回访已关闭：拨打 3 次无人接听，联系不上住户，由 王调度 记录。\n"
     "房号 3-1202 · 李女士 · 电话 13800138000", []),
    ("a corrective task after a 1 in the bot: whom to call, and the order",
     survey.corrective_task(CASE), survey.corrective_keyboard(SURVEY), "zh_Hans",
     "⚠️ 需要整改：工单 WO-20261123-0012 回访评分 1/5（线上评价）。\n"
     "房号 3-1202 · 李女士 · 电话 13800138000\n"
     "工单 WO-20261123-0012 · 水管/给排水 · 维修师傅：张师傅\n"
     "报修内容：卫生间天花板漏水\n处理情况：更换了三通\n"
     "请联系业主并处理妥当，然后点击“填写处理结果”，写明所做的处理：任务将随您的备注关闭。",
     ["✍ 填写处理结果"]),
    ("every copy of a closed corrective task: who, when, the note, no button",
     survey.corrective_closed(CASE, "刘调度", "11-26 10:05", "已上门重新打胶，业主满意"), None,
     "en",
     "⚠️ Corrective action needed: WO-20261123-0012 was rated 1/5 in the bot.\n"
     "Unit 3-1202 · 李女士 · tel. 13800138000\n"
     "Order WO-20261123-0012 · Plumbing · technician: 张师傅\n"
     "Reported: 卫生间天花板漏水\nDone: 更换了三通\n"
     "✔ Closed by 刘调度 at 11-26 10:05: 已上门重新打胶，业主满意", []),
    ("the fault persists: the comment reaches dispatch with the reopening",
     survey.resident_comment(ORDER, "还是漏", reopened=True), None, "zh_Hant",
     "💬 業主對工單 WO-20261123-0012 的意見：还是漏\n"
     "🔁 故障仍未解決：工單 WO-20261123-0012 已重新開啟返修，交回原維修師傅。", []),
    ("the resident's comment reaches dispatch as written",
     survey.resident_comment(ORDER, "师傅很准时"), None, "zh_Hans",
     "💬 业主对工单 WO-20261123-0012 的意见：师傅很准时", []),
]


@pytest.mark.parametrize(("who", "text", "keyboard", "language", "shown", "buttons"), SHOWN,
                         ids=[row[0] for row in SHOWN])
def test_what_the_phone_shows(who: str, text: Text, keyboard: InlineKeyboard | None,
                              language: Language, shown: str, buttons: list[str]) -> None:
    assert render(text, language) == shown
    assert (labels(keyboard, language) if keyboard else []) == buttons


# Each button stands for one tap on survey 12; the handler re-checks who may make it.
@pytest.mark.parametrize(("keyboard", "taps"), [
    (survey.rating_keyboard(SURVEY), [(Verb.RATE, (12, r)) for r in (1, 2, 3, 4, 5)]),
    (survey.skip_keyboard(SURVEY), [(Verb.SKIP_COMMENT, (12,))]),
    (survey.class_keyboard(SURVEY, "other"),
     [(Verb.CALLBACK_CLASS, (12, "safety")), (Verb.CALLBACK_CLASS, (12, "leak"))]),
    (survey.phone_keyboard(SURVEY),
     [(Verb.CALL_RESULT, (12, via, r)) for via in ("phone", "onsite") for r in (1, 2, 3, 4, 5)]
     + [(Verb.CALL_RESULT, (12, "no_answer", 0)), (Verb.CALL_RESULT, (12, "wrong_number", 0))]),
    (survey.phone_keyboard(SURVEY, give_up=True),
     [(Verb.CALL_RESULT, (12, via, r)) for via in ("phone", "onsite") for r in (1, 2, 3, 4, 5)]
     + [(Verb.CALL_RESULT, (12, "no_answer", 0)), (Verb.CALL_RESULT, (12, "wrong_number", 0)),
        (Verb.CALL_RESULT, (12, "unreachable", 0))]),
    (survey.note_keyboard(SURVEY), [(Verb.CALL_NOTE, (12,))]),
    (survey.corrective_keyboard(SURVEY), [(Verb.CORRECTED, (12,))]),
], ids=["rating", "skip", "class", "phone", "phone after the office's calls", "note",
        "corrective"])
def test_what_each_button_stands_for(keyboard: InlineKeyboard,
                                     taps: list[tuple[Verb, tuple[object, ...]]]) -> None:
    found = [parse(button.data) for row in keyboard.rows for button in row]
    assert [(tap.verb, tap.args) if tap else None for tap in found] == taps


# -- the diagram -------------------------------------------------------------------------
def _states_in_code() -> set[str]:
    """Every value the code gives or compares ``CallbackSurvey.state`` with (read from the
    source, so a new state in a handler shows up here)."""
    files = [Path(followups.__file__), *Path(callback_surveys.__path__[0]).glob("*.py")]
    states: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            states |= _state_values(node)
    return states


def _is_state(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "state") or (
        isinstance(node, ast.Name) and (node.id == "state" or node.id.endswith("_STATES")))


def _strings(node: ast.AST | None) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)} if node is not None else set()


def _mentions_state(node: ast.AST) -> bool:
    return any(_is_state(n) for n in ast.walk(node))


def _state_values(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Compare) and _mentions_state(node.left):
        return set().union(*(_strings(c) for c in node.comparators))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "in_") and _mentions_state(node.func.value):
        return set().union(*(_strings(a) for a in node.args))
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if isinstance(value, ast.Call):  # a column: state: str = Field(default="scheduled")
            value = next((k.value for k in value.keywords if k.arg == "default"), ast.Tuple([]))
        values: set[str] = set()
        for target in targets:
            if _is_state(target):
                values |= _strings(value)
            elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                values |= {v.value for t, v in zip(target.elts, value.elts, strict=False)
                           if _is_state(t) and isinstance(v, ast.Constant)
                           and isinstance(v.value, str)}
        return values
    if isinstance(node, ast.Dict):
        return {v.value for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "state"
                and isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return set()


def test_the_code_knows_seven_survey_states() -> None:
    assert _states_in_code() == {"scheduled", "sent", "phone", "done", "unreachable",
                                 "wrong_number", "reworked"}


def test_survey_mmd_draws_exactly_the_states_of_a_callback_survey() -> None:
    assert {state.lower() for state in diagrams.read(DIAGRAM).states} == _states_in_code()
