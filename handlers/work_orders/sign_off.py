"""The resident's side of a job: agree a new time, confirm the price, sign the finished work,
ask for rework, cancel. Rework goes back to the same technician; a further rework request
alerts the managers (001 §2.5.3–2.5.5)."""

from __future__ import annotations

from collections.abc import Callable

from dialogs import cards
from dialogs.events import Edit, inline
from dialogs.model import AnswerText
from dialogs.statuses import STATUS_NAMES
from handlers.callback_surveys.planning import schedule_survey
from handlers.office.caller import Caller
from handlers.office.people import staff_chat
from handlers.office.permissions import OUT_OF_DATE, owns
from handlers.work_orders import appointments, emergency_clock, routing, states
from handlers.work_orders.notify import (
    close_for_resident,
    done_ref,
    quote_ref,
    tell_assignee,
    time_ref,
    view,
)
from handlers.work_orders.reopening import send_back
from handlers.work_orders.trade_change import close_receipt
from locales import Raw, Text, _, lines
from storage.models import WorkOrder


def answer_time(caller: Caller, order: WorkOrder, agreed: bool) -> None:
    """The resident accepts or declines the technician's proposed time."""
    if not owns(caller, order) or not order.proposed_time or order.status in states.FINISHED:
        caller.refuse(OUT_OF_DATE)
        return
    proposed, order.proposed_time = order.proposed_time, ""
    if agreed:  # the time agreed now, instead of the visit window agreed before
        appointments.agree_typed(caller.uow, order, proposed)
    caller.log("time_agreed" if agreed else "time_declined", order, time=proposed)
    close_for_resident(caller.uow, order, time_ref(order.id), _(
        "✅ You agreed to {time} for {number}.", time=Raw(proposed), number=Raw(order.number))
        if agreed else _("✖ You cannot make {time} for {number}; the technician will call you "
                         "to agree a time.", time=Raw(proposed), number=Raw(order.number)))
    tell_assignee(caller, order, _("✅ The resident agreed to {time} for {number}.", time=Raw(
        proposed), number=Raw(order.number)) if agreed else _(
        "✖ The resident cannot make {time} for {number}; please call them to agree a time.",
        time=Raw(proposed), number=Raw(order.number)))
    caller.toast(_("Thank you, the technician has been told."))


def answer_price(caller: Caller, order: WorkOrder, agreed: bool) -> None:
    """The resident confirms (work may start) or declines the price (2.4.4)."""
    confirm = states.price_move(order)
    if order.price is None and order.price_confirmed_at is None and states.may(
            caller, order, confirm):
        # The quote was withdrawn (another technician holds the job now) or answered already.
        caller.refuse(_("This price was withdrawn; please wait for the price from the "
                        "technician who holds {number} now. Nothing was changed.",
                        number=Raw(order.number)))
        return
    if (order.price is None or order.price_confirmed_at is not None
            or not states.may(caller, order, confirm)):
        caller.refuse(OUT_OF_DATE)
        return
    price = order.price
    if agreed:
        if not states.move(caller.session, order, confirm, caller.now):
            caller.refuse(OUT_OF_DATE)
            return
        caller.log("price_confirmed" if confirm is states.CONFIRM_PRICE
                   else "price_confirmed_ahead", order, amount=str(price))
        close_for_resident(caller.uow, order, quote_ref(order.id), _(
            "✅ You confirmed {amount} yuan for {number}. Work may start.",
            amount=cards.money(price), number=Raw(order.number)))
        tell_assignee(caller, order, _("✅ The resident confirmed {amount} yuan for {number}. "
                                       "You may start.", amount=cards.money(price),
                                       number=Raw(order.number)))
    else:
        caller.log("price_declined", order, amount=str(price))
        close_for_resident(caller.uow, order, quote_ref(order.id), _(
            "✖ You declined {amount} yuan for {number}; the technician will talk with you.",
            amount=cards.money(price), number=Raw(order.number)))
        order.price = None
        tell_assignee(caller, order, _("✖ The resident declined the price for {number}; "
                                       "please talk with them.", number=Raw(order.number)))
    caller.toast(_("Thank you, the technician has been told."))


