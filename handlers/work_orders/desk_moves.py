"""The desk's moves on a work order, from the dispatch or managers' chat (or a dispatcher's or
manager's private chat): give a held job to another technician, cancel a job with a reason.

Each is the state machine's move (``REASSIGN``, ``DESK_CANCEL``), re-checked at the tap and at
the answer, and an event_log row; everyone the change concerns is told, and the messages whose
moment has passed lose their buttons.
"""

from __future__ import annotations

from typing import Final

from dialogs import cards
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, Priority, Say, inline
from dialogs.model import AnswerText
from dialogs.statuses import STATUS_NAMES
from handlers.delivery.bulk import chats_posted
from handlers.office.caller import Caller
from handlers.office.people import staff_chat
from handlers.office.permissions import OUT_OF_DATE, at_the_desk
from handlers.work_orders import appointments, routing, states
from handlers.work_orders.notify import (
    close_for_resident,
    pcard_ref,
    quote_ref,
    redraw_private_card,
    send_private_card,
    supersede,
    tell_resident,
    time_ref,
    view,
)
from handlers.work_orders.sign_off import close_cancelled
from locales import Raw, Text, _, lines
from storage.models import Person, StaffChat, WorkOrder

NOT_THE_DESK: Final = _("Only dispatchers and managers can use the desk tools, in the dispatch "
                        "or managers' chat or privately with me; nothing was changed.")


def tool_button(board: StaffChat | None, label: Text, action: str,
                subject_id: int | None) -> Button:
    """A desk tool's button: the group verb in a staff chat, the private one elsewhere."""
    if board is None:
        return Button(label, tap(Verb.DESK_TOOL_PRIVATE, action, subject_id))
    return Button(label, tap(Verb.DESK_TOOL, action, subject_id))


def _technician_button(board: StaffChat | None, order: WorkOrder,
                       choice: routing.Candidate) -> Button:
    label = routing.technician_label(choice)
    if board is None:
        return Button(label, tap(Verb.DESK_REASSIGN_PRIVATE, order.id, choice.person.id))
    return Button(label, tap(Verb.DESK_REASSIGN, order.id, choice.person.id))


def reassign_ref(order_id: int | None) -> str:
    return f"reassign:{order_id}"


def _holder(caller: Caller, order: WorkOrder) -> Person | None:
    return caller.session.get(Person, order.assignee_id) if order.assignee_id else None


# -- reassign --------------------------------------------------------------------------------
def choose_technician(caller: Caller, board: StaffChat | None, order: WorkOrder) -> None:
    """Offer the technicians who could take *order* over (on shift, with room), one tap each."""
    if not at_the_desk(caller, board):
        caller.refuse(NOT_THE_DESK)
        return
    if order.status == states.Status.OPEN:
        caller.refuse(_("{number} has no technician yet: assign it with the buttons in the "
                        "dispatch chat.", number=Raw(order.number)))
        return
    if order.status not in states.REASSIGN.sources:
        caller.refuse(_("{number} is {status}: there is nothing to reassign.",
                        number=Raw(order.number), status=STATUS_NAMES[order.status]))
        return
    choices = [c for c in routing.candidates(caller.session, caller.uow.office.rules)
               if c.person.id != order.assignee_id]
    if not choices:
        caller.refuse(_("No other technician is on shift with room for another job."))
        return
    holder = _holder(caller, order)
    caller.toast()
    supersede(caller.uow, caller.chat_id, reassign_ref(order.id))  # one live list per chat
    caller.uow.send(Say(caller.chat_id, _(
        "🔁 {number} is with {name}. Give it to (jobs each holds now):",
        number=Raw(order.number), name=Raw(holder.name if holder else "-")),
        routing.two_a_row([_technician_button(board, order, c)
                           for c in choices[:routing.MAX_CHOICES]]),
        ref=reassign_ref(order.id), priority=Priority.INTERACTIVE))


