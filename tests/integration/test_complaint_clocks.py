"""Complaint clocks with a fake clock: office hours across a holiday weekend, the 80 % warning,
a pause while the resident is asked, and escalation up every level of the chain."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.drain import drain_once
from tests.conftest import SHANGHAI
from tests.support.complaints import (
    Chain,
    build_chain,
    clocks,
    complain,
    due,
    events,
    local,
    only_complaint,
)
from tests.support.estate import DISPATCH, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


@pytest.fixture
def chain(office: Office, estate: Estate) -> Chain:
    return build_chain(office, estate)


def at(clock: FakeClock, office: Office, moment: str) -> list[str]:
    """Move the office clock to *moment* and run what is due; returns the outcomes."""
    clock.set(datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI))
    report = drain_once(office)
    return sorted(key for key, n in report.counts.items() if n and key.startswith("complaint"))


def test_an_important_complaint_before_a_holiday_weekend(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    # Thursday 24 September 2026, 17:00; Friday 25th is Mid-Autumn, then the weekend.
    clock.set(datetime(2026, 9, 24, 17, 0, tzinfo=SHANGHAI))
    complain(estate.neighbour, "Nobody from the office came although we called twice")
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    # The hour counts only while the desk is open: 30 minutes on Thursday, 30 on Monday.
    assert due(office) == {"response": "2026-09-25 17:00", "first_step": "2026-09-28 09:00",
                           "resolve": "2026-09-27 17:00"}
    # 80 % of the office hour: Thursday's 30 minutes and 18 more on Monday morning.
    assert next(c.warn_at for c in clocks(office) if c.kind == "first_step") == datetime(
        2026, 9, 28, 8, 48, tzinfo=SHANGHAI)
    clock.advance(timedelta(minutes=10))
    estate.dispatcher.taps("Answer the resident", chat_id=DISPATCH)
    estate.dispatcher.says("Sorry. Our supervisor will call you on Monday morning.")
    assert at(clock, office, "2026-09-25 12:00") == []  # a holiday: the hour does not run
    # Days are calendar days: the 3 days to resolve it end on Sunday, and it goes up.
    assert at(clock, office, "2026-09-27 17:00") == ["complaint_deadline:escalated",
                                                     "complaint_warning:warned"]
    assert only_complaint(office).level == 2
    assert at(clock, office, "2026-09-28 08:50") == ["complaint_warning:warned"]
    assert "80 %" in estate.desk.last(chain.director.user_id).text
    assert "take it over" in estate.desk.last(chain.director.user_id).text
    chain.director.taps("I'll take it")
    assert {c.kind: c.state for c in clocks(office)}["first_step"] == "met"


def test_a_question_to_the_resident_pauses_every_clock(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    assert due(office) == {"response": "2026-11-24 10:00", "resolve": "2026-11-25 10:00"}
    clock.advance(timedelta(hours=2))
    estate.dispatcher.taps("Ask the resident", chat_id=DISPATCH)
    estate.dispatcher.says("Which day was it, and at which entrance?")
    assert "Which day was it" in estate.neighbour.chat[-2].text
    assert {c.state for c in clocks(office)} == {"met", "paused"}  # a question is a response
    assert only_complaint(office).status == "paused"
    assert at(clock, office, "2026-11-26 12:00") == []  # waiting: nothing is due
    estate.neighbour.says("Monday, the east entrance")
    assert "east entrance" in estate.desk.last(DISPATCH).text
    # Resolve had 46 of its 48 hours left when the pause began, 3 days ago.
    assert due(office) == {"resolve": "2026-11-28 10:00"}
    resumed = next(e for e in events(office) if e.action == "resumed")
    assert resumed.detail["paused_seconds"] == 3 * 86400
    assert len(only_complaint(office).pauses) == 1


def test_nobody_acts_and_the_complaint_climbs_every_level(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    complain(estate.neighbour,
             "I want to complain: the cleaners ignore our floor, rubbish for a week")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    assert at(clock, office, "2026-11-24 10:00") == ["complaint_deadline:escalated",
                                                     "complaint_warning:warned"]
    assert only_complaint(office).level == 1
    assert "passed up to the supervisor" in estate.desk.messages(chain.supervisor.user_id)[-2].text
    assert due(office)["response"] == "2026-11-25 10:30"  # 8 office hours, lunch and night out
    assert "complaint_deadline:escalated" in at(clock, office, "2026-11-25 10:00")
    assert only_complaint(office).level == 2
    assert "passed up to the office director" in estate.desk.messages(
        chain.director.user_id)[-2].text
    assert "complaint_deadline:escalated" in at(clock, office, "2026-11-25 10:30")
    assert only_complaint(office).level == 3
    assert "passed up to admin/HR" in estate.desk.messages(chain.admin.user_id)[-2].text
    assert "complaint_deadline:overdue" in at(clock, office, "2026-11-26 10:30")
    chain_of = [(e.detail["from_level"], e.detail["to_level"], e.detail["clock"])
                for e in events(office) if e.action == "escalated"]
    assert chain_of == [("desk", "supervisor", "response"), ("supervisor", "director", "resolve"),
                        ("director", "admin", "response")]
    # Admin/HR is the top: a deadline missed there is recorded and told, with nowhere higher.
    assert at(clock, office, "2026-11-26 11:00") == ["complaint_deadline:overdue"]
    assert [e.detail["clock"] for e in events(office) if e.action == "deadline_missed"] == [
        "resolve", "response"]
    assert at(clock, office, "2026-12-30 10:00") == []  # nothing fires twice


def test_the_24_hour_rule_counts_office_hours_when_the_office_says_so(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_RESPONSE_DEADLINE_BASIS", "office")
    from dataclasses import replace

    from handlers.office.rules import load_rules

    office_hours = replace(office, rules=load_rules())
    estate.desk.office = office_hours
    complain(estate.neighbour, "Nobody answers the phone at the office")
    # 24 office hours from Monday 10:00 (7.5 open hours a day): Thursday 11:30.
    assert due(office_hours) == {"response": "2026-11-26 11:30"}


def test_a_result_nobody_answers_closes_itself_after_the_verdict_window(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.taps("Resolved", chat_id=DISPATCH)
    estate.dispatcher.says("We spoke to the cleaner; it will not happen again.")
    assert at(clock, office, "2026-11-25 09:59") == []
    assert at(clock, office, "2026-11-25 10:00") == ["complaint_deadline:closed"]
    assert only_complaint(office).status == "closed"
    assert events(office)[-1].detail["how"] == "no answer from the resident"


def test_frontline_jobs_shows_the_complaint_clocks(estate: Estate, chain: Chain,
                                                   office: Office) -> None:
    from scheduler.agenda import agenda

    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    items, counts = agenda(office)
    planned = [(i.kind, i.target, local(i.due)) for i in items
               if i.kind.startswith("complaint")]
    assert ("complaint_deadline", "CP-20261123-0001 response", "2026-11-24 10:00") in planned
    assert ("complaint_warning", "CP-20261123-0001 resolve", "2026-11-25 00:24") in planned
    assert counts["complaint_deadline"] == 2 and counts["complaint_warning"] == 2