def sign(caller: Caller, order: WorkOrder) -> None:
    """The resident's signature on the work order; the callback survey is planned."""
    if not states.may(caller, order, states.SIGN) or not states.move(
            caller.session, order, states.SIGN, caller.now):
        caller.refuse(OUT_OF_DATE)
        return
    caller.log("confirmed", order, by="resident")
    close_for_resident(caller.uow, order, done_ref(order.id), lines(
        cards.done_notice(view(caller, order), order.materials_note, asking=False),
        _("✅ You confirmed it: the work order is signed.")))
    schedule_survey(caller.uow, order)
    tell_assignee(caller, order, _("✅ The resident confirmed {number}. Thank you!",
                                   number=Raw(order.number)))
    caller.reply(lines(
        _("Thank you! {number} is confirmed and closed.", number=Raw(order.number)),
        _("Agreed price: {amount} yuan; it will be on your next monthly fee notice.",
          amount=cards.money(order.price))
        if order.price is not None and order.price_confirmed_at is not None else None))
    caller.toast()


def ask_rework(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """Back to the same technician with the resident's reason; managers hear past the limit."""
    if not send_back(caller, order, states.ASK_REWORK, command.text, _(
            "🔁 The resident asks for rework on {number}: {reason}", number=Raw(order.number),
            reason=Raw(command.text))):
        caller.reply(OUT_OF_DATE)
        return
    close_for_resident(caller.uow, order, done_ref(order.id), lines(
        cards.done_notice(view(caller, order), order.materials_note, asking=False),
        _("🔁 You asked for rework: {reason}", reason=Raw(command.text))))
    caller.reply(_("Sorry it is not right yet. {number} goes back to the same technician.",
                   number=Raw(order.number)))


def cancel(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """The resident cancels before work starts; the order is voided with the reason (2.4.4)."""
    was_open = order.status == states.Status.OPEN
    if not states.may(caller, order, states.CANCEL) or not states.move(
            caller.session, order, states.CANCEL, caller.now, cancel_reason=command.text):
        # Cancelled by the office (or closed) meanwhile: say so, not that work has started.
        caller.reply(_("{number} is {status}: it can no longer be cancelled.",
                       number=Raw(order.number), status=STATUS_NAMES[order.status])
                     if order.status in states.FINISHED else
                     _("{number} can no longer be cancelled: work has started.",
                       number=Raw(order.number)))
        return
    caller.log("cancelled", order, reason=command.text)
    close_cancelled(caller, order, was_open, _("✖ Cancelled by the resident."))
    if order.assignee_id:
        tell_assignee(caller, order, _("✖ {number} was cancelled by the resident: {reason}",
                                       number=Raw(order.number), reason=Raw(command.text)))
    caller.reply(_("{number} is cancelled.", number=Raw(order.number)))


def close_cancelled(caller: Caller, order: WorkOrder, was_open: bool, outcome: Text) -> None:
    """A cancelled order's buttons go: the resident's open questions and, if nobody had taken
    it, its card in the trade group, the dispatcher's, the receipt's, the emergency alert's
    (each showing *outcome*). Used by the resident's cancel and the desk's."""
    for ref in (time_ref(order.id), quote_ref(order.id)):  # nothing left to answer
        close_for_resident(caller.uow, order, ref, "")
    appointments.close(caller.uow, order)
    if not was_open:
        return
    board = staff_chat(caller.session, "trade", order.trade)
    cancelled = lines(cards.group_card(view(caller, order)), outcome)
    if board is not None:
        caller.uow.send(Edit(board.chat_id, cancelled, inline(), ref=routing.card_ref(order.id)))
    routing.close_dispatch(caller.uow, order, cancelled)
    close_receipt(caller.uow, order)
    if order.emergency:
        emergency_clock.close_alert(caller.uow, order, outcome)


ANSWERS: dict[str, Callable[[Caller, WorkOrder, AnswerText], None]] = {
    "rework_reason": ask_rework, "cancel_reason": cancel,
}
