"""The emulator as seen by python-telegram-bot 22: responses parse into PTB objects and errors
become PTB's exceptions (BadRequest, Forbidden, RetryAfter, Conflict, InvalidToken).

Each test runs on PTB's own HTTP requests (httpx) and on the aiohttp ones Frontline uses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter

from bot.emulator import Emulator, RateLimits, RunningEmulator
from bot.emulator.files import make_png
from tests.support.emulator import ptb_bot, running_emulator


@pytest.fixture(params=["httpx", "aiohttp"])
def http(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bot(emulator: RunningEmulator, http: str) -> AsyncIterator[Bot]:
    async with ptb_bot(emulator.url, http=http) as client:
        yield client


@pytest.fixture
def emu(emulator: RunningEmulator) -> Emulator:
    return emulator.emulator


def kb(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


async def test_get_me_and_bad_token(emulator: RunningEmulator, bot: Bot, http: str) -> None:
    assert bot.username == "frontline_test_bot"  # initialize() called getMe
    me = await bot.get_me()
    assert me.id == 123456 and me.can_join_groups
    with pytest.raises(InvalidToken):
        async with ptb_bot(emulator.url, "1:nope", http=http):
            pass


async def test_send_edit_not_modified(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Pia", started=True)
    sent = await bot.send_message(
        user.id, "Fee due: <b>¥1,200.50</b>", parse_mode="HTML", reply_markup=kb(("Pay", "pay:7"))
    )
    assert sent.text == "Fee due: ¥1,200.50"
    assert sent.parse_entities() and list(sent.parse_entities().values()) == ["¥1,200.50"]
    assert sent.reply_markup and sent.reply_markup.inline_keyboard[0][0].callback_data == "pay:7"
    edited = await bot.edit_message_text("Paid", chat_id=user.id, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "Paid" and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Paid", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=404)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-1, "x")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(user.id, "x", reply_markup=kb(("x", "é" * 33)))


async def test_markdown_v2(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Quinn", started=True)
    sent = await bot.send_message(user.id, r"*Unit 3\-2* is _ready_\!", parse_mode="MarkdownV2")
    assert sent.text == "Unit 3-2 is ready!"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 8),
        ("italic", 12, 5),
    ]
    with pytest.raises(BadRequest, match=r"(?i)reserved and must be escaped"):
        await bot.send_message(user.id, "Unit 3-2 ready.", parse_mode="MarkdownV2")


async def test_callbacks(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Rui", started=True)
    await bot.send_message(user.id, "Accept job?", reply_markup=kb(("Accept", "job:1:accept")))
    callback, _ = emu.press_button(user.id, callback_data="job:1:accept")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.data == "job:1:accept" and query.message is not None
    assert await query.answer("Accepted")  # shortcut goes through the same Bot
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    assert callback.answer is not None and callback.answer["text"] == "Accepted"


async def test_photos_and_download(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Sam", started=True)
    png = make_png(120, 80, seed=9)
    sent = await bot.send_photo(user.id, png, caption="meter")
    assert sent.photo[-1].width == 120 and sent.caption == "meter"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == png
    album = await bot.send_media_group(
        user.id, [InputMediaPhoto(make_png(seed=i)) for i in range(2)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    emu.send_photos(user.id, count=2, caption="two angles")
    updates = await bot.get_updates()
    photos = [u.message for u in updates if u.message and u.message.photo]
    assert len(photos) == 2 and photos[0].caption == "two angles"
    user_file = await photos[1].photo[-1].get_file()
    assert (await user_file.download_as_bytearray()).startswith(b"\x89PNG")


# PTB itself warns about RetryAfter.retry_after becoming a timedelta in v23.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_retry_after_and_forbidden(http: str) -> None:
    async with running_emulator(rate_limits=RateLimits(group_per_minute=2)) as run:
        emu = run.emulator
        user = emu.create_user("Tao", started=True)
        group = emu.create_group("Hall", [user.id])
        async with ptb_bot(run.url, http=http) as bot:
            await bot.send_message(group.id, "1")
            await bot.send_message(group.id, "2")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(group.id, "3")
            # 2 per minute: the window is 60 s, so the wait is the whole minute.
            # int or timedelta: the PTB adapter opts into PTB_TIMEDELTA for the whole process.
            wait = info.value.retry_after
            assert (wait if isinstance(wait, int) else wait.total_seconds()) == 60
            emu.block_bot(user.id)
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(user.id, "hi")
        assert emu.stats.too_many_requests == 1


async def test_my_chat_member_and_commands(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Uma", language_code="zh", started=True)
    group = emu.create_group("Tower B", [user.id])
    assert (await bot.get_chat(group.id)).title == "Tower B"
    emu.remove_bot(group.id, user.id)
    emu.block_bot(user.id)
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    members = [u.my_chat_member for u in updates if u.my_chat_member]
    assert isinstance(members[0].new_chat_member, ChatMemberMember)
    assert isinstance(members[1].new_chat_member, ChatMemberLeft)
    assert isinstance(members[2].new_chat_member, ChatMemberBanned)
    assert members[2].from_user.id == user.id
    await bot.set_my_commands([BotCommand("repair", "报修")], language_code="zh")
    await bot.set_my_commands([BotCommand("repair", "Report a repair")])
    assert (await bot.get_my_commands(language_code="zh"))[0].description == "报修"
    assert (await bot.get_my_commands())[0].description == "Report a repair"
    chat = await bot.get_chat(user.id)
    assert chat.first_name == "Uma"


async def test_polling_conflicts(emu: Emulator, bot: Bot, emulator: RunningEmulator,
                                 http: str) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with ptb_bot(emulator.url, http=http) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    await bot.set_webhook("http://127.0.0.1:9/unused")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/unused" and info.pending_update_count == 0
    await bot.delete_webhook()


async def test_reply_keyboard_contact(emu: Emulator, bot: Bot) -> None:
    user = emu.create_user("Vic", phone="+85260000000", started=True)
    await bot.send_message(
        user.id,
        "Verify your phone",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Send my number", request_contact=True)]], one_time_keyboard=True
        ),
    )
    emu.press_reply_button(user.id, "Send my number")
    updates = await bot.get_updates()
    contact = updates[-1].message.contact if updates[-1].message else None
    assert contact is not None and contact.user_id == user.id
    assert contact.phone_number == "+85260000000"


async def test_aiohttp_requests_map_network_failures_to_ptb_errors() -> None:
    """A server that is gone is PTB's NetworkError; one that does not answer is TimedOut."""
    from telegram.error import NetworkError, TimedOut

    from bot.adapters.ptb_request import AiohttpRequest

    request = AiohttpRequest(connections=1, read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(5)
            writer.close()

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            with pytest.raises(TimedOut):
                await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
