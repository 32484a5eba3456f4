"""Who may do what, checked where a tap or an answer could slip past the usual path: answers
typed by someone the question was never meant for, taps in the wrong kind of chat, taps at
the wrong moment. Each test starts from the situation an office could meet."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from dialogs import answers
from dialogs.buttons import Verb, tap
from dialogs.model import DialogContext
from handlers.office import Office, conversations
from storage.models import FrontDeskRequest, WorkOrder
from tests.support.desk import Person
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.repairs import report_tap_leak


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def the_order(office: Office) -> WorkOrder:
    with Session(office.engine) as session:
        return session.exec(select(WorkOrder)).one()


def reported_and_accepted(estate: Estate) -> int:
    """Wang's dripping tap, reported and taken by Zhang."""
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    order_id = the_order(estate.desk.office).id
    assert order_id is not None
    return order_id


def finished(estate: Estate) -> int:
    order_id = reported_and_accepted(estate)
    estate.plumber.taps("完工")
    estate.plumber.says("换了阀芯")
    estate.plumber.taps("提交完工")
    assert the_order(estate.desk.office).status == "done"
    return order_id


def planted_question(office: Office, person: Person, purpose: str, subject_id: int) -> str:
    """Put a question in *person*'s chat as if it had been asked there; returns its nonce."""
    nonce = "forged1"
    outcome = answers.ask(DialogContext(chat_id=person.user_id, language="zh_Hans"), nonce,
                          purpose, subject_id, "WO-forged")
    with Session(office.engine) as session:
        conversations.save(session, person.user_id, person.user_id, outcome.conversation,
                           office.clock.now())
        session.commit()
    return nonce


def test_a_done_report_from_someone_not_holding_the_job_changes_nothing(
        estate: Estate, office: Office) -> None:
    order_id = reported_and_accepted(estate)
    nonce = planted_question(office, estate.plumber2, "done_note", order_id)
    estate.plumber2.says("我也修了")
    estate.plumber2.presses(tap(Verb.DIALOG, nonce, "finish"))
    assert the_order(office).status == "accepted"
    assert "已失效" in estate.plumber2.last


@pytest.mark.parametrize("purpose", ["rework_reason", "cancel_reason"])
def test_a_neighbours_rework_or_cancel_reason_changes_nothing(
        estate: Estate, office: Office, purpose: str) -> None:
    order_id = finished(estate) if purpose == "rework_reason" else reported_and_accepted(estate)
    before = the_order(office).status
    planted_question(office, estate.neighbour, purpose, order_id)
    estate.neighbour.says("I want this changed")
    assert the_order(office).status == before
    assert the_order(office).rework_count == 0


def test_only_the_resident_answers_a_proposed_time(estate: Estate, office: Office) -> None:
    order_id = reported_and_accepted(estate)
    estate.plumber.taps("改约时间")
    estate.plumber.says("周四下午三点")
    assert the_order(office).proposed_time == "周四下午三点"
    forged = estate.neighbour.presses(tap(Verb.ANSWER_TIME, order_id, "yes"))
    assert "out of date" in estate.neighbour.toast_for(forged)
    assert the_order(office).proposed_time == "周四下午三点"
    estate.resident.taps("可以")
    assert the_order(office).preferred_time == "周四下午三点"


def test_only_the_resident_confirms_a_quoted_price(estate: Estate, office: Office) -> None:
    li, zhang = estate.neighbour, estate.plumber
    li.command("menu")
    for label in ("Book a service", "Tap / valve repair", "Tomorrow afternoon"):
        li.taps(label)
    li.says("13912345678")
    li.taps("Book it")
    zhang.taps("接单", chat_id=PLUMBERS)
    zhang.taps("报价")
    zhang.says("45")
    order_id = the_order(office).id
    forged = estate.resident.presses(tap(Verb.ANSWER_PRICE, order_id, "yes"))
    assert estate.resident.toast_for(forged)
    order = the_order(office)
    assert order.price_confirmed_at is None and order.status == "accepted"


