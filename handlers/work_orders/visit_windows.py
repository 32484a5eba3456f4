"""Visit windows: those the office offers, the one an appointment holds, the references of the
visit's buttons, and the technician each step of a visit tells or names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from dialogs.appointment import OWN_TIME, Window, window_text
from dialogs.events import Priority, Say
from dialogs.visit_times import typed_window
from handlers.office.caller import Caller
from handlers.office.rules import SLOTS
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import states
from locales import Raw, Text, _
from storage.appointments import Appointment
from storage.models import EventLog, Person, WorkOrder

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
    today = office_today(uow)
    found: list[Window] = []
    days = 0
    for ahead in range(31):  # an office is never closed for a month
        day = today + timedelta(days=ahead)
        if days == rules.days_offered:
            break
        if not hours.is_open_day(day):
            continue
        windows = [Window(day, slot, *rules.window(slot)) for slot in SLOTS]
        windows = [w for w in windows if _still_open(uow, w)]
        days += bool(windows)
        found += windows
    return found


def _still_open(uow: UnitOfWork, window: Window) -> bool:
    """A window about to close is no promise: it has time enough left to come."""
    last_call = uow.now + timedelta(minutes=uow.office.rules.appointments.minutes_left_to_offer)
    return _bounds(uow, window)[1] > last_call


def office_today(uow: UnitOfWork) -> date:
    return uow.now.astimezone(uow.office.timezone).date()


def _bounds(uow: UnitOfWork, window: Window) -> tuple[datetime, datetime]:
    tz = uow.office.timezone
    return (datetime.combine(window.day, window.opens, tzinfo=tz).astimezone(UTC),
            datetime.combine(window.day, window.closes, tzinfo=tz).astimezone(UTC))


def _stored(uow: UnitOfWork, appointment: Appointment) -> Window:
    """The appointment's window as the cards show it (a typed one may be shorter than its
    slot: "15:00–16:00")."""
    assert appointment.window_start is not None and appointment.window_end is not None
    start = appointment.window_start.astimezone(uow.office.timezone)
    end = appointment.window_end.astimezone(uow.office.timezone)
    return Window(start.date(), appointment.slot, start.time(), end.time())


def typed_visit_window(uow: UnitOfWork, order: WorkOrder, words: str) -> Window | None:
    """The window a time the technician typed for *order* names, read from the moment they
    typed it ("明天" is the day after that); ``None`` for words that name no concrete time,
    or a time already past."""
    typed = uow.session.exec(select(EventLog.at).where(
        EventLog.order_id == order.id, EventLog.action == "time_proposed")
        .order_by(col(EventLog.id).desc())).first() or uow.now
    window = _read(uow, words, typed)
    if window is None or _bounds(uow, window)[1] <= uow.now:
        return None
    return window


def _read(uow: UnitOfWork, words: str, at: datetime) -> Window | None:
    """The window *words* written at *at* name (the office's half-days, its length of a point
    time), even if it has passed since."""
    rules = uow.office.rules.appointments
    return typed_window(words, at.astimezone(uow.office.timezone),
                        {slot: rules.window(slot) for slot in SLOTS},
                        timedelta(minutes=rules.typed_time_minutes))


def visit_window_text(uow: UnitOfWork, appointment: Appointment) -> Text:
    return window_text(_stored(uow, appointment), office_today(uow))


def meant_window(uow: UnitOfWork, order: WorkOrder) -> Window | None:
    """The window the resident's convenient time meant, a quick choice or a time she typed
    or wrote in the report ("明天下午", "周三下午三点"): its "today" and "tomorrow" count
    from the moment of the report, not from the day the job is read."""
    if order.created_at is None:
        return None
    quick = QUICK_WINDOWS.get(order.preferred_time)
    if quick is None:
        if order.preferred_time.startswith("@"):
            return None  # "@asap" names no window
        return _read(uow, order.preferred_time, order.created_at)
    day = order.created_at.astimezone(uow.office.timezone).date() + timedelta(days=quick[0])
    return Window(day, quick[1], *uow.office.rules.appointments.window(quick[1]))


def preferred_window(uow: UnitOfWork, order: WorkOrder, windows: list[Window]) -> Window | None:
    """The resident's convenient time as a window: a quick choice if it is one of *windows*,
    a time she typed if it is still open on an open day of the office."""
    if order.preferred_time == "@asap":
        return windows[0] if windows else None
    meant = meant_window(uow, order)
    if meant is None:
        return None
    if order.preferred_time not in QUICK_WINDOWS:
        return meant if _still_open(uow, meant) and uow.office.hours.is_open_day(
            meant.day) else None
    return next((w for w in windows if (w.day, w.slot) == (meant.day, meant.slot)), None)


def appointment_of(session: Session, order_id: int | None) -> Appointment | None:
    return session.exec(select(Appointment).where(Appointment.order_id == order_id)).first()


def plan(uow: UnitOfWork, appointment: Appointment, window: Window) -> None:
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


def tapped_window(caller: Caller, day_key: int, slot: int,
                  order: WorkOrder | None = None) -> Window | None:
    """The tapped window (a day as yyyymmdd, a slot's index) if it is still offered — or,
    with *order*, the time its resident typed that day (``OWN_TIME``) while it still is;
    else the tapper hears."""
    windows = offered(caller.uow)
    if slot == OWN_TIME:
        own = preferred_window(caller.uow, order, windows) if order is not None else None
        window = own if own is not None and own.key == day_key else None
    else:
        window = next((w for w in windows if (w.key, w.slot_index) == (day_key, slot)), None)
    if window is None:
        caller.refuse(_("That window is no longer open; please pick another."))
    return window


def may_move(appointment: Appointment | None, order: WorkOrder) -> bool:
    return (appointment is not None and appointment.window_start is not None
            and appointment.arrived_at is None and order.status in BEFORE_ARRIVAL)


# -- the technician ----------------------------------------------------------------------
def assignee(session: Session, order: WorkOrder) -> Person | None:
    return session.get(Person, order.assignee_id) if order.assignee_id else None


def tell_technician(uow: UnitOfWork, order: WorkOrder, text: Text) -> None:
    technician = assignee(uow.session, order)
    if technician is not None and technician.telegram_user_id is not None:
        uow.send(Say(technician.telegram_user_id, text, priority=Priority.INTERACTIVE))


def technician_name(session: Session, order: WorkOrder) -> Raw:
    technician = assignee(session, order)
    return Raw(technician.name if technician else "-")
