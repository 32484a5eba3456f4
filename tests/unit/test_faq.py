"""The office's FAQ: the shipped file is sound, paraphrases match in all three languages, and
the held-out questions (written before the FAQ's variants) keep their accuracy."""

from __future__ import annotations

import pytest

from handlers.front_desk.faq import load_faq, parse_faq
from handlers.office.rules import OfficeRules
from tests.benchmarks.faq_bench import HELDOUT, accuracy, load_heldout

INDEX = load_faq()
MIN = OfficeRules().faq_min_score


@pytest.mark.parametrize(("text", "key"), [
    ("物业几点下班？", "office_hours"),
    ("管理處星期天開門嗎", "office_hours"),
    ("When does the office open?", "office_hours"),
    ("快递一般放在哪里", "parcels"),
    ("門禁卡不見了要怎麼補", "access_cards"),
    ("How do I register my renovation?", "decoration"),
    ("访客的车停哪里", "parking"),
    ("Can I pay the management fee by bank transfer?", "how_to_pay"),
    ("搬傢具出去要什麼手續", "release_pass"),
    # moving out is the release pass, not decoration (both "要办什么手续")
    ("我想搬屋", "release_pass"),
    ("搬屋要办什么手续", "release_pass"),
    ("I am moving out, what do I need?", "release_pass"),
    ("装修要办什么手续", "decoration"),
    # the guards (topics, places outside the estate) leave the FAQ's own questions answered
    ("Who removes renovation rubbish?", "decoration"),
    ("几点关门", "office_hours"),
    ("Where can visitors park?", "parking"),
    ("How much is home cleaning?", "paid_services"),
])
def test_paraphrases_find_their_answer(text: str, key: str) -> None:
    found = INDEX.match(text, MIN)
    assert found is not None and found.key == key, INDEX.rank(text)[:2]


@pytest.mark.parametrize("text", ["在吗", "你好", "Tell me a joke", "今天股市怎麼樣"])
def test_chat_and_unrelated_questions_get_no_faq_answer(text: str) -> None:
    assert INDEX.match(text, MIN) is None


def test_the_held_out_questions_keep_their_accuracy() -> None:
    share, right, total, _ = accuracy(INDEX, load_heldout(HELDOUT), MIN)
    assert share >= 0.85, (right, total)
    assert all(right[lang] / total[lang] >= 0.75 for lang in total), (right, total)


@pytest.mark.parametrize(("data", "problem"), [
    ({}, "list of entries"),
    ([{"questions": {}, "answer": {}}], "needs a key"),
    ([{"key": "x", "questions": {"en": ["q"]}, "answer": {"en": "a"}}], "no answer in"),
    ([{"key": "x", "questions": {}, "answer": {"zh_Hans": "a", "zh_Hant": "a", "en": "a"}}],
     "no question variants"),
])
def test_a_broken_faq_file_says_what_is_wrong(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_faq(data)
