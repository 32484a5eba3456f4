"""Emergencies on their own clock: the on-duty chat acknowledges with a button within five
minutes, else the alert repeats and the managers hear; a technician of the trade who taps it
takes the job and the resident hears who is coming, anyone else is told to be arranging help;
an emergency nobody took gets the hotline, never "our technicians are busy".

The estate has no gas group: a gas smell goes to the on-duty chat and, with nobody of the
trade, to dispatch at once. Li Lei writes in English; the staff groups speak English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from dialogs.buttons import Verb, parse, tap
from dialogs.events import EventKind
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.registration import roster
from storage.models import Person as StaffMember
from tests.integration.test_staff_removal import person_id
from tests.support.desk import Person, Shown
from tests.support.estate import DISPATCH, MANAGERS, ON_DUTY, PLUMBERS, Estate, build_estate
from tests.support.orders import due, events, marks, order_row

HOTLINE = "400-000-0000"


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def emergency(li: Person, hazard: str) -> int:
    """Li taps the emergency button and the hazard; returns the order's id."""
    li.command("menu")
    li.taps("Emergency")
    li.taps(hazard)
    return max(e.order_id or 0 for e in events(li.desk.office, "emergency_alerted"))


def verbs(message: Shown) -> list[str]:
    return [t.verb.name for t in (parse(data) for _, data in message.buttons) if t is not None]


def alerts(estate: Estate, chat_id: int, number: str) -> list[Shown]:
    return [m for m in estate.desk.messages(chat_id) if number in m.text]


