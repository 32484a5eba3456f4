"""What people see between flows — the main menu, the emergency buttons, the language choice,
the welcome and the help — word for word in each language, and what each button stands for."""

from __future__ import annotations

from typing import Final

import pytest

from dialogs import menu
from dialogs.buttons import Verb, parse
from dialogs.commands import PRIVATE_COMMANDS, for_person
from dialogs.events import InlineKeyboard, KeyButton
from locales import Language, render
from tests.support.transcripts import labels

LANGUAGES: Final[tuple[Language, ...]] = ("zh_Hans", "zh_Hant", "en")
MENUS: Final[dict[Language, list[str]]] = {
    "zh_Hans": ["🔧 报修", "🧹 预约有偿服务", "📋 我的工单", "💰 我的费用", "📣 投诉",
                "🌐 语言", "🚨 紧急求助"],
    "zh_Hant": ["🔧 報修", "🧹 預約有償服務", "📋 我的工單", "💰 我的費用", "📣 投訴",
                "🌐 語言", "🚨 緊急求助"],
    "en": ["🔧 Report a repair", "🧹 Book a service", "📋 My requests", "💰 My fees",
           "📣 Complain", "🌐 Language", "🚨 Emergency"],
}
MY_JOBS: Final = {"zh_Hans": "🧰 我的任务", "zh_Hant": "🧰 我的任務", "en": "🧰 My jobs"}


def _taps(keyboard: InlineKeyboard) -> list[tuple[Verb, tuple[object, ...]] | None]:
    found = [parse(button.data) for row in keyboard.rows for button in row]
    return [(tap.verb, tap.args) if tap else None for tap in found]


@pytest.mark.parametrize("language", MENUS)
def test_the_main_menu_and_staffs_job_list(language: Language) -> None:
    assert labels(menu.main_menu(), language) == MENUS[language]
    assert labels(menu.main_menu(is_staff=True), language) == [
        *MENUS[language], MY_JOBS[language]]


def test_each_menu_button_stands_for_its_choice() -> None:
    assert _taps(menu.main_menu(is_staff=True)) == [
        (Verb.MENU, (word,)) for word in ("repair", "service", "my", "fees", "complain",
                                          "lang", "sos", "jobs")]


@pytest.mark.parametrize(("language", "greeting"), [
    ("zh_Hans", "李女士，您好！请问有什么可以帮您？也可以直接告诉我们遇到了什么问题。"),
    ("zh_Hant", "李女士，您好！請問有什麼可以幫您？也可以直接告訴我們遇到了什麼問題。"),
    ("en", "Hello 李女士! How can we help? You can also just write what is wrong."),
])
def test_the_greeting_above_the_menu(language: Language, greeting: str) -> None:
    assert render(menu.menu_text("李女士"), language) == greeting


@pytest.mark.parametrize(("language", "buttons"), [
    ("zh_Hans", ["🔥 闻到燃气味", "🚒 起火或冒烟", "🛗 有人被困电梯", "⚡ 冒火花或焦糊味",
                 "💧 爆管或水浸"]),
    ("zh_Hant", ["🔥 聞到燃氣味", "🚒 起火或冒煙", "🛗 有人受困電梯", "⚡ 冒火花或燒焦味",
                 "💧 爆管或淹水"]),
    ("en", ["🔥 Gas smell", "🚒 Fire or smoke", "🛗 Someone trapped in a lift",
            "⚡ Sparks or burning smell", "💧 Burst pipe or flooding"]),
])
def test_one_tap_names_the_emergency(language: Language, buttons: list[str]) -> None:
    keyboard = menu.emergency_keyboard()
    assert labels(keyboard, language) == buttons
    assert _taps(keyboard) == [(Verb.EMERGENCY, (hazard,))
                               for hazard in ("gas", "fire", "lift", "sparks", "flood")]


