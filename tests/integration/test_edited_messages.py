"""A message the sender edits afterwards: the office does not read the edit, and says so once,
in a private chat, in the person's language; in groups it stays quiet. Nothing else changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from storage.models import DialogState, WorkOrder
from tests.support.estate import PLUMBERS, Estate, build_estate
from tests.support.repairs import report_tap_leak

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def dialog_of(office: Office, user_id: int) -> tuple[str, str, dict[str, object]] | None:
    with Session(office.engine) as session:
        row = session.exec(select(DialogState).where(DialogState.user_id == user_id)).first()
        return (row.flow, row.step, dict(row.data)) if row else None


def test_an_edit_in_a_dialog_is_answered_once_and_the_question_still_waits(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Report a repair")
    li.says("The kitchen tap is leaking")
    before, count = dialog_of(office, li.user_id), len(li.chat)
    edit = li.edits("The bathroom tap is leaking")
    estate.desk.send(edit)  # Telegram delivers the same update again
    replies = [m.text for m in li.chat[count:]]
    assert len(replies) == 1, replies
    assert "new message" in replies[0] and "still waiting" in replies[0]
    assert dialog_of(office, li.user_id) == before


def test_an_edit_of_words_already_filed_says_the_desk_has_the_original(
        estate: Estate, office: Office) -> None:
    wang = estate.resident
    sent = office.clock.now()
    report_tap_leak(estate)
    count = len(wang.chat)
    wang.edits("卫生间水龙头一直滴水，关不紧", sent_at=sent)
    replies = [m.text for m in wang.chat[count:]]
    assert len(replies) == 1 and CJK.search(replies[0]), replies  # in Wang's language
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.description.startswith("厨房")  # the original words stand

    # Li has filed nothing: the plain answer, in English.
    li = estate.neighbour
    count = len(li.chat)
    li.edits("hello", sent_at=sent + timedelta(minutes=1))
    replies = [m.text for m in li.chat[count:]]
    assert len(replies) == 1 and "new message" in replies[0], replies
    assert "original" not in replies[0] and "still waiting" not in replies[0]


def test_an_edit_in_a_group_is_ignored_silently(estate: Estate) -> None:
    group, private = len(estate.desk.messages(PLUMBERS)), len(estate.plumber.chat)
    estate.plumber.edits("我下午到", chat_id=PLUMBERS)
    assert len(estate.desk.messages(PLUMBERS)) == group
    assert len(estate.plumber.chat) == private
