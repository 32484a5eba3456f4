"""The short questions the office asks and waits for — a reason, a new time, a price, a finish
note — as the phone shows them, and exactly what the bot answers to each reply.

Each transcript opens with the question (work order WO-20261123-0012) and ends with the answer
handed to the office's handler, which re-checks the order itself. The last tests check that
``dialogs/answers.mmd`` draws exactly these questions and every move a person can make.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import answers
from dialogs.model import AnswerText, DialogContext, Outcome
from locales import Language
from tests.support import diagrams
from tests.support.transcripts import Chat, Line, Move, Opening, Transcript, actions, play, wander

DIAGRAM: Final = Path(answers.__file__).with_name("answers.mmd")
ORDER: Final = "WO-20261123-0012"


def person(language: Language = "zh_Hans") -> DialogContext:
    return DialogContext(chat_id=501, language=language)


def asks(purpose: str) -> Opening:
    """A handler asks the question for *purpose* about work order 12."""
    def opening(context: DialogContext, nonce: str) -> Outcome:
        return answers.ask(context, nonce, purpose, 12, ORDER)
    return opening


FINISH_NOTE = ("bot", "工单 WO-20261123-0012 完工：请发送完工照片和所用材料说明（可选），"
                      "然后点击“提交完工”。", ["✅ 提交完工", "✖ 取消"])
FINISH_NOTE_EN = ("bot", "Finishing WO-20261123-0012: send photos of the work and a note of "
                         "materials used (optional), then tap Finish.", ["✅ Finish", "✖ Cancel"])

TRANSCRIPTS: Final = {
    "the resident cancels a request and gives a reason": Transcript(person(), [
        ("bot", "为什么要取消工单 WO-20261123-0012？请简要说明原因。", ["✖ 取消"]),
        ("sends sticker",),
        ("bot", "请用文字回复。"),
        ("sends", "不需要了，已经自己修好"),
        ("done", AnswerText("cancel_reason", 12, "不需要了，已经自己修好")),
    ], opening=asks("cancel_reason")),
    "the resident asks for rework: a photo alone is not an answer": Transcript(person(), [
        ("bot", "工单 WO-20261123-0012 还有什么问题？请描述一下。", ["✖ 取消"]),
        ("sends", "修" * 2001),
        ("bot", "消息太长了（2001 字，最多 2000 字）。请精简后重新发送。"),
        ("sends photo", "还在漏"),
        ("bot", "请用文字回复。"),
        ("sends", "还是在漏水"),
        ("done", AnswerText("rework_reason", 12, "还是在漏水")),
    ], opening=asks("rework_reason")),
    "the technician proposes another time, in English": Transcript(person("en"), [
        ("bot", "Which time do you propose for WO-20261123-0012? The resident will be asked.",
         ["✖ Cancel"]),
        ("sends", "Tomorrow 3 pm"),
        ("done", AnswerText("new_time", 12, "Tomorrow 3 pm")),
    ], opening=asks("new_time")),
    "the technician's price must be an amount in yuan": Transcript(person(), [
        ("bot", "工单 WO-20261123-0012 的价格是多少元？（例如 45 或 45.50）", ["✖ 取消"]),
        ("sends", "大概五十"),
        ("bot", "请输入数字金额，例如 45.50。"),
        ("sends", "45.555"),
        ("bot", "请输入数字金额，例如 45.50。"),
        ("sends", "0"),
        ("bot", "请输入数字金额，例如 45.50。"),
        ("sends", "¥45.50"),
        ("done", AnswerText("price", 12, "¥45.50")),
    ], opening=asks("price")),
    "the technician finishes with photos and a note of materials": Transcript(person(), [
        FINISH_NOTE,
        ("sends photo", "更换了阀芯"),
        ("bot", "照片已添加。全部发完后请点击“提交完工”。"),
        ("sends photo", ""),
        ("bot", "照片已添加。全部发完后请点击“提交完工”。"),
        ("sends", "用了生料带一卷"),
        ("bot", "说明已添加。全部发完后请点击“提交完工”。"),
        ("sends sticker",),
        ("bot", "请发送照片或说明，或点击“提交完工”。"),
        ("taps", "✅ 提交完工"),
        ("done", AnswerText("done_note", 12, "更换了阀芯 用了生料带一卷", ("photo-1", "photo-2"))),
    ], opening=asks("done_note")),
    "a Finish button from an earlier, cancelled question does nothing": Transcript(person("en"), [
        FINISH_NOTE_EN,
        ("taps", "✖ Cancel"),
        ("bot", "Cancelled. Nothing was changed."),
        ("done", None),
        ("starts again",),
        FINISH_NOTE_EN,
        ("taps an old button", "✅ Finish"),
        ("bot", "Send photos or a note, or tap Finish."),
        ("taps forged", "v1:dialog:n0003:finish:x"),
        ("bot", "Send photos or a note, or tap Finish."),
        ("taps", "✅ Finish"),
        ("done", AnswerText("done_note", 12, "")),
    ], opening=asks("done_note")),
    "damage reported in traditional Chinese, then thought better of": Transcript(
        person("zh_Hant"), [
            ("bot", "請描述工單 WO-20261123-0012 施工過程中發生的損壞或遺失，主管會立即收到通知。",
             ["✖ 取消"]),
            ("taps", "✖ 取消"),
            ("bot", "已取消，未做任何更改。"),
            ("done", None),
        ], opening=asks("damage")),
    # The survey's handler puts its own Skip button under this question.
    "the resident comments on the callback": Transcript(person(), [
        ("bot", "对工单 WO-20261123-0012 还有什么意见或建议吗？请直接输入，或点击“跳过”。",
         ["✖ 取消"]),
        ("sends", "师傅很准时"),
        ("done", AnswerText("survey_comment", 12, "师傅很准时")),
    ], opening=asks("survey_comment")),
    "staff note what the resident said on the phone": Transcript(person(), [
        ("bot", "请填写工单 WO-20261123-0012 的回访备注：业主反馈了什么？", ["✖ 取消"]),
        ("sends", "业主表示满意"),
        ("done", AnswerText("phone_result", 12, "业主表示满意")),
    ], opening=asks("phone_result")),
    "the front desk answers a resident, in English": Transcript(person("en"), [
        ("bot", "Your answer to WO-20261123-0012: write it as the resident should read it.",
         ["✖ Cancel"]),
        ("sends", "The fee notice goes out on the 5th."),
        ("done", AnswerText("front_desk_reply", 12, "The fee notice goes out on the 5th.")),
    ], opening=asks("front_desk_reply")),
}


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript(name: str) -> None:
    transcript = TRANSCRIPTS[name]
    assert play(answers.step, transcript) == list(transcript.lines)


@pytest.mark.parametrize(("typed", "amount"), [
    ("45", Decimal("45.00")),
    ("45.50", Decimal("45.50")),
    ("¥45.5", Decimal("45.50")),
    ("45元", Decimal("45.00")),
    ("45 yuan", Decimal("45.00")),
    (" 999999.99 ", Decimal("999999.99")),
    ("45.555", None),  # no fractions of a fen
    ("0", None),
    ("-5", None),
    ("1000000", None),
    ("NaN", None),
    ("Infinity", None),
    ("大概五十", None),
    ("", None),
])
def test_a_price_is_a_positive_amount_of_yuan_to_the_fen(typed: str, amount: Decimal | None
                                                          ) -> None:
    assert answers.parse_price(typed) == amount


# -- the diagram -------------------------------------------------------------------------
def test_answers_mmd_draws_exactly_the_questions() -> None:
    assert diagrams.read(DIAGRAM).states == set(answers.QUESTIONS)


def test_every_move_in_the_transcripts_is_an_arrow_of_answers_mmd() -> None:
    moves: list[Move] = []
    for transcript in TRANSCRIPTS.values():
        play(answers.step, transcript, moves)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), moves) == set()


TEXTS: Final = ("45", "45.50", "大概五十", "明天下午", "ok", "", "x" * 201, "漏" * 2001)


@settings(max_examples=200, deadline=None)
@given(language=st.sampled_from(("zh_Hans", "en")), purpose=st.sampled_from(sorted(
    answers.QUESTIONS)), lines=actions(TEXTS, max_size=10))
def test_whatever_is_sent_the_question_follows_an_arrow(language: Language, purpose: str,
                                                        lines: list[Line]) -> None:
    chat = Chat(answers.step, person(language), asks(purpose))
    wander(chat, lines)
    assert diagrams.not_drawn(diagrams.read(DIAGRAM), chat.moves) == set()


@pytest.mark.parametrize(("typed", "quote"), [
    ("45", (Decimal("45.00"), "")),
    ("¥45.50", (Decimal("45.50"), "")),
    ("350 换了整个阀体", (Decimal("350.00"), "换了整个阀体")),
    ("350元，换了整个阀体", (Decimal("350.00"), "换了整个阀体")),
    ("３５０元 换阀体", (Decimal("350.00"), "换阀体")),  # full-width digits as typed on a phone
    ("350 yuan: two valves", (Decimal("350.00"), "two valves")),
    ("45.555 too precise", None),
    ("大概五十", None),
    ("0 free", None),
])
def test_a_quote_is_a_price_then_its_reason(typed: str, quote: tuple[Decimal, str] | None
                                            ) -> None:
    assert answers.parse_quote(typed) == quote


@pytest.mark.parametrize(("rest", "parts"), [
    ("R-7788 cash at the counter", ("R-7788", "cash at the counter")),
    ("现金 R-7788", ("R-7788", "现金")),
    ("现金，R-7788", ("R-7788", "现金")),
    ("现金", (None, "现金")),
    ("", (None, "")),
    ("R-7788 R-7789", None),  # two numbers: which one is not guessed
    # A date is when it was paid, never a receipt number: it stays in the note.
    ("现金 2026-12-11", (None, "现金 2026-12-11")),
    ("12/11 现金", (None, "12/11 现金")),
    ("cash 2026/12/11", (None, "cash 2026/12/11")),
    ("R-7788 2026-12-11", ("R-7788", "2026-12-11")),
])
def test_a_payments_receipt_number_is_found_wherever_it_is_typed(
        rest: str, parts: tuple[str | None, str] | None) -> None:
    assert answers.receipt_and_note(rest) == parts


@pytest.mark.parametrize(("caption", "read"), [
    ("280", (True, Decimal("280.00"))),
    ("我已付200元，收据 R-7788", (True, Decimal("200.00"))),  # the receipt number is no amount
    ("paid ¥1,200.50 for 3-1203", (True, Decimal("1200.50"))),  # nor is the unit
    ("", (True, None)),
    ("paid at the bank", (True, None)),
    ("200 or 280", (False, None)),  # two amounts: which one is not guessed
    ("45.555", (False, None)),
])
def test_the_amount_written_with_a_receipts_photo(caption: str,
                                                  read: tuple[bool, Decimal | None]) -> None:
    assert answers.paid_amount(caption) == read


@pytest.mark.parametrize(("caption", "receipt"), [
    ("已付280 收据号R-7788", "R-7788"),
    ("我已付200元，收据 R-7788", "R-7788"),
    ("paid 280, receipt no. R-7788", "R-7788"),
    ("paid ¥1,200.50 for 3-1203", None),  # the unit is no receipt number
    ("已付280 2026-12-02", None),  # nor is a date, nor the amount
    ("280", None),
    ("", None),
    ("R-7788 or R-7789", None),  # two numbers: which one is not guessed
])
def test_the_receipt_number_written_with_a_receipts_photo(caption: str,
                                                          receipt: str | None) -> None:
    assert answers.caption_receipt(caption, "3-1203") == receipt
