"""Booking paid work: price list, price confirmed by both sides before work, unmet demand."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, parse, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.requests import unmet_demand
from handlers.work_orders import records
from storage.models import UnmetDemand
from tests.support.estate import ELECTRICIANS, PLUMBERS, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def test_a_paid_tap_repair_needs_the_price_confirmed_before_it_can_be_finished(
        estate: Estate, office: Office) -> None:
    li, zhang, desk = estate.neighbour, estate.plumber, estate.desk  # Li reads English
    li.command("menu")
    li.taps("Book a service")
    assert "Tap / valve repair" in str(desk.last(102).buttons)
    assert "20.00–50.00" in str(desk.last(102).buttons)
    li.taps("Tap / valve repair")
    li.taps("Tomorrow afternoon")
    li.says("13912345678")
    assert "13912345678" in li.last and "20.00–50.00" in li.last
    li.taps("Book it")
    number = li.last.split("Received: ")[1].split(".")[0]

    card = desk.last(PLUMBERS)
    assert "水龙头、闸阀维修" in card.text and "20.00–50.00" in card.text
    zhang.taps("接单", chat_id=PLUMBERS)
    private = zhang.chat[-1].text
    assert "生料带" in private  # the manual's checklist for this service
    assert "13912345678" in private
    assert "完工" not in str(zhang.chat[-1].buttons)  # no finishing before the price

    order_id = parse(zhang.chat[-1].buttons[0][1]).id()  # type: ignore[union-attr]
    forged = zhang.presses(tap(Verb.FINISH, order_id))
    assert "价格" in zhang.toast_for(forged)

    zhang.taps("报价")
    zhang.says("四十五")
    assert "45.50" in zhang.last or "数字" in zhang.last  # not a number: asked again
    zhang.says("45.50")
    assert "45.50" in li.last
    li.taps("Confirm the price")
    assert "45.50" in zhang.chat[-2].text
    zhang.taps("完工")
    zhang.taps("提交完工")
    li.taps("Confirm (sign)")
    order = records.show_order(office, number)
    assert order is not None
    assert order["status"] == "confirmed" and order["price"] == "45.50"
    assert [e["action"] for e in order["events"]] == [
        "created", "accepted", "price_proposed", "price_confirmed_ahead", "done", "confirmed",
        "survey_scheduled"]


def test_a_service_we_do_not_offer_is_recorded_with_an_apology(estate: Estate,
                                                               office: Office) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Book a service")
    li.taps("Something else")
    li.says("Could someone walk my dog every morning?")
    assert "Sorry" in li.last and "recorded" in li.last
    with Session(office.engine) as session:
        demand = session.exec(select(UnmetDemand)).one()
    assert demand.unit == "3-1203" and demand.name == "Li Lei"
    assert "walk my dog" in demand.request
    assert len(estate.desk.messages(ELECTRICIANS)) == 1  # only the greeting when bound


def test_staff_can_list_the_recorded_demand(estate: Estate, office: Office) -> None:
    estate.neighbour.command("menu")
    estate.neighbour.taps("Book a service")
    estate.neighbour.taps("Something else")
    estate.neighbour.says("Piano tuning, please")
    assert unmet_demand.list_demand(office) == [{
        "at": "2026-11-23T02:00:00+00:00", "name": "Li Lei", "unit": "3-1203",
        "request": "Piano tuning, please"}]


def test_a_time_already_past_or_outside_visiting_hours_is_asked_again(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    """Monday 10:00: this morning at 8 has passed, 10 at night is after the last visit window
    (evening, till 20:00); at 18:00 "today afternoon" is no longer offered."""
    li = estate.neighbour
    li.command("menu")
    li.taps("Book a service")
    li.taps("Tap / valve repair")
    for typed, answer in (("today 8am", "already passed"), ("yesterday afternoon",
                                                            "already passed"),
                          ("明天晚上十点", "14:00–17:00, 18:00–20:00")):
        count = len(li.chat)
        li.says(typed)
        assert len(li.chat) == count + 1 and answer in li.last, li.last
        assert "Time:" not in li.last  # not taken: still at the time question
    li.says("tomorrow 3pm")
    assert "Which phone number" in li.last

    clock.set(clock.now().replace(hour=18))  # 18:00, the afternoon window is over
    li.command("menu")
    li.taps("Book a service")
    li.taps("Tap / valve repair")
    assert "Today afternoon" not in str(li.chat[-1].buttons)
    assert "Tomorrow afternoon" in str(li.chat[-1].buttons)


def test_the_time_written_in_the_request_is_offered_first(estate: Estate,
                                                          office: Office) -> None:
    """Monday 10:00: "tomorrow morning" in the words is Tuesday's morning window, offered
    before the quick times and booked as that window."""
    li = estate.neighbour
    li.command("menu")
    li.taps("Book a service")
    li.taps("Something else")
    li.says("Dripping tap, tomorrow morning works, call 139 1234 5678")
    li.taps("Yes")
    assert li.chat[-1].buttons[0][0] == (
        "tomorrow morning (2026-11-24 09:00–12:00) — use this?"), li.chat[-1].buttons
    li.taps("use this")
    li.taps("Use 139 1234 5678")
    assert "Time: tomorrow morning (2026-11-24 09:00–12:00)" in li.last
