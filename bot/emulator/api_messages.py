"""Bot API: sending, editing and deleting messages; callback answers; media."""

from __future__ import annotations

from typing import Any

from . import errors as E
from .emulator import Emulator
from .errors import bad_request
from .files import FileRecord, make_png
from .markup import normalize_markup
from .models import JSON, ChatState, MessageRecord, drop_none
from .params import Params, Upload
from .registry import method
from .textparse import parse_formatted, utf16_len

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DELETE_WITHIN = 48 * 3600  # seconds a bot may delete its own message for everyone


# ------------------------------------------------------------ shared checks


def _target_chat(emu: Emulator, p: Params) -> ChatState:
    chat = emu.lookup_chat(p.chat_id())
    emu.check_can_write(chat)
    return chat


def _reply_to(emu: Emulator, p: Params, chat: ChatState) -> MessageRecord | None:
    params = p.get_json("reply_parameters")
    message_id: int | None
    if isinstance(params, dict) and params.get("message_id") is not None:
        message_id = int(params["message_id"])
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        message_id = p.get_int("reply_to_message_id")
        allow = p.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    target = emu.find_message(chat, message_id)
    if target is None and not allow:
        raise bad_request(E.REPLY_NOT_FOUND)
    return target


def _formatted(
    p: Params, field: str, entities_field: str, *, limit: int, empty_error: str | None
) -> tuple[str | None, list[JSON]]:
    source = p.get_str(field)
    if source is None or source == "":
        if empty_error:
            raise bad_request(empty_error)
        return None, []
    explicit = p.get_json(entities_field)
    if explicit:
        text, entities = source, drop_none(explicit)
    else:
        text, entities = parse_formatted(source, p.get_str("parse_mode"))
    if empty_error and not text.strip():
        raise bad_request(empty_error)
    if utf16_len(text) > limit:
        raise bad_request(E.TEXT_TOO_LONG if field == "text" else E.CAPTION_TOO_LONG)
    return text, entities


def _extras(p: Params, content: JSON) -> None:
    if p.get_bool("protect_content"):
        content["has_protected_content"] = True
    preview = p.get_json("link_preview_options")
    if isinstance(preview, dict):
        content["link_preview_options"] = drop_none(preview)


def _caption(p: Params, content: JSON) -> None:
    caption, entities = _formatted(
        p, "caption", "caption_entities", limit=CAPTION_LIMIT, empty_error=None
    )
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities


# ------------------------------------------------------------ send


@method("sendMessage")
async def send_message(emu: Emulator, p: Params) -> JSON:
    chat = emu.lookup_chat(p.chat_id())
    text, entities = _formatted(p, "text", "entities", limit=TEXT_LIMIT, empty_error=E.TEXT_EMPTY)
    markup = normalize_markup(p.get_json("reply_markup"))
    emu.check_can_write(chat)
    reply_to = _reply_to(emu, p, chat)
    emu.check_rate_limit(chat)
    content: JSON = {"text": text}
    if entities:
        content["entities"] = entities
    _extras(p, content)
    return emu.bot_send(chat, content, markup=markup, reply_to=reply_to).data


def _store_upload(emu: Emulator, kind: str, ref: Upload | str | None) -> list[FileRecord]:
    """Turn a photo/document parameter into stored file records (photo: all sizes)."""
    files = emu.files
    if ref is None:
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(ref, Upload):
        if kind == "photo":
            return files.add_photo(ref.content, ref.content_type)
        return [
            files.add(
                "document",
                ref.content,
                file_name=ref.filename,
                mime_type=ref.content_type or "application/octet-stream",
            )
        ]
    if ref.startswith(("http://", "https://")):
        # No network here: a URL stands for a generated placeholder image/document.
        if kind == "photo":
            return files.add_photo(make_png(320, 240, seed=len(files.by_id)))
        name = ref.rsplit("/", 1)[-1] or "file"
        return [files.add("document", b"", file_name=name, mime_type="application/octet-stream")]
    record = files.by_id.get(ref)
    if record is None:
        raise bad_request(E.WRONG_FILE_ID)
    if record.kind != kind:
        raise bad_request(f"can't use file of type {record.kind.title()} as {kind.title()}")
    if kind == "photo":
        return files.photo_set(record)
    return [record]


def _media_content(emu: Emulator, kind: str, ref: Upload | str | None) -> JSON:
    stored = _store_upload(emu, kind, ref)
    if kind == "photo":
        return {"photo": [r.to_photo_size() for r in stored]}
    return {"document": stored[0].to_document()}


