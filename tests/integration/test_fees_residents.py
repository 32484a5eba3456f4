"""The resident's fees and the staff's answers (fake clock, SQLite): the statement in the
resident's language, "I have paid" with a receipt photo, "I dispute this" (reminders pause),
pay at the door, the formal follow-up list — and fees never stand in the way of a repair."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.fees import ledger, tasks
from handlers.fees.views import paused_by, unit_statement
from handlers.office import Office
from handlers.office.calendar import wall_clock
from handlers.office.clock import FakeClock
from handlers.office.permissions import OUT_OF_DATE
from handlers.office.rules import OfficeRules
from handlers.office.unit_of_work import UnitOfWork
from locales import Text, render
from storage.fees import FeeCampaign, FeeDispute, FeePayment, FeeReceiptClaim
from storage.models import FrontDeskRequest, WorkOrder
from tests.support.estate import DISPATCH, MANAGERS, PLUMBERS
from tests.support.fees import (
    FeeEstate,
    calendar,
    campaign,
    decide,
    drain,
    fee_estate,
    fee_rows,
    fee_tasks,
    notice_sent,
    notices,
    preview,
)
from tests.support.orders import sh


@pytest.fixture
def fees(office: Office) -> FeeEstate:
    return fee_estate(office)


def december_overdue(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Dec 1: the monthly overdue notice is prepared (Li owes December's 280.00)."""
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)


def test_my_fees_shows_the_statement_with_the_late_fee_and_when_it_grows(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li = fees.li
    li.command("fees")
    assert "Nothing is due" in li.last
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 11, 10, 0))
    li.command("fees")
    text = li.last
    assert "💰 Fees for 3-1203 as of 2026-12-11" in text
    # Ten days of 3‰ on 280.00: 8.40
    assert ("• 2026-12-01–2026-12-31 Management fee: 280.00 yuan, paid 0.00, late fee 8.40"
            in text)
    assert "Total due: 288.40 yuan (late fee included: 8.40 yuan)." in text
    assert "From 2026-12-12 it grows by 0.84 yuan a day (late fee 3‰ a day)." in text
    cli = unit_statement(office, "3", "1203", date(2026, 12, 11))
    assert cli is not None and (cli["total_due"], cli["late_fee"]) == ("288.40", "8.40")
    li.presses(tap(Verb.MENU, "fees"))  # the menu's "My fees"
    assert "288.40" in li.last


def test_the_statement_is_in_the_residents_language(fees: FeeEstate, office: Office,
                                                    clock: FakeClock) -> None:
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)  # Wang's quarterly bill for January–March 2027: 901.50
    fees.wang.command("fees")
    text = fees.wang.last
    assert "3-1202" in text and "901.50" in text
    assert text == render(_statement_msg(office, fees), "zh_Hans")


def _statement_msg(office: Office, fees: FeeEstate) -> Text:
    from dialogs.fees import statement_text
    from handlers.fees.views import statement_view
    from handlers.office.unit_of_work import UnitOfWork

    with UnitOfWork(office) as uow:
        household = ledger.household_at(uow.session, "3", "1202")
        assert household is not None and household.id is not None
        return statement_text(statement_view(ledger.statement_of(uow, household.id),
                                             household, ledger.ladder_of(office)))


