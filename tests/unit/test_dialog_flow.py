"""The pieces every conversation shares (dialogs/flow.py): which taps belong to it, what counts
as usable text or a phone number, and the polite refusals — as the person reads them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs import flow
from dialogs.buttons import Verb, tap
from dialogs.events import ChatKind, Event, EventKind, Say
from dialogs.model import Conversation, DialogContext, Unit, VisitHours
from locales import _, render
from tests.support.transcripts import labels

CONTEXT: Final = DialogContext(chat_id=501, language="zh_Hans",
                               units=(Unit(7, "3-1202"), Unit(9, "5-0801")),
                               roster_phone="13800138000")


def conversation() -> Conversation:
    return Conversation("repair", "time", {"nonce": "n0001"})


def event(kind: EventKind = EventKind.TEXT, **fields: Any) -> Event:
    return Event(key="u:1", kind=kind, chat_id=501, chat_kind=ChatKind.PRIVATE, user_id=501,
                 **fields)


def button(data: str) -> Event:
    return event(EventKind.BUTTON, button_data=data, callback_id="cb1")


@pytest.mark.parametrize(("pressed", "value"), [
    (button(tap(Verb.DIALOG, "n0001", "time:asap")), "time:asap"),
    (button(tap(Verb.DIALOG, "n0001", "cancel")), "cancel"),
    (button(tap(Verb.DIALOG, "n0002", "time:asap")), None),  # a button of an older conversation
    (button(tap(Verb.MENU, "repair")), None),  # not this conversation's button at all
    (button("v1:dialog:n0001:time:²"), None),  # forged: not in the button alphabet
    (button("v0:dialog:n0001:time:asap"), None),  # an old format
    (button(""), None),
    (event(text="time:asap"), None),  # typed, not tapped
], ids=["this conversation", "cancel", "older conversation", "menu button", "forged",
        "old format", "empty", "typed"])
def test_a_tap_counts_only_on_this_conversations_buttons(pressed: Event, value: str | None
                                                         ) -> None:
    assert flow.tapped(conversation(), pressed) == value


@pytest.mark.parametrize(("sent", "text"), [
    (event(text="  厨房漏水  "), "厨房漏水"),
    (event(text="漏" * flow.MAX_TEXT), "漏" * flow.MAX_TEXT),
    (event(text="漏" * (flow.MAX_TEXT + 1)), None),  # refused, never cut
    (event(text="   "), None),
    (event(EventKind.PHOTO, text="caption"), None),
    (event(EventKind.UNSUPPORTED), None),
], ids=["trimmed", "at the limit", "over the limit", "blank", "photo caption", "sticker"])
def test_usable_text(sent: Event, text: str | None) -> None:
    assert flow.text_of(sent) == text


@pytest.mark.parametrize(("typed", "phone"), [
    ("13800138000", "13800138000"),
    (" +86 138-0013-8000 ", "+86 138-0013-8000"),
    ("021 6234 5678", "021 6234 5678"),
    ("12345", None),  # too short
    ("1380013800012345678901", None),  # too long
    ("138 0013 800x", None),
    ("my phone", None),
    ("+", None),
])
def test_what_looks_like_a_phone_number(typed: str, phone: str | None) -> None:
    assert flow.phone_of(typed) == phone


@given(st.text())
def test_phone_of_never_raises_and_keeps_what_was_typed(typed: str) -> None:
    phone = flow.phone_of(typed)
    assert phone is None or phone == typed.strip()


@pytest.mark.parametrize(("sent", "said"), [
    (event(EventKind.UNSUPPORTED), ["请选择一个时间，或直接输入。"]),
    (event(text="漏" * 2001), ["消息太长了（2001 字，最多 2000 字）。请精简后重新发送。"]),
], ids=["sticker", "too long"])
def test_a_polite_refusal_leaves_the_conversation_as_it_was(sent: Event, said: list[str]
                                                           ) -> None:
    before = conversation()
    outcome = flow.refuse_input(before, CONTEXT, sent, _("Please pick a time or type one."))
    assert outcome.conversation == conversation() and outcome.command is None
    assert [render(r.text, "zh_Hans") for r in outcome.replies if isinstance(r, Say)] == said


def test_the_shared_keyboards() -> None:
    c = conversation()
    assert labels(flow.time_keyboard(c, CONTEXT), "zh_Hans") == [
        "尽快", "今天下午", "明天上午", "明天下午", "✖ 取消"]
    assert labels(flow.unit_keyboard(c, CONTEXT), "zh_Hans") == ["3-1202", "5-0801", "✖ 取消"]
    assert labels(flow.phone_keyboard(c, CONTEXT), "en") == ["Use 13800138000", "✖ Cancel"]
    no_roster = DialogContext(chat_id=501, language="en")
    assert labels(flow.phone_keyboard(c, no_roster), "en") == ["✖ Cancel"]


@pytest.mark.parametrize(("choice", "sent", "stored"), [
    ("time:asap", event(EventKind.BUTTON), "@asap"),
    (None, event(text="周六上午十点"), "周六上午十点"),
    ("time:yesterday", event(EventKind.BUTTON), None),  # not a quick choice of ours
    (None, event(text="x" * 201), None),
    (None, event(EventKind.UNSUPPORTED), None),
])
def test_a_convenient_time_is_a_quick_choice_or_a_short_text(
        choice: str | None, sent: Event, stored: str | None) -> None:
    c = conversation()
    refused = flow.take_time(c, sent, CONTEXT, choice)
    assert c.data.get("time") == stored
    assert (refused is None) == (stored is not None)


@pytest.mark.parametrize(("choice", "sent", "stored"), [
    ("roster_phone", event(EventKind.BUTTON), "13800138000"),
    (None, event(text="139 0013 9000"), "139 0013 9000"),
    (None, event(EventKind.CONTACT, contact_phone="+8613900001111"), "+8613900001111"),
    (None, event(EventKind.CONTACT, contact_phone=""), None),
    (None, event(text="call me"), None),
])
def test_a_contact_phone_is_the_rosters_a_typed_or_a_shared_one(
        choice: str | None, sent: Event, stored: str | None) -> None:
    c = conversation()
    refused = flow.take_phone(c, sent, CONTEXT, choice)
    assert c.data.get("phone") == stored
    assert (refused is None) == (stored is not None)


@pytest.mark.parametrize(("choice", "stored"), [
    ("unit:9", 9), ("unit:8", None), ("unit:", None), (None, None)])
def test_a_unit_must_be_one_of_the_persons_own(choice: str | None, stored: int | None) -> None:
    c = conversation()
    flow.take_unit(c, event(EventKind.BUTTON), CONTEXT, choice)
    assert c.data.get("unit") == stored


MONDAY_10: Final = VisitHours(
    now=datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    windows={"morning": (time(9), time(12)), "afternoon": (time(14), time(17)),
             "evening": (time(18), time(20))},
    point=timedelta(hours=1), last_call=timedelta(hours=1))


@pytest.mark.parametrize(("description", "offered"), [
    ("卫生间漏水，明天下午在家，电话139 1234 5678", "明天下午 (2026-11-24 14:00–17:00)"),
    ("昨天开始漏水，周三下午三点在家", "周三下午三点 (2026-11-25 15:00–16:00)"),
    ("廁所漏水，聽日下晝喺屋企", "聽日下晝 (2026-11-24 14:00–17:00)"),  # Cantonese
    ("Tap drips. Home Thu 9-11am", "Thu 9-11am (2026-11-26 09:00–11:00)"),
    ("漏水，电话0755-1234 5678", None),  # a phone number is no time
    ("漏水，今天上午八点在家", None),  # already past
    ("漏水，明天晚上十点在家", None),  # after the last window
    ("漏水，明天或后天都行", None),  # no concrete time
    ("漏水，昨天下午发现的", None),
])
def test_a_bookable_time_written_in_the_request_is_read_with_its_window(
        description: str, offered: str | None) -> None:
    c = Conversation("repair", "time", {"nonce": "n0001", "description": description})
    assert flow.written_time(c, DialogContext(chat_id=501, language="zh_Hans",
                                              visits=MONDAY_10)) == offered


# Friday 27 November 2026, 10:00: the office visits Monday to Friday.
FRIDAY_10: Final = VisitHours(
    now=datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    windows=MONDAY_10.windows, point=MONDAY_10.point, last_call=MONDAY_10.last_call,
    open_days=frozenset(datetime(2026, 11, 27).date() + timedelta(days=n) for n in range(31)
                        if (datetime(2026, 11, 27) + timedelta(days=n)).weekday() < 5))


def test_on_a_friday_the_quick_times_are_of_the_next_visit_day() -> None:
    """The office does not visit at the weekend: the resident is offered Monday, named, as
    the technician's buttons offer it; a tap stores that window."""
    context = DialogContext(chat_id=501, language="zh_Hans", visits=FRIDAY_10)
    c = conversation()
    assert labels(flow.time_keyboard(c, context), "zh_Hans") == [
        "尽快", "今天下午", "周一上午", "周一下午", "✖ 取消"]
    english = DialogContext(chat_id=501, language="en", visits=FRIDAY_10)
    assert labels(flow.time_keyboard(c, english), "en")[2:4] == [
        "Monday morning", "Monday afternoon"]
    # An old "Tomorrow morning" button, tapped now, books the next visit day's morning.
    assert flow.take_time(c, event(EventKind.BUTTON), context, "time:tomorrow_am") is None
    assert c.data["time"] == "周一上午 (2026-11-30 09:00–12:00)"


@pytest.mark.parametrize(("typed", "refused"), [
    ("周六上午", True),  # the office does not visit on Saturdays
    ("明天下午三点", True),  # tomorrow is Saturday
    ("下周一下午三点", False),
    ("周一中午12点半", True),  # in the lunch gap between the morning and the afternoon
    ("周一上午十点", False),
])
def test_a_typed_time_on_a_closed_day_or_between_the_windows_is_asked_again(
        typed: str, refused: bool) -> None:
    c = conversation()
    context = DialogContext(chat_id=501, language="en", visits=FRIDAY_10)
    outcome = flow.take_time(c, event(text=typed), context, None)
    assert (outcome is not None) == refused
    if outcome is not None:
        said = render(next(e for e in outcome.replies if isinstance(e, Say)).text, "en")
        assert said == ("Home visits are made Monday–Friday, 09:00–12:00, 14:00–17:00, "
                        "18:00–20:00. Please pick or type a time within those hours.")
