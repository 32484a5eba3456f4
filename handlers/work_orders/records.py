"""Work orders for the office's terminal: lists and one order's full history (audits)."""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import Session, col, select

from dialogs.statuses import Status
from handlers.office import Office
from handlers.office.people import person_by_id_name, unit_label
from storage.db import read_session
from storage.models import EventLog, Household, WorkOrder

ORDER_STATUSES: Final = tuple(status.value for status in Status)


def _order_dict(session: Session, order: WorkOrder) -> dict[str, Any]:
    household = session.get(Household, order.household_id) if order.household_id else None
    return {
        "number": order.number, "kind": order.kind, "status": order.status,
        "emergency": order.emergency, "trade": order.trade, "location": order.location,
        "building": household.building if household else None,
        "room": household.room if household else None,
        "unit": unit_label(household) if household else None, "place": order.place or None,
        "description": order.description,
        "assignee": person_by_id_name(session, order.assignee_id),
        "service": order.service_key, "price": str(order.price) if order.price else None,
        "price_confirmed_at": order.price_confirmed_at.isoformat()
        if order.price_confirmed_at else None,
        "price_reason": order.price_reason or None,
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "accepted_at": order.accepted_at.isoformat() if order.accepted_at else None,
        "done_at": order.done_at.isoformat() if order.done_at else None,
        "confirmed_at": order.confirmed_at.isoformat() if order.confirmed_at else None,
        "cancelled_at": order.cancelled_at.isoformat() if order.cancelled_at else None,
        "cancel_reason": order.cancel_reason or None, "rework_count": order.rework_count,
    }


def list_orders(office: Office, status: str | None = None) -> list[dict[str, Any]]:
    """Work orders, newest first, optionally of one status."""
    with read_session(office.engine) as session:
        query = select(WorkOrder).order_by(col(WorkOrder.id).desc())
        if status:
            query = query.where(WorkOrder.status == status)
        return [_order_dict(session, order) for order in session.exec(query).all()]


def show_order(office: Office, number: str) -> dict[str, Any] | None:
    """One work order with its full event history, for the front desk and audits."""
    with read_session(office.engine) as session:
        order = session.exec(select(WorkOrder).where(WorkOrder.number == number)).first()
        if order is None:
            return None
        events = session.exec(select(EventLog).where(EventLog.order_id == order.id)
                              .order_by(col(EventLog.id))).all()
        return {**_order_dict(session, order), "events": [
            {"at": e.at.isoformat() if e.at else None, "action": e.action,
             "actor": person_by_id_name(session, e.actor_id),
             "telegram_user_id": e.telegram_user_id, "chat_id": e.chat_id, "detail": e.detail}
            for e in events]}
