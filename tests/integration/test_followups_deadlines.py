"""Deadlines: nobody accepted in time, the resident never signed, nobody answered for 24 h."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.unit_of_work import UnitOfWork
from storage.models import FrontDeskRequest
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate
from tests.support.orders import (
    due,
    events,
    finish,
    front_desk,
    marks,
    open_order,
    order_row,
    sh,
    survey_row,
)


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def test_no_accept_in_time_alerts_dispatch_with_the_trade_and_tells_the_resident_in_time(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    order_id = open_order(office, li)
    number = order_row(office, order_id).number
    heard = len(li.chat)
    clock.advance(timedelta(minutes=13, seconds=59))
    assert not due(office).counts["dispatch_deadline:alerted"]  # (posted again at 8 min)
    clock.advance(timedelta(seconds=1))  # 14 min: one drain interval and a margin early
    assert due(office).counts["dispatch_deadline:alerted"] == 1
    alert = desk.last(DISPATCH)
    assert number in alert.text and "15 minutes" in alert.text
    # Whoever can go, of any trade, with the jobs each holds: least loaded first.
    assert [label for label, _ in alert.buttons] == [
        "👷 张师傅 · Plumbing · 0", "👷 赵师傅 · Plumbing · 0", "👷 陈师傅 · Electrical · 0"]
    assert len(li.chat) == heard + 1 and number in li.last and "dispatcher" in li.last
    clock.advance(timedelta(minutes=30))
    assert not due(office)  # once
    assert len(marks(office, "dispatch_alert")) == 1


def test_the_dispatcher_assigns_from_the_alert_and_the_first_tap_wins(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    order_id = open_order(office, li)
    clock.advance(timedelta(minutes=15))
    due(office)
    assigned = dispatcher.taps("赵师傅", chat_id=DISPATCH)
    row = order_row(office, order_id)
    assert row.status == "accepted" and row.accepted_at == clock.now()
    assert "赵师傅" in dispatcher.toast_for(assigned)
    assert any(row.number in m.text and "13800000002" in m.text
               for m in estate.plumber2.chat)  # the private card, with the resident's phone
    assert "赵师傅" in li.last
    alert = desk.last(DISPATCH)
    assert alert.buttons == [] and alert.edits == 1
    late = dispatcher.presses(tap(Verb.ASSIGN, order_id, _person_id(office, 201)),
                              chat_id=DISPATCH)
    assert "赵师傅" in dispatcher.toast_for(late)  # "already taken by"
    assert order_row(office, order_id).assignee_id == _person_id(office, 202)
    assert [e.detail["technician"] for e in events(office, "assigned")] == ["赵师傅"]


def test_only_dispatchers_assign_and_only_to_technicians(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    order_id = open_order(office, estate.neighbour)
    dispatcher = _person_id(office, 301)
    plumber = _person_id(office, 201)
    refused = [
        (estate.plumber, tap(Verb.ASSIGN, order_id, plumber)),  # a technician is not a dispatcher
        (estate.dispatcher, tap(Verb.ASSIGN, order_id, dispatcher)),  # not a technician
        (estate.dispatcher, tap(Verb.ASSIGN, order_id, 999)),
        (estate.dispatcher, "v1:assign:1"),
    ]
    for person, data in refused:
        assert person.toast_for(person.presses(data, chat_id=DISPATCH))
    assert order_row(office, order_id).status == "open"


def test_an_order_accepted_in_time_raises_nothing(estate: Estate, office: Office,
                                                  clock: FakeClock) -> None:
    open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    clock.advance(timedelta(days=3))
    report = due(office)
    assert not any(key.startswith(("dispatch", "no_response")) for key in report.counts)


def test_the_24_hour_rule_escalates_silent_orders_and_requests_to_managers_once(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk = estate.desk
    order_id = open_order(office, estate.neighbour)
    request_id = front_desk(office, estate.neighbour.user_id, "When is the water back?")
    answered_id = front_desk(office, estate.neighbour.user_id, "Parking fee?")
    with UnitOfWork(office) as uow:
        answered = uow.session.get(FrontDeskRequest, answered_id)
        assert answered is not None
        answered.status, answered.answered_at = "answered", uow.now
        uow.commit()
    clock.advance(timedelta(hours=23, minutes=59))
    assert not due(office).counts["no_response:escalated"]
    clock.advance(timedelta(minutes=1))
    report = due(office)
    assert report.counts["no_response:escalated"] == 1
    assert report.counts["front_desk_no_response:escalated"] == 1
    texts = desk.texts(MANAGERS)
    assert any(order_row(office, order_id).number in t and "24 hours" in t for t in texts)
    assert any(f"FD-{request_id}" in t and "water" in t for t in texts)
    assert not any(f"FD-{answered_id}" in t for t in texts)
    clock.advance(timedelta(days=2))
    assert not due(office).counts["no_response:escalated"]
    assert len(desk.texts(MANAGERS)) == len(texts)


def test_a_done_order_confirms_itself_after_48_hours_and_gets_its_survey(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = open_order(office, li, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    clock.advance(timedelta(hours=47, minutes=59))
    assert not due(office).counts["auto_confirm:confirmed"]
    clock.advance(timedelta(minutes=1))
    assert due(office).counts["auto_confirm:confirmed"] == 1
    row = order_row(office, order_id)
    assert row.status == "confirmed" and row.confirmed_at == sh(2026, 11, 25, 10, 0)
    note = events(office, "auto_confirmed")[0]
    assert note.order_id == order_id and "48 h" in note.detail["note"]
    assert "automatically" in li.last
    assert any("已自动确认" in m.text for m in estate.plumber.chat)  # the plumber reads Chinese
    survey = survey_row(office, 1)
    assert survey.order_id == order_id and survey.window_start == sh(2026, 11, 25, 10, 0)
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:sent"] == 1
    assert "How satisfied" in li.last


def test_a_resident_who_signs_first_is_not_auto_confirmed(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    order_id = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    estate.neighbour.presses(tap(Verb.SIGN, order_id))
    clock.advance(timedelta(hours=49))
    assert not due(office).counts["auto_confirm:confirmed"]
    assert not events(office, "auto_confirmed")


def _person_id(office: Office, telegram_user_id: int) -> int:
    from handlers.office.people import person_by_telegram

    with UnitOfWork(office) as uow:
        person = person_by_telegram(uow.session, telegram_user_id)
        assert person is not None and person.id is not None
        return person.id
