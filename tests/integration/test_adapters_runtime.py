"""Both adapters, run by ``run_bot`` in this process against the emulator, with a stand-in core.

What is checked is the Telegram plumbing: every kind of update becomes the right Event, replies
become the right Bot API calls, one chat is handled in order, updates are confirmed only after
they are committed, and the command menus are set.
"""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from typing import Any

import pytest

from bot.emulator import RunningEmulator
from bot.emulator.client import EmulatorClient
from dialogs.events import ChatKind, Event, EventKind
from handlers.office import Office
from tests.e2e.cores import EchoCore
from tests.e2e.faults import FaultProxy
from tests.e2e.harness import bot_in_process, eventually, office_for
from tests.support.flaky_database import FlakyClaims

FAST: dict[str, Any] = {"private_chat_per_second": 50.0, "group_chat_per_minute": 600.0}


async def test_each_kind_of_message_becomes_one_event(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    core = EchoCore()
    async with bot_in_process(emulator.url, live_office, core, framework=framework, **FAST):
        alice = (await client.create_user("Alice", last_name="Wang", language_code="en",
                                          phone="+8613800000001"))["id"]
        await client.send_text(alice, "/start abc-123_x")
        await client.send_text(alice, "the tap in the kitchen drips")
        album = await client.send_photos(alice, 2, caption="see here")
        await client.send_contact(alice)
        await client.send_location(alice, 31.2304, 121.4737)
        await client.send_document(alice, b"%PDF-1.4", "bill.pdf")
        await eventually(lambda: len(core.events) == 7)
        await client.wait_for_message(alice, lambda m: m.get("text", "").startswith("unsupp"))

    start, text, picture, rest, contact, place, document = core.events
    assert (start.kind, start.command, start.text) == (EventKind.COMMAND, "start", "abc-123_x")
    assert (start.chat_kind, start.user_name, start.language_code) == (
        ChatKind.PRIVATE, "Alice Wang", "en")
    assert start.key.startswith("u:") and start.chat_id == alice == start.user_id
    assert (text.kind, text.text) == (EventKind.TEXT, "the tap in the kitchen drips")
    first, second = (m["photo"][-1]["file_id"] for m in album["messages"])
    assert (picture.kind, picture.photo_file_ids, picture.text) == (
        EventKind.PHOTO, (first,), "see here")
    # The album's photos arrive one update each, told together by Telegram's media_group_id.
    assert (rest.kind, rest.photo_file_ids, rest.text) == (EventKind.PHOTO, (second,), "")
    assert picture.album == rest.album == album["messages"][0]["media_group_id"] != ""
    assert (contact.kind, contact.contact_phone, contact.contact_user_id) == (
        EventKind.CONTACT, "+8613800000001", alice)
    assert place.kind is EventKind.LOCATION and place.latitude == pytest.approx(31.2304)
    assert document.kind is EventKind.UNSUPPORTED


async def test_an_edited_message_reaches_the_core_as_an_edit_once(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    core = EchoCore()
    async with bot_in_process(emulator.url, live_office, core, framework=framework, **FAST):
        erin = (await client.create_user("Erin"))["id"]
        sent = (await client.send_text(erin, "call me on 139 1234 5670"))["message"]
        await eventually(lambda: len(core.events) == 1)
        edit = await client.edit_text(erin, sent["message_id"], "call me on 139 1234 5678")
        await eventually(lambda: len(core.events) == 2)
        await client.wait_for_message(erin, lambda m: m.get("text", "").startswith("edited"))
    first, second = core.events
    assert edit["update_id"] is not None and second.key == f"u:{edit['update_id']}" != first.key
    assert (second.kind, second.text, second.message_id, second.chat_kind) == (
        EventKind.EDITED, "call me on 139 1234 5678", sent["message_id"], ChatKind.PRIVATE)
    assert second.sent_at is not None and second.sent_at.timestamp() == sent["date"]
    assert edit["message"]["text"] == "call me on 139 1234 5678"  # the chat shows the edit


async def test_a_tap_edits_its_message_in_place_and_is_answered(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    core = EchoCore()
    async with bot_in_process(emulator.url, live_office, core, framework=framework, **FAST):
        bob = (await client.create_user("Bob"))["id"]
        await client.send_text(bob, "hello")
        card = await client.wait_for_message(bob, lambda m: "hello" in m.get("text", ""))
        data = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        press = await client.press_button(bob, callback_data=data,
                                          message_id=card["message_id"])
        answer = await client.wait_for_callback_answer(press["callback_query_id"])
        edited = await client.wait_for_message(
            bob, lambda m: m.get("text", "").startswith("pressed"),
            after_message_id=card["message_id"] - 1)
    assert answer["text"] == f"tapped {data}"
    assert edited["message_id"] == card["message_id"]  # edited, not a new message
    assert len([m for m in await client.history(bob) if m["from_bot"]]) == 1
    # The core notes an event after its commit; the answer handed over then may be out first.
    await eventually(lambda: core.kinds()[-1:] == [EventKind.BUTTON])
    tap = core.events[-1]
    assert (tap.kind, tap.button_data, tap.message_id) == (
        EventKind.BUTTON, data, card["message_id"])
    assert tap.callback_id == press["callback_query_id"]


async def test_groups_and_membership_changes_reach_the_core(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    core = EchoCore()
    async with bot_in_process(emulator.url, live_office, core, framework=framework, **FAST):
        carol = (await client.create_user("Carol"))["id"]
        dave = (await client.create_user("Dave"))["id"]
        await client.send_text(dave, "/start")
        group = (await client.create_group("Plumbers", [carol], add_bot=False,
                                           type="supergroup"))["id"]
        await client.add_bot(group, by=carol)
        await client.send_text(carol, "/help@SomeOtherBot", chat_id=group)
        await client.send_text(carol, "/bindgroup@frontline_test_bot G-42", chat_id=group)
        await eventually(lambda: EventKind.COMMAND in core.kinds()[2:])
        await client.remove_bot(group, by=carol)
        await client.block(dave)
        await eventually(lambda: len(core.events) == 5)
        await client.unblock(dave)
        await eventually(lambda: len(core.events) == 6)
    added, bind, removed, blocked, unblocked = core.events[1:]
    assert (added.kind, added.chat_id, added.chat_kind, added.chat_title, added.user_id) == (
        EventKind.BOT_ADDED, group, ChatKind.GROUP, "Plumbers", carol)
    assert (bind.command, bind.text, bind.chat_id) == ("bindgroup", "G-42", group)
    assert removed.kind is EventKind.BOT_REMOVED and removed.chat_id == group
    assert (blocked.kind, blocked.chat_id) == (EventKind.USER_BLOCKED_BOT, dave)
    assert unblocked.kind is EventKind.USER_UNBLOCKED_BOT


async def test_command_menus_are_set_per_language_and_scope(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    async with bot_in_process(emulator.url, live_office, EchoCore(), framework=framework):
        await eventually(lambda: len(emulator.emulator.commands) == 4)
    sets = {(s["scope"]["type"], s["language_code"]): [c["command"] for c in s["commands"]]
            for s in (await client.commands())["sets"]}
    assert sets[("all_private_chats", "")] == sets[("all_private_chats", "en")]
    assert "start" in sets[("all_private_chats", "")]
    assert sets[("all_group_chats", "")] == ["bindgroup"]  # bound groups have their own
    assert not {"jobs", "shift", "complaints"} & set(sets[("all_private_chats", "")])


async def test_one_chat_is_handled_in_order_while_chats_run_in_parallel(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    core = EchoCore(delay=0.002)
    async with bot_in_process(emulator.url, live_office, core, framework=framework, **FAST):
        users = [(await client.create_user(f"U{i}"))["id"] for i in range(3)]
        await asyncio.gather(*(client.send_text(u, f"m{n}") for n in range(12) for u in users))
        await eventually(lambda: len(core.events) == 36, within=20)
    for user in users:
        texts = [e.text for e in core.events if e.chat_id == user]
        assert texts == [f"m{n}" for n in range(12)]


async def test_an_update_is_confirmed_only_after_it_is_committed(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    entered, release = threading.Event(), threading.Event()
    echo = EchoCore()

    def slow_core(office: Office, event: Event) -> None:
        """Hold the text "slow" until the test lets it go."""
        if event.text == "slow":
            entered.set()
            release.wait(10)
        echo(office, event)

    stats = emulator.emulator.stats
    async with bot_in_process(emulator.url, live_office, slow_core, framework=framework):
        erin = (await client.create_user("Erin"))["id"]
        sent = await client.send_text(erin, "slow")
        await eventually(entered.is_set)
        polls = stats.methods["getUpdates"]
        await asyncio.sleep(0.3)
        # Fetched, being handled, not committed: Telegram must still hold it for a restart,
        # so the bot must not ask for more (which would confirm it).
        assert emulator.emulator.pending_update(sent["update_id"]) is not None
        assert stats.methods["getUpdates"] == polls
        release.set()
        await eventually(lambda: len(echo.events) == 1)
        await eventually(lambda: emulator.emulator.pending_update(sent["update_id"]) is None)


async def test_a_redelivered_batch_is_handled_once(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office) -> None:
    proxy = await FaultProxy(emulator.url).start()
    core = EchoCore()
    try:
        async with bot_in_process(proxy.url, live_office, core, framework=framework, **FAST):
            fay = (await client.create_user("Fay"))["id"]
            for text in ("one", "two"):
                await client.send_text(fay, text)
                await client.wait_for_message(fay, partial(_mentions, text))
            proxy.replay_updates(2)
            await client.send_text(fay, "three")
            await client.wait_for_message(fay, lambda m: "three" in m.get("text", ""))
            await asyncio.sleep(0.3)
    finally:
        await proxy.stop()
    assert core.calls >= 4  # the old batch came back and reached the core…
    assert [e.text for e in core.events] == ["one", "two", "three"]  # …and changed nothing
    replies = [m for m in await client.history(fay) if m["from_bot"]]
    assert len(replies) == 3


@pytest.mark.postgres
@pytest.mark.parametrize("framework", ["ptb"])
async def test_on_postgresql_chats_run_in_parallel_and_each_stays_in_order(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        postgres_url: str) -> None:
    office = office_for(postgres_url)
    core = EchoCore(delay=0.005)
    try:
        async with bot_in_process(emulator.url, office, core, framework=framework, **FAST):
            users = [(await client.create_user(f"P{i}"))["id"] for i in range(4)]
            await asyncio.gather(*(client.send_text(u, f"m{n}") for n in range(10)
                                   for u in users))
            await eventually(lambda: len(core.events) == 40, within=20)
            for user in users:
                await client.wait_for_message(user, lambda m: "m9" in m.get("text", ""))
    finally:
        office.engine.dispose()
    for user in users:
        assert [e.text for e in core.events if e.chat_id == user] == [f"m{n}" for n in range(10)]


def _mentions(text: str, message: dict[str, Any]) -> bool:
    return text in message.get("text", "")


async def test_polling_tries_an_update_again_until_the_database_is_back(
        framework: str, emulator: RunningEmulator, client: EmulatorClient,
        live_office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    core = EchoCore()
    async with bot_in_process(emulator.url, live_office, handle_twice(core), framework=framework,
                              **FAST):
        flaky = FlakyClaims(monkeypatch, failures=5)  # two tries, two tries, then it works
        dan = (await client.create_user("Dan"))["id"]
        await client.send_text(dan, "are you there")
        reply = await client.wait_for_message(dan)
        await client.send_text(dan, "and now")
        await client.wait_for_message(dan, lambda m: "and now" in m.get("text", ""))
    assert reply["text"] == "text are you there"
    await eventually(lambda: len(core.events) == 2)  # noted after the commit (see above)
    assert [e.text for e in core.events] == ["are you there", "and now"]
    assert flaky.calls == 7 and core.calls == 7


def handle_twice(core: EchoCore) -> Any:
    """*core* behind the real entry's rule: one retry, then ``DatabaseUnavailable``."""
    from sqlalchemy.exc import OperationalError

    from handlers.office.unit_of_work import DatabaseUnavailable

    def handle(office: Office, event: Event) -> None:
        try:
            core(office, event)
        except OperationalError:
            try:
                core(office, event)
            except OperationalError as error:
                raise DatabaseUnavailable(str(error)) from error

    return handle
