"""Residents just write; the core understands, proposes, and never makes an emergency wait."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.people import unit_label
from handlers.registration import roster
from handlers.work_orders import records
from storage.models import FrontDeskRequest, Household, Outbox, WorkOrder
from tests.support.estate import (
    DISPATCH,
    MANAGERS,
    ON_DUTY,
    PLUMBERS,
    Estate,
    build_estate,
    code_of,
)


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def outbox_after(office: Office, first_id: int) -> list[Outbox]:
    with Session(office.engine) as session:
        return list(session.exec(select(Outbox).where(col(Outbox.id) > first_id)
                                 .order_by(col(Outbox.id))).all())


def last_outbox_id(office: Office) -> int:
    with Session(office.engine) as session:
        return session.exec(select(func.max(Outbox.id))).one() or 0


@pytest.mark.parametrize(("text", "hazard", "words"), [
    ("家里闻到很浓的煤气味！", "gas", "窗"),
    ("3栋2单元电梯困人了，快来人", "lift", "警铃"),
    ("插座冒火花，有烧焦味", "sparks", "总电闸"),
    ("水管爆了，家里在淹水！", "flood", "总水阀"),
    ("楼梯间着火冒烟了", "fire", "119"),
])
def test_an_emergency_gets_safety_instructions_first_then_an_order_and_an_alert(
        estate: Estate, office: Office, text: str, hazard: str, words: str) -> None:
    start = last_outbox_id(office)
    estate.resident.says(text)
    rows = outbox_after(office, start)
    first = rows[0]
    assert first.chat_id == 101 and words in first.text and "400-000-0000" in first.text
    assert first.keyboard is None  # no form, no questions before the instructions
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.emergency and order.hazard == hazard and order.status == "open"
    assert any(r.chat_id == ON_DUTY and order.number in r.text for r in rows)
    assert any(r.chat_id == MANAGERS for r in rows)
    assert all(r.chat_id != DISPATCH or "紧急" in r.text or order.number in r.text for r in rows)
    assert order.number in estate.resident.last


def test_an_emergency_from_someone_not_yet_bound_is_not_turned_away(office: Office) -> None:
    stranger = build_estate(office).desk.person(777, "Visitor", "en")
    stranger.says("I smell gas in the corridor!")
    assert "gas valve" in stranger.chat[0].text or "Gas" in stranger.chat[0].text
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.emergency and order.hazard == "gas"


def test_free_text_at_the_menu_is_triaged_and_the_guess_can_be_corrected(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.says("The corridor light on floor 5 is out")
    assert "Electrical" in li.last and "public" in li.last
    li.taps("Another trade")
    li.taps("Doors, windows, walls")
    assert "Where" in li.last
    li.taps("Public area")
    li.says("Building 3, 5th floor corridor")
    li.taps("No photos")
    li.taps("As soon as possible")
    li.taps("Use")
    li.taps("Submit")
    order = records.list_orders(office)[0]
    assert order["trade"] == "civil" and order["location"] == "public"
    assert order["place"] == "Building 3, 5th floor corridor"


def test_a_guess_of_home_can_be_switched_to_a_public_area(estate: Estate,
                                                          office: Office) -> None:
    wang = estate.resident
    wang.says("水龙头坏了一直漏水")
    wang.taps("在公共区域")
    wang.says("3栋一楼大堂")
    wang.taps("没有照片")
    wang.taps("明天上午")
    wang.taps("使用")
    wang.taps("提交")
    order = records.list_orders(office)[0]
    assert order["trade"] == "plumbing" and order["location"] == "public"
    assert order["unit"] is None and estate.desk.last(PLUMBERS).text.count("3栋一楼大堂") == 1


# Complaints have their own dialog, FAQ questions and fee questions are answered at once
# (tests/integration/test_faq_at_the_desk.py); a question the FAQ cannot answer goes here.
@pytest.mark.parametrize(("text", "kind"), [
    ("小区明年会不会加装电梯？", "enquiry"),
])
def test_questions_nobody_can_answer_at_once_reach_the_front_desk_with_a_promise(
        estate: Estate, office: Office, text: str, kind: str) -> None:
    estate.resident.says(text)
    assert "24" in estate.resident.last
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
    assert request.kind == kind and request.text == text and request.due_at is not None
    assert text in estate.desk.last(DISPATCH).text


def test_a_paid_service_written_in_words_is_offered_from_the_catalog(estate: Estate,
                                                                      office: Office) -> None:
    li = estate.neighbour
    li.says("Can I book a household cleaning for Saturday?")
    assert "Household cleaning" in li.last
    li.taps("Yes")
    li.says("Tuesday 9am")  # visits are Monday–Friday in the fixtures
    li.taps("Use")
    li.taps("Book it")
    order = records.list_orders(office)[0]
    assert order["kind"] == "service" and order["service"] == "household_cleaning"


def test_a_greeting_gets_the_menu(estate: Estate) -> None:
    estate.resident.says("在吗")
    assert estate.desk.find_button(101, "报修")


def test_traditional_chinese_is_understood_and_answered_in_traditional(office: Office) -> None:
    estate = build_estate(office)
    codes = {(b, r): c for b, r, c in roster.household_codes(office)}
    chan = estate.desk.person(501, "陳先生", "zh-hant")
    chan.command("start", codes[("5", "0101")])
    chan.says("浴室水龍頭壞了，一直漏水")
    assert "對嗎" in chan.last or "对吗" not in chan.last
    chan.command("language")
    chan.taps("English")
    assert "English" in chan.last
    chan.command("my")
    assert "You have no requests" in chan.last


def test_the_emergency_button_needs_no_words(estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Emergency")
    li.taps("trapped in a lift")
    assert "alarm button" in li.chat[-2].text
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.emergency and order.hazard == "lift" and order.trade == "lift"
    assert order.number in estate.desk.last(ON_DUTY).text


def test_the_front_desk_answers_and_the_resident_reads_it(estate: Estate,
                                                           office: Office) -> None:
    estate.neighbour.says("When will the water be back on?")
    estate.neighbour.taps("No, ask the desk")  # the FAQ's answer on notices did not help
    estate.dispatcher.taps("回复", chat_id=DISPATCH)
    estate.dispatcher.says("下午三点前恢复供水。")
    assert "下午三点前恢复供水。" in estate.neighbour.last
    assert "FD-1" in estate.neighbour.last
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
    assert request.status == "answered" and request.answered_at is not None
    notice = estate.desk.last(DISPATCH)
    assert "刘调度" in notice.text and notice.buttons == [] and notice.edits == 1
    replay = estate.dispatcher.presses(tap(Verb.DESK_REPLY, 1), DISPATCH)
    assert estate.dispatcher.toast_for(replay)  # already answered: nothing more to do


@pytest.mark.parametrize(("text", "unit", "several"), [
    ("I smell gas in my flat!", None, True),
    ("5-0101 煤气味很浓", "5-0101", False),
])
def test_an_emergency_from_a_resident_of_two_homes_names_the_home_or_both(
        office: Office, text: str, unit: str | None, several: bool) -> None:
    estate = build_estate(office, staff_language="en")
    li = estate.neighbour
    li.command("start", code_of(office, "5", "0101"))  # Li's second home
    li.says(text)
    assert "gas valve" in li.chat[-2].text  # the instructions, without a question first
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
        household = session.get(Household, order.household_id) if order.household_id else None
    assert (unit_label(household) if household else None) == unit
    alert = estate.desk.last(ON_DUTY).text
    if several:  # nobody guesses: staff confirm the home by phone
        assert "3-1203" in alert and "5-0101" in alert and "several homes" in alert, alert
    else:
        assert "Unit 5-0101" in alert and "3-1203" not in alert, alert
