"""An emergency's photos reach the on-duty staff: the alert carries the photos it was reported
with (photos first, then its text and "I'm on it" button in a message of their own, the one
every later edit changes), the rest of an album follows, each photo captioned with the count
so far, a repeated alert does not send them again, and photos added to an order are no staff
reply in the monthly service levels.

王芳 writes in Chinese; the staff groups speak English.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.adapters.base import CommandScope, KeyboardJson
from bot.sender import Limits, OutboxSender
from dialogs.buttons import Verb, tap
from dialogs.events import Event, EventKind
from handlers.monthly_report.service_levels import orders_of
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.reception.entry import handle
from handlers.registration import roster
from storage.models import Person as StaffMember
from storage.models import WorkOrder
from tests.support.desk import Person
from tests.support.estate import MANAGERS, ON_DUTY, Estate, build_estate
from tests.support.orders import due, events

FIRE = "厨房着火了"
QUICK = Limits(private_per_second=20, group_per_minute=1200, backoff_base=0.1,
               poll_interval=0.1)


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def the_order(office: Office) -> WorkOrder:
    with Session(office.engine) as session:
        [order] = session.exec(select(WorkOrder)).all()
        return order


@dataclass(frozen=True, slots=True)
class Call:
    chat_id: int
    method: str
    message_id: int
    photos: tuple[str, ...] = ()
    text: str = ""
    keyboard: KeyboardJson | None = None


class Phones:
    """The Bot API as the sender sees it: every call recorded, message ids counted per chat."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._ids: dict[int, itertools.count[int]] = {}

    def _new(self, chat_id: int) -> int:
        return next(self._ids.setdefault(chat_id, itertools.count(1)))

    def in_chat(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id]

    async def send_text(self, chat_id: int, text: str, keyboard: KeyboardJson | None) -> int:
        self.calls.append(Call(chat_id, "text", self._new(chat_id), text=text,
                               keyboard=keyboard))
        return self.calls[-1].message_id

    async def send_photo(self, chat_id: int, file_id: str, caption: str,
                         keyboard: KeyboardJson | None) -> int:
        self.calls.append(Call(chat_id, "photo", self._new(chat_id), (file_id,), caption,
                               keyboard))
        return self.calls[-1].message_id

    async def send_album(self, chat_id: int, file_ids: Sequence[str],
                         caption: str) -> list[int]:
        ids = [self._new(chat_id) for _ in file_ids]
        self.calls.append(Call(chat_id, "album", ids[0], tuple(file_ids), caption))
        return ids

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        keyboard: KeyboardJson | None) -> None:
        self.calls.append(Call(chat_id, "edit", message_id, text=text, keyboard=keyboard))

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        raise AssertionError("nothing is deleted here")

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        return None

    async def set_commands(self, commands: Sequence[tuple[str, str]], scope: CommandScope,
                           language_code: str | None) -> None:
        return None


def update(person: Person, kind: EventKind, chat_id: int | None = None,
           **fields: object) -> Event:
    """An update as Telegram would bring it, handled without the test desk delivering."""
    event = person._event(kind, chat_id, **fields)
    handle(person.desk.office, event)
    return event


async def test_the_alert_sends_its_photos_first_and_edits_reach_the_text_with_the_button(
        estate: Estate, office: Office) -> None:
    wang, liu = estate.resident, estate.dispatcher
    for i, photo in enumerate(("smoke-1", "smoke-2", "smoke-3")):
        update(wang, EventKind.PHOTO, photo_file_ids=(photo,), text="" if i else FIRE,
               album="album-1")
    phones = Phones()
    assert await OutboxSender(office, phones, QUICK).drain(within=10)
    order = the_order(office)
    for chat in (ON_DUTY, MANAGERS):
        shown = phones.in_chat(chat)
        assert [(c.method, c.photos) for c in shown] == [
            ("photo", ("smoke-1",)), ("text", ()), ("photo", ("smoke-2",)),
            ("photo", ("smoke-3",))]
        # The alert said "Photos: 1"; each later photo says how many there are now.
        assert [c.text for c in shown if c.method == "photo"] == [
            "", f"🚨 {order.number}: more from the resident, 2 photos so far.",
            f"🚨 {order.number}: more from the resident, 3 photos so far."]
        alert = shown[1]
        assert order.number in alert.text and alert.keyboard is not None
        assert "I'm on it" in str(alert.keyboard)  # the button is on the text, not a photo
    assert order.id is not None
    update(liu, EventKind.BUTTON, chat_id=ON_DUTY, button_data=tap(Verb.ACK_EMERGENCY, order.id),
           callback_id=estate.desk.callback_id(), message_id=phones.in_chat(ON_DUTY)[1].message_id)
    before = len(phones.calls)
    assert await OutboxSender(office, phones, QUICK).drain(within=10)
    for chat in (ON_DUTY, MANAGERS):
        alert = phones.in_chat(chat)[1]
        [edit] = [c for c in phones.calls[before:] if c.chat_id == chat]
        assert edit.method == "edit" and edit.message_id == alert.message_id
        assert "刘调度" in edit.text and "I'm on it" not in str(edit.keyboard)


