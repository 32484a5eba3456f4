"""Satisfaction: the callback ratings given in the month, by the order's trade and
technician, the corrective tasks dissatisfied ratings raised (001 §2.7.6), and the residents'
words of dissatisfaction — low ratings' comments, rework reasons, complaints at the front
desk — that ``causes`` reads.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlmodel import Session

from handlers.monthly_report.service_levels import Durations
from handlers.monthly_report.tables import DESK, EVENTS, ORDERS, SURVEYS, epoch, seconds, table
from handlers.office.rules import OfficeRules
from storage.followups import CallbackSurvey
from storage.models import EventLog, WorkOrder

RATINGS: Final = (1, 2, 3, 4, 5)
SATISFIED_FROM: Final = 4  # 4 and 5 are "satisfied"


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
class Corrective:
    """The corrective tasks raised in the month for dissatisfied ratings (001 §2.7.6), seen at
    the report's moment: closed (with a note of what was done) or still open, and how long
    the closed ones took from raised to closed (minutes)."""

    raised: int
    closed: int
    to_close: Durations

    @property
    def open(self) -> int:
        return self.raised - self.closed


def corrective_of(session: Session, start: datetime, end: datetime,
                  as_of: datetime) -> Corrective:
    """The corrective tasks raised in the month (``corrective_at``), closed by *as_of*."""
    s = SURVEYS
    raised = int(session.execute(select(func.count()).select_from(table(CallbackSurvey)).where(
        s.corrective_at >= start, s.corrective_at < end)).scalar_one())
    minutes = []
    for opened, closed in session.execute(
            select(epoch(session, s.corrective_at), epoch(session, s.corrected_at)).where(
                s.corrective_at >= start, s.corrective_at < end, s.corrected_at <= as_of)):
        began, ended = seconds(opened), seconds(closed)
        if began is not None and ended is not None:
            minutes.append(max(ended - began, 0.0) / 60)
    return Corrective(raised, len(minutes), Durations.of(minutes))


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


def ratings_of(session: Session, start: datetime, end: datetime,
               staff: dict[int | None, str], rules: OfficeRules,
               ) -> tuple[Ratings, dict[str, Ratings], dict[str, Ratings], list[Voice]]:
    """The month's ratings, overall, by trade and by technician, and the low ratings' words."""
    s, w = SURVEYS, ORDERS
    rows = session.execute(
        select(s.rating, s.comment, w.trade, w.assignee_id, w.number)
        .join_from(table(CallbackSurvey), table(WorkOrder), w.id == s.order_id)
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


def rework_voices(session: Session, start: datetime, end: datetime,
                  staff: dict[int | None, str]) -> list[Voice]:
    """The reasons residents gave for sending a job back in the month."""
    w, e = ORDERS, EVENTS
    rows = session.execute(
        select(e.detail, w.trade, w.assignee_id, w.number)
        .join_from(table(EventLog), table(WorkOrder), w.id == e.order_id)
        .where(e.action == "rework_requested", e.at >= start, e.at < end))
    voices = []
    for detail, trade, assignee, number in rows:
        reason = detail.get("reason") if isinstance(detail, dict) else None
        if isinstance(reason, str) and reason.strip():
            voices.append(Voice("rework", reason.strip(), trade,
                                staff.get(assignee) if assignee is not None else None, number))
    return voices


def new_words(voices: list[Voice], heard: list[Voice]) -> list[Voice]:
    """*voices* less those already *heard* on the same order: a low rating's comment that
    reopened the order is also the rework's reason — one remark, not two."""
    known = {(v.number, v.text) for v in heard}
    return [v for v in voices
            if not all((v.number, line) in known for line in comment_lines(v.text))]


def complaint_voices(session: Session, start: datetime, end: datetime) -> list[Voice]:
    """The complaints the front desk received in the month, in the residents' words."""
    f = DESK
    rows = session.execute(select(f.id, f.text).where(
        f.kind == "complaint", f.created_at >= start, f.created_at < end))
    return [Voice("complaint", text.strip(), None, None, f"FD-{rid}")
            for rid, text in rows if text and text.strip()]