def test_each_language_is_offered_in_its_own_words() -> None:
    keyboard = menu.language_keyboard()
    for language in LANGUAGES:
        assert labels(keyboard, language) == ["简体中文", "繁體中文", "English"]
    assert _taps(keyboard) == [(Verb.LANGUAGE, (lang,)) for lang in ("zh_Hans", "zh_Hant", "en")]


def test_the_share_contact_button_asks_telegram_for_the_persons_own_number() -> None:
    keyboard = menu.share_contact_keyboard()
    assert keyboard.one_time
    [[button]] = keyboard.rows
    assert isinstance(button, KeyButton) and button.request_contact
    assert labels(keyboard, "zh_Hans") == ["📱 分享我的手机号"]
    assert labels(keyboard, "en") == ["📱 Share my phone number"]


@pytest.mark.parametrize(("language", "welcome"), [
    ("zh_Hans", "欢迎使用物业服务台。\n"
                "如需将本对话与您的房屋绑定，请发送 /start 加管理处提供的绑定码"
                "（例如：/start H-ABCD1234）；"
                "如果您的手机号已在管理处登记，也可以点击下方按钮分享手机号。"),
    ("en", "Welcome to the property service desk.\nTo link this chat to your home, send /start "
           "with the code from the office (for example: /start H-ABCD1234), or share your phone "
           "number with the button below if it is the one on the office roster."),
])
def test_the_welcome_for_someone_not_yet_bound(language: Language, welcome: str) -> None:
    assert render(menu.welcome_unbound(), language) == welcome


HELP: Final = ("直接描述您遇到的问题，或使用菜单：/menu。\n"
               "/my 查看您的工单；开工前可以取消工单。\n"
               "/fees 查看您的费用：应缴、已缴和滞纳金。\n"
               "/language 切换语言；/cancel 取消当前操作。")


@pytest.mark.parametrize(("role", "language", "text"), [
    ("resident", "zh_Hans", HELP),
    ("technician", "zh_Hans", HELP + "\n/jobs 查看您手上未完成的工单；"
                                   "新工单请在本工种的接单群里接单。"
                                   "\n/shift on 上班，/shift off 下班："
                                   "下班期间，新工单会派给其他师傅或调度。"),
    ("technician", "en", "Write what is wrong in your own words, or use the menu: /menu.\n"
                 "/my shows your requests; a request can be cancelled until work starts.\n"
                 "/fees shows your fees: what is due, what you paid, any late fee.\n"
                 "/language changes the language; /cancel stops what you are doing.\n"
                 "/jobs lists your open jobs. Accept new jobs in your trade's group.\n"
                 "/shift on or /shift off: while you are off shift, new jobs go to others or "
                 "to the dispatcher."),
], ids=["resident", "technician", "technician in English"])
def test_help_lists_the_commands_a_person_may_use(role: str, language: Language,
                                                  text: str) -> None:
    assert render(menu.help_text(role), language) == text


def test_a_technicians_command_menu_in_simplified_chinese() -> None:
    assert [(c.name, render(c.menu, "zh_Hans")) for c in for_person("technician")] == [
        ("start", "开始使用，或输入绑定码绑定"), ("menu", "主菜单"), ("my", "我的工单"),
        ("fees", "我的费用"), ("language", "切换语言"), ("cancel", "取消当前操作"),
        ("jobs", "我的未完成工单"), ("shift", "上班或下班"), ("help", "使用说明")]


def test_residents_and_guests_see_no_staff_command() -> None:
    staff_only = {c.name for c in PRIVATE_COMMANDS} - {c.name for c in for_person("resident")}
    assert {"jobs", "shift", "complaints"} <= staff_only
    assert for_person("guest") == for_person("resident")


def test_help_lines_belong_to_commands_of_the_menu() -> None:
    for role in ("resident", "technician", "dispatcher"):
        shown = {c.name for c in for_person(role)}
        for line in render(menu.help_text(role), "en").splitlines():
            named = {word.strip("/.,;:").split()[0] for word in line.split() if
                     word.startswith("/")}
            assert named <= shown, (role, line)
