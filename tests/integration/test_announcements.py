"""Announcements as the office lives them (fake clock, SQLite): a manager composes with
/announce, the audience is resolved to households, the preview is approved, the drain sends
each recipient one copy in daytime (urgent ones at night too), a restart sends nobody twice,
the author hears how it went, and a wrong notice is recalled. Planned outages answer their
own reports — emergencies still go first — until they end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from dialogs.model import DraftAnnouncement
from handlers.announcements import notices, sending
from handlers.fees import ledger
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.unit_of_work import UnitOfWork
from scheduler.agenda import agenda
from scheduler.drain import drain_once
from storage.announcements import Announcement, AnnouncementDelivery
from storage.models import Outbox, WorkOrder
from storage.models import Person as PersonRow
from tests.conftest import make_office
from tests.support.desk import Person
from tests.support.estate import DISPATCH, MANAGERS, ON_DUTY, code_of
from tests.support.fees import FeeEstate, fee_estate
from tests.support.orders import sh


@pytest.fixture
def fees(office: Office) -> FeeEstate:
    return fee_estate(office)


@pytest.fixture
def zhao(fees: FeeEstate, office: Office) -> Person:
    """赵敏 of 5-0101, who reads Traditional Chinese."""
    zhao = fees.estate.desk.person(103, "趙敏", "zh-hant")
    zhao.command("start", code_of(office, "5", "0101"))
    return zhao


def compose(manager: Person, text: str, audience: str, *answers: str,
            when: str = "when approved") -> None:
    """The manager's /announce conversation, button by button."""
    manager.command("announce")
    manager.says(text)
    manager.taps(audience)
    for answer in answers:
        if answer.startswith("tap:"):
            manager.taps(answer[4:])
        else:
            manager.says(answer)
    if when.startswith("20"):
        manager.says(when)
    else:
        manager.taps("Urgent" if when == "urgent" else "Send when approved")


def latest(office: Office) -> Announcement:
    with Session(office.engine) as session:
        return session.exec(select(Announcement).order_by(col(Announcement.id).desc())
                            .limit(1)).one()


def delivered(fees: FeeEstate, office: Office, text: str) -> int:
    """*text* to the whole estate, approved, sent and delivered; its number."""
    compose(fees.manager, text, "The whole estate")
    fees.manager.taps("Approve")
    drain_once(office)
    fees.estate.desk.deliver()
    return latest(office).id or 0


def recipients(office: Office, announcement_id: int | None) -> set[int]:
    with Session(office.engine) as session:
        return set(session.exec(select(AnnouncementDelivery.chat_id).where(
            AnnouncementDelivery.announcement_id == announcement_id)).all())


def copies(office: Office, chat_id: int, announcement_id: int | None) -> int:
    with Session(office.engine) as session:
        return len(session.exec(select(Outbox).where(
            Outbox.chat_id == chat_id, Outbox.ref == notices.ref(announcement_id))).all())


def orders(office: Office) -> list[WorkOrder]:
    with Session(office.engine) as session:
        return list(session.exec(select(WorkOrder)).all())


def test_audiences_resolve_to_the_right_households(
        fees: FeeEstate, zhao: Person, office: Office) -> None:
    wang, li, manager = fees.wang, fees.li, fees.manager
    ledger.import_bills(office, enumerate([
        {"building": "3", "room": "1203", "period_start": "2026-11-01",
         "period_end": "2026-11-30", "item": "management", "amount": "280.00"}], start=2))
    li.command("menu")
    li.taps("Book a service")
    li.taps("Something else")
    li.says("Could someone walk my dog every morning?")
    cases = {
        ("The whole estate",): {wang.user_id, li.user_id, zhao.user_id},
        ("Chosen buildings", "5"): {zhao.user_id},
        ("Chosen buildings", "3, 5"): {wang.user_id, li.user_id, zhao.user_id},
        ("Households in arrears",): {li.user_id},
        ("asked for a service", "walk my dog"): {li.user_id},
        ("All staff",): {201, 202, 203, 301, 401},
        ("One trade", "tap:Plumbing"): {201, 202},
    }
    for (audience, *answers), expected in cases.items():
        compose(manager, "电梯年检 / Lift inspection", audience, *answers)
        assert recipients(office, latest(office).id) == expected, audience
    compose(manager, "x", "asked for a service", "piano tuning")
    assert "Nobody in this audience" in manager.last
    manager.command("announce")
    manager.says("x")
    manager.taps("Chosen buildings")
    manager.says("9")
    manager.taps("Send when approved")
    assert "no building 9" in manager.last


