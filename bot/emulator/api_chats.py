"""Bot API: identity, chats and members, commands and profile, files, no-op settings."""

from __future__ import annotations

import re

from . import errors as E
from .emulator import Emulator
from .errors import bad_request
from .models import JSON, ChatState, chat_member_api
from .params import Params
from .registry import method

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


@method("getMe")
async def get_me(emu: Emulator, p: Params) -> JSON:
    return {
        **emu.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not emu.group_privacy,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method(
    "logOut",
    "close",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "pinChatMessage",
    "unpinChatMessage",
    "unpinAllChatMessages",
    "setMessageReaction",
)
async def accept(emu: Emulator, p: Params) -> bool:
    if p.has("menu_button"):
        menu = p.get_json("menu_button")
        if isinstance(menu, dict):
            emu.menu_button = menu
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(emu: Emulator, p: Params) -> JSON:
    return emu.menu_button


# ------------------------------------------------------------ chats and members


def _visible_chat(emu: Emulator, p: Params) -> ChatState:
    chat = emu.lookup_chat(p.chat_id())
    if chat.type != "private":
        emu.check_can_write(chat)  # a bot outside a group cannot look into it
    return chat


@method("getChat")
async def get_chat(emu: Emulator, p: Params) -> JSON:
    chat = _visible_chat(emu, p)
    info: JSON = {
        **chat.api,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict(_NO_GIFTS),
    }
    if chat.type != "private":
        info["permissions"] = {"can_send_messages": True}
    return info


def _member_status(emu: Emulator, chat: ChatState, user_id: int) -> tuple[JSON, str]:
    if user_id == emu.bot.id:
        return emu.bot.to_api(), chat.bot_status
    user = emu.users.get(user_id)
    if user is None:
        raise bad_request(E.USER_NOT_FOUND)
    if chat.type == "private":
        if user_id != chat.id:
            raise bad_request(E.USER_NOT_FOUND)
        return user.to_api(), "member"
    return user.to_api(), chat.members.get(user_id, "left")


@method("getChatMember")
async def get_chat_member(emu: Emulator, p: Params) -> JSON:
    chat = _visible_chat(emu, p)
    user, status = _member_status(emu, chat, p.get_int("user_id", required=True) or 0)
    return chat_member_api(user, status)


@method("getChatAdministrators")
async def get_chat_administrators(emu: Emulator, p: Params) -> list[JSON]:
    chat = _visible_chat(emu, p)
    admins = [
        chat_member_api(emu.users[uid].to_api(), status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator") and uid in emu.users
    ]
    if chat.bot_status == "administrator":
        admins.append(chat_member_api(emu.bot.to_api(), "administrator"))
    return admins


@method("getChatMemberCount")
async def get_chat_member_count(emu: Emulator, p: Params) -> int:
    chat = _visible_chat(emu, p)
    bot_in = chat.bot_status in ("member", "administrator")
    return len(chat.members) + (1 if bot_in else 0)


@method("leaveChat")
async def leave_chat(emu: Emulator, p: Params) -> bool:
    chat = emu.lookup_chat(p.chat_id())
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    emu.check_can_write(chat)
    emu.bot_leaves(chat)
    return True


# ------------------------------------------------------------ commands and profile


def _language(p: Params) -> str:
    lang = p.get_str("language_code") or ""
    if lang and not re.fullmatch(r"[a-z]{2}", lang):
        raise bad_request("invalid language code specified")
    return lang


@method("setMyCommands")
async def set_my_commands(emu: Emulator, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned: list[JSON] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = str(item.get("command", "")), str(item.get("description", ""))
        if not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command, "description": description})
    emu.set_commands(p.get_json("scope"), _language(p), cleaned)
    return True


@method("getMyCommands")
async def get_my_commands(emu: Emulator, p: Params) -> list[JSON]:
    # Exact (scope, language) only: Telegram's getMyCommands does not fall back.
    return emu.commands.get((emu.scope_key(p.get_json("scope")), _language(p)), [])


@method("deleteMyCommands")
async def delete_my_commands(emu: Emulator, p: Params) -> bool:
    emu.set_commands(p.get_json("scope"), _language(p), None)
    return True


def _profile_setter(field: str) -> None:
    async def setter(emu: Emulator, p: Params) -> bool:
        key = f"{field}:{_language(p)}"
        value = p.get_str(field) or ""
        if value:
            emu.bot_profile[key] = value
        else:
            emu.bot_profile.pop(key, None)
        return True

    async def getter(emu: Emulator, p: Params) -> JSON:
        value = emu.bot_profile.get(f"{field}:{_language(p)}")
        if value is None and field == "name":
            value = emu.bot.first_name
        return {field: value or ""}

    title = "".join(part.title() for part in field.split("_"))
    method(f"setMy{title}")(setter)
    method(f"getMy{title}")(getter)


for _field in ("name", "description", "short_description"):
    _profile_setter(_field)


@method("getUserProfilePhotos")
async def get_user_profile_photos(emu: Emulator, p: Params) -> JSON:
    emu.require_user(p.get_int("user_id", required=True) or 0)
    return {"total_count": 0, "photos": []}


# ------------------------------------------------------------ files


@method("getFile")
async def get_file(emu: Emulator, p: Params) -> JSON:
    record = emu.files.by_id.get(p.get_str("file_id", required=True) or "")
    if record is None:
        raise bad_request(E.INVALID_FILE_ID)
    return record.to_file_api()
