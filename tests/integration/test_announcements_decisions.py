"""Deciding on and recalling announcements when things happen at once or go wrong (fake
clock, SQLite): a hold after Approve takes back the copies already in the outbox; two taps
read before either wrote decide, recall or report an outage once; the "report it anyway"
answer loses its button; /announce in the managers' chat leaves a private dialog alone; a
recall deletes only well inside Telegram's 48 hours, and a delete Telegram refuses is
followed by the correction. Who may do what on the way is checked here too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.adapters.base import KeyboardJson
from bot.sender import Limits, OutboxSender
from dialogs.buttons import Verb, tap
from handlers.announcements import notices
from handlers.delivery import outbox as delivery
from handlers.fees import campaigns
from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.drain import drain_once
from storage.announcements import Announcement, OutageReport
from storage.fees import FeeCampaign
from storage.models import Outbox
from storage.models import Person as PersonRow
from tests.integration.test_announcements import compose, copies, delivered, latest
from tests.integration.test_emergency_photos import Call, Phones
from tests.support.estate import DISPATCH, MANAGERS
from tests.support.fees import FeeEstate, calendar, campaign, decide, fee_estate
from tests.support.orders import events, sh

OUT_OF_DATE = "This button is out of date; nothing was changed."
SENDER = Limits(private_per_second=50, poll_interval=0.01)


@pytest.fixture
def fees(office: Office) -> FeeEstate:
    return fee_estate(office)


@pytest.fixture
def daytime(clock: FakeClock) -> FakeClock:
    clock.set(sh(2026, 12, 1, 10, 0))
    return clock


def read_before(monkeypatch: pytest.MonkeyPatch, model: type[Any], **values: Any) -> None:
    """Every read of *model* sees *values*, as a tap that read the row just before another
    one's change was committed (the two at the same moment)."""
    real = Session.get

    def stale(self: Session, entity: Any, ident: Any, **kwargs: Any) -> Any:
        found = real(self, entity, ident, **kwargs)
        if entity is model and found is not None:
            for name, value in values.items():
                set_committed_value(found, name, value)
        return found
    monkeypatch.setattr(Session, "get", stale)


def outbox(office: Office, **where: Any) -> list[Outbox]:
    with Session(office.engine) as session:
        query = select(Outbox).order_by(col(Outbox.id))
        for name, value in where.items():
            query = query.where(getattr(Outbox, name) == value)
        return list(session.exec(query).all())


def set_role(office: Office, user_id: int, role: str) -> None:
    with Session(office.engine) as session:
        person = session.exec(select(PersonRow).where(
            PersonRow.telegram_user_id == user_id)).one()
        person.role = role
        session.add(person)
        session.commit()


# -- hold after approve ---------------------------------------------------------------------
def approved_and_written(fees: FeeEstate, office: Office) -> tuple[int | None, str]:
    """An announcement to the whole estate, approved, its copies written to the outbox and not
    sent yet; its number and the managers' Hold button."""
    compose(fees.manager, "Water tanks are cleaned on Thursday.", "The whole estate")
    hold = fees.estate.desk.find_button(MANAGERS, "Hold")[1]
    fees.manager.taps("Approve", chat_id=MANAGERS)
    drain_once(office)
    return latest(office).id, hold


def read_by_the_sender(office: Office, chat_id: int, number: int | None) -> delivery.Pending:
    """The chat's copy of the announcement, as the sender reads it to send it."""
    [row] = [row for row in delivery.due(office).rows
             if row.chat_id == chat_id and row.ref == notices.ref(number)]
    return row


