"""Opening a work order: its number, the resident's unit, the job card to the trade's group."""

from __future__ import annotations

from sqlmodel import col, func, select

from dialogs import cards
from dialogs.events import Priority, Say
from handlers.office.caller import Caller
from handlers.office.people import alert_chats, staff_chat
from handlers.work_orders.card_views import order_view
from locales import _, lines
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
    """Store a new work order, post its card to the trade's group and tell the front desk."""
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
    view = order_view(caller.session, order, caller.uow.office.catalog, caller.uow.office.timezone)
    board = staff_chat(caller.session, "trade", order.trade)
    if board is not None:
        caller.uow.send(Say(board.chat_id, cards.group_card(view), cards.group_card_keyboard(view),
                       ref=f"card:{order.id}", priority=Priority.NOTICE))
    for chat_id in alert_chats(caller.session, "dispatch"):
        notice = lines(_("New request:"), cards.group_card(view), _(
            "No job board is bound for this trade: please assign it.") if board is None
            else None)
        caller.uow.send(Say(chat_id, notice, priority=Priority.NOTICE))
    return order
