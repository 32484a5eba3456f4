"""The emulator as seen by aiogram 3: every response must parse and every error must map to
the exception aiogram raises against the real Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BufferedInputFile,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.emulator import Emulator, RateLimits, RunningEmulator
from bot.emulator.files import make_png
from tests.support.emulator import TEST_TOKEN, aiogram_bot, running_emulator


@pytest.fixture
async def bot(emulator: RunningEmulator) -> AsyncIterator[Bot]:
    client = aiogram_bot(emulator.url)
    yield client
    await client.session.close()


@pytest.fixture
def emu(emulator: RunningEmulator) -> Emulator:
    return emulator.emulator


def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in pairs]]
    )


async def test_get_me_and_auth(emulator: RunningEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "frontline_test_bot"
    wrong = aiogram_bot(emulator.url, "999:wrong")
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.session.close()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emulator.url}/bot{TEST_TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        # Method names are case-insensitive, GET works too.
        async with http.get(f"{emulator.url}/bot{TEST_TOKEN}/GETME") as resp:
            assert (await resp.json())["result"]["id"] == 123456


async def test_send_edit_not_modified(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Ann", started=True)
    sent = await bot.send_message(
        user.id,
        "Hello <b>Ann</b> 🏠",
        parse_mode="HTML",
        reply_markup=kb(("Yes", "y"), ("No", "n")),
    )
    assert sent.text == "Hello Ann 🏠" and sent.from_user and sent.from_user.is_bot
    assert sent.entities and sent.entities[0].type == "bold"
    assert sent.entities[0].offset == 6 and sent.entities[0].length == 3
    edited = await bot.edit_message_text(
        "Hello again", chat_id=user.id, message_id=sent.message_id, reply_markup=kb(("Ok", "o"))
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Hello again",
            chat_id=user.id,
            message_id=sent.message_id,
            reply_markup=kb(("Ok", "o")),
        )
    # Same text but no markup is a change: Telegram drops the keyboard.
    await bot.edit_message_text("Hello again", chat_id=user.id, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=user.id, message_id=sent.message_id, reply_markup=kb(("Z", "z"))
    )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    record = emu.chats[user.id].messages[0]
    assert [e.get("text") for e in record.edits] == ["Hello Ann 🏠", "Hello again", "Hello again"]
    assert await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_validation_errors(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Bo", started=True)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-42, "hi")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(user.id, "  ")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "k", reply_markup=kb(("big", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(user.id, "a<br>b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag"):
        await bot.send_message(user.id, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(user.id, "r", reply_parameters=ReplyParameters(message_id=77))
    assert emu.stats.sends == 0


async def test_callback_answer(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Cy", started=True)
    keyboard = kb(("A", "pick:a"), ("B", "pick:b"))
    msg = await bot.send_message(user.id, "Pick", reply_markup=keyboard)
    callback, update_id = emu.press_button(user.id, text="B")
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert updates[-1].update_id == update_id and query is not None
    assert query.data == "pick:b" and query.message is not None
    assert query.message.message_id == msg.message_id and query.from_user.id == user.id
    assert await bot.answer_callback_query(query.id, text="Picked B", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id, text="again")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345", text="unknown")
    assert callback.answer is not None and callback.answer["text"] == "Picked B"
    assert emu.chats[user.id].messages[0].callback_answers[0]["show_alert"] is True


async def test_photos_and_files(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Di", started=True)
    png = make_png(200, 100, seed=3)
    sent = await bot.send_photo(
        user.id, BufferedInputFile(png, "leak.png"), caption="<i>leak</i>", parse_mode="HTML"
    )
    assert sent.photo and sent.photo[-1].width == 200 and sent.photo[-1].height == 100
    assert sent.caption == "leak" and sent.caption_entities
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path
    data = await bot.download_file(file.file_path)
    assert data is not None and data.read() == png
    again = await bot.send_photo(user.id, sent.photo[-1].file_id)
    assert again.photo and [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]
    album = await bot.send_media_group(
        user.id,
        [InputMediaPhoto(media=BufferedInputFile(make_png(seed=i), f"{i}.png")) for i in range(3)],
    )
    assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
    # A user's photo can be fetched by the bot.
    user_photo = emu.send_photos(user.id, caption="broken tap").message
    file_id = user_photo.data["photo"][-1]["file_id"]
    got = await bot.download(file_id)
    assert got is not None and got.read().startswith(b"\x89PNG")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(user.id, "nonsense-id")
    fixed = await bot.edit_message_caption(
        chat_id=user.id, message_id=sent.message_id, caption="leak fixed"
    )
    assert not isinstance(fixed, bool) and fixed.caption == "leak fixed"
    with pytest.raises(TelegramBadRequest, match="there is no text in the message"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=sent.message_id)


async def test_misc_methods(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Dot", started=True)
    events = emu.subscribe()
    assert await bot.send_chat_action(user.id, "typing")
    event = await events.get(0)
    assert event is not None and event["action"] == "typing"
    assert await bot.set_chat_menu_button()
    assert (await bot.get_chat_menu_button()).type == "commands"
    assert await bot.set_my_description("Front desk of Block 9")
    assert (await bot.get_my_description()).description == "Front desk of Block 9"
    assert (await bot.get_my_name()).name == "Frontline"
    assert await bot.log_out() and await bot.close()
    events.close()


async def test_keyboards_and_contacts(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Ed", phone="+8613800000001", started=True)
    other = emu.create_user("Flo")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="Share phone", request_contact=True)],
            [KeyboardButton(text="Help")],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await bot.send_message(user.id, "Please share", reply_markup=keyboard)
    contact = emu.press_reply_button(user.id, "Share phone").message.data["contact"]
    assert contact == {"phone_number": "+8613800000001", "first_name": "Ed", "user_id": user.id}
    assert emu.chats[user.id].reply_keyboard is None  # one-time keyboard hides after use
    foreign = emu.send_contact(user.id, phone_number="+852 5555", first_name="Neighbour")
    assert "user_id" not in foreign.message.data["contact"]
    await bot.send_message(
        user.id, "Kb", reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Help")]])
    )
    assert emu.press_reply_button(user.id, "Help").message.data["text"] == "Help"
    await bot.send_message(user.id, "bye", reply_markup=ReplyKeyboardRemove())
    assert emu.chats[user.id].reply_keyboard is None
    await bot.send_message(user.id, "Your flat?", reply_markup=ForceReply())
    updates = await bot.get_updates()
    assert updates[0].message and updates[0].message.contact
    assert updates[0].message.contact.user_id == user.id
    assert other.id not in {
        u.message.from_user.id for u in updates if u.message and u.message.from_user
    }


async def test_retry_after_429() -> None:
    async with running_emulator(rate_limits=RateLimits(private_per_second=1)) as run:
        bot = aiogram_bot(run.url)
        user = run.emulator.create_user("Gus", started=True)
        await bot.send_message(user.id, "one")
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(user.id, "two")
        assert info.value.retry_after >= 1
        assert "Too Many Requests: retry after" in info.value.message
        assert run.emulator.stats.too_many_requests == 1 and run.emulator.stats.sends == 1
        assert len(run.emulator.chats[user.id].messages) == 1  # the 429'd send was not stored
        await bot.session.close()


async def test_forbidden(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Hal")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(user.id, "hi")
    emu.send_text(user.id, "/start")
    await bot.send_message(user.id, "welcome")
    emu.block_bot(user.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(user.id, "still there?")
    group = emu.create_group("Staff", [user.id])
    await bot.send_message(group.id, "hello staff")
    emu.remove_bot(group.id, user.id)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "anyone?")


async def test_long_polling_wakes_fast(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Ida")
    await bot.get_updates(timeout=0)
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    sent_at = loop.time()
    emu.send_text(user.id, "ping")
    updates = await poll
    assert loop.time() - sent_at < 0.1
    assert updates[0].message and updates[0].message.text == "ping"
    # Confirming by offset drops it.
    assert await bot.get_updates(offset=updates[0].update_id + 1) == []
    assert emu.pending_update_count == 0


async def test_my_chat_member_updates(emu: Emulator, bot: Bot) -> None:
    owner = emu.create_user("Jo", started=True)
    group = emu.create_group("Block 7", [owner.id], chat_type="supergroup")
    emu.remove_bot(group.id, owner.id, ban=True)
    emu.block_bot(owner.id)
    emu.unblock_bot(owner.id)
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    members = [u.my_chat_member for u in updates if u.my_chat_member]
    assert len(members) == 4
    added, kicked, blocked, unblocked = members
    assert added.chat.id == group.id and added.chat.type == "supergroup"
    assert added.from_user.id == owner.id
    assert isinstance(added.old_chat_member, ChatMemberLeft)
    assert isinstance(added.new_chat_member, ChatMemberMember)
    assert isinstance(kicked.new_chat_member, ChatMemberBanned)
    assert blocked.chat.type == "private" and isinstance(blocked.new_chat_member, ChatMemberBanned)
    assert isinstance(unblocked.new_chat_member, ChatMemberMember)
    member = await bot.get_chat_member(owner.id, owner.id)
    assert member.status == "member"
    chat = await bot.get_chat(owner.id)
    assert chat.first_name == "Jo"


async def test_admin_group_and_leave(emu: Emulator, bot: Bot) -> None:
    boss = emu.create_user("Kim")
    group = emu.create_group("Managers", [boss.id], bot_admin=True)
    info = await bot.get_chat(group.id)
    assert info.title == "Managers" and info.type == "group"
    me = await bot.get_chat_member(group.id, 123456)
    assert me.status == "administrator"
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {boss.id, 123456}
    assert await bot.leave_chat(group.id)
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(group.id, "back?")


async def test_commands_per_language(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Lu", language_code="zh")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [BotCommand(command="start", description="开始")], language_code="zh"
    )
    await bot.set_my_commands(
        [BotCommand(command="jobs", description="Open jobs")], scope=BotCommandScopeAllGroupChats()
    )
    assert (await bot.get_my_commands(language_code="zh"))[0].description == "开始"
    assert (await bot.get_my_commands())[0].description == "Start"
    assert (await bot.get_my_commands(language_code="en")) == []  # exact scope/lang only
    group_cmds = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
    assert [c.command for c in group_cmds] == ["jobs"]
    assert emu.effective_commands(user.id, user.id, "zh")[0]["description"] == "开始"
    assert emu.effective_commands(user.id, user.id, "en")[0]["description"] == "Start"
    await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


async def test_webhook_delivery_and_retry(emu: Emulator, bot: Bot) -> None:
    from aiohttp import web

    received: list[tuple[str | None, int]] = []
    delivered = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update["update_id"])
        )
        if len(received) == 1:
            return web.Response(status=500)
        delivered.set()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        user = emu.create_user("Mo")
        await bot.set_webhook(
            f"http://127.0.0.1:{port}/hook", secret_token="s3cret", drop_pending_updates=True
        )
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        update_id = emu.send_text(user.id, "via webhook").update_id
        await asyncio.wait_for(delivered.wait(), 5)
        assert received == [("s3cret", update_id), ("s3cret", update_id)]  # resent after 500
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert info.last_error_message and "500" in info.last_error_message
        assert emu.stats.webhook_failures == 1 and emu.stats.webhook_deliveries == 1
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_reply_parameters_and_group_messages(emu: Emulator, bot: Bot) -> None:
    a, b = emu.create_user("Ny"), emu.create_user("Ola")
    group = emu.create_group("Repairs", [a.id, b.id])
    asked = emu.send_text(a.id, "/report@frontline_test_bot lift broken", chat_id=group.id)
    reply = await bot.send_message(
        group.id, "On it", reply_parameters=ReplyParameters(message_id=asked.message.message_id)
    )
    assert reply.reply_to_message and (reply.reply_to_message.text or "").startswith("/report")
    emu.send_text(b.id, "thanks", chat_id=group.id, reply_to_message_id=reply.message_id)
    updates = await bot.get_updates()
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["/report@frontline_test_bot lift broken", "thanks"]
    first = next(u.message for u in updates if u.message)
    assert first.entities and first.entities[0].type == "bot_command"
    assert first.entities[0].length == len("/report@frontline_test_bot")
