"""The one button table: the handler for each verb of ``dialogs.buttons`` and where it may be
tapped. The reception parses a tap once (strictly) and looks it up here; a verb tapped where
it does not belong, or data that does not parse, gets the polite "out of date" answer.

Every handler re-checks who may do what to which object now: the data is only a reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from dialogs.buttons import Tap, Verb
from dialogs.menu import EMERGENCY_BUTTONS
from dialogs.model import Outcome
from handlers.announcements import outages
from handlers.callback_surveys import corrective, phone_tasks, resident
from handlers.delivery import unreachable
from handlers.front_desk import faq, inbox
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE
from handlers.reception import menu, questions
from handlers.reception.desks import (
    announcements,
    complaint_handling,
    complaints,
    desk_tools,
    fee_campaigns,
    fee_residents,
    fee_staff,
    fee_tasks,
)
from handlers.registration import binding, unlinked_message
from handlers.requests.emergencies import report_emergency_button
from handlers.work_orders import (
    appointments,
    desk_rescheduling,
    on_the_job,
    shifts,
    sign_off,
    taking,
    trade_change,
)
from storage.models import StaffChat, WorkOrder


class Where(Enum):
    """Where a button lives: a private chat with the bot, or a bound staff group."""

    PRIVATE = "private"
    GROUP = "group"


# (caller, tap, board) → a dialog's next step to run, or None; board is the tapped group chat.
Act = Callable[[Caller, Tap, StaffChat | None], Outcome | None]


@dataclass(frozen=True, slots=True)
class ButtonHandler:
    """What a verb does, where it may be tapped, and whether the person must be bound first."""

    where: Where
    act: Act
    needs_binding: bool = True


def _order(handle: Callable[[Caller, WorkOrder], Outcome | None]) -> Act:
    """A verb whose first argument is a work order: the order is loaded, or the tap is stale."""
    def act(caller: Caller, tap: Tap, board: StaffChat | None) -> Outcome | None:
        order = caller.session.get(WorkOrder, tap.id(0))
        if order is None:
            caller.refuse(OUT_OF_DATE)
            return None
        return handle(caller, order)
    return act


def _with_order(caller: Caller, tap: Tap, handle: Callable[[WorkOrder], None]) -> None:
    """Load the order of the tap's first argument, or say the tap is stale."""
    order = caller.session.get(WorkOrder, tap.id(0))
    if order is None:
        caller.refuse(OUT_OF_DATE)
        return
    handle(order)


def _question(purpose: str) -> Act:
    """A verb that asks the tapper a short question about the order (its answer comes later)."""
    return _order(lambda caller, order: on_the_job.ask_about(caller, order, purpose))


def _yes_no(answer: Callable[[Caller, WorkOrder, bool], None]) -> Act:
    def act(caller: Caller, tap: Tap, board: StaffChat | None) -> None:
        choice = tap.word(1)
        order = caller.session.get(WorkOrder, tap.id(0))
        if order is None or choice not in ("yes", "no"):
            caller.refuse(OUT_OF_DATE)
            return
        answer(caller, order, choice == "yes")
    return act


def _in_group(handle: Callable[[Caller, StaffChat, Tap], None]) -> Act:
    """A staff-group verb: the handler gets the bound group it was tapped in."""
    def act(caller: Caller, tap: Tap, board: StaffChat | None) -> None:
        assert board is not None
        handle(caller, board, tap)
    return act


def _emergency(caller: Caller, tap: Tap, board: StaffChat | None) -> None:
    hazard = tap.word(0)
    if hazard not in EMERGENCY_BUTTONS:
        caller.refuse(OUT_OF_DATE)
        return
    caller.toast()
    report_emergency_button(caller, hazard)


def _call_result(caller: Caller, board: StaffChat, tap: Tap) -> None:
    via, rating = tap.word(1), tap.id(2)
    if via == "no_answer":
        phone_tasks.no_answer(caller, board, tap.id(0))
    elif via in ("unreachable", "wrong_number"):
        phone_tasks.close_unreached(caller, board, tap.id(0), via)
    elif via in ("phone", "onsite"):
        phone_tasks.record_call(caller, board, tap.id(0), via, rating)
    else:
        caller.refuse(OUT_OF_DATE)


def _dialog(caller: Caller, tap: Tap, board: StaffChat | None) -> None:
    # A dialog's buttons are read by the dialog under way (reception runs it before this
    # table); reaching here means that dialog is over.
    caller.refuse(OUT_OF_DATE)


