"""Staff answer a resident through the bot with one of the office's ready answers: the answer
is offered as a button with its text, and the resident reads it in their own language. The
office keeps its own list (``canned_replies_path``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from handlers.front_desk.canned_replies import DEFAULT_PATH, load_replies, parse_replies
from handlers.office import Office
from handlers.office.rules import OfficeRules
from storage.complaints import ComplaintEvent
from storage.models import EventLog, FrontDeskRequest
from tests.support.complaints import complain
from tests.support.estate import DISPATCH, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")  # the dispatcher reads English


def asked_the_desk(estate: Estate, who: str = "neighbour") -> None:
    """A resident's question the FAQ did not settle: it waits at the desk."""
    person = getattr(estate, who)
    if who == "neighbour":
        person.says("When will the water be back on?")
        person.taps("No, ask the desk")
    else:
        person.says("今天停水了，什么时候恢复供水？")
        person.taps("转给客服")


def the_request(office: Office) -> FrontDeskRequest:
    with Session(office.engine) as session:
        return session.exec(select(FrontDeskRequest)).one()


def test_a_ready_answer_reaches_the_resident_in_their_language(estate: Estate,
                                                               office: Office) -> None:
    asked_the_desk(estate)
    liu, li = estate.dispatcher, estate.neighbour
    liu.taps("Reply", chat_id=DISPATCH)
    question = liu.chat[-1]
    labels = [label for label, _ in question.buttons]
    assert labels[:2] == ["Noted, checking", "Asking a specialist"] and labels[-1] == "✖ Cancel"
    assert "See /fees" not in labels  # offered for fee questions only
    assert "checking with the department concerned" in question.text  # what each one says
    liu.taps("Noted, checking")
    assert "FD-1" in li.last and "checking with the department concerned" in li.last
    request = the_request(office)
    assert request.status == "answered" and request.answered_at is not None
    notice = estate.desk.last(DISPATCH)
    assert "Answered by 刘调度" in notice.text and "checking with" in notice.text
    assert notice.buttons == []
    with Session(office.engine) as session:
        answered = session.exec(select(EventLog).where(
            EventLog.action == "front_desk_answered")).one()
    assert answered.detail["canned"] == "recorded_checking"
    assert answered.detail["reply"].startswith("Thank you for letting us know.")


def test_a_chinese_resident_reads_the_chinese_text(estate: Estate, office: Office) -> None:
    asked_the_desk(estate, "resident")
    estate.dispatcher.taps("Reply", chat_id=DISPATCH)
    estate.dispatcher.taps("Please visit the office")
    text = estate.resident.last
    assert "这项业务需要到客服中心办理" in text and "400-000-0000" in text
    assert "{" not in text  # the office's hours and hotline are filled in


def test_written_answers_still_work_beside_the_ready_ones(estate: Estate,
                                                          office: Office) -> None:
    asked_the_desk(estate)
    estate.dispatcher.taps("Reply", chat_id=DISPATCH)
    estate.dispatcher.says("Water is back by 3 pm.")
    assert "Water is back by 3 pm." in estate.neighbour.last
    with Session(office.engine) as session:
        answered = session.exec(select(EventLog).where(
            EventLog.action == "front_desk_answered")).one()
    assert answered.detail["canned"] is None


def test_the_office_keeps_its_own_list(tmp_path: Path, office: Office) -> None:
    own = tmp_path / "canned.yaml"
    own.write_text(yaml.safe_dump([{
        "key": "pool_closed",
        "label": {"zh_Hans": "泳池维护中", "zh_Hant": "泳池維護中", "en": "Pool closed"},
        "text": {"zh_Hans": "泳池本周维护，下周一开放。", "zh_Hant": "泳池本週維護，下週一開放。",
                 "en": "The pool is closed for maintenance this week; it opens next Monday."},
    }], allow_unicode=True), encoding="utf-8")
    estate = build_estate(dataclasses.replace(office, rules=OfficeRules(
        canned_replies_path=own)), staff_language="en")
    asked_the_desk(estate)
    estate.dispatcher.taps("Reply", chat_id=DISPATCH)
    assert [label for label, _ in estate.dispatcher.chat[-1].buttons] == ["Pool closed",
                                                                         "✖ Cancel"]
    estate.dispatcher.taps("Pool closed")
    assert "opens next Monday" in estate.neighbour.last


def test_a_complaint_is_answered_with_a_ready_answer(estate: Estate, office: Office) -> None:
    li, liu = estate.neighbour, estate.dispatcher
    complain(li, "The cleaner keeps leaving rubbish bags in our corridor")
    liu.taps("minor", chat_id=DISPATCH)
    liu.taps("Answer the resident", chat_id=DISPATCH)
    labels = [label for label, _ in liu.chat[-1].buttons]
    assert "Sorry, being handled" in labels and "Release pass for moving out" not in labels
    liu.taps("Sorry, being handled")
    assert "We are very sorry for the trouble" in li.last and "刘调度" in li.last
    with Session(office.engine) as session:
        answered = session.exec(select(ComplaintEvent).where(
            ComplaintEvent.action == "answered")).one()
    assert answered.detail["canned"] == "apologise_arranging"


def test_a_button_of_a_ready_answer_not_offered_sends_nothing(estate: Estate,
                                                              office: Office) -> None:
    asked_the_desk(estate)
    liu = estate.dispatcher
    liu.taps("Reply", chat_id=DISPATCH)
    nonce = liu.chat[-1].buttons[0][1].split(":")[2]
    liu.presses(f"v1:dialog:{nonce}:ready:fee_statement")  # for fee questions only
    assert the_request(office).status == "open"
    assert "/fees" not in estate.neighbour.last


# -- the file ------------------------------------------------------------------------------
def test_the_shipped_answers_are_complete() -> None:
    replies = load_replies(DEFAULT_PATH)
    assert len(replies) >= 8
    for reply in replies.values():
        assert set(reply.text.values) == {"zh_Hans", "zh_Hant", "en"}
        assert len(reply.label.values["en"]) <= 30  # fits a button


@pytest.mark.parametrize(("entry", "problem"), [
    ({"key": "Bad Key", "label": {}, "text": {}}, "needs a key"),
    ({"key": "ok", "label": {"zh_Hans": "好", "en": "OK"},
      "text": {"zh_Hans": "好", "zh_Hant": "好", "en": "OK"}}, "label has nothing in zh_Hant"),
    ({"key": "ok", "label": {"zh_Hans": "好", "zh_Hant": "好", "en": "OK"},
      "text": {"zh_Hans": "好", "zh_Hant": "好", "en": "OK"}, "for": ["parking"]},
     "unknown kinds parking"),
])
def test_a_broken_file_says_what_is_wrong(entry: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_replies([entry], "canned.yaml")


def test_two_answers_may_not_share_a_key() -> None:
    entry = {"key": "ok", "label": {"zh_Hans": "好", "zh_Hant": "好", "en": "OK"},
             "text": {"zh_Hans": "好", "zh_Hant": "好", "en": "OK"}}
    with pytest.raises(ValueError, match="share the key ok"):
        parse_replies([entry, entry])
