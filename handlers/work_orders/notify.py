"""Telling the people on a work order: the resident, the assignee, the managers; the cards."""

from __future__ import annotations

from dialogs import cards
from dialogs.events import Edit, InlineKeyboard, Priority, Say
from handlers.office.caller import Caller
from handlers.office.people import alert_chats
from handlers.work_orders.card_views import order_view
from locales import Text
from storage.models import Person, WorkOrder


def view(caller: Caller, order: WorkOrder) -> cards.OrderView:
    """What the cards show about *order* now."""
    return order_view(caller.session, order, caller.uow.office.catalog,
                      caller.uow.office.timezone)


def tell_resident(caller: Caller, order: WorkOrder, text: Text,
                  keyboard: InlineKeyboard | None = None) -> None:
    """Write to the resident who reported the order, in their chat."""
    if order.reporter_chat_id is not None:
        caller.uow.send(Say(order.reporter_chat_id, text, keyboard,
                            priority=Priority.INTERACTIVE))


def tell_assignee(caller: Caller, order: WorkOrder, text: Text) -> None:
    """Write to the technician who holds the job, with the job's card under it."""
    assignee = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    if assignee and assignee.telegram_user_id:
        caller.uow.send(Say(assignee.telegram_user_id, text))
        send_private_card(caller, order, assignee.telegram_user_id)


def send_private_card(caller: Caller, order: WorkOrder, chat_id: int) -> None:
    """The technician's card for the job, with the next steps as buttons."""
    shown = view(caller, order)
    caller.uow.send(Say(chat_id, cards.private_card(shown), cards.private_card_keyboard(shown),
                        ref=f"pcard:{order.id}"))


def refresh_private_card(caller: Caller, order: WorkOrder) -> None:
    """Edit the tapped private card in place instead of sending a new one."""
    shown = view(caller, order)
    caller.uow.send(Edit(caller.chat_id, cards.private_card(shown),
                         cards.private_card_keyboard(shown),
                         message_id=caller.event.message_id, ref=f"pcard:{order.id}"))


def alert_managers(caller: Caller, text: Text) -> None:
    """Alert the managers' and dispatch chats."""
    for chat_id in alert_chats(caller.session, "managers", "dispatch"):
        caller.uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
