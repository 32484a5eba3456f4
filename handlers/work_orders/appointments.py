"""Appointments: the visit window a technician confirms on taking a job, and what follows.

The technician picks a window (the resident's own convenient time first: a quick choice
when it is one of the windows still open, a time she typed or wrote in the report when it
names a window still open) from the office's windows (``OfficeRules.appointments``) on the next
open days of the office calendar; the resident accepts it or picks another. The resident is
reminded the evening before and shortly before; "On my way" offers an "I have arrived" button;
a window that passes with nobody arrived alerts dispatch, who may move it (``/reschedule``).

Reminders are due times on the ``appointment`` row (``storage/appointments.py``), drained by
the scheduler's pass like every other per-order timer: moving the window moves them.
Keyboards stay true: the technician's choices (``appt:``), the resident's window (``appt:``),
the desk's choices (``appt_desk:``), the missed-visit alert (``missed:``) and the arrival
button (``arrive:``) lose their buttons when their moment passes.

The windows on offer (and what every part of a visit shares) are in ``visit_windows``, the
reminders and the missed-visit alert in ``visit_reminders``, the desk's moves in
``desk_rescheduling``; this module is the technician's and the resident's side: the window
picked and answered, the visit moved by the resident, the arrival, the close.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from dialogs.appointment import answer_keyboard, arrived_keyboard, choices, window_text
from dialogs.events import Edit, Priority, Say, inline
from dialogs.times import time_text
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE, is_assignee, owns
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import states
from handlers.work_orders.desk_rescheduling import desk_choices
from handlers.work_orders.notify import (
    close_for_resident,
    redraw_private_card,
    supersede,
    tell_resident,
)
from handlers.work_orders.visit_reminders import close_missed_alert
from handlers.work_orders.visit_windows import (
    BEFORE_ARRIVAL,
    appointment_of,
    arrive_ref,
    ask_ref,
    assignee,
    desk_ref,
    may_move,
    meant_window,
    missed_ref,
    offered,
    office_today,
    plan,
    preferred_window,
    tapped_window,
    technician_name,
    tell_technician,
    typed_visit_window,
    visit_window_text,
)
from locales import Raw, _, lines
from storage.appointments import Appointment
from storage.models import Person, StaffChat, WorkOrder


# -- the technician picks the window -----------------------------------------------------
def ask_window(caller: Caller, order: WorkOrder, chat_id: int) -> None:
    """On taking a job: the technician is asked when they will come (not for an emergency:
    they go now)."""
    if order.emergency:
        return
    uow = caller.uow
    assert order.id is not None
    appointment = appointment_of(caller.session, order.id) or Appointment(
        order_id=order.id, created_at=caller.now)
    appointment.state = "asking"
    caller.session.add(appointment)
    windows = offered(uow)
    # The convenient time the resident gave was for the first visit, not for a rework.
    first_visit = order.rework_count == 0
    preferred = preferred_window(uow, order, windows) if first_visit else None
    # Taken days after the report, her "tomorrow morning" is a date by now (or gone).
    meant = meant_window(uow, order)
    text = lines(
        _("📅 {number}: when will you visit? Pick a window; the resident is asked to confirm "
          "it.", number=Raw(order.number)),
        _("The resident's convenient time: {time}",
          time=window_text(meant, office_today(uow)) if meant else
          time_text(order.preferred_time))
        if order.preferred_time and first_visit and preferred is None else None)
    supersede(uow, chat_id, ask_ref(order.id))
    uow.send(Say(chat_id, text, choices(order.id, windows, office_today(uow), preferred=preferred),
                 ref=ask_ref(order.id), priority=Priority.INTERACTIVE))


def choose(caller: Caller, order: WorkOrder, day_key: int, slot: int) -> None:
    """A window tapped in a private chat: the technician proposes it, or the resident (who
    asked for another) picks it."""
    appointment = appointment_of(caller.session, order.id)
    technician, resident = is_assignee(caller, order), owns(caller, order)
    if (appointment is None or order.status not in BEFORE_ARRIVAL
            or appointment.arrived_at is not None or not (technician or resident)
            or (not technician and appointment.state != "choosing")):
        caller.refuse(OUT_OF_DATE)
        return
    # The resident's own typed time is the technician's to take, on the first visit.
    own = order if technician and order.rework_count == 0 else None
    window = tapped_window(caller, day_key, slot, own)
    if window is None:
        return
    moved = appointment.window_start is not None
    plan(caller.uow, appointment, window)
    shown = window_text(window, office_today(caller.uow))
    number, name = Raw(order.number), technician_name(caller.session, order)
    if technician:
        appointment.state, appointment.set_by = "proposed", "technician"
        appointment.moves += moved
        caller.log("visit_proposed", order, window=wall_clock(appointment.window_start,
                                                               caller.uow.office.timezone))
        caller.uow.send(Edit(caller.chat_id, _(
            "📅 {number}: you proposed {window}; the resident has been asked to confirm.",
            number=number, window=shown), inline(), message_id=caller.event.message_id,
            ref=ask_ref(order.id)))
        tell_resident(caller, order, _("📅 {name} will come for {number} {window}. Does it "
                                       "suit you?", name=name, number=number, window=shown),
                      answer_keyboard(order.id or 0), ref=ask_ref(order.id))
        caller.toast(_("Sent to the resident."))
        return
    appointment.state, appointment.set_by = "agreed", "resident"
    appointment.moves += 1
    caller.log("visit_moved", order, by="resident",
               window=wall_clock(appointment.window_start, caller.uow.office.timezone))
    caller.uow.send(Edit(caller.chat_id, _("📅 You chose {window} for {number}; {name} has been "
                                           "told.", window=shown, number=number, name=name),
                         inline(), message_id=caller.event.message_id, ref=ask_ref(order.id)))
    tell_technician(caller.uow, order, _("📅 The resident moved {number} to {window}.",
                                         number=number, window=shown))
    redraw_private_card(caller.uow, order)  # the card shows the visit agreed now
    caller.toast(_("Thank you, the technician has been told."))


# -- the resident answers, or moves the visit --------------------------------------------
def answer(caller: Caller, order: WorkOrder, choice: str) -> None:
    """The resident accepts the proposed window, or asks for another."""
    appointment = appointment_of(caller.session, order.id)
    if (appointment is None or appointment.state != "proposed" or choice not in ("yes", "other")
            or not owns(caller, order) or order.status not in BEFORE_ARRIVAL):
        caller.refuse(OUT_OF_DATE)
        return
    shown, number = visit_window_text(caller.uow, appointment), Raw(order.number)
    if choice == "yes":
        appointment.state = "agreed"
        caller.session.add(appointment)
        caller.log("visit_agreed", order)
        close_for_resident(caller.uow, order, ask_ref(order.id), _(
            "✅ You agreed: {name} comes for {number} {window}.",
            name=technician_name(caller.session, order), number=number, window=shown))
        tell_technician(caller.uow, order, _("✅ The resident agreed to {window} for {number}.",
                                             window=shown, number=number))
        redraw_private_card(caller.uow, order)  # the card shows the visit agreed now
        caller.toast(_("Thank you, the technician has been told."))
        return
    # She turned the window down: nobody is reminded of it (her pick plans its own).
    appointment.evening_due_at = appointment.hour_due_at = None
    close_for_resident(caller.uow, order, ask_ref(order.id), _(
        "🔁 You asked for another time than {window} for {number}.", window=shown,
        number=number))
    tell_technician(caller.uow, order, _(
        "🔁 The resident asked for another time than {window} for {number}; they are picking "
        "one, and you will hear it here.", window=shown, number=number))
    _offer_to_resident(caller, order, appointment)


def _offer_to_resident(caller: Caller, order: WorkOrder, appointment: Appointment) -> None:
    appointment.state = "choosing"
    caller.session.add(appointment)
    caller.log("visit_other_asked", order)
    assert order.id is not None
    tell_resident(caller, order, _("📅 Which time suits you for {number}?",
                                   number=Raw(order.number)),
                  choices(order.id, offered(caller.uow), office_today(caller.uow)),
                  ref=ask_ref(order.id))
    caller.toast()


def reschedule_command(caller: Caller, board: StaffChat | None) -> None:
    """``/reschedule WO-…``: the desk (in its chat) or the order's resident (privately) gets
    the windows to choose from."""
    number = caller.event.text.strip().upper()
    order = caller.session.exec(select(WorkOrder).where(WorkOrder.number == number)).first() \
        if number else None
    if order is None:
        caller.reply(_("Send /reschedule with the order number, for example /reschedule "
                       "WO-20261123-0001."))
        return
    if board is not None:
        desk_choices(caller, board, order)
    else:
        resident_moves(caller, order)


def resident_moves(caller: Caller, order: WorkOrder) -> None:
    """The resident wants another visit time (``/reschedule`` or the button in /my)."""
    appointment = appointment_of(caller.session, order.id)
    if not owns(caller, order):
        caller.refuse(_("{number} is not one of your requests.", number=Raw(order.number)))
    elif appointment is None or not may_move(appointment, order):
        caller.refuse(_("{number} has no visit to move now.", number=Raw(order.number)))
    else:
        _offer_to_resident(caller, order, appointment)


def movable(orders: Sequence[WorkOrder], session: Session) -> list[tuple[int, str]]:
    """(order id, number) of the orders whose visit may still move."""
    return [(o.id, o.number) for o in orders
            if o.id is not None and may_move(appointment_of(session, o.id), o)]


# -- on the way, at the door, done -------------------------------------------------------
def on_the_way(caller: Caller, order: WorkOrder) -> None:
    """"On my way": no "shortly before" reminder any more; the technician gets the button to
    say they have arrived."""
    appointment = appointment_of(caller.session, order.id)
    if appointment is None or appointment.window_start is None:
        return
    appointment.hour_due_at = None
    caller.session.add(appointment)
    supersede(caller.uow, caller.chat_id, arrive_ref(order.id))
    caller.uow.send(Say(caller.chat_id, _("📍 Tap when you are at the door for {number}, so "
                                          "the office knows the visit happened.",
                                          number=Raw(order.number)),
                        arrived_keyboard(order.id or 0), ref=arrive_ref(order.id)))


def arrived(caller: Caller, order: WorkOrder) -> None:
    """The technician is at the door: the visit happened, nothing more is due for it."""
    appointment = appointment_of(caller.session, order.id)
    if (appointment is None or appointment.arrived_at is not None
            or not is_assignee(caller, order) or order.status not in states.WORKING):
        caller.refuse(OUT_OF_DATE)
        return
    appointment.arrived_at = caller.now
    appointment.evening_due_at = appointment.hour_due_at = appointment.missed_due_at = None
    caller.session.add(appointment)
    caller.log("arrived", order)
    time = Raw(wall_clock(caller.now, caller.uow.office.timezone))
    caller.uow.send(Edit(caller.chat_id, _("📍 You arrived for {number} at {time}.",
                                           number=Raw(order.number), time=time), inline(),
                         message_id=caller.event.message_id, ref=arrive_ref(order.id)))
    close_missed_alert(caller.uow, order, appointment, _(
        "📍 {name} arrived at {time}.", name=technician_name(caller.session, order), time=time))
    caller.toast(_("Thank you."))


def close(uow: UnitOfWork, order: WorkOrder) -> None:
    """The job is done or cancelled: nothing more is due, and no visit button acts any more."""
    appointment = appointment_of(uow.session, order.id)
    if appointment is None or appointment.state == "closed":
        return
    appointment.state = "closed"
    appointment.evening_due_at = appointment.hour_due_at = appointment.missed_due_at = None
    uow.session.add(appointment)
    _close_buttons(uow, order, assignee(uow.session, order))


def _close_buttons(uow: UnitOfWork, order: WorkOrder, technician: Person | None) -> None:
    """No visit button of *order* acts any more: *technician*'s, the resident's, the desk's."""
    if technician is not None and technician.telegram_user_id is not None:
        for ref in (ask_ref(order.id), arrive_ref(order.id)):
            supersede(uow, technician.telegram_user_id, ref)
    if order.reporter_chat_id is not None:
        supersede(uow, order.reporter_chat_id, ask_ref(order.id))
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        for ref in (desk_ref(order.id), missed_ref(order.id)):
            supersede(uow, chat_id, ref)


