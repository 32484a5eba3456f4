"""Requests and service levels: the month's work orders and front-desk requests, their status
at the month's end, how long each step took, and the clocks they were held to (how each is
derived: ``figures``).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlmodel import Session

from handlers.monthly_report.tables import (
    DESK,
    EVENTS,
    ORDERS,
    PEOPLE,
    WAS_STAFF,
    epoch,
    seconds,
    table,
)
from storage.models import EventLog, Person

# The event that puts an order in each status (the state machine's moves, as logged).
STATUS_OF_ACTION: Final[dict[str, str]] = {
    "created": "open", "accepted": "accepted", "assigned": "accepted", "on_way": "on_way",
    "price_confirmed": "in_progress", "price_confirmed_ahead": "accepted", "done": "done",
    "rework_requested": "rework",
    "confirmed": "confirmed", "auto_confirmed": "confirmed", "cancelled": "cancelled"}
# Steps a resident (or the bot) takes: not a human reply, even when a staff member reported.
NOT_A_REPLY: Final = frozenset({"created", "emergency_alerted", "photos_added", "unmet_demand"})
PUBLIC: Final = "public"  # the building key of public-area orders
NO_UNIT: Final = "-"  # the building key of requests without a unit


@dataclass(frozen=True, slots=True)
class Durations:
    """How long a step took, over the month's requests that reached it (minutes)."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, minutes: Sequence[float]) -> Durations:
        """Median and 90th percentile of *minutes* (linear between ranks)."""
        values = sorted(minutes)
        if not values:
            return cls(0, None, None)
        return cls(len(values), round(statistics.median(values), 2),
                   round(percentile(values, 90), 2))


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The *p*-th percentile of *sorted_values*, linear between closest ranks (numpy's
    default, ``statistics.quantiles(method="inclusive")``)."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low))


@dataclass(frozen=True, slots=True)
class Clock:
    """An SLA over the month's requests: answered in time, late, still running at month end."""

    hits: int = 0
    misses: int = 0
    pending: int = 0

    @property
    def rate(self) -> float | None:
        """Hits as a share of the decided cases (0–1), None when none were decided."""
        decided = self.hits + self.misses
        return self.hits / decided if decided else None

    def __add__(self, other: Clock) -> Clock:
        return Clock(self.hits + other.hits, self.misses + other.misses,
                     self.pending + other.pending)


def judge(deadline: float, answered: float | None, end: float,
          withdrawn: float | None = None) -> str | None:
    """"hit", "miss", "pending" or None (withdrawn in time) for one clock seen at *end*
    (moments as Unix seconds)."""
    known = answered if answered is not None and answered < end else None
    if known is not None and known <= deadline:
        return "hit"
    if deadline >= end:
        return "pending"
    if known is None and withdrawn is not None and withdrawn <= deadline:
        return None
    return "miss"


def tally(outcomes: Iterable[str | None]) -> Clock:
    counts = Counter(o for o in outcomes if o is not None)
    return Clock(counts["hit"], counts["miss"], counts["pending"])


@dataclass(slots=True)
class MonthOrder:
    """One work order of the month, its moments as Unix seconds."""

    kind: str
    emergency: bool
    trade: str
    building: str
    created: float
    accepted: float | None
    cancelled: float | None
    status: str  # at the month's end
    last_done: float | None = None
    first_reply: float | None = None


def orders_of(session: Session, start: datetime, end: datetime,
              buildings: dict[int | None, str]) -> dict[int, MonthOrder]:
    """The work orders created in the month, seen at its end."""
    w = ORDERS
    rows = session.execute(select(
        w.id, w.kind, w.emergency, w.trade, w.location, w.household_id,
        *(epoch(session, c) for c in (w.created_at, w.accepted_at, w.on_way_at, w.done_at,
                                      w.confirmed_at, w.cancelled_at)))
        .where(w.created_at >= start, w.created_at < end))
    stop = end.timestamp()
    orders: dict[int, MonthOrder] = {}
    for (oid, kind, emergency, trade, location, household, *moments) in rows:
        created, accepted, on_way, done, confirmed, cancelled = map(seconds, moments)
        assert created is not None
        orders[oid] = MonthOrder(
            kind, bool(emergency), trade,
            PUBLIC if location == "public" else buildings.get(household, NO_UNIT),
            created, accepted, cancelled,
            _status_from_columns(stop, accepted, on_way, done, confirmed, cancelled),
            last_done=done if done is not None and done < stop else None)
    _replay(session, orders, start, end)
    return orders


