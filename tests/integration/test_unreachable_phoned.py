"""A resident who blocked the bot: dispatch phones her and records how the call went on the
phone task itself.

Wang (3-1202) reports a dripping tap, then blocks the bot; Zhang the plumber takes the job, so
a message for her is held and 调度台 gets the phone task with "reached" / "not reachable"
buttons. Only a dispatcher or manager may record the call; "not reachable" keeps the buttons
for another try, "reached" closes the task; once she is back on Telegram the buttons are gone.
"""

from __future__ import annotations

import pytest

from handlers.office import Office
from handlers.office.permissions import OUT_OF_DATE
from locales import render
from tests.support.desk import Shown
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.orders import events
from tests.support.repairs import report_tap_leak

WANG = 101
REACHED, UNREACHABLE = "已电话联系上", "电话未能接通"


@pytest.fixture
def estate(office: Office) -> Estate:
    estate = build_estate(office)
    report_tap_leak(estate)
    estate.desk.blocked.add(WANG)
    estate.plumber.taps("接单", chat_id=PLUMBERS)  # "accepted by 张师傅": held for her
    return estate


def phone_task(estate: Estate) -> Shown:
    """Dispatch's card about reaching Wang on Telegram (not the survey's callback card)."""
    [task] = [m for m in estate.desk.messages(DISPATCH)
              if "王芳" in m.text and "13800000001" in m.text and "Telegram" in m.text]
    return task


def now_shown(estate: Estate, card: Shown) -> Shown:
    """The card as the dispatch chat shows it now."""
    return next(m for m in estate.desk.messages(DISPATCH) if m.message_id == card.message_id)


def labels(shown: Shown) -> list[str]:
    return [label for label, _ in shown.buttons]


def test_only_dispatch_records_the_call_and_the_task_shows_how_it_went(
        estate: Estate, office: Office) -> None:
    liu, zhang = estate.dispatcher, estate.plumber
    task = phone_task(estate)
    assert any(REACHED in label for label in labels(task))
    assert any(UNREACHABLE in label for label in labels(task))

    tap = zhang.taps(REACHED, chat_id=DISPATCH)  # a technician in the dispatch chat
    assert "调度" in zhang.toast_for(tap) and "主管" in zhang.toast_for(tap)
    assert now_shown(estate, task).text == task.text
    assert not events(office, "held_messages_phoned")

    tap = liu.taps(UNREACHABLE, chat_id=DISPATCH)
    assert liu.toast_for(tap)
    tried = now_shown(estate, task)  # the same card, edited
    [noted] = events(office, "held_messages_phoned")
    held = noted.detail["held"]  # still waiting for her: the acceptance and what came with it
    assert noted.detail["outcome"] == "unreachable" and held >= 1
    assert tried.text.startswith("📵") and "刘调度" in tried.text and f"{held}条" in tried.text
    assert any(REACHED in label for label in labels(tried))  # another try is still to come

    liu.taps(REACHED, chat_id=DISPATCH)
    reached = now_shown(estate, task)
    assert reached.text.startswith("📞") and "刘调度" in reached.text and not reached.buttons
    assert [(e.detail["outcome"], e.detail["held"]) for e in
            events(office, "held_messages_phoned")] == [("unreachable", held), ("reached", held)]


def test_once_she_is_back_the_call_buttons_are_out_of_date(estate: Estate,
                                                          office: Office) -> None:
    liu, wang, desk = estate.dispatcher, estate.resident, estate.desk
    task = phone_task(estate)
    _, stale = desk.find_button(DISPATCH, REACHED)
    desk.blocked.discard(WANG)
    wang.says("你好")
    released = now_shown(estate, task)
    assert released.text.startswith("✅") and not released.buttons
    tap = liu.presses(stale, DISPATCH, task.message_id)
    assert liu.toast_for(tap) == render(OUT_OF_DATE, "zh_Hans")
    assert not events(office, "held_messages_phoned")