def drop_window(uow: UnitOfWork, order: WorkOrder, technician: Person | None) -> None:
    """The window agreed for *order* is off: no reminder or missed-visit alert quotes it, and
    no visit button (*technician*'s, the resident's, the desk's) acts any more. Used when the
    job changes hands, and when the resident agrees to a new time the technician wrote."""
    appointment = appointment_of(uow.session, order.id)
    if appointment is None:
        return
    appointment.slot, appointment.window_start, appointment.window_end = "", None, None
    appointment.evening_due_at = appointment.hour_due_at = appointment.missed_due_at = None
    appointment.arrived_at, appointment.updated_at = None, uow.now
    appointment.state = "asking"  # nothing is agreed (nor a typed time: ``agree_typed``)
    uow.session.add(appointment)
    _close_buttons(uow, order, technician)


def agree_typed(uow: UnitOfWork, order: WorkOrder, words: str) -> None:
    """The resident agreed to a time the technician typed: it is the agreed visit now,
    instead of the window agreed before. Words that name a concrete time ("周三下午三点") are
    that window, reminded and watched like one picked by button; other words are kept as
    they are, with no reminder or missed-visit alert (the cards say so)."""
    drop_window(uow, order, assignee(uow.session, order))
    assert order.id is not None
    appointment = appointment_of(uow.session, order.id) or Appointment(
        order_id=order.id, created_at=uow.now)
    appointment.state, appointment.set_by, appointment.updated_at = "agreed", "technician", uow.now
    window = typed_visit_window(uow, order, words)
    if window is not None:
        plan(uow, appointment, window)
    uow.session.add(appointment)
    order.preferred_time = words


def hand_over(caller: Caller, order: WorkOrder, previous: Person | None) -> None:
    """The job went from *previous* to another technician (or back to the same one, for
    rework): the old visit buttons stop acting, the window *previous* agreed is off (no
    reminder or missed-visit alert quotes it), and the technician who holds it now is asked
    when they will come — a new visit, reminded like a first one."""
    drop_window(caller.uow, order, previous)
    redraw_private_card(caller.uow, order)  # the card sent them shows no visit agreed now
    technician = assignee(caller.session, order)
    if technician is not None and technician.telegram_user_id is not None:
        ask_window(caller, order, technician.telegram_user_id)
