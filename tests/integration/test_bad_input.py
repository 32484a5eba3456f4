"""Bad input gets a clear, polite answer in the person's language and changes nothing."""

from __future__ import annotations

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
    answer = " ".join(m.text for m in li.chat[count:])
    assert answer.isascii()  # in Li's language
    assert "Sorry" in answer or "too long" in answer
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
