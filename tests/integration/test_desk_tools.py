"""The desk's tools in the dispatch chat: the dispatcher finds an order by its number, a unit
or a phone, gives a held job to another technician, cancels one with a reason, and reads a
unit's history. Only dispatchers and managers may; everyone else is refused and nothing
changes. Every step is an event_log row."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from dialogs.buttons import Verb, tap
from handlers.office import Office
from handlers.office.clock import FakeClock
from handlers.registration import roster
from handlers.work_orders import desk_moves
from storage.models import EventLog, WorkOrder
from storage.models import Person as PersonRow
from tests.support.complaints import complain
from tests.support.desk import Shown
from tests.support.estate import DISPATCH, PLUMBERS, Estate, build_estate
from tests.support.orders import due, sh
from tests.support.repairs import book_tap_repair, finish_job, report_tap_leak


@pytest.fixture
def estate(office: Office) -> Estate:
    return build_estate(office, staff_language="en")  # the dispatcher reads English


def the_order(office: Office) -> WorkOrder:
    with Session(office.engine) as session:
        return session.exec(select(WorkOrder)).one()


def actions(office: Office) -> list[str]:
    with Session(office.engine) as session:
        return list(session.exec(select(EventLog.action).order_by(col(EventLog.id))))


def taken_by_zhang(estate: Estate) -> str:
    number = report_tap_leak(estate)
    estate.plumber.taps("Accept", chat_id=PLUMBERS)
    return number


def card_of(estate: Estate, user_id: int, number: str) -> Shown:
    """The technician's newest card for the job."""
    return [m for m in estate.desk.messages(user_id) if m.text.startswith(number)][-1]


def test_the_dispatcher_finds_an_order_by_number_unit_and_phone(estate: Estate,
                                                                 office: Office) -> None:
    number = taken_by_zhang(estate)
    liu = estate.dispatcher
    for query in (number, number[:11], "3-1202", "13800000001", "138 0000 0001"):
        liu.command("find", query, chat_id=DISPATCH)
        found = estate.desk.last(DISPATCH)
        assert number in found.text and "3-1202" in found.text and "张师傅" in found.text, query
        labels = [label for label, _ in found.buttons]
        assert f"🔁 Reassign {number}" in labels and f"✖ Cancel {number}" in labels
    assert "History of 3-1202" in estate.desk.last(DISPATCH).buttons[-1][0]
    for query in ("9-9999", "WO-19990101", "B-9999"):
        liu.command("find", query, chat_id=DISPATCH)
        assert "Nothing found" in estate.desk.last(DISPATCH).text
    for query in ("", "漏水", "12"):  # not a number, a unit or enough of a phone
        liu.command("find", query, chat_id=DISPATCH)
        assert "Write what to look for" in estate.desk.last(DISPATCH).text
    with Session(office.engine) as session:
        searches = session.exec(select(EventLog).where(EventLog.action == "order_search")).all()
    assert [s.detail["query"] for s in searches][:3] == [number, number[:11], "3-1202"]
    assert all(s.actor_id is not None and s.chat_id == DISPATCH for s in searches)


def test_a_job_is_reassigned_and_everyone_hears(estate: Estate, office: Office) -> None:
    number = taken_by_zhang(estate)
    liu, zhang, zhao, wang = (estate.dispatcher, estate.plumber, estate.plumber2,
                              estate.resident)
    liu.command("find", number, chat_id=DISPATCH)
    liu.taps("Reassign", chat_id=DISPATCH)
    choice = estate.desk.last(DISPATCH)
    assert "张师傅" in choice.text
    assert [label.split(" · ")[0] for label, _ in choice.buttons] == ["👷 赵师傅", "👷 陈师傅"]
    liu.taps("赵师傅", chat_id=DISPATCH)
    order = the_order(office)
    assert order.status == "accepted" and order.assignee_id is not None
    assert order.assignee_id == _person_id(office, 202)
    assert estate.desk.last(DISPATCH).buttons == []  # the choice had its moment
    assert "赵师傅" in estate.desk.last(DISPATCH).text
    new_card = card_of(estate, zhao.user_id, number)
    assert "13800000001" in new_card.text and new_card.buttons  # the resident's contact
    assert any(number in m.text and "刘调度" in m.text for m in zhao.chat)
    old_card = card_of(estate, zhang.user_id, number)
    assert old_card.buttons == [] and "赵师傅" in old_card.text and old_card.edits >= 1
    assert "赵师傅" in wang.last and number in wang.last
    board_card = [m for m in estate.desk.messages(PLUMBERS) if m.text.startswith(number)][-1]
    assert "赵师傅" in board_card.text and "张师傅" not in board_card.text
    assert actions(office)[-1] == "reassigned"
    # Zhang's old buttons are dead now: he cannot set off on a job that is no longer his.
    zhang.presses(tap(Verb.SET_OFF, order.id))
    assert the_order(office).status == "accepted"


