"""The desk moves a visit: a dispatcher or manager, in the dispatch or managers' chat, picks a
new window (``/reschedule`` or the missed-visit alert's button), or takes a missed visit in
hand."""

from __future__ import annotations

from dialogs.appointment import answer_keyboard, choices, window_text
from dialogs.events import Edit, Priority, Say, inline
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.permissions import OUT_OF_DATE, at_the_desk
from handlers.work_orders.notify import supersede, tell_resident
from handlers.work_orders.visit_reminders import close_missed_alert
from handlers.work_orders.visit_windows import (
    appointment_of,
    ask_ref,
    desk_ref,
    may_move,
    offered,
    office_today,
    plan,
    tapped_window,
    technician_name,
    tell_technician,
    visit_window_text,
)
from locales import Raw, _
from storage.models import StaffChat, WorkOrder


def _may_desk(caller: Caller, board: StaffChat) -> bool:
    if at_the_desk(caller, board):
        return True
    caller.refuse(_("Only dispatchers and managers can reschedule visits."))
    return False


def _desk_order(caller: Caller, board: StaffChat, order_id: int) -> WorkOrder | None:
    """The order a desk button names, when it still exists and the caller may act at the
    desk; otherwise the caller was already answered and None."""
    order = caller.session.get(WorkOrder, order_id)
    if order is None:
        caller.refuse(OUT_OF_DATE)
        return None
    return order if _may_desk(caller, board) else None


def desk_choices(caller: Caller, board: StaffChat, order: WorkOrder) -> None:
    """The desk's choice of a new window for *order* (the command, or the missed alert)."""
    if not _may_desk(caller, board):
        return
    appointment = appointment_of(caller.session, order.id)
    if not may_move(appointment, order):
        caller.refuse(_("{number} has no visit to move now.", number=Raw(order.number)))
        return
    assert appointment is not None and order.id is not None
    caller.toast()
    supersede(caller.uow, board.chat_id, desk_ref(order.id))
    caller.uow.send(Say(board.chat_id, _(
        "📅 {number} ({name}) is now {window}. Pick the new window.", number=Raw(order.number),
        name=technician_name(caller.session, order),
        window=visit_window_text(caller.uow, appointment)),
        choices(order.id, offered(caller.uow), office_today(caller.uow), desk=True),
        ref=desk_ref(order.id), priority=Priority.INTERACTIVE))


def desk_choose(caller: Caller, board: StaffChat, order_id: int, day_key: int,
                slot: int) -> None:
    """The desk moved the window: the technician and the resident are told, the reminders
    move, the resident may accept or ask for another."""
    order = _desk_order(caller, board, order_id)
    if order is None:
        return
    appointment = appointment_of(caller.session, order.id)
    if not may_move(appointment, order):
        caller.refuse(OUT_OF_DATE)
        return
    assert appointment is not None and caller.person is not None
    window = tapped_window(caller, day_key, slot)
    if window is None:
        return
    plan(caller.uow, appointment, window)
    appointment.state, appointment.set_by = "proposed", "dispatcher"
    appointment.moves += 1
    shown, number = window_text(window, office_today(caller.uow)), Raw(order.number)
    name = technician_name(caller.session, order)
    caller.log("visit_moved", order, by="dispatcher",
               window=wall_clock(appointment.window_start, caller.uow.office.timezone))
    outcome = _("📅 {number} moved to {window} by {dispatcher}.", number=number, window=shown,
                dispatcher=Raw(caller.person.name))
    caller.uow.send(Edit(board.chat_id, outcome, inline(), message_id=caller.event.message_id,
                         ref=desk_ref(order.id)))
    close_missed_alert(caller.uow, order, appointment, outcome)
    tell_technician(caller.uow, order, _("📅 The dispatcher moved {number} to {window}.",
                                         number=number, window=shown))
    tell_resident(caller, order, _("📅 {number} was moved to {window}; {name} will come then. "
                                   "Does it suit you?", number=number, window=shown, name=name),
                  answer_keyboard(order_id), ref=ask_ref(order.id))
    caller.toast(_("Moved; the technician and the resident have been told."))


def missed_seen(caller: Caller, board: StaffChat, order_id: int) -> None:
    """A dispatcher takes the missed visit in hand (they will phone)."""
    order = _desk_order(caller, board, order_id)
    if order is None:
        return
    appointment = appointment_of(caller.session, order.id)
    if appointment is None or appointment.window_start is None:
        caller.refuse(OUT_OF_DATE)
        return
    assert caller.person is not None
    caller.log("missed_visit_followed", order)
    close_missed_alert(caller.uow, order, appointment, _("☎ {name} is following it up.",
                                                         name=Raw(caller.person.name)))
    caller.toast()