def test_i_have_paid_with_a_photo_round_trip(fees: FeeEstate, office: Office,
                                             clock: FakeClock) -> None:
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    december_overdue(fees, office, clock)
    decide(fees, campaign(office, "overdue", "monthly").id or 0)
    clock.set(sh(2026, 12, 3, 10, 0))
    li.command("fees")
    li.taps("I have paid")
    assert "photo of your payment receipt for 3-1203" in li.last
    li.says("I paid yesterday")
    assert "Please send a photo of the receipt" in li.last  # politely, and nothing recorded
    li.sends_photo("receipt-1", caption="280")
    assert "check your receipt for 280.00 yuan" in li.last
    card = desk.last(DISPATCH)
    assert "Receipt from Li Lei (3-1203): paid 280.00 yuan" in card.text
    assert card.photos == ["receipt-1"]
    drain(office)  # reminders wait while the receipt is checked
    assert fee_rows(office, li.user_id) == []
    dispatcher.taps("Confirm 280.00", chat_id=DISPATCH)
    with Session(office.engine) as session:
        [payment] = session.exec(select(FeePayment)).all()
        [claim] = session.exec(select(FeeReceiptClaim)).all()
    assert (payment.amount_fen, payment.source, payment.receipt_no, payment.paid_on) == (
        28000, "claim", f"claim-{claim.id}", date(2026, 12, 3))
    assert claim.state == "confirmed" and claim.payment_id == payment.id
    assert "Payment received: 280.00 yuan on 2026-12-03" in li.last
    assert "Still due: 1.68 yuan (late fee included: 1.68 yuan)." in li.last  # Dec 1 and 2
    confirmed = desk.last(DISPATCH).text  # the card still says whose receipt it was
    assert "Receipt from Li Lei (3-1203): paid 280.00 yuan" in confirmed
    assert "Confirmed by" in confirmed
    drain(office)
    assert fee_rows(office, li.user_id) == []  # the reminder stopped
    assert [n.state for n in notices(office, campaign(office, "overdue", "monthly").id)] == [
        "paid"]
    again = dispatcher.presses(tap(Verb.FEE_RECEIPT, claim.id, "confirm"), chat_id=DISPATCH)
    assert "already checked" in dispatcher.toast_for(again)


