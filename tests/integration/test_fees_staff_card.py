"""The household's fee card in the desk's chats (fake clock, SQLite): ``/fees 3-1203`` shows
the statement; the desk records a payment taken at the counter with a button (the resident
gets the receipt, the reminder stops); a manager waives a late fee with a reason, recorded
as an event. Residents, technicians and the wrong chats are refused, and so is an answer
typed by someone the question was not meant for."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from dialogs import answers
from dialogs.buttons import Verb, tap
from dialogs.model import DialogContext
from handlers.fees import ledger
from handlers.office import Office, conversations
from handlers.office.clock import FakeClock
from handlers.office.permissions import OUT_OF_DATE
from locales import _, render
from storage.fees import FeePayment, FeeWaiver
from storage.models import EventLog
from storage.models import Person as Staff
from tests.support.desk import Person
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS
from tests.support.fees import FeeEstate, calendar, campaign, decide, drain, fee_estate, notices
from tests.support.orders import sh


@pytest.fixture
def fees(office: Office, clock: FakeClock) -> FeeEstate:
    """Li (3-1203) owes December's 280.00 from the 1st; it is the 11th: 8.40 of late fee."""
    fees = fee_estate(office)
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    clock.set(sh(2026, 12, 11, 10, 0))
    return fees


def household_id(office: Office) -> int:
    with Session(office.engine) as session:
        household = ledger.household_at(session, "3", "1203")
        assert household is not None and household.id is not None
        return household.id


def person_id(office: Office, person: Person) -> int | None:
    with Session(office.engine) as session:
        return session.exec(select(Staff.id).where(
            Staff.telegram_user_id == person.user_id)).one()


def actions(office: Office, action: str) -> list[EventLog]:
    with Session(office.engine) as session:
        return list(session.exec(select(EventLog).where(EventLog.action == action)
                                 .order_by(col(EventLog.id))).all())


