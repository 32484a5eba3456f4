"""Promises kept: the technician who takes a job says when they will come, the resident is
reminded the evening before and an hour before, "on my way" and "arrived" are told, a missed
window reaches dispatch once, and a visit can be moved by the resident or the desk — the
reminders moving with it. And a person who wrote before linking their home gets their words
back once linked.

Wang (3-1202) reports a dripping tap on Monday 23 November at 10:00 and would like "tomorrow
morning"; 张师傅 takes it. Time moves only with the fake clock; ``due()`` is the scheduler's pass.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from dialogs.appointment import OWN_TIME
from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.agenda import agenda
from storage.appointments import Appointment
from storage.models import WorkOrder
from tests.support.desk import Person, Shown
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.orders import due, sh
from tests.support.repairs import (
    book_tap_repair,
    finish_job,
    report_leak_free_tomorrow_afternoon,
    report_tap_leak,
)

MORNING, AFTERNOON, EVENING = 0, 1, 2  # the windows as a button carries them


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office)


def order_id(office: Office, number: str) -> int:
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.number == number)).one()
        assert order.id is not None
        return order.id


def with_button(person: Person, prefix: str, chat_id: int | None = None) -> Shown:
    """The newest message in the chat with a button whose data starts with *prefix*."""
    chat = person.user_id if chat_id is None else chat_id
    for shown in reversed(person.desk.messages(chat)):
        if any(data.startswith(prefix) for _, data in shown.buttons):
            return shown
    raise AssertionError(f"no {prefix} button in chat {chat}")


def press(person: Person, data: str, chat_id: int | None = None) -> None:
    """Tap the button carrying *data* on the newest message that shows it."""
    chat = person.user_id if chat_id is None else chat_id
    for shown in reversed(person.desk.messages(chat)):
        if data in [d for _, d in shown.buttons]:
            person.presses(data, chat, shown.message_id)
            return
    raise AssertionError(f"no button {data} in chat {chat}")


def taken(estate: Estate) -> tuple[str, int]:
    """Wang reports the tap at Monday 10:00 (tomorrow morning suits her); 张师傅 takes it."""
    number = report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    return number, order_id(estate.desk.office, number)


def agreed_tuesday_morning(estate: Estate) -> tuple[str, int]:
    """张师傅 proposes the resident's own time, Tuesday morning; Wang agrees."""
    number, oid = taken(estate)
    zhang, wang = estate.plumber, estate.resident
    press(zhang, tap(Verb.WINDOW, oid, 20261124, MORNING))
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    return number, oid


def reminders(person: Person) -> list[str]:
    return [m.text for m in person.chat if m.text.startswith("⏰")]


def test_taking_a_job_asks_when_with_the_residents_own_time_first(estate: Estate) -> None:
    number, oid = taken(estate)
    zhang, wang = estate.plumber, estate.resident
    ask = with_button(zhang, "v1:window:")
    assert number in ask.text
    first, *others = [data for _, data in ask.buttons]
    # Her "tomorrow morning" is Tuesday 09:00–12:00; Monday's windows still open come too.
    assert first == tap(Verb.WINDOW, oid, 20261124, MORNING)
    assert "09:00–12:00" in ask.buttons[0][0]
    assert tap(Verb.WINDOW, oid, 20261123, AFTERNOON) in others
    assert tap(Verb.WINDOW, oid, 20261123, MORNING) in others  # under way, not yet over
    press(zhang, first)
    assert ask.buttons == [] and "09:00–12:00" in ask.text  # the choice shows, buttons go
    proposal = with_button(wang, "v1:window_ok:")
    assert "张师傅" in proposal.text and "09:00–12:00" in proposal.text
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    assert proposal.buttons == [] and "09:00–12:00" in proposal.text
    assert "09:00–12:00" in zhang.chat[-1].text and number in zhang.chat[-1].text