def test_the_on_duty_chat_acknowledges_with_a_button_and_the_resident_hears_who(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, liu = estate.neighbour, estate.dispatcher
    order_id = emergency(li, "Gas smell")
    number = order_row(office, order_id).number
    for chat in (ON_DUTY, MANAGERS):
        assert verbs(alerts(estate, chat, number)[-1]) == ["ACK_EMERGENCY"]
    tapped = liu.taps("I'm on it", chat_id=ON_DUTY)
    assert liu.toast_for(tapped)
    for chat in (ON_DUTY, MANAGERS):  # every copy says who took it, and loses its button
        alert = alerts(estate, chat, number)[-1]
        assert alert.buttons == [] and "刘调度" in alert.text and alert.edits == 1
    assert number in li.last and "刘调度" in li.last and HOTLINE in li.last
    assert "arranging help" in li.last and "coming" not in li.last  # a dispatcher stays put
    assert order_row(office, order_id).status == "open"  # acknowledged, not taken
    late = estate.plumber.presses(tap(Verb.ACK_EMERGENCY, order_id), chat_id=MANAGERS)
    assert "刘调度" in estate.plumber.toast_for(late)  # already acknowledged by
    assert [e.detail["by"] for e in events(office, "emergency_acknowledged")] == ["刘调度"]
    clock.advance(timedelta(minutes=6))
    assert not due(office).counts["emergency_ack:repeated"]


def test_a_technician_of_the_trade_who_is_on_it_takes_the_job(
        estate: Estate, office: Office) -> None:
    li, zhang = estate.neighbour, estate.plumber
    order_id = emergency(li, "Burst pipe")
    number = order_row(office, order_id).number
    tapped = zhang.taps("I'm on it", chat_id=ON_DUTY)
    assert number in zhang.toast_for(tapped)
    order = order_row(office, order_id)
    with Session(office.engine) as session:
        assignee = session.get(StaffMember, order.assignee_id)
    assert order.status == "accepted" and assignee is not None and assignee.name == "张师傅"
    assert "张师傅" in li.last and "accepted" in li.last  # who is coming, as after an Accept
    assert number in zhang.last  # the job's card in his private chat
    for chat in (ON_DUTY, MANAGERS):
        alert = alerts(estate, chat, number)[-1]
        assert alert.buttons == [] and "张师傅" in alert.text
    assert [e.detail["by"] for e in events(office, "emergency_acknowledged")] == ["张师傅"]
    late = estate.dispatcher.presses(tap(Verb.ACK_EMERGENCY, order_id), chat_id=ON_DUTY)
    assert "张师傅" in estate.dispatcher.toast_for(late)


def test_an_alert_nobody_acknowledges_repeats_after_five_minutes_and_reaches_the_managers(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    order_id = emergency(li, "Gas smell")
    number = order_row(office, order_id).number
    first = alerts(estate, ON_DUTY, number)[-1]
    managers_before = len(desk.messages(MANAGERS))
    clock.advance(timedelta(minutes=4, seconds=59))
    assert not due(office).counts["emergency_ack:repeated"]
    clock.advance(timedelta(seconds=1))
    assert due(office).counts["emergency_ack:repeated"] == 1
    again = alerts(estate, ON_DUTY, number)
    assert len(again) == 2 and again[0] is first and first.buttons == []
    assert verbs(again[1]) == ["ACK_EMERGENCY"] and "5 minutes" in again[1].text
    repeated = desk.messages(MANAGERS)[managers_before:]
    assert len(repeated) == 1 and number in repeated[0].text and "Managers" in repeated[0].text
    clock.advance(timedelta(minutes=5))
    assert not due(office).counts["emergency_ack:repeated"]  # once
    assert len(marks(office, "emergency_unacked")) == 1
    estate.dispatcher.taps("I'm on it", chat_id=ON_DUTY)  # the repeated alert still works
    assert "刘调度" in li.last


def test_a_technician_accepting_the_job_stops_the_clock(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    order_id = emergency(estate.neighbour, "Burst pipe")
    number = order_row(office, order_id).number
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    alert = alerts(estate, ON_DUTY, number)[-1]
    assert alert.buttons == [] and "张师傅" in alert.text
    assert "张师傅" in estate.neighbour.last
    clock.advance(timedelta(minutes=30))
    report = due(office)
    assert not report.counts["emergency_ack:repeated"]
    assert not report.counts["dispatch_deadline:alerted"]


def test_an_emergency_nobody_took_gets_the_hotline_not_technicians_are_busy(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = emergency(li, "Gas smell")
    clock.advance(timedelta(minutes=15))
    assert due(office).counts["dispatch_deadline:alerted"] == 1
    assert HOTLINE in li.last and "busy" not in li.last
    assert order_row(office, order_id).number in li.last


def test_after_an_acknowledgement_the_deadline_asks_dispatch_for_a_holder_and_spares_the_resident(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    order_id = emergency(li, "Gas smell")
    estate.dispatcher.taps("I'm on it", chat_id=ON_DUTY)
    heard = len(li.chat)
    clock.advance(timedelta(minutes=15))
    assert due(office).counts["dispatch_deadline:alerted"] == 1
    assert len(li.chat) == heard  # they already know who is coming
    alert = desk.last(DISPATCH)
    assert order_row(office, order_id).number in alert.text and "刘调度" in alert.text
    assert "ASSIGN" in verbs(alert)


def test_only_staff_in_the_on_duty_or_managers_chats_acknowledge(
        estate: Estate, office: Office) -> None:
    order_id = emergency(estate.neighbour, "Gas smell")
    pressed = estate.plumber.presses(tap(Verb.ACK_EMERGENCY, order_id), chat_id=PLUMBERS)
    assert estate.plumber.toast_for(pressed)
    assert not marks(office, "emergency_ack")
    routine = estate.dispatcher.presses(tap(Verb.ACK_EMERGENCY, 999), chat_id=ON_DUTY)
    assert estate.dispatcher.toast_for(routine)
    assert not marks(office, "emergency_ack")


def without_on_duty_chat(estate: Estate) -> None:
    """The bot was removed from the on-duty group: alerts fall back to dispatch."""
    estate.desk.send(estate.dispatcher._event(EventKind.BOT_REMOVED, chat_id=ON_DUTY))


def test_without_an_on_duty_chat_a_gas_smell_is_one_message_in_dispatch_with_every_button(
        estate: Estate, office: Office) -> None:
    without_on_duty_chat(estate)
    before = len(estate.desk.messages(DISPATCH))
    order_id = emergency(estate.neighbour, "Gas smell")  # no gas group: nobody can take it
    number = order_row(office, order_id).number
    [alert] = estate.desk.messages(DISPATCH)[before:]
    assert number in alert.text and "please assign it" in alert.text
    assert verbs(alert)[0] == "ACK_EMERGENCY" and set(verbs(alert)[1:]) == {"ASSIGN"}
    # Acknowledged but nobody holds it: the dispatcher still has the assign-to buttons.
    estate.dispatcher.taps("I'm on it", chat_id=DISPATCH)
    assert "刘调度" in alert.text and set(verbs(alert)) == {"ASSIGN"}
    estate.dispatcher.taps("陈师傅", chat_id=DISPATCH)
    assert order_row(office, order_id).status == "accepted"
    assert alert.buttons == [] and len(estate.desk.messages(DISPATCH)) == before + 1


def test_without_an_on_duty_chat_a_flood_a_plumber_can_take_is_one_alert_in_dispatch(
        estate: Estate, office: Office) -> None:
    without_on_duty_chat(estate)
    before = len(estate.desk.messages(DISPATCH))
    order_id = emergency(estate.neighbour, "Burst pipe")
    number = order_row(office, order_id).number
    [alert] = estate.desk.messages(DISPATCH)[before:]  # no "New request" notice beside it
    assert number in alert.text and verbs(alert) == ["ACK_EMERGENCY"]
    assert number in estate.desk.last(PLUMBERS).text


BACK = "Back with nobody: 张师傅 no longer works for the office"


def test_an_emergency_whose_technician_left_is_alerted_again_and_its_clock_runs_from_then(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    # 张师傅 took the burst pipe with "I'm on it", then left the office ten minutes later.
    desk = estate.desk
    order_id = emergency(estate.neighbour, "Burst pipe")
    number = order_row(office, order_id).number
    estate.plumber.taps("I'm on it", chat_id=ON_DUTY)
    clock.advance(timedelta(minutes=10))
    roster.remove_staff(office, person_id(office, 201), by="office admin")
    for chat in (ON_DUTY, MANAGERS):  # alerted again, its button live, saying why
        alert = alerts(estate, chat, number)[-1]
        assert BACK in alert.text and verbs(alert) == ["ACK_EMERGENCY"], chat
    managers_before = len(desk.messages(MANAGERS))
    clock.advance(timedelta(minutes=4, seconds=59))  # counted from the hand-back
    assert not due(office).counts["emergency_ack:repeated"]
    clock.advance(timedelta(seconds=1))
    assert due(office).counts["emergency_ack:repeated"] == 1
    repeated = desk.messages(MANAGERS)[managers_before:]
    assert len(repeated) == 1 and number in repeated[0].text and "Managers" in repeated[0].text
    assert verbs(alerts(estate, ON_DUTY, number)[-1]) == ["ACK_EMERGENCY"]


def test_after_the_technician_left_the_on_duty_staff_can_take_on_the_emergency_again(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    # Nobody answered the first alert (it repeated), then 张师傅 accepted it from the group and
    # left: the repeat is not used up, and "I'm on it" is not "already acknowledged".
    li = estate.neighbour
    order_id = emergency(li, "Burst pipe")
    number = order_row(office, order_id).number
    clock.advance(timedelta(minutes=5))
    assert due(office).counts["emergency_ack:repeated"] == 1
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    roster.remove_staff(office, person_id(office, 201), by="office admin")
    assert not due(office).counts["emergency_ack:repeated"]  # not at once
    assert BACK in alerts(estate, ON_DUTY, number)[-1].text
    tapped = estate.dispatcher.taps("I'm on it", chat_id=ON_DUTY)
    assert "Already" not in estate.dispatcher.toast_for(tapped)
    assert "刘调度" in li.last and "arranging help" in li.last
    for chat in (ON_DUTY, MANAGERS):
        alert = alerts(estate, chat, number)[-1]
        assert alert.buttons == [] and "刘调度" in alert.text
    clock.advance(timedelta(minutes=6))
    assert not due(office).counts["emergency_ack:repeated"]


def test_without_an_on_duty_chat_an_emergency_handed_back_is_one_message_in_dispatch(
        estate: Estate, office: Office) -> None:
    # 张师傅 took the burst pipe and left: dispatch stands in for the on-duty chat, so its one
    # message is the alert again with "I'm on it" and the assign-to buttons, saying why.
    without_on_duty_chat(estate)
    order_id = emergency(estate.neighbour, "Burst pipe")
    number = order_row(office, order_id).number
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    before = len(estate.desk.messages(DISPATCH))
    roster.remove_staff(office, person_id(office, 201), by="office admin")
    [alert] = estate.desk.messages(DISPATCH)[before:]
    assert number in alert.text and BACK in alert.text and "please assign it" in alert.text
    assert verbs(alert)[0] == "ACK_EMERGENCY" and set(verbs(alert)[1:]) == {"ASSIGN"}
    assert not any("张师傅" in label for label, _ in alert.buttons)
    # Acknowledged but nobody holds it: the dispatcher still has the assign-to buttons.
    estate.dispatcher.taps("I'm on it", chat_id=DISPATCH)
    assert "刘调度" in alert.text and set(verbs(alert)) == {"ASSIGN"}
    estate.dispatcher.taps("赵师傅", chat_id=DISPATCH)
    assert order_row(office, order_id).assignee_id == person_id(office, 202)
    assert alert.buttons == [] and len(estate.desk.messages(DISPATCH)) == before + 1
