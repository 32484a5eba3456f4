"""The emulator's world: bot identity, users, chats, messages, the update queue, commands.

Everything here is plain in-memory state driven from one asyncio loop (the aiohttp server's),
so there is no locking. Simulated-user actions live in ``emulator.py``; the HTTP layers in
``bot_api.py`` / ``control_api.py`` only translate requests into calls on this object.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import errors as E
from .errors import ApiError, bad_request, forbidden
from .events import EventBus, Subscription
from .files import FileStore
from .models import (
    JSON,
    CallbackRecord,
    ChatState,
    ChatType,
    MessageRecord,
    SimUser,
    Stats,
    group_chat_api,
    private_chat_api,
)
from .ratelimit import RateLimiter, RateLimits
from .views import chat_view, message_view, user_view

if TYPE_CHECKING:
    from .webhook import WebhookDelivery

# Telegram's default when allowed_updates was never given: everything but these.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_BOT_ID = 7_000_000_001


class EmulatorState:
    def __init__(
        self,
        *,
        token: str | None = None,
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.time,
        bot_username: str = "frontline_test_bot",
        bot_first_name: str = "Frontline",
        group_privacy: bool = False,
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0),
    ) -> None:
        self.token = token
        self.clock = clock
        prefix = token.split(":", 1)[0] if token else ""
        self.bot = SimUser(
            id=int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID,
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        # In privacy mode a bot in a group sees only commands and replies to itself.
        self.group_privacy = group_privacy
        self.webhook_retry_delays = webhook_retry_delays
        self.rate_limits = rate_limits
        self.limiter = RateLimiter(rate_limits) if rate_limits else None
        self.stats = Stats()
        self.bus = EventBus()
        self.files = FileStore()
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_button: JSON = {"type": "commands"}
        self.bot_profile: dict[str, str] = {}  # name / description / short_description
        self.allowed_updates: list[str] | None = None
        self.webhook: WebhookDelivery | None = None
        self.closing = False
        # Ids are never reused, even across reset(): a bot's database outlives a reset.
        self._next_update_id = 100_001
        self._next_user_id = 1_000_001
        self._next_group = 1
        self._next_callback = 1
        self._next_media_group = 1
        self._pending: dict[int, JSON] = {}
        self._order: deque[int] = deque()
        self._update_waiter: asyncio.Event | None = None
        self._poll_generation = 0

    # ------------------------------------------------------------ time, events

    def now(self) -> float:
        return self.clock()

    def publish(self, kind: str, **fields: Any) -> JSON:
        return self.bus.publish({"type": kind, "date": self.now(), **fields})

    def subscribe(self, since: int | None = None) -> Subscription:
        """In-process live event feed (same events as ``GET /control/stream``)."""
        return self.bus.subscribe(since)

    # ------------------------------------------------------------ users and chats

    def create_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone: str | None = None,
        started: bool = False,
        user_id: int | None = None,
    ) -> SimUser:
        """A simulated person; ``user_id`` pins the id (e.g. a staff id in the bot's config)."""
        if user_id is not None and (user_id <= 0 or user_id in self.users):
            raise bad_request(f"user id {user_id} is invalid or taken")
        while user_id is None and self._next_user_id in self.users:
            self._next_user_id += 1  # skip ids pinned by earlier calls
        user = SimUser(
            id=user_id if user_id is not None else self._next_user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone=phone,
        )
        if user_id is None:
            self._next_user_id += 1
        self.users[user.id] = user
        # A private chat's id is the user's id; it exists from the start so that the bot's
        # attempts to write first fail the way Telegram fails them.
        chat = ChatState(
            id=user.id,
            type="private",
            title=user.full_name,
            api=private_chat_api(user),
            started=started,
            last_activity=self.now(),
        )
        chat.members[user.id] = "member"
        self.chats[chat.id] = chat
        self.publish("user_created", user=self.user_json(user))
        self.publish("chat_created", chat=chat_view(chat))
        return user

    def new_group(self, title: str, member_ids: Iterable[int], chat_type: ChatType) -> ChatState:
        seq = self._next_group
        self._next_group += 1
        chat_id = -(1_001_000_000_000 + seq) if chat_type == "supergroup" else -(4_000_000 + seq)
        chat = ChatState(
            id=chat_id,
            type=chat_type,
            title=title,
            api=group_chat_api(chat_id, chat_type, title),
            bot_status="left",
            last_activity=self.now(),
        )
        for i, uid in enumerate(member_ids):
            self.require_user(uid)
            chat.members[uid] = "creator" if i == 0 else "member"
        self.chats[chat_id] = chat
        self.publish("chat_created", chat=chat_view(chat))
        return chat

    def require_user(self, user_id: int) -> SimUser:
        user = self.users.get(user_id)
        if user is None:
            raise bad_request(E.USER_NOT_FOUND)
        return user

    def user_json(self, user: SimUser) -> JSON:
        return user_view(user, self.chats.get(user.id))

    def lookup_chat(self, chat_id: Any) -> ChatState:
        """Resolve a Bot API ``chat_id`` (int, numeric string or @username)."""
        chat: ChatState | None = None
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat = self.chats.get(int(chat_id))
        if chat is None:
            raise bad_request(E.CHAT_NOT_FOUND)
        return chat

    def check_can_write(self, chat: ChatState) -> None:
        """Raise the 403 Telegram gives when the bot may not post in ``chat``."""
        if chat.type == "private":
            if chat.bot_status == "kicked":
                raise forbidden(E.BOT_BLOCKED)
            if not chat.started:
                raise forbidden(E.BOT_CANT_INITIATE)
            return
        if chat.bot_status in ("left", "kicked"):
            supergroup = chat.type == "supergroup"
            if chat.bot_removed or chat.bot_status == "kicked":
                raise forbidden(E.BOT_KICKED_SUPERGROUP if supergroup else E.BOT_KICKED_GROUP)
            raise forbidden(E.BOT_NOT_MEMBER_SUPERGROUP if supergroup else E.BOT_NOT_MEMBER)

    def check_rate_limit(self, chat: ChatState) -> None:
        if self.limiter is None:
            return
        wait = self.limiter.retry_after(chat.id, chat.type == "private", self.now())
        if wait is not None:
            self.stats.too_many_requests += 1
            raise E.too_many_requests(wait)

    def count_sent(self, chat: ChatState, count: int = 1) -> None:
        self.stats.sends += count
        if self.limiter is not None:
            self.limiter.record(chat.id, chat.type == "private", self.now(), count)

    # ------------------------------------------------------------ messages

    def add_message(
        self, chat: ChatState, sender: SimUser, content: JSON, *, keyboard: JSON | None = None
    ) -> MessageRecord:
        now = self.now()
        data: JSON = {
            "message_id": chat.next_message_id,
            "from": sender.to_api(),
            "chat": chat.api,
            "date": int(now),
        }
        data.update(content)
        record = MessageRecord(
            chat.id, data["message_id"], sender.id, sender.is_bot, data, keyboard
        )
        chat.messages.append(record)
        chat.bump(now)
        self.publish("message", chat_id=chat.id, message=message_view(record))
        return record

    def edit_message(self, record: MessageRecord, changes: JSON) -> None:
        """Apply ``changes`` (None removes a field), keeping the old version in ``edits``."""
        data = record.data
        old: JSON = {"date": data.get("edit_date", data["date"])}
        for key in ("text", "entities", "caption", "caption_entities", "reply_markup"):
            if key in data:
                old[key] = data[key]
        record.edits.append(old)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        now = self.now()
        data["edit_date"] = int(now)
        chat = self.chats[record.chat_id]
        chat.bump(now)
        self.publish("message_edited", chat_id=chat.id, message=message_view(record))

    def delete_message(self, record: MessageRecord) -> None:
        now = self.now()
        record.deleted_date = int(now)
        chat = self.chats[record.chat_id]
        chat.bump(now)
        self.publish("message_deleted", chat_id=chat.id, message_id=record.message_id)

    def find_message(self, chat: ChatState, message_id: int) -> MessageRecord | None:
        record = chat.get_message(message_id)
        return None if record is None or record.deleted else record

    def new_media_group_id(self) -> str:
        self._next_media_group += 1
        return str(13_000_000_000_000_000 + self._next_media_group)

    def new_callback_id(self) -> str:
        # Telegram's ids are long decimal strings; keep that shape, unique per instance.
        value = f"{self.bot.id % 10**6}{self._next_callback:012d}"
        self._next_callback += 1
        return value

    # ------------------------------------------------------------ updates

    def update_wanted(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN_UPDATES

    def enqueue_update(self, kind: str, payload: JSON) -> int | None:
        """Queue an update for the bot; None if the bot's allowed_updates exclude it."""
        if not self.update_wanted(kind):
            return None
        update_id = self._next_update_id
        self._next_update_id += 1
        self._pending[update_id] = {"update_id": update_id, kind: payload}
        self._order.append(update_id)
        self.stats.updates += 1
        self.wake_pollers()
        if self.webhook is not None:
            self.webhook.notify(update_id)
        return update_id

    def pending_update(self, update_id: int) -> JSON | None:
        return self._pending.get(update_id)

    @property
    def pending_update_count(self) -> int:
        return len(self._pending)

    def pending_updates(self) -> list[JSON]:
        return [self._pending[u] for u in self._order if u in self._pending]

    def ack_update(self, update_id: int) -> None:
        self._pending.pop(update_id, None)
        order = self._order
        while order and order[0] not in self._pending:
            order.popleft()

    def drop_pending_updates(self) -> None:
        self._pending.clear()
        self._order.clear()

    def wake_pollers(self) -> None:
        if self._update_waiter is not None:
            self._update_waiter.set()
            self._update_waiter = None

    def _confirm(self, offset: int) -> None:
        order, pending = self._order, self._pending
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            while len(pending) > -offset and order:
                pending.pop(order.popleft(), None)
            return
        while order and order[0] < offset:
            pending.pop(order.popleft(), None)

    def _take(self, limit: int) -> list[JSON]:
        result: list[JSON] = []
        for update_id in self._order:
            update = self._pending.get(update_id)
            if update is not None:
                result.append(update)
                if len(result) >= limit:
                    break
        return result

    async def get_updates(
        self, offset: int | None, limit: int, poll_seconds: float, allowed: list[str] | None
    ) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, E.WEBHOOK_ACTIVE)
        if allowed is not None:
            self.allowed_updates = allowed or None
        self._poll_generation += 1
        generation = self._poll_generation
        self.wake_pollers()  # an older long poll still waiting is now superseded
        if offset:
            self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll_seconds
        while True:
            result = self._take(limit)
            remaining = deadline - loop.time()
            if result or remaining <= 0 or self.closing:
                return result
            if self._update_waiter is None:
                self._update_waiter = asyncio.Event()
            waiter = self._update_waiter
            try:
                await asyncio.wait_for(waiter.wait(), remaining)
            except TimeoutError:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, E.POLL_TERMINATED)
            if self.webhook is not None:
                raise ApiError(409, E.WEBHOOK_ACTIVE)

    # ------------------------------------------------------------ commands

    @staticmethod
    def scope_key(scope: JSON | None) -> str:
        scope = scope or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        clean = {
            k: (int(v) if k in ("chat_id", "user_id") and str(v).lstrip("-").isdigit() else v)
            for k, v in scope.items()
            if v is not None
        }
        return json.dumps(clean, sort_keys=True, separators=(",", ":"))

    def set_commands(self, scope: JSON | None, language: str, commands: list[JSON] | None) -> None:
        key = (self.scope_key(scope), language)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        self.publish(
            "commands_changed",
            scope=json.loads(key[0]),
            language_code=language,
            commands=commands or [],
        )

    def effective_commands(self, chat_id: int, user_id: int | None, language: str) -> list[JSON]:
        """What a Telegram client would show in the menu, following the documented fallback."""
        chat = self.chats.get(chat_id)
        scopes: list[JSON] = []
        if chat is not None and chat.type != "private":
            status = chat.members.get(user_id or 0, "")
            admin = status in ("administrator", "creator")
            if user_id is not None:
                scopes.append({"type": "chat_member", "chat_id": chat_id, "user_id": user_id})
            if admin:
                scopes.append({"type": "chat_administrators", "chat_id": chat_id})
            scopes.append({"type": "chat", "chat_id": chat_id})
            if admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        else:
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        scopes.append({"type": "default"})
        for scope in scopes:
            key = self.scope_key(scope)
            for lang in (language, ""):
                found = self.commands.get((key, lang))
                if found is not None:
                    return found
        return []

    # ------------------------------------------------------------ lifecycle

    def reset(self) -> None:
        """Forget the simulated world; keep bot configuration (webhook, commands, limits)."""
        self.users.clear()
        self.chats.clear()
        self.callbacks.clear()
        self.files.clear()
        self.drop_pending_updates()
        self.stats.clear()
        if self.limiter is not None:
            self.limiter = RateLimiter(self.limiter.limits)
        self.publish("reset")

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        self.rate_limits = limits
        self.limiter = RateLimiter(limits) if limits else None

    def history(self, chat: ChatState, after: int = 0, limit: int | None = None) -> list[JSON]:
        # message_id == index + 1, so "after" is a slice, not a scan.
        records = chat.messages[max(0, after) :]
        if limit is not None:
            records = records[:limit]
        return [message_view(r) for r in records]