def _status_from_columns(end: float, accepted: float | None, on_way: float | None,
                         done: float | None, confirmed: float | None,
                         cancelled: float | None) -> str:
    """An order's status at *end* from its timestamps (for orders without events)."""
    for moment, name in ((cancelled, "cancelled"), (confirmed, "confirmed"), (done, "done"),
                         (on_way, "on_way"), (accepted, "accepted")):
        if moment is not None and moment < end:
            return name
    return "open"


def _replay(session: Session, orders: dict[int, MonthOrder], start: datetime,
            end: datetime) -> None:
    """Status at the month's end, the last finish and the first human reply, from events.

    Three aggregate queries, so the database reads the month's events and hands back one row
    per order: its last status-changing event before the month's end (a window function),
    its last ``done`` before it, its first step by a member of staff.
    """
    if not orders:
        return
    e = EVENTS
    month_orders = select(ORDERS.id).where(ORDERS.created_at >= start,
                                           ORDERS.created_at < end).scalar_subquery()
    seen = (e.order_id.in_(month_orders), e.at < end)
    ranked = (select(e.order_id, e.action, func.row_number().over(
        partition_by=e.order_id, order_by=e.id.desc()).label("rank"))
        .where(*seen, e.action.in_(list(STATUS_OF_ACTION))).subquery())
    for order_id, action in session.execute(
            select(ranked.c.order_id, ranked.c.action).where(ranked.c.rank == 1)):
        if order_id in orders:
            orders[order_id].status = STATUS_OF_ACTION[action]
    for order_id, moment in session.execute(
            select(e.order_id, epoch(session, func.max(e.at)))
            .where(*seen, e.action == "done").group_by(e.order_id)):
        if order_id in orders and moment is not None:
            orders[order_id].last_done = seconds(moment)
    p = PEOPLE
    for order_id, moment in session.execute(
            select(e.order_id, epoch(session, func.min(e.at)))
            .join_from(table(EventLog), table(Person), p.id == e.actor_id)
            .where(*seen, WAS_STAFF, e.action.not_in(list(NOT_A_REPLY)))
            .group_by(e.order_id)):
        o = orders.get(order_id)
        reply = seconds(moment)
        if o is not None and reply is not None and reply >= o.created:
            o.first_reply = reply


def front_desk_requests(session: Session, start: datetime, end: datetime,
                        buildings: dict[int | None, str]
                        ) -> list[tuple[str, str, float, float | None, float | None, str]]:
    """The front-desk requests created in the month: (kind, building, created, due, answered,
    status), moments as Unix seconds."""
    f = DESK
    rows = session.execute(select(f.kind, f.household_id, epoch(session, f.created_at),
                                  epoch(session, f.due_at), epoch(session, f.answered_at),
                                  f.status)
                           .where(f.created_at >= start, f.created_at < end))
    return [(kind, buildings.get(household, NO_UNIT), float(seconds(created) or 0), seconds(due),
             seconds(answered), status)
            for kind, household, created, due, answered, status in rows]


def reworks(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """Orders sent back for rework in the month; of those, sent back a second time."""
    rounds: dict[int, int] = defaultdict(int)
    for order_id, detail in session.execute(
            select(EVENTS.order_id, EVENTS.detail).where(
                EVENTS.action == "rework_requested", EVENTS.at >= start, EVENTS.at < end)):
        if order_id is None:
            continue
        number = detail.get("round") if isinstance(detail, dict) else None
        rounds[order_id] = max(rounds[order_id] + 1,
                               number if isinstance(number, int) else 0)
    return len(rounds), sum(1 for n in rounds.values() if n >= 2)
