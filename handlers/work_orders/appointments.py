"""Appointments: the visit window a technician confirms on taking a job, and what follows.

The technician picks a window (the resident's own convenient time first, when it is one of
the windows still open) from the office's windows (``OfficeRules.appointments``) on the next
open days of the office calendar; the resident accepts it or picks another. The resident is
reminded the evening before and shortly before; "On my way" offers an "I have arrived" button;
a window that passes with nobody arrived alerts dispatch, who may move it (``/reschedule``).

Reminders are due times on the ``appointment`` row (``storage/appointments.py``), drained by
the scheduler's pass like every other per-order timer: moving the window moves them.
Keyboards stay true: the technician's choices (``appt:``), the resident's window (``appt:``),
the desk's choices (``appt_desk:``), the missed-visit alert (``missed:``) and the arrival
button (``arrive:``) lose their buttons when their moment passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.appointment import (
    Window,
    answer_keyboard,
    arrived_keyboard,
    choices,
    missed_keyboard,
    window_text,
)
from dialogs.events import Edit, Priority, Say, inline
from dialogs.times import time_text
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.due_items import chats, finder
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE, at_the_desk, is_assignee, owns
from handlers.office.rules import SLOTS
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import states
from handlers.work_orders.card_views import order_view
from handlers.work_orders.notify import close_for_resident, supersede, tell_resident
from locales import Raw, Text, _, lines
from storage.appointments import Appointment
from storage.models import Person, StaffChat, WorkOrder

# A window may be moved, reminded and missed only while the technician still has to come.
BEFORE_ARRIVAL = states.MAY_SET_OFF | {states.Status.ON_WAY}
# The resident's quick choices of a convenient time, as (days after the report, window).
QUICK_WINDOWS = {"@today_pm": (0, "afternoon"), "@tomorrow_am": (1, "morning"),
                 "@tomorrow_pm": (1, "afternoon")}


def ask_ref(order_id: int | None) -> str:
    return f"appt:{order_id}"


def desk_ref(order_id: int | None) -> str:
    return f"appt_desk:{order_id}"


def arrive_ref(order_id: int | None) -> str:
    return f"arrive:{order_id}"


def missed_ref(order_id: int | None) -> str:
    return f"missed:{order_id}"


# -- the windows -------------------------------------------------------------------------
def offered(uow: UnitOfWork) -> list[Window]:
    """The windows still open (``minutes_left_to_offer`` or more of them left) on the next
    open days of the office calendar, soonest first."""
    rules, hours = uow.office.rules.appointments, uow.office.hours
    today = _today(uow)
    found: list[Window] = []
    days = 0
    for ahead in range(31):  # an office is never closed for a month
        day = today + timedelta(days=ahead)
        if days == rules.days_offered:
            break
        if not hours.is_open_day(day):
            continue
        windows = [Window(day, slot, *rules.window(slot)) for slot in SLOTS]
        # A window about to close is no promise: keep those with time enough left to come.
        last_call = uow.now + timedelta(minutes=rules.minutes_left_to_offer)
        windows = [w for w in windows if _bounds(uow, w)[1] > last_call]
        days += bool(windows)
        found += windows
    return found


def _today(uow: UnitOfWork) -> date:
    return uow.now.astimezone(uow.office.timezone).date()


def _bounds(uow: UnitOfWork, window: Window) -> tuple[datetime, datetime]:
    tz = uow.office.timezone
    return (datetime.combine(window.day, window.opens, tzinfo=tz).astimezone(UTC),
            datetime.combine(window.day, window.closes, tzinfo=tz).astimezone(UTC))


def _stored(uow: UnitOfWork, appointment: Appointment) -> Window:
    """The appointment's window as the cards show it."""
    assert appointment.window_start is not None
    start = appointment.window_start.astimezone(uow.office.timezone)
    opens, closes = uow.office.rules.appointments.window(appointment.slot)
    return Window(start.date(), appointment.slot, opens, closes)


def _shown(uow: UnitOfWork, appointment: Appointment) -> Text:
    return window_text(_stored(uow, appointment), _today(uow))


def preferred_window(uow: UnitOfWork, order: WorkOrder, windows: list[Window]) -> Window | None:
    """The resident's convenient time as a window, if it is one of *windows*."""
    if order.preferred_time == "@asap":
        return windows[0] if windows else None
    quick = QUICK_WINDOWS.get(order.preferred_time)
    if quick is None or order.created_at is None:
        return None
    day = order.created_at.astimezone(uow.office.timezone).date() + timedelta(days=quick[0])
    return next((w for w in windows if (w.day, w.slot) == (day, quick[1])), None)