async def _send_media(emu: Emulator, p: Params, kind: str) -> JSON:
    chat = _target_chat(emu, p)
    markup = normalize_markup(p.get_json("reply_markup"))
    reply_to = _reply_to(emu, p, chat)
    content: JSON = {}
    _caption(p, content)
    emu.check_rate_limit(chat)
    content = {**_media_content(emu, kind, p.file(kind)), **content}
    _extras(p, content)
    return emu.bot_send(chat, content, markup=markup, reply_to=reply_to).data


@method("sendPhoto")
async def send_photo(emu: Emulator, p: Params) -> JSON:
    return await _send_media(emu, p, "photo")


@method("sendDocument")
async def send_document(emu: Emulator, p: Params) -> JSON:
    return await _send_media(emu, p, "document")


@method("sendMediaGroup")
async def send_media_group(emu: Emulator, p: Params) -> list[JSON]:
    chat = _target_chat(emu, p)
    media = p.get_json("media")
    if not isinstance(media, list) or not 1 <= len(media) <= 10:
        raise bad_request("wrong number of media items (must be 1 to 10)")
    reply_to = _reply_to(emu, p, chat)
    emu.check_rate_limit(chat)
    items: list[JSON] = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
            raise bad_request("unsupported media type in the group (photo/document only)")
        content = _media_content(emu, item["type"], p.file_ref(item.get("media")))
        sub = Params({k: v for k, v in item.items() if k in ("caption", "parse_mode")})
        if "caption_entities" in item:
            sub.values["caption_entities"] = item["caption_entities"]
        _caption(sub, content)
        items.append(content)
    group_id = emu.new_media_group_id()
    results = []
    for i, content in enumerate(items):
        content["media_group_id"] = group_id
        record = emu.bot_send(chat, content, reply_to=reply_to if i == 0 else None)
        results.append(record.data)
    return results


@method("sendLocation")
async def send_location(emu: Emulator, p: Params) -> JSON:
    chat = _target_chat(emu, p)
    location = {
        "latitude": p.get_float("latitude", required=True),
        "longitude": p.get_float("longitude", required=True),
    }
    markup = normalize_markup(p.get_json("reply_markup"))
    emu.check_rate_limit(chat)
    return emu.bot_send(chat, {"location": location}, markup=markup).data


@method("sendContact")
async def send_contact(emu: Emulator, p: Params) -> JSON:
    chat = _target_chat(emu, p)
    contact = drop_none(
        {
            "phone_number": p.get_str("phone_number", required=True),
            "first_name": p.get_str("first_name", required=True),
            "last_name": p.get_str("last_name"),
        }
    )
    markup = normalize_markup(p.get_json("reply_markup"))
    emu.check_rate_limit(chat)
    return emu.bot_send(chat, {"contact": contact}, markup=markup).data


_COPYABLE = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "contact",
    "location",
)


def _source_message(emu: Emulator, p: Params) -> MessageRecord:
    source_chat = emu.lookup_chat(p.chat_id("from_chat_id"))
    record = emu.find_message(source_chat, p.get_int("message_id", required=True) or 0)
    if record is None:
        raise bad_request("message to copy not found")
    return record


@method("copyMessage")
async def copy_message(emu: Emulator, p: Params) -> JSON:
    chat = _target_chat(emu, p)
    source = _source_message(emu, p)
    content = {k: source.data[k] for k in _COPYABLE if k in source.data}
    if p.has("caption"):
        content.pop("caption", None)
        content.pop("caption_entities", None)
        _caption(p, content)
    markup = normalize_markup(p.get_json("reply_markup"))
    emu.check_rate_limit(chat)
    record = emu.bot_send(chat, content, markup=markup, reply_to=_reply_to(emu, p, chat))
    return {"message_id": record.message_id}


@method("forwardMessage")
async def forward_message(emu: Emulator, p: Params) -> JSON:
    chat = _target_chat(emu, p)
    source = _source_message(emu, p)
    content = {k: source.data[k] for k in _COPYABLE if k in source.data}
    content["forward_origin"] = {
        "type": "user",
        "sender_user": source.data["from"],
        "date": source.data["date"],
    }
    emu.check_rate_limit(chat)
    return emu.bot_send(chat, content).data


@method("sendChatAction")
async def send_chat_action(emu: Emulator, p: Params) -> bool:
    chat = _target_chat(emu, p)
    action = p.get_str("action", required=True)
    emu.publish("chat_action", chat_id=chat.id, action=action)
    return True


