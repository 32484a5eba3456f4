"""What the core hears and what it says, free of any Telegram framework.

Adapters in ``bot/`` turn a Telegram update into an :class:`Event`; handlers answer with
:class:`Say`, :class:`Edit` and :class:`Toast` values that go to the outbox. Keyboards are data;
button ``data`` is only a reference that handlers re-check (it is untrusted input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from locales import Text


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    PHOTO = "photo"
    LOCATION = "location"
    # Anything a user sent that we cannot read (sticker, voice, document …).
    UNSUPPORTED = "unsupported"
    # The sender changed a text (or caption) they sent earlier; ``text`` holds the new words.
    EDITED = "edited"
    BOT_ADDED = "bot_added"
    BOT_REMOVED = "bot_removed"
    USER_BLOCKED_BOT = "user_blocked_bot"
    USER_UNBLOCKED_BOT = "user_unblocked_bot"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a person did in a chat, as the office's rules need to know it."""

    key: str  # dedupe key: "u:<update_id>" or "cb:<callback id>"; the same key is handled once
    kind: EventKind
    chat_id: int
    chat_kind: ChatKind
    user_id: int
    user_name: str = ""
    language_code: str | None = None
    chat_title: str = ""
    text: str = ""  # message text, caption, or the command's arguments
    command: str = ""  # without the slash and without "@botname"
    button_data: str = ""
    callback_id: str = ""
    message_id: int | None = None  # the message carrying the tapped button
    contact_phone: str = ""
    contact_user_id: int | None = None
    photo_file_ids: tuple[str, ...] = ()
    # Telegram's media_group_id: the photos of one album share it, one update each.
    album: str = ""
    latitude: float | None = None
    longitude: float | None = None
    forwarded: bool = False  # someone else's words, passed on (Telegram's forward_origin)
    sent_at: datetime | None = None  # an edited message: when it was first sent (its date)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; ``data`` must fit Telegram's 64 bytes."""

    text: Text
    data: str


@dataclass(frozen=True, slots=True)
class KeyButton:
    """A reply-keyboard button; may ask Telegram to share the user's own phone number."""

    text: Text
    request_contact: bool = False


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    rows: tuple[tuple[KeyButton, ...], ...]
    one_time: bool = True


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    pass


Keyboard = InlineKeyboard | ReplyKeyboard | RemoveKeyboard


def inline(*rows: tuple[Button, ...] | list[Button]) -> InlineKeyboard:
    """Build an inline keyboard from rows of buttons, dropping empty rows."""
    return InlineKeyboard(tuple(tuple(row) for row in rows if row))


class Priority:
    """Outbox order: interactive replies ahead of notices, notices ahead of bulk broadcasts."""

    INTERACTIVE = 0
    NOTICE = 1
    BULK = 2


@dataclass(frozen=True, slots=True)
class Say:
    """Send a new message (with photos when given) to a chat."""

    chat_id: int
    text: Text
    keyboard: Keyboard | None = None
    photos: tuple[str, ...] = ()
    ref: str = ""  # a name for this message so a later Edit can find it (e.g. "card:12:group")
    priority: int = Priority.INTERACTIVE


@dataclass(frozen=True, slots=True)
class Edit:
    """Edit a message in place: the one with ``message_id``, or the last one sent under ``ref``."""

    chat_id: int
    text: Text
    keyboard: InlineKeyboard | None = None
    message_id: int | None = None
    ref: str = ""
    priority: int = Priority.INTERACTIVE


@dataclass(frozen=True, slots=True)
class Toast:
    """Answer a button tap (the small notice Telegram shows over the chat)."""

    callback_id: str
    user_id: int  # who tapped: the toast is in their language
    text: Text = ""
    alert: bool = False


@dataclass(frozen=True, slots=True)
class CommandMenu:
    """Set the "/" command menu Telegram shows in one chat (over the default menus)."""

    chat_id: int
    commands: tuple[tuple[str, Text], ...]
    priority: int = Priority.NOTICE


@dataclass(frozen=True, slots=True)
class Delete:
    """Delete a message the bot sent (Telegram allows it for 48 hours after sending)."""

    chat_id: int
    message_id: int
    priority: int = Priority.NOTICE


Outgoing = Say | Edit | Toast | Delete | CommandMenu


@dataclass(slots=True)
class Replies:
    """What a step wants said, collected in order."""

    items: list[Outgoing] = field(default_factory=list)

    def add(self, *items: Outgoing) -> None:
        self.items.extend(items)
