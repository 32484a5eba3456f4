"""Plain records the emulator keeps, and their Bot API JSON forms.

Bot API dicts are built once and cached where they are immutable (user, chat) because the
hot path (1,000+ updates/s in benchmarks) builds several of them per message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]
# The bot's own membership, as Telegram reports it in my_chat_member / getChatMember.
BotStatus = Literal["member", "administrator", "left", "kicked"]


def drop_none(value: Any) -> Any:
    """Remove null fields recursively: Telegram never sends them and PTB/aiogram omit them."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


@dataclass(slots=True)
class SimUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    phone: str | None = None
    is_bot: bool = False
    _json: JSON | None = field(default=None, repr=False)

    def to_api(self) -> JSON:
        """The Bot API ``User`` object (cached; treat as read-only)."""
        if self._json is None:
            data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
            if self.last_name:
                data["last_name"] = self.last_name
            if self.username:
                data["username"] = self.username
            if self.language_code:
                data["language_code"] = self.language_code
            self._json = data
        return self._json

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(slots=True)
class MessageRecord:
    """One message as stored: the Bot API dict plus what only the control API shows."""

    chat_id: int
    message_id: int
    sender_id: int
    from_bot: bool
    data: JSON  # current Bot API Message object
    # Reply keyboards, removals and force-replies are not part of Message in the Bot API,
    # so they live beside it for the web view and for pressing reply buttons.
    keyboard: JSON | None = None
    edits: list[JSON] = field(default_factory=list)  # earlier versions, oldest first
    deleted_date: int | None = None
    callback_answers: list[JSON] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.deleted_date is not None


@dataclass(slots=True)
class ChatState:
    id: int
    type: ChatType
    title: str
    api: JSON  # Bot API Chat object (cached)
    bot_status: BotStatus = "member"
    # True once the bot was removed by someone (so sends say "kicked"), False if it left.
    bot_removed: bool = False
    # Private chats only: the user pressed Start (or wrote) at least once.
    started: bool = False
    # user id -> "member" / "administrator" / "creator"
    members: dict[int, str] = field(default_factory=dict)
    messages: list[MessageRecord] = field(default_factory=list)  # index = message_id - 1
    reply_keyboard: JSON | None = None  # the ReplyKeyboardMarkup currently shown, if any
    version: int = 0  # bumped on every change, for long-polling readers of the history
    last_activity: float = 0.0
    _waiter: asyncio.Event | None = field(default=None, repr=False)

    @property
    def next_message_id(self) -> int:
        return len(self.messages) + 1

    def get_message(self, message_id: int) -> MessageRecord | None:
        if 1 <= message_id <= len(self.messages):
            return self.messages[message_id - 1]
        return None

    def last_message(self) -> MessageRecord | None:
        for record in reversed(self.messages):
            if not record.deleted:
                return record
        return None

    def bump(self, now: float) -> None:
        self.version += 1
        self.last_activity = now
        if self._waiter is not None:
            self._waiter.set()
            self._waiter = None

    async def wait_change(self, version: int, wait: float) -> None:
        """Return when ``self.version != version`` or after ``wait`` seconds."""
        if self.version != version or wait <= 0:
            return
        if self._waiter is None:
            self._waiter = asyncio.Event()
        waiter = self._waiter
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), wait)


@dataclass(slots=True)
class CallbackRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    date: int
    answered: bool = False
    answer: JSON | None = None

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "date": self.date,
            "answered": self.answered,
            "answer": self.answer,
        }


@dataclass(slots=True)
class Stats:
    """Counters for tests and benchmarks; ``to_json`` is what ``GET /control/stats`` shows."""

    sends: int = 0  # messages the bot successfully sent (a media group counts each item)
    too_many_requests: int = 0  # 429 responses given
    requests: int = 0  # every Bot API request
    methods: Counter[str] = field(default_factory=Counter)  # requests per method name
    errors: Counter[int] = field(default_factory=Counter)  # error responses per error_code
    updates: int = 0  # updates queued for the bot
    webhook_deliveries: int = 0  # webhook POSTs answered with 2xx
    webhook_failures: int = 0  # webhook POSTs that failed (each is resent later)

    def to_json(self) -> JSON:
        return {
            "sends": self.sends,
            "too_many_requests": self.too_many_requests,
            "requests": self.requests,
            "methods": dict(self.methods),
            "errors": {str(code): n for code, n in self.errors.items()},
            "updates": self.updates,
            "webhook_deliveries": self.webhook_deliveries,
            "webhook_failures": self.webhook_failures,
        }

    def clear(self) -> None:
        self.sends = self.too_many_requests = self.requests = self.updates = 0
        self.webhook_deliveries = self.webhook_failures = 0
        self.methods.clear()
        self.errors.clear()


def private_chat_api(user: SimUser) -> JSON:
    data: JSON = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    return data


def group_chat_api(chat_id: int, chat_type: ChatType, title: str) -> JSON:
    return {"id": chat_id, "type": chat_type, "title": title}


ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    # aiogram 3.31 requires this newer field; PTB keeps it in api_kwargs.
    "can_send_welcome_messages": False,
}


def chat_member_api(user: JSON, status: str) -> JSON:
    """A ChatMember object of the given status with every field strict clients require."""
    if status == "administrator":
        return {"status": status, "user": user, **ADMIN_RIGHTS}
    if status == "creator":
        return {"status": status, "user": user, "is_anonymous": False}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    return {"status": status, "user": user}
