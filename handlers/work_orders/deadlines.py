"""Deadlines on work orders: nobody accepted (dispatch deadline), the resident never signed
(auto-confirm), nobody answered a human word (the 24-hour rule).

These need no rows of their own: they are due when an order has sat in one status too long,
so the drain derives them from ``work_order`` (queried through its status) and records each
one-off alert in ``followup_mark``, whose unique (kind, subject) makes it happen once. A job
handed back to dispatch (``hand_back``) starts its dispatch deadline over, as an emergency's
clock does (``due_items.restart``): it runs from the ``dispatch_restart`` mark's moment, and the
alert may happen once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, exists
from sqlmodel import col, select

from dialogs import cards
from dialogs.events import Priority, Say
from handlers.callback_surveys.planning import schedule_survey
from handlers.office.calendar import wall_clock
from handlers.office.due_items import chats, mark, marked, restart, started
from handlers.office.people import staff_chat
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import emergency_clock, routing, states
from handlers.work_orders.card_views import order_view
from handlers.work_orders.notify import close_for_resident, done_ref, supersede
from locales import Raw, Text, _, lines
from storage.followups import FollowupMark
from storage.models import Person, WorkOrder

# The dispatch deadline is the moment the resident must have heard from us (2.4.3: within
# 15 minutes). The drain runs every 30 s and the sender needs a moment, so act a minute early.
DISPATCH_LEAD = timedelta(minutes=1)
DISPATCH_ALERT: Final = "dispatch_alert"  # dispatch was alerted: nobody accepted in time
HANDED_BACK: Final = "dispatch_restart"  # nobody's again: the dispatch deadline's new start


def _unmarked(kind: str) -> ColumnElement[bool]:
    return ~exists().where(col(FollowupMark.kind) == kind,
                           col(FollowupMark.subject_id) == col(WorkOrder.id))


def _open_orders(uow: UnitOfWork, cutoff: datetime, kind: str, limit: int,
                 skip: frozenset[int], since: datetime | None = None,
                 start: ColumnElement[Any] | None = None) -> Sequence[int]:
    """Open orders whose clock (from *start*, else ``created_at``) reached *cutoff* (and had
    not by *since*), without a mark of *kind*, oldest clock first."""
    begun = col(WorkOrder.created_at) if start is None else start
    query = select(WorkOrder.id).where(col(WorkOrder.status) == states.Status.OPEN,
                                       begun <= cutoff, _unmarked(kind))
    if since is not None:
        query = query.where(begun > since)
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(begun).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


# -- dispatch deadline -------------------------------------------------------------------
def restart_dispatch_deadline(uow: UnitOfWork, order: WorkOrder) -> None:
    """*order* is nobody's again (``hand_back``): its dispatch deadline runs from now, and
    dispatch is alerted again, once, if nobody accepts it within it."""
    assert order.id is not None
    restart(uow, HANDED_BACK, order.id, clearing=(DISPATCH_ALERT,))


def dispatch_clock() -> ColumnElement[Any]:
    """When an order's dispatch deadline runs from: its latest hand-back, else its report."""
    return started(HANDED_BACK, col(WorkOrder.id), col(WorkOrder.created_at))


def find_unaccepted(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                    deadline: timedelta) -> Sequence[int]:
    """Open orders nobody accepted within the dispatch deadline (from the report, or from the
    latest hand-back), oldest first."""
    return _open_orders(uow, uow.now - deadline + DISPATCH_LEAD, DISPATCH_ALERT, limit, skip,
                        start=dispatch_clock())


def alert_dispatch(uow: UnitOfWork, order_id: int) -> str:
    """Nobody accepted in time: the dispatch chat gets the card and assign-to buttons (any
    trade, least loaded first), and the resident hears that we are on it — in words that fit:
    an emergency gets the hotline, a job already with the dispatcher no "all busy"."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != states.Status.OPEN:
        return "not_due"
    mark(uow, DISPATCH_ALERT, order_id)
    office = uow.office
    minutes = int(office.rules.dispatch_deadline.total_seconds() // 60)
    reason = routing.why_dispatch(uow.session, office.rules, order)
    on_it = emergency_clock.acknowledged_by(uow.session, order.id) if order.emergency else None
    offered = routing.send_to_dispatch(
        uow, order, _("⏱ Nobody has accepted {number} within {minutes} minutes.",
                      number=Raw(order.number), minutes=minutes) if on_it is None else
        _("⏱ {number}: {name} acknowledged the emergency, but nobody holds the job after "
          "{minutes} minutes.", number=Raw(order.number), name=Raw(on_it), minutes=minutes),
        routing.REASONS[reason] if reason else None)
    # Else they know who is coming — or, handed back, that a new technician will be assigned
    # (``hand_back`` told them; the 15 minutes promised with the report are behind them).
    told = on_it is not None or marked(uow.session, HANDED_BACK, order_id)
    if order.reporter_chat_id is not None and not told:
        uow.send(Say(order.reporter_chat_id, _resident_wait(uow, order, reason)))
    uow.log("dispatch_alert", order=order, technicians=offered)
    return "alerted"


def _resident_wait(uow: UnitOfWork, order: WorkOrder, reason: str | None) -> Text:
    number = Raw(order.number)
    if order.emergency:
        return _("🚨 {number}: we are still arranging help for your emergency and the "
                 "dispatcher is on it now. If you are in danger, leave the area and call the "
                 "estate hotline {hotline} (fire 119, ambulance 120).", number=number,
                 hotline=Raw(uow.office.rules.hotline))
    if reason is not None:
        return _("⏳ {number}: the dispatcher is still arranging a technician for you; we will "
                 "tell you who is coming.", number=number)
    return _("⏳ {number}: all our technicians are busy right now. The dispatcher is assigning "
             "your request, and we will tell you who is coming.", number=number)


# -- the job posted again ------------------------------------------------------------------
def find_unclaimed(uow: UnitOfWork, limit: int, skip: frozenset[int], *, after: timedelta,
                   deadline: timedelta) -> Sequence[int]:
    """Open orders nobody took within *after*, not posted again yet — and not yet at the
    dispatch deadline (past it, the dispatcher's alert is what helps)."""
    return _open_orders(uow, uow.now - after, "repost", limit, skip,
                        since=uow.now - deadline + DISPATCH_LEAD)


def repost(uow: UnitOfWork, order_id: int) -> str:
    """Post an unclaimed job again, once, before the dispatch deadline: the card goes to the
    bottom of its group (the old one loses its button); a job with the dispatcher gets fresh
    assign-to buttons (loads change)."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != states.Status.OPEN:
        return "not_due"
    mark(uow, "repost", order_id)
    board = staff_chat(uow.session, "trade", order.trade)
    if board is not None:
        supersede(uow, board.chat_id, routing.card_ref(order.id))
        routing.post_card(uow, order, board)
    reason = routing.why_dispatch(uow.session, uow.office.rules, order)
    if reason is not None:
        routing.send_to_dispatch(uow, order, _("↻ Still nobody for {number}:",
                                               number=Raw(order.number)),
                                 routing.REASONS[reason])
    uow.log("reposted", order=order, to_group=board is not None, to_dispatch=reason)
    return "reposted"


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
        view = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
        close_for_resident(uow, order, done_ref(order.id), lines(
            cards.done_notice(view, order.materials_note, asking=False),
            _("✅ Confirmed automatically after {hours} hours.", hours=hours)))
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
