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
  assigned → accepted, on_way, price_confirmed → in_progress, done, rework_requested → rework,
  confirmed / auto_confirmed → confirmed, cancelled); an order without events falls back to
  its timestamp columns.
- **Time to first reply**: a work order's first step taken by a member of staff
  (an ``event_log`` row after ``created`` whose actor has a staff role — the accept, a
  dispatcher's assignment, a proposed time …; the bot's own messages do not count), a
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
- **Callbacks** are a duty that runs past the month (done by the 10th, 2.7.3), so they are
  observed **as of the report's moment** from timestamps (``rated_at``, ``onsite_at``,
  ``spot_checked_at``, ``phone_task_at``): the month's callbacks (by confirmation, as
  ``monthly_duties.quotas``) done so far; the previous month's done by the 10th; on-site
  callbacks and spot checks made in the month; phone tasks outstanding.
- **Fees** (when the fee tables exist): bills whose period starts in the month, payments
  received in it, households owing principal at the month's end, notices sent in it.
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, inspect, select
from sqlmodel import Session

from handlers.callback_surveys import monthly_duties
from handlers.office.calendar import month_start, shift_month
from handlers.office.people import STAFF_ROLES
from handlers.office.rules import OfficeRules
from storage.followups import CallbackSurvey
from storage.models import EventLog, FrontDeskRequest, Household, Person, UnmetDemand, WorkOrder


def _table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


ORDERS: Final = _table(WorkOrder).c
EVENTS: Final = _table(EventLog).c
DESK: Final = _table(FrontDeskRequest).c
SURVEYS: Final = _table(CallbackSurvey).c
PEOPLE: Final = _table(Person).c
HOUSEHOLDS: Final = _table(Household).c
DEMAND: Final = _table(UnmetDemand).c

# The event that puts an order in each status (the state machine's moves, as logged).
STATUS_OF_ACTION: Final[dict[str, str]] = {
    "created": "open", "accepted": "accepted", "assigned": "accepted", "on_way": "on_way",
    "price_confirmed": "in_progress", "done": "done", "rework_requested": "rework",
    "confirmed": "confirmed", "auto_confirmed": "confirmed", "cancelled": "cancelled"}
# Steps a resident (or the bot) takes: not a human reply, even when a staff member reported.
NOT_A_REPLY: Final = frozenset({"created", "emergency_alerted", "unmet_demand"})
PUBLIC: Final = "public"  # the building key of public-area orders
NO_UNIT: Final = "-"  # the building key of requests without a unit
RATINGS: Final = (1, 2, 3, 4, 5)
SATISFIED_FROM: Final = 4  # 4 and 5 are "satisfied"


# -- small value types --------------------------------------------------------------------
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


@dataclass(frozen=True, slots=True)
class Ratings:
    """A distribution of 1–5 ratings."""

    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @classmethod
    def of(cls, ratings: Iterable[int]) -> Ratings:
        c = Counter(ratings)
        return cls((c[1], c[2], c[3], c[4], c[5]))

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        total = self.total
        return sum(r * n for r, n in zip(RATINGS, self.counts, strict=True)) / total \
            if total else None

    @property
    def satisfied(self) -> int:
        return sum(self.counts[SATISFIED_FROM - 1:])

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.total if self.total else None

    def at_most(self, rating: int) -> int:
        """How many ratings were *rating* or lower."""
        return sum(self.counts[:rating])