def test_a_residents_button_pressed_in_a_staff_group_does_nothing(
        estate: Estate, office: Office) -> None:
    order_id = finished(estate)
    estate.resident.presses(tap(Verb.SIGN, order_id), PLUMBERS)
    assert the_order(office).status == "done"


def test_a_cancel_button_on_a_finished_job_asks_nothing(estate: Estate, office: Office) -> None:
    order_id = finished(estate)
    forged = estate.resident.presses(tap(Verb.CANCEL_ORDER, order_id))
    assert "已失效" in estate.resident.toast_for(forged)
    with Session(office.engine) as session:
        assert conversations.load(session, 101, 101) is None  # no question was asked


def test_a_stranger_cannot_use_the_menu_buttons(estate: Estate, office: Office) -> None:
    stranger = estate.desk.person(909, "路人", "zh-hans")
    pressed = stranger.presses(tap(Verb.MENU, "repair"))
    assert "/start" in stranger.toast_for(pressed)
    with Session(office.engine) as session:
        assert conversations.load(session, 909, 909) is None


def test_a_technician_cannot_write_a_callback_note(estate: Estate, office: Office) -> None:
    order_id = finished(estate)
    estate.resident.taps("确认签字")
    from storage.followups import CallbackSurvey
    with Session(office.engine) as session:
        survey = session.exec(select(CallbackSurvey)).one()
    assert survey.id is not None and survey.order_id == order_id
    planted_question(office, estate.plumber, "phone_result", survey.id)
    estate.plumber.says("住户很满意")
    with Session(office.engine) as session:
        assert "住户很满意" not in (session.get(CallbackSurvey, survey.id) or survey).comment


def test_a_resident_cannot_send_the_front_desks_answer(estate: Estate, office: Office) -> None:
    estate.neighbour.says("What are the office hours on Saturday?")
    estate.neighbour.taps("No, ask the desk")  # the FAQ answered; the resident asked a person
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
    assert request.id is not None
    planted_question(office, estate.resident, "front_desk_reply", request.id)
    estate.resident.says("The office is closed forever")
    with Session(office.engine) as session:
        assert (session.get(FrontDeskRequest, request.id) or request).status == "open"
    assert "closed forever" not in estate.neighbour.last


def test_a_dispatch_reply_button_tapped_by_a_technician_asks_nothing(
        estate: Estate, office: Office) -> None:
    estate.neighbour.says("What are the office hours on Saturday?")
    estate.neighbour.taps("No, ask the desk")  # the FAQ answered; the resident asked a person
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
    assert request.status == "open"
    forged = estate.plumber.presses(tap(Verb.DESK_REPLY, request.id), DISPATCH)
    assert estate.plumber.toast_for(forged)
    with Session(office.engine) as session:
        assert conversations.load(session, 201, 201) is None


def test_only_technicians_accept_and_others_are_told_why(estate: Estate,
                                                          office: Office) -> None:
    report_tap_leak(estate)
    pressed = estate.dispatcher.taps("接单", chat_id=PLUMBERS)
    assert "只有维修师傅" in estate.dispatcher.toast_for(pressed)
    assert the_order(office).status == "open"


def test_a_job_is_not_assigned_from_a_trade_group(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    order_id = the_order(office).id
    pressed = estate.dispatcher.presses(tap(Verb.ASSIGN, order_id, _technician_id(office, 202)),
                                        PLUMBERS)
    assert estate.dispatcher.toast_for(pressed)
    assert the_order(office).status == "open"


def _technician_id(office: Office, telegram_user_id: int) -> int:
    from handlers.office.people import person_by_telegram
    with Session(office.engine) as session:
        person = person_by_telegram(session, telegram_user_id)
        assert person is not None and person.id is not None
        return person.id


def test_a_tap_in_a_group_that_is_not_bound_is_only_acknowledged(estate: Estate,
                                                                  office: Office) -> None:
    report_tap_leak(estate)
    pressed = estate.plumber.presses(tap(Verb.ACCEPT, the_order(office).id), -1999)
    assert estate.plumber.toast_for(pressed) == ""  # the spinner stops; nothing is said
    assert estate.desk.messages(-1999) == [] and the_order(office).status == "open"