def test_the_amount_in_a_receipts_caption_is_read_among_words_or_asked_again(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li paid 200 of the 280 due and writes so: the desk is asked to confirm 200, never the
    whole 280; a caption with two amounts is not guessed — Li is asked again, nothing is
    recorded meanwhile."""
    li, desk = fees.li, fees.estate.desk
    december_overdue(fees, office, clock)
    li.command("fees")
    li.taps("I have paid")
    li.sends_photo("receipt-1", caption="200 or 280")
    assert "200" in li.last and "280" in li.last and "photo" in li.last
    with Session(office.engine) as session:
        assert session.exec(select(FeeReceiptClaim)).all() == []
    li.sends_photo("receipt-1", caption="我已付200元，收据 R-7788")  # still asked
    assert "check your receipt for 200.00 yuan" in li.last
    card = desk.last(DISPATCH)
    assert "paid 200.00 yuan" in card.text
    assert [label for label, _ in card.buttons] == ["✅ Confirm 200.00 yuan", "✖ Reject"]


def test_a_rejected_receipt_tells_the_resident_and_the_reminder_resumes(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, dispatcher = fees.li, fees.estate.dispatcher
    december_overdue(fees, office, clock)
    li.command("fees")
    li.taps("I have paid")
    li.sends_photo("blurry")  # no amount in the caption: what is due
    assert "280.00" in li.last
    dispatcher.taps("Reject", chat_id=DISPATCH)
    assert "could not confirm your receipt for 280.00 yuan" in li.last
    decide(fees, campaign(office, "overdue", "monthly").id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    assert drain(office).counts["fee_notice:sent"] == 1


def test_a_dispute_pauses_the_reminders_until_staff_resolve_it(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    december_overdue(fees, office, clock)
    li.command("fees")
    li.taps("I dispute this")
    li.says("I moved in on 15 December, I should pay half")
    assert "recorded as FD-1" in li.last and "paused" in li.last
    card = desk.last(DISPATCH)
    assert "Fee dispute FD-1 from Li Lei (3-1203): I moved in on 15 December" in card.text
    assert [label for label, _ in card.buttons] == ["✍ Reply to the resident", "✔ Resolved"]
    overdue = campaign(office, "overdue", "monthly")
    assert [n.state for n in notices(office, overdue.id)] == ["paused"]
    decide(fees, overdue.id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    assert not drain(office).counts["fee_notice:sent"]
    assert fee_rows(office, li.user_id) == []
    li.command("fees")
    assert "Reminders are paused while your question FD-1 is open." in li.last
    refused = fees.estate.plumber.presses(tap(Verb.FEE_RESOLVE, 1), chat_id=DISPATCH)
    assert fees.estate.plumber.toast_for(refused)  # not the front desk: nothing changes
    dispatcher.taps("Resolved", chat_id=DISPATCH)
    assert "resolved your fee question FD-1" in li.last
    with Session(office.engine) as session:
        dispute = session.exec(select(FeeDispute)).one()
        assert dispute.state == "resolved" and dispute.resolved_by is not None
        assert dispute.text.startswith("I moved in")
        request = session.get(FrontDeskRequest, dispute.request_id)
        assert request is not None and request.status == "answered"
    assert drain(office).counts["fee_notice:sent"] == 1
    assert "Overdue notice" in li.last


def test_pay_at_the_door_is_a_task_for_the_desk_and_collecting_records_the_payment(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    december_overdue(fees, office, clock)
    li.command("fees")
    li.taps("Pay at the door")
    li.taps("Tomorrow morning")
    assert "come to 3-1203 (Tomorrow morning) to collect 280.00 yuan" in li.last
    card = desk.last(DISPATCH)
    assert "Collect at the door for 3-1203" in card.text and "Tomorrow morning" in card.text
    dispatcher.taps("Collected", chat_id=DISPATCH)
    assert "Payment received: 280.00 yuan" in li.last
    [task] = fee_tasks(office)
    assert (task.kind, task.state, task.outcome) == ("collect", "done", "collected")


def test_taps_for_another_households_fees_are_refused(fees: FeeEstate, office: Office,
                                                      clock: FakeClock) -> None:
    december_overdue(fees, office, clock)
    wang, li = fees.wang, fees.li
    with Session(office.engine) as session:
        lis = ledger.household_at(session, "3", "1203")
        assert lis is not None
    for data in (tap(Verb.FEE_SHOW, lis.id), tap(Verb.FEE_CLAIM, lis.id),
                 tap(Verb.FEE_DISPUTE, lis.id), tap(Verb.FEE_DOOR, lis.id), "v1:fee_paid:x"):
        pressed = wang.presses(data)
        assert wang.toast_for(pressed) == render(OUT_OF_DATE, "zh_Hans")
    assert all("280.00" not in m.text for m in wang.chat)
    manager_tap = li.presses(tap(Verb.FEE_CAMPAIGN, 1, "approve"))  # not in a group
    assert li.toast_for(manager_tap)


def final_notice_sent(fees: FeeEstate, office: Office, clock: FakeClock) -> FeeCampaign:
    """Li gets December's overdue notice on the 1st and, still unpaid, the final notice on the
    9th (day 8 after it), both approved at once."""
    notice_sent(fees, office, clock, "overdue", "monthly", date(2026, 12, 1))
    return notice_sent(fees, office, clock, "final", "monthly", date(2026, 12, 9))


def test_the_formal_follow_up_list_after_the_final_notice(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    final = final_notice_sent(fees, office, clock)
    assert (final.pay_by, final.households) == (date(2026, 12, 14), 1)
    text = li.last
    assert "Final notice for 3-1203" in text
    assert "within 5 days, by 2026-12-14" in text and "3‰ a day from 2026-12-01" in text
    assert "Total due: 286.72 yuan" in text  # 8 days of 3‰ on 280.00: 6.72
    clock.set(sh(2026, 12, 14, 8, 0))
    assert not calendar(office).counts["fees:follow_up:raised"]  # still within the 5 days
    clock.set(sh(2026, 12, 15, 8, 0))
    assert calendar(office).counts["fees:follow_up:raised"] == 1
    card = desk.last(DISPATCH)
    assert "Phone reminder for 3-1203" in card.text and "after the final notice" in card.text
    dispatcher.taps("Unreachable", chat_id=DISPATCH)
    letter = fee_tasks(office)[-1]
    assert (letter.kind, letter.state, letter.due_on) == ("letter", "planned",
                                                          date(2027, 3, 15))
    clock.set(sh(2027, 3, 15, 8, 0))
    assert calendar(office).counts["fees:follow_up:due"] == 1
    assert "Formal letter by express post for 3-1203" in desk.last(DISPATCH).text
    letters = tasks.tasks_list(office, kind="letter")
    assert [(r["building"], r["room"], r["state"]) for r in letters] == [("3", "1203", "open")]
    assert tasks.as_csv(letters).splitlines()[0].startswith("task,kind,reason,state")
    dispatcher.taps("Letter sent", chat_id=DISPATCH)
    door = fee_tasks(office)[-1]
    assert (door.kind, door.state) == ("door", "open")
    dispatcher.taps("Visited", chat_id=DISPATCH)
    assert fee_tasks(office)[-1].kind == "legal"
    assert "Legal action for 3-1203" in desk.last(DISPATCH).text


def test_a_final_notice_sent_late_gives_its_five_days_from_the_day_it_goes_out(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """001 第五篇 1.2.3: 必須於收到《最後繳款通知書》5日內繳清. Approved on the 18th, four days
    after the ladder's pay-by date, the notice still gives five days; the follow-up waits."""
    wang, desk = fees.wang, fees.estate.desk  # quarterly, 3-1202
    notice_sent(fees, office, clock, "overdue", "quarterly", date(2027, 1, 1))
    clock.set(sh(2027, 1, 9, 8, 0))
    calendar(office)
    final = campaign(office, "final", "quarterly")
    assert final.pay_by == date(2027, 1, 14)  # the ladder's: sent on the 9th
    clock.set(sh(2027, 1, 18, 10, 0))
    decide(fees, final.id or 0)
    assert "请在 5 日内（2027-01-23 前）缴清" in preview(desk.messages(MANAGERS), final.id or 0
                                                       ).text  # the sample, as approved
    drain(office)
    desk.deliver()
    assert "请在 5 日内（2027-01-23 前）缴清" in wang.last
    clock.set(sh(2027, 1, 23, 8, 0))
    assert not calendar(office).counts["fees:follow_up:raised"]  # still within its 5 days
    clock.set(sh(2027, 1, 24, 8, 0))
    assert calendar(office).counts["fees:follow_up:raised"] == 1
    assert "Phone reminder for 3-1202" in desk.last(DISPATCH).text
    clock.set(sh(2027, 1, 25, 8, 0))
    assert not calendar(office).counts["fees:follow_up:raised"]  # once


def test_a_dispute_heard_on_a_phone_task_is_resolved_from_its_card(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """The resident disputes on the phone: the dispute gets the card every dispute has, its
    Resolved button ends the pause, and the reminders held meanwhile go out."""
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    final_notice_sent(fees, office, clock)
    clock.set(sh(2026, 12, 15, 8, 0))
    assert calendar(office).counts["fees:follow_up:raised"] == 1
    dispatcher.taps("Disputes", chat_id=DISPATCH)
    card = desk.last(DISPATCH)
    assert "Fee dispute D-1 from Li Lei (3-1203): (phone task 1" in card.text
    assert [label for label, _ in card.buttons] == ["✔ Resolved"]  # no resident's message
    li.command("fees")
    assert "Reminders are paused while your question D-1 is open." in li.last
    january = notice_sent(fees, office, clock, "overdue", "monthly", date(2027, 1, 1))
    assert [n.state for n in notices(office, january.id)] == ["paused"]
    dispatcher.taps("Resolved", chat_id=DISPATCH)
    assert "Resolved by 刘调度; reminders resume." in desk.last(DISPATCH).text
    with Session(office.engine) as session:
        dispute = session.exec(select(FeeDispute)).one()
    assert dispute.state == "resolved" and dispute.resolved_by is not None
    assert drain(office).counts["fee_notice:sent"] == 1
    assert "Overdue notice for 3-1203" in li.last


def test_arrears_never_block_a_repair_and_fees_stay_off_the_technicians_card(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk = fees.li, fees.estate.desk
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 20, 10, 0))
    li.command("menu")
    li.taps("Report a repair")
    li.says("The kitchen tap is dripping")
    li.taps("Yes")
    li.taps("No photos")
    li.taps("Tomorrow morning")
    li.taps("Use")
    li.taps("Submit")
    with Session(office.engine) as session:
        [order] = session.exec(select(WorkOrder)).all()
    card = desk.last(PLUMBERS)
    assert order.number in card.text
    for word in ("fee", "yuan", "280", "arrear", "费", "欠"):
        assert word not in card.text.lower()
    assert timedelta(0) <= clock.now() - sh(2026, 12, 20, 10, 0)


def test_a_dispute_counts_the_24_hours_in_office_hours_when_the_office_says_so(
        office: Office, clock: FakeClock) -> None:
    """Friday 17:00 with ``response_deadline_basis: office``: the answer is due in 24 open
    hours (past the weekend), and the resident is told that time, not Saturday 17:00."""
    counting_office_hours = replace(office, rules=OfficeRules(response_deadline_basis="office"))
    fees = fee_estate(counting_office_hours)
    december_overdue(fees, counting_office_hours, clock)
    received = sh(2026, 12, 4, 17, 0)  # a Friday
    clock.set(received)
    fees.li.command("fees")
    fees.li.taps("I dispute this")
    fees.li.says("I moved in on 15 December, I should pay half")
    with Session(office.engine) as session:
        request = session.exec(select(FrontDeskRequest)).one()
    due = counting_office_hours.hours.add(received, 24 * 3600, office.timezone)
    assert due - received > timedelta(days=2)
    assert request.due_at is not None
    assert request.due_at.replace(tzinfo=due.tzinfo) == due
    assert wall_clock(due, office.timezone) in fees.li.last

def test_paying_exactly_what_the_statement_asked_leaves_nothing_due(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li pays the 288.40 her statement asked on Dec 11 (280.00 and 8.40 of late fee): her
    statement says nothing is due, not a total of 0.00 beside a late fee."""
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 11, 10, 0))
    ledger.record_at_desk(office, "3", "1203", "288.40")
    fees.li.command("fees")
    text = fees.li.last
    assert "Nothing is due" in text
    assert "Total due" not in text and "late fee" not in text


def test_a_resident_is_told_how_a_dispute_heard_on_a_phone_task_was_resolved(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li disputes on the phone; when the desk resolves it, Li reads the outcome — what is due
    now (December with its late fee, and January billed on the 15th) — in his own chat, not
    only on the desk's card."""
    li, dispatcher = fees.li, fees.estate.dispatcher
    final_notice_sent(fees, office, clock)
    clock.set(sh(2026, 12, 15, 8, 0))
    calendar(office)
    dispatcher.taps("Disputes", chat_id=DISPATCH)
    before = len(li.chat)
    dispatcher.taps("Resolved", chat_id=DISPATCH)
    assert len(li.chat) == before + 1
    assert li.last == ("The front desk has resolved your fee question D-1 (3-1203): 571.76 "
                       "yuan is due now (late fee included: 11.76 yuan). Fee reminders resume; "
                       "/fees shows your statement.")


def photo_sent(fees: FeeEstate, office: Office, clock: FakeClock, caption: str) -> None:
    """Dec 3, 10:00: Li, who owes December's 280.00, taps I have paid and sends a photo of
    the receipt with *caption*."""
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 3, 10, 0))
    fees.li.command("fees")
    fees.li.taps("I have paid")
    fees.li.sends_photo("receipt-1", caption=caption)


