"""A transcript harness: people send events to the core and read what their phones show.

It plays the Telegram side without any framework: every outbox row is "delivered" in order,
messages get ids, edits change them in place, toasts are collected — so a test reads like a
conversation at the front desk.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from dialogs.events import ChatKind, Event, EventKind
from handlers.delivery import outbox as delivery
from handlers.delivery.outbox import BLOCKED, Pending
from handlers.office import Office
from handlers.reception.entry import handle
from storage.models import Outbox


@dataclass
class Shown:
    """A message as a phone shows it now (after edits)."""

    chat_id: int
    message_id: int
    text: str
    keyboard: dict[str, Any] | None
    photos: list[str] = field(default_factory=list)
    edits: int = 0

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.keyboard or {}).get("inline") or []
        return [(b["text"], b["data"]) for row in rows for b in row]


class Desk:
    """The simulated Telegram: chats, their messages, the toasts people saw."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self.chats: dict[int, list[Shown]] = {}
        self.toasts: dict[str, str] = {}
        self._updates = itertools.count(1)
        self._callbacks = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.blocked: set[int] = set()  # chats whose person blocked the bot
        self.menus: dict[int, list[tuple[str, str]]] = {}  # each chat's own "/" menu

    # -- people --------------------------------------------------------------------------
    def person(self, user_id: int, name: str, language_code: str = "zh-hans") -> Person:
        return Person(self, user_id, name, language_code)

    # -- delivery ------------------------------------------------------------------------
    def deliver(self) -> None:
        """Send every pending outbox row, in order, the way the sender would; a row for a chat
        in ``blocked`` gets Telegram's 403, reported the way the sender reports it."""
        while True:
            bounced: int | None = None
            with Session(self.office.engine) as session:
                rows = session.exec(select(Outbox).where(Outbox.status == "pending")
                                    .order_by(col(Outbox.id))).all()
                for row in rows:
                    if row.chat_id in self.blocked and row.op != "toast":
                        bounced = row.id
                        break
                    self._deliver(session, row)
                session.commit()
            if bounced is None:
                return
            delivery.mark_undeliverable(self.office, bounced, BLOCKED)

    def accept(self, row: Pending) -> None:
        """Telegram takes a message the sender read earlier, whatever became of its outbox row
        since: the phone shows it, and the sender records it as it does (``mark_sent``)."""
        shown = self._show(row.chat_id, row.text, row.keyboard, row.photos)
        delivery.mark_sent(self.office, [(row.id, shown.message_id)])

    def _show(self, chat_id: int, text: str, keyboard: dict[str, Any] | None,
              photos: Sequence[str]) -> Shown:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        shown = Shown(chat_id, next(counter), text, keyboard, list(photos))
        self.chats.setdefault(chat_id, []).append(shown)
        return shown

    def _deliver(self, session: Session, row: Outbox) -> None:
        if row.op == "toast":
            self.toasts[row.callback_id] = row.text
        elif row.op == "send":
            row.telegram_message_id = self._show(row.chat_id, row.text, row.keyboard,
                                                 row.photos).message_id
        elif row.op == "delete":
            self.chats[row.chat_id] = [shown for shown in self.chats.get(row.chat_id, [])
                                       if shown.message_id != row.edit_message_id]
        elif row.op == "commands":
            self.menus[row.chat_id] = [(n, d) for n, d in (row.keyboard or {})["commands"]]
        else:
            target = row.edit_message_id
            if target is None and row.edit_of is not None:
                original = session.get(Outbox, row.edit_of)
                target = original.telegram_message_id if original else None
            for shown in self.chats.get(row.chat_id, []):
                if shown.message_id == target:
                    shown.text, shown.keyboard = row.text, row.keyboard
                    shown.edits += 1
        row.status, row.sent_at = "sent", self.office.clock.now()
        session.add(row)

    def messages(self, chat_id: int) -> list[Shown]:
        self.deliver()
        return self.chats.get(chat_id, [])

    def last(self, chat_id: int) -> Shown:
        return self.messages(chat_id)[-1]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages(chat_id)]

    def find_button(self, chat_id: int, label: str) -> tuple[Shown, str]:
        """The newest message in the chat with a button whose text contains *label*."""
        for shown in reversed(self.messages(chat_id)):
            for text, data in shown.buttons:
                if label in text:
                    return shown, data
        raise AssertionError(f"no button {label!r} in chat {chat_id}: "
                             f"{[m.buttons for m in self.chats.get(chat_id, [])]}")

    # -- events --------------------------------------------------------------------------
    def send(self, event: Event) -> Event:
        handle(self.office, event)
        self.deliver()
        return event

    def update_key(self) -> str:
        return f"u:{next(self._updates)}"

    def callback_id(self) -> str:
        return f"cb{next(self._callbacks)}"


