"""Questions the office's FAQ must pass to the desk, not answer: a wrong answer is worse than
"I'll ask the desk". Places and services outside the estate (shops, transport, schools, city
services) get no FAQ answer, and a topic answers only when the question names it (the parcels
answer is not for a dog). Examples written by hand, not taken from any measured file."""

from __future__ import annotations

import pytest

from dialogs.faq import FaqEntry, FaqIndex
from handlers.front_desk.faq import load_faq, parse_faq
from handlers.office.rules import OfficeRules
from locales import Localized

INDEX = load_faq()
MIN = OfficeRules().faq_min_score


@pytest.mark.parametrize("text", [
    "Can I keep a dog?",
    "What time does the pharmacy open?",
    "What time does the gym open?",
    "What time does the supermarket close?",
    "When is rubbish collected?",
    "What time is the next bus to the city?",
    "What are the school hours?",
    "學校幾點放學",
    "Can you book me a taxi to the airport?",
    "How do I renew my driving licence?",
    "附近的药店几点开门",
    "超市几点关门",
    "地铁站怎么走",
    "幼兒園幾點放學",
])
def test_questions_outside_the_faq_go_to_the_desk(text: str) -> None:
    assert INDEX.match(text, MIN) is None, INDEX.rank(text)[:2]


ANSWER = Localized({"zh_Hans": "a", "zh_Hant": "a", "en": "a"})


def test_an_entry_with_topics_answers_only_a_question_that_names_one() -> None:
    index = FaqIndex.build([FaqEntry("parcels", ("Do the guards keep packages",), ANSWER,
                                     topics=("package", "parcel", "快递"))])
    assert index.match("Do the guards keep packages?", MIN) is not None
    assert index.match("Can I keep a dog?", MIN) is None


def test_a_place_outside_the_estate_gets_no_answer() -> None:
    index = FaqIndex.build([FaqEntry("office_hours", ("What time does the office open",),
                                     ANSWER)], outside=("pharmacy", "driving licence", "药店"))
    assert index.match("What time does the office open?", MIN) is not None
    assert index.match("What time does the pharmacy open?", MIN) is None
    assert index.match("附近药店几点开门", MIN) is None
    assert index.match("What time does the office open for my licence?", MIN) is not None


@pytest.mark.parametrize(("data", "problem"), [
    ({"entries": []}, "no entries"),
    ({"entries": [{"key": "x", "questions": {"en": ["q"]}, "topics": "parcel",
                   "answer": {"zh_Hans": "a", "zh_Hant": "a", "en": "a"}}]}, "topics"),
    ({"outside_the_estate": ["bus"], "entries": [
        {"key": "x", "questions": {"en": ["q"]},
         "answer": {"zh_Hans": "a", "zh_Hant": "a", "en": "a"}}]}, "outside_the_estate"),
    ({"outside_the_estate": {"en": ["the"]}, "entries": [
        {"key": "x", "questions": {"en": ["q"]},
         "answer": {"zh_Hans": "a", "zh_Hant": "a", "en": "a"}}]}, "says nothing"),
])
def test_a_broken_guard_in_the_faq_file_says_what_is_wrong(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_faq(data)