def test_the_receipt_number_in_a_receipts_caption_is_kept_on_the_payment(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """"已付280 收据号R-7788": the desk's card shows the receipt number before confirming, and
    the payment keeps it (not ``claim-<id>``); the resident's receipt shows it too."""
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    photo_sent(fees, office, clock, "已付280 收据号R-7788")
    assert "check your receipt for 280.00 yuan" in li.last
    card = desk.last(DISPATCH).text
    assert "Receipt number: R-7788" in card
    dispatcher.taps("Confirm 280.00", chat_id=DISPATCH)
    with Session(office.engine) as session:
        [payment] = session.exec(select(FeePayment)).all()
    assert (payment.amount_fen, payment.source, payment.receipt_no) == (28000, "claim", "R-7788")
    assert "Payment received: 280.00 yuan on 2026-12-03 (receipt R-7788)" in li.last
    assert "Receipt number: R-7788" in desk.last(DISPATCH).text


def test_a_captions_receipt_number_recorded_for_another_payment_is_not_confirmed(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """The receipt number Li wrote is already another payment's: the desk is told, the claim
    stays open to check with the resident, and nothing is recorded twice."""
    li, dispatcher = fees.li, fees.estate.dispatcher
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 3, 10, 0))
    ledger.record_at_desk(office, "3", "1202", "100", receipt_no="R-7788")
    li.command("fees")
    li.taps("I have paid")
    li.sends_photo("receipt-1", caption="已付280 收据号R-7788")
    tapped = dispatcher.taps("Confirm 280.00", chat_id=DISPATCH)
    assert "R-7788 is already recorded for another payment" in dispatcher.toast_for(tapped)
    with Session(office.engine) as session:
        assert len(session.exec(select(FeePayment)).all()) == 1
        [claim] = session.exec(select(FeeReceiptClaim)).all()
    assert claim.state == "open" and claim.payment_id is None


