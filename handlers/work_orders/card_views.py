"""What the cards show about a stored work order (the data behind `dialogs.cards`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from dialogs.cards import OrderView
from dialogs.service import price_text
from handlers.office.calendar import wall_clock
from handlers.office.catalog import Catalog
from handlers.office.people import households_of, unit_label
from handlers.work_orders.visit_windows import appointment_of
from locales import Localized, _
from storage.models import Household, Person, WorkOrder


def agreed_visit(session: Session, order: WorkOrder, timezone: ZoneInfo) -> tuple[str, bool]:
    """The visit agreed with the resident, '2026-11-24 09:00–12:00' — or the words of a time
    the technician typed and the resident agreed to (True then: no window, so nothing is
    reminded); empty while none is (being asked, proposed, or the resident is choosing
    another)."""
    appointment = appointment_of(session, order.id)
    if appointment is None or appointment.state != "agreed":
        return "", False
    if appointment.window_start is None or appointment.window_end is None:
        return order.preferred_time, True  # appointments.agree_typed
    closes = appointment.window_end.astimezone(timezone)
    return f"{wall_clock(appointment.window_start, timezone)}–{closes:%H:%M}", False


def _homes(session: Session, order: WorkOrder) -> tuple[str, ...]:
    """The reporter's homes, when they have several (and the order names none of them)."""
    reporter = session.get(Person, order.reporter_id) if order.reporter_id else None
    homes = tuple(unit_label(h) for h in households_of(session, reporter))
    return homes if len(homes) > 1 else ()


def order_view(session: Session, order: WorkOrder, catalog: Catalog,
               timezone: ZoneInfo) -> OrderView:
    """Everything the cards show about *order*."""
    assert order.id is not None
    household = session.get(Household, order.household_id) if order.household_id else None
    assignee = session.get(Person, order.assignee_id) if order.assignee_id else None
    item = catalog.get(order.service_key) if order.kind == "service" else None
    visit, typed = agreed_visit(session, order, timezone)
    return OrderView(
        id=order.id, number=order.number, kind=order.kind, status=order.status,
        trade=order.trade, location=order.location,
        unit=unit_label(household) if household else "", place=order.place,
        description=order.description, preferred_time=order.preferred_time,
        created=wall_clock(order.created_at, timezone), emergency=order.emergency,
        hazard=order.hazard, photos=tuple(order.photos), contact_name=order.contact_name,
        contact_phone=order.contact_phone, assignee_name=assignee.name if assignee else "",
        accepted=wall_clock(order.accepted_at, timezone),
        service_name=Localized(item.names) if item else "",
        price_line=_("Price list: {price}", price=price_text(item)) if item else "",
        price=order.price, price_confirmed=order.price_confirmed_at is not None,
        proposed_time=order.proposed_time, checklist=item.checklist if item else (),
        cancel_reason=order.cancel_reason, visit=visit,
        visit_typed=typed,
        homes=_homes(session, order) if order.location == "unit" and household is None else (),
    )
