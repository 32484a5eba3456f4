"""The resident's receipt for a new request, and changing its kind of work in one tap.

A triage guess can be wrong (a ceiling leak read as doors/windows/walls). While nobody has
taken the job, the resident changes the kind of work from the receipt or from /my; the card
leaves the old trade's group (edited, without its button) and goes where the new trade is
taken — or to the dispatcher, as any new job would.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from dialogs import cards
from dialogs.events import Edit, Say, inline
from dialogs.menu import main_menu
from dialogs.model import TRADE_NAMES, TRADES
from handlers.office.caller import Caller
from handlers.office.people import is_staff, staff_chat
from handlers.office.permissions import OUT_OF_DATE, may_change_trade
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import routing, states
from handlers.work_orders.notify import view
from locales import Raw, _, lines
from storage.models import Person, WorkOrder


def receipt_ref(order_id: int | None) -> str:
    """The ref of the resident's receipt (its buttons last while nobody took the job)."""
    return f"receipt:{order_id}"


def send_receipt(caller: Caller, order: WorkOrder) -> None:
    """Tell the resident the request is in, and what happens next (who is arranging it)."""
    shown = view(caller, order)
    to_dispatch = routing.why_dispatch(caller.session, caller.uow.office.rules, order) is not None
    minutes = caller.uow.office.rules.dispatch_deadline_minutes
    caller.uow.send(Say(caller.chat_id, cards.receipt(shown, minutes, to_dispatch),
                        cards.receipt_keyboard(shown, main_menu(is_staff(caller.person))),
                        ref=receipt_ref(order.id)))


def close_receipt(uow: UnitOfWork, order: WorkOrder) -> None:
    """The receipt's moment has passed (taken, cancelled): only the menu stays under it."""
    if order.reporter_chat_id is None:
        return
    reporter = uow.session.get(Person, order.reporter_id) if order.reporter_id else None
    uow.send(Edit(order.reporter_chat_id, "", main_menu(is_staff(reporter)),
                  ref=receipt_ref(order.id)))


def show_trades(caller: Caller, order: WorkOrder) -> None:
    """The tapped message shows every kind of work to choose from."""
    if not may_change_trade(caller, order):
        caller.refuse(OUT_OF_DATE)
        return
    caller.toast()
    caller.uow.send(Edit(caller.chat_id, "", cards.trade_choices(view(caller, order)),
                         message_id=caller.event.message_id))


def set_trade(caller: Caller, order: WorkOrder, trade: str) -> None:
    """Change the kind of work of a job nobody has taken; it is posted where that is taken."""
    if trade not in TRADES or not may_change_trade(caller, order):
        caller.refuse(OUT_OF_DATE)
        return
    old = order.trade
    if trade != old:
        # Conditional, like every move: a technician's Accept a moment earlier wins.
        changed = caller.session.execute(
            update(WorkOrder).where(col(WorkOrder.id) == order.id,
                                    col(WorkOrder.status) == states.Status.OPEN)
            .values(trade=trade))
        caller.session.refresh(order)
        if getattr(changed, "rowcount", 0) != 1:
            caller.refuse(OUT_OF_DATE)
            return
        caller.log("trade_changed", order, old=old, new=trade)
        _leave_old_trade(caller, order, old)
    shown = view(caller, order)
    to_dispatch = routing.why_dispatch(caller.session, caller.uow.office.rules, order) is not None
    text = lines(_("🔀 {number} is now: {trade}.", number=Raw(order.number),
                   trade=TRADE_NAMES[trade]) if trade != old else None,
                 cards.receipt(shown, caller.uow.office.rules.dispatch_deadline_minutes,
                               to_dispatch))
    caller.uow.send(Edit(caller.chat_id, text, cards.receipt_keyboard(
        shown, main_menu(is_staff(caller.person))), message_id=caller.event.message_id))
    caller.toast(_("Changed.") if trade != old else "")


def _leave_old_trade(caller: Caller, order: WorkOrder, old: str) -> None:
    """The old trade's card says where the job went; it is posted where the new trade is
    taken (a new assign-to message replaces the dispatcher's old one, or that one closes)."""
    moved = lines(cards.group_card(view(caller, order)),
                  _("↪ Moved to {trade} by the resident.", trade=TRADE_NAMES[order.trade]))
    board = staff_chat(caller.session, "trade", old)
    if board is not None:
        caller.uow.send(Edit(board.chat_id, moved, inline(), ref=routing.card_ref(order.id)))
    if routing.route(caller.uow, order) is None:
        routing.close_dispatch(caller.uow, order, moved)
