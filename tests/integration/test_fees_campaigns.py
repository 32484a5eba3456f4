"""Notice campaigns as the office lives them (fake clock, SQLite): finance's batch is prepared
on the ladder's date, previewed to the managers, approved, and sent once; a payment, a
dispute, a restart or a blocked bot each end a notice with a known outcome."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dialogs.buttons import Verb, tap
from handlers.delivery import outbox as delivery
from handlers.fees import campaigns, ledger, sending
from handlers.office import Office
from handlers.office.clock import FakeClock
from storage.fees import FeeCampaign, FeeNotice
from storage.models import Outbox
from tests.support.estate import DISPATCH, MANAGERS
from tests.support.fees import (
    FeeEstate,
    bills,
    calendar,
    campaign,
    decide,
    drain,
    fee_estate,
    fee_rows,
    fee_tasks,
    notices,
    preview,
    with_ladder,
)
from tests.support.orders import sh


@pytest.fixture
def fees(office: Office) -> FeeEstate:
    return fee_estate(office)


def test_on_the_first_the_batch_is_prepared_previewed_approved_and_sent_once(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk = fees.li, fees.estate.desk
    clock.set(sh(2026, 12, 1, 7, 59))
    assert not calendar(office)
    clock.set(sh(2026, 12, 1, 8, 0))
    report = calendar(office)
    # Dec 1: the monthly overdue notice (December), the quarterly and the half-yearly
    # payment notices (January–March, January–June 2027).
    assert report.counts == {"fees:overdue:prepared": 1, "fees:payment:prepared": 2}
    assert not calendar(office)  # once
    overdue = campaign(office, "overdue", "monthly")
    assert (overdue.households, overdue.total_fen, overdue.status) == (1, 28000, "prepared")
    shown = preview(desk.messages(MANAGERS), overdue.id or 0)
    assert "Overdue notice (monthly) of 2026-12-01 for 2026-12-01–2026-12-31" in shown.text
    assert "1 households, 280.00 yuan in all" in shown.text
    assert "Building 3: 1 households, 280.00 yuan" in shown.text
    for language in ("— 简体中文 —", "— 繁體中文 —", "— English —"):
        assert language in shown.text
    assert "3‰" in shown.text and "Waiting for approval" in shown.text
    payment = campaign(office, "payment", "semiannual")
    assert (payment.households, payment.total_fen) == (1, 150000)  # 5-0101: 6 × 250.00
    before = len(li.chat)
    clock.set(sh(2026, 12, 1, 10, 0))
    drain(office)
    assert len(li.chat) == before  # nothing goes out unapproved
    tapped = decide(fees, overdue.id or 0)
    assert "Approved" in fees.manager.toast_for(tapped)
    assert "Approved by Zhou" in preview(desk.messages(MANAGERS), overdue.id or 0).text
    assert drain(office).counts["fee_notice:sent"] == 1
    notice = li.chat[-1]
    assert "Overdue notice for 3-1203" in notice.text
    assert "Please pay 280.00 yuan by 2026-12-08" in notice.text
    assert "late fee of 3‰ of the amount a day, counted from 2026-12-01" in notice.text
    assert [label for label, _ in notice.buttons] == [
        "💰 My fees", "✅ I have paid", "🚪 Pay at the door", "❓ I dispute this"]
    assert not drain(office).counts["fee_notice:sent"]
    clock.advance(timedelta(minutes=5))
    assert drain(office).counts == {"fee_delivery:delivered": 1, "fee_campaign:done": 1}
    assert len(fee_rows(office, li.user_id)) == 1  # sent once
    done = [m.text for m in desk.messages(MANAGERS) if "is done" in m.text]
    assert done and "1 delivered" in done[-1]
    shown_json = campaigns.campaigns(office)
    row = next(r for r in shown_json if r["id"] == overdue.id)
    assert row["status"] == "done" and row["notices"] == {"delivered": 1}
    assert row["by_building"] == [{"building": "3", "households": 1, "total": "280.00"}]


def test_a_hold_stops_the_batch_until_it_is_approved_and_only_managers_decide(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li = fees.li
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    overdue = campaign(office, "overdue", "monthly")
    refused = decide(fees, overdue.id or 0, who=fees.estate.dispatcher)
    assert "Only a manager" in fees.estate.dispatcher.toast_for(refused)
    decide(fees, overdue.id or 0, "hold")
    clock.set(sh(2026, 12, 1, 10, 0))
    before = len(li.chat)
    drain(office)
    assert len(li.chat) == before
    again = decide(fees, overdue.id or 0, "hold")
    assert "already decided" in fees.manager.toast_for(again)
    decide(fees, overdue.id or 0, "approve")
    drain(office)
    assert "Overdue notice" in li.chat[-1].text


def held_once_queued(fees: FeeEstate, office: Office, clock: FakeClock) -> FeeCampaign:
    """Li's overdue notice and Wang's payment notice are approved and written to the outbox;
    before the sender runs, a manager holds Li's campaign."""
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    overdue = campaign(office, "overdue", "monthly")  # Li's
    decide(fees, overdue.id or 0)
    decide(fees, campaign(office, "payment", "quarterly").id or 0)  # Wang's
    shown = preview(fees.estate.desk.messages(MANAGERS), overdue.id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    assert drain(office).counts["fee_notice:sent"] == 2  # written, not yet sent
    held = fees.manager.presses(tap(Verb.FEE_CAMPAIGN, overdue.id, "hold"), MANAGERS,
                                shown.message_id)  # the tap is handled, then the outbox goes
    assert "nothing more goes out" in fees.manager.toast_for(held)
    return overdue


def test_a_hold_after_approve_takes_back_the_notices_already_in_the_outbox(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, wang, desk = fees.li, fees.wang, fees.estate.desk
    overdue = held_once_queued(fees, office, clock)
    desk.deliver()  # the sender runs
    assert all("Overdue notice" not in m.text for m in li.chat)
    assert [r.status for r in fee_rows(office, li.user_id)] == ["cancelled"]
    assert [r.status for r in fee_rows(office, wang.user_id)] == ["sent"]  # not held
    clock.advance(timedelta(minutes=5))
    # Wang's delivered, his campaign done; Li's was not sent, so not checked (nor a task).
    assert drain(office).counts == {"fee_delivery:delivered": 1, "fee_campaign:done": 1}
    assert [n.state for n in notices(office, overdue.id)] == ["pending"]
    assert fee_tasks(office) == []
    decide(fees, overdue.id or 0)
    assert drain(office).counts["fee_notice:sent"] == 1  # the same day: nothing reached Li
    desk.deliver()
    assert sum("Overdue notice" in m.text for m in li.chat) == 1
    assert len(fee_rows(office, wang.user_id)) == 1
    clock.advance(timedelta(minutes=5))
    assert drain(office).counts["fee_delivery:delivered"] == 1
    row = next(r for r in campaigns.campaigns(office) if r["id"] == overdue.id)
    assert row["status"] == "done" and row["notices"] == {"delivered": 1}


def held_in_hand(fees: FeeEstate, office: Office, clock: FakeClock
                 ) -> tuple[FeeCampaign, delivery.Pending]:
    """Li's overdue notice is approved and written; the sender reads it, and a manager's Hold
    lands while the sender is sending it (Li's copy, read, is returned)."""
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    overdue = campaign(office, "overdue", "monthly")  # Li's
    decide(fees, overdue.id or 0)
    shown = preview(fees.estate.desk.messages(MANAGERS), overdue.id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    drain(office)
    [notice] = notices(office, overdue.id)
    [in_hand] = [row for row in delivery.due(office).rows
                 if row.ref == ledger.notice_ref(notice.id)]  # the sender reads it
    fees.manager.presses(tap(Verb.FEE_CAMPAIGN, overdue.id, "hold"), MANAGERS,
                         shown.message_id)  # lands while the sender is sending it
    return overdue, in_hand


def test_a_notice_the_sender_had_in_hand_when_the_hold_came_goes_once(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk = fees.li, fees.estate.desk
    overdue, in_hand = held_in_hand(fees, office, clock)
    desk.accept(in_hand)  # Telegram took it: Li has it, and the sender records it sent
    assert [r.status for r in fee_rows(office, li.user_id)] == ["sent"]
    decide(fees, overdue.id or 0)
    assert drain(office).counts["fee_notice:delivered"] == 1  # counted, not sent again
    desk.deliver()
    assert sum("Overdue notice" in m.text for m in li.chat) == 1
    assert len(fee_rows(office, li.user_id)) == 1
    [notice] = notices(office, overdue.id)
    assert (notice.state, notice.sent_on) == ("delivered", date(2026, 12, 1))
    clock.advance(timedelta(minutes=5))
    drain(office)
    row = next(r for r in campaigns.campaigns(office) if r["id"] == overdue.id)
    assert row["status"] == "done" and row["notices"] == {"delivered": 1}


def test_a_notice_the_sender_marks_sent_only_after_the_approval_again_goes_once(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    # The manager approves again at once, and Telegram answers for the copy in hand only after
    # the drain's next round: Li has the notice once, not a second copy written meanwhile.
    li, desk = fees.li, fees.estate.desk
    overdue, in_hand = held_in_hand(fees, office, clock)
    decide(fees, overdue.id or 0)
    drain(office)  # the sender has not heard back about Li's copy yet
    desk.accept(in_hand)  # now Telegram took it
    desk.deliver()
    assert sum("Overdue notice" in m.text for m in li.chat) == 1
    assert [r.status for r in fee_rows(office, li.user_id)] == ["sent"]
    clock.advance(timedelta(minutes=5))
    drain(office)
    [notice] = notices(office, overdue.id)
    assert notice.state == "delivered"
    row = next(r for r in campaigns.campaigns(office) if r["id"] == overdue.id)
    assert row["status"] == "done" and row["notices"] == {"delivered": 1}


def test_a_notice_taken_back_and_sent_again_is_judged_by_its_real_send(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    overdue = held_once_queued(fees, office, clock)
    decide(fees, overdue.id or 0)
    drain(office)
    [again] = fee_rows(office, fees.li.user_id)  # the row taken back goes again
    assert again.status == "pending" and again.id is not None
    delivery.mark_undeliverable(office, again.id, "Forbidden: bot was blocked by the user")
    clock.advance(timedelta(minutes=5))
    assert drain(office).counts["fee_delivery:task"] == 1
    [notice] = notices(office, overdue.id)
    assert (notice.state, notice.outcome) == ("unreachable", "not delivered: undeliverable")


def test_notices_leave_in_daytime_only(fees: FeeEstate, office: Office,
                                       clock: FakeClock) -> None:
    li = fees.li
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "overdue", "monthly").id or 0)  # at 08:00
    before = len(li.chat)
    clock.set(sh(2026, 12, 1, 8, 59))
    drain(office)
    assert len(li.chat) == before
    clock.set(sh(2026, 12, 1, 9, 0))
    assert drain(office).counts["fee_notice:sent"] == 1


def test_a_payment_mid_campaign_stops_the_rest_and_sends_a_receipt(
        fees: FeeEstate, office: Office, clock: FakeClock, tmp_path: Path) -> None:
    # One notice waiting in the outbox at a time: the others wait their turn.
    office = with_ladder(office, tmp_path, **{"queue_window: 1000": "queue_window: 1"})
    wang, li = fees.wang, fees.li
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "payment", "quarterly").id or 0)  # Wang's, due at 09:00
    clock.set(sh(2026, 12, 1, 9, 30))
    decide(fees, campaign(office, "overdue", "monthly").id or 0)  # Li's, due at 09:30
    clock.set(sh(2026, 12, 1, 10, 0))
    assert drain(office).counts["fee_notice:sent"] == 1  # Wang's; the window is full
    [wangs] = fee_rows(office, wang.user_id)
    assert wangs.status == "pending"
    # Li pays at the cashier's while the campaign is under way: Li's notice never goes.
    result = ledger.record_at_desk(office, "3", "1203", "280.00", receipt_no="R-0001")
    assert result.stopped == 1 and result.statement.total_due == Decimal("0.00")
    assert "Payment received: 280.00 yuan" in li.chat[-1].text  # (delivers the outbox)
    assert "fully paid" in li.chat[-1].text
    assert not drain(office).counts["fee_notice:sent"]
    assert fee_rows(office, li.user_id) == []
    overdue = campaign(office, "overdue", "monthly")
    assert [n.state for n in notices(office, overdue.id)] == ["paid"]
    assert len(fee_rows(office, wang.user_id)) == 1


def test_a_payment_takes_back_a_notice_already_in_the_outbox(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li = fees.li
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "overdue", "monthly").id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    drain(office)  # written to the outbox, not yet sent
    ledger.record_at_desk(office, "3", "1203", "280.00", receipt_no="R-0002")
    rows = fee_rows(office, li.user_id)
    assert [r.status for r in rows] == ["cancelled"]
    assert all("Overdue" not in m.text for m in li.chat)
    assert "Payment received" in li.chat[-1].text
    clock.advance(timedelta(minutes=5))
    drain(office)
    assert [n.state for n in notices(office, campaign(office, "overdue", "monthly").id)] == [
        "paid"]


class Killed(BaseException):
    """The process dies (not an error the drain would catch and retry)."""


def test_a_restart_mid_campaign_sends_nobody_twice(
        fees: FeeEstate, office: Office, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    for kind, plan in (("overdue", "monthly"), ("payment", "quarterly")):
        decide(fees, campaign(office, kind, plan).id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    real = sending.send_notice
    calls = {"n": 0}

    def dies_on_the_second(uow: object, notice_id: int) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed
        return real(uow, notice_id)  # type: ignore[arg-type]

    monkeypatch.setattr(sending, "send_notice", dies_on_the_second)
    with pytest.raises(Killed):
        drain_in_batches_of_one(office)
    approved = {campaign(office, "overdue", "monthly").id,
                campaign(office, "payment", "quarterly").id}
    assert sorted(n.state for n in notices(office) if n.campaign_id in approved) == [
        "pending", "sent"]
    monkeypatch.setattr(sending, "send_notice", real)
    drain(office)  # the restarted process
    drain(office)
    for person in (fees.li, fees.wang):
        assert len(fee_rows(office, person.user_id)) == 1


def drain_in_batches_of_one(office: Office) -> None:
    from scheduler.drain import drain_once

    drain_once(office, batch=1)


def test_a_blocked_bot_turns_the_notice_into_a_phone_task(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, desk, dispatcher = fees.li, fees.estate.desk, fees.estate.dispatcher
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "overdue", "monthly").id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    drain(office)
    [row] = fee_rows(office, li.user_id)
    assert row.id is not None
    delivery.mark_undeliverable(office, row.id, "Forbidden: bot was blocked by the user")
    clock.advance(timedelta(minutes=5))
    assert drain(office).counts["fee_delivery:task"] == 1
    [task] = fee_tasks(office)
    assert (task.kind, task.reason, task.state) == ("phone", "blocked", "open")
    card = desk.last(DISPATCH)
    assert "Phone reminder for 3-1203 (Li Lei, 13800000002): 280.00 yuan due" in card.text
    assert "blocked the bot" in card.text
    dispatcher.taps("Promised to pay", chat_id=DISPATCH)
    [task, letter] = fee_tasks(office)
    assert (task.state, task.outcome) == ("done", "promised")
    assert (letter.kind, letter.state, letter.due_on) == ("letter", "planned", date(2027, 3, 1))
    assert "Recorded by 刘调度: 🤝 Promised to pay" in desk.last(DISPATCH).text
    assert desk.last(DISPATCH).buttons == []
    again = dispatcher.presses(tap(Verb.FEE_TASK, task.id, "unreachable"), chat_id=DISPATCH)
    assert "already recorded" in dispatcher.toast_for(again)


def test_a_household_nobody_of_which_uses_the_bot_becomes_a_task_at_once(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "payment", "semiannual").id or 0)  # 5-0101 nobody bound
    clock.set(sh(2026, 12, 1, 10, 0))
    assert drain(office).counts["fee_notice:no_chat"] == 1
    [task] = fee_tasks(office)
    assert (task.kind, task.reason, task.amount_fen) == ("phone", "no_chat", 150000)


def test_at_most_one_fee_message_a_household_a_day(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li = fees.li
    clock.set(sh(2026, 11, 15, 8, 0))
    calendar(office)  # the monthly payment notice for December
    decide(fees, campaign(office, "payment", "monthly").id or 0)
    clock.set(sh(2026, 11, 15, 9, 0))
    drain(office)
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    with Session(office.engine) as session:  # pretend the payment notice went today
        for notice in session.exec(select(FeeNotice)).all():
            if notice.sent_on is not None:
                notice.sent_on = date(2026, 12, 1)
                session.add(notice)
        session.commit()
    decide(fees, campaign(office, "overdue", "monthly").id or 0)
    clock.set(sh(2026, 12, 1, 10, 0))
    assert drain(office).counts["fee_notice:tomorrow"] == 1
    before = len(li.chat)
    clock.set(sh(2026, 12, 2, 9, 0))
    assert drain(office).counts["fee_notice:sent"] == 1
    assert len(li.chat) == before + 1


def test_a_later_notice_replaces_one_that_never_went(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    clock.set(sh(2026, 11, 15, 8, 0))
    calendar(office)  # prepared, never approved
    payment = campaign(office, "payment", "monthly")
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    assert [n.state for n in notices(office, payment.id)] == ["superseded"]


def test_auto_approve_is_the_offices_choice(fees: FeeEstate, office: Office, clock: FakeClock,
                                            tmp_path: Path) -> None:
    office = with_ladder(office, tmp_path, **{"auto_approve: false": "auto_approve: true"})
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    overdue = campaign(office, "overdue", "monthly")
    assert overdue.status == "approved"
    assert "Approved automatically" in preview(fees.estate.desk.messages(MANAGERS),
                                               overdue.id or 0).text
    clock.set(sh(2026, 12, 1, 9, 0))
    assert drain(office).counts["fee_notice:sent"] >= 1


def test_paid_work_of_november_is_a_line_on_the_next_monthly_notice(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    from storage.models import WorkOrder

    li_household = _id(office, "3", "1203")
    with Session(office.engine) as session:
        session.add(WorkOrder(number="WO-20261120-0003", kind="service", trade="cleaning",
                              status="confirmed", household_id=li_household,
                              price=Decimal("45.00"), created_at=sh(2026, 11, 20, 9),
                              confirmed_at=sh(2026, 11, 20, 15)))
        session.add(WorkOrder(number="WO-20261201-0001", kind="service", trade="cleaning",
                              status="confirmed", household_id=li_household,
                              price=Decimal("60.00"), created_at=sh(2026, 12, 1, 9),
                              confirmed_at=sh(2026, 12, 1, 9)))  # December: not closed yet
        session.commit()
    clock.set(sh(2026, 12, 1, 8, 0))
    assert calendar(office).counts["fees:paid_work_billed"] == 1
    service = [b for b in bills(office, li_household) if b.work_order_id is not None]
    assert [(b.item, b.period_start, b.amount_fen) for b in service] == [
        ("service:WO-20261120-0003", date(2027, 1, 1), 4500)]
    clock.set(sh(2026, 12, 15, 8, 0))
    calendar(office)
    decide(fees, campaign(office, "payment", "monthly").id or 0)
    clock.set(sh(2026, 12, 15, 9, 0))
    drain(office)
    text = fees.li.chat[-1].text
    assert "Payment notice for 3-1203: the fees for 2027-01-01–2027-01-31 are due" in text
    assert "Paid service WO-20261120-0003: 45.00 yuan" in text
    # December's 280.00 with 14 days of late fee (11.76), January's 280.00 and the 45.00
    assert "Please pay 616.76 yuan by 2027-01-15" in text


def _id(office: Office, building: str, room: str) -> int:
    with Session(office.engine) as session:
        household = ledger.household_at(session, building, room)
        assert household is not None and household.id is not None
        return household.id


def test_the_campaign_rows_are_the_households_that_owe(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    ledger.record_at_desk(office, "5", "0101", "1500.00", receipt_no="PRE-1")  # paid ahead
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    with Session(office.engine) as session:
        semi = session.exec(select(FeeCampaign).where(
            FeeCampaign.plan == "semiannual")).one()
        assert semi.households == 0 and semi.status == "done"
        assert session.exec(select(Outbox).where(Outbox.chat_id == MANAGERS,
                                                 Outbox.ref == f"feecamp:{semi.id}")).all() == []
