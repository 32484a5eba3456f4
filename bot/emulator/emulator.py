"""``Emulator``: the state plus what simulated people do (write, press, share, block...) and
what the bot's sends do to the world (reply keyboards shown, messages stored, limits counted).

Every user action returns the stored message(s) and the update_id it produced (None when the
bot would not see it: bot not in the group, privacy mode, or excluded by allowed_updates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ControlError
from .files import make_png
from .markup import find_inline_button, find_reply_button
from .models import (
    JSON,
    BotStatus,
    CallbackRecord,
    ChatState,
    ChatType,
    MessageRecord,
    SimUser,
    chat_member_api,
)
from .state import EmulatorState
from .textparse import detect_entities
from .views import message_view


@dataclass
class Sent:
    """Result of a simulated user action."""

    messages: list[MessageRecord] = field(default_factory=list)
    update_ids: list[int | None] = field(default_factory=list)

    @property
    def message(self) -> MessageRecord:
        return self.messages[0]

    @property
    def update_id(self) -> int | None:
        return self.update_ids[0] if self.update_ids else None

    def to_json(self) -> JSON:
        return {
            "message": message_view(self.messages[0]) if self.messages else None,
            "messages": [message_view(m) for m in self.messages],
            "update_id": self.update_id,
            "update_ids": self.update_ids,
        }


def _reply_payload(record: MessageRecord) -> JSON:
    # Telegram nests one level only: the replied-to message carries no reply_to_message.
    return {k: v for k, v in record.data.items() if k != "reply_to_message"}


class Emulator(EmulatorState):
    # ------------------------------------------------------------ bot side

    def bot_send(
        self,
        chat: ChatState,
        content: JSON,
        *,
        markup: JSON | None = None,
        reply_to: MessageRecord | None = None,
        count_as: int = 1,
    ) -> MessageRecord:
        """Store a message from the bot (checks already done by the Bot API layer)."""
        keyboard: JSON | None = None
        if markup is not None:
            if "inline_keyboard" in markup:
                # Only inline keyboards are part of the Message object clients parse.
                content["reply_markup"] = markup
            else:
                keyboard = markup
                if "keyboard" in markup:
                    chat.reply_keyboard = markup
                elif markup.get("remove_keyboard"):
                    chat.reply_keyboard = None
        if reply_to is not None:
            content["reply_to_message"] = _reply_payload(reply_to)
        record = self.add_message(chat, self.bot, content, keyboard=keyboard)
        if count_as:
            self.count_sent(chat, count_as)
        return record

    def reply_target(self, chat: ChatState, message_id: int | None) -> MessageRecord | None:
        return None if message_id is None else self.find_message(chat, message_id)

    # ------------------------------------------------------------ chats

    def _user_chat(self, user: SimUser, chat_id: int | None) -> ChatState:
        if chat_id is None or chat_id == user.id:
            chat = self.chats[user.id]
            if chat.bot_status == "kicked":
                raise ControlError(409, "the user has blocked the bot; unblock first")
            return chat
        group = self.chats.get(chat_id)
        if group is None:
            raise ControlError(404, f"no chat {chat_id}")
        if user.id not in group.members:
            raise ControlError(403, f"user {user.id} is not a member of chat {chat_id}")
        return group

    def known_user(self, user_id: int) -> SimUser:
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(404, f"no user {user_id}")
        return user

    def _group(self, chat_id: int) -> ChatState:
        chat = self.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ControlError(404, f"no group {chat_id}")
        return chat

    def create_group(
        self,
        title: str,
        member_ids: list[int],
        *,
        chat_type: ChatType = "group",
        add_bot: bool = True,
        added_by: int | None = None,
        bot_admin: bool = False,
    ) -> ChatState:
        for uid in member_ids:
            self.known_user(uid)
        chat = self.new_group(title, member_ids, chat_type)
        if add_bot:
            adder = added_by if added_by is not None else (member_ids[0] if member_ids else None)
            if adder is None:
                raise ControlError(400, "a group needs a member to add the bot")
            self.add_bot(chat.id, adder, admin=bot_admin)
        return chat

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> ChatState:
        chat = self._group(chat_id)
        self.known_user(user_id)
        chat.members[user_id] = status
        chat.bump(self.now())
        self.publish("chat_updated", chat_id=chat.id, members=dict(chat.members))
        return chat

    def _bot_membership(self, chat: ChatState, by: SimUser, new_status: BotStatus) -> int | None:
        old_status = chat.bot_status
        if old_status == new_status:
            return None
        bot = self.bot.to_api()
        payload = {
            "chat": chat.api,
            "from": by.to_api(),
            "date": int(self.now()),
            "old_chat_member": chat_member_api(bot, old_status),
            "new_chat_member": chat_member_api(bot, new_status),
        }
        chat.bot_status = new_status
        chat.bump(self.now())
        self.publish("bot_status", chat_id=chat.id, old=old_status, new=new_status, by=by.id)
        return self.enqueue_update("my_chat_member", payload)

    def add_bot(self, chat_id: int, by_user_id: int, *, admin: bool = False) -> int | None:
        chat = self._group(chat_id)
        user = self.known_user(by_user_id)
        if by_user_id not in chat.members:
            raise ControlError(403, f"user {by_user_id} is not a member of chat {chat_id}")
        chat.bot_removed = False
        return self._bot_membership(chat, user, "administrator" if admin else "member")

    def remove_bot(self, chat_id: int, by_user_id: int, *, ban: bool = False) -> int | None:
        chat = self._group(chat_id)
        user = self.known_user(by_user_id)
        chat.bot_removed = True
        # A basic group reports "left" for a removed bot; banning (supergroups) says "kicked".
        return self._bot_membership(chat, user, "kicked" if ban else "left")

    def bot_leaves(self, chat: ChatState) -> int | None:
        chat.bot_removed = False
        return self._bot_membership(chat, self.bot, "left")

    def block_bot(self, user_id: int) -> int | None:
        user = self.known_user(user_id)
        return self._bot_membership(self.chats[user.id], user, "kicked")

    def unblock_bot(self, user_id: int) -> int | None:
        user = self.known_user(user_id)
        return self._bot_membership(self.chats[user.id], user, "member")

    # ------------------------------------------------------------ user messages

    def _bot_sees(self, chat: ChatState, record: MessageRecord) -> bool:
        if chat.type == "private":
            return chat.bot_status != "kicked"
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.group_privacy or chat.bot_status == "administrator":
            return True
        data = record.data
        text = data.get("text", "")
        replied = data.get("reply_to_message", {}).get("from", {}).get("id")
        return text.startswith("/") or replied == self.bot.id or (f"@{self.bot.username}" in text)

    def _user_post(
        self, user: SimUser, chat: ChatState, content: JSON, reply_to: int | None = None
    ) -> tuple[MessageRecord, int | None]:
        if reply_to is not None:
            target = self.find_message(chat, reply_to)
            if target is None:
                raise ControlError(404, f"no message {reply_to} in chat {chat.id}")
            content["reply_to_message"] = _reply_payload(target)
        if chat.type == "private":
            chat.started = True
        record = self.add_message(chat, user, content)
        update_id = None
        if self._bot_sees(chat, record):
            update_id = self.enqueue_update("message", record.data)
        return record, update_id

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        forwarded_from: str | None = None,
    ) -> Sent:
        """A message the user typed, or (*forwarded_from* a name) one they forwarded: it
        carries ``forward_origin`` as from a user who hides their account."""
        if not text:
            raise ControlError(400, "text is empty")
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        content: JSON = {"text": text, **self._forwarded(forwarded_from)}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        record, update_id = self._user_post(user, chat, content, reply_to_message_id)
        return Sent([record], [update_id])

    def _forwarded(self, origin: str | None) -> JSON:
        """``forward_origin`` as from a user who hides their account, if *origin* is a name."""
        if not origin:
            return {}
        return {"forward_origin": {"type": "hidden_user", "date": int(self.now()),
                                   "sender_user_name": origin}}

    def send_contact(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        phone_number: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        own: bool | None = None,
    ) -> Sent:
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        own = phone_number is None if own is None else own
        if own:
            phone = phone_number or user.phone
            if not phone:
                raise ControlError(400, f"user {user_id} has no phone; pass phone_number")
            contact: JSON = {
                "phone_number": phone,
                "first_name": user.first_name,
                "user_id": user.id,
            }
            if user.last_name:
                contact["last_name"] = user.last_name
        else:
            if not phone_number:
                raise ControlError(400, "phone_number is required for someone else's contact")
            # Someone else's contact card carries no user_id: it is just what was typed.
            contact = {"phone_number": phone_number, "first_name": first_name or "Contact"}
            if last_name:
                contact["last_name"] = last_name
        record, update_id = self._user_post(user, chat, {"contact": contact})
        return Sent([record], [update_id])

    def send_location(
        self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> Sent:
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        record, update_id = self._user_post(user, chat, {"location": location})
        return Sent([record], [update_id])

    def send_photos(
        self,
        user_id: int,
        *,
        count: int = 1,
        caption: str | None = None,
        chat_id: int | None = None,
        contents: list[bytes] | None = None,
        forwarded_from: str | None = None,
    ) -> Sent:
        """Send ``count`` photos (an album when more than one), generating small PNGs; with
        *forwarded_from* (a name) they are forwarded, someone else's."""
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        images = contents or [make_png(seed=len(self.files.by_id) + i) for i in range(count)]
        if not 1 <= len(images) <= 10:
            raise ControlError(400, "an album holds 1 to 10 photos")
        group_id = self.new_media_group_id() if len(images) > 1 else None
        sent = Sent()
        for i, image in enumerate(images):
            sizes = self.files.add_photo(image)
            content: JSON = {"photo": [s.to_photo_size() for s in sizes],
                             **self._forwarded(forwarded_from)}
            if group_id:
                content["media_group_id"] = group_id
            if caption and i == 0:
                content["caption"] = caption
                entities = detect_entities(caption)
                if entities:
                    content["caption_entities"] = entities
            record, update_id = self._user_post(user, chat, content)
            sent.messages.append(record)
            sent.update_ids.append(update_id)
        return sent

    def send_document(
        self,
        user_id: int,
        content: bytes,
        *,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> Sent:
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        stored = self.files.add("document", content, mime_type=mime_type, file_name=file_name)
        body: JSON = {"document": stored.to_document()}
        if caption:
            body["caption"] = caption
        record, update_id = self._user_post(user, chat, body)
        return Sent([record], [update_id])

    def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> Sent:
        """The user edits the text (or a photo's caption) of a message they sent: the chat
        shows the new words and the bot gets an ``edited_message`` update, as from Telegram."""
        if not text:
            raise ControlError(400, "text is empty")
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        record = self.find_message(chat, message_id)
        if record is None or record.from_bot or record.sender_id != user.id:
            raise ControlError(404, f"no message {message_id} by user {user.id} in chat {chat.id}")
        if "text" in record.data:
            words, marks = "text", "entities"
        elif "photo" in record.data or "caption" in record.data:
            words, marks = "caption", "caption_entities"
        else:
            raise ControlError(400, f"message {message_id} has no text or caption to edit")
        self.edit_message(record, {words: text, marks: detect_entities(text) or None})
        update_id = None
        if self._bot_sees(chat, record):
            update_id = self.enqueue_update("edited_message", dict(record.data))
        return Sent([record], [update_id])

    # ------------------------------------------------------------ buttons

    def press_button(
        self,
        user_id: int,
        *,
        message_id: int | None = None,
        callback_data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
    ) -> tuple[CallbackRecord, int | None]:
        """Press an inline button (by callback_data or label); the latest match if no id."""
        if callback_data is None and text is None:
            raise ControlError(400, "give callback_data or text of the button")
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        record, button = self._find_button(chat, message_id, callback_data, text)
        if "callback_data" not in button:
            raise ControlError(400, f"button {button.get('text')!r} has no callback_data")
        callback = CallbackRecord(
            id=self.new_callback_id(),
            user_id=user.id,
            chat_id=chat.id,
            message_id=record.message_id,
            data=button["callback_data"],
            date=int(self.now()),
        )
        self.callbacks[callback.id] = callback
        payload = {
            "id": callback.id,
            "from": user.to_api(),
            "message": record.data,
            "chat_instance": str(abs(chat.id) * 7919 + 13),
            "data": callback.data,
        }
        self.publish(
            "callback_query",
            chat_id=chat.id,
            message_id=record.message_id,
            callback=callback.to_json(),
            button_text=button.get("text"),
        )
        return callback, self.enqueue_update("callback_query", payload)

    def _find_button(
        self, chat: ChatState, message_id: int | None, data: str | None, text: str | None
    ) -> tuple[MessageRecord, JSON]:
        if message_id is not None:
            candidates = [chat.get_message(message_id)]
        else:
            candidates = list(reversed(chat.messages[-200:]))  # recent messages only
        for record in candidates:
            if record is None or record.deleted or not record.from_bot:
                continue
            button = find_inline_button(
                record.data.get("reply_markup"), callback_data=data, text=text
            )
            if button is not None:
                return record, button
        where = f"message {message_id}" if message_id is not None else f"chat {chat.id}"
        raise ControlError(404, f"no inline button {data or text!r} in {where}")

    def press_reply_button(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Sent:
        """Tap a button of the reply keyboard the bot is currently showing."""
        user = self.known_user(user_id)
        chat = self._user_chat(user, chat_id)
        keyboard = chat.reply_keyboard
        button = find_reply_button(keyboard, text)
        if keyboard is None or button is None:
            raise ControlError(404, f"no reply keyboard button {text!r} in chat {chat.id}")
        if keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None
        if button.get("request_contact"):
            return self.send_contact(user_id, chat_id=chat_id, own=True)
        if button.get("request_location"):
            if latitude is None or longitude is None:
                raise ControlError(400, "this button shares a location: give latitude/longitude")
            return self.send_location(user_id, latitude, longitude, chat_id=chat_id)
        return self.send_text(user_id, text, chat_id=chat_id)
