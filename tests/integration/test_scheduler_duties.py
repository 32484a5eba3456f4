"""The month's callback duties: the 1st's list, the 10th's escalation (2.7.3), the 20th's
reminder when on-site callbacks (2.7.4) or managers' spot checks (2.7.5) are behind."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session

from dialogs.buttons import Verb, tap
from handlers.callback_surveys.monthly_duties import quotas
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.rules import OfficeRules
from handlers.registration import roster
from scheduler.drain import duties_once
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate
from tests.support.orders import (
    confirm,
    finish,
    open_order,
    order_row,
    phoned,
    sh,
    survey_row,
    surveyed,
)


@pytest.fixture
def estate(office: Office) -> Estate:
    estate = build_estate(office, staff_language="en")
    duties_once(office)  # Nov 23: November's duties are settled before the test begins
    return estate


def test_the_1st_lists_last_months_open_callbacks_and_the_10th_escalates_them(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    answered = surveyed(office, clock, li, estate.plumber)
    li.taps("5")
    order_id = open_order(office, li, status="accepted", assignee=estate.plumber2)
    finish(office, order_id)
    still_open = confirm(office, order_id)
    number = order_row(office, order_id).number
    answered_number = order_row(office, survey_row(office, answered).order_id).number

    clock.set(sh(2026, 12, 1, 8, 59))
    assert not duties_once(office)
    clock.set(sh(2026, 12, 1, 9, 0))
    assert duties_once(office).counts["callbacks_list:done"] == 1
    listing = desk.last(DISPATCH).text
    assert "2026-11" in listing and number in listing and answered_number not in listing
    assert "Done 1 of 2" in listing
    assert not duties_once(office)  # once a month

    clock.set(sh(2026, 12, 10, 9, 0))
    managers_before = len(desk.texts(MANAGERS))
    assert duties_once(office).counts["callbacks_overdue:done"] == 1
    escalation = desk.last(MANAGERS).text
    assert number in escalation and "after day 10" in escalation
    assert not duties_once(office)
    assert len(desk.texts(MANAGERS)) == managers_before + 1
    assert survey_row(office, still_open).state != "done"  # escalated, not closed


def test_nothing_open_on_the_10th_means_no_escalation(estate: Estate, office: Office,
                                                      clock: FakeClock) -> None:
    surveyed(office, clock, estate.neighbour, estate.plumber)
    estate.neighbour.taps("4")
    clock.set(sh(2026, 12, 10, 9, 0))
    before = len(estate.desk.texts(MANAGERS))
    assert duties_once(office).counts["callbacks_overdue:done"] == 1
    assert len(estate.desk.texts(MANAGERS)) == before


def test_the_20th_reminds_when_on_site_callbacks_and_spot_checks_are_behind(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    desk, li, dispatcher = estate.desk, estate.neighbour, estate.dispatcher
    boss = desk.person(401, "Boss", "en")
    boss.command("start", roster.create_invite(office, "staff", "manager", [], "Boss"))
    clock.set(sh(2026, 12, 2, 10, 0))
    duties_once(office)  # December's 1st
    first = surveyed(office, clock, li, estate.plumber)
    li.taps("5")
    second = surveyed(office, clock, li, estate.plumber2)
    li.taps("4")

    clock.set(sh(2026, 12, 20, 9, 0))
    assert duties_once(office).counts["quota_check:done"] == 1
    onsite = desk.last(DISPATCH)
    assert "On-site callbacks in 2026-12: 0 of at least 1" in onsite.text
    assert {data for _, data in onsite.buttons} == {tap(Verb.ONSITE, first),
                                                   tap(Verb.ONSITE, second)}
    checks = desk.last(MANAGERS)
    assert "spot checks in 2026-12: 0 of 2" in checks.text

    refused = dispatcher.presses(tap(Verb.SPOT_CHECK, first), chat_id=MANAGERS)  # not a manager
    assert dispatcher.toast_for(refused) and survey_row(office, first).spot_checked_at is None
    boss.taps("🔎", chat_id=MANAGERS)
    dispatcher.taps("🏠", chat_id=DISPATCH)
    again = dispatcher.presses(onsite.buttons[0][1], chat_id=DISPATCH)
    assert dispatcher.toast_for(again)
    with Session(office.engine) as session:
        month = quotas(session, 202612, office.timezone, office.rules)
    assert (month.total, month.done, month.onsite, month.spot_checks) == (2, 2, 1, 1)
    assert not duties_once(office)


def test_the_lists_name_the_offices_own_due_day(office: Office, clock: FakeClock) -> None:
    # The office gives its callbacks until the 15th: the 1st's list promises that day, and the
    # escalation comes on the 15th and says so — never the manual's 10th.
    office = dataclasses.replace(office, rules=OfficeRules.model_validate(
        {"callbacks_due_day": 15}))
    estate = build_estate(office, staff_language="en")
    duties_once(office)
    order_id = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    confirm(office, order_id)
    clock.set(sh(2026, 12, 1, 9, 0))
    assert duties_once(office).counts["callbacks_list:done"] == 1
    listing = estate.desk.last(DISPATCH).text
    assert "day 15" in listing and "10" not in listing.splitlines()[0]
    clock.set(sh(2026, 12, 10, 9, 0))
    assert not duties_once(office)
    clock.set(sh(2026, 12, 15, 9, 0))
    assert duties_once(office).counts["callbacks_overdue:done"] == 1
    escalation = estate.desk.last(MANAGERS).text
    assert "after day 15" in escalation and "10th" not in escalation


def test_a_callback_closed_as_could_not_reach_is_not_escalated_on_the_10th(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    survey_id = phoned(office, clock, estate.neighbour, estate.plumber)
    number = order_row(office, survey_row(office, survey_id).order_id).number
    estate.dispatcher.presses(tap(Verb.CALL_RESULT, survey_id, "wrong_number", 0),
                              chat_id=DISPATCH)
    clock.set(sh(2026, 12, 10, 9, 0))
    duties_once(office)
    assert not any(number in text for text in estate.desk.texts(MANAGERS))


def test_the_1st_counts_callbacks_closed_without_reaching_the_resident_apart(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    # One callback rated, one closed as a wrong number: the list says so, as the report's
    # "closed, resident not reached" does — not just "done 1 of 2".
    survey_id = phoned(office, clock, estate.neighbour, estate.plumber)
    estate.dispatcher.presses(tap(Verb.CALL_RESULT, survey_id, "wrong_number", 0),
                              chat_id=DISPATCH)
    surveyed(office, clock, estate.neighbour, estate.plumber2)
    estate.neighbour.taps("5")
    clock.set(sh(2026, 12, 1, 9, 0))
    assert duties_once(office).counts["callbacks_list:done"] == 1
    listing = estate.desk.last(DISPATCH).text
    assert "Done 1 of 2; closed, resident not reached 1;" in listing
    assert "0 still open" in listing