def test_find_after_a_reassign_names_the_technician_who_holds_it_now(
        estate: Estate, office: Office) -> None:
    number = taken_by_zhang(estate)
    liu = estate.dispatcher
    liu.command("find", number, chat_id=DISPATCH)
    liu.taps("Reassign", chat_id=DISPATCH)
    liu.taps("赵师傅", chat_id=DISPATCH)
    for query in (number, "3-1202", "13800000001"):
        liu.command("find", query, chat_id=DISPATCH)
        [line] = [t for t in estate.desk.last(DISPATCH).text.splitlines() if f"{number} ·" in t]
        assert "赵师傅" in line and "张师傅" not in line, query
    liu.command("history", "3-1202", chat_id=DISPATCH)
    [line] = [t for t in estate.desk.last(DISPATCH).text.splitlines() if f"{number} ·" in t]
    assert "赵师傅" in line and "张师傅" not in line
    liu.command("find", number)
    liu.taps("Reassign")
    liu.taps("陈师傅")
    liu.command("find", number)
    [line] = [t for t in liu.last.splitlines() if f"{number} ·" in t]
    assert "陈师傅" in line and "赵师傅" not in line


def test_two_lists_of_technicians_give_the_job_away_once(estate: Estate, office: Office,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    number = taken_by_zhang(estate)
    liu, zhao = estate.dispatcher, estate.plumber2
    liu.command("find", number, chat_id=DISPATCH)
    liu.taps("Reassign", chat_id=DISPATCH)
    liu.command("find", number)  # the same dispatcher, privately too: two live lists
    liu.taps("Reassign")
    private_list = liu.chat[-1]
    to_chen = next(data for label, data in private_list.buttons if "陈师傅" in label)
    liu.taps("赵师傅", chat_id=DISPATCH)
    assert private_list.buttons == [] and "赵师傅" in private_list.text  # closed everywhere
    # A second tap that read the job while 张师傅 still held it (the two at the same moment):
    # its conditional update finds the job moved.
    zhang_then = _person_id(office, 201)
    monkeypatch.setattr(desk_moves, "_holder",
                        lambda caller, order: caller.session.get(PersonRow, zhang_then))
    pressed = liu.presses(to_chen, message_id=private_list.message_id)
    monkeypatch.undo()
    assert "out of date" in liu.toast_for(pressed)
    assert the_order(office).assignee_id == _person_id(office, 202)
    assert card_of(estate, zhao.user_id, number).buttons  # 赵师傅's card stays his, live
    assert not any(number in m.text for m in estate.electrician.chat)
    assert actions(office).count("reassigned") == 1
    liu.taps("Reassign", chat_id=DISPATCH)  # the /find result's button: today's holder
    assert "is with 赵师傅" in estate.desk.last(DISPATCH).text


def test_a_reassigned_job_drops_the_old_visit_and_asks_the_new_technician(
        estate: Estate, office: Office, clock: FakeClock) -> None:
    number = taken_by_zhang(estate)
    order = the_order(office)
    zhang, zhao, wang = estate.plumber, estate.plumber2, estate.resident
    zhang.presses(tap(Verb.WINDOW, order.id, 20261124, 0))  # Tuesday morning
    wang.presses(tap(Verb.WINDOW_OK, order.id, "yes"))
    zhang.presses(tap(Verb.SET_OFF, order.id))
    door = [m for m in zhang.chat if any("arrived" in d for _, d in m.buttons)][-1]
    estate.dispatcher.presses(tap(Verb.DESK_REASSIGN, order.id, _person_id(office, 202)),
                              DISPATCH)
    assert the_order(office).assignee_id == _person_id(office, 202)
    assert door.buttons == []  # 张师傅 is no longer coming
    zhang.presses(tap(Verb.ARRIVED, order.id))
    assert "arrived" not in actions(office)
    ask = [m for m in zhao.chat if any(d.startswith("v1:window:") for _, d in m.buttons)][-1]
    assert number in ask.text
    clock.set(sh(2026, 11, 24, 13, 0))  # 张师傅's window, its reminders and its grace pass
    counts = due(office).counts
    assert counts["visit_evening:sent"] == counts["visit_last:sent"] == 0
    assert counts["visit_missed:alerted"] == 0
    assert not [m for m in wang.chat if m.text.startswith("⏰")]


def test_a_reassigned_job_drops_the_old_technicians_unanswered_new_time(
        estate: Estate, office: Office) -> None:
    taken_by_zhang(estate)
    order = the_order(office)
    zhang, zhao, wang = estate.plumber, estate.plumber2, estate.resident
    zhang.presses(tap(Verb.PROPOSE_TIME, order.id))
    zhang.says("周四下午三点")
    proposal = [m for m in wang.chat if "周四下午三点" in m.text][-1]
    assert proposal.buttons
    estate.dispatcher.presses(tap(Verb.DESK_REASSIGN, order.id, _person_id(office, 202)),
                              DISPATCH)
    assert proposal.buttons == [] and "周四下午三点" in proposal.text  # 张师傅 is not coming
    late = wang.presses(tap(Verb.ANSWER_TIME, order.id, "yes"), message_id=proposal.message_id)
    assert "已失效" in wang.toast_for(late)
    assert the_order(office).preferred_time != "周四下午三点"
    assert not [m for m in zhao.chat if "周四下午三点" in m.text]  # he never proposed it


def test_a_job_cancelled_by_the_desk_tells_the_resident_why(estate: Estate,
                                                              office: Office) -> None:
    number = taken_by_zhang(estate)
    liu, zhang, wang = estate.dispatcher, estate.plumber, estate.resident
    liu.command("find", "3-1202", chat_id=DISPATCH)
    liu.taps("Cancel", chat_id=DISPATCH)
    assert number in liu.last  # the reason is asked privately
    liu.says("Reported twice; the other order covers it.")
    order = the_order(office)
    assert order.status == "cancelled" and order.cancelled_at is not None
    assert order.cancel_reason == "Reported twice; the other order covers it."
    assert "Reported twice" in wang.last and number in wang.last
    card = card_of(estate, zhang.user_id, number)
    assert card.buttons == []
    assert any("Reported twice" in m.text for m in zhang.chat)
    with Session(office.engine) as session:
        cancelled = session.exec(select(EventLog).where(EventLog.action == "cancelled")).one()
    assert cancelled.detail == {"reason": "Reported twice; the other order covers it.",
                                "by": "desk"}
    liu.command("find", number, chat_id=DISPATCH)
    assert estate.desk.last(DISPATCH).buttons == []  # nothing left to reassign or cancel


def test_a_residents_cancel_after_the_desk_cancelled_says_it_is_cancelled(
        estate: Estate, office: Office) -> None:
    number = taken_by_zhang(estate)
    liu, wang = estate.dispatcher, estate.resident
    wang.command("my")
    wang.taps(f"取消 {number}")  # she is asked why, and the desk is first
    liu.command("find", number, chat_id=DISPATCH)
    liu.taps("Cancel", chat_id=DISPATCH)
    liu.says("Reported twice; the other order covers it.")
    wang.says("自己修好了")
    assert number in wang.last and "已开工" not in wang.last  # no work ever started
    assert "已取消" in wang.last
    assert the_order(office).cancel_reason == "Reported twice; the other order covers it."


def test_a_cancel_reason_that_says_nothing_is_asked_again(estate: Estate,
                                                         office: Office) -> None:
    number = taken_by_zhang(estate)
    liu, wang = estate.dispatcher, estate.resident
    liu.command("find", number, chat_id=DISPATCH)
    liu.taps("Cancel", chat_id=DISPATCH)
    heard = len(wang.chat)
    liu.says("ok")  # the resident would read "cancelled by the office: ok"
    assert "“ok” says nothing on its own" in liu.last
    assert the_order(office).status == "accepted" and len(wang.chat) == heard
    liu.says("Reported twice")
    assert the_order(office).cancel_reason == "Reported twice"


def test_an_open_job_cancelled_by_the_desk_loses_its_accept_button(estate: Estate,
                                                                   office: Office) -> None:
    number = report_tap_leak(estate)
    liu = estate.dispatcher
    liu.command("find", number, chat_id=DISPATCH)
    assert [label for label, _ in estate.desk.last(DISPATCH).buttons] == [
        f"✖ Cancel {number}"]  # nobody holds it: nothing to reassign
    liu.taps("Cancel", chat_id=DISPATCH)
    liu.says("Duplicate")
    assert the_order(office).status == "cancelled"
    card = [m for m in estate.desk.messages(PLUMBERS) if m.text.startswith(number)][-1]
    assert card.buttons == [] and "Duplicate" in card.text


def test_the_desk_works_in_a_dispatchers_private_chat(estate: Estate, office: Office) -> None:
    number = taken_by_zhang(estate)
    liu = estate.dispatcher
    liu.command("find", number)
    assert [data.split(":")[1] for _, data in liu.chat[-1].buttons] == ["desk_my", "desk_my"]
    assert liu.chat[-1].buttons[0][1].startswith("v1:desk_my:reassign:")
    liu.taps("Reassign")
    liu.taps("陈师傅")
    assert the_order(office).assignee_id == _person_id(office, 203)


def test_a_unit_history_lists_orders_complaints_and_callbacks(estate: Estate,
                                                               office: Office) -> None:
    number = taken_by_zhang(estate)
    finish_job(estate)
    estate.resident.taps("确认")
    complain(estate.neighbour, "The cleaner keeps leaving rubbish bags in our corridor")
    complain(estate.neighbour, "The front desk never calls back", about="Customer service")
    liu = estate.dispatcher
    liu.command("history", "3-1202", chat_id=DISPATCH)
    history = estate.desk.last(DISPATCH).text
    assert "Unit 3-1202" in history and number in history and "confirmed" in history
    assert "Work orders (1)" in history and "Callbacks (1)" in history
    assert "2026-11-23" in history and "planned" in history
    liu.command("history", "3-1203", chat_id=DISPATCH)
    history = estate.desk.last(DISPATCH).text
    assert "Complaints (1)" in history and "CP-20261123-0001" in history
    assert "CP-20261123-0002" not in history  # about the service centre: admin/HR only
    liu.command("history", number, chat_id=DISPATCH)  # an order's number: its unit
    assert "Unit 3-1202" in estate.desk.last(DISPATCH).text
    assert actions(office).count("unit_history_viewed") == 3


@pytest.mark.parametrize("who", ["plumber", "resident"])
def test_nobody_but_the_desk_finds_reassigns_or_cancels(estate: Estate, office: Office,
                                                        who: str) -> None:
    number = taken_by_zhang(estate)
    order = the_order(office)
    person = getattr(estate, who)
    before = actions(office)
    zhao = _person_id(office, 202)
    person.command("find", number)
    assert "Only dispatchers and managers" in person.last or "只有" in person.last
    person.command("history", "3-1202")
    for data, chat in ((tap(Verb.DESK_REASSIGN_PRIVATE, order.id, zhao), None),
                       (tap(Verb.DESK_TOOL_PRIVATE, "cancel", order.id), None),
                       (tap(Verb.DESK_TOOL_PRIVATE, "history", 1), None),
                       (tap(Verb.DESK_REASSIGN, order.id, zhao), DISPATCH),
                       (tap(Verb.DESK_TOOL, "reassign", order.id), DISPATCH)):
        pressed = person.presses(data, chat)
        assert person.toast_for(pressed), data
    assert the_order(office).assignee_id == _person_id(office, 201)
    assert the_order(office).status == "accepted"
    assert actions(office) == before
    assert not any(number in m.text for m in estate.desk.messages(estate.plumber2.user_id))


def test_a_technician_in_the_trade_group_cannot_use_the_desk_tools(estate: Estate,
                                                                   office: Office) -> None:
    number = taken_by_zhang(estate)
    estate.dispatcher.command("find", number, chat_id=PLUMBERS)  # even the dispatcher:
    assert number not in estate.desk.last(PLUMBERS).text  # a job board is not the desk
    assert "order_search" not in actions(office)


def test_a_cancel_reason_from_someone_not_at_the_desk_changes_nothing(
        estate: Estate, office: Office) -> None:
    from tests.integration.test_guards import planted_question
    taken_by_zhang(estate)
    order = the_order(office)
    assert order.id is not None
    planted_question(office, estate.plumber, "desk_cancel_reason", order.id)
    estate.plumber.says("I do not want this job")
    assert the_order(office).status == "accepted"


def test_a_job_is_not_reassigned_to_a_technician_off_shift(estate: Estate,
                                                           office: Office) -> None:
    taken_by_zhang(estate)
    order = the_order(office)
    estate.plumber2.command("shift", "off")
    pressed = estate.dispatcher.presses(tap(Verb.DESK_REASSIGN, order.id,
                                            _person_id(office, 202)), DISPATCH)
    assert "赵师傅 cannot take" in estate.dispatcher.toast_for(pressed)
    assert the_order(office).assignee_id == _person_id(office, 201)


def test_help_lists_the_desk_commands_for_the_desk_only(estate: Estate) -> None:
    estate.dispatcher.command("help", chat_id=DISPATCH)
    assert "/find" in estate.desk.last(DISPATCH).text
    assert "/history" in estate.desk.last(DISPATCH).text
    estate.dispatcher.command("help")
    assert "/find" in estate.dispatcher.last
    estate.plumber.command("help")
    assert "/find" not in estate.plumber.last


def _person_id(office: Office, user_id: int) -> int | None:
    from storage.models import Person
    with Session(office.engine) as session:
        person = session.exec(select(Person).where(Person.telegram_user_id == user_id)).one()
        return person.id


def test_a_unit_typed_in_small_letters_is_found(estate: Estate, office: Office) -> None:
    roster.import_households(office, [(2, {"building": "A", "room": "101B", "name": "周红",
                                           "phone": "13800000009"})])
    liu = estate.dispatcher
    for command in ("find", "history"):
        liu.command(command, "a-101b", chat_id=DISPATCH)
        assert "A-101B" in estate.desk.last(DISPATCH).text, command


def test_a_reassigned_job_withdraws_the_old_technicians_price(estate: Estate,
                                                             office: Office) -> None:
    li, zhang, zhao = estate.neighbour, estate.plumber, estate.plumber2  # Li reads English
    book_tap_repair(estate)
    zhang.taps("报价")
    zhang.says("45.50")
    quote = [m for m in li.chat if "45.50" in m.text][-1]
    assert quote.buttons
    order = the_order(office)
    estate.dispatcher.presses(tap(Verb.DESK_REASSIGN, order.id, _person_id(office, 202)),
                              DISPATCH)
    assert quote.buttons == [] and "withdrawn" in quote.text  # 张师傅's price is not the job's
    late = li.presses(tap(Verb.ANSWER_PRICE, order.id, "yes"), message_id=quote.message_id)
    assert "withdrawn" in li.toast_for(late) and "wait" in li.toast_for(late)
    order = the_order(office)
    assert order.status == "accepted" and order.price is None
    assert order.price_confirmed_at is None
    assert not [a for a in actions(office) if a.startswith("price_confirmed")]
    assert "报价" in str(card_of(estate, zhao.user_id, order.number).buttons)
    assert not [m for m in zhao.chat if "45.50" in m.text]


def test_a_reassigned_emergency_drops_the_typed_visit_the_old_technician_agreed(
        estate: Estate, office: Office) -> None:
    wang, zhang, zhao = estate.resident, estate.plumber, estate.plumber2
    wang.says("水管爆了，家里在淹水！")
    zhang.taps("Accept", chat_id=PLUMBERS)
    order = the_order(office)
    zhang.presses(tap(Verb.PROPOSE_TIME, order.id))
    zhang.says("周四下午三点")
    wang.presses(tap(Verb.ANSWER_TIME, order.id, "yes"))
    def card(user_id: int) -> str:  # the newest emergency card for the job
        return [m.text for m in estate.desk.messages(user_id)
                if m.text.startswith("🚨") and order.number in m.text and "状态" in m.text][-1]

    assert "约定上门时间：2026-11-26 15:00–16:00" in card(zhang.user_id)  # read as a window
    estate.dispatcher.presses(tap(Verb.DESK_REASSIGN, order.id, _person_id(office, 202)),
                              DISPATCH)
    assert "约定上门时间" not in card(zhao.user_id), card(zhao.user_id)  # 张师傅 agreed it
