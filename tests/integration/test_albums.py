"""An album is answered once: Telegram sends its photos one update each (the caption on the
first), told together by their media_group_id; the office answers the first photo and keeps the
rest with it quietly.

赵敏 (5-0101) has not linked her chat yet; 王芳 (3-1202) has.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from storage.models import WorkOrder
from tests.support.desk import Person
from tests.support.estate import Estate, build_estate, code_of

LEAK = "厨房水龙头漏水"


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


@pytest.fixture
def zhao(estate: Estate) -> Person:
    return estate.desk.person(150, "赵敏", "zh-hans")


@pytest.fixture
def wang(estate: Estate) -> Person:
    return estate.desk.person(101, "王芳", "zh-hans")


def said_after(person: Person, before: int) -> list[str]:
    return [m.text for m in person.chat[before:]]


def the_order(office: Office) -> WorkOrder:
    with Session(office.engine) as session:
        [order] = session.exec(select(WorkOrder)).all()
        return order


def test_an_album_before_linking_is_asked_to_link_once(zhao: Person, office: Office) -> None:
    zhao.sends_album("leak-1", "leak-2", "leak-3", caption=LEAK)
    assert len(zhao.chat) == 1 and zhao.chat[0].keyboard is not None  # link first, once
    zhao.command("start", code_of(office, "5", "0101"))
    [offer] = [m for m in zhao.chat if any(d.startswith("v1:earlier:") for _, d in m.buttons)]
    assert LEAK in offer.text and "×3" in offer.text
    zhao.taps("现在报")
    zhao.taps("是")
    zhao.taps("照片已发完")
    zhao.taps("明天上午")
    zhao.taps("使用")
    zhao.taps("提交")
    assert the_order(office).photos == ["leak-1", "leak-2", "leak-3"]


def test_words_on_a_later_photo_of_the_album_are_kept_too(
        zhao: Person, office: Office) -> None:
    zhao.sends_photo("leak-1", album="a")
    zhao.sends_photo("leak-2", caption=LEAK, album="a")
    assert len(zhao.chat) == 1
    zhao.command("start", code_of(office, "5", "0101"))
    [offer] = [m for m in zhao.chat if any(d.startswith("v1:earlier:") for _, d in m.buttons)]
    assert LEAK in offer.text and "×2" in offer.text


def test_the_next_album_is_answered_again(zhao: Person) -> None:
    zhao.sends_album("leak-1", "leak-2", album="a")
    zhao.sends_album("stain-1", "stain-2", album="b")
    assert len(zhao.chat) == 2


def test_a_linked_residents_album_opens_one_report_with_one_question(
        wang: Person, office: Office) -> None:
    before = len(wang.chat)
    wang.sends_album("leak-1", "leak-2", "leak-3", caption=LEAK)
    [asked] = said_after(wang, before)
    assert "照片已保留" in asked and "对吗" in asked
    wang.taps("是")
    before = len(wang.chat)
    wang.sends_album("more-1", "more-2", album="album-2")  # where photos are asked for
    assert len(said_after(wang, before)) == 1
    wang.taps("照片已发完")
    wang.taps("明天上午")
    wang.taps("使用")
    wang.taps("提交")
    assert the_order(office).photos == ["leak-1", "leak-2", "leak-3", "more-1", "more-2"]


def test_photos_sent_one_by_one_are_each_answered(wang: Person) -> None:
    wang.says(LEAK)
    wang.taps("是")
    before = len(wang.chat)
    wang.sends_photo("leak-1")
    wang.sends_photo("leak-2")
    assert len(said_after(wang, before)) == 2