def test_a_repeated_alert_does_not_send_the_photos_again(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk = estate.desk
    estate.resident.sends_photo("smoke-1", caption=FIRE)
    number = the_order(office).number
    [first] = [m for m in desk.messages(ON_DUTY) if number in m.text]
    assert first.photos == ["smoke-1"]
    before = {chat: len(desk.messages(chat)) for chat in (ON_DUTY, MANAGERS)}
    clock.advance(timedelta(minutes=5))
    assert due(office).counts["emergency_ack:repeated"] == 1
    for chat in (ON_DUTY, MANAGERS):
        [again] = desk.messages(chat)[before[chat]:]
        assert number in again.text and again.buttons and again.photos == []


NEW_MANAGERS = -1099  # the group the managers' chat moves to


def move_the_managers_chat(estate: Estate, office: Office) -> None:
    """The dispatcher binds a new group as the managers' chat: MANAGERS is no longer it."""
    code = roster.create_invite(office, "group", "managers", [])
    estate.dispatcher.command("bindgroup", code, chat_id=NEW_MANAGERS, chat_title="managers 2")


def test_a_chat_bound_after_the_alert_gets_the_photos_with_the_repeat(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    """The managers' chat moved to a new group between the alert and its repeat: the new group
    has seen nothing, so the repeat brings it every photo the order has by then; the on-duty
    chat, which had them, gets none."""
    desk = estate.desk
    estate.resident.sends_photo("smoke-1", caption=FIRE, album="album-1")
    estate.resident.sends_photo("smoke-2", album="album-1")
    number = the_order(office).number
    move_the_managers_chat(estate, office)
    before = {chat: len(desk.messages(chat)) for chat in (ON_DUTY, MANAGERS, NEW_MANAGERS)}
    clock.advance(timedelta(minutes=5))
    assert due(office).counts["emergency_ack:repeated"] == 1
    [again] = [m for m in desk.messages(NEW_MANAGERS)[before[NEW_MANAGERS]:] if m.photos]
    assert again.photos == ["smoke-1", "smoke-2"] and number in again.text and again.buttons
    [repeat] = desk.messages(ON_DUTY)[before[ON_DUTY]:]
    assert repeat.photos == [] and number in repeat.text
    assert desk.messages(MANAGERS)[before[MANAGERS]:] == []  # no longer the managers' chat


def test_the_alert_left_in_a_chat_that_is_no_longer_alerted_is_closed_too(
        estate: Estate, office: Office) -> None:
    """The managers' chat moved to a new group after the alert: the copy in the old group
    does not keep a live "I'm on it" button once someone has it, and the rest of the album
    goes where the alert went, not to the new group that has no alert to go with it."""
    desk = estate.desk
    estate.resident.sends_photo("smoke-1", caption=FIRE, album="album-1")
    number = the_order(office).number
    move_the_managers_chat(estate, office)
    estate.resident.sends_photo("smoke-2", album="album-1")
    assert [m.photos for m in desk.messages(MANAGERS) if m.photos] == [["smoke-1"], ["smoke-2"]]
    assert not any(m.photos for m in desk.messages(NEW_MANAGERS))
    estate.dispatcher.taps("I'm on it", chat_id=ON_DUTY)
    [old_copy] = [m for m in desk.messages(MANAGERS) if number in m.text and "Problem" in m.text]
    assert "刘调度 is on it" in old_copy.text and not old_copy.buttons


def test_the_rest_of_an_album_is_kept_but_not_shown_once_the_emergency_is_finished(
        estate: Estate, office: Office) -> None:
    desk, wang = estate.desk, estate.resident
    wang.sends_photo("smoke-1", caption=FIRE, album="album-1")
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
        order.status = "cancelled"
        session.add(order)
        session.commit()
    before = {chat: len(desk.messages(chat)) for chat in (ON_DUTY, MANAGERS)}
    wang.sends_photo("smoke-2", album="album-1")
    assert the_order(office).photos == ["smoke-1", "smoke-2"]
    assert all(desk.messages(chat)[before[chat]:] == [] for chat in (ON_DUTY, MANAGERS))


def test_photos_a_member_of_staff_adds_to_an_emergency_are_no_reply_in_the_service_levels(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    # 张师傅 reports a fire at home himself, with an album: every step is his, none a reply.
    zhang = estate.plumber
    zhang.sends_photo("smoke-1", caption=FIRE, album="album-1")
    clock.advance(timedelta(minutes=3))
    zhang.sends_photo("smoke-2", album="album-1")
    [added] = events(office, "photos_added")
    with Session(office.engine) as session:
        actor = session.get(StaffMember, added.actor_id)
    assert actor is not None and actor.name == "张师傅" and actor.role == "technician"
    now = clock.now()
    with Session(office.engine) as session:
        [month_order] = orders_of(session, now - timedelta(days=1), now + timedelta(days=1),
                                  {}).values()
    assert month_order.emergency and month_order.first_reply is None
