"""What the runtime and the outbox sender need from a Telegram framework, stated neutrally.

Each adapter (aiogram, python-telegram-bot) implements :class:`Transport` with its own ``Bot``
object and maps its own exceptions onto the :class:`DeliveryError` family below, so the
sender's policy (limits, retries, 403 handling) is written once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

# The outbox's neutral keyboard JSON: {"inline": [[{"text", "data"}]]} |
# {"reply": [[{"text", "contact"}]], "one_time": bool} | {"remove": true}.
KeyboardJson = Mapping[str, Any]
# All private chats, all groups, or one chat by its id (a staff member's, a bound group).
CommandScope = Literal["private", "group"] | int


# Telegram refuses a menu whose command descriptions are longer than this.
MENU_DESCRIPTION_LIMIT = 256


def menu_entries(commands: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """A command menu as Telegram takes it: each description cut to the limit."""
    return [(name, text[:MENU_DESCRIPTION_LIMIT]) for name, text in commands]


def reply_markup(keyboard: KeyboardJson | None) -> dict[str, Any] | None:
    """The Bot API's reply_markup, as JSON, from the outbox's neutral keyboard JSON."""
    if not keyboard:
        return None
    if keyboard.get("remove"):
        return {"remove_keyboard": True}
    if "inline" in keyboard:
        if not keyboard["inline"]:
            return None  # no buttons: an edit without reply_markup removes the old ones
        return {"inline_keyboard": [[{"text": b["text"], "callback_data": b["data"]}
                                     for b in row] for row in keyboard["inline"]]}
    return {"keyboard": [[{"text": b["text"], "request_contact": bool(b.get("contact"))}
                          for b in row] for row in keyboard.get("reply", [])],
            "resize_keyboard": True, "one_time_keyboard": bool(keyboard.get("one_time", True))}


def edit_markup(keyboard: KeyboardJson | None) -> dict[str, Any] | None:
    """The reply_markup an edit may carry: inline buttons only (the only kind Telegram lets an
    edit take); None otherwise, which leaves it out of the request."""
    keys = reply_markup(keyboard)
    return keys if keys is not None and "inline_keyboard" in keys else None


class DeliveryError(Exception):
    """A Bot API call did not do what was asked; the subclass says what to do next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:400]


class RetryAfter(DeliveryError):
    """429: Telegram asks for silence towards this chat for ``seconds``."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        super().__init__(reason or f"429 retry after {seconds:g}")
        self.seconds = max(0.0, seconds)


class Transient(DeliveryError):
    """5xx, timeout or network trouble: the same request may succeed later."""


class Blocked(DeliveryError):
    """403: the user blocked the bot, or the bot is no longer in the group."""


class Rejected(DeliveryError):
    """400 and friends: this request will never succeed as it is."""


class NotModified(DeliveryError):
    """An edit that would change nothing; Telegram has what we wanted, so it counts as sent."""


class Migrated(DeliveryError):
    """The group became a supergroup with a new chat id; resend there."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class TokenRejected(Exception):
    """getMe answered 401: the Bot API does not know this token (retrying cannot help)."""


class Unreachable(Exception):
    """getMe got no proper answer: no network, nothing listening, not a Bot API, 5xx."""


class Transport(Protocol):
    """The handful of Bot API calls the outbox needs."""

    async def send_text(self, chat_id: int, text: str,
                        keyboard: KeyboardJson | None) -> int: ...

    async def send_photo(self, chat_id: int, file_id: str, caption: str,
                         keyboard: KeyboardJson | None) -> int: ...

    async def send_album(self, chat_id: int, file_ids: Sequence[str],
                         caption: str) -> list[int]: ...

    async def edit_text(self, chat_id: int, message_id: int, text: str,
                        keyboard: KeyboardJson | None) -> None: ...

    async def delete_message(self, chat_id: int, message_id: int) -> None: ...

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None: ...

    async def set_commands(self, commands: Sequence[tuple[str, str]], scope: CommandScope,
                           language_code: str | None) -> None: ...


class Adapter(Protocol):
    """A framework's way of receiving updates, plus its :class:`Transport` for sending."""

    name: str
    transport: Transport

    async def start(self) -> None:
        """Open the HTTP session and learn the bot's own identity (getMe).

        Raises :class:`TokenRejected` or :class:`Unreachable`; may be called again after
        either.
        """

    async def run_polling(self, stop: asyncio.Event) -> None:
        """Long-poll until *stop* is set; confirm updates only after they are committed."""

    async def set_webhook(self, url: str, secret: str) -> None:
        """Ask the Bot API to push updates to *url* with *secret* in a header."""

    async def feed_webhook(self, data: dict[str, Any]) -> bool:
        """Process one pushed update; True once it is committed (or safely ignored)."""

    async def close(self) -> None:
        """Close the HTTP session."""


INTAKE_UPDATE_TYPES: tuple[str, ...] = ("message", "edited_message", "callback_query",
                                        "my_chat_member")
"""The update types both adapters ask for; everything else is ignored."""
