"""The "/" menu each chat sees: residents the residents' commands, a technician his, each bound
group its own, and a reader of Traditional Chinese a menu in it — set when they bind, and asked
for again at start-up. /help says what the same definition says.

First through the transcript harness (what the office asks Telegram to show), then through the
real bot under each framework against the emulator, which shows what each chat would see.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.adapters.base import MENU_DESCRIPTION_LIMIT
from bot.emulator import RunningEmulator
from dialogs import commands
from dialogs.events import ChatKind, Event, EventKind
from handlers.office import Office
from handlers.reception.entry import handle
from handlers.registration import menus, roster
from locales import render
from storage.models import Person
from tests.e2e.harness import bot_in_process, eventually
from tests.e2e.senders import transport_for
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate, code_of

STAFF_ONLY = {"jobs", "shift", "complaints"}


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def names(menu: list[tuple[str, str]]) -> list[str]:
    return [name for name, _ in menu]


def test_a_technician_who_binds_gets_his_menu_and_a_resident_keeps_the_default(
        estate: Estate) -> None:
    menus_now = estate.desk.menus
    assert names(menus_now[201]) == ["start", "menu", "my", "fees", "language", "cancel",
                                     "jobs", "shift", "help"]
    assert dict(menus_now[201])["jobs"] == "我的未完成工单"
    assert 101 not in menus_now and 102 not in menus_now  # residents: the default menu
    default = [c.name for c in commands.for_person("resident")]
    assert not STAFF_ONLY & set(default)
    dispatcher = names(menus_now[301])
    assert "complaints" in dispatcher and "shift" not in dispatcher


def test_each_bound_group_gets_the_commands_of_its_purpose(estate: Estate) -> None:
    assert names(estate.desk.menus[PLUMBERS]) == ["help"]
    assert {"complaints", "help"} <= set(names(estate.desk.menus[DISPATCH]))
    assert "bindgroup" not in names(estate.desk.menus[DISPATCH])  # only where it is unbound


def test_a_traditional_chinese_reader_gets_a_menu_in_it(estate: Estate, office: Office) -> None:
    zhao = estate.desk.person(105, "趙敏", "zh-hant")
    zhao.command("start", code_of(office, "5", "0101"))
    menu = dict(estate.desk.menus[105])
    assert menu["menu"] == render(commands.PRIVATE_COMMANDS[1].menu, "zh_Hant") == "主選單"
    assert not STAFF_ONLY & set(menu)


def test_a_stranger_reading_traditional_chinese_gets_it_before_binding(
        estate: Estate) -> None:
    visitor = estate.desk.person(106, "陳先生", "zh-hant")
    visitor.command("start")
    assert dict(estate.desk.menus[106])["my"] == "我的工單"
    estate.desk.person(107, "Visitor", "en").command("start")
    assert 107 not in estate.desk.menus  # English has a default menu of its own


def test_changing_the_language_changes_the_menu(estate: Estate) -> None:
    zhang = estate.plumber
    zhang.command("language")
    zhang.taps("English")
    assert dict(estate.desk.menus[201])["jobs"] == "My open jobs"


def test_help_says_what_the_menu_says(estate: Estate) -> None:
    estate.plumber.command("help")
    estate.resident.command("help")
    technician, resident = estate.plumber.last, estate.resident.last
    assert "/jobs" in technician and "/shift" in technician
    assert "/jobs" not in resident and "/shift" not in resident and "/my" in resident


def test_start_up_asks_again_for_every_own_menu(estate: Estate, office: Office) -> None:
    with Session(office.engine) as session:
        staff = [p for p in session.exec(select(Person)).all() if menus.needs_own_menu(p)]
    asked = menus.refresh_all(office)
    assert asked == len(staff) + 5  # and the five bound groups
    assert menus.refresh_all(office) == 0  # not twice while the first are still waiting


async def test_what_each_chat_sees_in_telegram(
        framework: str, emulator: RunningEmulator, live_office: Office) -> None:
    emu = emulator.emulator
    tech = emu.create_user("张师傅", language_code="zh-hans", started=True).id
    resident = emu.create_user("陳太", language_code="zh-hant", started=True).id
    plain = emu.create_user("王芳", language_code="zh-hans", started=True).id
    board = emu.create_group("Plumbers", [tech]).id
    invite = roster.create_invite(live_office, "staff", "technician", ["plumbing"], "张师傅")
    group_code = roster.create_invite(live_office, "group", "", ["plumbing"])
    roster.import_households(live_office, enumerate(
        [{"building": "3", "room": "1202", "name": "陳太", "phone": "13800000009"}], start=2))
    [(_, _, household_code)] = roster.household_codes(live_office)

    def event(n: int, user: int, chat: int, command: str, text: str = "",
              language: str = "zh-hans") -> Event:
        return Event(key=f"u:{n}", kind=EventKind.COMMAND, chat_id=chat,
                     chat_kind=ChatKind.PRIVATE if chat > 0 else ChatKind.GROUP,
                     user_id=user, user_name="x", language_code=language, command=command,
                     text=text, chat_title="Plumbers")

    async with bot_in_process(emulator.url, live_office, handle, framework=framework):
        handle(live_office, event(1, tech, tech, "start", invite))
        handle(live_office, event(2, tech, board, "bindgroup", group_code))
        handle(live_office, event(3, resident, resident, "start", household_code, "zh-hant"))

        def seen(chat: int, user: int, language: str) -> list[str]:
            return [c["command"] for c in emu.effective_commands(chat, user, language)]

        await eventually(lambda: "shift" in seen(tech, tech, "zh"), within=15)
        await eventually(lambda: seen(board, tech, "zh") == ["help"], within=15)
        await eventually(lambda: bool(seen(resident, resident, "zh")), within=15)
    assert not STAFF_ONLY & set(seen(plain, plain, "zh"))  # the default: residents' commands
    assert not STAFF_ONLY & set(seen(resident, resident, "zh"))
    shown = {c["command"]: c["description"]
             for c in emu.effective_commands(resident, resident, "zh")}
    assert shown["menu"] == "主選單"  # her own menu, in Traditional characters
    other_group = emu.create_group("Not bound yet", [tech]).id
    assert seen(other_group, tech, "zh") == ["bindgroup"]


async def test_a_description_too_long_for_telegram_is_cut_not_refused(
        framework: str, emulator: RunningEmulator) -> None:
    """Telegram refuses a menu with a description over 256 characters (the emulator too); a
    translation that long must still leave the chat with its menu."""
    emu = emulator.emulator
    chat = emu.create_user("张师傅", language_code="zh-hans", started=True).id
    async with transport_for(framework, emulator.url) as transport:
        await transport.set_commands([("help", "说" * 300)], chat, None)
    [shown] = emu.effective_commands(chat, chat, "zh")
    assert shown == {"command": "help", "description": "说" * MENU_DESCRIPTION_LIMIT}
