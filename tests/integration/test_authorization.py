"""Every refusal: buttons are references, the handler decides who may do what, and when."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.registration import roster
from storage.models import EventLog, WorkOrder
from tests.support.estate import ELECTRICIANS, PLUMBERS, Estate, build_estate
from tests.support.repairs import finish_job, report_tap_leak

UNBOUND_GROUP = -1999


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def history(office: Office) -> list[str]:
    with Session(office.engine) as session:
        return [row.action for row in session.exec(select(EventLog)).all()]


def order_of(office: Office) -> WorkOrder:
    with Session(office.engine) as session:
        return session.exec(select(WorkOrder)).one()


def test_only_a_technician_of_the_trade_may_accept(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    order_id = order_of(office).id
    before = history(office)
    pressed = estate.electrician.presses(tap(Verb.ACCEPT, order_id), PLUMBERS)
    assert estate.electrician.toast_for(pressed)
    pressed = estate.resident.presses(tap(Verb.ACCEPT, order_id), PLUMBERS)
    assert estate.resident.toast_for(pressed)
    pressed = estate.plumber.presses(tap(Verb.ACCEPT, order_id), ELECTRICIANS)  # the wrong group
    assert estate.plumber.toast_for(pressed)
    assert history(office) == before and order_of(office).status == "open"


def test_the_second_tap_is_told_it_is_already_taken(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    order_id = order_of(office).id
    pressed = estate.plumber2.presses(tap(Verb.ACCEPT, order_id), PLUMBERS)
    assert "张师傅" in estate.plumber2.toast_for(pressed)
    assert order_of(office).assignee_id is not None
    assert history(office).count("accepted") == 1


def test_only_the_assignee_may_progress_the_order(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    order_id = order_of(office).id
    before = history(office)
    for verb in (Verb.SET_OFF, Verb.FINISH, Verb.PROPOSE_TIME, Verb.REPORT_DAMAGE,
                 Verb.SHOW_CARD):
        pressed = estate.plumber2.presses(tap(verb, order_id))
        assert estate.plumber2.toast_for(pressed), verb
    assert history(office) == before and order_of(office).status == "accepted"


def test_a_resident_may_act_only_on_their_own_orders(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    finish_job(estate)
    order_id = order_of(office).id
    before = history(office)
    for data in (tap(Verb.SIGN, order_id), tap(Verb.ASK_REWORK, order_id),
                 tap(Verb.CANCEL_ORDER, order_id), tap(Verb.ANSWER_TIME, order_id, "yes"),
                 tap(Verb.ANSWER_PRICE, order_id, "yes")):
        pressed = estate.neighbour.presses(data)
        assert "out of date" in estate.neighbour.toast_for(pressed), data
    assert history(office) == before and order_of(office).status == "done"


def test_forged_and_replayed_buttons_change_nothing(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    finish_job(estate)
    estate.resident.taps("确认签字")
    before = history(office)
    replay = estate.resident.presses(tap(Verb.SIGN, order_of(office).id))  # signed already
    assert estate.resident.toast_for(replay)
    for data in (tap(Verb.ACCEPT, 999999), "v1:sign:abc", "v1:sign", "v1:zzz:1", "acc:1",
                 "v1:dialog:stale1:yes", tap(Verb.MENU, "nothing"), "x" * 64):
        pressed = estate.resident.presses(data)
        assert estate.resident.toast_for(pressed), data
    assert history(office) == before and order_of(office).status == "confirmed"


def test_a_group_that_is_not_bound_gets_nothing(estate: Estate, office: Office) -> None:
    report_tap_leak(estate)
    order_id = order_of(office).id
    estate.plumber.says("有人吗", chat_id=UNBOUND_GROUP)
    estate.plumber.presses(tap(Verb.ACCEPT, order_id), UNBOUND_GROUP)
    estate.plumber.command("jobs", chat_id=UNBOUND_GROUP)
    assert estate.desk.messages(UNBOUND_GROUP) == []
    assert order_of(office).status == "open"


def test_only_staff_can_bind_a_group_and_each_code_works_once(estate: Estate,
                                                              office: Office) -> None:
    code = roster.create_invite(office, "group", "", ["lift"])
    estate.resident.command("bindgroup", code, chat_id=-2001)
    assert "staff" in estate.desk.last(-2001).text or "员工" in estate.desk.last(-2001).text
    estate.dispatcher.command("bindgroup", code, chat_id=-2001)
    estate.dispatcher.command("bindgroup", code, chat_id=-2002)
    assert len(estate.desk.messages(-2002)) == 1
    assert estate.desk.last(-2002).text != estate.desk.last(-2001).text


def test_a_binding_code_works_once(estate: Estate, office: Office) -> None:
    codes = {(b, r): c for b, r, c in roster.household_codes(office)}
    code = codes[("5", "0101")]
    first = estate.desk.person(401, "赵敏")
    first.command("start", code)
    assert "5-0101" in first.chat[0].text
    second = estate.desk.person(402, "冒名")
    second.command("start", code)
    assert "5-0101" not in second.last and len(second.chat) == 1


def test_binding_by_contact_needs_the_senders_own_number_on_the_roster(estate: Estate) -> None:
    zhao = estate.desk.person(403, "赵敏")
    zhao.command("start")
    zhao.shares_contact("+86 138 0000 0003", own=False)
    assert "5-0101" not in zhao.last
    zhao.shares_contact("+8613899999999")
    assert "5-0101" not in zhao.last
    zhao.shares_contact("+86 138 0000 0003")
    assert any("5-0101" in text for text in estate.desk.texts(403))