def appointment_of(session: Session, order_id: int | None) -> Appointment | None:
    return session.exec(select(Appointment).where(Appointment.order_id == order_id)).first()


def _plan(uow: UnitOfWork, appointment: Appointment, window: Window) -> None:
    """Set the window and the due times of its reminders and of its missed-visit alert."""
    rules, tz = uow.office.rules.appointments, uow.office.timezone
    start, end = _bounds(uow, window)
    appointment.slot, appointment.window_start, appointment.window_end = window.slot, start, end
    evening = datetime.combine(window.day - timedelta(days=1), rules.evening_reminder,
                               tzinfo=tz).astimezone(UTC)
    last = start - timedelta(minutes=rules.reminder_minutes_before)
    appointment.evening_due_at = evening if uow.now < evening < last else None
    appointment.hour_due_at = last if uow.now < last else None
    appointment.missed_due_at = end + timedelta(minutes=rules.missed_grace_minutes)
    appointment.updated_at = uow.now
    uow.session.add(appointment)


def _valid(caller: Caller, day_key: int, slot: int) -> Window | None:
    """The tapped window (a day as yyyymmdd, a slot's index) if it is still offered; else the
    tapper hears."""
    window = next((w for w in offered(caller.uow) if (w.key, w.slot_index) == (day_key, slot)),
                  None)
    if window is None:
        caller.refuse(_("That window is no longer open; please pick another."))
    return window


def _assignee(session: Session, order: WorkOrder) -> Person | None:
    return session.get(Person, order.assignee_id) if order.assignee_id else None


def _tell_technician(uow: UnitOfWork, order: WorkOrder, text: Text) -> None:
    technician = _assignee(uow.session, order)
    if technician is not None and technician.telegram_user_id is not None:
        uow.send(Say(technician.telegram_user_id, text, priority=Priority.INTERACTIVE))