def test_reminders_on_my_way_arrival_and_done_at_their_moments(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = agreed_tuesday_morning(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    planned = {(item.kind, item.due) for item in agenda(office)[0] if item.target == number}
    assert planned >= {("visit_evening", sh(2026, 11, 23, 19, 0)),  # what `frontline jobs` shows
                       ("visit_last", sh(2026, 11, 24, 8, 0)),
                       ("visit_missed", sh(2026, 11, 24, 12, 30))}
    clock.set(sh(2026, 11, 23, 18, 59))
    assert due(office).counts["visit_evening:sent"] == 0
    clock.set(sh(2026, 11, 23, 19, 0))  # the evening before (19:00)
    assert due(office).counts["visit_evening:sent"] == 1
    assert len(reminders(wang)) == 1 and "09:00–12:00" in reminders(wang)[0]
    assert number in reminders(zhang)[0] and "13800000001" in reminders(zhang)[0]
    assert due(office).counts["visit_evening:sent"] == 0  # once
    clock.set(sh(2026, 11, 24, 7, 59))
    assert due(office).counts["visit_last:sent"] == 0
    clock.set(sh(2026, 11, 24, 8, 0))  # an hour before 09:00
    assert due(office).counts["visit_last:sent"] == 1
    assert len(reminders(wang)) == 2
    clock.set(sh(2026, 11, 24, 9, 10))
    press(zhang, tap(Verb.SET_OFF, oid))
    assert "张师傅" in wang.chat[-1].text and number in wang.chat[-1].text
    door = with_button(zhang, "v1:arrived:")
    clock.set(sh(2026, 11, 24, 9, 30))
    press(zhang, tap(Verb.ARRIVED, oid))
    assert door.buttons == [] and "09:30" in door.text
    finish_job(estate)
    clock.set(sh(2026, 11, 24, 13, 0))  # past the window and its grace: nothing is missed
    assert due(office).counts["visit_missed:alerted"] == 0
    assert not [t for t in estate.desk.texts(DISPATCH) if number in t and "⏰" in t]
    assert len(reminders(wang)) == 2


def test_a_missed_window_alerts_dispatch_once_with_buttons(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = agreed_tuesday_morning(estate)
    office, desk, dispatcher = estate.desk.office, estate.desk, estate.dispatcher
    clock.set(sh(2026, 11, 24, 12, 29))  # window end 12:00 + 30 minutes' grace; the bot was
    # down all night, so both reminders come due now, too late to be of use
    assert due(office).counts["visit_missed:alerted"] == 0
    clock.set(sh(2026, 11, 24, 12, 30))
    assert due(office).counts["visit_missed:alerted"] == 1
    alert = desk.last(DISPATCH)
    assert number in alert.text and "张师傅" in alert.text and "13800000001" in alert.text
    assert [data for _, data in alert.buttons] == [tap(Verb.RESCHEDULE, oid),
                                                   tap(Verb.MISSED_SEEN, oid)]
    assert not reminders(estate.resident)  # the reminders that came due too late are dropped
    clock.set(sh(2026, 11, 24, 14, 0))
    assert due(office).counts["visit_missed:alerted"] == 0  # once
    assert sum(number in t and t.startswith("⏰") for t in desk.texts(DISPATCH)) == 1
    press(dispatcher, tap(Verb.MISSED_SEEN, oid), DISPATCH)
    assert alert.buttons == [] and "刘调度" in alert.text


def test_the_desk_reschedules_and_the_reminders_move(estate: Estate, clock: FakeClock) -> None:
    number, oid = agreed_tuesday_morning(estate)
    office, wang, zhang, dispatcher = (estate.desk.office, estate.resident, estate.plumber,
                                       estate.dispatcher)
    dispatcher.command("reschedule", number, chat_id=DISPATCH)
    press(dispatcher, tap(Verb.DESK_WINDOW, oid, 20261124, AFTERNOON), DISPATCH)
    assert "14:00–17:00" in estate.desk.last(DISPATCH).text
    assert estate.desk.last(DISPATCH).buttons == []
    assert "14:00–17:00" in zhang.chat[-1].text and number in zhang.chat[-1].text
    proposal = with_button(wang, "v1:window_ok:")
    assert "14:00–17:00" in proposal.text
    clock.set(sh(2026, 11, 23, 19, 0))  # still the evening before
    assert due(office).counts["visit_evening:sent"] == 1
    assert "14:00–17:00" in reminders(wang)[-1]
    clock.set(sh(2026, 11, 24, 8, 0))  # the old window's reminder moved away
    assert due(office).counts["visit_last:sent"] == 0
    clock.set(sh(2026, 11, 24, 12, 30))  # and so did its missed-visit check
    assert due(office).counts["visit_missed:alerted"] == 0
    clock.set(sh(2026, 11, 24, 13, 0))
    assert due(office).counts["visit_last:sent"] == 1
    clock.set(sh(2026, 11, 24, 17, 30))
    assert due(office).counts["visit_missed:alerted"] == 1


def test_the_resident_asks_for_another_time_and_the_technician_hears(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = taken(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    press(zhang, tap(Verb.WINDOW, oid, 20261124, MORNING))
    proposal = with_button(wang, "v1:window_ok:")
    press(wang, tap(Verb.WINDOW_OK, oid, "other"))
    assert proposal.buttons == [] and "09:00–12:00" in proposal.text
    press(wang, tap(Verb.WINDOW, oid, 20261124, EVENING))
    assert "18:00–20:00" in zhang.chat[-1].text and number in zhang.chat[-1].text
    assert with_button(zhang, "v1:set_off:")  # the job's card still acts
    clock.set(sh(2026, 11, 24, 8, 0))
    assert due(office).counts["visit_last:sent"] == 0
    clock.set(sh(2026, 11, 24, 17, 0))  # an hour before the evening window
    assert due(office).counts["visit_last:sent"] == 1
    # A second tap on the old choices changes nothing.
    wang.presses(tap(Verb.WINDOW, oid, 20261124, AFTERNOON))
    with Session(office.engine) as session:
        appointment = session.exec(select(Appointment)).one()
        assert appointment.slot == "evening" and appointment.moves == 1


def test_a_window_the_resident_turned_down_is_not_reminded(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = taken(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    press(zhang, tap(Verb.WINDOW, oid, 20261124, MORNING))
    press(wang, tap(Verb.WINDOW_OK, oid, "other"))  # and she has not picked one yet
    clock.set(sh(2026, 11, 23, 19, 0))
    assert due(office).counts["visit_evening:sent"] == 0
    clock.set(sh(2026, 11, 24, 8, 0))
    assert due(office).counts["visit_last:sent"] == 0
    assert reminders(wang) == [] and reminders(zhang) == []  # "will come tomorrow morning"
    press(wang, tap(Verb.WINDOW, oid, 20261124, EVENING))  # her pick is reminded as ever
    clock.set(sh(2026, 11, 24, 17, 0))
    assert due(office).counts["visit_last:sent"] == 1
    assert number in reminders(wang)[-1] and "18:00–20:00" in reminders(wang)[-1]


def test_the_resident_moves_the_visit_from_her_list(estate: Estate) -> None:
    number, oid = agreed_tuesday_morning(estate)
    wang, zhang = estate.resident, estate.plumber
    wang.command("my")
    assert tap(Verb.MOVE_VISIT, oid) in [data for _, data in wang.chat[-1].buttons]
    press(wang, tap(Verb.MOVE_VISIT, oid))
    choice = with_button(wang, "v1:window:")
    press(wang, tap(Verb.WINDOW, oid, 20261124, AFTERNOON))
    assert choice.buttons == [] and "14:00–17:00" in choice.text
    assert "14:00–17:00" in zhang.chat[-1].text and number in zhang.chat[-1].text


def test_a_wrong_order_number_or_someone_elses_order_is_refused_politely(
        estate: Estate) -> None:
    number, oid = taken(estate)
    press(estate.plumber, tap(Verb.WINDOW, oid, 20261124, MORNING))  # Wang has yet to answer
    li = estate.neighbour
    li.command("reschedule", "WO-NOPE")
    assert "/reschedule" in li.last
    li.command("reschedule", number)
    assert number in li.last and not with_button_or_none(li, "v1:window:")
    li.presses(tap(Verb.WINDOW_OK, oid, "other"))  # Wang's window, tapped by her neighbour
    li.presses(tap(Verb.WINDOW, oid, 20261124, EVENING))
    estate.plumber2.presses(tap(Verb.WINDOW, oid, 20261124, EVENING))  # not his job
    estate.plumber2.presses(tap(Verb.ARRIVED, oid))
    with Session(estate.desk.office.engine) as session:
        appointment = session.exec(select(Appointment)).one()
        assert appointment.state == "proposed" and appointment.slot == "morning"
        assert appointment.arrived_at is None


def test_only_the_desk_reschedules_in_the_desks_chat(estate: Estate) -> None:
    number, oid = agreed_tuesday_morning(estate)
    desk, zhang, dispatcher = estate.desk, estate.plumber, estate.dispatcher
    zhang.command("reschedule", number, chat_id=DISPATCH)  # a technician in the dispatch chat
    dispatcher.command("reschedule", number, chat_id=PLUMBERS)  # the desk in a trade group
    assert not [m for m in desk.messages(DISPATCH) + desk.messages(PLUMBERS)
                if any(d.startswith("v1:desk_window:") for _, d in m.buttons)]
    zhang.presses(tap(Verb.DESK_WINDOW, oid, 20261124, EVENING), DISPATCH)
    with Session(desk.office.engine) as session:
        assert session.exec(select(Appointment)).one().slot == "morning"


def with_button_or_none(person: Person, prefix: str) -> Shown | None:
    try:
        return with_button(person, prefix)
    except AssertionError:
        return None


def test_on_a_friday_evening_the_choices_skip_the_weekend(
        estate: Estate, clock: FakeClock) -> None:
    clock.set(sh(2026, 11, 27, 18, 30))  # Friday; the office calendar is closed Sat–Sun
    _, oid = taken(estate)
    offered = [data for _, data in with_button(estate.plumber, "v1:window:").buttons]
    # Wang's choice was the next visit day's morning, Monday's: it comes first, as hers.
    assert offered == [tap(Verb.WINDOW, oid, 20261130, MORNING),
                       tap(Verb.WINDOW, oid, 20261127, EVENING),
                       *[tap(Verb.WINDOW, oid, 20261130, slot)
                         for slot in (MORNING, AFTERNOON, EVENING)]]


def test_a_window_about_to_close_is_not_offered(estate: Estate, clock: FakeClock) -> None:
    """At 11:55 the morning window (to 12:00) has 5 minutes left: today's choices start with
    the afternoon (``minutes_left_to_offer``: 60)."""
    clock.set(sh(2026, 11, 23, 11, 55))
    _, oid = taken(estate)
    offered = [data for _, data in with_button(estate.plumber, "v1:window:").buttons]
    assert tap(Verb.WINDOW, oid, 20261123, MORNING) not in offered
    assert tap(Verb.WINDOW, oid, 20261123, AFTERNOON) in offered


def test_the_job_done_closes_the_question_of_when(estate: Estate) -> None:
    number, _ = taken(estate)
    ask = with_button(estate.plumber, "v1:window:")
    finish_job(estate)
    assert ask.buttons == [] and number in ask.text


def test_rework_is_a_new_visit_asked_for_and_reminded_like_the_first(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = agreed_tuesday_morning(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    clock.set(sh(2026, 11, 24, 9, 30))
    press(zhang, tap(Verb.SET_OFF, oid))
    press(zhang, tap(Verb.ARRIVED, oid))
    finish_job(estate)
    wang.taps("要求返工")
    wang.says("还是滴水")
    # 张师傅 is asked when he comes back (the first visit's "tomorrow morning" is not offered
    # as the resident's time again); the job's card stays his newest message.
    ask = with_button(zhang, "v1:window:")
    assert number in ask.text and "方便" not in ask.text and "✅" not in str(ask.buttons)
    assert number in zhang.chat[-1].text and ask is not zhang.chat[-1]
    press(zhang, tap(Verb.WINDOW, oid, 20261125, MORNING))
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    planned = {(item.kind, item.due) for item in agenda(office)[0] if item.target == number}
    assert planned >= {("visit_evening", sh(2026, 11, 24, 19, 0)),
                       ("visit_last", sh(2026, 11, 25, 8, 0)),
                       ("visit_missed", sh(2026, 11, 25, 12, 30))}
    clock.set(sh(2026, 11, 24, 19, 0))
    assert due(office).counts["visit_evening:sent"] == 1
    [reminder] = reminders(wang)  # the first visit's were spent when he arrived
    assert number in reminder and "09:00–12:00" in reminder
    clock.set(sh(2026, 11, 25, 12, 30))  # nobody said they arrived for the second visit
    assert due(office).counts["visit_missed:alerted"] == 1
    assert any(number in t and "⏰" in t for t in estate.desk.texts(DISPATCH))


def test_a_cancelled_job_closes_the_visit_and_its_reminders(
        estate: Estate, clock: FakeClock) -> None:
    number, oid = taken(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    press(zhang, tap(Verb.WINDOW, oid, 20261124, MORNING))
    proposal = with_button(wang, "v1:window_ok:")
    wang.command("my")
    press(wang, tap(Verb.CANCEL_ORDER, oid))
    wang.says("已经自己修好了")
    assert proposal.buttons == [] and number in proposal.text
    clock.set(sh(2026, 11, 24, 13, 0))
    counts = due(office).counts
    assert counts["visit_evening:sent"] == counts["visit_last:sent"] == 0
    assert counts["visit_missed:alerted"] == 0 and not reminders(wang)


def test_an_unlinked_residents_first_message_survives_linking(
        estate: Estate, clock: FakeClock) -> None:
    zhao = estate.desk.person(150, "赵敏", "zh-hans")
    zhao.says("卫生间的水龙头一直漏水")
    assert zhao.chat[-1].keyboard is not None  # asked to link first
    clock.advance(sh(2026, 11, 23, 11, 0) - sh(2026, 11, 23, 10, 0))
    zhao.shares_contact("13800000003")  # 5-0101 on the roster
    offer = with_button(zhao, "v1:earlier:")
    assert "卫生间的水龙头一直漏水" in offer.text
    report, drop = [data for _, data in offer.buttons]
    zhao.presses(report, message_id=offer.message_id)
    assert offer.buttons == [] and "卫生间的水龙头一直漏水" in offer.text
    assert zhao.chat[-1].buttons  # the repair report goes on from her words
    assert any("是" in label for label, _ in zhao.chat[-1].buttons)
    before = len(zhao.chat)
    zhao.presses(drop, message_id=offer.message_id)  # an old copy tapped again
    assert len(zhao.chat) == before


def test_words_written_before_linking_are_offered_only_to_their_writer(
        estate: Estate) -> None:
    zhao = estate.desk.person(150, "赵敏", "zh-hans")
    zhao.says("卫生间的水龙头一直漏水")
    zhao.shares_contact("13800000003")
    report = next(d for _, d in with_button(zhao, "v1:earlier:").buttons)
    estate.resident.presses(report)  # the same data sent from someone else's chat
    assert "卫生间" not in estate.resident.last
    offer = with_button(zhao, "v1:earlier:")
    zhao.presses(report, message_id=offer.message_id)  # hers is still open
    assert offer.buttons == [] and zhao.chat[-1].buttons  # and her report goes on


def test_words_from_long_ago_are_not_offered(estate: Estate, clock: FakeClock) -> None:
    zhao = estate.desk.person(150, "赵敏", "zh-hans")
    zhao.says("卫生间的水龙头一直漏水")
    clock.advance(sh(2026, 11, 25, 10, 1) - sh(2026, 11, 23, 10, 0))  # past 24 hours
    zhao.shares_contact("13800000003")
    assert with_button_or_none(zhao, "v1:earlier:") is None


def test_the_residents_tomorrow_is_the_day_after_the_report_when_taken_late(
        estate: Estate, clock: FakeClock) -> None:
    number = report_tap_leak(estate)  # Monday 10:00, "tomorrow morning"
    clock.set(sh(2026, 11, 24, 13, 0))  # taken on Tuesday afternoon: her morning is gone
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    ask = with_button(estate.plumber, "v1:window:")
    assert number in ask.text
    # Not "明天上午" (that would read as Wednesday): the morning she meant, this one.
    assert "明天上午" not in ask.text and "今天上午 09:00–12:00" in ask.text


def test_a_paid_job_whose_price_is_confirmed_before_the_visit_is_still_visited(
        estate: Estate, clock: FakeClock) -> None:
    office, li, zhang = estate.desk.office, estate.neighbour, estate.plumber  # Li reads English
    number = book_tap_repair(estate)
    oid = order_id(office, number)
    press(zhang, tap(Verb.WINDOW, oid, 20261124, AFTERNOON))
    press(li, tap(Verb.WINDOW_OK, oid, "yes"))
    zhang.taps("报价")
    zhang.says("45.50")
    li.taps("Confirm the price")  # on Monday, before the visit on Tuesday afternoon
    card = [m for m in zhang.chat if m.text.startswith(number)][-1]
    assert tap(Verb.SET_OFF, oid) in [data for _, data in card.buttons]
    assert tap(Verb.FINISH, oid) in [data for _, data in card.buttons]  # the price is agreed
    clock.set(sh(2026, 11, 23, 19, 0))  # the evening before
    assert due(office).counts["visit_evening:sent"] == 1
    clock.set(sh(2026, 11, 24, 13, 0))  # an hour before 14:00
    assert due(office).counts["visit_last:sent"] == 1
    assert len(reminders(li)) == 2
    clock.set(sh(2026, 11, 24, 14, 10))
    press(zhang, tap(Verb.SET_OFF, oid))
    with_button(zhang, "v1:arrived:")
    press(zhang, tap(Verb.ARRIVED, oid))
    finish_job(estate)
    with Session(office.engine) as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.id == oid)).one()
        assert order.status == "done" and order.price_confirmed_at is not None


def test_the_technicians_card_shows_the_agreed_visit_not_the_first_wish(
        estate: Estate) -> None:
    number, oid = taken(estate)
    zhang, wang = estate.plumber, estate.resident
    press(zhang, tap(Verb.WINDOW, oid, 20261123, AFTERNOON))  # not her "tomorrow morning"
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    card = [m for m in zhang.chat if m.text.startswith(number)][-1]
    assert "2026-11-23 14:00–17:00" in card.text and "方便上门时间" not in card.text
    zhang.presses(tap(Verb.SHOW_CARD, oid))
    again = [m for m in zhang.chat if m.text.startswith(number)][-1]
    assert "2026-11-23 14:00–17:00" in again.text and "明天上午" not in again.text


def test_a_time_the_resident_wrote_is_offered_first_and_reminded_once_agreed(
        estate: Estate) -> None:
    """Her "明天下午在家" (Monday 10:00) is Tuesday's afternoon: 张师傅 is offered it first,
    as her own time, and picked and agreed it is reminded and watched for a missed visit."""
    number = report_leak_free_tomorrow_afternoon(estate)
    zhang, wang, office = estate.plumber, estate.resident, estate.desk.office
    zhang.taps("接单", chat_id=PLUMBERS)
    oid = order_id(office, number)
    ask = with_button(zhang, "v1:window:")
    (label, first), *_others = ask.buttons
    assert first == tap(Verb.WINDOW, oid, 20261124, AFTERNOON), ask.buttons
    assert label.startswith("✅") and "14:00–17:00" in label
    press(zhang, first)
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    planned = {(item.kind, item.due) for item in agenda(office)[0] if item.target == number}
    assert planned >= {("visit_evening", sh(2026, 11, 23, 19, 0)),
                       ("visit_last", sh(2026, 11, 24, 13, 0)),
                       ("visit_missed", sh(2026, 11, 24, 17, 30))}


def test_a_typed_time_narrower_than_its_half_day_is_offered_and_agreed_as_typed(
        estate: Estate) -> None:
    """Wang types "周三下午三点" at the time question: 张师傅's first choice is Wednesday
    15:00–16:00 (not the whole afternoon), and that is the window agreed."""
    wang, zhang, office = estate.resident, estate.plumber, estate.desk.office
    number = report_tap_leak(estate, "周三下午三点")
    zhang.taps("接单", chat_id=PLUMBERS)
    oid = order_id(office, number)
    (label, first), *_others = with_button(zhang, "v1:window:").buttons
    assert label.startswith("✅") and "15:00–16:00" in label, label
    assert first == tap(Verb.WINDOW, oid, 20261125, OWN_TIME)  # not the whole afternoon
    press(zhang, first)
    press(wang, tap(Verb.WINDOW_OK, oid, "yes"))
    card = [m for m in zhang.chat if m.text.startswith(number)][-1]
    assert "约定上门时间：2026-11-25 15:00–16:00" in card.text, card.text
    planned = {(item.kind, item.due) for item in agenda(office)[0] if item.target == number}
    assert ("visit_missed", sh(2026, 11, 25, 16, 30)) in planned


def test_a_written_time_already_past_when_the_job_is_taken_is_not_offered(
        estate: Estate, clock: FakeClock) -> None:
    """Her Tuesday afternoon is over when 张师傅 takes the job on Tuesday at 17:30: no
    window is offered as hers (not Wednesday's afternoon either, her "明天" read today)."""
    report_leak_free_tomorrow_afternoon(estate)
    clock.set(sh(2026, 11, 24, 17, 30))
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    ask = with_button(estate.plumber, "v1:window:")
    assert not [label for label, _ in ask.buttons if label.startswith("✅")], ask.buttons


def wednesday_3pm_typed_and_agreed(estate: Estate) -> str:
    """After Tuesday morning was agreed, 张师傅 types a new time, "周三下午三点", and Wang
    agrees to it. Returns the order number."""
    number, oid = agreed_tuesday_morning(estate)
    press(estate.plumber, tap(Verb.PROPOSE_TIME, oid))
    estate.plumber.says("周三下午三点")
    press(estate.resident, tap(Verb.ANSWER_TIME, oid, "yes"))
    return number


def test_a_new_time_the_resident_agrees_to_replaces_the_visit_window(
        estate: Estate, clock: FakeClock) -> None:
    number = wednesday_3pm_typed_and_agreed(estate)
    office, wang, zhang = estate.desk.office, estate.resident, estate.plumber
    zhang.presses(tap(Verb.SHOW_CARD, order_id(office, number)))
    card = [m for m in zhang.chat if m.text.startswith(number)][-1]
    assert "2026-11-25 15:00–16:00" in card.text and "09:00–12:00" not in card.text
    clock.set(sh(2026, 11, 23, 19, 0))  # Tuesday morning is off: nobody is reminded of it
    assert due(office).counts["visit_evening:sent"] == 0
    clock.set(sh(2026, 11, 24, 13, 0))
    assert due(office).counts["visit_missed:alerted"] == 0
    assert not reminders(wang)


def test_a_typed_new_time_the_resident_agrees_to_is_the_agreed_window_and_reminded(
        estate: Estate, clock: FakeClock) -> None:
    number = wednesday_3pm_typed_and_agreed(estate)
    office, wang = estate.desk.office, estate.resident
    card = [m for m in estate.plumber.chat if m.text.startswith(number)][-1]
    assert "约定上门时间：2026-11-25 15:00–16:00" in card.text, card.text
    assert "不会发送上门提醒" not in card.text and "周三下午三点" not in card.text, card.text
    planned = {(item.kind, item.due) for item in agenda(office)[0] if item.target == number}
    assert planned >= {("visit_evening", sh(2026, 11, 24, 19, 0)),
                       ("visit_last", sh(2026, 11, 25, 14, 0)),
                       ("visit_missed", sh(2026, 11, 25, 16, 30))}
    clock.set(sh(2026, 11, 24, 19, 0))  # the evening before Wednesday
    assert due(office).counts["visit_evening:sent"] == 1
    assert "15:00–16:00" in reminders(wang)[-1]
    clock.set(sh(2026, 11, 25, 16, 30))  # nobody came
    assert due(office).counts["visit_missed:alerted"] == 1


def test_a_typed_new_time_that_is_no_time_is_the_agreed_visit_said_to_be_unreminded(
        estate: Estate) -> None:
    number, oid = agreed_tuesday_morning(estate)
    press(estate.plumber, tap(Verb.PROPOSE_TIME, oid))
    estate.plumber.says("等配件到了我再跟您约")
    press(estate.resident, tap(Verb.ANSWER_TIME, oid, "yes"))
    card = [m for m in estate.plumber.chat if m.text.startswith(number)][-1]
    assert "约定上门时间：等配件到了我再跟您约" in card.text and "方便上门时间" not in card.text
    # Words, not a window: the card says honestly that nobody is reminded of it.
    assert "不会发送上门提醒" in card.text, card.text


def test_the_groups_taken_card_shows_no_visit_time_that_could_go_stale(
        estate: Estate) -> None:
    number = wednesday_3pm_typed_and_agreed(estate)
    card = [m for m in estate.desk.messages(PLUMBERS) if m.text.startswith(number)][-1]
    assert "张师傅" in card.text and "接单" in card.text, card.text
    # The visit is between the technician and the resident; the group is not shown a time
    # that the next move would leave behind.
    assert "明天上午" not in card.text and "上门时间" not in card.text, card.text