def test_a_payment_closes_the_follow_up_it_settles_so_nobody_phones_a_paid_home(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li pays at the bank the day the phone reminder after the final notice is raised: the
    payment stops that reminder too, at once (SPEC: a payment stops reminders) — the task is
    closed as paid, its card on the desk says so and has no buttons left, and it is off the
    list of open tasks."""
    desk = fees.estate.desk
    final_notice_sent(fees, office, clock)
    clock.set(sh(2026, 12, 15, 8, 0))
    assert calendar(office).counts["fees:follow_up:raised"] == 1
    assert "Phone reminder for 3-1203" in desk.last(DISPATCH).text
    clock.set(sh(2026, 12, 15, 11, 0))
    due = unit_statement(office, "3", "1203", date(2026, 12, 15))
    assert due is not None
    ledger.record_at_desk(office, "3", "1203", due["total_due"], receipt_no="B-1")
    [task] = fee_tasks(office)
    assert (task.kind, task.state, task.outcome) == ("phone", "done", "paid")
    card = desk.last(DISPATCH)
    assert "Phone reminder for 3-1203" in card.text and "✅ Paid" in card.text
    assert card.buttons == []
    assert tasks.tasks_list(office, state="open") == []


def late_fee_left_followed_up(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li pays December's 280.00 on the 13th, after the final notice, but not its late fee
    (3‰ a day, 001 第五篇 1.3.3: owed on the unpaid amount); on the 15th, the follow-up."""
    li, desk = fees.li, fees.estate.desk
    final_notice_sent(fees, office, clock)
    clock.set(sh(2026, 12, 13, 10, 0))
    ledger.record_at_desk(office, "3", "1203", "280.00", receipt_no="B-2")
    # Twelve days of 3‰ on 280.00 before the payment: 10.08, and no more after it.
    assert "Still due: 10.08 yuan (late fee included: 10.08 yuan)." in li.last
    li.command("fees")
    assert "Total due: 10.08 yuan (late fee included: 10.08 yuan)." in li.last
    clock.set(sh(2026, 12, 15, 8, 0))
    assert calendar(office).counts["fees:follow_up:raised"] == 1
    # The phone call is for December's late fee: not for January's bill, issued that day.
    assert ("Phone reminder for 3-1203 (Li Lei, 13800000002): 10.08 yuan due — still unpaid "
            "after the final notice." in desk.last(DISPATCH).text)


def test_a_late_fee_left_after_the_final_notice_is_followed_up_until_a_manager_waives_it(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    desk = fees.estate.desk
    late_fee_left_followed_up(fees, office, clock)
    with UnitOfWork(office) as uow:
        household = ledger.household_at(uow.session, "3", "1203")
        manager = ledger.manager_named(uow.session, fees.manager.name)
        assert household is not None and manager is not None
        ledger.waive(uow, household, manager, "paid late, first time")
        uow.commit()
    [task] = fee_tasks(office)
    assert (task.kind, task.state, task.outcome) == ("phone", "done", "waived")
    card = desk.last(DISPATCH)
    assert "Phone reminder for 3-1203" in card.text and "✂ Late fee waived" in card.text
    assert card.buttons == []


def test_paying_the_late_fee_left_closes_its_follow_up_with_the_next_bill_still_to_come(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    late_fee_left_followed_up(fees, office, clock)
    clock.set(sh(2026, 12, 15, 11, 0))
    result = ledger.record_at_desk(office, "3", "1203", "10.08", receipt_no="B-3")
    assert result.statement.total_due == Decimal("280.00")  # January's, due from Jan 1
    [task] = fee_tasks(office)
    assert (task.kind, task.state, task.outcome) == ("phone", "done", "paid")
    assert "✅ Paid" in fees.estate.desk.last(DISPATCH).text


def test_a_month_paid_twice_is_flagged_to_the_desk_and_kept_as_credit_for_the_next_bill(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li pays December's 280.00 twice, with two receipts: the second is money beyond all that
    is billed — the desk is told of the overpayment, the resident sees it as credit, and the
    next month's bill is paid from it."""
    li, desk = fees.li, fees.estate.desk
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 1, 10, 0))
    ledger.record_at_desk(office, "3", "1203", "280.00", receipt_no="B-1")
    assert not any("Overpayment" in m.text for m in desk.messages(DISPATCH))
    ledger.record_at_desk(office, "3", "1203", "280.00", receipt_no="B-2")
    flagged = [m.text for m in desk.messages(DISPATCH) if "Overpayment" in m.text]
    assert flagged == ["💴 Overpayment for 3-1203 (Li Lei, 13800000002): 280.00 yuan (receipt "
                       "B-2) is more than all that is billed, and is kept as credit: 280.00 "
                       "yuan. If it was paid twice by mistake, arrange the refund with the "
                       "resident."]
    assert ("Your fees are fully paid. Credit: 280.00 yuan, towards your next bills."
            in li.last)
    li.command("fees")
    assert "Nothing is due. Credit: 280.00 yuan, towards your next bills." in li.last
    clock.set(sh(2026, 12, 15, 8, 0))
    calendar(office)  # January's bill, 280.00: paid from the credit
    li.command("fees")
    assert "Nothing is due. Thank you!" in li.last and "Credit" not in li.last
    assert campaign(office, "payment", "monthly").households == 0  # no notice for it


def test_a_door_time_already_past_or_outside_the_visit_hours_is_asked_again(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Tuesday Dec 1, 18:00 (after the overdue notice): the afternoon window is over, so Today
    afternoon is not offered; this morning at 8 and yesterday have passed, 10 at night is
    after the last window (evening, till 20:00) — none of them becomes a task."""
    li = fees.li
    december_overdue(fees, office, clock)
    clock.set(sh(2026, 12, 1, 18, 0))
    li.command("fees")
    li.taps("Pay at the door")
    offered = str(li.chat[-1].buttons)
    assert "Today afternoon" not in offered and "Tomorrow afternoon" in offered
    for typed, answer in (("today 8am", "already passed"), ("昨天下午", "already passed"),
                          ("明天晚上十点", "09:00–12:00, 14:00–17:00, 18:00–20:00")):
        count = len(li.chat)
        li.says(typed)
        assert len(li.chat) == count + 1 and answer in li.last, li.last
    assert fee_tasks(office) == []
    li.says("tomorrow 3pm")
    assert "come to 3-1203 (tomorrow 3pm) to collect 280.00 yuan" in li.last
    [task] = fee_tasks(office)
    assert (task.kind, task.wanted_time) == ("collect", "tomorrow 3pm")


def test_a_receipt_photo_the_bank_import_then_pays_is_closed_not_confirmed_twice(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li sends the photo of December's 280.00 receipt; before the desk checks it, the bank's
    import records the same 280.00 (1.68 of late fee is still due). The claim's card loses
    its Confirm button (a tap would record the money a second time, as credit never
    received) and says it is paid; the old button is refused, and the claim no longer pauses
    the household's reminders."""
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    photo_sent(fees, office, clock, "280")
    with Session(office.engine) as session:
        [claim] = session.exec(select(FeeReceiptClaim)).all()
    row = {"building": "3", "room": "1203", "amount": "280.00", "paid_at": "2026-12-03",
           "receipt_no": "BANK-1"}
    assert ledger.import_payments(office, [(2, row)]).created == 1
    assert "Payment received: 280.00 yuan on 2026-12-03 (receipt BANK-1)" in li.last
    assert "Still due: 1.68 yuan" in li.last
    card = desk.last(DISPATCH)
    assert "Receipt from Li Lei (3-1203): paid 280.00 yuan" in card.text
    assert "BANK-1" in card.text and card.buttons == [], card
    again = dispatcher.presses(tap(Verb.FEE_RECEIPT, claim.id, "confirm"), chat_id=DISPATCH)
    assert "already checked" in dispatcher.toast_for(again)
    with Session(office.engine) as session:
        assert [p.receipt_no for p in session.exec(select(FeePayment)).all()] == ["BANK-1"]
        settled = session.get(FeeReceiptClaim, claim.id)
        assert settled is not None and settled.state != "open"
        assert paused_by(session, settled.household_id) == ""
