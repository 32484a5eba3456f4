"""Re-grading a complaint whose severity is set: the desk changes it from the card or the
list, gives a reason privately, and the clocks are counted again from the complaint's start."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.drain import drain_once
from storage.complaints import Complaint
from storage.models import Person
from tests.conftest import SHANGHAI
from tests.support.complaints import (
    Chain,
    build_chain,
    clocks,
    complain,
    due,
    events,
    only_complaint,
)
from tests.support.estate import DISPATCH, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


@pytest.fixture
def chain(office: Office, estate: Estate) -> Chain:
    return build_chain(office, estate)


def card(estate: Estate) -> str:
    """The complaint's card in the dispatch chat, as it reads now."""
    return next(m.text for m in estate.desk.messages(DISPATCH) if "📣 Complaint" in m.text)


def regrade(estate: Estate, to: str, reason: str, chat_id: int | None = DISPATCH) -> None:
    """The dispatcher taps "Change the severity" on the card, picks *to*, and gives the reason
    in the private chat the bot asks it in."""
    estate.dispatcher.taps("Change the severity", chat_id=chat_id)
    estate.dispatcher.taps(to, chat_id=chat_id)
    assert "Why is complaint" in estate.dispatcher.last
    estate.dispatcher.says(reason)


def test_a_minor_complaint_found_to_be_a_safety_issue_on_a_friday_afternoon(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI))  # Friday morning
    complain(estate.neighbour,
             "I want to complain: the cleaners left the lobby floor wet with no warning sign")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    assert due(office) == {"response": "2026-11-28 09:30", "resolve": "2026-11-29 09:30"}
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI))
    regrade(estate, "major", "An old man slipped there; it is a safety issue")
    complaint = only_complaint(office)
    assert complaint.severity == "major" and complaint.level == 2
    # The director hears the same day, as for a complaint graded major at once.
    headline = estate.desk.messages(chain.director.user_id)[-2].text
    assert "major complaint" in headline and "take it over by 2026-11-27 17:30" in headline
    # The 2 days to answer and the 10 to resolve count from Friday 09:30, not from the re-grade.
    assert due(office) == {"response": "2026-11-28 09:30", "first_step": "2026-11-27 17:30",
                           "answer": "2026-11-29 09:30", "resolve": "2026-12-07 09:30"}
    assert "2026-11-29 09:30" in estate.neighbour.last and "2026-12-07 09:30" in \
        estate.neighbour.last
    assert {c.kind: c.state for c in clocks(office) if c.state == "stopped"} == {
        "resolve": "stopped"}  # the minor resolve clock gave way
    change = next(e for e in events(office) if e.action == "severity_changed")
    assert change.actor_id is not None and change.chat_id == estate.dispatcher.user_id
    assert (change.detail["from_severity"], change.detail["to_severity"],
            change.detail["reason"]) == ("minor", "major",
                                         "An old man slipped there; it is a safety issue")
    assert "now major (was minor)" in estate.dispatcher.last
    assert "Severity: major" in card(estate)


