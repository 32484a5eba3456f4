"""What the cards show about a stored work order (the data behind `dialogs.cards`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from dialogs.cards import OrderView
from dialogs.service import price_text
from handlers.office.calendar import wall_clock
from handlers.office.catalog import Catalog
from handlers.office.people import unit_label
from locales import Localized, _
from storage.models import Household, Person, WorkOrder


def order_view(session: Session, order: WorkOrder, catalog: Catalog,
               timezone: ZoneInfo) -> OrderView:
    """Everything the cards show about *order*."""
    assert order.id is not None
    household = session.get(Household, order.household_id) if order.household_id else None
    assignee = session.get(Person, order.assignee_id) if order.assignee_id else None
    item = catalog.get(order.service_key) if order.kind == "service" else None
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
        cancel_reason=order.cancel_reason,
    )
