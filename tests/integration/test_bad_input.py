"""Bad input gets a clear, polite answer in the person's language and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from storage.models import DialogState, WorkOrder
from tests.support.estate import Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def state_of(office: Office, user_id: int) -> tuple[str, str] | None:
    with Session(office.engine) as session:
        row = session.exec(select(DialogState).where(DialogState.user_id == user_id)).first()
        return (row.flow, row.step) if row else None


@pytest.mark.parametrize("action", ["sticker", "long", "photo_at_time", "unknown_command"])
def test_bad_input_in_a_dialog_is_answered_and_the_step_stays(estate: Estate, office: Office,
                                                              action: str) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Report a repair")
    li.says("The kitchen tap is leaking")
    li.taps("Yes")
    li.taps("No photos")
    before = state_of(office, 102)
    count = len(li.chat)
    if action == "sticker":
        li.sends_sticker()
    elif action == "long":
        li.says("x" * 10_000)
    elif action == "photo_at_time":
        li.sends_photo("p")
    else:
        li.command("frobnicate")
    replies = li.chat[count:]
    assert len(replies) == 1, [m.text for m in replies]  # one reply per input
    answer = replies[0].text
    assert not re.search(r"[\u4e00-\u9fff]", answer)  # in Li's language
    assert {"sticker": "Please pick a time", "long": "too long", "photo_at_time": "Photo kept",
            "unknown_command": "Sorry"}[action] in answer
    assert state_of(office, 102) == before
    li.taps("Tomorrow morning")  # and the dialog carries on
    assert state_of(office, 102) == ("repair", "phone")


def test_sticker_and_oversized_text_outside_dialogs(estate: Estate, office: Office) -> None:
    wang = estate.resident
    wang.sends_sticker()
    assert "抱歉" in wang.last or "对不起" in wang.last
    wang.says("漏" * 10_000)
    assert "太长" in wang.last
    with Session(office.engine) as session:
        assert session.exec(select(WorkOrder)).all() == []


def test_a_stranger_is_asked_to_bind_before_anything_else(office: Office) -> None:
    from tests.support.desk import Desk

    stranger = Desk(office).person(999, "Stranger", "en")
    stranger.says("My tap drips")
    assert "/start" in stranger.last
    assert stranger.chat[-1].keyboard and stranger.chat[-1].keyboard.get("reply")
    stranger.command("my")
    assert "/start" in stranger.last
    stranger.command("start", "H-NOTACODE")
    assert "not valid" in stranger.last


def test_a_photo_sent_where_words_are_wanted_is_kept_for_the_request(estate: Estate,
                                                                    office: Office) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Report a repair")
    li.sends_photo("tap-photo")  # a photo before any words: kept, and asked what is wrong
    assert "Photo kept" in li.last and "describe the problem" in li.last
    li.says("The kitchen tap is leaking")
    li.taps("Yes")
    li.taps("Done with photos")  # the kept photo counts
    li.sends_photo("second", caption="")  # at the time question: kept too, one reply
    assert "Photo kept" in li.last and "pick a time" in li.last
    li.taps("Tomorrow morning")
    li.taps("Use")
    assert "Photos: 2" in li.last
    li.taps("Submit")
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.photos == ["tap-photo", "second"]


def test_a_photo_sent_outside_any_dialog_starts_a_report_with_it(estate: Estate,
                                                                office: Office) -> None:
    li = estate.neighbour
    li.sends_photo("leak-photo", caption="The kitchen tap is leaking")
    assert "Photo kept" in li.last and "right?" in li.last  # the caption was read
    li.taps("Yes")
    assert "Done with photos" in str(li.chat[-1].buttons)
    li.taps("Done with photos")
    li.taps("Tomorrow morning")
    li.taps("Use")
    li.taps("Submit")
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.photos == ["leak-photo"] and "tap is leaking" in order.description


@pytest.mark.parametrize("command", ["menu", "start"])
def test_a_menu_or_start_in_the_middle_of_a_report_says_the_report_was_not_sent(
        estate: Estate, office: Office, command: str) -> None:
    wang = estate.resident
    wang.command("menu")
    wang.taps("报修")
    wang.says("厨房水龙头漏水")
    wang.taps("是")
    count = len(wang.chat)
    wang.command(command)
    said = [m.text for m in wang.chat[count:]]
    assert said[0] == "已停止，未提交任何内容。", said  # not silently dropped
    assert "有什么可以帮您" in said[-1]  # and the menu
    assert state_of(office, 101) is None
    with Session(office.engine) as session:
        assert session.exec(select(WorkOrder)).all() == []
    count = len(wang.chat)
    wang.command(command)  # with nothing under way: only the menu
    assert [m.text for m in wang.chat[count:]] == [said[-1]]
