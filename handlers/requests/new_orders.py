"""Opening a work order: its number, the resident's unit, the job card to the trade's group."""

from __future__ import annotations

from sqlmodel import col, func, select

from handlers.office.caller import Caller
from handlers.work_orders import routing
from storage.models import Household, WorkOrder


def next_order_number(caller: Caller) -> str:
    """'WO-20261122-0007': the office's date and a daily sequence."""
    day = caller.now.astimezone(caller.uow.office.timezone).strftime("%Y%m%d")
    prefix = f"WO-{day}-"
    last = caller.session.exec(select(func.max(WorkOrder.number))
                          .where(col(WorkOrder.number).startswith(prefix))).one()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def household_of(caller: Caller, household_id: int | None) -> Household | None:
    """The unit, only if this person is bound to it (never trust an id from a dialog blindly)."""
    units = {u.household_id for u in caller.context().units}
    return caller.session.get(Household, household_id) if household_id in units else None


def open_order(caller: Caller, order: WorkOrder) -> WorkOrder:
    """Store a new work order, post its card to the trade's group and tell the front desk
    (with assign-to buttons when nobody in the group can take it: ``work_orders/routing``)."""
    order.number = next_order_number(caller)
    order.created_at = caller.now
    order.reporter_id = caller.person.id if caller.person else None
    order.reporter_chat_id = caller.chat_id
    if not order.contact_name:
        person = caller.person
        order.contact_name = person.name if person and person.name else caller.event.user_name
    caller.session.add(order)
    caller.session.flush()
    caller.log("created", order, kind=order.kind, trade=order.trade, emergency=order.emergency)
    routing.route(caller.uow, order)
    return order
