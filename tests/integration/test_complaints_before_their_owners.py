"""A complaint filed while nobody it goes to is registered yet (the office just started: no
admin/HR, no director) reaches the first of them to register, with its buttons — not only
/complaints."""

from __future__ import annotations

import pytest

from dialogs.events import EventKind
from handlers.office import Office
from handlers.registration import roster
from tests.support.complaints import complain, only_complaint
from tests.support.desk import Person
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def register(office: Office, estate: Estate, user_id: int, name: str, role: str,
             rank: str = "") -> Person:
    person = estate.desk.person(user_id, name, "en")
    person.command("start", roster.create_invite(office, "staff", role, [], name, rank))
    return person


def test_a_complaint_about_the_desk_filed_before_admin_hr_registers_reaches_the_admin(
        estate: Estate, office: Office) -> None:
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    number = only_complaint(office).number
    assert not any(number in m.text for m in estate.desk.messages(DISPATCH))
    admin = register(office, estate, 403, "Wu (admin/HR)", "admin")
    card = next((m for m in estate.desk.messages(admin.user_id)
                 if number in m.text and m.buttons), None)
    assert card is not None, estate.desk.texts(admin.user_id)  # with its severity buttons
    assert not any(number in m.text for m in estate.desk.messages(DISPATCH)), \
        "never to the desk"
    assert not any(number in m.text for m in estate.desk.messages(MANAGERS))

    before = len(estate.desk.messages(admin.user_id))
    register(office, estate, 404, "Qian (admin/HR)", "admin")
    assert len(estate.desk.messages(admin.user_id)) == before, "posted once, not again"


def test_a_complaint_before_anyone_reaches_the_director_when_there_is_no_admin_hr(
        estate: Estate, office: Office) -> None:
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    number = only_complaint(office).number
    register(office, estate, 401, "Sun (supervisor)", "manager", "supervisor")
    director = register(office, estate, 402, "Zhou (director)", "manager", "director")
    assert any(number in m.text and m.buttons for m in estate.desk.messages(director.user_id))


def test_a_complaint_filed_while_the_dispatch_desk_had_no_group_reaches_it_once_bound(
        estate: Estate, office: Office) -> None:
    dispatcher = estate.dispatcher
    estate.desk.send(dispatcher._event(EventKind.BOT_REMOVED, DISPATCH))
    complain(estate.neighbour, "The cleaner was rude to my son")
    number = only_complaint(office).number
    assert not any(number in m.text for m in estate.desk.messages(DISPATCH))
    dispatcher.command("bindgroup", roster.create_invite(office, "group", "dispatch", []),
                       chat_id=DISPATCH, chat_title=f"group {DISPATCH}")
    card = next((m for m in estate.desk.messages(DISPATCH)
                 if number in m.text and m.buttons), None)
    assert card is not None, estate.desk.texts(DISPATCH)
    assert "now the dispatch desk" in estate.desk.messages(DISPATCH)[-3].text, \
        "the group hears what it is first"

    before = len(estate.desk.messages(DISPATCH))
    dispatcher.command("bindgroup", roster.create_invite(office, "group", "dispatch", []),
                       chat_id=DISPATCH, chat_title=f"group {DISPATCH}")
    assert len(estate.desk.messages(DISPATCH)) == before + 1, "the card is not posted again"
