"""A linked resident's album is answered once: Telegram sends its photos one update each (the
caption on the first), told together by their media_group_id; the dialog answers the first
photo and keeps the rest quietly. An album that reports an emergency shows all its photos to
the on-duty staff. (Before linking: tests/integration/test_unlinked_photos.py.)
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from storage.models import WorkOrder
from tests.support.desk import Person
from tests.support.estate import MANAGERS, ON_DUTY, build_estate

LEAK = "厨房水龙头漏水"
FIRE = "厨房着火了"


@pytest.fixture
def wang(office: Office) -> Person:
    """王芳 (3-1202), linked."""
    return build_estate(office).desk.person(101, "王芳", "zh-hans")


def said_after(person: Person, before: int) -> list[str]:
    return [m.text for m in person.chat[before:]]


def orders(office: Office) -> list[WorkOrder]:
    with Session(office.engine) as session:
        return list(session.exec(select(WorkOrder)).all())


def test_an_album_opens_one_report_with_one_question(wang: Person, office: Office) -> None:
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
    [order] = orders(office)
    assert order.photos == ["leak-1", "leak-2", "leak-3", "more-1", "more-2"]


def test_photos_sent_one_by_one_are_each_answered(wang: Person) -> None:
    wang.says(LEAK)
    wang.taps("是")
    before = len(wang.chat)
    wang.sends_photo("leak-1")
    wang.sends_photo("leak-2")
    assert len(said_after(wang, before)) == 2


def test_an_album_reporting_an_emergency_keeps_its_photos_on_the_order(
        wang: Person, office: Office) -> None:
    before = len(wang.chat)
    wang.sends_album("smoke-1", "smoke-2", "smoke-3", caption=FIRE)
    instructions, alerted = said_after(wang, before)  # once, and no report opened after
    assert "119" in instructions and "WO-" in alerted
    [order] = orders(office)
    assert order.emergency and order.photos == ["smoke-1", "smoke-2", "smoke-3"]
    wang.sends_photo("later")  # not of the album: read as ever, a new report
    assert "照片已保留" in wang.last
    assert orders(office)[0].photos == ["smoke-1", "smoke-2", "smoke-3"]


def test_an_album_reporting_an_emergency_shows_the_on_duty_staff_every_photo_and_one_alert(
        wang: Person, office: Office) -> None:
    desk = wang.desk
    before = {chat: len(desk.messages(chat)) for chat in (ON_DUTY, MANAGERS)}
    wang.sends_album("smoke-1", "smoke-2", "smoke-3", caption=FIRE)
    [order] = orders(office)
    assert order.photos == ["smoke-1", "smoke-2", "smoke-3"]
    for chat in (ON_DUTY, MANAGERS):
        shown = desk.messages(chat)[before[chat]:]
        assert [photo for m in shown for photo in m.photos] == ["smoke-1", "smoke-2", "smoke-3"]
        [alert] = [m for m in shown if m.buttons]  # the alert, once
        assert alert.photos == ["smoke-1"] and order.number in alert.text  # as reported
        assert [(m.photos, m.text) for m in shown if m is not alert] == [  # the rest, after it
            (["smoke-2"], f"🚨 {order.number}：住户补充的照片，目前共 2 张。"),
            (["smoke-3"], f"🚨 {order.number}：住户补充的照片，目前共 3 张。")]
