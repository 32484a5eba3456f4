"""The tables the month's figures are read from, as Core columns, and moments read from them
as Unix seconds."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import ColumnElement, Table, func, or_, select
from sqlmodel import Session

from handlers.office.people import STAFF_ROLES
from storage.followups import CallbackSurvey
from storage.models import EventLog, FrontDeskRequest, Household, Person, UnmetDemand, WorkOrder


def table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


ORDERS: Final = table(WorkOrder).c
EVENTS: Final = table(EventLog).c
DESK: Final = table(FrontDeskRequest).c
SURVEYS: Final = table(CallbackSurvey).c
PEOPLE: Final = table(Person).c
HOUSEHOLDS: Final = table(Household).c
DEMAND: Final = table(UnmetDemand).c
# Staff now, or staff who have left since (``frontline staff remove``): a month's figures
# credit the work to whoever did it, whatever their role is today.
WAS_STAFF: Final[ColumnElement[bool]] = or_(
    PEOPLE.role.in_(STAFF_ROLES),
    PEOPLE.id.in_(select(EVENTS.actor_id).where(EVENTS.action == "staff_removed")))


def epoch(session: Session, column: Any) -> Any:
    """*column* (a UTC timestamp) as Unix seconds, computed by the database: tens of thousands
    of rows come back as plain numbers, without a datetime object each."""
    if session.get_bind().dialect.name == "sqlite":  # stored as UTC text, which julianday reads
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def seconds(value: Any) -> float | None:
    """Unix seconds to the millisecond: julianday's float arithmetic must not turn a reply
    at exactly the deadline into one a microsecond late."""
    return None if value is None else round(float(value), 3)
