"""Webhook mode for both adapters: the secret is checked on every request, an update is answered
2xx only once committed (500 while the database is unavailable), redeliveries are handled once,
and update types we do not know are ignored without harm."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from dialogs.events import EventKind
from handlers.office import Office
from handlers.reception.entry import handle
from tests.e2e.cores import EchoCore
from tests.e2e.harness import InProcessBot, bot_in_process, eventually, free_port, outbox
from tests.support.flaky_database import FlakyClaims

SECRET = "s3cret-Token_1"


@pytest.fixture
async def hooked(framework: str, emulator: RunningEmulator,
                 live_office: Office) -> AsyncIterator[tuple[InProcessBot, EchoCore, str]]:
    core = EchoCore()
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with bot_in_process(emulator.url, live_office, core, framework=framework,
                              webhook_url=url, webhook_listen=f"127.0.0.1:{port}",
                              webhook_secret=SECRET, private_chat_per_second=50.0) as bot:
        await eventually(lambda: emulator.emulator.webhook is not None)
        yield bot, core, url


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Hal"}
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 1_700_000_000, "text": text, "from": person,
        "chat": {"id": user_id, "type": "private", "first_name": "Hal"}}}


async def post(url: str, body: dict[str, Any], secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
            url, json=body, headers=headers) as response:
        return response.status


async def test_updates_arrive_by_webhook_and_are_answered(
        hooked: tuple[InProcessBot, EchoCore, str], emulator: RunningEmulator) -> None:
    _, core, _ = hooked
    async with EmulatorClient(emulator.url) as client:
        info = await client.webhook()
        assert info["url"].endswith("/tg/hook") and info["has_custom_certificate"] is False
        ivy = (await client.create_user("Ivy"))["id"]
        await client.send_text(ivy, "/start via-hook")
        reply = await client.wait_for_message(ivy)
    assert reply["text"] == "command /start via-hook"
    # The core notes the event after its commit, and the reply handed over at that commit
    # may be out first.
    await eventually(lambda: bool(core.events))
    assert core.events[0].kind is EventKind.COMMAND
    assert emulator.emulator.stats.webhook_failures == 0


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_a_wrong_or_missing_secret_gets_401_and_nothing_is_processed(
        hooked: tuple[InProcessBot, EchoCore, str], secret: str | None) -> None:
    _, core, url = hooked
    assert await post(url, message_update(900_001, 4242, "let me in"), secret) == 401
    await asyncio.sleep(0.2)
    assert core.calls == 0


async def test_a_redelivered_update_is_handled_once(
        hooked: tuple[InProcessBot, EchoCore, str], live_office: Office) -> None:
    _, core, url = hooked
    update = message_update(900_002, 4343, "twice")
    statuses = await asyncio.gather(post(url, update, SECRET), post(url, update, SECRET))
    assert list(statuses) == [200, 200]
    assert await post(url, update, SECRET) == 200
    assert core.calls == 3
    assert [e.text for e in core.events] == ["twice"]


async def test_an_edited_message_pushed_twice_is_heard_once_as_an_edit(
        hooked: tuple[InProcessBot, EchoCore, str]) -> None:
    _, core, url = hooked
    update = message_update(900_003, 4545, "call me on 139 1234 5678")
    edit = {"update_id": 900_003,
            "edited_message": update["message"] | {"edit_date": 1_700_000_060}}
    assert [await post(url, edit, SECRET), await post(url, edit, SECRET)] == [200, 200]
    assert [(e.kind, e.text, e.message_id) for e in core.events] == [
        (EventKind.EDITED, "call me on 139 1234 5678", 1)]


@pytest.mark.parametrize("body", [
    {"update_id": 900_004, "poll": {"id": "1", "question": "?", "options": [],
                                    "total_voter_count": 0, "is_closed": False,
                                    "is_anonymous": True, "type": "regular",
                                    "allows_multiple_answers": False}},
    {"update_id": 900_005, "channel_post": {"message_id": 1, "date": 1, "text": "news",
                                            "chat": {"id": -100123, "type": "channel"}}},
    {"update_id": 900_006, "something_new_in_bot_api_99": {"a": 1}},
])
async def test_update_types_we_do_not_handle_are_ignored_safely(
        hooked: tuple[InProcessBot, EchoCore, str], body: dict[str, Any]) -> None:
    _, core, url = hooked
    assert await post(url, body, SECRET) == 200
    assert await post(url, message_update(900_100, 4444, "still alive"), SECRET) == 200
    assert [e.text for e in core.events] == ["still alive"]


@pytest.mark.parametrize("body", [{"no": "update_id"}, ["a", "list"]])
async def test_garbage_is_refused_without_touching_the_core(
        hooked: tuple[InProcessBot, EchoCore, str], body: Any) -> None:
    _, core, url = hooked
    assert await post(url, body, SECRET) == 400
    assert core.calls == 0


async def test_the_webhook_answers_500_while_the_database_is_unavailable(
        framework: str, emulator: RunningEmulator, live_office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with bot_in_process(emulator.url, live_office, handle, framework=framework,
                              webhook_url=url, webhook_listen=f"127.0.0.1:{port}",
                              webhook_secret=SECRET):
        await eventually(lambda: emulator.emulator.webhook is not None)
        flaky = FlakyClaims(monkeypatch, failures=2)
        update = message_update(900_200, 4545, "hello")
        assert await post(url, update, SECRET) == 500  # the real core tried twice, then gave up
        assert flaky.calls == 2
        assert [row for row in outbox(live_office) if row.chat_id == 4545] == []  # no apology
        assert await post(url, update, SECRET) == 200  # Telegram's redelivery is handled
        assert await post(url, update, SECRET) == 200  # … once
    answers = [row for row in outbox(live_office) if row.chat_id == 4545]
    assert answers and flaky.calls == 4