def _name(session: Session, order: WorkOrder) -> Raw:
    technician = _assignee(session, order)
    return Raw(technician.name if technician else "-")


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
    text = lines(
        _("📅 {number}: when will you visit? Pick a window; the resident is asked to confirm "
          "it.", number=Raw(order.number)),
        _("The resident's convenient time: {time}", time=time_text(order.preferred_time))
        if order.preferred_time and first_visit and preferred is None else None)
    supersede(uow, chat_id, ask_ref(order.id))
    uow.send(Say(chat_id, text, choices(order.id, windows, _today(uow), preferred=preferred),
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
    window = _valid(caller, day_key, slot)
    if window is None:
        return
    moved = appointment.window_start is not None
    _plan(caller.uow, appointment, window)
    shown = window_text(window, _today(caller.uow))
    number, name = Raw(order.number), _name(caller.session, order)
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
    _tell_technician(caller.uow, order, _("📅 The resident moved {number} to {window}.",
                                          number=number, window=shown))
    caller.toast(_("Thank you, the technician has been told."))


# -- the resident answers ----------------------------------------------------------------
def answer(caller: Caller, order: WorkOrder, choice: str) -> None:
    """The resident accepts the proposed window, or asks for another."""
    appointment = appointment_of(caller.session, order.id)
    if (appointment is None or appointment.state != "proposed" or choice not in ("yes", "other")
            or not owns(caller, order) or order.status not in BEFORE_ARRIVAL):
        caller.refuse(OUT_OF_DATE)
        return
    shown, number = _shown(caller.uow, appointment), Raw(order.number)
    if choice == "yes":
        appointment.state = "agreed"
        caller.session.add(appointment)
        caller.log("visit_agreed", order)
        close_for_resident(caller.uow, order, ask_ref(order.id), _(
            "✅ You agreed: {name} comes for {number} {window}.",
            name=_name(caller.session, order), number=number, window=shown))
        _tell_technician(caller.uow, order, _("✅ The resident agreed to {window} for {number}.",
                                              window=shown, number=number))
        caller.toast(_("Thank you, the technician has been told."))
        return
    close_for_resident(caller.uow, order, ask_ref(order.id), _(
        "🔁 You asked for another time than {window} for {number}.", window=shown,
        number=number))
    _tell_technician(caller.uow, order, _(
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
                  choices(order.id, offered(caller.uow), _today(caller.uow)),
                  ref=ask_ref(order.id))
    caller.toast()


def _movable(appointment: Appointment | None, order: WorkOrder) -> bool:
    return (appointment is not None and appointment.window_start is not None
            and appointment.arrived_at is None and order.status in BEFORE_ARRIVAL)


# -- reschedule: the resident or the desk --------------------------------------------------
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
    elif appointment is None or not _movable(appointment, order):
        caller.refuse(_("{number} has no visit to move now.", number=Raw(order.number)))
    else:
        _offer_to_resident(caller, order, appointment)


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
    if not _movable(appointment, order):
        caller.refuse(_("{number} has no visit to move now.", number=Raw(order.number)))
        return
    assert appointment is not None and order.id is not None
    caller.toast()
    supersede(caller.uow, board.chat_id, desk_ref(order.id))
    caller.uow.send(Say(board.chat_id, _(
        "📅 {number} ({name}) is now {window}. Pick the new window.", number=Raw(order.number),
        name=_name(caller.session, order), window=_shown(caller.uow, appointment)),
        choices(order.id, offered(caller.uow), _today(caller.uow), desk=True),
        ref=desk_ref(order.id), priority=Priority.INTERACTIVE))


def desk_choose(caller: Caller, board: StaffChat, order_id: int, day_key: int,
                slot: int) -> None:
    """The desk moved the window: the technician and the resident are told, the reminders
    move, the resident may accept or ask for another."""
    order = _desk_order(caller, board, order_id)
    if order is None:
        return
    appointment = appointment_of(caller.session, order.id)
    if not _movable(appointment, order):
        caller.refuse(OUT_OF_DATE)
        return
    assert appointment is not None and caller.person is not None
    window = _valid(caller, day_key, slot)
    if window is None:
        return
    _plan(caller.uow, appointment, window)
    appointment.state, appointment.set_by = "proposed", "dispatcher"
    appointment.moves += 1
    shown, number, name = window_text(window, _today(caller.uow)), Raw(order.number), _name(
        caller.session, order)
    caller.log("visit_moved", order, by="dispatcher",
               window=wall_clock(appointment.window_start, caller.uow.office.timezone))
    outcome = _("📅 {number} moved to {window} by {dispatcher}.", number=number, window=shown,
                dispatcher=Raw(caller.person.name))
    caller.uow.send(Edit(board.chat_id, outcome, inline(), message_id=caller.event.message_id,
                         ref=desk_ref(order.id)))
    _close_missed(caller.uow, order, appointment, outcome)
    _tell_technician(caller.uow, order, _("📅 The dispatcher moved {number} to {window}.",
                                          number=number, window=shown))
    tell_resident(caller, order, _("📅 {number} was moved to {window}; {name} will come then. "
                                   "Does it suit you?", number=number, window=shown, name=name),
                  answer_keyboard(order_id), ref=ask_ref(order.id))
    caller.toast(_("Moved; the technician and the resident have been told."))


def movable(orders: Sequence[WorkOrder], session: Session) -> list[tuple[int, str]]:
    """(order id, number) of the orders whose visit may still move."""
    return [(o.id, o.number) for o in orders
            if o.id is not None and _movable(appointment_of(session, o.id), o)]


# -- on the way, at the door, done ---------------------------------------------------------
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
    _close_missed(caller.uow, order, appointment, _("📍 {name} arrived at {time}.",
                                                    name=_name(caller.session, order), time=time))
    caller.toast(_("Thank you."))


def close(uow: UnitOfWork, order: WorkOrder) -> None:
    """The job is done or cancelled: nothing more is due, and no visit button acts any more."""
    appointment = appointment_of(uow.session, order.id)
    if appointment is None or appointment.state == "closed":
        return
    appointment.state = "closed"
    appointment.evening_due_at = appointment.hour_due_at = appointment.missed_due_at = None
    uow.session.add(appointment)
    _close_buttons(uow, order, _assignee(uow.session, order))


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


def hand_over(caller: Caller, order: WorkOrder, previous: Person | None) -> None:
    """The job went from *previous* to another technician (or back to the same one, for
    rework): the old visit buttons stop acting, the window *previous* agreed is off (no
    reminder or missed-visit alert quotes it), and the technician who holds it now is asked
    when they will come — a new visit, reminded like a first one."""
    appointment = appointment_of(caller.session, order.id)
    if appointment is not None:
        appointment.slot, appointment.window_start, appointment.window_end = "", None, None
        appointment.evening_due_at = appointment.hour_due_at = appointment.missed_due_at = None
        appointment.arrived_at, appointment.updated_at = None, caller.now
        caller.session.add(appointment)
        _close_buttons(caller.uow, order, previous)
    technician = _assignee(caller.session, order)
    if technician is not None and technician.telegram_user_id is not None:
        ask_window(caller, order, technician.telegram_user_id)


# -- the missed visit ---------------------------------------------------------------------
def _missed_text(uow: UnitOfWork, order: WorkOrder, appointment: Appointment) -> Text:
    shown = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    return lines(
        _("⏰ Missed visit: {number} ({where}) was due {window}; {name} has not said they "
          "arrived.", number=Raw(order.number), where=cards.where_text(shown),
          window=_shown(uow, appointment), name=_name(uow.session, order)),
        _("Resident: {name}, tel. {phone}", name=Raw(order.contact_name or "-"),
          phone=Raw(order.contact_phone or "-")))


def _close_missed(uow: UnitOfWork, order: WorkOrder, appointment: Appointment,
                  outcome: Text) -> None:
    """The missed-visit alert, if there was one, shows *outcome* and loses its buttons."""
    if appointment.window_start is None:
        return
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        uow.send(Edit(chat_id, lines(_missed_text(uow, order, appointment), outcome), inline(),
                      ref=missed_ref(order.id)))


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
    _close_missed(caller.uow, order, appointment, _("☎ {name} is following it up.",
                                                    name=Raw(caller.person.name)))
    caller.toast()


# -- the clock ------------------------------------------------------------------------------
find_evening = finder(Appointment, Appointment.evening_due_at)
find_last = finder(Appointment, Appointment.hour_due_at)
find_missed = finder(Appointment, Appointment.missed_due_at)


def _due(uow: UnitOfWork, appointment_id: int,
         column: str) -> tuple[Appointment, WorkOrder] | None:
    """The appointment and its order if the reminder in *column* still applies; the reminder
    is spent either way."""
    appointment = uow.session.get(Appointment, appointment_id)
    if appointment is None:
        return None
    setattr(appointment, column, None)
    uow.session.add(appointment)
    order = uow.session.get(WorkOrder, appointment.order_id)
    if (order is None or order.status not in BEFORE_ARRIVAL or appointment.state == "closed"
            or appointment.window_start is None or appointment.arrived_at is not None):
        return None
    return appointment, order


def _remind(uow: UnitOfWork, appointment_id: int, column: str) -> str:
    found = _due(uow, appointment_id, column)
    if found is None:
        return "skipped"
    appointment, order = found
    assert appointment.window_start is not None
    if uow.now >= appointment.window_start:  # late (the bot was down): no use any more
        return "skipped"
    shown, number = _shown(uow, appointment), Raw(order.number)
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "⏰ Reminder: {name} will come for {number} {window}. To change the time, send "
            "/reschedule {number}.", name=_name(uow.session, order), number=number,
            window=shown)))
    view = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    _tell_technician(uow, order, _("⏰ Reminder: {number}, {where}, {window}. Resident: {name}, "
                                   "tel. {phone}.", number=number, where=cards.where_text(view),
                                   window=shown, name=Raw(order.contact_name or "-"),
                                   phone=Raw(order.contact_phone or "-")))
    uow.log("visit_reminder", order=order, reminder=column)
    return "sent"


