"""Telegram update → :class:`Event`, shared by both adapters.

aiogram's pydantic models and python-telegram-bot's classes both mirror the Bot API's field
names (``update.message.chat.id``, ``callback_query.data``, ``my_chat_member.new_chat_member``
…), so one duck-typed reader serves both and the two adapters cannot drift apart. Anything
this module does not recognise becomes ``None``: ignored, never an error.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from dialogs.events import ChatKind, Event, EventKind

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.S)
_GROUP_TYPES = frozenset({"group", "supergroup"})
# Content a person sent that the office cannot read; service messages are not in this list.
_UNREADABLE = ("sticker", "voice", "video", "video_note", "document", "animation", "audio",
               "poll", "dice", "game", "story", "paid_media", "invoice")
_PRESENT = frozenset({"member", "administrator", "creator"})


def chat_kind(chat: Any) -> ChatKind | None:
    """Private or group; channels and unknown chat types are not ours."""
    kind = str(getattr(chat, "type", ""))
    if kind == "private":
        return ChatKind.PRIVATE
    if kind in _GROUP_TYPES:
        return ChatKind.GROUP
    return None


def display_name(user: Any) -> str:
    """The user's name as Telegram shows it, or the @username, or nothing."""
    if user is None:
        return ""
    parts = (getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or "")
    name = " ".join(p for p in parts if p).strip()
    return name or (getattr(user, "username", "") or "")


def event_from_update(update: Any, bot_username: str = "") -> Event | None:
    """Read one update (aiogram or PTB object) as an Event; None if it is not for us."""
    key = f"u:{update.update_id}"
    if update.message is not None:
        return _from_message(key, update.message, bot_username)
    if update.edited_message is not None:
        return _from_edit(key, update.edited_message)
    if update.callback_query is not None:
        return _from_callback(key, update.callback_query)
    if update.my_chat_member is not None:
        return _from_membership(key, update.my_chat_member)
    return None


def _base(key: str, kind: EventKind, chat: Any, user: Any, chat_type: ChatKind,
          **fields: Any) -> Event:
    return Event(
        key=key, kind=kind, chat_id=int(chat.id), chat_kind=chat_type,
        user_id=int(user.id) if user is not None else 0,
        user_name=display_name(user),
        language_code=getattr(user, "language_code", None) if user is not None else None,
        chat_title=(getattr(chat, "title", None) or "") if chat_type is ChatKind.GROUP else "",
        **fields,
    )


def _person_and_chat(message: Any) -> tuple[Any, ChatKind] | None:
    """Who wrote *message* and in what kind of chat; None for bots and channels."""
    chat_type = chat_kind(message.chat)
    user = message.from_user
    if chat_type is None or (user is not None and user.is_bot):
        return None
    return user, chat_type


def _from_message(key: str, message: Any, bot_username: str) -> Event | None:
    writer = _person_and_chat(message)
    if writer is None:
        return None
    user, chat_type = writer
    event = _read_message(key, message, chat_type, user, bot_username)
    # Someone else's words or photo passed on: the office asks before filing them as the
    # sender's own report.
    if event is not None and getattr(message, "forward_origin", None) is not None:
        return dataclasses.replace(event, forwarded=True)
    return event


def _from_edit(key: str, message: Any) -> Event | None:
    """A text or caption its sender changed: heard as an edit, never as a new message."""
    writer = _person_and_chat(message)
    text = message.text if message.text is not None else message.caption
    if writer is None or text is None:
        return None  # a bot's, a channel's, or a moved live location: nothing for us
    user, chat_type = writer
    return _base(key, EventKind.EDITED, message.chat, user, chat_type, text=text,
                 message_id=message.message_id, sent_at=message.date)


def _read_message(key: str, message: Any, chat_type: ChatKind, user: Any,
                  bot_username: str) -> Event | None:
    chat, text = message.chat, message.text
    if text is not None:
        return _from_text(key, chat, user, chat_type, text, message.message_id, bot_username)
    caption = message.caption or ""
    if message.photo:
        # Telegram lists the sizes smallest first; the last is the original resolution.
        return _base(key, EventKind.PHOTO, chat, user, chat_type, text=caption,
                     photo_file_ids=(message.photo[-1].file_id,),
                     album=message.media_group_id or "", message_id=message.message_id)
    if message.contact is not None:
        contact = message.contact
        return _base(key, EventKind.CONTACT, chat, user, chat_type,
                     contact_phone=contact.phone_number or "",
                     contact_user_id=contact.user_id, message_id=message.message_id)
    if message.location is not None:
        return _base(key, EventKind.LOCATION, chat, user, chat_type,
                     latitude=float(message.location.latitude),
                     longitude=float(message.location.longitude),
                     message_id=message.message_id)
    if any(getattr(message, name, None) for name in _UNREADABLE):
        return _base(key, EventKind.UNSUPPORTED, chat, user, chat_type, text=caption,
                     message_id=message.message_id)
    # Service messages (members joined, title changed, pinned, migrated …) say nothing to us;
    # joins and removals of the bot itself arrive as my_chat_member.
    return None


def _from_text(key: str, chat: Any, user: Any, chat_type: ChatKind, text: str,
               message_id: int, bot_username: str) -> Event | None:
    match = _COMMAND.match(text.strip())
    if match is None:
        return _base(key, EventKind.TEXT, chat, user, chat_type, text=text,
                     message_id=message_id)
    command, addressee, args = match.group(1), match.group(2), match.group(3) or ""
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None  # "/help@OtherBot" in a shared group is not for us
    return _base(key, EventKind.COMMAND, chat, user, chat_type, command=command.lower(),
                 text=args.strip(), message_id=message_id)


def _from_callback(key: str, query: Any) -> Event | None:
    message = query.message
    if message is None:
        return None  # a button on an inline-mode message: we never send those
    chat_type = chat_kind(message.chat)
    if chat_type is None:
        return None
    return _base(key, EventKind.BUTTON, message.chat, query.from_user, chat_type,
                 button_data=query.data or "", callback_id=str(query.id),
                 message_id=message.message_id)


def _is_present(member: Any) -> bool:
    status = str(member.status)
    if status == "restricted":
        return bool(getattr(member, "is_member", False))
    return status in _PRESENT


def _from_membership(key: str, change: Any) -> Event | None:
    chat_type = chat_kind(change.chat)
    if chat_type is None:
        return None
    was, now = _is_present(change.old_chat_member), _is_present(change.new_chat_member)
    if chat_type is ChatKind.PRIVATE:
        # In a private chat "kicked" means the user blocked the bot; "member" means unblocked.
        if was and not now:
            kind = EventKind.USER_BLOCKED_BOT
        elif now and not was:
            kind = EventKind.USER_UNBLOCKED_BOT
        else:
            return None
    elif now and not was:
        kind = EventKind.BOT_ADDED
    elif was and not now:
        kind = EventKind.BOT_REMOVED
    else:
        return None  # promoted, demoted, permissions changed: nothing for the office
    return _base(key, kind, change.chat, change.from_user, chat_type)
