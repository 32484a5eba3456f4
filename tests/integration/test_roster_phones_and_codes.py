"""A roster number is matched by its digits, however the office wrote it (dashes, spaces,
brackets): the resident who shares that number is linked, and the desk finds the unit by it."""

from __future__ import annotations

import pytest

from handlers.office import Office
from handlers.registration import roster
from tests.support.estate import DISPATCH, Estate, build_estate, code_of


@pytest.fixture
def estate(office: Office) -> Estate:
    estate = build_estate(office, staff_language="en")
    rows = [{"building": "7", "room": "0302", "name": "孙丽", "phone": "138-0000-0007"},
            {"building": "7", "room": "0303", "name": "周强", "phone": "(0755) 8888 1234"}]
    roster.import_households(office, enumerate(rows, start=2))
    roster.household_codes(office)
    return estate


def test_a_number_written_with_dashes_on_the_roster_links_by_contact(estate: Estate) -> None:
    sun = estate.desk.person(404, "孙丽")
    sun.command("start")
    sun.shares_contact("+86 13800000007")
    assert any("7-0302" in text for text in estate.desk.texts(404))
    zhou = estate.desk.person(405, "周强")
    zhou.shares_contact("075588881234")
    assert any("7-0303" in text for text in estate.desk.texts(405))


def test_the_desk_finds_a_unit_by_a_number_written_with_spaces(estate: Estate) -> None:
    estate.dispatcher.command("find", "13800000007", chat_id=DISPATCH)
    assert "7-0302" in estate.desk.last(DISPATCH).text
    estate.dispatcher.command("find", "8888 1234", chat_id=DISPATCH)
    assert "7-0303" in estate.desk.last(DISPATCH).text


def test_a_code_typed_from_paper_in_small_letters_links_once(estate: Estate,
                                                             office: Office) -> None:
    sun = estate.desk.person(404, "孙丽")
    code = code_of(office, "7", "0302")
    sun.command("start", " " + code.lower().replace("-", "- ") + " ")
    assert "7-0302" in sun.chat[0].text
    other = estate.desk.person(406, "冒名")
    other.command("start", code)
    assert "7-0302" not in other.last and len(other.chat) == 1

def test_a_code_typed_with_a_chinese_keyboard_in_full_width_links(estate: Estate,
                                                                office: Office) -> None:
    """A Chinese input method in full-width mode types ｈ－７ＫＸ２… for H-7KX2…"""
    sun = estate.desk.person(404, "孙丽")
    code = code_of(office, "7", "0302")
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code.lower())
    sun.command("start", full_width.replace("－", "－\u3000"))
    assert "7-0302" in sun.chat[0].text, sun.chat[0].text
    chen = estate.desk.person(405, "陈")
    chen.says(full_width)
    assert "7-0302" not in chen.last


def test_a_staff_code_in_small_letters_registers_the_colleague(estate: Estate,
                                                               office: Office) -> None:
    code = roster.create_invite(office, "staff", "technician", ["plumbing"], "钱师傅")
    qian = estate.desk.person(207, "钱师傅")
    qian.command("start", code.lower())
    assert "钱师傅" in qian.chat[0].text and "invalid" not in qian.chat[0].text
    group = roster.create_invite(office, "group", "", ["electrical"])
    estate.dispatcher.command("bindgroup", group.lower(), chat_id=-1006, chat_title="电工群")
    assert "✅" in estate.desk.last(-1006).text


def test_a_code_sent_as_a_message_without_start_links_the_chat(estate: Estate,
                                                               office: Office) -> None:
    """Told to send the code from the office, a newcomer sends just the code."""
    sun = estate.desk.person(404, "孙丽")
    sun.says(code_of(office, "7", "0302"))
    assert any("7-0302" in text for text in estate.desk.texts(404))
    assert not any(d.startswith("v1:earlier:") for m in sun.chat for _, d in m.buttons)


def test_a_linked_resident_who_sends_a_second_homes_code_is_linked_to_it(
        estate: Estate, office: Office) -> None:
    """A code is not a question for the desk: it links the second home."""
    estate.resident.says(code_of(office, "7", "0302"))
    assert "7-0302" in estate.resident.chat[-2].text
    assert not any("FD-" in text for text in estate.desk.texts(DISPATCH))


def test_a_code_for_a_home_the_resident_is_already_linked_to_is_not_used_up(
        estate: Estate, office: Office) -> None:
    """Wang finds a second letter for 3-1202 (her first code was used) and sends its code: she
    is told her chat is linked to 3-1202 already, and the code still works for her family."""
    roster.household_codes(office)  # a new letter for every household whose code was used
    code = code_of(office, "3", "1202")
    before = len(estate.resident.chat)
    estate.resident.command("start", code)
    told = [m.text for m in estate.resident.chat[before:]]
    assert len(told) == 1 and "已绑定房号 3-1202" in told[0] and "欢迎" not in told[0], told
    assert code_of(office, "3", "1202") == code
    husband = estate.desk.person(107, "王先生")
    husband.command("start", code)
    assert "3-1202" in husband.chat[0].text and "欢迎" in husband.chat[0].text


def test_a_unit_let_to_someone_else_on_the_roster_unlinks_and_tells_the_old_resident(
        estate: Estate, office: Office) -> None:
    """Wang moves out of 3-1202 and the office imports the roster with the new tenant: Wang is
    told she is no longer linked to it and sees no more of its fees; the old letter's code is
    dead and the new tenant's code (printed after the import) links them. The neighbour, whose
    row only had its phone number corrected, stays linked."""
    before, neighbour_before = len(estate.resident.chat), len(estate.neighbour.chat)
    rows = [{"building": "3", "room": "1202", "name": "陈新", "phone": "13900000009"},
            {"building": "3", "room": "1203", "name": "Li Lei", "phone": "13800000012"}]
    roster.import_households(office, enumerate(rows, start=2))
    told = [m.text for m in estate.resident.chat[before:]]
    assert len(told) == 1 and "3-1202" in told[0] and "解除绑定" in told[0], told
    assert len(estate.neighbour.chat) == neighbour_before
    estate.resident.command("fees")
    assert "3-1202" not in estate.resident.last and "绑定码" in estate.resident.last
    estate.neighbour.command("fees")
    assert "3-1203" in estate.neighbour.last
    roster.household_codes(office)
    chen = estate.desk.person(108, "陈新")
    chen.command("start", code_of(office, "3", "1202"))
    assert "3-1202" in chen.chat[0].text and "欢迎" in chen.chat[0].text


def test_a_number_on_the_roster_for_two_homes_links_both_with_one_welcome(
        estate: Estate, office: Office) -> None:
    """孙丽 owns 7-0302 and 8-0101 under one number: sharing it links both, and she is welcomed
    once, with both units named, and gets the menu once (not a welcome and a menu per home)."""
    roster.import_households(office, enumerate(
        [{"building": "8", "room": "0101", "name": "孙丽", "phone": "13800000007"}], start=2))
    sun = estate.desk.person(404, "孙丽")
    sun.command("start")
    before = len(sun.chat)
    sun.shares_contact("+86 13800000007")
    told = [m.text for m in sun.chat[before:]]
    assert len(told) == 2, told
    assert "7-0302" in told[0] and "8-0101" in told[0] and "欢迎" in told[0], told
    assert "欢迎" not in told[1]
    before = len(sun.chat)
    sun.command("fees")  # a statement per home
    fees = "\n".join(m.text for m in sun.chat[before:])
    assert "7-0302" in fees and "8-0101" in fees, fees
