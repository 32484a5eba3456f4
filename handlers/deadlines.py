"""Deadlines on work orders and front-desk requests: nobody accepted (dispatch deadline), the
resident never signed (auto-confirm), nobody answered a human word (the 24-hour rule).

These timers need no rows of their own: they are due when an order or request has sat in
one state too long, so the drain derives them from ``work_order`` / ``front_desk_request``
(both queried through their status) and records each one-off alert in ``followup_mark``, whose
unique (kind, subject) makes it happen once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, update
from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.events import Button, Edit, Priority, Say, inline
from dialogs.model import REQUEST_KINDS
from handlers import orders, surveys
from handlers.timers import chats
from handlers.uow import UnitOfWork
from handlers.views import order_view, wall_clock
from handlers.visit import Visit
from locales import Raw, _, lines
from storage.followups import FollowupMark
from storage.models import FrontDeskRequest, Person, StaffChat, WorkOrder

# The dispatch deadline is the moment the resident must have heard from us (2.4.3: within
# 15 minutes). The drain runs every 30 s and the sender needs a moment, so act a minute early.
DISPATCH_LEAD = timedelta(minutes=1)
ASSIGN_ROLES = ("dispatcher", "manager", "admin")


def mark(uow: UnitOfWork, kind: str, subject_id: int, outcome: str = "done",
         **detail: object) -> None:
    """Record that a one-off follow-up happened (a second one fails on the unique key)."""
    uow.session.add(FollowupMark(kind=kind, subject_id=subject_id, outcome=outcome, at=uow.now,
                                 detail=dict(detail)))
    uow.session.flush()


def _unmarked(kind: str) -> ColumnElement[bool]:
    return ~exists().where(col(FollowupMark.kind) == kind,
                           col(FollowupMark.subject_id) == col(WorkOrder.id))


def _open_orders(uow: UnitOfWork, cutoff: datetime, kind: str, limit: int,
                 skip: frozenset[int]) -> Sequence[int]:
    query = select(WorkOrder.id).where(col(WorkOrder.status) == "open",
                                       col(WorkOrder.created_at) <= cutoff, _unmarked(kind))
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(col(WorkOrder.created_at)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


# -- dispatch deadline -------------------------------------------------------------------
def find_unaccepted(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                    deadline: timedelta) -> Sequence[int]:
    return _open_orders(uow, uow.now - deadline + DISPATCH_LEAD, "dispatch_alert", limit, skip)


def alert_dispatch(uow: UnitOfWork, order_id: int) -> str:
    """Nobody accepted in time: the dispatch chat gets the card and assign-to buttons, and the
    resident hears that we are on it."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != "open":
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
    buttons = [Button(Raw(f"👷 {t.name}"), f"as:{order_id}:{t.id}") for t in technicians]
    keyboard = inline(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])
    for chat_id in chats(uow, "dispatch", "managers"):
        uow.send(Say(chat_id, text, keyboard, ref=f"assign:{order_id}"))
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "⏳ {number}: all our technicians are busy right now. The dispatcher is assigning "
            "your request, and we will tell you who is coming.", number=Raw(order.number))))
    uow.log("dispatch_alert", order=order, technicians=len(technicians))
    return "alerted"


def trade_technicians(session: Session, trade: str) -> list[Person]:
    people = session.exec(select(Person).where(Person.role == "technician",
                                               col(Person.telegram_user_id).is_not(None))
                          .order_by(col(Person.id))).all()
    return [p for p in people if trade in (p.trades or [])]


