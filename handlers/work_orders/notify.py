"""Telling the people on a work order: the resident, the assignee, the managers; the cards.

Keyboards stay true: a message with buttons carries a ref (``pcard:``, ``quote:``, ``time:``,
``done:`` and the order's id); when its moment passes it is edited — the outcome shown, the
buttons gone — and a newer message of the same kind supersedes the older (its buttons go).
"""

from __future__ import annotations

from dialogs import cards
from dialogs.events import Edit, InlineKeyboard, Priority, Say, inline
from handlers.office.caller import Caller
from handlers.office.people import alert_chats
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders.card_views import order_view
from locales import Text
from storage.models import Person, WorkOrder


def view(caller: Caller, order: WorkOrder) -> cards.OrderView:
    """What the cards show about *order* now."""
    return order_view(caller.session, order, caller.uow.office.catalog,
                      caller.uow.office.timezone)


def tell_resident(caller: Caller, order: WorkOrder, text: Text,
                  keyboard: InlineKeyboard | None = None, ref: str = "") -> None:
    """Write to the resident who reported the order, in their chat; a message under *ref*
    supersedes the last one under it (that one loses its buttons)."""
    if order.reporter_chat_id is not None:
        if ref:
            supersede(caller.uow, order.reporter_chat_id, ref)
        caller.uow.send(Say(order.reporter_chat_id, text, keyboard, ref=ref,
                            priority=Priority.INTERACTIVE))


def close_for_resident(uow: UnitOfWork, order: WorkOrder, ref: str, text: Text) -> None:
    """The resident's message under *ref* shows *text* now, without buttons."""
    if order.reporter_chat_id is not None:
        uow.send(Edit(order.reporter_chat_id, text, inline(), ref=ref))


def supersede(uow: UnitOfWork, chat_id: int, ref: str) -> None:
    """The last message under *ref* keeps its text and loses its buttons (a newer one follows,
    or its moment has passed)."""
    uow.send(Edit(chat_id, "", inline(), ref=ref))


def pcard_ref(order_id: int | None) -> str:
    return f"pcard:{order_id}"


def quote_ref(order_id: int | None) -> str:
    return f"quote:{order_id}"


def time_ref(order_id: int | None) -> str:
    return f"time:{order_id}"


def done_ref(order_id: int | None) -> str:
    return f"done:{order_id}"


def tell_assignee(caller: Caller, order: WorkOrder, text: Text) -> None:
    """Write to the technician who holds the job, with the job's card under it."""
    assignee = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    if assignee and assignee.telegram_user_id:
        caller.uow.send(Say(assignee.telegram_user_id, text))
        send_private_card(caller, order, assignee.telegram_user_id)


def send_private_card(caller: Caller, order: WorkOrder, chat_id: int) -> None:
    """The technician's card for the job, with the next steps as buttons; the older card in
    that chat loses its buttons (only the newest one acts)."""
    shown = view(caller, order)
    supersede(caller.uow, chat_id, pcard_ref(order.id))
    caller.uow.send(Say(chat_id, cards.private_card(shown), cards.private_card_keyboard(shown),
                        ref=pcard_ref(order.id)))


def refresh_private_card(caller: Caller, order: WorkOrder) -> None:
    """Edit the tapped private card in place instead of sending a new one."""
    shown = view(caller, order)
    caller.uow.send(Edit(caller.chat_id, cards.private_card(shown),
                         cards.private_card_keyboard(shown),
                         message_id=caller.event.message_id, ref=pcard_ref(order.id)))


def redraw_private_card(uow: UnitOfWork, order: WorkOrder) -> None:
    """The assignee's newest card shows the order as it is now (no buttons once it is done)."""
    assignee = uow.session.get(Person, order.assignee_id) if order.assignee_id else None
    if assignee is None or assignee.telegram_user_id is None:
        return
    shown = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    uow.send(Edit(assignee.telegram_user_id, cards.private_card(shown),
                  cards.private_card_keyboard(shown), ref=pcard_ref(order.id)))


def alert_managers(caller: Caller, text: Text) -> None:
    """Alert the managers' and dispatch chats."""
    for chat_id in alert_chats(caller.session, "managers", "dispatch"):
        caller.uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
