"""The report of one month: its figures, the previous month's for comparison, the causes of
dissatisfaction, the wishes for services we lack, and the headline figures everything else
(the chat message, the workbook's summary, the CSV) is written from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from handlers.monthly_report import causes as causes_
from handlers.monthly_report.causes import CauseGroup
from handlers.monthly_report.figures import Month, compute
from handlers.monthly_report.months import month_label, same_moment_a_month_earlier
from handlers.monthly_report.other_desks import Demand
from handlers.office import Office
from handlers.office.calendar import shift_month
from locales import Msg, _
from storage.db import read_session

Number = int | float | Decimal


@dataclass(frozen=True, slots=True)
class Figure:
    """How one headline figure is read from a month, and what kind of number it is."""

    key: str
    label: Msg
    read: Callable[[Month], Number | None]
    kind: str  # count | minutes | share | rating | yuan


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _fee(name: str) -> Callable[[Month], Number | None]:
    def read(m: Month) -> Number | None:
        value: Number | None = None if m.fees is None else getattr(m.fees, name)
        return value
    return read


def _complaints(name: str) -> Callable[[Month], Number | None]:
    def read(m: Month) -> Number | None:
        if m.complaints is None:
            return None
        if name == "received":
            return m.complaints.received
        if name == "rate":
            return _share(m.complaints.clocks.rate)
        value: int = getattr(m.complaints.clocks, name)
        return value
    return read


FIGURES: Final[tuple[Figure, ...]] = (
    Figure("requests", _("Requests received"), lambda m: m.requests, "count"),
    Figure("work_orders", _("Work orders"), lambda m: m.work_orders, "count"),
    Figure("front_desk", _("Complaints, enquiries and fee questions"),
           lambda m: m.front_desk, "count"),
    Figure("emergencies", _("Emergencies"), lambda m: m.emergencies, "count"),
    Figure("first_reply_median", _("Time to first reply, median (min)"),
           lambda m: m.first_reply.median, "minutes"),
    Figure("first_reply_p90", _("Time to first reply, p90 (min)"),
           lambda m: m.first_reply.p90, "minutes"),
    Figure("acceptance_median", _("Time to acceptance, median (min)"),
           lambda m: m.acceptance.median, "minutes"),
    Figure("acceptance_p90", _("Time to acceptance, p90 (min)"),
           lambda m: m.acceptance.p90, "minutes"),
    Figure("completion_median", _("Time to completion, median (min)"),
           lambda m: m.completion.median, "minutes"),
    Figure("completion_p90", _("Time to completion, p90 (min)"),
           lambda m: m.completion.p90, "minutes"),
    Figure("dispatch_hits", _("Dispatch deadline met"), lambda m: m.dispatch.hits, "count"),
    Figure("dispatch_misses", _("Dispatch deadline missed"),
           lambda m: m.dispatch.misses, "count"),
    Figure("dispatch_rate", _("Dispatch deadline met (%)"),
           lambda m: _share(m.dispatch.rate), "share"),
    Figure("response_hits", _("24-hour rule met"), lambda m: m.response.hits, "count"),
    Figure("response_misses", _("24-hour rule missed"), lambda m: m.response.misses, "count"),
    Figure("response_rate", _("24-hour rule met (%)"),
           lambda m: _share(m.response.rate), "share"),
    Figure("reworked", _("Orders sent back for rework"), lambda m: m.reworked, "count"),
    Figure("second_rework", _("Orders sent back a second time"),
           lambda m: m.second_rework, "count"),
    Figure("ratings", _("Callback ratings"), lambda m: m.ratings.total, "count"),
    Figure("rating_average", _("Average rating (1–5)"),
           lambda m: None if m.ratings.average is None else round(m.ratings.average, 2),
           "rating"),
    Figure("satisfied_share", _("Satisfied, 4–5 (%)"),
           lambda m: _share(m.ratings.satisfied_share), "share"),
    Figure("dissatisfied", _("Dissatisfied ratings"), lambda m: m.dissatisfied, "count"),
    Figure("corrective_raised", _("Corrective tasks raised"), lambda m: m.corrective.raised,
           "count"),
    Figure("corrective_closed", _("Corrective tasks closed"), lambda m: m.corrective.closed,
           "count"),
    Figure("corrective_open", _("Corrective tasks still open"), lambda m: m.corrective.open,
           "count"),
    Figure("corrective_close_median", _("Time to close a corrective task, median (min)"),
           lambda m: m.corrective.to_close.median, "minutes"),
    Figure("callbacks", _("Callbacks of the month"), lambda m: m.callbacks.total, "count"),
    Figure("callbacks_done", _("Callbacks done so far"), lambda m: m.callbacks.done, "count"),
    Figure("callbacks_unreachable", _("Callbacks closed, resident not reached"),
           lambda m: m.callbacks.unreachable, "count"),
    Figure("callbacks_completion", _("Callbacks closed so far, rated or not reached (%)"),
           lambda m: _share(m.callbacks.completion), "share"),
    Figure("callbacks_previous_by_due", _("Last month's callbacks closed by the due day (%)"),
           lambda m: _share(m.callbacks.previous_completion_by_due), "share"),
    Figure("onsite", _("On-site callbacks"), lambda m: m.callbacks.onsite, "count"),
    Figure("onsite_share", _("On-site callbacks (%)"),
           lambda m: _share(m.callbacks.onsite_share), "share"),
    Figure("spot_checks", _("Managers' spot checks"), lambda m: m.callbacks.spot_checks,
           "count"),
    Figure("phone_outstanding", _("Phone callback tasks outstanding"),
           lambda m: m.callbacks.phone_outstanding, "count"),
    Figure("unmet_demand", _("Requests for services we lack"), lambda m: m.demand_total,
           "count"),
    Figure("complaints", _("Complaints received"), _complaints("received"), "count"),
    Figure("complaint_clock_hits", _("Complaint deadlines met"), _complaints("hits"),
           "count"),
    Figure("complaint_clock_misses", _("Complaint deadlines missed"), _complaints("misses"),
           "count"),
    Figure("complaint_clock_rate", _("Complaint deadlines met (%)"), _complaints("rate"),
           "share"),
    Figure("fees_billed", _("Fees billed (yuan)"), _fee("billed"), "yuan"),
    Figure("fees_collected", _("Fees collected (yuan)"), _fee("collected"), "yuan"),
    Figure("fees_arrears", _("Principal in arrears at month end (yuan)"), _fee("arrears"),
           "yuan"),
    Figure("fees_households_in_arrears", _("Households in arrears"),
           _fee("households_in_arrears"), "count"),
    Figure("fees_notices", _("Fee notices sent"), _fee("notices_sent"), "count"),
)


@dataclass(frozen=True, slots=True)
class Headline:
    """A headline figure this month and last month."""

    key: str
    label: Msg
    kind: str
    value: Number | None
    previous: Number | None

    @property
    def change(self) -> Number | None:
        if self.value is None or self.previous is None:
            return None
        change = self.value - self.previous  # type: ignore[operator]
        return round(change, 2) if isinstance(change, float) else change


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the month's report says."""

    month: Month
    previous: Month
    causes: tuple[CauseGroup, ...]
    demand: tuple[Demand, ...]
    timezone: ZoneInfo

    @property
    def key(self) -> int:
        return self.month.key

    @property
    def label(self) -> str:
        return month_label(self.month.key)

    @property
    def previous_label(self) -> str:
        return month_label(self.previous.key)

    @property
    def charted(self) -> bool:
        """Whether the month has charts: without work orders every chart would be empty, so
        the message says so in a line instead."""
        return self.month.work_orders > 0

    def headlines(self) -> list[Headline]:
        """Every headline figure with last month's; fee figures only where fees exist."""
        rows = [Headline(f.key, f.label, f.kind, f.read(self.month), f.read(self.previous))
                for f in FIGURES]
        return [h for h in rows
                if not (h.key.startswith("fees_") and self.month.fees is None)
                and not (h.key.startswith("complaint") and self.month.complaints is None)]

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines() if h.key == key)


def build(office: Office, key: int, as_of: datetime | None = None) -> Report:
    """The report of month *key* (yyyymm) as of *as_of* (default: the office's now)."""
    tz, rules = office.timezone, office.rules
    moment = as_of or office.clock.now()
    with read_session(office.engine) as session:
        month = compute(session, key, tz, rules, moment)
        previous = compute(session, shift_month(key, -1), tz, rules,
                           same_moment_a_month_earlier(moment, tz))
    return Report(month, previous, tuple(causes_.analyse(month.voices)),
                  tuple(demand_of(month)), tz)


def demand_of(month: Month) -> list[Demand]:
    """The month's wishes grouped by the service asked for, most asked first."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in month.demand_requests:
        groups[causes_.service_of(row.request)].append((row.request, row.unit))
    result = [Demand(service, len(items), len({u for _, u in items if u}),
                     tuple(dict.fromkeys(r for r, _ in items))[:3])
              for service, items in groups.items()]
    return sorted(result, key=lambda d: (-d.count, d.service))
