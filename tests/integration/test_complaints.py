"""Complaints at the desk: intake in words or from the menu, the thanks and the promise, the
severity tap, the hand-over to the supervisor or the director, taking it over; more words or
photos while it is open, added to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from handlers.office import Office
from handlers.office.clock import FakeClock
from storage.complaints import Complaint
from tests.support.complaints import Chain, build_chain, clocks, complain, events, only_complaint
from tests.support.estate import DISPATCH, MANAGERS, Estate, build_estate
from tests.support.orders import events as order_events


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


@pytest.fixture
def chain(office: Office, estate: Estate) -> Chain:
    return build_chain(office, estate)


def test_a_complaint_in_words_is_recorded_with_thanks_and_a_promise(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    complain(li, "The security guard at gate 2 was very rude to my mother")
    thanks = li.last
    assert "sorry" in thanks and "CP-20261123-0001" in thanks and "2026-11-24 10:00" in thanks
    assert not any(m.buttons for m in li.chat[2:])  # every question of the dialog is closed
    complaint = only_complaint(office)
    assert complaint.status == "new" and complaint.severity is None
    assert complaint.suggested_severity in ("minor", "important", "major")
    card = estate.desk.last(DISPATCH)
    assert "gate 2" in card.text and "Li Lei 3-1203" in card.text
    assert [label.lstrip("★ ") for label, _ in card.buttons] == ["major", "important", "minor"]
    assert [c.kind for c in clocks(office)] == ["response"]


def test_the_menu_asks_what_happened_first(estate: Estate) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Complain")
    assert "what happened" in li.last


def test_the_desk_sets_the_severity_and_the_supervisor_is_asked_to_take_it(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The cleaner keeps leaving rubbish bags in our corridor")
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    complaint = only_complaint(office)
    assert complaint.severity == "important" and complaint.level == 1
    assert "supervisor" in estate.neighbour.last and "2026-11-26 10:00" in estate.neighbour.last
    headline, private = estate.desk.messages(chain.supervisor.user_id)[-2:]
    assert "take it over by 2026-11-23 11:00" in headline.text
    assert any("I'll take it" in label for label, _ in private.buttons)
    assert complaint.number in estate.desk.last(MANAGERS).text
    assert {c.kind: c.state for c in clocks(office)} == {
        "response": "running", "first_step": "running", "resolve": "running"}
    chain.supervisor.taps("I'll take it")
    complaint = only_complaint(office)
    assert complaint.owner_id is not None and complaint.taken_at is not None
    assert {c.kind: c.state for c in clocks(office)}["first_step"] == "met"
    assert [e.action for e in events(office)] == ["received", "severity_set", "handed_over",
                                                 "taken"]


def test_a_major_complaint_goes_to_the_director_the_same_day(
        estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "Your contractor broke the fire door and left it open")
    estate.dispatcher.taps("major", chat_id=DISPATCH)
    assert only_complaint(office).level == 2
    assert "by 2026-11-23 17:30" in estate.desk.messages(chain.director.user_id)[-2].text
    assert "clear answer by 2026-11-25 10:00" in estate.neighbour.last
    assert "2026-12-03 10:00" in estate.neighbour.last
    # A supervisor may not take what belongs to the director.
    tap = chain.supervisor.taps("I'll take it", chat_id=MANAGERS)
    assert "director" in chain.supervisor.toast_for(tap)
    assert only_complaint(office).owner_id is None


def test_a_severity_is_set_once(estate: Estate, chain: Chain, office: Office) -> None:
    complain(estate.neighbour, "The lift was dirty all week")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    shown, data = estate.desk.find_button(DISPATCH, "Answer the resident")
    assert shown.buttons and "minor" not in [label for label, _ in shown.buttons]
    again = estate.dispatcher.presses(data.replace("answer", "sev_major"), DISPATCH)
    assert "already set" in estate.dispatcher.toast_for(again)
    assert only_complaint(office).severity == "minor"


def test_a_technician_cannot_act_on_a_complaint(estate: Estate, chain: Chain,
                                                 office: Office) -> None:
    complain(estate.neighbour, "The parking attendant shouted at me")
    _, data = estate.desk.find_button(DISPATCH, "important")
    tap = estate.plumber.presses(data, DISPATCH)
    assert estate.plumber.toast_for(tap)
    assert only_complaint(office).severity is None


def test_the_desk_lists_open_complaints_with_their_clocks(estate: Estate, chain: Chain,
                                                          office: Office) -> None:
    complain(estate.neighbour, "The lift was dirty all week")
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    estate.dispatcher.command("complaints", chat_id=DISPATCH)
    listed = estate.desk.last(DISPATCH).text
    assert "Open complaints (1)" in listed and "CP-20261123-0001 · minor" in listed
    assert "next: a reply to the resident by 2026-11-24 10:00" in listed
    estate.neighbour.command("complaints")
    assert "Only the staff" in estate.neighbour.last


def test_the_residents_date_reads_as_that_day_everywhere(estate: Estate, chain: Chain,
                                                        office: Office) -> None:
    """"Today" on Monday the 23rd is the 23rd on the card, and the minor complaint's resolve
    deadline, the end of that day, reads "2026-11-23 24:00" to the desk and the resident."""
    complain(estate.neighbour, "The cleaner was rude to my son", deadline="Today")
    assert "The resident's date: 2026-11-23" in estate.desk.last(DISPATCH).text
    estate.dispatcher.taps("minor", chat_id=DISPATCH)
    assert "resolve it by 2026-11-23 24:00" in estate.neighbour.last
    card = estate.desk.last(DISPATCH).text
    assert "The resident's date: 2026-11-23" in card and "resolved: due 2026-11-23 24:00" in card


def test_a_typed_date_is_the_residents_date_on_the_card(estate: Estate, chain: Chain) -> None:
    li = estate.neighbour
    li.says("The cleaner was rude to my son")
    for _ in ("when", "where", "who", "wants"):
        li.taps("Skip")
    li.says("11-25")
    li.taps("No photos")
    li.taps("Submit")
    assert "The resident's date: 2026-11-25" in estate.desk.last(DISPATCH).text


def test_a_complaint_whose_owner_leaves_the_staff_is_offered_again_with_its_clocks_running(
        estate: Estate, chain: Chain, office: Office) -> None:
    from sqlmodel import Session, select

    from handlers.registration import roster
    from storage.models import Person

    complain(estate.neighbour, "The cleaner keeps leaving rubbish bags in our corridor")
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    chain.supervisor.taps("I'll take it")
    with Session(office.engine) as session:
        sun = session.exec(select(Person.id).where(
            Person.telegram_user_id == chain.supervisor.user_id)).one()
    assert sun is not None
    roster.remove_staff(office, sun, by="office admin")
    complaint = only_complaint(office)
    assert complaint.owner_id is None and complaint.level == 1
    told = "\n".join(estate.desk.texts(DISPATCH)[-3:])
    assert "Sun (supervisor)" in told and complaint.number in told
    assert "take it over by 2026-11-23 11:00" in estate.desk.texts(MANAGERS)[-1]
    card = estate.desk.messages(MANAGERS)[-2]
    assert "(Sun (supervisor))" not in card.text
    assert any("I'll take it" in label for label, _ in card.buttons)
    assert {c.kind: c.state for c in clocks(office) if c.state == "running"}.keys() == {
        "response", "first_step", "resolve"}
    assert events(office)[-1].action == "owner_left"
    chain.director.taps("I'll take it", chat_id=MANAGERS)
    assert only_complaint(office).owner_id is not None


def test_the_same_complaint_again_within_the_hour_is_added_to_the_first(
        estate: Estate, chain: Chain, office: Office, clock: FakeClock) -> None:
    from sqlmodel import Session, select

    from storage.complaints import Complaint

    li = estate.neighbour
    complain(li, "The cleaner keeps leaving rubbish bags in our corridor")
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    clock.advance(timedelta(minutes=40))
    complain(li, "the cleaner keeps leaving rubbish bags in our corridor!", from_menu=True)
    with Session(office.engine) as session:
        assert len(session.exec(select(Complaint)).all()) == 1
    assert "CP-20261123-0001" in li.last and "CP-20261123-0002" not in li.last
    told = estate.desk.last(chain.supervisor.user_id).text
    assert "again" in told and "CP-20261123-0001" in told
    assert "again" in estate.desk.last(MANAGERS).text
    assert events(office)[-1].action == "repeated"
    # An hour later it is a complaint of its own.
    clock.advance(timedelta(minutes=61))
    complain(li, "The cleaner keeps leaving rubbish bags in our corridor", from_menu=True)
    assert "CP-20261123-0002" in li.last


def test_the_photos_of_a_complaint_reach_the_staff_who_get_its_card(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    def with_photos(*photos: str, from_menu: bool = False) -> None:
        if from_menu:  # words alone, while the complaint is open, are added to it at once
            li.command("menu")
            li.taps("Complain")
        li.says("The cleaner keeps leaving rubbish bags in our corridor")
        for _step in ("when", "where", "who", "wants"):
            li.taps("Skip")
        li.taps("No particular date")
        li.sends_album(*photos)
        li.taps("Done with photos")
        li.taps("Submit")

    with_photos("bags-1", "bags-2", "bags-3")
    shown = [m for m in estate.desk.messages(DISPATCH) if m.photos]
    assert [m.photos for m in shown] == [["bags-1", "bags-2", "bags-3"]]
    assert "CP-20261123-0001" in shown[0].text
    estate.dispatcher.taps("important", chat_id=DISPATCH)
    mine = [m.photos for m in estate.desk.messages(chain.supervisor.user_id) if m.photos]
    assert mine == [["bags-1", "bags-2", "bags-3"]]
    estate.dispatcher.taps("Answer the resident", chat_id=DISPATCH)
    estate.dispatcher.says("Sorry. Our supervisor will call you today.")
    assert len([m for m in estate.desk.messages(DISPATCH) if m.photos]) == 1  # once a chat
    with_photos("bags-4", from_menu=True)  # again: its new photo goes to the complaint's owners
    assert estate.desk.messages(chain.supervisor.user_id)[-1].photos == ["bags-4"]
    assert only_complaint(office).photos == ["bags-1", "bags-2", "bags-3", "bags-4"]


# -- more from a resident whose complaint is open: added to it, not taken in again ----------
RUBBISH = "The cleaner keeps leaving rubbish bags in our corridor"


def _with_the_supervisor(estate: Estate) -> None:
    complain(estate.neighbour, RUBBISH)
    estate.dispatcher.taps("important", chat_id=DISPATCH)  # the supervisor's now


def _more(office: Office) -> list[dict[str, object]]:
    return [e.detail for e in events(office) if e.action == "wrote_more"]


def test_more_words_and_a_photo_reach_the_complaints_owner_and_are_kept_on_it(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    _with_the_supervisor(estate)
    li.says("And today again there are three bags of rubbish outside my door")
    with Session(office.engine) as session:
        assert len(session.exec(select(Complaint)).all()) == 1
    told = estate.desk.last(chain.supervisor.user_id).text
    assert "wrote more" in told and "CP-20261123-0001" in told and "three bags" in told
    assert "CP-20261123-0001" in li.last and "added" in li.last
    assert "2026-11-24 10:00" in li.last  # the reply still due
    assert [d["text"] for d in _more(office)] == [
        "And today again there are three bags of rubbish outside my door"]
    li.says("你们到底管不管")
    assert "你们到底管不管" in estate.desk.last(chain.supervisor.user_id).text
    li.sends_album("bags-1", "bags-2")
    assert only_complaint(office).photos == ["bags-1", "bags-2"]
    photos = [m for m in estate.desk.messages(chain.supervisor.user_id) if m.photos]
    assert [m.photos for m in photos] == [["bags-1"], ["bags-2"]]
    assert len(_more(office)) == 4
    assert sum("added" in m.text for m in li.chat) == 3  # the album is answered once


def test_a_repair_or_an_emergency_from_the_same_resident_goes_its_own_way(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    _with_the_supervisor(estate)
    li.says("The kitchen tap is leaking")
    assert "CP-" not in li.last and li.desk.last(li.user_id).buttons  # the repair report asks
    li.command("cancel")
    li.says("There is a strong gas smell in my kitchen")
    assert order_events(office, "emergency_alerted")
    assert not _more(office)


def test_after_the_complaint_is_closed_words_are_a_new_complaint_again(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    _with_the_supervisor(estate)
    with Session(office.engine) as session:
        complaint = session.exec(select(Complaint)).one()
        complaint.status = "closed"
        session.add(complaint)
        session.commit()
    li.says("And today again there are three bags of rubbish outside my door")
    assert not _more(office)
    assert "thank you for telling us" in li.chat[-2].text or "thank you for telling us" in li.last


def test_with_two_complaints_open_more_goes_to_the_one_it_speaks_of(
        estate: Estate, chain: Chain, office: Office) -> None:
    li = estate.neighbour
    _with_the_supervisor(estate)
    complain(li, "The security guard at gate 2 was very rude to my mother")
    assert "CP-20261123-0002" in li.last  # a complaint about something else is its own
    li.says("And today again there are three bags of rubbish outside my door")
    assert "CP-20261123-0001" in li.last and "other complaints" not in li.last
    li.says("你们到底管不管")  # which one? the newest, and the resident is told so
    assert "CP-20261123-0002" in li.last and "other complaints open" in li.last
    assert [e.complaint_id for e in events(office) if e.action == "wrote_more"] == [1, 2]
