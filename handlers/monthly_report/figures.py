"""The month's figures, computed from the tables alone (001 §2.8.3; 第四篇 5(5)).

What "the month" means, and when each figure is observed:

- **Requests** are the work orders and front-desk requests *created* in the month (local
  calendar month). They are observed **at the month's end**: the status an order had at
  midnight on the 1st, the steps that had happened by then, the deadlines that had passed by
  then. A clock still running at the month's end (a 24-hour promise made on the 31st at
  23:00) is *pending*, neither a hit nor a miss. So the report of November reads the same
  whether it is made on 1 December or in March, and the change against the previous month
  compares like with like.
- **Status at the month's end** is replayed from ``event_log`` (created → open, accepted /
  assigned / price_confirmed_ahead → accepted, on_way, price_confirmed → in_progress, done,
  rework_requested → rework, confirmed / auto_confirmed → confirmed, cancelled); an order
  without events falls back to its timestamp columns.
- **Time to first reply**: a work order's first step taken by a member of staff
  (an ``event_log`` row after ``created`` whose actor is or was staff, ``WAS_STAFF`` — the
  accept, a dispatcher's assignment, a proposed time …; the bot's own messages do not count), a
  front-desk request's ``answered_at``. **Time to acceptance**: ``accepted_at`` −
  ``created_at``. **Time to completion**: the last ``done`` event before the month's end −
  ``created_at``, for orders done or confirmed at the month's end (after a rework, the final
  finish). Median and 90th percentile by linear interpolation between ranks (the
  "inclusive" method of :func:`statistics.quantiles`), in minutes.
- **SLA**: the dispatch deadline (accepted within ``dispatch_deadline_minutes``, 001 §2.4.3)
  and the 24-hour rule (a human response within ``response_deadline_hours``, 004: a work
  order's first reply, a front-desk answer). A request withdrawn before its deadline counts
  for neither.
- **Rework**: orders whose resident asked for rework in the month, and those sent back a
  second time (the ``round`` of the ``rework_requested`` event).
- **Satisfaction**: the callback ratings given in the month (``rated_at``), by the order's
  trade and technician.
- **Corrective tasks** (001 §2.7.6: a dissatisfied rating raises one): those raised in the
  month (``corrective_at``), observed as of the report's moment like the callbacks — closed
  (``corrected_at``), still open, and the median time from raised to closed of the closed
  ones.
- **Callbacks** are a duty that runs past the month (done by the 10th, 2.7.3), so they are
  observed **as of the report's moment** from timestamps (``rated_at``, ``onsite_at``,
  ``spot_checked_at``, ``phone_task_at``): the month's callbacks (by confirmation, as
  ``monthly_duties.quotas``) done so far; the previous month's done by the 10th; the
  **on-site share** (上门回访比例, 001 §2.7.4: at least ``onsite_callback_percent`` of the
  month's callbacks are done on site) — the month's callbacks done on site so far over the
  month's callbacks, one set above and below, so never over 100 % (a visit on 1 December to
  a November callback counts for November); spot checks made in the month; phone tasks
  outstanding.
- **Fees** (when the fee tables exist): bills whose period starts in the month, payments
  received in it, households owing principal at the month's end, notices sent in it.

Each part is read in its own module: ``service_levels`` (requests, times, SLA, rework),
``satisfaction`` (ratings and the words of dissatisfaction), ``callbacks``, ``other_desks``
(services we lack, fees, complaints); this one puts the month together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from handlers.monthly_report.callbacks import Callbacks, callbacks_of
from handlers.monthly_report.months import month_range
from handlers.monthly_report.other_desks import (
    Complaints,
    Fees,
    UnmetDemandRow,
    complaints_of,
    fees_of,
    unmet_demand_of,
)
from handlers.monthly_report.satisfaction import (
    Corrective,
    Ratings,
    Voice,
    complaint_voices,
    corrective_of,
    new_words,
    ratings_of,
    rework_voices,
)
from handlers.monthly_report.service_levels import (
    Clock,
    Durations,
    front_desk_requests,
    judge,
    orders_of,
    reworks,
    tally,
)
from handlers.monthly_report.tables import HOUSEHOLDS, PEOPLE, WAS_STAFF
from handlers.office.rules import OfficeRules


@dataclass(frozen=True, slots=True)
class Month:
    """All figures of one month."""

    key: int  # yyyymm
    start: datetime
    end: datetime
    as_of: datetime
    by_kind: dict[str, int]
    by_trade: dict[str, int]
    by_building: dict[str, int]
    by_status: dict[str, int]
    desk_by_status: dict[str, int]
    work_orders: int
    front_desk: int
    emergencies: int
    first_reply: Durations
    first_reply_orders: Durations
    first_reply_desk: Durations
    acceptance: Durations
    completion: Durations
    dispatch: Clock
    response_orders: Clock
    response_desk: Clock
    reworked: int
    second_rework: int
    ratings: Ratings
    dissatisfied: int  # ratings at or below the office's threshold (001 §2.7.6)
    corrective: Corrective  # the tasks those raised (001 §2.7.6)
    ratings_by_trade: dict[str, Ratings]
    ratings_by_technician: dict[str, Ratings]
    voices: tuple[Voice, ...]
    callbacks: Callbacks
    demand_requests: list[UnmetDemandRow]
    fees: Fees | None
    complaints: Complaints | None = None  # where the complaints desk's tables exist

    @property
    def complaint_clocks(self) -> Clock | None:
        return None if self.complaints is None else self.complaints.clocks

    @property
    def requests(self) -> int:
        return self.work_orders + self.front_desk

    @property
    def response(self) -> Clock:
        return self.response_orders + self.response_desk

    @property
    def demand_total(self) -> int:
        return len(self.demand_requests)


def compute(session: Session, key: int, tz: ZoneInfo, rules: OfficeRules,
            as_of: datetime) -> Month:
    """The figures of month *key* (yyyymm); callbacks as of *as_of*."""
    start, end = month_range(key, tz)
    staff: dict[int | None, str] = dict(session.execute(
        select(PEOPLE.id, PEOPLE.name).where(WAS_STAFF)).tuples().all())
    buildings = dict(session.execute(select(HOUSEHOLDS.id, HOUSEHOLDS.building)).all())
    orders = orders_of(session, start, end, buildings)
    desk = front_desk_requests(session, start, end, buildings)
    stop = end.timestamp()
    dispatch_after = rules.dispatch_deadline.total_seconds()
    response_after = rules.response_deadline.total_seconds()

    by_kind: Counter[str] = Counter()
    by_trade: Counter[str] = Counter()
    by_building: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    reply_orders: list[float] = []
    acceptance: list[float] = []
    completion: list[float] = []
    dispatch: list[str | None] = []
    response_orders: list[str | None] = []
    for o in orders.values():
        by_kind["emergency" if o.emergency else o.kind] += 1
        by_trade[o.trade] += 1
        by_building[o.building] += 1
        by_status[o.status] += 1
        accepted = o.accepted if o.accepted is not None and o.accepted < stop else None
        reply = o.first_reply if o.first_reply is not None else accepted
        if reply is not None:
            reply_orders.append(_minutes(reply - o.created))
        if accepted is not None:
            acceptance.append(_minutes(accepted - o.created))
        if o.status in ("done", "confirmed") and o.last_done is not None:
            completion.append(_minutes(o.last_done - o.created))
        dispatch.append(judge(o.created + dispatch_after, accepted, stop, o.cancelled))
        response_orders.append(judge(o.created + response_after, reply, stop, o.cancelled))
    reply_desk: list[float] = []
    response_desk: list[str | None] = []
    desk_status: Counter[str] = Counter()
    for kind, building, created, due, answered, status in desk:
        by_kind[kind] += 1
        by_building[building] += 1
        known = answered if answered is not None and answered < stop else None
        desk_status["answered" if known is not None else
                    ("open" if status != "closed" else "closed")] += 1
        if known is not None:
            reply_desk.append(_minutes(known - created))
        response_desk.append(judge(due if due is not None else created + response_after,
                                   answered, stop))

    reworked, second = reworks(session, start, end)
    ratings, by_trade_r, by_tech_r, voices = ratings_of(session, start, end, staff, rules)
    voices += new_words(rework_voices(session, start, end, staff), voices)
    voices += complaint_voices(session, start, end)
    complaints = complaints_of(session, start, end)
    if complaints is not None:
        voices += complaints[1]
    return Month(
        key=key, start=start, end=end, as_of=as_of,
        by_kind=dict(by_kind), by_trade=dict(by_trade), by_building=dict(by_building),
        by_status=dict(by_status), desk_by_status=dict(desk_status),
        work_orders=len(orders), front_desk=len(desk),
        emergencies=sum(1 for o in orders.values() if o.emergency),
        first_reply=Durations.of(reply_orders + reply_desk),
        first_reply_orders=Durations.of(reply_orders), first_reply_desk=Durations.of(reply_desk),
        acceptance=Durations.of(acceptance), completion=Durations.of(completion),
        dispatch=tally(dispatch), response_orders=tally(response_orders),
        response_desk=tally(response_desk), reworked=reworked, second_rework=second,
        ratings=ratings, dissatisfied=ratings.at_most(rules.dissatisfied_at_most),
        corrective=corrective_of(session, start, end, as_of),
        ratings_by_trade=by_trade_r, ratings_by_technician=by_tech_r,
        voices=tuple(voices), callbacks=callbacks_of(session, key, tz, rules, as_of),
        demand_requests=unmet_demand_of(session, start, end), fees=fees_of(session, key, tz),
        complaints=complaints[0] if complaints is not None else None)


def _minutes(seconds: float) -> float:
    return max(seconds, 0.0) / 60
