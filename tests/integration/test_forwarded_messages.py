"""A forwarded message is someone else's words: the bot asks before filing it as the
forwarder's own report, and "Yes, my home" goes straight down the path it would have taken.

Li Lei (3-1203) uses the bot in English; her neighbour's words reach her in a family chat and
she forwards them to the office.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from dialogs.events import Event, EventKind
from handlers.office import Office
from storage.models import WorkOrder
from tests.support.desk import Person
from tests.support.estate import ON_DUTY, Estate, build_estate

GAS = "My neighbour says: the gas smells really strong in the stairwell"


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def orders(office: Office) -> list[WorkOrder]:
    with Session(office.engine) as session:
        return list(session.exec(select(WorkOrder)).all())


def test_a_forwarded_gas_smell_is_asked_about_and_no_opens_nothing(
        estate: Estate, office: Office) -> None:
    li, desk = estate.neighbour, estate.desk
    on_duty = len(desk.texts(ON_DUTY))
    li.forwards(GAS)
    question = desk.last(102)
    assert "You forwarded this" in question.text and "stairwell" in question.text
    assert [label for label, _ in question.buttons] == ["Yes, my home", "No, someone else's"]
    assert orders(office) == [] and len(desk.texts(ON_DUTY)) == on_duty
    li.taps("No, someone else's")
    assert "Nothing was opened" in li.last and "400-000-0000" in li.last  # the hotline
    assert question.buttons == []  # the question is closed
    assert orders(office) == [] and len(desk.texts(ON_DUTY)) == on_duty


def test_yes_my_home_takes_the_emergency_path_at_once(estate: Estate, office: Office) -> None:
    li, desk = estate.neighbour, estate.desk
    li.forwards(GAS)
    li.taps("Yes, my home")
    [order] = orders(office)
    assert order.emergency and order.hazard == "gas"
    assert order.number in desk.last(ON_DUTY).text
    assert any("400-000-0000" in m.text for m in li.chat[-3:])  # safety instructions first


def test_a_forwarded_repair_becomes_hers_only_when_she_says_so(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.forwards("The kitchen tap is dripping")
    assert "You forwarded this" in li.last
    li.taps("Yes, my home")
    assert orders(office) == []  # her own report now: the usual questions come first
    assert "Plumbing" in li.last


def test_a_forwarded_question_is_just_answered(estate: Estate) -> None:
    li = estate.neighbour
    li.forwards("What time does the office open?")
    assert "You forwarded this" not in li.last


def forwards_photo(person: Person, file_id: str, caption: str = "") -> Event:
    """Forward someone else's photo with their caption (Telegram's forward_origin set)."""
    photo = person._event(EventKind.PHOTO, photo_file_ids=(file_id,), text=caption)
    return person.desk.send(dataclasses.replace(photo, forwarded=True))


def test_a_forwarded_photo_of_a_leak_is_asked_about_and_yes_keeps_the_photo(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    forwards_photo(li, "neighbours-tap", "The kitchen tap is dripping")
    question = li.chat[-1]
    forwards_photo(li, "under-the-sink")  # the album's second photo, without a caption
    assert li.chat[-1] is question  # one question for the album, nothing more said
    assert "You forwarded this" in li.last and "kitchen tap" in li.last
    assert orders(office) == []
    li.taps("Yes, my home")
    assert "Photo kept" in li.last and "right?" in li.last  # her own report, photo and words
    li.taps("Yes")
    li.taps("Done with photos")
    li.taps("Tomorrow morning")
    li.taps("Use")
    li.taps("Submit")
    [order] = orders(office)
    assert order.photos == ["neighbours-tap", "under-the-sink"]
    assert "dripping" in order.description


def test_a_forwarded_photo_of_a_gas_smell_yes_is_an_emergency_with_the_photo(
        estate: Estate, office: Office) -> None:
    li, desk = estate.neighbour, estate.desk
    on_duty = len(desk.texts(ON_DUTY))
    forwards_photo(li, "stairwell", GAS)
    assert "You forwarded this" in li.last
    assert orders(office) == [] and len(desk.texts(ON_DUTY)) == on_duty
    li.taps("Yes, my home")
    [order] = orders(office)
    assert order.emergency and order.hazard == "gas" and order.photos == ["stairwell"]


def test_a_forwarded_photo_no_opens_nothing(estate: Estate, office: Office) -> None:
    li = estate.neighbour
    forwards_photo(li, "someone-elses", "Look at the state of this corridor door")
    assert "You forwarded this" in li.last  # a photo would otherwise open a report
    li.taps("No, someone else's")
    assert "Nothing was opened" in li.last and orders(office) == []
