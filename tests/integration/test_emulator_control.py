"""The control API, the live event feed, the Python client, and the emulator's own parsers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.emulator import Emulator, RateLimits, RunningEmulator
from bot.emulator.client import EmulatorClient, EmulatorError
from bot.emulator.ratelimit import RateLimiter
from bot.emulator.textparse import detect_entities, parse_html, parse_markdown_v2
from tests.support.emulator import TEST_TOKEN


async def bot_call(emulator: RunningEmulator, method: str, **params: Any) -> Any:
    """A raw Bot API call as JSON (what any client library would send)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{emulator.url}/bot{TEST_TOKEN}/{method}", json=params) as resp,
    ):
        body = await resp.json()
        if not body["ok"]:
            raise AssertionError(body)
        return body["result"]


async def test_users_groups_and_history(emulator: RunningEmulator, client: EmulatorClient) -> None:
    ann = await client.create_user("Ann", last_name="Lee", username="annlee", phone="+861")
    bob = await client.create_user("Bob")
    assert ann["id"] != bob["id"] and ann["started_bot"] is False
    group = await client.create_group("Block 9 staff", [ann["id"], bob["id"]])
    assert group["id"] < 0 and group["bot_status"] == "member"
    await client.send_text(ann["id"], "/start")
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    sent = await bot_call(
        emulator, "sendMessage", chat_id=ann["id"], text="Welcome", reply_markup=keyboard
    )
    await bot_call(
        emulator,
        "editMessageText",
        chat_id=ann["id"],
        message_id=sent["message_id"],
        text="Welcome back",
        reply_markup=keyboard,
    )
    press = await client.press_button(ann["id"], text="Go", message_id=sent["message_id"])
    await bot_call(
        emulator, "answerCallbackQuery", callback_query_id=press["callback_query_id"], text="Going"
    )
    assert (await client.callback(press["callback_query_id"]))["answer"]["text"] == "Going"
    await bot_call(emulator, "deleteMessage", chat_id=ann["id"], message_id=1)
    history = await client.history(ann["id"])
    assert [m["message_id"] for m in history] == [1, 2]
    assert history[0]["deleted"] is True and history[1]["text"] == "Welcome back"
    assert history[1]["edits"][0]["text"] == "Welcome" and history[1]["edit_date"]
    assert history[1]["callback_answers"][0]["text"] == "Going"
    assert history[1]["reply_markup"] == keyboard
    chats = await client.chats()
    assert {c["id"] for c in chats} == {ann["id"], bob["id"], group["id"]}
    mine = next(c for c in chats if c["id"] == ann["id"])
    assert mine["title"] == "Ann Lee" and mine["last_message"]["text"] == "Welcome back"
    with pytest.raises(EmulatorError) as info:
        await client.send_text(999, "who am I")
    assert info.value.status == 404
    await client.block(bob["id"])
    with pytest.raises(EmulatorError) as info:
        await client.send_text(bob["id"], "hi")
    assert info.value.status == 409


async def test_photos_contact_location_via_http(
    emulator: RunningEmulator, client: EmulatorClient
) -> None:
    user = await client.create_user("Cai", phone="+8613900000000")
    album = await client.send_photos(user["id"], 3, caption="water stain")
    assert len(album["messages"]) == 3 and album["messages"][0]["caption"] == "water stain"
    file_id = album["messages"][0]["photo"][-1]["file_id"]
    file = await bot_call(emulator, "getFile", file_id=file_id)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emulator.url}/file/bot{TEST_TOKEN}/{file['file_path']}") as resp:
            assert resp.status == 200 and (await resp.read()).startswith(b"\x89PNG")
        async with http.get(f"{emulator.url}/file/botWRONG/{file['file_path']}") as resp:
            assert resp.status == 401
    own = await client.send_contact(user["id"])
    assert own["message"]["contact"]["user_id"] == user["id"]
    other = await client.send_contact(user["id"], phone_number="+1555", first_name="Plumber")
    assert "user_id" not in other["message"]["contact"]
    loc = await client.send_location(user["id"], 31.23, 121.47)
    assert loc["message"]["location"] == {"latitude": 31.23, "longitude": 121.47}
    doc = await client.send_document(user["id"], b"PK\x03\x04", "lease.xlsx")
    assert doc["message"]["document"]["file_name"] == "lease.xlsx"
    updates = await bot_call(emulator, "getUpdates")
    assert len(updates) == 7


