"""No orphan jobs: a job nobody in a trade group can take goes to the dispatcher at once, with
assign-to buttons; the resident hears the truth and can change the kind of work in one tap;
technicians go on and off shift; a cap on open jobs; an unclaimed job is posted once more.

The estate has groups for plumbing and electrical only, and technicians of those trades: a
ceiling leak (read as doors/windows/walls) or household cleaning has nobody to take it.
Li Lei (3-1203) writes in English and the staff groups were bound in English, so the texts
read here are the office's English ones.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from dialogs.buttons import Verb, parse, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.office.rules import OfficeRules
from handlers.work_orders import records
from storage.models import WorkOrder
from tests.support.desk import Person, Shown
from tests.support.estate import DISPATCH, ELECTRICIANS, PLUMBERS, Estate, build_estate
from tests.support.orders import due, events, marks, open_order, order_row


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")


def report(li: Person, text: str) -> str:
    """Li reports a repair in her own words and confirms the guess; returns the number."""
    li.command("menu")
    li.taps("Report a repair")
    li.says(text)
    li.taps("Yes")
    li.taps("No photos")
    li.taps("Tomorrow morning")
    li.taps("Use")
    li.taps("Submit")
    assert "WO-" in li.last
    return "WO-" + li.last.split("WO-")[1][:13]


def verbs(message: Shown) -> list[str]:
    found = [parse(data) for _, data in message.buttons]
    return [t.verb.name for t in found if t is not None]


def assign_buttons(message: Shown) -> list[str]:
    return [label for label, data in message.buttons if data.startswith("v1:assign:")]


def test_a_ceiling_leak_nobody_can_take_goes_to_dispatch_at_once_with_assign_buttons(
        estate: Estate, office: Office) -> None:
    li, desk, dispatcher = estate.neighbour, estate.desk, estate.dispatcher
    number = report(li, "The bedroom ceiling is leaking water")
    receipt = li.chat[-1]
    assert "dispatcher is arranging" in receipt.text and "15 minutes" not in receipt.text
    # At once, not after the deadline: the card with a button per technician of any trade,
    # the least loaded first.
    alert = desk.last(DISPATCH)
    assert number in alert.text and "Doors, windows, walls" in alert.text
    assert assign_buttons(alert) == ["👷 张师傅 · Plumbing · 0", "👷 赵师傅 · Plumbing · 0",
                                     "👷 陈师傅 · Electrical · 0"]
    assert not any(number in m.text for m in desk.messages(PLUMBERS) + desk.messages(
        ELECTRICIANS))
    assigned = dispatcher.taps("赵师傅", chat_id=DISPATCH)
    assert "赵师傅" in dispatcher.toast_for(assigned)
    alert = desk.last(DISPATCH)
    assert alert.buttons == [] and "assigned to 赵师傅" in alert.text
    zhao = [m.text for m in estate.plumber2.chat]
    told = next(i for i, text in enumerate(zhao) if "刘调度" in text and number in text)
    # Who gave him the job first, then when he will come, then the job's card to act on.
    assert told < len(zhao) - 1 and number in zhao[-1] and "13800000002" in zhao[-1]
    assert "赵师傅" in li.last
    # The receipt's one-tap change of trade is gone with the moment; the menu stays.
    assert "CHANGE_TRADE" not in verbs(li.chat[-2]) and "MENU" in verbs(li.chat[-2])
    order = records.show_order(office, number)
    assert order is not None and order["assignee"] == "赵师傅" and order["trade"] == "civil"
    assert [e["action"] for e in order["events"]][:3] == ["created", "sent_to_dispatch",
                                                          "assigned"]
    assert events(office, "sent_to_dispatch")[0].detail["reason"] == "no_group"


def test_assign_buttons_put_the_least_loaded_technician_first(
        estate: Estate, office: Office) -> None:
    open_order(office, estate.resident, status="accepted", assignee=estate.plumber)
    open_order(office, estate.resident, status="on_way", assignee=estate.plumber)
    open_order(office, estate.resident, status="accepted", assignee=estate.electrician)
    open_order(office, estate.resident, status="confirmed", assignee=estate.plumber2)
    report(estate.neighbour, "The bedroom ceiling is leaking water")
    assert assign_buttons(estate.desk.last(DISPATCH)) == [
        "👷 赵师傅 · Plumbing · 0", "👷 陈师傅 · Electrical · 1", "👷 张师傅 · Plumbing · 2"]


def test_the_resident_changes_the_kind_of_work_in_one_tap_and_the_job_moves(
        estate: Estate, office: Office) -> None:
    li, desk = estate.neighbour, estate.desk
    number = report(li, "The bedroom ceiling is leaking water")
    li.taps("Change it")  # on the receipt: the kinds of work to choose from
    assert li.chat[-1].edits == 1 and "Plumbing" in [label for label, _ in li.chat[-1].buttons]
    li.taps("Plumbing")
    receipt = li.chat[-1]
    assert "Plumbing" in receipt.text and "within 15 minutes" in receipt.text
    card = desk.last(PLUMBERS)
    assert number in card.text and verbs(card) == ["ACCEPT"]
    old = next(m for m in desk.messages(DISPATCH) if number in m.text)
    assert old.buttons == [] and "Moved to Plumbing" in old.text
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    assert order_row(office, _id(office, number)).trade == "plumbing"
    assert "张师傅" in li.last
    # Once taken, the kind of work is no longer the resident's to change.
    stale = li.presses(tap(Verb.SET_TRADE, _id(office, number), "civil"))
    assert "out of date" in li.toast_for(stale)
    assert order_row(office, _id(office, number)).trade == "plumbing"


def test_from_the_request_list_too_and_only_for_the_reporter(
        estate: Estate, office: Office) -> None:
    li = estate.neighbour
    number = report(li, "The bedroom ceiling is leaking water")
    order_id = _id(office, number)
    li.command("my")
    assert "CHANGE_TRADE" in verbs(li.chat[-1])
    other = estate.resident.presses(tap(Verb.SET_TRADE, order_id, "plumbing"))
    assert estate.resident.toast_for(other)
    assert order_row(office, order_id).trade == "civil"
    li.taps(f"{number}: change")  # the list names the order
    li.taps("Electrical")
    assert order_row(office, order_id).trade == "electrical"
    assert number in estate.desk.last(ELECTRICIANS).text


def test_with_every_plumber_off_shift_a_plumbing_job_goes_to_dispatch_at_once(
        estate: Estate, office: Office) -> None:
    li, desk = estate.neighbour, estate.desk
    for plumber in (estate.plumber, estate.plumber2):
        plumber.command("shift", "off")
        assert "SHIFT" in verbs(plumber.chat[-1])
    number = report(li, "The kitchen tap keeps dripping")
    assert "dispatcher is arranging" in li.chat[-1].text
    assert number in desk.last(PLUMBERS).text  # still on the board: someone may come on shift
    alert = desk.last(DISPATCH)
    assert assign_buttons(alert) == ["👷 陈师傅 · Electrical · 0"]
    assert events(office, "sent_to_dispatch")[0].detail["reason"] == "no_technician"
    # Back on shift with one tap under /jobs: the next plumbing job goes the usual way.
    estate.plumber.command("jobs")
    estate.plumber.taps("🟢")
    assert estate.plumber.chat[-1].edits == 1
    before = len(desk.messages(DISPATCH))
    report(li, "The bathroom tap keeps dripping")
    assert "within 15 minutes" in li.chat[-1].text
    assert desk.last(DISPATCH).buttons == [] and len(desk.messages(DISPATCH)) == before + 1


def test_a_plumber_off_shift_who_taps_accept_takes_the_job_and_is_on_shift_again(
        estate: Estate, office: Office) -> None:
    zhang = estate.plumber
    for plumber in (estate.plumber, estate.plumber2):
        plumber.command("shift", "off")
    number = report(estate.neighbour, "The kitchen tap keeps dripping")
    tapped = zhang.taps("Accept", chat_id=PLUMBERS)
    # He chose to take it: the job is his, and he hears he counts as on shift again.
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.number == number)).one()
    assert order.status == "accepted" and order.assignee_id == events(
        office, "accepted")[0].actor_id
    assert number in zhang.toast_for(tapped) and "/shift off" in zhang.toast_for(tapped)
    assert number in zhang.last  # the job's card stays the newest message in his chat
    assert [e.action for e in events(office, "shift_started")] == ["shift_started"]
    zhang.command("jobs")
    assert zhang.last.startswith("🟢")  # on shift, in his own language


def test_the_dispatcher_cannot_assign_a_technician_who_went_off_shift(
        estate: Estate, office: Office) -> None:
    report(estate.neighbour, "The bedroom ceiling is leaking water")
    estate.electrician.command("shift", "off")
    tapped = estate.dispatcher.taps("陈师傅", chat_id=DISPATCH)
    assert "off shift" in estate.dispatcher.toast_for(tapped)
    assert order_row(office, _id_last(office)).status == "open"


def test_a_cap_of_open_jobs_per_technician(office: Office) -> None:
    office = dataclasses.replace(office, rules=OfficeRules(open_jobs_per_technician=1))
    estate = build_estate(office, staff_language="en")
    open_order(office, estate.resident, status="accepted", assignee=estate.plumber)
    li, desk = estate.neighbour, estate.desk
    number = report(li, "The kitchen tap keeps dripping")
    assert "within 15 minutes" in li.chat[-1].text  # 赵师傅 still has room
    refused = estate.plumber.taps("Accept", chat_id=PLUMBERS)
    assert estate.plumber.toast_for(refused)
    assert order_row(office, _id(office, number)).status == "open"
    estate.plumber2.taps("Accept", chat_id=PLUMBERS)
    report(li, "The bathroom tap keeps dripping")  # both plumbers are full now
    assert "dispatcher is arranging" in li.chat[-1].text
    assert assign_buttons(desk.last(DISPATCH)) == ["👷 陈师傅 · Electrical · 0"]


def test_an_unclaimed_job_is_posted_again_once_before_the_deadline(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    li, desk = estate.neighbour, estate.desk
    number = report(li, "The kitchen tap keeps dripping")
    first = desk.last(PLUMBERS)
    clock.advance(timedelta(minutes=7, seconds=59))
    assert not due(office)
    clock.advance(timedelta(seconds=1))
    assert due(office).counts["repost:reposted"] == 1
    cards = [m for m in desk.messages(PLUMBERS) if number in m.text]
    assert len(cards) == 2 and cards[0] is first
    assert first.buttons == [] and verbs(cards[1]) == ["ACCEPT"]
    clock.advance(timedelta(minutes=6))
    report_ = due(office)
    assert report_.counts["dispatch_deadline:alerted"] == 1 and not report_.counts[
        "repost:reposted"]
    assert len(marks(office, "repost")) == 1
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    assert cards[1].buttons == [] and "张师傅" in cards[1].text
    assert desk.last(DISPATCH).buttons == []  # the dispatcher's buttons went with the job


def test_a_job_past_its_deadline_is_not_posted_again(estate: Estate, office: Office,
                                                    clock: FakeClock) -> None:
    report(estate.neighbour, "The kitchen tap keeps dripping")
    clock.advance(timedelta(hours=2))  # the scheduler was down for a while
    report_ = due(office)
    assert report_.counts["dispatch_deadline:alerted"] == 1 and not report_.counts[
        "repost:reposted"]


def _id(office: Office, number: str) -> int:
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.number == number)).one()
        assert order.id is not None
        return order.id


def _id_last(office: Office) -> int:
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder).order_by(col(WorkOrder.id).desc())).first()
        assert order is not None and order.id is not None
        return order.id
