"""Complaints past the desk: about the service centre itself (admin/HR only, in every chat and
list), damage still happening (an urgent order first), the result the same day, reopening
once, the rating and the terminal's lists."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dialogs.buttons import Verb, tap
from handlers.front_desk import complaint_records
from handlers.office import Office
from handlers.registration import roster
from storage.models import WorkOrder
from tests.support.complaints import Chain, build_chain, complain, events, only_complaint
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS, Estate, build_estate


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


@pytest.fixture
def chain(office: Office, estate: Estate) -> Chain:
    return build_chain(office, estate)


def groups_text(estate: Estate) -> str:
    return "\n".join(m.text for chat in (DISPATCH, MANAGERS, PLUMBERS)
                     for m in estate.desk.messages(chat))


# -- about the service centre --------------------------------------------------------------
def test_a_complaint_about_the_desk_reaches_only_admin_hr(
        estate: Estate, chain: Chain, office: Office) -> None:
    before = groups_text(estate)
    complain(estate.neighbour, "The woman at the service desk laughed at my question",
             about="Customer service")
    complaint = only_complaint(office)
    assert complaint.about_service_centre and complaint.level == 3
    assert groups_text(estate) == before, "nothing about it in any staff group"
    assert "admin/HR" in estate.neighbour.last
    card = estate.desk.last(chain.admin.user_id)
    assert "laughed" in card.text and "admin/HR only" in card.text
    for person in (estate.dispatcher, chain.supervisor, chain.director):
        assert "laughed" not in "\n".join(estate.desk.texts(person.user_id))
    # The desk's list leaves it out; a forged tap learns nothing.
    estate.dispatcher.command("complaints", chat_id=DISPATCH)
    assert "No open complaints" in estate.desk.last(DISPATCH).text
    forged = estate.dispatcher.presses(tap(Verb.COMPLAINT_DESK, complaint.id, "sev_minor"),
                                       DISPATCH)
    assert "out of date" in estate.dispatcher.toast_for(forged)
    private = estate.dispatcher.presses(tap(Verb.COMPLAINT_STAFF, complaint.id, "answer"))
    assert "out of date" in estate.dispatcher.toast_for(private)
    assert only_complaint(office).severity is None
    # Admin/HR works it privately.
    chain.admin.taps("minor")
    chain.admin.command("complaints")
    assert complaint.number in estate.desk.last(chain.admin.user_id).text


def test_with_nobody_at_admin_hr_the_director_works_a_complaint_about_the_desk(
        estate: Estate, office: Office) -> None:
    """No admin/HR registered yet: the complaint goes privately to the director, who may
    grade, answer, take and resolve it; the desk it is about still may not."""
    director = estate.desk.person(402, "Zhou (director)", "en")
    director.command("start", roster.create_invite(office, "staff", "manager", [],
                                                   "Zhou (director)", "director"))
    before = groups_text(estate)
    complain(estate.neighbour, "The front desk hung up on me twice",
             about="Customer service")
    assert "hung up" in estate.desk.last(director.user_id).text
    assert groups_text(estate) == before
    forged = estate.dispatcher.presses(tap(Verb.COMPLAINT_STAFF, only_complaint(office).id,
                                           "sev_minor"))
    assert "out of date" in estate.dispatcher.toast_for(forged)
    director.taps("important")
    assert only_complaint(office).severity == "important"
    director.command("complaints")
    assert only_complaint(office).number in estate.desk.last(director.user_id).text
    director.taps("I'll take it")
    director.taps("Answer the resident")
    director.says("I am sorry; I will speak to the desk today.")
    assert "speak to the desk today" in estate.neighbour.last
    director.taps("Resolved")
    director.says("The desk has apologised and calls you back within the hour now.")
    assert "calls you back" in estate.neighbour.chat[-1].text
    assert [e.action for e in events(office)] == [
        "received", "severity_set", "taken", "answered", "resolved"]
    assert "hung up" not in "\n".join(estate.desk.texts(estate.dispatcher.user_id))


def test_the_terminal_hides_complaints_about_the_desk_unless_hr_asks(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    complain(estate.neighbour, "The cleaner leaves rubbish bags in the corridor")
    assert [c["about_service_centre"] for c in complaint_records.list_complaints(office)] == [
        False]
    assert len(complaint_records.list_complaints(office, hr=True)) == 2
    hidden = complaint_records.list_complaints(office, hr=True)[1]["number"]
    assert complaint_records.show_complaint(office, hidden) is None
    assert complaint_records.show_complaint(office, hidden, hr=True) is not None


def test_a_name_of_someone_at_the_desk_counts_as_the_desk(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    li.says("I want to complain about how I was treated on the phone")
    for _ in range(2):
        li.taps("Skip")
    li.says("刘调度")  # the dispatcher's name, typed as "who it is about"
    li.taps("Skip")
    li.taps("No particular date")
    li.taps("No photos")
    li.taps("Submit")
    assert only_complaint(office).about_service_centre


# -- damage first --------------------------------------------------------------------------
def test_damage_still_happening_opens_an_urgent_order_first(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    li.says("Water keeps coming in from the flat upstairs and nobody from the office cares")
    assert "still causing damage" in li.last
    li.taps("Yes, send someone now")
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert order.preferred_time == "@asap" and order.trade == "civil"
    assert order.number in li.chat[-2].text and "When did it happen" in li.last
    assert order.number in estate.desk.last(DISPATCH).text
    for label in ("Skip", "Skip", "Skip", "Skip", "No particular date", "No photos"):
        li.taps(label)
    assert "Urgent job opened" in li.last
    li.taps("Submit")
    assert only_complaint(office).work_order_id == order.id


def test_a_blocked_exit_is_sent_to_the_public_area_not_the_residents_home(
        estate: Estate, chain: Chain, office: Office) -> None:
    estate.neighbour.says("I want to complain: the fire exit on our stairs is blocked by "
                          "boxes and nobody does anything")
    estate.neighbour.taps("Yes, send someone now")
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder)).one()
    assert (order.trade, order.location, order.household_id) == ("security", "public", None)
    assert "Public area" in estate.desk.last(DISPATCH).text or any(
        "Public area" in text for text in estate.desk.texts(DISPATCH))


def test_no_damage_means_no_order(estate: Estate, chain: Chain, office: Office) -> None:
    estate.neighbour.says("I want to make a complaint: no water all day and nobody warned us")
    estate.neighbour.taps("No")
    assert "When did it happen" in estate.neighbour.last
    with Session(office.engine) as session:
        assert session.exec(select(WorkOrder)).first() is None


# -- the result ----------------------------------------------------------------------------
def test_the_result_reaches_the_resident_who_may_reopen_once_then_rate(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    complain(li, "The guard at gate 2 shouted at my children")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.taps("Resolved", chat_id=DISPATCH)
    estate.dispatcher.says("We spoke to the guard; he will apologise to you in person.")
    assert "apologise to you in person" in li.last
    assert [label for label, _ in li.chat[-1].buttons] == ["👍 Accept", "↩ Not resolved: reopen"]
    assert "Resolved" not in str(estate.desk.last(DISPATCH).buttons)
    li.taps("Not resolved")
    li.says("He did not apologise.")
    complaint = only_complaint(office)
    assert complaint.status == "open" and complaint.reopen_count == 1
    assert "did not apologise" in "\n".join(estate.desk.texts(DISPATCH))
    estate.dispatcher.taps("Resolved", chat_id=DISPATCH)
    estate.dispatcher.says("He apologised this morning at the gate.")
    assert [label for label, _ in li.chat[-1].buttons] == ["👍 Accept"]  # reopen only once
    li.taps("Accept")
    assert only_complaint(office).status == "closed"
    li.taps("2")
    assert only_complaint(office).rating == 2
    assert "rated the handling" in estate.desk.last(MANAGERS).text
    again = li.presses(tap(Verb.COMPLAINT_RATE, complaint.id, 5))
    assert li.toast_for(again) and only_complaint(office).rating == 2
    assert [e.action for e in events(office)][-6:] == [
        "resolved", "reopened", "resolved", "closed", "rated", "low_rating_to_managers"]


def test_a_neighbour_cannot_accept_or_reopen_someone_elses_complaint(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The guard at gate 2 shouted at my children")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.taps("Resolved", chat_id=DISPATCH)
    estate.dispatcher.says("Sorted.")
    complaint = only_complaint(office)
    forged = estate.resident.presses(tap(Verb.COMPLAINT_VERDICT, complaint.id, "accept"))
    assert estate.resident.toast_for(forged)
    assert only_complaint(office).status == "resolved"


def test_the_cli_lists_and_shows_complaints_with_their_events(
        estate: Estate, chain: Chain, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    complain(estate.neighbour, "The guard at gate 2 shouted at my children")
    estate.dispatcher.taps("major", chat_id=DISPATCH)
    from bot.cli import app

    url = office.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    env = {"FRONTLINE_DATABASE_URL": url}
    listed = json.loads(runner.invoke(app, ["complaints", "list", "--severity", "major",
                                            "--json"], env=env).stdout)
    assert [c["severity"] for c in listed] == ["major"]
    number = listed[0]["number"]
    shown = json.loads(runner.invoke(app, ["complaints", "show", number, "--json"],
                                     env=env).stdout)
    assert [e["action"] for e in shown["events"]] == ["received", "severity_set", "handed_over"]
    assert {c["duty"] for c in shown["clocks"]} == {"response", "first_step", "answer",
                                                    "resolve"}
    bad = runner.invoke(app, ["complaints", "list", "--status", "lost"], env=env)
    assert bad.exit_code == 2 and "unknown status" in bad.output