def _earlier_message(caller: Caller, tap: Tap, board: StaffChat | None) -> Outcome | None:
    """What was sent before linking, taken up now: read as if just sent (words, or a photo
    and its caption)."""
    earlier = unlinked_message.take(caller, tap.id(0), tap.word(1))
    if earlier is None:
        return None
    if earlier.photos:
        return questions.photo_first(caller, earlier.words, earlier.photos)
    return questions.free_text(caller, earlier.words) if earlier.words else None


def _outage_anyway(caller: Caller, tap: Tap, board: StaffChat | None) -> Outcome | None:
    """"It's not the outage": the resident's words (and photos) are taken in as if just
    sent."""
    report = outages.report_anyway(caller, tap.id(0))
    if report is None:
        return None
    if report.photos:
        return questions.photo_first(caller, report.text, tuple(report.photos))
    return questions.free_text(caller, report.text)


def _private(act: Act, needs_binding: bool = True) -> ButtonHandler:
    return ButtonHandler(Where.PRIVATE, act, needs_binding)


def _group(act: Act) -> ButtonHandler:
    return ButtonHandler(Where.GROUP, act)


BUTTONS: Final[Mapping[Verb, ButtonHandler]] = {
    # private chats
    Verb.MENU: _private(lambda caller, tap, board: menu.choose(caller, tap.word(0))),
    Verb.LANGUAGE: _private(lambda caller, tap, board: binding.choose_language(
        caller, tap.word(0)), needs_binding=False),
    Verb.EMERGENCY: _private(_emergency),
    Verb.DIALOG: _private(_dialog),
    Verb.CANCEL_ORDER: _private(_question("cancel_reason")),
    Verb.SIGN: _private(_order(sign_off.sign)),
    Verb.ASK_REWORK: _private(_question("rework_reason")),
    Verb.ANSWER_TIME: _private(_yes_no(sign_off.answer_time)),
    Verb.ANSWER_PRICE: _private(_yes_no(sign_off.answer_price)),
    Verb.RATE: _private(lambda caller, tap, board: resident.rate(caller, tap.id(0), tap.id(1))),
    Verb.SKIP_COMMENT: _private(lambda caller, tap, board: resident.skip_comment(
        caller, tap.id(0))),
    Verb.CHANGE_TRADE: _private(_order(trade_change.show_trades)),
    Verb.SET_TRADE: _private(lambda caller, tap, board: _with_order(
        caller, tap, lambda order: trade_change.set_trade(caller, order, tap.word(1)))),
    Verb.SET_OFF: _private(_order(on_the_job.set_off)),
    Verb.PROPOSE_TIME: _private(_question("new_time")),
    Verb.PROPOSE_PRICE: _private(_question("price")),
    Verb.FINISH: _private(_question("done_note")),
    Verb.REPORT_DAMAGE: _private(_question("damage")),
    Verb.SHOW_CARD: _private(_order(on_the_job.show_card)),
    Verb.SHIFT: _private(lambda caller, tap, board: shifts.tapped(caller, tap.word(0))),
    Verb.WINDOW: _private(lambda caller, tap, board: _with_order(
        caller, tap, lambda order: appointments.choose(caller, order, tap.id(1), tap.id(2)))),
    Verb.WINDOW_OK: _private(lambda caller, tap, board: _with_order(
        caller, tap, lambda order: appointments.answer(caller, order, tap.word(1)))),
    Verb.ARRIVED: _private(_order(appointments.arrived)),
    Verb.MOVE_VISIT: _private(_order(appointments.resident_moves)),
    Verb.EARLIER_MESSAGE: _private(_earlier_message),
    # staff groups
    Verb.ACCEPT: _group(_order(taking.accept)),
    Verb.ASSIGN: _group(_in_group(lambda caller, board, tap: taking.assign(
        caller, board, tap.id(0), tap.id(1)))),
    Verb.ACK_EMERGENCY: _group(_in_group(lambda caller, board, tap: taking.on_it(
        caller, board, tap.id(0)))),
    Verb.RESCHEDULE: _group(_in_group(lambda caller, board, tap: _with_order(
        caller, tap, lambda order: desk_rescheduling.desk_choices(caller, board, order)))),
    Verb.DESK_WINDOW: _group(_in_group(lambda caller, board, tap: desk_rescheduling.desk_choose(
        caller, board, tap.id(0), tap.id(1), tap.id(2)))),
    Verb.MISSED_SEEN: _group(_in_group(lambda caller, board, tap: desk_rescheduling.missed_seen(
        caller, board, tap.id(0)))),
    Verb.HELD_CALL: _group(_in_group(lambda caller, board, tap: unreachable.record_call(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.CALLBACK_CLASS: _group(_in_group(lambda caller, board, tap: phone_tasks.correct_class(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.CALL_RESULT: _group(_in_group(_call_result)),
    Verb.CALL_NOTE: _group(_in_group(lambda caller, board, tap: phone_tasks.ask_note(
        caller, board, tap.id(0)))),
    Verb.CORRECTED: _group(_in_group(lambda caller, board, tap: corrective.ask_outcome(
        caller, board, tap.id(0)))),
    Verb.SPOT_CHECK: _group(_in_group(lambda caller, board, tap: phone_tasks.spot_check(
        caller, board, tap.id(0)))),
    Verb.ONSITE: _group(_in_group(lambda caller, board, tap: phone_tasks.onsite(
        caller, board, tap.id(0)))),
    Verb.DESK_REPLY: _group(_in_group(lambda caller, board, tap: inbox.ask_reply(
        caller, board, tap.id(0)))),
    # the desk tools (/find, /history)
    Verb.DESK_TOOL: _group(_in_group(lambda caller, board, tap: desk_tools.tapped(
        caller, board, tap.word(0), tap.id(1)))),
    Verb.DESK_REASSIGN: _group(_in_group(lambda caller, board, tap: desk_tools.reassign_to(
        caller, board, tap.id(0), tap.id(1)))),
    Verb.DESK_TOOL_PRIVATE: _private(lambda caller, tap, board: desk_tools.tapped(
        caller, None, tap.word(0), tap.id(1))),
    Verb.DESK_REASSIGN_PRIVATE: _private(lambda caller, tap, board: desk_tools.reassign_to(
        caller, None, tap.id(0), tap.id(1))),
    # the complaint desk
    Verb.COMPLAINT_DESK: _group(_in_group(lambda caller, board, tap: complaints.staff_tap(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.COMPLAINT_STAFF: _private(lambda caller, tap, board: complaints.staff_tap(
        caller, None, tap.id(0), tap.word(1))),
    Verb.COMPLAINT_VERDICT: _private(lambda caller, tap, board: complaint_handling.verdict(
        caller, tap.id(0), tap.word(1))),
    Verb.COMPLAINT_RATE: _private(lambda caller, tap, board: complaint_handling.rate(
        caller, tap.id(0), tap.id(1))),
    Verb.FAQ_FEEDBACK: _private(lambda caller, tap, board: faq.feedback(
        caller, tap.id(0), tap.word(1))),
    # the fee desk
    Verb.FEE_SHOW: _private(lambda caller, tap, board: fee_residents.show(caller, tap.id(0))),
    Verb.FEE_CLAIM: _private(lambda caller, tap, board: fee_residents.ask_receipt(
        caller, tap.id(0))),
    Verb.FEE_DISPUTE: _private(lambda caller, tap, board: fee_residents.ask_dispute(
        caller, tap.id(0))),
    Verb.FEE_DOOR: _private(lambda caller, tap, board: fee_residents.ask_door(
        caller, tap.id(0))),
    Verb.FEE_CAMPAIGN: _group(_in_group(lambda caller, board, tap: fee_campaigns.decide(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.FEE_RECEIPT: _group(_in_group(lambda caller, board, tap: fee_staff.decide_receipt(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.FEE_RESOLVE: _group(_in_group(lambda caller, board, tap: fee_staff.resolve_dispute(
        caller, board, tap.id(0)))),
    Verb.FEE_TASK: _group(_in_group(lambda caller, board, tap: fee_tasks.record_outcome(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.FEE_PAY: _group(_in_group(lambda caller, board, tap: fee_staff.ask_payment(
        caller, board, tap.id(0)))),
    Verb.FEE_WAIVE: _group(_in_group(lambda caller, board, tap: fee_staff.ask_waiver(
        caller, board, tap.id(0)))),
    # announcements
    Verb.ANNOUNCE: _group(_in_group(lambda caller, board, tap: announcements.staff_tap(
        caller, board, tap.id(0), tap.word(1)))),
    Verb.ANNOUNCE_STAFF: _private(lambda caller, tap, board: announcements.staff_tap(
        caller, None, tap.id(0), tap.word(1))),
    Verb.OUTAGE_REPORT: _private(_outage_anyway),
}