def remind_evening(uow: UnitOfWork, appointment_id: int) -> str:
    """The evening before the visit: the resident and the technician are reminded."""
    return _remind(uow, appointment_id, "evening_due_at")


def remind_last(uow: UnitOfWork, appointment_id: int) -> str:
    """Shortly before the window opens: the resident and the technician are reminded."""
    return _remind(uow, appointment_id, "hour_due_at")


def alert_missed(uow: UnitOfWork, appointment_id: int) -> str:
    """The window and its grace passed, nobody arrived, the job is not done: dispatch hears,
    once per window, with buttons to move it or take it in hand."""
    found = _due(uow, appointment_id, "missed_due_at")
    if found is None:
        return "not_due"
    appointment, order = found
    for chat_id in chats(uow, *DESK_CHATS):
        supersede(uow, chat_id, missed_ref(order.id))
        uow.send(Say(chat_id, _missed_text(uow, order, appointment),
                     missed_keyboard(order.id or 0), ref=missed_ref(order.id),
                     priority=Priority.INTERACTIVE))
    uow.log("visit_missed", order=order)
    return "alerted"


def upcoming(session: Session, limit: int) -> tuple[list[tuple[str, str, datetime]],
                                                    dict[str, int]]:
    """The next reminders and missed-visit checks, for the agenda: (kind, number, due)."""
    items: list[tuple[str, str, datetime]] = []
    counts: dict[str, int] = {}
    for kind, column in (("visit_evening", Appointment.evening_due_at),
                         ("visit_last", Appointment.hour_due_at),
                         ("visit_missed", Appointment.missed_due_at)):
        due = col(column).is_not(None)
        counts[kind] = int(session.exec(select(func.count()).select_from(Appointment)
                                        .where(due)).one())
        rows = session.exec(select(WorkOrder.number, column)
                            .join(WorkOrder, col(WorkOrder.id) == col(Appointment.order_id))
                            .where(due).order_by(col(column)).limit(limit)).all()
        items += [(kind, number, moment) for number, moment in rows if moment is not None]
    return items, counts
