"""Telegram update → Event: the same raw JSON, parsed by aiogram and by PTB, reads the same.

The table is the adapters' contract with the core; a row is (what Telegram sends, what the
office hears). ``None`` means the update is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Update as AiogramUpdate
from telegram import Update as PtbUpdate

from bot.adapters.convert import event_from_update
from dialogs.events import ChatKind, Event, EventKind

BOT = "frontline_test_bot"
WANG = {"id": 101, "is_bot": False, "first_name": "芳", "last_name": "王",
        "language_code": "zh-hans"}
OTHER_BOT = {"id": 999, "is_bot": True, "first_name": "Helper", "username": "helper_bot"}
ME = {"id": 7_000_000_001, "is_bot": True, "first_name": "Frontline", "username": BOT}
PRIVATE = {"id": 101, "type": "private", "first_name": "芳"}
GROUP = {"id": -1001, "type": "group", "title": "水电组"}
SUPERGROUP = {"id": -1002003, "type": "supergroup", "title": "电工群"}
CHANNEL = {"id": -1009, "type": "channel", "title": "News"}
PHOTO = [{"file_id": f"p-{size}", "file_unique_id": f"u-{size}", "width": size,
          "height": size} for size in (90, 320, 1280)]


def message(chat: dict[str, Any] = PRIVATE, sender: dict[str, Any] | None = WANG,
            **content: Any) -> dict[str, Any]:
    body = {"message_id": 5, "date": 1_700_000_000, "chat": chat, **content}
    if sender is not None:
        body["from"] = sender
    return {"update_id": 42, "message": body}


SENT = datetime.fromtimestamp(1_700_000_000, UTC)


def edited(chat: dict[str, Any] = PRIVATE, sender: dict[str, Any] | None = WANG,
           **content: Any) -> dict[str, Any]:
    body = message(chat, sender, **content)["message"] | {"edit_date": 1_700_000_060}
    return {"update_id": 42, "edited_message": body}


def member(status: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"user": ME, "status": status, **extra}
    if status == "kicked":
        body.setdefault("until_date", 0)
    if status == "administrator":
        body |= {"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                 "can_delete_messages": True, "can_manage_video_chats": True,
                 "can_restrict_members": True, "can_promote_members": False,
                 "can_change_info": True, "can_invite_users": True,
                 "can_post_stories": False, "can_edit_stories": False,
                 "can_delete_stories": False, "can_send_welcome_messages": False}
    if status == "restricted":
        body |= {"until_date": 0, "can_send_messages": True, "can_send_audios": True,
                 "can_send_documents": True, "can_send_photos": True,
                 "can_send_videos": True, "can_send_video_notes": True,
                 "can_send_voice_notes": True, "can_send_polls": True,
                 "can_send_other_messages": True, "can_add_web_page_previews": True,
                 "can_change_info": False, "can_invite_users": False,
                 "can_pin_messages": False, "can_manage_topics": False,
                 "can_react_to_messages": True, "can_edit_tag": False}
    return body


def membership(chat: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": 42, "my_chat_member": {
        "chat": chat, "from": WANG, "date": 1_700_000_000,
        "old_chat_member": old, "new_chat_member": new}}


def callback(chat: dict[str, Any] = PRIVATE, with_message: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "cb-77", "from": WANG, "chat_instance": "ci",
                            "data": "acc:12"}
    if with_message:
        body["message"] = {"message_id": 9, "date": 1_700_000_000, "chat": chat,
                           "from": ME, "text": "card"}
    else:
        body["inline_message_id"] = "inline-1"
    return {"update_id": 42, "callback_query": body}


def heard(kind: EventKind, chat: dict[str, Any] = PRIVATE, **fields: Any) -> Event:
    group = chat["type"] != "private"
    base: dict[str, Any] = {
        "key": "u:42", "kind": kind, "chat_id": chat["id"],
        "chat_kind": ChatKind.GROUP if group else ChatKind.PRIVATE, "user_id": 101,
        "user_name": "芳 王", "language_code": "zh-hans",
        "chat_title": chat.get("title", "") if group else ""}
    return Event(**(base | fields))


CASES: list[tuple[str, dict[str, Any], Event | None]] = [
    ("text", message(text="水龙头漏水"), heard(EventKind.TEXT, text="水龙头漏水", message_id=5)),
    ("command", message(text="/menu"), heard(EventKind.COMMAND, command="menu", message_id=5)),
    ("deep link", message(text="/start H-ABC_12-x"),
     heard(EventKind.COMMAND, command="start", text="H-ABC_12-x", message_id=5)),
    ("command to us in a group", message(GROUP, text=f"/bindgroup@{BOT} G-1"),
     heard(EventKind.COMMAND, GROUP, command="bindgroup", text="G-1", message_id=5)),
    ("command to another bot", message(GROUP, text="/help@helper_bot"), None),
    ("slash that is not a command", message(text="/ 你好"),
     heard(EventKind.TEXT, text="/ 你好", message_id=5)),
    ("photo with caption", message(photo=PHOTO, caption="这里"),
     heard(EventKind.PHOTO, text="这里", photo_file_ids=("p-1280",), message_id=5)),
    ("a photo of an album", message(photo=PHOTO, media_group_id="13000000000000001"),
     heard(EventKind.PHOTO, photo_file_ids=("p-1280",), album="13000000000000001",
           message_id=5)),
    ("contact", message(contact={"phone_number": "+8613800000001", "first_name": "芳",
                                 "user_id": 101}),
     heard(EventKind.CONTACT, contact_phone="+8613800000001", contact_user_id=101,
           message_id=5)),
    ("location", message(location={"latitude": 31.23, "longitude": 121.47}),
     heard(EventKind.LOCATION, latitude=31.23, longitude=121.47, message_id=5)),
    ("sticker", message(sticker={"file_id": "s", "file_unique_id": "s", "type": "regular",
                                 "width": 1, "height": 1, "is_animated": False,
                                 "is_video": False}),
     heard(EventKind.UNSUPPORTED, message_id=5)),
    ("voice", message(voice={"file_id": "v", "file_unique_id": "v", "duration": 3}),
     heard(EventKind.UNSUPPORTED, message_id=5)),
    ("forwarded text", message(text="隔壁煤气味很重", forward_origin={
        "type": "hidden_user", "sender_user_name": "邻居", "date": 1_699_999_000}),
     heard(EventKind.TEXT, text="隔壁煤气味很重", message_id=5, forwarded=True)),
    ("forwarded from a known user", message(text="漏水了", forward_origin={
        "type": "user", "sender_user": WANG | {"id": 102}, "date": 1_699_999_000}),
     heard(EventKind.TEXT, text="漏水了", message_id=5, forwarded=True)),
    ("forwarded photo with caption", message(photo=PHOTO, caption="隔壁厨房漏水", forward_origin={
        "type": "hidden_user", "sender_user_name": "邻居", "date": 1_699_999_000}),
     heard(EventKind.PHOTO, text="隔壁厨房漏水", photo_file_ids=("p-1280",), message_id=5,
           forwarded=True)),
    ("group text", message(SUPERGROUP, text="收到"),
     heard(EventKind.TEXT, SUPERGROUP, text="收到", message_id=5)),
    ("someone joined", message(GROUP, new_chat_members=[WANG]), None),
    ("title changed", message(GROUP, new_chat_title="新名字"), None),
    ("another bot talks", message(GROUP, sender=OTHER_BOT, text="hi"), None),
    ("channel post in a channel chat", message(CHANNEL, sender=None, text="news"), None),
    ("button in a private chat", callback(),
     heard(EventKind.BUTTON, button_data="acc:12", callback_id="cb-77", message_id=9)),
    ("button in a group", callback(GROUP),
     heard(EventKind.BUTTON, GROUP, button_data="acc:12", callback_id="cb-77", message_id=9)),
    ("button on an inline message", callback(with_message=False), None),
    ("user blocked the bot", membership(PRIVATE, member("member"), member("kicked")),
     heard(EventKind.USER_BLOCKED_BOT)),
    ("user unblocked the bot", membership(PRIVATE, member("kicked"), member("member")),
     heard(EventKind.USER_UNBLOCKED_BOT)),
    ("bot added to a group", membership(GROUP, member("left"), member("member")),
     heard(EventKind.BOT_ADDED, GROUP)),
    ("bot added as admin", membership(SUPERGROUP, member("left"), member("administrator")),
     heard(EventKind.BOT_ADDED, SUPERGROUP)),
    ("bot removed", membership(GROUP, member("member"), member("left")),
     heard(EventKind.BOT_REMOVED, GROUP)),
    ("bot banned", membership(SUPERGROUP, member("administrator"), member("kicked")),
     heard(EventKind.BOT_REMOVED, SUPERGROUP)),
    ("bot restricted but still there",
     membership(GROUP, member("member"), member("restricted", is_member=True)), None),
    ("bot promoted", membership(GROUP, member("member"), member("administrator")), None),
    # An edit is heard as an edit (never as a new message), with when the original was sent.
    ("edited message", edited(text="the bathroom tap"),
     heard(EventKind.EDITED, text="the bathroom tap", message_id=5, sent_at=SENT)),
    ("edited caption", edited(caption="corrected", photo=PHOTO),
     heard(EventKind.EDITED, text="corrected", message_id=5, sent_at=SENT)),
    ("edited in a group", edited(GROUP, text="x"),
     heard(EventKind.EDITED, GROUP, text="x", message_id=5, sent_at=SENT)),
    ("edited by a bot", edited(sender=OTHER_BOT, text="x"), None),
    ("edited in a channel", edited(CHANNEL, text="x"), None),
]


@pytest.mark.parametrize(("raw", "expected"), [(raw, expected) for _, raw, expected in CASES],
                         ids=[name for name, _, _ in CASES])
@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_an_update_reads_the_same_under_both_frameworks(
        framework: str, raw: dict[str, Any], expected: Event | None) -> None:
    update: Any = (AiogramUpdate.model_validate(raw) if framework == "aiogram"
                   else PtbUpdate.de_json(raw, None))
    assert event_from_update(update, BOT) == expected
