"""Dispatch is never asked to phone a resident about "not answering" a survey her chat never
held (issue 15, item 5): the phone task says whether the survey was sent and unanswered, sent
but never delivered (she blocked the bot meanwhile), or never sent at all (no daytime left in
its window after downtime; the bot cannot reach her).

Li (English) is the resident; the dispatcher reads English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.office import Office
from handlers.office.clock import FakeClock
from tests.support.desk import Person
from tests.support.estate import DISPATCH, Estate, build_estate
from tests.support.orders import confirm, due, finish, open_order, sh, survey_row, surveyed


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def _signed(office: Office, resident: Person, technician: Person) -> int:
    """A job *technician* finished and *resident* signed just now; its survey's id."""
    order_id = open_order(office, resident, status="accepted", assignee=technician)
    finish(office, order_id)
    return confirm(office, order_id)


def _phone_task(estate: Estate) -> str:
    return next(m.text for m in reversed(estate.desk.messages(DISPATCH))
                if "Callback needed" in m.text)


def test_a_survey_she_saw_and_left_unanswered_says_so(estate: Estate, office: Office,
                                                      clock: FakeClock) -> None:
    survey_id = surveyed(office, clock, estate.neighbour, estate.plumber)
    assert "How satisfied" in estate.neighbour.last  # her chat holds the survey
    clock.set(sh(2026, 11, 25, 10, 0))
    assert due(office).counts["survey:phone"] == 1
    task = _phone_task(estate)
    assert "the survey was sent at 2026-11-23 11:00 and not answered by 2026-11-25 10:00" in task
    assert survey_row(office, survey_id).phone_reason == "unanswered"


def test_a_survey_that_never_reached_her_chat_is_not_called_unanswered(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = _signed(office, li, estate.plumber)
    estate.desk.blocked.add(li.user_id)  # she blocked the bot: Telegram answers 403
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:sent"] == 1
    assert not any("How satisfied" in text for text in estate.desk.texts(li.user_id))
    clock.set(sh(2026, 11, 25, 10, 0))
    assert due(office).counts["survey:phone"] == 1
    task = _phone_task(estate)
    assert "never reached the resident's chat" in task and "not answered" not in task
    assert survey_row(office, survey_id).phone_reason == "undelivered"


def test_a_survey_never_sent_after_downtime_says_why(estate: Estate, office: Office,
                                                     clock: FakeClock) -> None:
    li = estate.neighbour
    survey_id = _signed(office, li, estate.plumber)
    clock.set(sh(2026, 11, 26, 9, 0))  # the bot was down until after the window closed
    assert due(office).counts["survey:phone"] == 1
    task = _phone_task(estate)
    assert "the survey was never sent — no daytime hours were left" in task
    assert not any("How satisfied" in text for text in estate.desk.texts(li.user_id))
    assert survey_row(office, survey_id).phone_reason == "no_daytime"


def test_a_resident_the_bot_cannot_reach_is_phoned_for_that_reason(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li = estate.neighbour
    estate.desk.blocked.add(li.user_id)
    first = surveyed(office, clock, li, estate.plumber)  # bounces: she is flagged unreachable
    estate.desk.deliver()
    second = _signed(office, li, estate.plumber2)
    clock.advance(timedelta(hours=1))
    assert due(office).counts["survey:phone"] == 1
    assert "the resident cannot be reached in the bot" in _phone_task(estate)
    assert survey_row(office, second).phone_reason == "unreachable"
    assert survey_row(office, first).state == "sent"