@dataclass(frozen=True, slots=True)
class Voice:
    """One resident's word of dissatisfaction: a low rating's comment, a rework reason, a
    complaint — with the trade and technician it is about, where known."""

    source: str  # survey | rework | complaint
    text: str
    trade: str | None
    technician: str | None
    number: str  # the order's number, or FD-<id>
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class Callbacks:
    """The callback duties (001 §2.7.3–2.7.5), observed at the report's moment."""

    total: int  # callbacks of the month (by confirmation)
    done: int  # of those, done by the report's moment
    phone_open: int  # of those, waiting as a phone task
    previous_total: int  # callbacks of the month before
    previous_done_by_due: int  # of those, done by the due day (the 10th of this month)
    due_at: datetime  # that due moment
    next_due_at: datetime  # when this month's callbacks are due (the 10th of the next)
    onsite: int  # on-site callbacks made in the month (2.7.4)
    onsite_needed: int
    onsite_percent: int
    spot_checks: int  # managers' spot checks made in the month (2.7.5)
    spot_checks_needed: int
    phone_outstanding: int  # phone tasks open at the report's moment, any month

    @property
    def completion(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def previous_completion_by_due(self) -> float | None:
        return self.previous_done_by_due / self.previous_total if self.previous_total else None

    @property
    def onsite_share(self) -> float | None:
        return self.onsite / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Demand:
    """Residents' wishes for a service we do not offer, grouped by what they asked for."""

    service: str
    count: int
    units: int
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fees:
    """The fee desk's month (amounts in yuan)."""

    billed: Decimal
    bills: int
    collected: Decimal
    payments: int
    arrears: Decimal  # principal owed at the month's end
    households_in_arrears: int
    notices: dict[str, int]  # campaign kind (payment | overdue | final) → notices sent

    @property
    def notices_sent(self) -> int:
        return sum(self.notices.values())


@dataclass(frozen=True, slots=True)
class Complaints:
    """The complaints desk's month (001 第四篇 4): complaints received, by severity, and
    their clocks — each deadline of each complaint — met, missed or still running at the
    month's end."""

    received: int
    by_severity: dict[str, int]  # major | important | minor | "-" (not graded yet)
    clocks: Clock
    by_duty: dict[str, Clock]  # response | first_step | answer | resolve | verdict


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


@dataclass(frozen=True, slots=True)
class UnmetDemandRow:
    request: str
    unit: str
    name: str


@dataclass(slots=True)
class _Order:
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


# -- the month ----------------------------------------------------------------------------
def month_range(key: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight on the 1st of month *key* and of the month after, in UTC."""
    return month_start(key, tz), month_start(shift_month(key, 1), tz)


def month_label(key: int) -> str:
    return f"{key // 100}-{key % 100:02d}"


def parse_month(text: str) -> int:
    """"2026-11" → 202611; ValueError for anything else."""
    year, _, month = text.strip().partition("-")
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()
            and len(year) == 4 and 1 <= int(month) <= 12):
        raise ValueError(f"a month is written YYYY-MM, got {text!r}")
    return int(year) * 100 + int(month)


def same_moment_a_month_earlier(moment: datetime, tz: ZoneInfo) -> datetime:
    """*moment* one calendar month earlier, local wall clock (31 March → 28/29 February)."""
    local = moment.astimezone(tz)
    key = shift_month(local.year * 100 + local.month, -1)
    year, month = key // 100, key % 100
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return local.replace(year=year, month=month, day=min(local.day, last_day))


def compute(session: Session, key: int, tz: ZoneInfo, rules: OfficeRules,
            as_of: datetime) -> Month:
    """The figures of month *key* (yyyymm); callbacks as of *as_of*."""
    start, end = month_range(key, tz)
    staff = {pid: name for pid, name, role in session.execute(
        select(PEOPLE.id, PEOPLE.name, PEOPLE.role)) if role in STAFF_ROLES}
    buildings = dict(session.execute(select(HOUSEHOLDS.id, HOUSEHOLDS.building)).all())
    orders = _orders(session, start, end, buildings)
    _replay(session, orders, start, end)
    desk = _front_desk(session, start, end, buildings)
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

    reworked, second = _reworks(session, start, end)
    ratings, by_trade_r, by_tech_r, voices = _satisfaction(session, start, end, staff, rules)
    voices += _rework_voices(session, start, end, staff)
    voices += _complaint_voices(session, start, end)
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
        ratings_by_trade=by_trade_r, ratings_by_technician=by_tech_r,
        voices=tuple(voices), callbacks=_callbacks(session, key, tz, rules, as_of),
        demand_requests=_demand(session, start, end), fees=fees_of(session, key, tz),
        complaints=complaints[0] if complaints is not None else None)


def _minutes(seconds: float) -> float:
    return max(seconds, 0.0) / 60


def epoch(session: Session, column: Any) -> Any:
    """*column* (a UTC timestamp) as Unix seconds, computed by the database: tens of thousands
    of rows come back as plain numbers, without a datetime object each."""
    if session.get_bind().dialect.name == "sqlite":  # stored as UTC text, which julianday reads
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def _seconds(value: Any) -> float | None:
    """Unix seconds to the millisecond: julianday's float arithmetic must not turn a reply
    at exactly the deadline into one a microsecond late."""
    return None if value is None else round(float(value), 3)


def _orders(session: Session, start: datetime, end: datetime,
            buildings: dict[int | None, str]) -> dict[int, _Order]:
    w = ORDERS
    rows = session.execute(select(
        w.id, w.kind, w.emergency, w.trade, w.location, w.household_id,
        *(epoch(session, c) for c in (w.created_at, w.accepted_at, w.on_way_at, w.done_at,
                                      w.confirmed_at, w.cancelled_at)))
        .where(w.created_at >= start, w.created_at < end))
    stop = end.timestamp()
    orders: dict[int, _Order] = {}
    for (oid, kind, emergency, trade, location, household, *moments) in rows:
        created, accepted, on_way, done, confirmed, cancelled = map(_seconds, moments)
        assert created is not None
        orders[oid] = _Order(
            kind, bool(emergency), trade,
            PUBLIC if location == "public" else buildings.get(household, NO_UNIT),
            created, accepted, cancelled,
            _status_from_columns(stop, accepted, on_way, done, confirmed, cancelled),
            last_done=done if done is not None and done < stop else None)
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


def _replay(session: Session, orders: dict[int, _Order], start: datetime,
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
            orders[order_id].last_done = _seconds(moment)
    p = PEOPLE
    for order_id, moment in session.execute(
            select(e.order_id, epoch(session, func.min(e.at)))
            .join_from(_table(EventLog), _table(Person), p.id == e.actor_id)
            .where(*seen, p.role.in_(STAFF_ROLES), e.action.not_in(list(NOT_A_REPLY)))
            .group_by(e.order_id)):
        o = orders.get(order_id)
        reply = _seconds(moment)
        if o is not None and reply is not None and reply >= o.created:
            o.first_reply = reply

def _front_desk(session: Session, start: datetime, end: datetime,
                buildings: dict[int | None, str]) -> list[tuple[str, str, float,
                                                               float | None,
                                                               float | None, str]]:
    f = DESK
    rows = session.execute(select(f.kind, f.household_id, epoch(session, f.created_at),
                                  epoch(session, f.due_at), epoch(session, f.answered_at),
                                  f.status)
                           .where(f.created_at >= start, f.created_at < end))
    return [(kind, buildings.get(household, NO_UNIT), float(_seconds(created) or 0), _seconds(due),
             _seconds(answered), status)
            for kind, household, created, due, answered, status in rows]


def _reworks(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
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


def _satisfaction(session: Session, start: datetime, end: datetime,
                  staff: dict[int | None, str], rules: OfficeRules,
                  ) -> tuple[Ratings, dict[str, Ratings], dict[str, Ratings], list[Voice]]:
    s, w = SURVEYS, ORDERS
    rows = session.execute(
        select(s.rating, s.comment, w.trade, w.assignee_id, w.number)
        .join_from(_table(CallbackSurvey), _table(WorkOrder), w.id == s.order_id)
        .where(s.rated_at >= start, s.rated_at < end, s.rating.is_not(None)))
    every: list[int] = []
    by_trade: dict[str, list[int]] = defaultdict(list)
    by_tech: dict[str, list[int]] = defaultdict(list)
    voices: list[Voice] = []
    for rating, comment, trade, assignee, number in rows:
        every.append(rating)
        by_trade[trade].append(rating)
        technician = staff.get(assignee) if assignee is not None else None
        if technician:
            by_tech[technician].append(rating)
        if rating <= rules.dissatisfied_at_most:
            for text in comment_lines(comment):
                voices.append(Voice("survey", text, trade, technician, number, rating))
    return (Ratings.of(every), {t: Ratings.of(r) for t, r in by_trade.items()},
            {t: Ratings.of(r) for t, r in by_tech.items()}, voices)


def comment_lines(comment: str | None) -> list[str]:
    """A survey's comment as separate remarks; a colleague's note keeps its words, not the
    "[name] " it was signed with."""
    remarks = []
    for line in (comment or "").splitlines():
        text = line.strip()
        if text.startswith("[") and "] " in text:
            text = text.split("] ", 1)[1].strip()
        if text:
            remarks.append(text)
    return remarks


def _rework_voices(session: Session, start: datetime, end: datetime,
                   staff: dict[int | None, str]) -> list[Voice]:
    w, e = ORDERS, EVENTS
    rows = session.execute(
        select(e.detail, w.trade, w.assignee_id, w.number)
        .join_from(_table(EventLog), _table(WorkOrder), w.id == e.order_id)
        .where(e.action == "rework_requested", e.at >= start, e.at < end))
    voices = []
    for detail, trade, assignee, number in rows:
        reason = detail.get("reason") if isinstance(detail, dict) else None
        if isinstance(reason, str) and reason.strip():
            voices.append(Voice("rework", reason.strip(), trade,
                                staff.get(assignee) if assignee is not None else None, number))
    return voices


def _complaint_voices(session: Session, start: datetime, end: datetime) -> list[Voice]:
    f = DESK
    rows = session.execute(select(f.id, f.text).where(
        f.kind == "complaint", f.created_at >= start, f.created_at < end))
    return [Voice("complaint", text.strip(), None, None, f"FD-{rid}")
            for rid, text in rows if text and text.strip()]


def _callbacks(session: Session, key: int, tz: ZoneInfo, rules: OfficeRules,
               as_of: datetime) -> Callbacks:
    s = SURVEYS
    table = _table(CallbackSurvey)
    start, end = month_range(key, tz)
    previous_start = month_start(shift_month(key, -1), tz)
    due_duty = next(d for d in monthly_duties.duties(rules) if d.kind == "callbacks_overdue")
    due_at = monthly_duties.occurrence(due_duty, key, tz)

    def count(*conditions: Any) -> int:
        return int(session.execute(select(func.count()).select_from(table).where(*conditions))
                   .scalar_one())

    in_month = (s.window_start >= start, s.window_start < end,
                s.created_at <= as_of)
    total = count(*in_month)
    done = count(*in_month, s.rated_at <= as_of)
    waiting_by_phone = (s.phone_task_at <= as_of,
                        (s.rated_at.is_(None)) | (s.rated_at > as_of))
    phone_open = count(*in_month, *waiting_by_phone)
    in_previous = (s.window_start >= previous_start, s.window_start < start)
    previous_total = count(*in_previous)
    previous_done = count(*in_previous, s.rated_at <= min(due_at, as_of))
    seen = min(end, as_of)
    onsite = count(s.onsite_at >= start, s.onsite_at < seen)
    checks = count(s.spot_checked_at >= start, s.spot_checked_at < seen)
    quotas = monthly_duties.Quotas(total, done, onsite, checks, rules.onsite_callback_percent,
                                   rules.manager_spot_checks)
    return Callbacks(
        total=total, done=done, phone_open=phone_open, previous_total=previous_total,
        previous_done_by_due=previous_done, due_at=due_at,
        next_due_at=monthly_duties.occurrence(due_duty, shift_month(key, 1), tz), onsite=onsite,
        onsite_needed=quotas.onsite_needed, onsite_percent=rules.onsite_callback_percent,
        spot_checks=checks, spot_checks_needed=quotas.checks_needed,
        phone_outstanding=count(*waiting_by_phone))


def _demand(session: Session, start: datetime, end: datetime) -> list[UnmetDemandRow]:
    u = DEMAND
    rows = session.execute(select(u.request, u.unit, u.name).where(
        u.created_at >= start, u.created_at < end).order_by(u.id))
    return [UnmetDemandRow(request, unit or "", name or "") for request, unit, name in rows]


# -- complaints (the complaints desk's tables, when they exist) ---------------------------
def complaints_of(session: Session, start: datetime,
                  end: datetime) -> tuple[Complaints, list[Voice]] | None:
    """Complaints received in the month and their clocks, seen at the month's end (a clock
    stopped before its deadline counts for neither side); None without the tables."""
    try:  # by name: the complaints desk's tables are optional for this report
        complaint_tables: Any = importlib.import_module("storage.complaints")
    except ImportError:  # the complaints desk is not part of this installation
        return None
    if not inspect(session.get_bind()).has_table("complaint_clock"):
        return None
    c: Any = _table(complaint_tables.Complaint).c
    k: Any = _table(complaint_tables.ComplaintClock).c
    received = session.execute(select(c.id, c.number, c.severity, c.what, c.about)
                               .where(c.created_at >= start, c.created_at < end)).all()
    stop = end.timestamp()
    outcomes: dict[str, list[str | None]] = defaultdict(list)
    for duty, state, due, ended in session.execute(
            select(k.kind, k.state, k.due_at, k.ended_at)
            .where(k.started_at >= start, k.started_at < end)):
        deadline = due.timestamp() if due is not None else float("inf")  # paused: running
        finish = ended.timestamp() if ended is not None else None
        outcomes[duty].append(judge(deadline, finish if state == "met" else None, stop,
                                    finish if state == "stopped" else None))
    by_duty = {duty: tally(found) for duty, found in outcomes.items()}
    total = sum(by_duty.values(), Clock())
    voices = [Voice("complaint", " ".join(filter(None, [what.strip(), (about or "").strip()])),
                    None, None, number) for _id, number, _sev, what, about in received
              if what and what.strip()]
    return Complaints(len(received), dict(Counter(sev or "-" for _i, _n, sev, _w, _a
                                                  in received)), total, by_duty), voices


# -- fees (the fee desk's tables, when they exist) ----------------------------------------
def fees_of(session: Session, key: int, tz: ZoneInfo) -> Fees | None:
    """The fee desk's month, or None where its tables are not there (an older database)."""
    try:
        from storage import fees as fee_tables
    except ImportError:  # pragma: no cover - the fee desk is part of the product now
        return None
    if not inspect(session.get_bind()).has_table("fee_bill"):
        return None
    first = date(key // 100, key % 100, 1)
    nxt = shift_month(key, 1)
    last = date(nxt // 100, nxt % 100, 1) - timedelta(days=1)
    bill: Table = fee_tables.FeeBill.__table__  # type: ignore[attr-defined]
    pay: Table = fee_tables.FeePayment.__table__  # type: ignore[attr-defined]
    notice: Table = fee_tables.FeeNotice.__table__  # type: ignore[attr-defined]
    campaign: Table = fee_tables.FeeCampaign.__table__  # type: ignore[attr-defined]
    billed, bills = session.execute(
        select(func.coalesce(func.sum(bill.c.amount_fen), 0), func.count())
        .where(bill.c.period_start >= first, bill.c.period_start <= last)).one()
    collected, payments = session.execute(
        select(func.coalesce(func.sum(pay.c.amount_fen), 0), func.count())
        .where(pay.c.paid_on >= first, pay.c.paid_on <= last)).one()
    owed_bills = dict(session.execute(
        select(bill.c.household_id, func.sum(bill.c.amount_fen))
        .where(bill.c.period_start <= last).group_by(bill.c.household_id)).all())
    paid = dict(session.execute(
        select(pay.c.household_id, func.sum(pay.c.amount_fen))
        .where(pay.c.paid_on <= last).group_by(pay.c.household_id)).all())
    owing = [owed - (paid.get(h) or 0) for h, owed in owed_bills.items()
             if owed - (paid.get(h) or 0) > 0]
    notices = dict(session.execute(
        select(campaign.c.kind, func.count()).select_from(
            notice.join(campaign, campaign.c.id == notice.c.campaign_id))
        .where(notice.c.sent_on >= first, notice.c.sent_on <= last)
        .group_by(campaign.c.kind)).all())
    return Fees(billed=_yuan(billed), bills=int(bills), collected=_yuan(collected),
                payments=int(payments), arrears=_yuan(sum(owing)),
                households_in_arrears=len(owing),
                notices={str(k): int(n) for k, n in notices.items()})


def _yuan(fen: int | None) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))