async def test_wait_for_message_sees_edits(
    emulator: RunningEmulator, client: EmulatorClient
) -> None:
    user = await client.create_user("Dee", started=True)
    await client.send_text(user["id"], "status?")

    async def bot_side() -> None:
        await asyncio.sleep(0.05)
        sent = await bot_call(emulator, "sendMessage", chat_id=user["id"], text="Checking…")
        await asyncio.sleep(0.05)
        await bot_call(
            emulator,
            "editMessageText",
            chat_id=user["id"],
            message_id=sent["message_id"],
            text="Job #12 accepted",
        )

    task = asyncio.create_task(bot_side())
    message = await client.wait_for_message(
        user["id"], lambda m: "accepted" in m["text"], timeout=3
    )
    await task
    assert message["edits"][0]["text"] == "Checking…"
    with pytest.raises(TimeoutError):
        await client.wait_for_message(user["id"], lambda m: m["text"] == "never", timeout=0.2)


async def test_sse_stream_and_subscription(
    emulator: RunningEmulator, client: EmulatorClient
) -> None:
    emu = emulator.emulator
    seen: list[dict[str, Any]] = []
    connected = asyncio.Event()
    sub = emu.subscribe()

    async def read_stream() -> None:
        async for event in client.events(timeout=5):
            seen.append(event)
            connected.set()
            if event["type"] == "message_deleted":
                return

    reader = asyncio.create_task(read_stream())
    await asyncio.wait_for(connected.wait(), 5)
    user = emu.create_user("Eve", started=True)
    sent = await bot_call(
        emulator,
        "sendMessage",
        chat_id=user.id,
        text="a",
        reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]},
    )
    callback, _ = emu.press_button(user.id, callback_data="x")
    await bot_call(emulator, "answerCallbackQuery", callback_query_id=callback.id, text="ok")
    await bot_call(
        emulator, "editMessageText", chat_id=user.id, message_id=sent["message_id"], text="b"
    )
    await bot_call(emulator, "deleteMessage", chat_id=user.id, message_id=sent["message_id"])
    await asyncio.wait_for(reader, 5)
    kinds = [e["type"] for e in seen]
    expected = [
        "_connected",
        "user_created",
        "chat_created",
        "message",
        "callback_query",
        "callback_answered",
        "message_edited",
        "message_deleted",
    ]
    assert kinds == expected
    assert [e["seq"] for e in seen[1:]] == sorted(e["seq"] for e in seen[1:])
    in_process = [sub.queue.get_nowait()["type"] for _ in range(sub.queue.qsize())]
    assert in_process == expected[1:]
    sub.close()
    # Replay from a sequence number (what an SSE reconnect with Last-Event-ID gets).
    replay = client.events(since=seen[3]["seq"], timeout=0.5)
    got = [e["type"] async for e in replay]
    assert got[:3] == ["_connected", "callback_query", "callback_answered"]


async def test_reset_commands_stats_and_limits(
    emulator: RunningEmulator, client: EmulatorClient
) -> None:
    user = await client.create_user("Fay", language_code="zh")
    first = (await client.send_text(user["id"], "one"))["update_id"]
    await bot_call(
        emulator,
        "setMyCommands",
        commands=[{"command": "fee", "description": "缴费"}],
        language_code="zh",
    )
    cmds = await client.commands(chat_id=user["id"], user_id=user["id"], language_code="zh")
    assert cmds["commands"][0]["command"] == "fee"
    assert len((await client.commands())["sets"]) == 1
    await client.reset()
    assert await client.chats() == [] and (await client.stats())["updates"] == 0
    again = await client.create_user("Fay")
    assert again["id"] != user["id"]  # ids are never reused
    staff = await client.create_user("Staff", id=555_000_111)
    assert staff["id"] == 555_000_111
    with pytest.raises(EmulatorError):
        await client.create_user("Dup", id=555_000_111)
    second = (await client.send_text(again["id"], "two"))["update_id"]
    assert second > first  # update ids keep increasing across reset
    assert (await client.commands())["sets"]  # bot configuration survives reset
    limits = await client.set_rate_limits(private_per_second=1)
    assert limits["enabled"] and emulator.emulator.limiter is not None
    await bot_call(emulator, "sendMessage", chat_id=again["id"], text="1")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{emulator.url}/bot{TEST_TOKEN}/sendMessage",
            data={"chat_id": again["id"], "text": "2"},
        ) as resp,
    ):
        body = await resp.json()
    assert resp.status == 429 and body["parameters"]["retry_after"] == 1
    assert body["description"] == "Too Many Requests: retry after 1"
    stats = await client.stats()
    assert stats["too_many_requests"] == 1 and stats["sends"] == 1
    assert stats["errors"] == {"429": 1}
    await client.set_rate_limits(enabled=False)
    assert emulator.emulator.limiter is None


