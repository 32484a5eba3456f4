"""A photo sent before linking a home is not lost: once linked, the person is offered it back
with their words, and "Report it now" opens the report with the photo as if just sent.

赵敏 (5-0101) has not linked her chat yet when her kitchen starts leaking.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session, select

from dialogs.events import EventKind
from handlers.office import Office
from storage.models import WorkOrder
from tests.support.desk import Person, Shown
from tests.support.estate import Estate, build_estate, code_of

LEAK = "厨房漏水"
MAYBE = "好像有点烟味"  # might be smoke: asked about first


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


@pytest.fixture
def zhao(estate: Estate) -> Person:
    return estate.desk.person(150, "赵敏", "zh-hans")


def orders(office: Office) -> list[WorkOrder]:
    with Session(office.engine) as session:
        return list(session.exec(select(WorkOrder)).all())


def links(zhao: Person, office: Office) -> Shown:
    """She links with her household's code; the offer of what she sent before."""
    zhao.command("start", code_of(office, "5", "0101"))
    [offer] = [m for m in zhao.chat if any(d.startswith("v1:earlier:") for _, d in m.buttons)]
    return offer


def submits_the_report(zhao: Person) -> None:
    """The usual questions of a report that began with a photo and its words."""
    zhao.taps("是")
    zhao.taps("照片已发完")
    zhao.taps("明天上午")
    zhao.taps("使用")
    zhao.taps("提交")


def test_a_photo_sent_before_linking_goes_with_the_report(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("kitchen-leak", caption=LEAK)
    assert zhao.chat[-1].keyboard is not None  # asked to link first
    offer = links(zhao, office)
    assert LEAK in offer.text and "📷" in offer.text
    zhao.taps("现在报")
    assert offer.buttons == []
    assert "照片已保留" in zhao.last and "对吗" in zhao.last  # as if just sent, words and photo
    submits_the_report(zhao)
    [order] = orders(office)
    assert order.photos == ["kitchen-leak"] and LEAK in order.description


def test_an_album_sent_before_linking_keeps_every_photo(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("kitchen-leak", caption=LEAK)
    zhao.sends_photo("under-the-sink")  # the album's second photo, without a caption
    offer = links(zhao, office)
    assert LEAK in offer.text and "2" in offer.text
    zhao.taps("现在报")
    submits_the_report(zhao)
    [order] = orders(office)
    assert order.photos == ["kitchen-leak", "under-the-sink"]


def test_a_photo_alone_sent_before_linking_is_offered_back(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("ceiling-stain")
    offer = links(zhao, office)
    assert "📷" in offer.text
    zhao.taps("现在报")
    assert "照片已保留" in zhao.last
    assert orders(office) == []  # a photo alone: the report asks what is wrong first


def test_a_forwarded_photo_owned_before_linking_goes_with_the_report(
        estate: Estate, zhao: Person, office: Office) -> None:
    photo = zhao._event(EventKind.PHOTO, photo_file_ids=("kitchen-leak",), text=LEAK)
    zhao.desk.send(dataclasses.replace(photo, forwarded=True))
    zhao.taps("是我家")  # "Yes, my home": her own report now, kept until she links
    offer = links(zhao, office)
    assert LEAK in offer.text
    zhao.taps("现在报")
    submits_the_report(zhao)
    [order] = orders(office)
    assert order.photos == ["kitchen-leak"]


def test_a_photo_turned_down_opens_nothing(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("kitchen-leak", caption=LEAK)
    offer = links(zhao, office)
    zhao.taps("不用了")
    assert offer.buttons == [] and orders(office) == []


def test_a_photo_whose_words_might_be_danger_is_kept_after_no(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("smoky-corner", caption=MAYBE)
    zhao.sends_photo("the-socket")  # the album's second photo, while the question waits
    assert "危险" in zhao.last  # one question for the album, nothing more said
    zhao.taps("不是")
    offer = links(zhao, office)
    assert MAYBE in offer.text and "2" in offer.text
    zhao.taps("现在报")
    assert "照片已保留" in zhao.last


def test_a_photo_whose_words_might_be_danger_yes_is_an_emergency_with_the_photo(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("smoky-corner", caption=MAYBE)
    zhao.taps("是，现在")
    [order] = orders(office)
    assert order.emergency and order.photos == ["smoky-corner"]


def test_an_album_before_linking_is_asked_to_link_once(
        estate: Estate, zhao: Person, office: Office) -> None:
    """Telegram sends an album one photo per update, told together by its media_group_id."""
    zhao.sends_album("leak-1", "leak-2", "leak-3", caption=LEAK)
    assert len(zhao.chat) == 1 and zhao.chat[0].keyboard is not None  # link first, once
    offer = links(zhao, office)
    assert LEAK in offer.text and "×3" in offer.text
    zhao.taps("现在报")
    submits_the_report(zhao)
    [order] = orders(office)
    assert order.photos == ["leak-1", "leak-2", "leak-3"]


def test_words_on_a_later_photo_of_the_album_are_kept_too(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_photo("leak-1", album="a")
    zhao.sends_photo("leak-2", caption=LEAK, album="a")
    assert len(zhao.chat) == 1
    offer = links(zhao, office)
    assert LEAK in offer.text and "×2" in offer.text


def test_the_next_album_is_answered_again(estate: Estate, zhao: Person) -> None:
    zhao.sends_album("leak-1", "leak-2", album="a")
    zhao.sends_album("stain-1", "stain-2", album="b")
    assert len(zhao.chat) == 2


def test_an_album_reporting_an_emergency_before_linking_keeps_its_photos_on_the_order(
        estate: Estate, zhao: Person, office: Office) -> None:
    zhao.sends_album("smoke-1", "smoke-2", caption="厨房着火了")
    instructions, alerted = (m.text for m in zhao.chat)  # not asked to link for the rest
    assert "119" in instructions and "WO-" in alerted
    [order] = orders(office)
    assert order.emergency and order.photos == ["smoke-1", "smoke-2"]
    zhao.command("start", code_of(office, "5", "0101"))
    assert not any(d.startswith("v1:earlier:") for m in zhao.chat for _, d in m.buttons)


def test_every_message_sent_before_linking_is_offered_back(
        estate: Estate, zhao: Person, office: Office) -> None:
    """She writes twice before linking: neither message is left behind."""
    zhao.says("你好，我是5栋0101的业主")
    zhao.says(LEAK)
    zhao.sends_photo("leak-1")
    offer = links(zhao, office)
    assert "5栋0101" in offer.text and LEAK in offer.text and "×1" in offer.text
    zhao.taps("现在报")
    submits_the_report(zhao)
    [order] = orders(office)
    assert LEAK in order.description and order.photos == ["leak-1"]
