"""A visit's clock: the reminders (the evening before, shortly before the window) and the
missed-visit alert to the desk, drained by the scheduler like every other per-order timer;
and what the agenda shows of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.appointment import missed_keyboard
from dialogs.events import Edit, Priority, Say, inline
from handlers.office.due_items import chats, finder
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders.card_views import order_view
from handlers.work_orders.notify import supersede
from handlers.work_orders.visit_windows import (
    BEFORE_ARRIVAL,
    missed_ref,
    technician_name,
    tell_technician,
    visit_window_text,
)
from locales import Raw, Text, _, lines
from storage.appointments import Appointment
from storage.models import WorkOrder


def _missed_text(uow: UnitOfWork, order: WorkOrder, appointment: Appointment) -> Text:
    shown = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    return lines(
        _("⏰ Missed visit: {number} ({where}) was due {window}; {name} has not said they "
          "arrived.", number=Raw(order.number), where=cards.where_text(shown),
          window=visit_window_text(uow, appointment),
          name=technician_name(uow.session, order)),
        _("Resident: {name}, tel. {phone}", name=Raw(order.contact_name or "-"),
          phone=Raw(order.contact_phone or "-")))


def close_missed_alert(uow: UnitOfWork, order: WorkOrder, appointment: Appointment,
                       outcome: Text) -> None:
    """The missed-visit alert, if there was one, shows *outcome* and loses its buttons."""
    if appointment.window_start is None:
        return
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        uow.send(Edit(chat_id, lines(_missed_text(uow, order, appointment), outcome), inline(),
                      ref=missed_ref(order.id)))


# -- the clock ---------------------------------------------------------------------------
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
    shown, number = visit_window_text(uow, appointment), Raw(order.number)
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "⏰ Reminder: {name} will come for {number} {window}. To change the time, send "
            "/reschedule {number}.", name=technician_name(uow.session, order), number=number,
            window=shown)))
    view = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    tell_technician(uow, order, _("⏰ Reminder: {number}, {where}, {window}. Resident: {name}, "
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
