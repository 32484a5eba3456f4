"""Keyboards that stay true: when a message's moment passes — answered, cancelled, superseded,
taken, closed — it is edited to show the outcome and loses its buttons. One test per kind of
message; the group card, the receipt, the dispatcher's assign-to message and the emergency
alert have theirs in test_repair_lifecycle, test_orphan_jobs and test_emergency_clock.

Li Lei (English) books and reports; 张师傅 works the jobs in Chinese.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.office import Office
from handlers.office.clock import FakeClock
from tests.support.desk import Person, Shown
from tests.support.estate import PLUMBERS, Estate, build_estate
from tests.support.orders import confirm, due, finish, open_order, survey_row
from tests.support.repairs import book_tap_repair


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def report_repair(estate: Estate) -> str:
    """Li reports a dripping tap; 张师傅 takes it. Returns the order number."""
    li = estate.neighbour
    li.command("menu")
    li.taps("Report a repair")
    li.says("The kitchen tap keeps dripping")
    li.taps("Yes")
    li.taps("No photos")
    li.taps("Tomorrow morning")
    li.taps("Use")
    li.taps("Submit")
    number = "WO-" + li.last.split("WO-")[1][:13]
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    return number


def quote(zhang: Person, amount: str) -> None:
    zhang.taps("报价")
    zhang.says(amount)


def done(zhang: Person, note: str = "换了阀芯") -> None:
    zhang.taps("完工")
    zhang.says(note)
    zhang.taps("提交完工")


def with_text(person: Person, *needles: str) -> list[Shown]:
    return [m for m in person.chat if all(n in m.text for n in needles)]


def test_the_quote_after_the_resident_confirms_or_declines_and_when_a_new_one_comes(
        estate: Estate) -> None:
    li, zhang = estate.neighbour, estate.plumber
    number = book_tap_repair(estate)
    quote(zhang, "45")
    first = li.chat[-1]
    assert "45.00" in first.text and first.buttons
    li.taps("Decline")
    assert first.buttons == [] and "declined" in first.text and "45.00" in first.text
    quote(zhang, "40")
    second = li.chat[-1]
    quote(zhang, "38")  # a newer quote before Li answered: the older one is superseded
    third = li.chat[-1]
    assert second.buttons == [] and "40.00" in second.text and third.buttons
    li.taps("Confirm the price")
    assert third.buttons == [] and "confirmed" in third.text and "38.00" in third.text
    assert number in third.text


def test_the_time_proposal_after_the_resident_answers(estate: Estate) -> None:
    li, zhang = estate.neighbour, estate.plumber
    report_repair(estate)
    zhang.taps("改约时间")
    zhang.says("周三下午三点")
    proposal = li.chat[-1]
    li.taps("suits me")
    assert proposal.buttons == [] and "周三下午三点" in proposal.text
    assert "agreed" in proposal.text


def test_the_done_card_after_sign_off_and_after_a_rework_request(estate: Estate) -> None:
    li, zhang = estate.neighbour, estate.plumber
    number = report_repair(estate)
    done(zhang)
    first = with_text(li, "换了阀芯")[-1]
    assert first.buttons
    li.taps("Ask for rework")
    li.says("Still dripping")
    assert first.buttons == [] and "Still dripping" in first.text and "换了阀芯" in first.text
    done(zhang, "整个龙头换新")
    second = with_text(li, "整个龙头换新")[-1]
    li.taps("Confirm (sign)")
    assert second.buttons == [] and "signed" in second.text and number in second.text
    assert first.buttons == []  # still as it was closed


def test_the_done_card_after_the_automatic_confirmation(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, zhang = estate.neighbour, estate.plumber
    report_repair(estate)
    done(zhang)
    card = with_text(li, "换了阀芯")[-1]
    clock.advance(timedelta(hours=48))
    assert due(office).counts["auto_confirm:confirmed"] == 1
    assert "automatically" in li.last
    assert card.buttons == [] and "automatically" in card.text


def test_the_technicians_card_after_done_and_an_older_card_when_a_new_one_comes(
        estate: Estate) -> None:
    li, zhang = estate.neighbour, estate.plumber
    number = report_repair(estate)
    card = [m for m in zhang.chat if number in m.text and m.buttons][-1]
    done(zhang)
    assert card.buttons == [] and "完工" in card.text  # status: done, nothing left to tap
    li.taps("Ask for rework")
    li.says("Still dripping")
    cards = [m for m in zhang.chat if number in m.text and "返工" in m.text and m.buttons]
    assert len(cards) == 1  # the card that came back with the rework is the only live card
    # Besides it, only the question of when he comes back (a new visit) has buttons.
    [when] = [m for m in zhang.chat if "v1:window:" in str(m.buttons)]
    assert [m for m in zhang.chat if m.buttons and number in m.text] == [when, *cards]


def test_a_cancelled_dialogs_question_and_every_question_it_asked_before(estate: Estate) -> None:
    li = estate.neighbour
    li.command("menu")
    li.taps("Report a repair")
    li.says("The kitchen tap keeps dripping")  # the guess is offered: question 2
    li.taps("Yes")  # question 3: photos
    asked = [m for m in li.chat if m.buttons and "dialog" in str(m.buttons)]
    assert len(asked) == 1  # only the question being asked has buttons
    question = asked[0]
    li.taps("Cancel")
    assert question.buttons == [] and "Cancelled" in question.text
    assert li.chat[-1] is question  # said on the question itself, not in a second message
    li.command("menu")
    li.taps("Report a repair")
    li.command("cancel")  # by command: the question loses its buttons too
    assert not [m for m in li.chat if "dialog" in str(m.buttons)]


def test_the_survey_question_after_the_rating(estate: Estate, office: Office,
                                              clock: FakeClock) -> None:
    li = estate.neighbour
    order_id = open_order(office, li, status="accepted", assignee=estate.plumber)
    finish(office, order_id)
    survey_id = confirm(office, order_id)
    clock.advance(timedelta(hours=2))
    due(office)
    assert survey_row(office, survey_id).state == "sent"
    question = [m for m in li.chat if "rate" in str(m.buttons)][-1]
    li.taps("5")
    assert question.buttons == []
    assert survey_row(office, survey_id).rating == 5


def test_an_unanswered_time_proposal_when_the_job_is_done(estate: Estate) -> None:
    li, zhang = estate.neighbour, estate.plumber
    number = report_repair(estate)
    zhang.taps("改约时间")
    zhang.says("周三下午三点")
    proposal = li.chat[-1]
    [(_, yes), *_rest] = proposal.buttons
    done(zhang)
    assert proposal.buttons == [] and "周三下午三点" in proposal.text
    heard = len(zhang.chat)
    late = li.presses(yes, message_id=proposal.message_id)
    assert "out of date" in li.toast_for(late)
    assert len(zhang.chat) == heard  # the technician is not told of a time for a finished job
    assert number in with_text(li, "换了阀芯")[-1].text
