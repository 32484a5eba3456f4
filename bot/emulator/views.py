"""Control-API JSON views of users, chats and messages (what tests and the web view read)."""

from __future__ import annotations

from .models import JSON, ChatState, MessageRecord, SimUser


def message_view(record: MessageRecord) -> JSON:
    """The Bot API message fields (minus the repeated ``chat``) plus emulator-only extras."""
    view = {k: v for k, v in record.data.items() if k != "chat"}
    view["chat_id"] = record.chat_id
    view["from_bot"] = record.from_bot
    if record.keyboard is not None:
        view["keyboard"] = record.keyboard
    # Copies: an event must not change later when the message is edited again.
    view["edits"] = list(record.edits)
    view["deleted"] = record.deleted
    if record.deleted_date is not None:
        view["deleted_date"] = record.deleted_date
    view["callback_answers"] = list(record.callback_answers)
    return view


def user_view(user: SimUser, chat: ChatState | None) -> JSON:
    data: JSON = {
        "id": user.id,
        "is_bot": user.is_bot,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "language_code": user.language_code,
        "phone": user.phone,
        "full_name": user.full_name,
    }
    if chat is not None:
        data["blocked_bot"] = chat.bot_status == "kicked"
        data["started_bot"] = chat.started
    return data


def chat_view(chat: ChatState, *, last_message: bool = True) -> JSON:
    data: JSON = {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "bot_status": chat.bot_status,
        "members": [{"user_id": uid, "status": status} for uid, status in chat.members.items()],
        "message_count": len(chat.messages),
        "version": chat.version,
        "last_activity": chat.last_activity,
        "reply_keyboard": chat.reply_keyboard,
    }
    if chat.type == "private":
        data["started"] = chat.started
    if last_message:
        last = chat.last_message()
        data["last_message"] = message_view(last) if last else None
    return data