def test_a_major_complaint_regraded_minor_keeps_its_waiting_time_and_its_owner(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    complain(estate.neighbour, "The guard shouted at my daughter at the gate")  # Monday 10:00
    estate.dispatcher.taps("major", chat_id=DISPATCH)
    clock.advance(timedelta(hours=1))
    estate.dispatcher.taps("Ask the resident", chat_id=DISPATCH)
    estate.dispatcher.says("Which gate, and at what time?")
    clock.advance(timedelta(days=1))
    estate.neighbour.says("Gate 2, about 8 in the evening")  # a day's wait, left out
    clock.advance(timedelta(hours=1))
    regrade(estate, "minor", "A misunderstanding; the guard has apologised")
    complaint = only_complaint(office)
    assert complaint.severity == "minor"
    assert complaint.level == 2, "the director keeps it: nothing goes back down the chain"
    # Two calendar days from Monday 10:00, plus the day spent waiting for the resident.
    assert due(office) == {"resolve": "2026-11-26 10:00"}
    assert "a clear answer to the resident: no longer needed" in card(estate)
    assert "We will resolve it by 2026-11-26 10:00" in estate.neighbour.last
    assert [e.action for e in events(office)][-1] == "severity_changed"


def test_the_list_in_the_dispatch_chat_offers_the_regrade(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    estate.dispatcher.command("complaints", chat_id=DISPATCH)
    listed = estate.desk.last(DISPATCH)
    assert [label for label, _ in listed.buttons] == ["⇅ CP-20261123-0001: change the severity"]
    estate.dispatcher.taps("CP-20261123-0001: change the severity", chat_id=DISPATCH)
    assert "now minor" in estate.desk.last(DISPATCH).text
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    estate.dispatcher.says("ok")  # says nothing: asked again, nothing changed yet
    assert "“ok” says nothing on its own" in estate.dispatcher.last
    assert severity_of(office, "CP-20261123-0001") == "minor"
    estate.dispatcher.says("The same cleaner, third time this month")
    assert severity_of(office, "CP-20261123-0001") == "important"
    choice = next(m for m in estate.desk.messages(DISPATCH) if "Change the severity" in m.text
                  or "is now important" in m.text)
    assert choice.buttons == [] and "is now important (was minor)" in choice.text
    assert "take it over by" in estate.desk.messages(chain.supervisor.user_id)[-2].text


def severity_of(office: Office, number: str) -> str | None:
    with Session(office.engine) as session:
        return session.exec(select(Complaint).where(Complaint.number == number)).one().severity


def test_a_forged_or_unauthorised_regrade_changes_nothing(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The cleaner was rude to my son")
    complaint = only_complaint(office)
    early = estate.dispatcher.presses(tap(Verb.COMPLAINT_DESK, complaint.id, "regrade"),
                                      DISPATCH)
    assert "set the severity first" in estate.dispatcher.toast_for(early)
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    before = [(c.kind, c.state, c.due_at) for c in clocks(office)]
    asked = len(estate.desk.messages(estate.plumber.user_id))
    plumber = estate.plumber.presses(tap(Verb.COMPLAINT_DESK, complaint.id, "to_major"),
                                     DISPATCH)
    assert "只有处理投诉的同事" in estate.plumber.toast_for(plumber)  # Zhang reads Chinese
    assert len(estate.desk.messages(estate.plumber.user_id)) == asked, "no reason asked"
    for forged in ("to_urgent", "to_minor"):  # no such severity; the one it has already
        event = estate.dispatcher.presses(tap(Verb.COMPLAINT_DESK, complaint.id, forged),
                                          DISPATCH)
        assert "out of date" in estate.dispatcher.toast_for(event)
    # A complaint about the service centre: the desk cannot re-grade it, even privately.
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    chain.admin.taps("minor")
    hidden = max(c.complaint_id for c in clocks(office))
    private = estate.dispatcher.presses(tap(Verb.COMPLAINT_STAFF, hidden, "to_major"))
    assert "out of date" in estate.dispatcher.toast_for(private)
    assert "never calls back" not in "\n".join(estate.desk.texts(estate.dispatcher.user_id))
    # Cancelling the reason leaves the severity as it was.
    estate.dispatcher.taps("Change the severity", chat_id=DISPATCH)
    estate.dispatcher.taps("major", chat_id=DISPATCH)
    estate.dispatcher.taps("Cancel")
    assert severity_of(office, complaint.number) == "minor"
    assert severity_of(office, "CP-20261123-0002") == "minor"
    assert [(c.kind, c.state, c.due_at) for c in clocks(office)
            if c.complaint_id == complaint.id] == before
    assert not [e for e in events(office) if e.action == "severity_changed"]


def test_a_reason_from_someone_no_longer_at_the_desk_changes_nothing(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.taps("Change the severity", chat_id=DISPATCH)
    estate.dispatcher.taps("major", chat_id=DISPATCH)
    with Session(office.engine) as session:  # moved to the repair team before answering
        person = session.exec(select(Person).where(
            Person.telegram_user_id == estate.dispatcher.user_id)).one()
        person.role = "technician"
        session.add(person)
        session.commit()
    estate.dispatcher.says("It was a safety issue after all")
    assert "out of date" in estate.dispatcher.last
    assert only_complaint(office).severity == "minor"


def test_a_reopened_complaint_regraded_counts_its_resolve_clock_from_the_reopening(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    """Minor, resolved on Friday; the resident reopens it on Monday; the desk then finds it
    important: the 3 days to resolve count from Monday's reopening, not from Friday."""
    clock.set(datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI))  # Friday morning
    complain(estate.neighbour, "I want to complain: the guard at gate 2 shouted at my children")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.taps("Resolved", chat_id=DISPATCH)
    estate.dispatcher.says("We spoke to the guard; he will apologise to you in person.")
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))  # Monday
    estate.neighbour.taps("Not resolved")
    estate.neighbour.says("He did not apologise, and shouted again.")
    assert due(office)["resolve"] == "2026-12-02 10:00"  # minor: 2 days from the reopening
    clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=SHANGHAI))
    regrade(estate, "important", "The same guard, twice: a service failure")
    assert only_complaint(office).severity == "important"
    assert due(office)["resolve"] == "2026-12-03 10:00"  # 3 days from Monday's reopening


def answer(estate: Estate) -> None:
    """The desk's human word at once: the 24-hour reply is met and escalates nothing."""
    estate.dispatcher.taps("Answer the resident", chat_id=DISPATCH)
    estate.dispatcher.says("Sorry, we are looking into it.")


def test_a_regrade_after_an_escalation_counts_from_receipt_not_from_the_escalation(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    """Minor on Monday 10:00, its 2 days run out on Wednesday 10:00 and it goes to the
    supervisor; re-graded important at 11:00, its 3 days end Thursday 10:00 (from receipt)."""
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    answer(estate)
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))
    drain_once(office)
    assert only_complaint(office).level == 1
    clock.set(datetime(2026, 11, 25, 11, 0, tzinfo=SHANGHAI))
    regrade(estate, "important", "It was the second time this week")
    assert "count from when it was received" in estate.dispatcher.last
    assert due(office)["resolve"] == "2026-11-26 10:00"
    assert "We will resolve it by 2026-11-26 10:00" in estate.neighbour.last


def test_a_regrade_whose_time_from_receipt_has_run_out_is_passed_up(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    """Important on Monday 10:00; re-graded minor on Wednesday 12:00, its 2 days from receipt
    ended at 10:00: it is due at once and the next drain passes it to the director."""
    complain(estate.neighbour, "The cleaner was rude to my son")
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    chain.supervisor.taps("I'll take it")
    answer(estate)
    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI))
    regrade(estate, "minor", "Only a misunderstanding")
    assert due(office)["resolve"] == "2026-11-25 10:00"
    assert "resolve it by" not in estate.neighbour.last, "no promise of a moment gone by"
    drain_once(office)
    assert only_complaint(office).level == 2
    escalated = [e.detail for e in events(office) if e.action == "escalated"]
    assert [(d["clock"], d["to_level"]) for d in escalated] == [("resolve", "director")]
    assert "passed up to the office director: nobody managed to resolve it by 2026-11-25 " \
        "10:00" in estate.desk.messages(chain.director.user_id)[-2].text