@dataclass
class Person:
    """Someone with a phone: their private chat is their user id."""

    desk: Desk
    user_id: int
    name: str
    language_code: str

    def _event(self, kind: EventKind, chat_id: int | None = None, **fields: Any) -> Event:
        chat = self.user_id if chat_id is None else chat_id
        return Event(key=self.desk.update_key(), kind=kind, chat_id=chat,
                     chat_kind=ChatKind.PRIVATE if chat > 0 else ChatKind.GROUP,
                     user_id=self.user_id, user_name=self.name,
                     language_code=self.language_code, **fields)

    def says(self, text: str, chat_id: int | None = None) -> Event:
        return self.desk.send(self._event(EventKind.TEXT, chat_id, text=text))

    def edits(self, text: str, sent_at: datetime | None = None,
              chat_id: int | None = None) -> Event:
        """Edit a text message sent at *sent_at* (Telegram's ``date``; now by default)."""
        when = self.desk.office.clock.now() if sent_at is None else sent_at
        return self.desk.send(self._event(EventKind.EDITED, chat_id, text=text, sent_at=when))

    def forwards(self, text: str) -> Event:
        """Forward someone else's message into the chat with the bot."""
        return self.desk.send(self._event(EventKind.TEXT, text=text, forwarded=True))

    def command(self, command: str, args: str = "", chat_id: int | None = None,
                chat_title: str = "") -> Event:
        return self.desk.send(self._event(EventKind.COMMAND, chat_id, command=command,
                                          text=args, chat_title=chat_title))

    def taps(self, label: str, chat_id: int | None = None) -> Event:
        """Tap the newest button whose text contains *label* in the chat."""
        chat = self.user_id if chat_id is None else chat_id
        shown, data = self.desk.find_button(chat, label)
        return self.presses(data, chat, shown.message_id)

    def presses(self, data: str, chat_id: int | None = None,
                message_id: int | None = None) -> Event:
        """Send raw callback data (what a forged or replayed button would send)."""
        return self.desk.send(self._event(EventKind.BUTTON, chat_id, button_data=data,
                                          callback_id=self.desk.callback_id(),
                                          message_id=message_id))

    def sends_photo(self, *file_ids: str, caption: str = "", album: str = "") -> Event:
        return self.desk.send(self._event(EventKind.PHOTO, photo_file_ids=file_ids,
                                          text=caption, album=album))

    def sends_album(self, *file_ids: str, caption: str = "", album: str = "album-1") -> None:
        """Send photos as one album: an update each, the caption on the first."""
        for i, file_id in enumerate(file_ids):
            self.sends_photo(file_id, caption="" if i else caption, album=album)

    def shares_contact(self, phone: str, own: bool = True) -> Event:
        return self.desk.send(self._event(EventKind.CONTACT, contact_phone=phone,
                                          contact_user_id=self.user_id if own else 999))

    def sends_sticker(self) -> Event:
        return self.desk.send(self._event(EventKind.UNSUPPORTED))

    @property
    def chat(self) -> list[Shown]:
        return self.desk.messages(self.user_id)

    @property
    def last(self) -> str:
        return self.desk.last(self.user_id).text

    def toast_for(self, event: Event) -> str:
        return self.desk.toasts.get(event.callback_id, "")