def reassign(caller: Caller, board: StaffChat | None, order: WorkOrder,
             technician_id: int) -> None:
    """Give the job to *technician_id*: the new technician gets the card and the resident's
    contact, the old one's card says so and loses its buttons, the resident hears who comes."""
    if not at_the_desk(caller, board):
        caller.refuse(NOT_THE_DESK)
        return
    technician = caller.session.get(Person, technician_id)
    free = {c.person.id for c in routing.candidates(caller.session, caller.uow.office.rules)}
    if technician is None or technician.telegram_user_id is None:
        caller.refuse(OUT_OF_DATE)
        return
    if technician.id == order.assignee_id or technician.id not in free:
        caller.refuse(_("{name} cannot take {number} now (off shift, or already holding the "
                        "most open jobs); nothing was changed.", name=Raw(technician.name),
                        number=Raw(order.number)))
        return
    previous = _holder(caller, order)
    # A price *previous* quoted that the resident has not confirmed is theirs, not the new
    # technician's: it is withdrawn (unless the resident confirms it at this very moment).
    quoted = order.price is not None and order.price_confirmed_at is None
    withdrawn = {"price": None, "price_reason": ""} if quoted else {}
    # Still held by *previous*: a second dispatcher, or an old list, finds it moved and fails.
    if previous is None or not states.move(
            caller.session, order, states.REASSIGN, caller.now,
            still={"assignee_id": previous.id, **({"price_confirmed_at": None} if quoted else {})},
            assignee_id=technician.id, proposed_time="", **withdrawn):
        caller.refuse(OUT_OF_DATE)
        return
    assert caller.person is not None
    dispatcher = caller.person.name
    caller.log("reassigned", order, previous_id=previous.id, previous=previous.name,
               technician_id=technician.id,
               technician=technician.name)
    shown = view(caller, order)
    board_of_trade = staff_chat(caller.session, "trade", order.trade)
    if board_of_trade is not None:  # the job board's card names who holds it now
        caller.uow.send(Edit(board_of_trade.chat_id, cards.taken_card(shown), inline(),
                             ref=routing.card_ref(order.id)))
    if previous.telegram_user_id is not None:
        caller.uow.send(Edit(previous.telegram_user_id, lines(cards.private_card(shown), _(
            "🔁 Reassigned to {name} by {dispatcher}: this job is no longer yours.",
            name=Raw(technician.name), dispatcher=Raw(dispatcher))), inline(),
            ref=pcard_ref(order.id)))
    caller.uow.send(Say(technician.telegram_user_id, _(
        "📋 {dispatcher} reassigned {number} to you.", dispatcher=Raw(dispatcher),
        number=Raw(order.number))))
    if order.photos:
        caller.uow.send(Say(technician.telegram_user_id, "", photos=tuple(order.photos)))
    send_private_card(caller, order, technician.telegram_user_id)
    appointments.hand_over(caller, order, previous)
    # A new time *previous* proposed is theirs, not the new technician's: its buttons go (the
    # proposal was cleared with the move), and the new technician agrees the visit afresh.
    close_for_resident(caller.uow, order, time_ref(order.id), "")
    if quoted:
        close_for_resident(caller.uow, order, quote_ref(order.id), _(
            "✖ The price for {number} was withdrawn: {name} will send you their own.",
            number=Raw(order.number), name=Raw(technician.name)))
    tell_resident(caller, order, _("👷 {number} is now with {name}, who will contact you at "
                                   "{phone}.", number=Raw(order.number),
                                   name=Raw(technician.name),
                                   phone=Raw(order.contact_phone or "-")))
    done = _("✅ {number} reassigned from {previous} to {name} by {dispatcher}.",
             number=Raw(order.number), previous=Raw(previous.name),
             name=Raw(technician.name), dispatcher=Raw(dispatcher))
    # Every list of technicians for this job has had its moment, wherever it was posted.
    for chat_id in set(chats_posted(caller.uow, reassign_ref(order.id))) - {caller.chat_id}:
        caller.uow.send(Edit(chat_id, done, inline(), ref=reassign_ref(order.id)))
    caller.uow.send(Edit(caller.chat_id, done, inline(), message_id=caller.event.message_id,
                         ref=reassign_ref(order.id)))
    caller.toast(_("Reassigned to {name}.", name=Raw(technician.name)))


# -- cancel with a reason --------------------------------------------------------------------
def ask_cancel_reason(caller: Caller, board: StaffChat | None, order: WorkOrder) -> None:
    """Ask the dispatcher, privately, why the job is cancelled (the resident will read it)."""
    if not at_the_desk(caller, board):
        caller.refuse(NOT_THE_DESK)
        return
    if not states.may(caller, order, states.DESK_CANCEL):
        caller.refuse(_("{number} is {status}: it can no longer be cancelled.",
                        number=Raw(order.number), status=STATUS_NAMES[order.status]))
        return
    assert order.id is not None
    caller.ask_privately("desk_cancel_reason", order.id, order.number)


def cancel(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """The office cancels the job with the reason: the resident is told, the technician's card
    says so (its buttons gone), the cards nobody took close."""
    was_open = order.status == states.Status.OPEN
    reason = command.text[:1000]
    if not states.may(caller, order, states.DESK_CANCEL) or not states.move(
            caller.session, order, states.DESK_CANCEL, caller.now, cancel_reason=reason):
        caller.reply(_("{number} can no longer be cancelled; nothing was changed.",
                       number=Raw(order.number)) if at_the_desk(caller, None) else NOT_THE_DESK)
        return
    assert caller.person is not None
    caller.log("cancelled", order, reason=reason, by="desk")
    outcome = _("✖ Cancelled by {name} (office): {reason}", name=Raw(caller.person.name),
                reason=Raw(reason))
    close_cancelled(caller, order, was_open, outcome)
    holder = _holder(caller, order)
    if holder is not None and holder.telegram_user_id is not None:
        redraw_private_card(caller.uow, order)  # cancelled: the card's steps are over
        caller.uow.send(Say(holder.telegram_user_id, lines(
            _("✖ {number} was cancelled by the office.", number=Raw(order.number)), outcome)))
    tell_resident(caller, order, _("✖ Your request {number} was cancelled by the office: "
                                   "{reason} If you still need help, just write to us.",
                                   number=Raw(order.number), reason=Raw(reason)))
    caller.reply(_("{number} is cancelled; the resident has been told.",
                   number=Raw(order.number)))