def assign(v: Visit, board: StaffChat, order_id: int, technician_id: int) -> None:
    """A dispatcher's tap on "assign to …": the same first-wins rule as a technician's accept."""
    if board.purpose not in ("dispatch", "managers") or v.person is None or (
            v.person.role not in ASSIGN_ROLES):
        v.refuse(_("Only dispatchers and managers can assign jobs."))
        return
    order = v.session.get(WorkOrder, order_id)
    technician = v.session.get(Person, technician_id)
    if (order is None or technician is None or technician.role != "technician"
            or order.trade not in (technician.trades or [])
            or technician.telegram_user_id is None):
        v.refuse(orders.STALE)
        return
    if not orders.hand_over(v, order, technician):
        orders.refuse_taken(v, order)
        return
    v.log("assigned", order, technician_id=technician_id, technician=technician.name)
    v.uow.send(Say(technician.telegram_user_id, _(
        "📋 {dispatcher} assigned {number} to you.", dispatcher=Raw(v.person.name),
        number=Raw(order.number))))
    v.uow.send(Edit(v.chat_id, _("✅ {number} assigned to {name} by {dispatcher}.",
                                 number=Raw(order.number), name=Raw(technician.name),
                                 dispatcher=Raw(v.person.name)), inline(),
                    message_id=v.event.message_id))
    v.toast(_("Assigned to {name}.", name=Raw(technician.name)))


# -- the 24-hour rule --------------------------------------------------------------------
def find_silent_orders(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                       deadline: timedelta) -> Sequence[int]:
    return _open_orders(uow, uow.now - deadline, "no_response", limit, skip)


def escalate_order(uow: UnitOfWork, order_id: int) -> str:
    """An order nobody has answered with a human word for 24 hours: the managers hear, once."""
    order = uow.session.get(WorkOrder, order_id)
    if order is None or order.status != "open":
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


def find_silent_requests(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    unmarked = ~exists().where(col(FollowupMark.kind) == "fd_no_response",
                               col(FollowupMark.subject_id) == col(FrontDeskRequest.id))
    query = select(FrontDeskRequest.id).where(
        col(FrontDeskRequest.status) == "open", col(FrontDeskRequest.answered_at).is_(None),
        col(FrontDeskRequest.due_at) <= uow.now, unmarked)
    if skip:
        query = query.where(col(FrontDeskRequest.id).not_in(skip))
    query = query.order_by(col(FrontDeskRequest.due_at)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True,
                                                              of=FrontDeskRequest))
            if i is not None]


def escalate_request(uow: UnitOfWork, request_id: int) -> str:
    """A complaint, enquiry or fee question not answered by its due time: managers, once."""
    request = uow.session.get(FrontDeskRequest, request_id)
    if request is None or request.status != "open" or request.answered_at is not None:
        return "not_due"
    mark(uow, "fd_no_response", request_id)
    text = _("⏰ Front desk FD-{id} ({kind}) has not been answered in time (due {due}): {text}",
             id=request_id, kind=REQUEST_KINDS.get(request.kind, Raw(request.kind)),
             due=Raw(wall_clock(request.due_at, uow.office.timezone)),
             text=Raw(request.text[:500]))
    for chat_id in chats(uow, "managers", "dispatch"):
        uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))
    uow.log("front_desk_escalated", request_id=request_id)
    return "escalated"


# -- auto-confirm ------------------------------------------------------------------------
def find_unconfirmed(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                     after: timedelta) -> Sequence[int]:
    query = select(WorkOrder.id).where(col(WorkOrder.status) == "done",
                                       col(WorkOrder.done_at) <= uow.now - after)
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(col(WorkOrder.done_at)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


def auto_confirm(uow: UnitOfWork, order_id: int) -> str:
    """The resident did not sign within the time allowed: confirm with a note, plan the survey."""
    # Conditional, like the resident's own confirm: whichever comes first wins.
    result = uow.session.execute(
        update(WorkOrder).where(col(WorkOrder.id) == order_id, col(WorkOrder.status) == "done")
        .values(status="confirmed", confirmed_at=uow.now))
    if getattr(result, "rowcount", 0) != 1:
        return "not_due"
    order = uow.session.get(WorkOrder, order_id)
    assert order is not None
    uow.session.refresh(order)
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
    surveys.schedule_survey(uow, order)
    return "confirmed"