def test_preview_approve_and_each_recipient_gets_it_once_across_a_restart(
        fees: FeeEstate, zhao: Person, office: Office, clock: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    compose(manager, "本周六上午清洗外墙，请关好窗户。", "The whole estate")
    announcement = latest(office)
    shown = desk.messages(MANAGERS)[-1]
    assert f"Announcement #{announcement.id} — preview" in shown.text
    assert "Recipients: 3 (简体中文 1, 繁體中文 1, English 1)" in shown.text
    for sample in ("— 简体中文 —\n📢 物业管理处通知", "— 繁體中文 —\n📢 物業管理處通知",
                   "— English —\n📢 Notice from the property office"):
        assert sample in shown.text
    assert "Waiting for approval" in shown.text
    mine = fees.estate.desk.last(manager.user_id)  # the author's own copy, to decide there
    assert mine.text == shown.text
    assert [data for _, data in mine.buttons] == [f"v1:announce_me:{announcement.id}:approve",
                                                  f"v1:announce_me:{announcement.id}:hold"]
    drain_once(office)
    assert not copies(office, wang.user_id, announcement.id)  # nothing unapproved
    refused = fees.estate.dispatcher.taps("Approve", chat_id=MANAGERS)
    assert "Only a manager" in fees.estate.dispatcher.toast_for(refused)
    manager.taps("Approve", chat_id=MANAGERS)
    assert "Approved by Zhou" in desk.messages(MANAGERS)[-1].text
    # The process dies after committing a batch of one, and again inside the next batch.
    with UnitOfWork(office) as uow:
        [first] = sending.find_due(uow, 1, frozenset())
        assert sending.send_one(uow, first) == "queued"
        uow.commit()
    with UnitOfWork(office) as uow:
        [second] = sending.find_due(uow, 1, frozenset())
        assert second != first
        sending.send_one(uow, second)  # never committed: rolled back with the crash
    office = make_office(str(office.engine.url), clock)  # started again, same database
    assert drain_once(office).counts["announcement:queued"] == 2
    assert not drain_once(office).counts["announcement:queued"]
    for person in (wang, li, zhao):
        assert copies(office, person.user_id, announcement.id) == 1
    assert "本周六上午清洗外墙" in wang.last and "📢" in wang.last
    assert "Notice from the property office" in li.last
    assert "物業管理處通知" in zhao.last
    desk.deliver()
    assert drain_once(office).counts["announcement_done:done"] == 1
    assert manager.last.startswith(f"📊 Announcement #{announcement.id}, 3 recipients: "
                                   "3 sent, 0 blocked the bot (403), 0 failed, 0 still queued")
    assert not drain_once(office).counts["announcement_done:done"]  # the report comes once


def test_the_report_counts_who_blocked_the_bot(
        fees: FeeEstate, zhao: Person, office: Office, clock: FakeClock) -> None:
    manager, desk = fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    compose(manager, "Fire drill on Friday.", "The whole estate")
    manager.taps("Approve")
    desk.blocked.add(zhao.user_id)  # she blocked the bot after the audience was fixed
    drain_once(office)
    desk.deliver()
    drain_once(office)
    assert manager.last.startswith(f"📊 Announcement #{latest(office).id}, 3 recipients: "
                                   "2 sent, 1 blocked the bot (403), 0 failed, 0 still queued")
    compose(manager, "Fire drill moved to Monday.", "The whole estate")
    assert "Recipients: 2 (简体中文 1, English 1)" in manager.last  # she is left out now


def test_daytime_only_unless_urgent(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, manager = fees.li, fees.manager
    clock.set(sh(2026, 12, 1, 21, 30))
    compose(manager, "Parking lot B is repainted tomorrow.", "The whole estate")
    assert "daytime hours" in manager.toast_for(manager.taps("Approve"))
    drain_once(office)
    assert not copies(office, li.user_id, latest(office).id)  # not at night
    planned, counts = agenda(office)
    assert [(p.target, p.due) for p in planned if p.kind == "announcement"] == [
        (f"#{latest(office).id}", sh(2026, 12, 2, 9, 0))]
    assert counts["announcement"] == 2
    manager.taps("Delivery report")
    assert manager.last.endswith("0 sent, 0 blocked the bot (403), 0 failed, 2 still queued, "
                                 "0 recalled before sending.")
    compose(manager, "Water main burst: water off in building 3 until midnight.",
            "The whole estate", when="urgent")
    assert "day or night" in manager.toast_for(manager.taps("Approve"))
    drain_once(office)
    assert copies(office, li.user_id, latest(office).id) == 1  # urgent: at once
    clock.set(sh(2026, 12, 2, 9, 0))
    assert drain_once(office).counts["announcement:queued"] == 2  # the morning brings the rest


def test_a_photo_goes_with_its_caption(fees: FeeEstate, office: Office,
                                      clock: FakeClock) -> None:
    li, manager = fees.li, fees.manager
    clock.set(sh(2026, 12, 1, 10, 0))
    manager.command("announce")
    manager.sends_photo("photo-1")
    assert "with the text as its caption" in manager.last  # a photo alone is not a notice
    manager.sends_photo("photo-1", "photo-2", caption="The new parcel lockers are by gate 2.")
    manager.taps("The whole estate")
    manager.taps("Send when approved")
    manager.taps("Approve")
    drain_once(office)
    shown = li.chat[-1]
    assert shown.photos == ["photo-2"] and "parcel lockers" in shown.text


def test_a_chosen_time_waits_for_it(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    li, manager = fees.li, fees.manager
    clock.set(sh(2026, 12, 1, 10, 0))
    compose(manager, "Lift inspection on Friday.", "The whole estate",
            when="2026-12-03 09:30")
    manager.taps("Approve")
    clock.set(sh(2026, 12, 3, 9, 29))
    drain_once(office)
    assert not copies(office, li.user_id, latest(office).id)
    clock.set(sh(2026, 12, 3, 9, 30))
    drain_once(office)
    assert copies(office, li.user_id, latest(office).id) == 1


def test_a_recall_deletes_what_telegram_allows_and_corrects_the_rest(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    compose(manager, "Fees are due on the 5th.", "The whole estate")
    manager.taps("Approve")
    drain_once(office)
    desk.deliver()
    assert "Fees are due on the 5th." in li.last
    recall = desk.find_button(manager.user_id, "Recall")[1]
    assert wang.toast_for(wang.presses(recall)) == "只有公告发布人或管理人员可以撤回公告。"
    manager.taps("Recall")
    assert "2 messages deleted" in manager.last, manager.chat[-3:]
    assert not any("Fees are due on the 5th." in m.text for m in li.chat)
    assert not any("Fees are due" in m.text for m in wang.chat)
    # Older than Telegram's 48 hours: a correction instead.
    compose(manager, "The pool opens on Monday.", "The whole estate")
    manager.taps("Approve")
    drain_once(office)
    desk.deliver()
    clock.advance(timedelta(hours=49))
    notices.decide_from_cli(office, latest(office).id or 0, "recall",
                            "The pool opens on Tuesday.")
    assert "The pool opens on Monday." in li.chat[-2].text
    assert li.last.startswith("⚠️ Correction to the property office's notice of 2026-12-01")
    assert "The pool opens on Tuesday." in li.last
    assert latest(office).status == "recalled"


def water_outage_in_building_3(manager: Person, office: Office, clock: FakeClock) -> None:
    """The manager announces pipe works for building 3 today 09:00–17:00; it is 10:00."""
    clock.set(sh(2026, 12, 3, 8, 0))
    compose(manager, "Pipe works on the main.", "planned outage", "tap:Water", "3",
            "2026-12-03 09:00 - 17:00")
    manager.taps("Approve")
    clock.set(sh(2026, 12, 3, 10, 0))
    drain_once(office)


def test_an_outage_approved_after_it_ended_sends_no_stale_notice(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Pipe works 09:00–17:00, prepared in the morning, approved only at 18:00: the outage is
    over, so nobody is told of it now, and the report says why nothing went."""
    wang, li, manager = fees.wang, fees.li, fees.manager
    clock.set(sh(2026, 12, 3, 8, 0))
    compose(manager, "Pipe works on the main.", "planned outage", "tap:Water", "3",
            "2026-12-03 09:00 - 17:00")
    clock.set(sh(2026, 12, 3, 18, 0))
    manager.taps("Approve")
    drain_once(office)
    assert not any("Pipe works" in m.text for m in (*wang.chat, *li.chat))
    number = latest(office).id
    assert manager.last == (f"📊 Announcement #{number}, 2 recipients: 0 sent, 0 blocked the "
                            "bot (403), 0 failed, 0 still queued, 0 recalled before sending."
                            "\n2 not sent: the outage was over before their turn came.")


def test_an_outage_approved_at_night_warns_that_its_notice_goes_after_it_starts(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """At 22:30 the manager announces valve works for building 3 from 07:00 tomorrow, to go
    in daytime: the notice keeps the night quiet, so it reaches residents only at 09:00, two
    hours into the outage — the preview says so, and how to tell them before."""
    wang, manager, desk = fees.wang, fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 3, 22, 30))
    compose(manager, "Valve replacement on the main.", "planned outage", "tap:Water", "3",
            "2026-12-04 07:00 - 12:00")
    warning = ("⚠️ In daytime hours it goes out at 2026-12-04 09:00, after the outage "
               "starts (2026-12-04 07:00). To tell residents before, prepare it again as "
               "urgent.")
    assert warning in desk.messages(MANAGERS)[-1].text
    manager.taps("Approve", chat_id=MANAGERS)
    assert warning in desk.messages(MANAGERS)[-1].text  # still true once approved
    drain_once(office)
    assert not any("Valve" in m.text for m in wang.chat)  # not at night
    clock.set(sh(2026, 12, 4, 9, 0))
    drain_once(office)
    assert "Valve replacement" in wang.last
    # Prepared in time, or urgent: no warning.
    clock.set(sh(2026, 12, 4, 15, 0))
    compose(manager, "Valve replacement, part two.", "planned outage", "tap:Water", "3",
            "2026-12-05 07:00 - 12:00")
    assert "⚠️" not in desk.messages(MANAGERS)[-1].text
    clock.set(sh(2026, 12, 4, 22, 30))
    compose(manager, "Valve replacement, part two.", "planned outage", "tap:Water", "3",
            "2026-12-05 07:00 - 12:00", when="urgent")
    assert "⚠️" not in desk.messages(MANAGERS)[-1].text


def test_an_outage_answers_its_reports_until_it_ends(
        fees: FeeEstate, zhao: Person, office: Office, clock: FakeClock) -> None:
    wang, manager = fees.wang, fees.manager
    water_outage_in_building_3(manager, office, clock)
    assert "🚧" in wang.last
    before = len(orders(office))
    wang.says("停水了")
    assert "planned" not in wang.last and "计划" in wang.last  # the notice, in Chinese
    assert len(orders(office)) == before  # no work order
    fees.li.says("no water")
    assert "planned water outage" in fees.li.last
    wang.says("家里停水了")  # routine: the notice at once, no danger question first
    assert "计划停水" in wang.last
    wang.says("家里停水了，电梯也停在10楼不动了")  # might be an emergency: asked, then the notice
    wang.taps("不是")
    assert "计划停水" in wang.last
    zhao.says("冇水")  # building 5: no outage there — the usual intake
    assert "計劃" not in zhao.last
    # An emergency still takes the emergency path during the outage.
    wang.says("电梯里有人困住了，救命")
    assert any(o.emergency for o in orders(office))
    assert fees.estate.desk.messages(ON_DUTY)
    # One tap: it is not the outage, report it anyway — the usual report, to a work order.
    wang.says("没有水，厨房水管好像坏了")
    anyway = fees.estate.desk.find_button(wang.user_id, "仍要报修")[1]
    assert fees.li.toast_for(fees.li.presses(anyway)) == "This button is out of date; nothing " \
        "was changed."  # not Li's words
    wang.taps("仍要报修")
    assert wang.last == "水管/给排水，在您家中——对吗？"
    again = wang.presses(anyway)
    assert wang.toast_for(again) == "该按钮已失效，未做任何更改。"  # once
    opened = len(orders(office))
    file_report(wang)
    assert len(orders(office)) == opened + 1
    # Once the outage is over, the same words open a work order as usual.
    clock.set(sh(2026, 12, 3, 17, 0))
    wang.says("家里没有水")
    assert wang.last == "水管/给排水，在您家中——对吗？"
    file_report(wang)
    assert len(orders(office)) == opened + 2


def file_report(resident: Person) -> None:
    """The rest of a resident's repair report, as tests/support/repairs.py files one."""
    for label in ("是的", "没有照片", "明天上午", "使用", "提交"):
        resident.taps(label)


def test_only_staff_announce(fees: FeeEstate, office: Office) -> None:
    fees.wang.command("announce")
    assert fees.wang.last == "只有前台和管理人员可以发布公告。"
    fees.estate.plumber.command("announce")
    assert fees.estate.plumber.last == "只有前台和管理人员可以发布公告。"
    fees.estate.plumber.command("announce", chat_id=MANAGERS)
    assert fees.estate.desk.last(MANAGERS).text == "Only the front desk and managers can send " \
        "announcements."
    # The dispatcher composes from the managers' chat, in private; a manager approves.
    dispatcher = fees.estate.dispatcher
    dispatcher.command("announce", chat_id=MANAGERS)
    assert fees.estate.desk.last(MANAGERS).text == "I asked you in our private chat."
    dispatcher.says("周五电梯年检。")
    dispatcher.taps("The whole estate")
    dispatcher.taps("Send when approved")
    assert "Announcement #1 — preview" in dispatcher.last
    refused = dispatcher.taps("Approve")
    assert dispatcher.toast_for(refused) == "Only a manager can approve or hold announcements."
    assert latest(office).status == "prepared"


def test_from_the_terminal(fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    clock.set(sh(2026, 12, 1, 10, 0))
    announcement = notices.prepare_from_cli(office, DraftAnnouncement(
        text="Gas off for checks.", photos=(), audience="buildings", buildings=("3",),
        utility="gas", starts="2026-12-02 09:00", ends="2026-12-02 12:00"), approve=True)
    assert announcement.kind == "outage" and announcement.status == "approved"
    drain_once(office)
    assert "Planned gas outage, building 3: 2026-12-02 09:00 – 2026-12-02 12:00" in fees.li.last
    [row] = notices.listing(office, announcement.id)
    assert (row["status"], row["sent"], row["queued"]) == ("approved", 2, 0)


def test_a_photo_of_the_outage_gets_the_notice_and_reported_anyway_keeps_its_photo(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """A caption speaks as a text does: "停水了" under a photo during the water outage gets the
    notice, not a work order; "report it anyway" takes the photo into the report."""
    wang, manager = fees.wang, fees.manager
    water_outage_in_building_3(manager, office, clock)
    before = len(orders(office))
    wang.sends_photo("dry-tap", caption="停水了")
    assert "计划停水" in wang.last and len(orders(office)) == before
    wang.taps("仍要报修")
    assert "照片已保留" in wang.last  # the photo goes on with the report
    for label in ("是的", "照片已发完", "明天上午", "使用", "提交"):
        wang.taps(label)
    [order] = orders(office)[before:]
    assert order.photos == ["dry-tap"]


def test_an_album_of_the_outage_gets_the_notice_once_and_reported_anyway_keeps_every_photo(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Three photos sent as one album, "停水了" under the first: the notice answers the album
    once — the other photos start no repair report of their own — and "report it anyway"
    takes all three into the report."""
    wang, manager = fees.wang, fees.manager
    water_outage_in_building_3(manager, office, clock)
    before = len(orders(office))
    shown = len(fees.estate.desk.messages(wang.user_id))
    wang.sends_album("dry-1", "dry-2", "dry-3", caption="停水了")
    answers = fees.estate.desk.messages(wang.user_id)[shown:]
    assert [("计划停水" in m.text) for m in answers] == [True]
    assert len(orders(office)) == before
    wang.taps("仍要报修")
    assert "照片已保留" in wang.last
    for label in ("是的", "照片已发完", "明天上午", "使用", "提交"):
        wang.taps(label)
    [order] = orders(office)[before:]
    assert order.photos == ["dry-1", "dry-2", "dry-3"]


def test_a_resident_who_asks_when_the_outage_ends_or_starts_is_told_its_times(
        fees: FeeEstate, zhao: Person, office: Office, clock: FakeClock) -> None:
    """During the water outage in building 3, its residents who ask when the water comes back
    (in any script, or English) are told the outage's times, not the FAQ about notices or the
    office hours; a resident of building 5, or anyone once it is over, gets the FAQ. An outage
    announced for tomorrow answers "when does it start" the same way."""
    wang, li, manager = fees.wang, fees.li, fees.manager
    water_outage_in_building_3(manager, office, clock)
    window = "2026-12-03 09:00 – 2026-12-03 17:00"
    for question in ("什么时候来水？", "几点恢复供水", "幾時有水", "仲有冇水"):
        wang.says(question)
        assert window in wang.last and "停水" in wang.last, (question, wang.last)
    li.says("when will the water be back?")
    assert window in li.last and "water" in li.last, li.last
    zhao.says("什么时候来水？")  # building 5: no outage there
    assert window not in zhao.last
    compose(manager, "Switchboard checks.", "planned outage", "tap:Power", "3",
            "2026-12-04 09:00 - 12:00")
    manager.taps("Approve")
    drain_once(office)
    li.says("What time does the power go off tomorrow?")
    assert "2026-12-04 09:00 – 2026-12-04 12:00" in li.last, li.last
    clock.set(sh(2026, 12, 3, 17, 0))
    wang.says("什么时候来水？")  # over: the general FAQ
    assert window not in wang.last


def test_an_outage_announced_again_with_new_times_answers_with_the_new_times(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """The pipe works in building 3 run late: the manager announces the outage again, now
    until 20:00. Residents who ask when the water comes back, or report it off, are told
    20:00 — the latest notice, not the first one's 17:00."""
    wang, li, manager = fees.wang, fees.li, fees.manager
    water_outage_in_building_3(manager, office, clock)
    compose(manager, "The pipe works take longer: water is back at 20:00.", "planned outage",
            "tap:Water", "3", "2026-12-03 09:00 - 20:00")
    manager.taps("Approve")
    drain_once(office)
    assert "2026-12-03 09:00 – 2026-12-03 20:00" in li.last  # the update went out
    now = "2026-12-03 09:00 – 2026-12-03 20:00"
    wang.says("什么时候来水？")
    assert now in wang.last, wang.last
    li.says("no water")
    assert now in li.last and "take longer" in li.last, li.last
    # A later outage of another day is its own: asked today, today's times.
    compose(manager, "Tank cleaning.", "planned outage", "tap:Water", "3",
            "2026-12-10 09:00 - 12:00")
    manager.taps("Approve")
    drain_once(office)
    wang.says("什么时候来水？")
    assert now in wang.last, wang.last


def test_a_notice_sent_as_an_album_goes_out_with_every_photo(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """The manager sends three photos as one album, the notice under the first: the preview
    says nothing is wrong, and residents get all three photos with the words; a recall takes
    back every message of the copy."""
    li, manager = fees.li, fees.manager
    clock.set(sh(2026, 12, 1, 10, 0))
    manager.command("announce")
    manager.sends_album("lift-1", "lift-2", "lift-3", caption="新电梯本周启用。")
    manager.taps("The whole estate")
    manager.taps("Send when approved")
    assert "preview" in manager.last
    manager.taps("Approve")
    drain_once(office)
    [copy] = [m for m in li.chat if m.photos]
    assert copy.photos == ["lift-1", "lift-2", "lift-3"]
    assert any("新电梯本周启用。" in m.text for m in li.chat)
    manager.taps("Recall")
    assert not any(m.photos for m in li.chat)
    assert not any("新电梯本周启用。" in m.text for m in li.chat)


def test_a_recall_with_a_correction_tells_everyone_who_got_the_wrong_notice(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Wang and Li read the wrong outage times an hour ago: the recall deletes their copies
    and sends each the correction, and the recall and the report count them."""
    wang, li, manager, desk = fees.wang, fees.li, fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    number = delivered(fees, office, "Water off on Friday 09:00-12:00.")
    clock.advance(timedelta(hours=1))
    done = notices.decide_from_cli(office, number, "recall", "Water off on Friday 13:00-16:00.")
    assert done == {"deleted": 2, "corrected": 2, "stopped": 0, "checking": 0}
    desk.deliver()
    for person in (wang, li):
        assert not any("09:00-12:00" in m.text for m in person.chat)
        assert person.last.endswith("\n\nWater off on Friday 13:00-16:00.")
    assert li.last.startswith("⚠️ Correction to the property office's notice of 2026-12-01")
    clock.advance(timedelta(minutes=5))
    drain_once(office)
    manager.taps("Delivery report")
    assert manager.last.endswith("Recalled: 2 deleted, 0 deletes not confirmed yet; 2 "
                                 "residents got the correction.")
    # Without a correction the copies are only deleted, as before.
    seen = len(li.chat)
    delivered(fees, office, "Pool opens Monday.")
    manager.taps("Recall")
    assert "2 messages deleted, 0 too old to delete got a correction" in manager.last
    desk.deliver()
    assert not any("Pool" in m.text or "⚠️" in m.text for m in li.chat[seen:])


def test_homes_that_blocked_the_bot_are_counted_and_phoned_for_an_outage(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    """Li blocked the bot before the outage was prepared: Recipients leaves him out, the
    preview and the report say one home cannot be reached, and dispatch gets his home and
    roster phone to call."""
    li, manager, desk = fees.li, fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    with Session(office.engine) as session:  # an earlier 403 flagged him
        row = session.exec(select(PersonRow).where(
            PersonRow.telegram_user_id == li.user_id)).one()
        row.blocked_bot = True
        session.add(row)
        session.commit()
    compose(manager, "Pipe works on the main.", "planned outage", "tap:Water", "3",
            "2026-12-03 09:00 - 17:00")
    preview = desk.messages(MANAGERS)[-1].text
    assert "Recipients: 1 " in preview
    assert "Homes in this audience the bot cannot reach (they blocked it): 1" in preview
    manager.taps("Approve", chat_id=MANAGERS)
    [told] = [m.text for m in desk.messages(DISPATCH) if "blocked the bot and do not" in m.text]
    assert told.endswith("please phone them:\nLi Lei (3-1203, 13800000002)"), told
    manager.taps("Hold", chat_id=MANAGERS)
    manager.taps("Approve", chat_id=MANAGERS)  # approved again: the list is not sent twice
    assert sum("blocked the bot and do not" in m.text for m in desk.messages(DISPATCH)) == 1
    drain_once(office)
    desk.deliver()
    drain_once(office)
    assert "Homes in this audience the bot cannot reach (they blocked it): 1" in manager.last


def test_the_preview_shows_when_a_typed_time_really_goes(
        fees: FeeEstate, office: Office, clock: FakeClock) -> None:
    manager, desk = fees.manager, fees.estate.desk
    clock.set(sh(2026, 12, 1, 10, 0))
    compose(manager, "Lift inspection.", "The whole estate", when="2026-12-03 23:00")
    assert "When: 2026-12-04 09:00, in daytime hours" in desk.messages(MANAGERS)[-1].text
    clock.set(sh(2026, 12, 1, 22, 0))
    compose(manager, "Lift inspection.", "The whole estate", when="2026-12-01 22:00")
    assert "When: 2026-12-02 09:00, in daytime hours" in desk.messages(MANAGERS)[-1].text
