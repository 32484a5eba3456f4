"""Prices checked: a quote off the catalog's price list needs a reason and is flagged to the
dispatcher; the agreed price appears on the done card, in the resident's confirmation and in
the order's record.

Li Lei (English) books the tap / valve repair, listed at 20.00–50.00 yuan; 张师傅 quotes in
Chinese; the staff groups speak English.
"""

from __future__ import annotations

import pytest

from handlers.office import Office
from handlers.work_orders import records
from tests.support.desk import Person
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.orders import events


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def book(estate: Estate, service: str = "Tap / valve repair") -> str:
    li = estate.neighbour
    li.command("menu")
    li.taps("Book a service")
    li.taps(service)
    li.taps("Tomorrow afternoon")
    li.says("13912345678")
    li.taps("Book it")
    number = li.last.split("Received: ")[1].split(".")[0]
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    return number


def quote(zhang: Person, text: str) -> None:
    zhang.taps("报价")
    zhang.says(text)


def test_a_quote_off_the_price_list_needs_a_reason_and_dispatch_is_told(
        estate: Estate, office: Office) -> None:
    li, zhang, desk = estate.neighbour, estate.plumber, estate.desk
    number = book(estate)
    heard, flagged = len(li.chat), len(desk.messages(DISPATCH))
    quote(zhang, "350")
    assert len(li.chat) == heard  # nothing reached the resident
    assert "350.00" in zhang.chat[-2].text and "20.00–50.00" in zhang.chat[-2].text
    assert "取消" in str(zhang.chat[-1].buttons)  # asked again for the price, with the reason
    zhang.says("350 换了整个龙头和两个角阀")
    assert not any(m.buttons for m in zhang.chat if "价格" in m.text)  # both questions closed
    assert "350.00" in li.last and "20.00–50.00" in li.last and "角阀" in li.last
    alert = desk.messages(DISPATCH)[flagged:]
    assert len(alert) == 1 and number in alert[0].text and "350.00" in alert[0].text
    assert "20.00–50.00" in alert[0].text and "角阀" in alert[0].text and "张师傅" in alert[0].text
    proposed = events(office, "price_proposed")[-1].detail
    assert proposed["off_list"] is True and "角阀" in proposed["reason"]
    order = records.show_order(office, number)
    assert order is not None and order["price"] == "350.00" and "角阀" in order["price_reason"]


def test_a_quote_on_the_list_goes_straight_to_the_resident(estate: Estate,
                                                           office: Office) -> None:
    li, zhang, desk = estate.neighbour, estate.plumber, estate.desk
    book(estate)
    flagged = len(desk.messages(DISPATCH))
    quote(zhang, "45")
    assert "45.00" in li.last and "Confirm the price" in str(estate.desk.last(102).buttons)
    assert len(desk.messages(DISPATCH)) == flagged
    assert events(office, "price_proposed")[-1].detail["off_list"] is False


def test_whole_hours_of_a_fixed_hourly_price_are_on_the_list(estate: Estate) -> None:
    li, zhang, desk = estate.neighbour, estate.plumber, estate.desk
    # Household cleaning is 35 yuan an hour: 105 is three hours; 100 is off the list.
    li.command("menu")
    li.taps("Book a service")
    li.taps("Household cleaning")
    li.taps("Tomorrow afternoon")
    li.says("13912345678")
    li.taps("Book it")
    number = li.last.split("Received: ")[1].split(".")[0]
    estate.dispatcher.taps("张师傅", chat_id=DISPATCH)  # no cleaning group: dispatch assigns
    flagged = len(desk.messages(DISPATCH))
    quote(zhang, "105")
    assert "105.00" in li.last and len(desk.messages(DISPATCH)) == flagged
    quote(zhang, "100")
    assert "100.00" not in li.last and number in zhang.chat[-1].text


def test_the_agreed_price_on_the_done_card_the_confirmation_and_the_record(
        estate: Estate, office: Office) -> None:
    li, zhang = estate.neighbour, estate.plumber
    number = book(estate)
    quote(zhang, "45")
    li.taps("Confirm the price")
    zhang.taps("完工")
    zhang.says("换了阀芯")
    zhang.taps("提交完工")
    done = [m for m in li.chat if "换了阀芯" in m.text][-1]
    assert "Price agreed: 45.00 yuan" in done.text
    li.taps("Confirm (sign)")
    assert "45.00" in li.last and number in li.last  # the confirmation restates it
    assert "45.00" in done.text and done.buttons == []
    order = records.show_order(office, number)
    assert order is not None and order["price"] == "45.00"
    assert order["price_confirmed_at"] is not None and order["price_reason"] is None