def test_the_desk_records_a_payment_from_the_households_card(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    desk, dispatcher, li = fees.estate.desk, fees.estate.dispatcher, fees.li
    decide(fees, campaign(office, "overdue", "monthly").id or 0)  # approved, not yet sent
    dispatcher.command("fees", "3-1203", chat_id=DISPATCH)
    card = desk.last(DISPATCH)
    assert "🏠 3-1203 (Li Lei): monthly plan, 280.00 yuan a month." in card.text
    assert "Total due: 288.40 yuan (late fee included: 8.40 yuan)." in card.text
    dispatcher.taps("Record a payment", chat_id=DISPATCH)
    assert "How much did 3-1203 pay" in dispatcher.last  # asked privately
    dispatcher.says("about three hundred")
    assert "Please type the amount as a number" in dispatcher.last
    dispatcher.says("288.40 R-7788 cash at the counter")
    assert dispatcher.last == ("Recorded 288.40 yuan for 3-1203 (receipt R-7788). Still due: "
                               "0.00 yuan. The residents got the receipt; 1 waiting reminders "
                               "stopped.")
    assert "Payment received: 288.40 yuan on 2026-12-11 (receipt R-7788)" in li.last
    with Session(office.engine) as session:
        [payment] = session.exec(select(FeePayment)).all()
    assert (payment.amount_fen, payment.source, payment.receipt_no) == (28840, "desk", "R-7788")
    assert payment.recorded_by == person_id(office, dispatcher)
    [event] = actions(office, "fee_payment_recorded")
    assert event.actor_id == person_id(office, dispatcher) and event.detail["source"] == "desk"
    drain(office)
    assert [n.state for n in notices(office) if n.household_id == household_id(office)] == [
        "paid"]  # the reminder stopped
    dispatcher.taps("Record a payment", chat_id=DISPATCH)  # the same receipt again
    dispatcher.says("288.40 R-7788")
    assert "R-7788 was already recorded for 3-1203; nothing was recorded twice" in (
        dispatcher.last)
    [event] = actions(office, "fee_payment_recorded")  # still the one payment
    assert event.detail["note"] == "cash at the counter"


def test_a_word_after_the_amount_is_a_note_so_next_months_payment_is_recorded_too(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """"280 现金" each month: 现金 is how it was paid, not a receipt number, so January's
    payment is not taken for December's again."""
    dispatcher, li = fees.estate.dispatcher, fees.li
    for typed in ("288.40 现金", "280 cash"):  # December's with its late fee, then January's
        dispatcher.command("fees", "3-1203", chat_id=DISPATCH)
        dispatcher.taps("Record a payment", chat_id=DISPATCH)
        dispatcher.says(typed)
        assert dispatcher.last.startswith("Recorded ") and "(receipt -)" in dispatcher.last
        assert "(receipt -)" in li.last
        clock.set(sh(2027, 1, 1, 10, 0))
        calendar(office)  # January's 280.00
    with Session(office.engine) as session:
        payments = session.exec(select(FeePayment).order_by(col(FeePayment.id))).all()
    assert [(p.amount_fen, p.receipt_no) for p in payments] == [(28840, None), (28000, None)]
    assert [e.detail["note"] for e in actions(office, "fee_payment_recorded")] == ["现金",
                                                                                 "cash"]


def test_a_manager_waives_the_late_fee_with_a_reason(fees: FeeEstate, office: Office) -> None:
    desk, manager = fees.estate.desk, fees.manager
    manager.command("fees", "3 1203", chat_id=MANAGERS)
    assert "late fee 8.40" in desk.last(MANAGERS).text
    manager.taps("Waive the late fee", chat_id=MANAGERS)
    assert "Why is the late fee of 3-1203 waived?" in manager.last
    manager.says("ok")  # no reason: asked again, nothing waived
    assert "“ok” says nothing on its own" in manager.last
    with Session(office.engine) as session:
        assert session.exec(select(FeeWaiver)).all() == []
    manager.says("in hospital all of December")
    assert manager.last == ("Waived 8.40 yuan of late fee for 3-1203; the reason is recorded. "
                            "Still due: 280.00 yuan.")
    with Session(office.engine) as session:
        [waiver] = session.exec(select(FeeWaiver)).all()
    assert (waiver.amount_fen, waiver.reason) == (840, "in hospital all of December")
    assert waiver.by_person_id == person_id(office, manager)
    [event] = actions(office, "fee_late_fee_waived")
    assert event.actor_id == person_id(office, manager)
    assert event.detail["reason"] == "in hospital all of December"
    manager.command("fees", "3-1203", chat_id=MANAGERS)
    assert "Waive the late fee" not in str(desk.last(MANAGERS).keyboard)  # none left


def test_only_the_desk_sees_the_card_and_only_a_manager_waives(
        fees: FeeEstate, office: Office) -> None:
    desk, dispatcher, plumber, li = (fees.estate.desk, fees.estate.dispatcher,
                                     fees.estate.plumber, fees.li)
    plumber.command("fees", "3-1203", chat_id=PLUMBERS)
    assert desk.last(PLUMBERS).text == (  # the staff groups speak English here
        "A household's fees are shown in the dispatch and managers' chats.")
    dispatcher.command("fees", "9-9999", chat_id=DISPATCH)
    assert "No household “9-9999” on the roster" in desk.last(DISPATCH).text
    dispatcher.command("fees", "3-1203", chat_id=DISPATCH)
    shown = desk.last(DISPATCH)
    home = household_id(office)
    staff_only = _("Only front-desk staff can record this.")
    event = li.presses(tap(Verb.FEE_PAY, home), DISPATCH, shown.message_id)  # a resident
    assert li.toast_for(event) == render(staff_only, "en")
    event = plumber.presses(tap(Verb.FEE_PAY, home), DISPATCH, shown.message_id)
    assert plumber.toast_for(event) == render(staff_only, "zh_Hans")
    event = dispatcher.presses(tap(Verb.FEE_WAIVE, home), DISPATCH, shown.message_id)
    assert dispatcher.toast_for(event) == (
        "Only a manager can waive a late fee; nothing was changed.")
    event = fees.manager.presses(tap(Verb.FEE_WAIVE, home), PLUMBERS, shown.message_id)
    assert fees.manager.toast_for(event) == render(OUT_OF_DATE, "en")
    with Session(office.engine) as session:
        assert session.exec(select(FeeWaiver)).all() == []
        assert session.exec(select(FeePayment)).all() == []


def planted(office: Office, person: Person, purpose: str, subject_id: int) -> None:
    """A question in *person*'s chat as if it had been asked there."""
    outcome = answers.ask(DialogContext(chat_id=person.user_id, language="en"), "forged2",
                          purpose, subject_id, "3-1203")
    with Session(office.engine) as session:
        conversations.save(session, person.user_id, person.user_id, outcome.conversation,
                           office.clock.now())
        session.commit()


def test_an_answer_from_someone_the_question_was_not_for_changes_nothing(
        fees: FeeEstate, office: Office) -> None:
    dispatcher, plumber = fees.estate.dispatcher, fees.estate.plumber
    planted(office, dispatcher, "fee_waiver", household_id(office))
    dispatcher.says("a friend of mine")
    assert dispatcher.last == "Only a manager can waive a late fee; nothing was changed."
    planted(office, plumber, "fee_payment", household_id(office))
    plumber.says("288.40")
    assert plumber.last == render(_("Only front-desk staff can record this."), "zh_Hans")
    with Session(office.engine) as session:
        assert session.exec(select(FeeWaiver)).all() == []
        assert session.exec(select(FeePayment)).all() == []


def test_a_receipt_number_after_how_it_was_paid_is_kept_and_two_are_asked_again(
        fees: FeeEstate, office: Office) -> None:
    """"280 现金 R-7788": the receipt number is kept wherever it is typed, and shown; two
    numbers in one answer are not guessed between — the desk is asked again, nothing is
    recorded meanwhile."""
    dispatcher, li = fees.estate.dispatcher, fees.li
    dispatcher.command("fees", "3-1203", chat_id=DISPATCH)
    dispatcher.taps("Record a payment", chat_id=DISPATCH)
    dispatcher.says("100 R-7788 R-7789")
    assert "R-7788" in dispatcher.last and "R-7789" in dispatcher.last
    assert "nothing was recorded" in dispatcher.last
    with Session(office.engine) as session:
        assert session.exec(select(FeePayment)).all() == []
    dispatcher.says("280 现金，R-7788")  # still asked: the one number this time
    assert dispatcher.last.startswith("Recorded 280.00 yuan for 3-1203 (receipt R-7788).")
    assert "(receipt R-7788)" in li.last
    with Session(office.engine) as session:
        [payment] = session.exec(select(FeePayment)).all()
    assert (payment.amount_fen, payment.receipt_no) == (28000, "R-7788")
    [event] = actions(office, "fee_payment_recorded")
    assert event.detail["note"] == "现金"


@pytest.mark.parametrize("typed", ["280 现金 2026-12-11", "280 现金 12/11"])
def test_a_date_after_the_amount_stays_in_the_note_and_is_no_receipt_number(
        fees: FeeEstate, office: Office, typed: str) -> None:
    """"280 现金 2026-12-11": the date says when it was paid, it is no receipt number (taken
    for one, next month's payment typed the same way would be refused as a duplicate). The
    desk records today's payment, so the date is kept in the note."""
    dispatcher, li = fees.estate.dispatcher, fees.li
    dispatcher.command("fees", "3-1203", chat_id=DISPATCH)
    dispatcher.taps("Record a payment", chat_id=DISPATCH)
    dispatcher.says(typed)
    assert dispatcher.last.startswith("Recorded 280.00 yuan for 3-1203 (receipt -).")
    assert "(receipt -)" in li.last
    with Session(office.engine) as session:
        [payment] = session.exec(select(FeePayment)).all()
    assert payment.receipt_no is None
    [event] = actions(office, "fee_payment_recorded")
    assert event.detail["note"] == typed.removeprefix("280 ")