def test_a_hold_after_approve_takes_back_the_copies_already_in_the_outbox(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    number, hold = approved_and_written(fees, office)
    held = manager.presses(hold, chat_id=MANAGERS)  # the tap is handled, then the outbox goes
    assert "nothing goes out" in manager.toast_for(held)
    assert not any("Water tanks" in m.text for m in (*wang.chat, *li.chat))
    assert copies(office, li.user_id, number) == 1  # written, and taken back
    [row] = notices.listing(office, number)
    assert (row["sent"], row["queued"], row["recalled"]) == (0, 2, 0)
    manager.taps("Approve", chat_id=MANAGERS)
    drain_once(office)
    desk.deliver()
    for person in (wang, li):
        assert sum("Water tanks" in m.text for m in person.chat) == 1  # once, after all
    [row] = notices.listing(office, number)
    assert (row["sent"], row["queued"]) == (2, 0)


def test_a_copy_the_sender_had_in_hand_when_the_hold_came_goes_once(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    number, hold = approved_and_written(fees, office)
    in_hand = read_by_the_sender(office, li.user_id, number)
    manager.presses(hold, chat_id=MANAGERS)  # lands while the sender is sending Li's copy
    desk.accept(in_hand)  # Telegram took it: Li has it, and the sender records it sent
    assert [r.status for r in outbox(office, chat_id=li.user_id, ref=notices.ref(number))] \
        == ["sent"]
    [row] = notices.listing(office, number)
    assert (row["sent"], row["queued"]) == (1, 1)  # Li's went; Wang's was taken back
    manager.taps("Approve", chat_id=MANAGERS)
    assert drain_once(office).counts["announcement:delivered"] == 1  # Li's, not again
    desk.deliver()
    for person in (wang, li):
        assert sum("Water tanks" in m.text for m in person.chat) == 1
    [row] = notices.listing(office, number)
    assert (row["sent"], row["queued"]) == (2, 0)


def test_a_copy_the_sender_marks_sent_only_after_the_approval_again_goes_once(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    # The Hold lands while the sender has Li's copy in hand, the manager approves again at
    # once, and Telegram answers for that copy only after the drain's next round: Li has it
    # once, from the copy in hand, not a second one written after the approval.
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    number, hold = approved_and_written(fees, office)
    in_hand = read_by_the_sender(office, li.user_id, number)
    manager.presses(hold, chat_id=MANAGERS)
    manager.taps("Approve", chat_id=MANAGERS)
    drain_once(office)  # the sender has not heard back about Li's copy yet
    desk.accept(in_hand)  # now Telegram took it
    desk.deliver()
    for person in (wang, li):
        assert sum("Water tanks" in m.text for m in person.chat) == 1
    [row] = notices.listing(office, number)
    assert (row["sent"], row["queued"]) == (2, 0)


def li_s_copy_is_deleted(fees: FeeEstate, office: Office, daytime: FakeClock,
                        number: int | None) -> None:
    """Li's copy, which arrived after the recall, is deleted; Wang's never went."""
    fees.estate.desk.deliver()
    assert not any("Water tanks" in m.text for m in (*fees.wang.chat, *fees.li.chat))
    daytime.advance(timedelta(minutes=5))
    assert drain_once(office).counts["announcement_delete:deleted"] == 1
    [row] = notices.listing(office, number)
    assert (row["sent"], row["recalled"], row["deleted"], row["corrected"]) == (1, 1, 1, 0)


def test_a_copy_the_sender_had_in_hand_when_the_recall_came_is_deleted_once_it_arrived(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    number, _ = approved_and_written(fees, office)
    in_hand = read_by_the_sender(office, li.user_id, number)
    manager.presses(tap(Verb.ANNOUNCE_STAFF, number or 0, "recall"))  # while Li's goes
    assert manager.last == ("↩️ Announcement #1 recalled: 0 messages deleted, 0 too old to "
                            "delete got a correction, 2 stopped before sending.\n2 of them "
                            "were waiting to go out and may have gone that very moment: any "
                            "that did is deleted within minutes, or corrected.")
    desk.accept(in_hand)  # Telegram took it all the same: Li has it
    assert any("Water tanks" in m.text for m in li.chat)
    daytime.advance(timedelta(minutes=5))
    counts = drain_once(office).counts
    assert (counts["announcement_delete:deleting"], counts["announcement_delete:stopped"]) \
        == (1, 1)  # Li's arrived, and is deleted; Wang's never went
    li_s_copy_is_deleted(fees, office, daytime, number)
    assert not any("Correction" in m.text for m in (*wang.chat, *li.chat))


def test_a_recalled_copy_the_sender_marks_sent_after_the_check_is_deleted_all_the_same(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    # The sender holds Li's copy past the five-minute look (Telegram slow to answer): the
    # look finds it not sent, and when it is marked sent at last it is deleted all the same.
    li, manager, desk = fees.li, fees.manager, fees.estate.desk
    number, _ = approved_and_written(fees, office)
    in_hand = read_by_the_sender(office, li.user_id, number)
    manager.presses(tap(Verb.ANNOUNCE_STAFF, number or 0, "recall"))
    daytime.advance(timedelta(minutes=5))
    assert drain_once(office).counts["announcement_delete:stopped"] == 2  # nothing went yet
    daytime.advance(timedelta(minutes=20))
    desk.accept(in_hand)  # Telegram took it at last: Li has it
    assert any("Water tanks" in m.text for m in li.chat)
    assert drain_once(office).counts["announcement_delete:deleting"] == 1
    li_s_copy_is_deleted(fees, office, daytime, number)
    assert not drain_once(office)  # looked at once: nothing more to do


# -- at the same moment ---------------------------------------------------------------------
def test_two_approvals_at_the_same_moment_count_once(
        fees: FeeEstate, office: Office, daytime: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    manager, desk = fees.manager, fees.estate.desk
    compose(manager, "Fire drill on Friday.", "The whole estate")
    approve = desk.find_button(MANAGERS, "Approve")[1]
    manager.taps("Approve")  # from the private preview
    read_before(monkeypatch, Announcement, status="prepared")
    again = manager.presses(approve, chat_id=MANAGERS)  # read it still undecided
    monkeypatch.undo()
    assert manager.toast_for(again) == "This announcement was already decided."
    assert len(events(office, "announcement_approved")) == 1


def test_a_second_recall_at_the_same_moment_sends_nothing_twice(
        fees: FeeEstate, office: Office, daytime: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    manager, desk = fees.manager, fees.estate.desk
    compose(manager, "Fees are due on the 5th.", "The whole estate")
    manager.taps("Approve")
    drain_once(office)
    desk.deliver()
    recall = desk.find_button(manager.user_id, "Recall")[1]
    manager.taps("Recall")
    deletes = len(outbox(office, op="delete"))
    assert deletes == 2
    read_before(monkeypatch, Announcement, status="approved")
    again = manager.presses(recall)
    monkeypatch.undo()
    assert manager.toast_for(again) == "This announcement was already recalled."
    assert len(outbox(office, op="delete")) == deletes
    assert len(events(office, "announcement_recalled")) == 1
    with pytest.raises(ValueError, match="recalled; cannot recall"):
        notices.decide_from_cli(office, latest(office).id or 0, "recall")


def outage_answered(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Water is off in building 3 today, and 王 reports no water."""
    clock.set(sh(2026, 12, 3, 8, 0))
    compose(fees.manager, "Pipe works on the main.", "planned outage", "tap:Water", "3",
            "2026-12-03 09:00 - 17:00")
    fees.manager.taps("Approve")
    clock.set(sh(2026, 12, 3, 10, 0))
    drain_once(office)
    fees.wang.says("停水了")


def test_report_it_anyway_shows_its_outcome_and_loses_the_button(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    outage_answered(fees, office, clock)
    answer, _ = fees.estate.desk.find_button(fees.wang.user_id, "仍要报修")
    fees.wang.taps("仍要报修")
    assert answer.buttons == []
    assert "计划停水" in answer.text and answer.text.endswith("收到：您的报修照常受理。")


def test_two_quick_taps_on_report_it_anyway_open_one_work_order(
        fees: FeeEstate, office: Office, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    outage_answered(fees, office, clock)
    wang = fees.wang
    anyway = fees.estate.desk.find_button(wang.user_id, "仍要报修")[1]
    wang.taps("仍要报修")
    read_before(monkeypatch, OutageReport, reported_at=None)
    again = wang.presses(anyway)  # the second tap read the report before the first wrote
    monkeypatch.undo()
    assert wang.toast_for(again) == "该按钮已失效，未做任何更改。"
    assert len(events(office, "outage_overridden")) == 1


def test_fee_campaign_decisions_are_conditional_too(
        fees: FeeEstate, office: Office, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock.set(sh(2026, 12, 1, 8, 0))
    calendar(office)
    campaign_id = campaign(office, "overdue", "monthly").id or 0
    decide(fees, campaign_id)
    read_before(monkeypatch, FeeCampaign, status="prepared")
    again = decide(fees, campaign_id)  # read it still undecided
    monkeypatch.undo()
    assert fees.manager.toast_for(again) == "This batch of notices was already decided."
    assert len(events(office, "fee_campaign_approved")) == 1
    with pytest.raises(ValueError, match="is approved"):
        campaigns.decide_from_cli(office, campaign_id, "approve")


# -- /announce in the managers' chat --------------------------------------------------------
def test_announce_in_the_managers_chat_leaves_a_dialog_under_way_alone(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    dispatcher, desk = fees.estate.dispatcher, fees.estate.desk
    dispatcher.command("announce")
    dispatcher.says("周五电梯年检。")  # half-way: the audience is asked next
    dispatcher.command("announce", chat_id=MANAGERS)
    assert desk.last(MANAGERS).text == (
        "You are in the middle of an announcement in our private chat. Finish it there, or "
        "send /cancel there to stop it, then /announce again.")
    dispatcher.taps("The whole estate")  # the dialog goes on where it was
    dispatcher.taps("Send when approved")
    assert "周五电梯年检。" in dispatcher.last and "— preview" in dispatcher.last
    dispatcher.command("announce", chat_id=MANAGERS)  # nothing open now: asked privately
    assert desk.last(MANAGERS).text == "I asked you in our private chat."


# -- who may ---------------------------------------------------------------------------------
def test_announcing_and_deciding_belong_to_the_managers_chat_and_the_desk(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    dispatcher, manager, plumber, desk = (fees.estate.dispatcher, fees.manager,
                                          fees.estate.plumber, fees.estate.desk)
    # /announce in another staff chat is not the way in.
    before = len(dispatcher.chat)
    dispatcher.command("announce", chat_id=DISPATCH)
    assert desk.last(DISPATCH).text == "Only the front desk and managers can send announcements."
    assert len(dispatcher.chat) == before
    # The dispatcher becomes a technician while typing: the notice is not prepared.
    dispatcher.command("announce")
    dispatcher.says("Lift inspection on Friday.")
    dispatcher.taps("The whole estate")
    set_role(office, dispatcher.user_id, "technician")
    refused = dispatcher.taps("Send when approved")
    assert dispatcher.toast_for(refused) == "Only the front desk and managers can send " \
        "announcements."
    assert not notices.listing(office)
    set_role(office, dispatcher.user_id, "dispatcher")
    compose(manager, "Fire drill on Friday.", "The whole estate")
    number = latest(office).id or 0
    # A preview's buttons work in the managers' chat only.
    moved = manager.presses(tap(Verb.ANNOUNCE, number, "approve"), chat_id=DISPATCH)
    assert manager.toast_for(moved) == OUT_OF_DATE
    assert latest(office).status == "prepared"
    manager.taps("Approve")
    # The delivery report is for the desk and managers.
    asked = plumber.presses(tap(Verb.ANNOUNCE_STAFF, number, "report"))
    assert plumber.toast_for(asked) == "只有前台和管理人员可以查看送达报告。"
    assert not any("📊" in m.text for m in plumber.chat)


# -- Telegram's 48 hours ---------------------------------------------------------------------
def test_a_recall_near_the_48_hours_corrects_instead_of_deleting(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    li, manager, desk = fees.li, fees.manager, fees.estate.desk
    compose(manager, "The pool opens on Monday.", "The whole estate")
    manager.taps("Approve")
    drain_once(office)
    desk.deliver()
    daytime.advance(timedelta(hours=47, minutes=30))  # inside 48 h, but not safely
    done = notices.decide_from_cli(office, latest(office).id or 0, "recall",
                                   "The pool opens on Tuesday.")
    assert done == {"deleted": 0, "corrected": 2, "stopped": 0, "checking": 0}
    assert not outbox(office, op="delete")
    assert "The pool opens on Monday." in li.chat[-2].text
    assert li.last.startswith("⚠️ Correction to the property office's notice of 2026-12-01")


def test_a_delete_telegram_refuses_is_followed_by_the_correction(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    number = delivered(fees, office, "The pool opens on Monday.")
    daytime.advance(timedelta(hours=20))
    # Without a correction text (with one, everyone gets it along with the delete).
    assert notices.decide_from_cli(office, number, "recall") == {
        "deleted": 2, "corrected": 0, "stopped": 0, "checking": 0}
    # Telegram refuses Li's delete (the message is gone from its side, or too old after all).
    [refused] = [row for row in outbox(office, op="delete", status="pending")
                 if row.chat_id == li.user_id]
    delivery.mark_failed(office, refused.id or 0, "Bad Request: message can't be deleted")
    desk.deliver()
    assert not any("disregard" in m.text for m in li.chat)
    daytime.advance(timedelta(minutes=5))
    assert drain_once(office).counts["announcement_delete:corrected"] == 1
    assert li.last == ("⚠️ Please disregard the property office's notice of 2026-12-01: it "
                       "was sent in error.")
    assert not any("pool" in m.text for m in wang.chat)  # deleted, and nothing else
    manager.presses(tap(Verb.ANNOUNCE_STAFF, number, "report"))
    assert manager.last.endswith("Recalled: 1 deleted, 1 got a correction instead, 0 deletes "
                                 "not confirmed yet.")
    assert not drain_once(office).counts["announcement_delete:corrected"]  # once


def test_a_refused_delete_after_a_recall_with_a_correction_is_not_corrected_twice(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    li, manager, desk = fees.li, fees.manager, fees.estate.desk
    number = delivered(fees, office, "The pool opens on Monday.")
    notices.decide_from_cli(office, number, "recall", "The pool opens on Tuesday.")
    [refused] = [row for row in outbox(office, op="delete", status="pending")
                 if row.chat_id == li.user_id]
    delivery.mark_failed(office, refused.id or 0, "Bad Request: message can't be deleted")
    desk.deliver()
    daytime.advance(timedelta(minutes=5))
    assert drain_once(office).counts["announcement_delete:corrected"] == 1
    desk.deliver()
    assert sum("The pool opens on Tuesday." in m.text for m in li.chat) == 1
    manager.presses(tap(Verb.ANNOUNCE_STAFF, number, "report"))
    assert manager.last.endswith("Recalled: 1 deleted, 0 deletes not confirmed yet; 2 "
                                 "residents got the correction.")


def approved_with_a_photo(fees: FeeEstate, office: Office) -> int:
    """A notice with a photo to the whole estate, approved, its copies written to the outbox
    and not sent yet; its number."""
    fees.manager.command("announce")
    fees.manager.sends_photo("poster-1", caption="The pool opens on Monday.")
    fees.manager.taps("The whole estate")
    fees.manager.taps("Send when approved")
    fees.manager.taps("Approve", chat_id=MANAGERS)
    drain_once(office)
    return latest(office).id or 0


class Deleting(Phones):
    """The Bot API as the sender sees it, deletes too (recorded as a call on the message)."""

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        self.calls.append(Call(chat_id, "delete", message_id))


async def test_a_recalled_notice_with_a_photo_loses_its_photo_too(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    # Through the real sender: its ref makes a copy editable, so the photo goes first and the
    # text in a message of its own; the recall deletes both, and says so.
    li, manager = fees.li, fees.manager
    number = approved_with_a_photo(fees, office)
    phones = Deleting()
    sender = OutboxSender(office, phones, SENDER)
    assert await sender.drain(within=10)
    copy = phones.in_chat(li.user_id)
    assert [(c.method, c.photos) for c in copy] == [("photo", ("poster-1",)), ("text", ())]
    assert notices.decide_from_cli(office, number, "recall") == {  # two messages each
        "deleted": 4, "corrected": 0, "stopped": 0, "checking": 0}
    assert await sender.drain(within=10)
    assert [c.message_id for c in phones.in_chat(li.user_id) if c.method == "delete"] == [
        c.message_id for c in copy]
    daytime.advance(timedelta(minutes=5))
    assert drain_once(office).counts["announcement_delete:deleted"] == 2
    manager.presses(tap(Verb.ANNOUNCE_STAFF, number, "report"))
    assert manager.last.endswith("Recalled: 2 deleted, 0 got a correction instead, 0 deletes "
                                 "not confirmed yet.")


async def test_a_photo_notice_recalled_between_its_photo_and_its_text_loses_both(
        fees: FeeEstate, office: Office, daytime: FakeClock) -> None:
    # The recall lands while Telegram takes a copy's photo: the copy is taken back from the
    # outbox, its text goes out all the same, and both its messages are deleted.
    wang, li = fees.wang, fees.li
    number = approved_with_a_photo(fees, office)
    recalled: list[dict[str, int]] = []

    class Midway(Deleting):
        async def send_photo(self, chat_id: int, file_id: str, caption: str,
                             keyboard: KeyboardJson | None) -> int:
            shown = await super().send_photo(chat_id, file_id, caption, keyboard)
            if chat_id == li.user_id and not recalled:  # before the sender hears back
                recalled.append(notices.decide_from_cli(office, number, "recall"))
            return shown

    phones = Midway()
    sender = OutboxSender(office, phones, SENDER)
    assert await sender.drain(within=10)
    assert recalled[0]["checking"] >= 1  # Li's, at least, was taken back
    for _ in range(2):  # the copy that arrived is found, then its deletes are confirmed
        daytime.advance(timedelta(minutes=5))
        drain_once(office)
        assert await sender.drain(within=10)
    for person in (wang, li):
        shown = [c for c in phones.in_chat(person.user_id) if c.method != "delete"]
        deleted = {c.message_id for c in phones.in_chat(person.user_id) if c.method == "delete"}
        assert {c.message_id for c in shown} <= deleted
    assert [(c.method, c.photos) for c in phones.in_chat(li.user_id)][:2] == [
        ("photo", ("poster-1",)), ("text", ())]
    [row] = notices.listing(office, number)
    assert row["deleting"] == 0 and row["corrected"] == 0
