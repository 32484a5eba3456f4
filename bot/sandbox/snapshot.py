"""Keep the emulator's world (people, chats, messages, photos) in ``--data DIR`` between runs.

The emulator holds everything in memory by design, and the bot's database refers to it:
message ids (a card is edited in place), file ids (photos are re-sent) and update ids (the
bot refuses an update id it has seen). So a kept sandbox must bring back the same world, or
at least never hand out an update id twice. This module reads and writes the emulator's
plain records as JSON; it only reads attributes, it does not change the emulator's code.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path
from typing import Any

from bot.emulator import Emulator
from bot.emulator.files import FileRecord
from bot.emulator.models import ChatState, MessageRecord, SimUser

log = logging.getLogger(__name__)

VERSION = 1
# The emulator's id counters: restoring them means new ids never collide with stored ones.
_COUNTERS = ("_next_update_id", "_next_user_id", "_next_group", "_next_callback",
             "_next_media_group")


def dump(emulator: Emulator) -> dict[str, Any]:
    """The emulator's world as JSON-ready data."""
    files = emulator.files
    return {
        "version": VERSION,
        "counters": {name: getattr(emulator, name) for name in _COUNTERS},
        "file_counter": files._counter,
        "users": [{"id": u.id, "first_name": u.first_name, "last_name": u.last_name,
                   "username": u.username, "language_code": u.language_code, "phone": u.phone}
                  for u in emulator.users.values()],
        "chats": [_chat(c) for c in emulator.chats.values()],
        "files": [{"file_id": f.file_id, "file_unique_id": f.file_unique_id, "kind": f.kind,
                   "content": base64.b64encode(f.content).decode(), "file_path": f.file_path,
                   "mime_type": f.mime_type, "file_name": f.file_name, "width": f.width,
                   "height": f.height} for f in files.by_id.values()],
        "photo_sets": {fid: [r.file_id for r in sizes]
                       for fid, sizes in files.photo_sets.items()},
    }


def _chat(chat: ChatState) -> dict[str, Any]:
    return {
        "id": chat.id, "type": chat.type, "title": chat.title, "api": chat.api,
        "bot_status": chat.bot_status, "bot_removed": chat.bot_removed,
        "started": chat.started, "members": {str(k): v for k, v in chat.members.items()},
        "reply_keyboard": chat.reply_keyboard, "version": chat.version,
        "last_activity": chat.last_activity,
        "messages": [{"message_id": m.message_id, "sender_id": m.sender_id,
                      "from_bot": m.from_bot, "data": m.data, "keyboard": m.keyboard,
                      "edits": m.edits, "deleted_date": m.deleted_date,
                      "callback_answers": m.callback_answers} for m in chat.messages],
    }


def load(emulator: Emulator, data: dict[str, Any]) -> None:
    """Put a dumped world into a fresh emulator (before its server starts)."""
    if data.get("version") != VERSION:
        raise ValueError(f"unknown snapshot version {data.get('version')!r}")
    for user in data["users"]:
        emulator.users[int(user["id"])] = SimUser(
            id=int(user["id"]), first_name=user["first_name"], last_name=user["last_name"],
            username=user["username"], language_code=user["language_code"],
            phone=user["phone"])
    for raw in data["chats"]:
        chat = ChatState(
            id=int(raw["id"]), type=raw["type"], title=raw["title"], api=raw["api"],
            bot_status=raw["bot_status"], bot_removed=raw["bot_removed"],
            started=raw["started"], members={int(k): v for k, v in raw["members"].items()},
            reply_keyboard=raw["reply_keyboard"], version=raw["version"],
            last_activity=raw["last_activity"])
        chat.messages = [MessageRecord(chat.id, m["message_id"], m["sender_id"], m["from_bot"],
                                       m["data"], m["keyboard"], m["edits"], m["deleted_date"],
                                       m["callback_answers"]) for m in raw["messages"]]
        emulator.chats[chat.id] = chat
    store = emulator.files
    for raw in data["files"]:
        record = FileRecord(raw["file_id"], raw["file_unique_id"], raw["kind"],
                            base64.b64decode(raw["content"]), raw["file_path"],
                            raw["mime_type"], raw["file_name"], raw["width"], raw["height"])
        store.by_id[record.file_id] = record
        store.by_path[record.file_path] = record
    for fid, sizes in data["photo_sets"].items():
        store.photo_sets[fid] = [store.by_id[s] for s in sizes if s in store.by_id]
    store._counter = int(data["file_counter"])
    for name in _COUNTERS:
        setattr(emulator, name, max(int(data["counters"][name]), getattr(emulator, name)))


def save(emulator: Emulator, path: Path) -> None:
    """Write the snapshot atomically (a crash mid-write keeps the previous one)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dump(emulator), ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    os.replace(tmp, path)


def restore(emulator: Emulator, path: Path) -> bool:
    """Load the snapshot at *path* if there is a usable one; False otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        load(emulator, data)
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("sandbox: cannot restore the chats from %s (%s); starting them afresh",
                    path, error)
        emulator.users.clear()
        emulator.chats.clear()
        emulator.files.clear()
        return False
    return True


def skip_update_ids(emulator: Emulator, after: int) -> None:
    """Never hand out an update id at or below *after* (the bot dedupes on update ids)."""
    emulator._next_update_id = max(emulator._next_update_id, after + 1)