# ------------------------------------------------------------ edit / delete


def _editable(emu: Emulator, p: Params) -> MessageRecord:
    if p.has("inline_message_id"):
        raise bad_request(E.MESSAGE_TO_EDIT_NOT_FOUND)  # no inline mode in the emulator
    chat = emu.lookup_chat(p.chat_id())
    record = emu.find_message(chat, p.get_int("message_id", required=True) or 0)
    if record is None:
        raise bad_request(E.MESSAGE_TO_EDIT_NOT_FOUND)
    if not record.from_bot:
        raise bad_request(E.MESSAGE_CANT_BE_EDITED)
    return record


def _inline_markup(p: Params) -> JSON | None:
    markup = normalize_markup(p.get_json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _apply_edit(emu: Emulator, record: MessageRecord, changes: JSON) -> JSON:
    data = record.data
    if all(data.get(k) == (v or None) for k, v in changes.items()):
        raise bad_request(E.NOT_MODIFIED)
    emu.edit_message(record, {k: (v or None) for k, v in changes.items()})
    return data


@method("editMessageText")
async def edit_message_text(emu: Emulator, p: Params) -> JSON:
    record = _editable(emu, p)
    text, entities = _formatted(p, "text", "entities", limit=TEXT_LIMIT, empty_error=E.TEXT_EMPTY)
    markup = _inline_markup(p)
    if "text" not in record.data:
        raise bad_request("there is no text in the message to edit")
    # Like Telegram: an edit without reply_markup removes the inline keyboard.
    return _apply_edit(emu, record, {"text": text, "entities": entities, "reply_markup": markup})


@method("editMessageCaption")
async def edit_message_caption(emu: Emulator, p: Params) -> JSON:
    record = _editable(emu, p)
    content: JSON = {}
    _caption(p, content)
    markup = _inline_markup(p)
    if "text" in record.data:
        raise bad_request("there is no caption in the message to edit")
    changes = {
        "caption": content.get("caption"),
        "caption_entities": content.get("caption_entities"),
        "reply_markup": markup,
    }
    return _apply_edit(emu, record, changes)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: Emulator, p: Params) -> JSON:
    record = _editable(emu, p)
    return _apply_edit(emu, record, {"reply_markup": _inline_markup(p)})


def _delete_one(emu: Emulator, chat: ChatState, message_id: int) -> None:
    record = emu.find_message(chat, message_id)
    if record is None:
        raise bad_request(E.MESSAGE_TO_DELETE_NOT_FOUND)
    if chat.type != "private" and not record.from_bot and chat.bot_status != "administrator":
        raise bad_request("message can't be deleted")
    if record.from_bot and emu.now() - int(record.data.get("date", 0)) >= DELETE_WITHIN:
        raise bad_request(E.MESSAGE_CANT_BE_DELETED)  # a bot's own message, after 48 hours
    emu.delete_message(record)


@method("deleteMessage")
async def delete_message(emu: Emulator, p: Params) -> bool:
    chat = emu.lookup_chat(p.chat_id())
    _delete_one(emu, chat, p.get_int("message_id", required=True) or 0)
    return True


@method("deleteMessages")
async def delete_messages(emu: Emulator, p: Params) -> bool:
    chat = emu.lookup_chat(p.chat_id())
    ids: Any = p.get_json("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        record = emu.find_message(chat, int(message_id))
        if record is not None:
            emu.delete_message(record)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(emu: Emulator, p: Params) -> bool:
    callback = emu.callbacks.get(p.get_str("callback_query_id") or "")
    if callback is None or callback.answered:
        raise bad_request(E.QUERY_TOO_OLD)
    answer = drop_none(
        {
            "text": p.get_str("text"),
            "show_alert": p.get_bool("show_alert"),
            "url": p.get_str("url"),
            "date": int(emu.now()),
            "callback_query_id": callback.id,
            "user_id": callback.user_id,
        }
    )
    callback.answered = True
    callback.answer = answer
    chat = emu.chats.get(callback.chat_id)
    record = chat.get_message(callback.message_id) if chat else None
    if chat is not None and record is not None:
        record.callback_answers.append(answer)
        chat.bump(emu.now())
    emu.publish(
        "callback_answered",
        chat_id=callback.chat_id,
        message_id=callback.message_id,
        callback=callback.to_json(),
    )
    return True
