"""Questions in the chat: the office's FAQ answers what it can and asks whether it helped;
"No, ask the desk" and questions it cannot answer go to the desk with a promised time; a fee
question gets the resident's own statement at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.rules import OfficeRules
from storage.complaints import FaqQuestion
from storage.models import FrontDeskRequest
from tests.support.estate import DISPATCH, Estate, build_estate
from tests.support.orders import sh


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def questions(office: Office) -> list[FaqQuestion]:
    with Session(office.engine) as session:
        return list(session.exec(select(FaqQuestion)))


def requests(office: Office) -> list[FrontDeskRequest]:
    with Session(office.engine) as session:
        return list(session.exec(select(FrontDeskRequest)))


def test_an_faq_question_is_answered_with_the_offices_own_hours(estate: Estate,
                                                               office: Office) -> None:
    li = estate.neighbour
    li.says("What time does the office open?")
    assert "Mon–Fri 08:30–12:00, 13:30–17:30" in li.last and "400-000-0000" in li.last
    assert "Did this answer it?" in li.last
    li.taps("Yes")
    [question] = questions(office)
    assert question.faq_key == "office_hours" and question.helpful is True
    assert requests(office) == []


def test_the_office_hours_read_as_chinese_writes_them(estate: Estate) -> None:
    """In Chinese the morning and afternoon periods are joined with "，", not ", "."""
    estate.resident.says("客服中心几点开门？")
    assert "周一至周五 08:30–12:00，13:30–17:30" in estate.resident.last


def test_the_answer_comes_in_the_residents_language(estate: Estate) -> None:
    estate.resident.says("快递放在哪里取？")
    assert "快递柜" in estate.resident.last


def test_no_ask_the_desk_sends_the_question_on_with_a_promise(estate: Estate,
                                                              office: Office) -> None:
    li = estate.neighbour
    li.says("Where can I collect my parcel?")
    li.taps("No, ask the desk")
    assert "24 hours" in li.last
    [request] = requests(office)
    assert request.text == "Where can I collect my parcel?" and request.kind == "enquiry"
    assert questions(office)[0].request_id == request.id
    assert "Where can I collect my parcel?" in estate.desk.last(DISPATCH).text
    again = li.presses(tap(Verb.FAQ_FEEDBACK, questions(office)[0].id, "no"))
    assert li.toast_for(again) and len(requests(office)) == 1  # once


def test_counted_in_office_hours_the_promise_says_office_hours(office: Office,
                                                               clock: FakeClock) -> None:
    """Friday 22:00 with ``response_deadline_basis: office``: the answer is due after 24 hours
    of the desk being open (Thursday 10:00), and the resident is told it is 24 office hours,
    not "within 24 hours" beside a date five and a half days on."""
    counting = replace(office, rules=OfficeRules(response_deadline_basis="office"))
    estate = build_estate(counting)
    clock.set(sh(2026, 12, 4, 22, 0))  # a Friday
    estate.neighbour.says("Does the estate plan a new playground next year?")
    estate.resident.says("小区明年会建新的游乐场吗？")
    first, _ = requests(office)
    assert first.due_at == sh(2026, 12, 10, 10, 0)
    assert "within 24 office hours (by 2026-12-10 10:00)" in estate.neighbour.last
    assert "24 hours" not in estate.neighbour.last
    assert "24个工作小时内（2026-12-10 10:00 前）" in estate.resident.last


def test_someone_else_cannot_answer_for_the_resident(estate: Estate, office: Office) -> None:
    estate.neighbour.says("Where can I collect my parcel?")
    forged = estate.resident.presses(tap(Verb.FAQ_FEEDBACK, questions(office)[0].id, "no"))
    assert estate.resident.toast_for(forged) and requests(office) == []


def test_a_question_the_faq_cannot_answer_goes_to_the_desk(estate: Estate,
                                                           office: Office) -> None:
    estate.neighbour.says("Does the estate plan a new playground next year?")
    assert "24 hours" in estate.neighbour.last
    assert [r.kind for r in requests(office)] == ["enquiry"] and questions(office) == []


def test_a_fee_question_gets_the_residents_statement_at_once(estate: Estate,
                                                             office: Office) -> None:
    li = estate.neighbour
    li.says("Why is there a late fee on my bill?")
    assert "Did this answer it?" in li.last
    assert requests(office) == []
    li.taps("No, ask the desk")
    assert [r.kind for r in requests(office)] == ["fee"]


def test_a_reply_to_the_desks_answer_goes_back_to_the_desk_with_its_question(
        office: Office) -> None:
    estate = build_estate(office, staff_language="en")
    wang, liu = estate.resident, estate.dispatcher
    wang.says("小区明年会建新的游乐场吗？")
    liu.taps("Reply", chat_id=DISPATCH)
    liu.says("No plans yet.")
    wang.says("还是不明白")
    assert "FD-1" in wang.last and "FD-2" in wang.last and "24" in wang.last
    first, second = requests(office)
    assert second.text == "还是不明白" and second.follows_id == first.id
    notice = estate.desk.last(DISPATCH)
    assert "还是不明白" in notice.text and "FD-1" in notice.text and "游乐场" in notice.text
    liu.taps("Reply", chat_id=DISPATCH)
    liu.says("We will build it in spring.")
    assert "FD-2" in wang.last and "We will build it in spring." in wang.last
    wang.says("谢谢")  # thanks are no question: nothing opened
    assert len(requests(office)) == 2


def test_a_message_long_after_the_answer_is_not_taken_as_a_reply(office: Office,
                                                                  clock: FakeClock) -> None:
    estate = build_estate(office, staff_language="en")
    estate.resident.says("小区明年会建新的游乐场吗？")
    estate.dispatcher.taps("Reply", chat_id=DISPATCH)
    estate.dispatcher.says("No plans yet.")
    clock.advance(office.rules.desk_follow_up + timedelta(minutes=1))
    estate.resident.says("还是不明白")
    assert len(requests(office)) == 1


def test_still_not_understood_after_an_faq_answer_asks_the_desk(estate: Estate,
                                                                office: Office) -> None:
    wang = estate.resident
    wang.says("快递放在哪里取？")
    wang.says("谢谢")  # thanks for the answer: nothing to ask the desk
    assert requests(office) == []
    wang.says("还是不明白")  # as good as "No, ask the desk"
    [request] = requests(office)
    assert request.text == "快递放在哪里取？" and "FD-1" in wang.last and "24" in wang.last
    [question] = questions(office)
    assert question.helpful is False and question.request_id == request.id
    assert "快递放在哪里取？" in estate.desk.last(DISPATCH).text


def test_words_after_a_later_request_are_not_an_old_faq_answers_no(office: Office) -> None:
    estate = build_estate(office, staff_language="en")
    wang = estate.resident
    wang.says("快递放在哪里取？")  # answered by the FAQ, never tapped
    wang.says("小区明年会建新的游乐场吗？")
    estate.dispatcher.taps("Reply", chat_id=DISPATCH)
    estate.dispatcher.says("No plans yet.")
    wang.says("还是不明白")  # about the playground, answered last
    assert [r.text for r in requests(office)] == ["小区明年会建新的游乐场吗？", "还是不明白"]
    assert questions(office)[0].helpful is None
