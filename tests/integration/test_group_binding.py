"""A group bound to a job another group has: the job moves, and the group that had it is told.

Binding a second dispatch desk (or a second job board for a trade) moves that job to the new
group; the old group hears where it went, so nobody there waits for cards that no longer
come. Binding the old group again moves the job back.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.people import staff_chat
from handlers.registration import roster
from tests.support.estate import DISPATCH, ELECTRICIANS, PLUMBERS, Estate, build_estate
from tests.support.repairs import report_tap_leak

NEW_DISPATCH = -1097
NEW_BOARD = -1096


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def bind(estate: Estate, office: Office, chat_id: int, title: str, role: str,
         trades: list[str]) -> None:
    code = roster.create_invite(office, "group", role, trades)
    estate.dispatcher.command("bindgroup", code, chat_id=chat_id, chat_title=title)


def the_dispatch_desk(office: Office) -> int | None:
    with Session(office.engine) as session:
        chat = staff_chat(session, "dispatch")
        return chat.chat_id if chat else None


def test_a_new_dispatch_desk_tells_the_old_one_and_binding_the_old_one_again_moves_it_back(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk = estate.desk
    old_title = f"group {DISPATCH}"  # as build_estate bound it
    bind(estate, office, NEW_DISPATCH, "dispatch 2", "dispatch", [])
    assert the_dispatch_desk(office) == NEW_DISPATCH
    told = desk.last(DISPATCH).text
    assert "no longer the dispatch desk" in told and "“dispatch 2”" in told
    confirmed = desk.last(NEW_DISPATCH).text
    assert "now the dispatch desk" in confirmed
    assert f"takes over from “{old_title}”" in confirmed

    clock.advance(timedelta(minutes=1))
    bind(estate, office, DISPATCH, old_title, "dispatch", [])
    assert the_dispatch_desk(office) == DISPATCH, "the group bound last is the desk"
    assert "no longer the dispatch desk" in desk.last(NEW_DISPATCH).text


def test_a_group_bound_again_for_the_job_it_has_tells_nobody(
        estate: Estate, office: Office) -> None:
    desk = estate.desk
    before = len(desk.messages(DISPATCH))
    bind(estate, office, DISPATCH, f"group {DISPATCH}", "dispatch", [])
    [confirmed] = desk.messages(DISPATCH)[before:]
    assert "now the dispatch desk" in confirmed.text and "takes over" not in confirmed.text
    assert the_dispatch_desk(office) == DISPATCH


def test_a_new_board_for_two_trades_tells_each_old_board_which_of_its_trades_moved(
        estate: Estate, office: Office) -> None:
    desk = estate.desk
    bind(estate, office, NEW_BOARD, "repairs", "", ["plumbing", "electrical"])
    for old, trade in ((PLUMBERS, "Plumbing"), (ELECTRICIANS, "Electrical")):
        told = desk.last(old).text
        assert "now go to the group “repairs”, not here" in told and trade in told, told
    confirmed = desk.last(NEW_BOARD).text
    assert f"takes over from “group {PLUMBERS}”" in confirmed
    assert f"takes over from “group {ELECTRICIANS}”" in confirmed

    plumbers_had = len(desk.messages(PLUMBERS))
    with pytest.raises(AssertionError):  # it looks for the card in PLUMBERS
        report_tap_leak(estate)
    card = desk.last(NEW_BOARD)
    assert card.text.startswith("WO-") and card.buttons, "the new board has the job"
    assert len(desk.messages(PLUMBERS)) == plumbers_had, "the old board has nothing new"


def test_a_job_board_bound_again_as_the_dispatch_desk_says_its_trade_now_has_no_board(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk = estate.desk
    clock.advance(timedelta(minutes=1))  # bound after the dispatch desk
    bind(estate, office, PLUMBERS, f"group {PLUMBERS}", "dispatch", [])
    assert the_dispatch_desk(office) == PLUMBERS
    with Session(office.engine) as session:
        assert staff_chat(session, "trade", "plumbing") is None
    confirmed = desk.last(PLUMBERS).text
    assert "now the dispatch desk" in confirmed
    assert "no longer the job board for" in confirmed and "Plumbing" in confirmed, confirmed
    assert "No group takes these jobs now" in confirmed and "/bindgroup" in confirmed, confirmed


def test_the_dispatch_desk_bound_again_as_a_job_board_says_there_is_no_dispatch_desk(
        estate: Estate, office: Office) -> None:
    desk = estate.desk
    bind(estate, office, DISPATCH, f"group {DISPATCH}", "", ["gas"])
    assert the_dispatch_desk(office) is None
    confirmed = desk.last(DISPATCH).text
    assert "now the job board for" in confirmed
    assert "the dispatch desk now has no group" in confirmed and "/bindgroup" in confirmed, \
        confirmed


def test_bindgroup_in_a_private_chat_explains_where_it_is_used_and_changes_nothing(
        estate: Estate, office: Office) -> None:
    desk = estate.desk
    code = roster.create_invite(office, "group", "dispatch", [])
    estate.dispatcher.command("bindgroup", code)
    told = desk.last(estate.dispatcher.user_id).text
    assert "don't know that command" not in told
    assert "inside the group" in told and "admin" in told, told
    assert the_dispatch_desk(office) == DISPATCH
    estate.dispatcher.command("bindgroup", code, chat_id=NEW_DISPATCH, chat_title="dispatch 2")
    assert the_dispatch_desk(office) == NEW_DISPATCH, "the code was not used up"
    estate.neighbour.command("bindgroup")
    assert "inside the group" in desk.last(estate.neighbour.user_id).text


def test_bindgroup_without_a_code_says_a_group_code_is_needed_and_who_makes_it(
        estate: Estate, office: Office) -> None:
    estate.dispatcher.command("bindgroup", "  ", chat_id=PLUMBERS, chat_title="plumbers")
    told = estate.desk.last(PLUMBERS).text
    assert "not valid" not in told, told
    assert "group code" in told and "frontline invite group" in told, told
    assert "Nothing was changed" in told, told
    assert the_dispatch_desk(office) == DISPATCH
    with Session(office.engine) as session:
        board = staff_chat(session, "trade", "plumbing")
        assert board is not None and board.chat_id == PLUMBERS and board.title != "plumbers"


def test_a_board_bound_again_as_the_desk_hands_its_trade_back_to_the_old_board_and_says_so(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk = estate.desk
    clock.advance(timedelta(minutes=1))
    bind(estate, office, NEW_BOARD, "repairs", "", ["plumbing"])
    clock.advance(timedelta(minutes=1))
    bind(estate, office, NEW_BOARD, "repairs", "dispatch", [])
    with Session(office.engine) as session:
        board = staff_chat(session, "trade", "plumbing")
        assert board is not None and board.chat_id == PLUMBERS
    told = desk.last(PLUMBERS).text
    assert "come to this group again" in told and "Plumbing" in told, told
    confirmed = desk.last(NEW_BOARD).text
    assert f"go back to “group {PLUMBERS}”, which has been told" in confirmed, confirmed
    assert "No group takes" not in confirmed
