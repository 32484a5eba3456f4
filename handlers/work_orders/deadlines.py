"""Deadlines on work orders: nobody accepted (dispatch deadline), the resident never signed
(auto-confirm), nobody answered a human word (the 24-hour rule).

These need no rows of their own: they are due when an order has sat in one status too long,
so the drain derives them from ``work_order`` (queried through its status) and records each
one-off alert in ``followup_mark``, whose unique (kind, subject) makes it happen once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists
from sqlmodel import col, select

from dialogs import cards
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Priority, Say, inline
from handlers.callback_surveys.planning import schedule_survey
from handlers.office.calendar import wall_clock
from handlers.office.due_items import chats, mark
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import states
from handlers.work_orders.card_views import order_view
from handlers.work_orders.taking import trade_technicians
from locales import Raw, _, lines
from storage.followups import FollowupMark
from storage.models import Person, WorkOrder

# The dispatch deadline is the moment the resident must have heard from us (2.4.3: within
# 15 minutes). The drain runs every 30 s and the sender needs a moment, so act a minute early.
DISPATCH_LEAD = timedelta(minutes=1)


def _unmarked(kind: str) -> ColumnElement[bool]:
    return ~exists().where(col(FollowupMark.kind) == kind,
                           col(FollowupMark.subject_id) == col(WorkOrder.id))


def _open_orders(uow: UnitOfWork, cutoff: datetime, kind: str, limit: int,
                 skip: frozenset[int]) -> Sequence[int]:
    query = select(WorkOrder.id).where(col(WorkOrder.status) == states.Status.OPEN,
                                       col(WorkOrder.created_at) <= cutoff, _unmarked(kind))
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(col(WorkOrder.created_at)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


# -- dispatch deadline -------------------------------------------------------------------
def find_unaccepted(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                    deadline: timedelta) -> Sequence[int]:
    """Open orders nobody accepted within the dispatch deadline, oldest first."""
    return _open_orders(uow, uow.now - deadline + DISPATCH_LEAD, "dispatch_alert", limit, skip)


def alert_dispatch(uow: UnitOfWork, order_id: int) -> str:
    """Nobody accepted in time: the dispatch chat gets the card and assign-to buttons, and the
    resident hears that we are on it."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != states.Status.OPEN:
        return "not_due"
    mark(uow, "dispatch_alert", order_id)
    office = uow.office
    view = order_view(uow.session, order, office.catalog, office.timezone)
    technicians = trade_technicians(uow.session, order.trade)
    minutes = int(office.rules.dispatch_deadline.total_seconds() // 60)
    text = lines(_("⏱ Nobody has accepted {number} within {minutes} minutes.",
                   number=Raw(order.number), minutes=minutes),
                 cards.group_card(view),
                 _("Assign it to:") if technicians else
                 _("No technician of this trade is registered: please arrange it by phone."))
    buttons = [Button(Raw(f"👷 {t.name}"), tap(Verb.ASSIGN, order_id, t.id)) for t in technicians]
    keyboard = inline(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])
    for chat_id in chats(uow, "dispatch", "managers"):
        uow.send(Say(chat_id, text, keyboard, ref=f"assign:{order_id}"))
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "⏳ {number}: all our technicians are busy right now. The dispatcher is assigning "
            "your request, and we will tell you who is coming.", number=Raw(order.number))))
    uow.log("dispatch_alert", order=order, technicians=len(technicians))
    return "alerted"


# -- the 24-hour rule --------------------------------------------------------------------
def find_silent_orders(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                       deadline: timedelta) -> Sequence[int]:
    """Open orders with no human response within the response deadline."""
    return _open_orders(uow, uow.now - deadline, "no_response", limit, skip)


def escalate_order(uow: UnitOfWork, order_id: int) -> str:
    """An order nobody has answered with a human word for 24 hours: the managers hear, once."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != states.Status.OPEN:
        return "not_due"
    mark(uow, "no_response", order_id)
    hours = int(uow.office.rules.response_deadline.total_seconds() // 3600)
    text = _("⏰ {number} has had no response for {hours} hours (reported {time}). "
             "Please follow up.", number=Raw(order.number), hours=hours,
             time=Raw(wall_clock(order.created_at, uow.office.timezone)))
    for chat_id in chats(uow, "managers", "dispatch"):
        uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
    uow.log("escalated_to_managers", order=order, reason="no response within the deadline")
    return "escalated"


# -- auto-confirm ------------------------------------------------------------------------
def find_unconfirmed(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                     after: timedelta) -> Sequence[int]:
    """Finished orders the resident has not signed within the auto-confirm time."""
    query = select(WorkOrder.id).where(col(WorkOrder.status) == states.Status.DONE,
                                       col(WorkOrder.done_at) <= uow.now - after)
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(col(WorkOrder.done_at)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


def auto_confirm(uow: UnitOfWork, order_id: int) -> str:
    """The resident did not sign within the time allowed: confirm with a note, plan the survey."""
    # Conditional, like the resident's own signature: whichever comes first wins.
    order = uow.session.get(WorkOrder, order_id)
    if order is None or not states.may(None, order, states.AUTO_CONFIRM) or not states.move(
            uow.session, order, states.AUTO_CONFIRM, uow.now):
        return "not_due"
    hours = int(uow.office.rules.auto_confirm_after.total_seconds() // 3600)
    uow.log("auto_confirmed", order=order, by="auto",
            note=f"confirmed automatically: no answer from the resident within {hours} h")
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "✅ {number} was confirmed automatically after {hours} hours. If something is "
            "still wrong, just write to us.", number=Raw(order.number), hours=hours),
            priority=Priority.NOTICE))
    assignee = uow.session.get(Person, order.assignee_id) if order.assignee_id else None
    if assignee is not None and assignee.telegram_user_id is not None:
        uow.send(Say(assignee.telegram_user_id, _(
            "✅ {number} was confirmed automatically.", number=Raw(order.number)),
            priority=Priority.NOTICE))
    schedule_survey(uow, order)
    return "confirmed"
