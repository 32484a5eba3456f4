"""Callback surveys as the resident and the dispatch chat live them (fake clock, SQLite).

Li (English) is the resident so the new texts read as written; data is checked too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.callback_surveys import monthly_duties
from handlers.monthly_report.message import chat_message
from handlers.monthly_report.report import build
from handlers.office import Office
from handlers.office.clock import FakeClock
from locales import render
from storage.models import Person
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate
from tests.support.orders import (
    confirm,
    due,
    events,
    finish,
    open_order,
    order_row,
    phoned,
    sh,
    survey_row,
    surveyed,
)


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def test_a_job_confirmed_friday_at_19_50_is_surveyed_once_on_saturday_at_nine(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = open_order(office, li, status="accepted", assignee=estate.plumber)
    clock.set(sh(2026, 11, 27, 19, 40))
    finish(office, order_id)
    clock.set(sh(2026, 11, 27, 19, 50))
    survey_id = confirm(office, order_id)
    before = len(li.chat)
    for moment in (sh(2026, 11, 27, 20, 50), sh(2026, 11, 28, 0, 0), sh(2026, 11, 28, 8, 59)):
        clock.set(moment)
        due(office)
        assert len(li.chat) == before
    clock.set(sh(2026, 11, 28, 9, 0))
    assert due(office).counts["survey:sent"] == 1
    question = li.chat[-1]
    assert "How satisfied" in question.text and order_row(office, order_id).number in question.text
    assert [data for _, data in question.buttons] == [tap(Verb.RATE, survey_id, r)
                                                      for r in range(1, 6)]
    clock.advance(timedelta(hours=2))
    assert not due(office)
    assert len(li.chat) == before + 1  # never twice
    row = survey_row(office, survey_id)
    assert row.state == "sent" and row.sent_at == sh(2026, 11, 28, 9, 0)
    assert row.window_end == sh(2026, 11, 29, 19, 50)


def test_the_dispatch_chat_sees_the_plan_and_can_correct_the_class(
        estate: Estate, office: Office) -> None:
    order_id = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    survey_id = confirm(office, order_id)
    notice = estate.desk.last(DISPATCH)
    assert "Callback" in notice.text and "2026-11-23 11:00" in notice.text
    estate.dispatcher.taps("💧", chat_id=DISPATCH)
    row = survey_row(office, survey_id)
    assert row.callback_class == "leak" and row.window_end == sh(2026, 11, 26, 10, 0)
    assert order_row(office, order_id).callback_class == "leak"
    notice = estate.desk.last(DISPATCH)
    assert notice.edits == 1
    assert tap(Verb.CALLBACK_CLASS, survey_id, "leak") not in [d for _, d in notice.buttons]
    assert events(office, "callback_class_corrected")[0].detail == {
        "survey_id": survey_id, "before": "other", "after": "leak"}


def test_the_first_tap_counts_and_the_comment_is_kept(estate: Estate, office: Office,
                                                      clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("4")
    assert "4/5" in li.chat[-2].text
    assert "comment" in li.last and li.desk.last(li.user_id).buttons == [
        ("Skip", tap(Verb.SKIP_COMMENT, survey_id))]
    again = li.presses(tap(Verb.RATE, survey_id, 1))
    assert "already recorded" in li.toast_for(again)
    li.says("Quick and tidy, thanks")
    row = survey_row(office, survey_id)
    assert (row.rating, row.state, row.rated_via, row.late) == (4, "done", "bot", False)
    assert row.comment == "Quick and tidy, thanks" and row.due_at is None
    assert len(events(office, "survey_answered")) == 1
    assert "passed on" in li.last


def test_skipping_the_comment_by_button_or_by_word(estate: Estate, office: Office,
                                                    clock: FakeClock) -> None:
    li = estate.neighbour
    first = surveyed(office, clock, li, estate.plumber)
    li.taps("5")
    li.taps("Skip")
    assert li.last == "Thank you!"
    second = surveyed(office, clock, li, estate.plumber2)
    li.taps("5")
    li.says("skip")
    assert li.last == "Thank you!"
    assert survey_row(office, first).comment == survey_row(office, second).comment == ""


def test_a_low_rating_raises_a_corrective_task_for_supervisors_and_dispatch(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    survey_id = surveyed(office, clock, li, estate.plumber)
    li.taps("2")
    assert "supervisor" in li.chat[-2].text
    for chat in (MANAGERS, DISPATCH):
        task = desk.last(chat)
        assert "Corrective" in task.text and "张师傅" in task.text
    li.says("Still dripping under the sink")
    assert "Still dripping" in desk.last(MANAGERS).text
    estate.dispatcher.taps("Write the outcome", chat_id=DISPATCH)
    estate.dispatcher.says("Replaced the trap seal")
    row = survey_row(office, survey_id)
    assert row.corrective_at is not None and row.corrected_at is not None
    assert any("Closed by 刘调度" in text for text in desk.texts(DISPATCH))  # edited in place


def test_an_unanswered_survey_becomes_a_phone_task_and_a_late_tap_is_noted_politely(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    survey_id = surveyed(office, clock, li, estate.plumber)
    clock.set(sh(2026, 11, 25, 9, 59))
    assert not due(office)
    clock.set(sh(2026, 11, 25, 10, 0))
    assert due(office).counts["survey:phone"] == 1
    task = desk.last(DISPATCH)
    assert "Callback needed" in task.text and "3-1203" in task.text
    assert ("☎5", tap(Verb.CALL_RESULT, survey_id, "phone", 5)) in task.buttons
    li.taps("3")
    assert any("period has ended" in text for text in estate.desk.texts(li.user_id)[-3:])
    row = survey_row(office, survey_id)
    assert (row.rating, row.late, row.state) == (3, True, "phone")  # no deadline met by it
    assert "3/5" in desk.last(DISPATCH).text
    dispatcher.taps("📵", chat_id=DISPATCH)
    assert survey_row(office, survey_id).phone_attempts == 1
    dispatcher.taps("☎5", chat_id=DISPATCH)
    row = survey_row(office, survey_id)
    assert (row.state, row.rating, row.rated_via) == ("done", 5, "phone")
    dispatcher.taps("note", chat_id=DISPATCH)
    assert "what did the resident say" in estate.desk.last(dispatcher.user_id).text
    dispatcher.says("Resident is happy now")
    assert "Resident is happy now" in survey_row(office, survey_id).comment
    again = dispatcher.presses(tap(Verb.CALL_RESULT, survey_id, "phone", 1), chat_id=DISPATCH)
    assert dispatcher.toast_for(again)
    assert survey_row(office, survey_id).rating == 5


def test_the_resident_who_blocked_the_bot_gets_a_phone_call_instead(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = open_order(office, li, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    survey_id = confirm(office, order_id)
    with Session(office.engine) as session:
        person = session.exec(select(Person).where(Person.telegram_user_id == li.user_id)).one()
        person.blocked_bot = True
        session.add(person)
        session.commit()
    clock.set(sh(2026, 11, 23, 11, 0))
    assert due(office).counts["survey:phone"] == 1
    assert survey_row(office, survey_id).sent_at is None


def test_nobody_else_can_answer_or_record_a_callback(estate: Estate, office: Office,
                                                     clock: FakeClock) -> None:
    survey_id = surveyed(office, clock, estate.neighbour, estate.plumber)
    # Wang is not the reporter, the plumber is not CS staff, "9" is not a rating: each is
    # refused with a toast, and nothing is recorded.
    taps = [(estate.resident, estate.resident.presses(tap(Verb.RATE, survey_id, 1))),
            (estate.plumber, estate.plumber.presses(tap(Verb.CALL_RESULT, survey_id, "phone", 5),
                                                    chat_id=DISPATCH)),
            (estate.neighbour, estate.neighbour.presses(f"v1:rate:{survey_id}:9")),
            (estate.neighbour, estate.neighbour.presses(f"v1:rate:{survey_id}")),
            (estate.neighbour, estate.neighbour.presses("v1:rate:x:1"))]
    for person, pressed in taps:
        assert person.toast_for(pressed)
    row = survey_row(office, survey_id)
    assert (row.rating, row.state) == (None, "sent")


def test_the_residents_signature_plans_the_survey(estate: Estate, office: Office) -> None:
    order_id = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    estate.neighbour.presses(tap(Verb.SIGN, order_id))
    assert order_row(office, order_id).status == "confirmed"
    assert [e.detail["survey_id"] for e in events(office, "survey_scheduled")]


def test_a_late_tap_leaves_the_callback_outstanding_in_the_report_until_the_desk_calls(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, dispatcher = estate.neighbour, estate.dispatcher
    survey_id = surveyed(office, clock, li, estate.plumber)
    clock.set(sh(2026, 11, 25, 10, 0))
    assert due(office).counts["survey:phone"] == 1
    li.taps("3")
    assert survey_row(office, survey_id).state == "phone"  # the desk's task is still live

    def seen() -> tuple[int, int, int, int]:
        cb = build(office, 202611).month.callbacks
        with Session(office.engine) as session:
            q = monthly_duties.quotas(session, 202611, office.timezone, office.rules)
        return cb.total, cb.done, cb.phone_outstanding, q.done

    # The managers read what the desk and the 10th-of-month reminder read: not done yet.
    assert seen() == (1, 0, 1, 0)
    dispatcher.taps("☎5", chat_id=DISPATCH)
    assert seen() == (1, 1, 0, 1)


def test_a_resident_not_reached_after_the_offices_calls_is_closed_as_could_not_reach(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    survey_id = phoned(office, clock, li, estate.plumber)
    give_up = tap(Verb.CALL_RESULT, survey_id, "unreachable", 0)
    assert give_up not in [d for _, d in desk.last(DISPATCH).buttons]
    early = dispatcher.presses(give_up, chat_id=DISPATCH)  # an old card, before 3 calls
    assert dispatcher.toast_for(early) and survey_row(office, survey_id).state == "phone"
    for _ in range(office.rules.phone_attempts_unreachable):
        dispatcher.taps("📵", chat_id=DISPATCH)
    assert give_up in [d for _, d in desk.last(DISPATCH).buttons]
    dispatcher.presses(give_up, chat_id=DISPATCH)
    row = survey_row(office, survey_id)
    assert (row.state, row.rating, row.due_at) == ("unreachable", None, None)
    card = desk.last(DISPATCH)
    assert "could not be reached after 3 unanswered call(s)" in card.text and not card.buttons
    cb = build(office, 202611).month.callbacks
    assert (cb.total, cb.done, cb.unreachable, cb.phone_outstanding) == (1, 0, 1, 0)
    assert cb.completion == 1.0
    message = render(chat_message(build(office, 202611), office.rules), "en")
    assert "closed without reaching the resident (a wrong number, or 3 unanswered calls): 1" \
        in message


def test_a_wrong_number_closes_the_phone_task_at_once(estate: Estate, office: Office,
                                                     clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    survey_id = phoned(office, clock, li, estate.plumber)
    dispatcher.presses(tap(Verb.CALL_RESULT, survey_id, "wrong_number", 0), chat_id=DISPATCH)
    assert survey_row(office, survey_id).state == "wrong_number"
    card = desk.last(DISPATCH)
    assert "wrong number" in card.text and not card.buttons
    assert build(office, 202611).month.callbacks.unreachable == 1


def test_the_desks_call_after_a_late_tap_keeps_the_residents_own_rating(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    survey_id = phoned(office, clock, li, estate.plumber)
    li.taps("3")
    assert "Answered late in the bot: 3/5" in desk.last(DISPATCH).text
    dispatcher.taps("☎5", chat_id=DISPATCH)
    row = survey_row(office, survey_id)
    assert (row.state, row.rating, row.rated_via, row.bot_rating) == ("done", 5, "phone", 3)
    assert events(office, "callback_recorded")[-1].detail["bot_rating"] == 3
    assert "the resident had answered 3/5 late in the bot" in desk.last(DISPATCH).text