async def test_webhook_reply_with_method(emulator: RunningEmulator) -> None:
    emu = emulator.emulator

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "pong"})

    app = web.Application()
    app.router.add_post("/", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await bot_call(emulator, "setWebhook", url=f"http://127.0.0.1:{runner.addresses[0][1]}/")
        user = emu.create_user("Gil")
        emu.send_text(user.id, "ping")
        async with EmulatorClient(emulator.url) as control:
            reply = await control.wait_for_message(user.id, timeout=3)
        assert reply["text"] == "pong"
        assert (await bot_call(emulator, "getWebhookInfo"))["pending_update_count"] == 0
    finally:
        await bot_call(emulator, "deleteWebhook")
        await runner.cleanup()


async def test_form_encoded_and_multipart_requests(emulator: RunningEmulator) -> None:
    emu = emulator.emulator
    user = emu.create_user("Hu", started=True)
    markup = json.dumps({"keyboard": [["A", "B"]], "resize_keyboard": True})
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{emulator.url}/bot{TEST_TOKEN}/sendmessage",
            data={"chat_id": str(user.id), "text": "kb", "reply_markup": markup},
        ) as resp:
            assert (await resp.json())["ok"]
        form = aiohttp.FormData()
        form.add_field("chat_id", str(user.id))
        form.add_field("document", b"hello", filename="note.txt", content_type="text/plain")
        async with http.post(f"{emulator.url}/bot{TEST_TOKEN}/sendDocument", data=form) as resp:
            doc = (await resp.json())["result"]["document"]
        assert doc["file_name"] == "note.txt" and doc["mime_type"] == "text/plain"
    assert emu.chats[user.id].reply_keyboard == {
        "keyboard": [[{"text": "A"}, {"text": "B"}]],
        "resize_keyboard": True,
    }
    assert emu.press_reply_button(user.id, "B").message.data["text"] == "B"


def test_rate_limiter_sliding_window() -> None:
    limiter = RateLimiter(
        RateLimits(global_per_second=3, private_per_second=1, group_per_minute=20)
    )
    assert limiter.retry_after(1, True, 100.0) is None
    limiter.record(1, True, 100.0)
    assert limiter.retry_after(1, True, 100.5) == 1
    assert limiter.retry_after(1, True, 100.95) is None  # 0.1 s of jitter is forgiven
    for chat in (2, 3):
        limiter.record(chat, True, 101.0)
    limiter.record(-5, False, 101.0)
    assert limiter.retry_after(4, True, 101.2) == 1  # global 3/s exhausted
    for i in range(19):
        limiter.record(-7, False, 200.0 + i)
    assert limiter.retry_after(-7, False, 219.5) is None  # 19 of 20 used
    limiter.record(-7, False, 219.5)
    assert limiter.retry_after(-7, False, 230.0) == 30  # 20/min: wait for the 200.0 send
    strict = RateLimiter(RateLimits(private_per_second=1, tolerance=0))
    strict.record(1, True, 100.0)
    assert strict.retry_after(1, True, 100.95) == 1


def test_html_and_markdown_parsing() -> None:
    text, entities = parse_html(
        '🏠 <b>Unit <i>3</i></b> &lt;ok&gt; <a href="https://x.cn/?a=1&amp;b=2">pay</a>'
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "🏠 Unit 3 <ok> payx = 1"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 6},  # the emoji is 2 UTF-16 units
        {"type": "italic", "offset": 8, "length": 1},
        {"type": "text_link", "offset": 15, "length": 3, "url": "https://x.cn/?a=1&b=2"},
        {"type": "pre", "offset": 18, "length": 5, "language": "python"},
    ]
    with pytest.raises(Exception, match="Unmatched end tag"):
        parse_html("<b>x</i>")
    text, entities = parse_markdown_v2(r"||secret|| [site](https://a.b/c\)) `a\`b`")
    assert text == "secret site a`b"
    assert [e["type"] for e in entities] == ["spoiler", "text_link", "code"]
    assert entities[1]["url"] == "https://a.b/c)"
    found = detect_entities("😀 /start@frontline_test_bot abc #leak @manager_1 https://a.cn")
    assert [(e["type"], e["offset"], e["length"]) for e in found] == [
        ("bot_command", 3, 25),
        ("hashtag", 33, 5),
        ("mention", 39, 10),
        ("url", 50, 12),
    ]


def test_emulator_in_process_without_server() -> None:
    emu = Emulator(clock=lambda: 1_700_000_000.0)
    user = emu.create_user("Ivy")
    sent = emu.send_text(user.id, "/start ref_42")
    assert sent.message.data["date"] == 1_700_000_000
    assert sent.message.data["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert emu.pending_updates()[0]["message"]["text"] == "/start ref_42"
