"""One pass over everything due by the office clock: the periodic job, the start-up catch-up and
the sandbox's "run what is due now" all call these.

Idempotent by construction: a survey moves on to its next state in the same transaction as its
message; a one-off alert or a monthly duty is recorded under a unique key in that transaction.
Running a pass twice, or in two processes at once, sends nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from time import perf_counter

from handlers.announcements import notices
from handlers.announcements import sending as announcements
from handlers.callback_surveys import monthly_duties as duties
from handlers.callback_surveys import pushing
from handlers.delivery import unreachable as delivery
from handlers.fees import campaigns as fee_campaigns
from handlers.fees import sending as fee_sending
from handlers.front_desk import complaint_deadlines, inbox
from handlers.monthly_report import digest as daily_digest
from handlers.monthly_report import publish as monthly_report
from handlers.office import Office
from handlers.office.due_items import BATCH, Timer, run
from handlers.work_orders import deadlines, emergency_clock, visit_reminders

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DrainReport:
    """What one pass did, as "timer:outcome" → count, and how long it took."""

    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def __bool__(self) -> bool:
        return any(self.counts.values())

    def __add__(self, other: DrainReport) -> DrainReport:
        return DrainReport(self.counts + other.counts, self.seconds + other.seconds)

    def summary(self) -> str:
        shown = ", ".join(f"{key}={n}" for key, n in sorted(self.counts.items()) if n)
        return f"{shown or 'nothing due'} in {self.seconds:.3f} s"


def timers(office: Office) -> tuple[Timer, ...]:
    """The per-item timers, in the order a pass handles them."""
    rules = office.rules
    return (
        # Emergencies first: their clock is minutes (emergency_clock).
        Timer("emergency_ack", partial(emergency_clock.find_unacknowledged,
                                       after=rules.emergency_ack), emergency_clock.repeat_alert),
        Timer("repost", partial(deadlines.find_unclaimed, after=rules.repost_after,
                                deadline=rules.dispatch_deadline), deadlines.repost),
        Timer("dispatch_deadline",
              partial(deadlines.find_unaccepted, deadline=rules.dispatch_deadline),
              deadlines.alert_dispatch),
        # Before surveys: an order confirmed automatically gets its survey planned at once.
        Timer("auto_confirm", partial(deadlines.find_unconfirmed, after=rules.auto_confirm_after),
              deadlines.auto_confirm),
        Timer("survey", pushing.find_due, pushing.advance, pushing.back_off),
        # Visits: the missed-window alert before reminders (a stale reminder is then skipped).
        Timer("visit_missed", visit_reminders.find_missed, visit_reminders.alert_missed),
        Timer("visit_evening", visit_reminders.find_evening, visit_reminders.remind_evening),
        Timer("visit_last", visit_reminders.find_last, visit_reminders.remind_last),
        Timer("no_response",
              partial(deadlines.find_silent_orders, deadline=rules.response_deadline),
              deadlines.escalate_order),
        Timer("front_desk_no_response", inbox.find_silent_requests, inbox.escalate_request),
        # Complaint clocks: the 80 % warning before the missed deadline it warns of.
        Timer("complaint_warning", complaint_deadlines.find_warnings, complaint_deadlines.warn),
        Timer("complaint_deadline", complaint_deadlines.find_missed, complaint_deadlines.miss),
        Timer("held_messages", partial(delivery.find_expired_held,
                                       after=rules.held_messages_expire),
              partial(delivery.expire_held, after=rules.held_messages_expire)),
        # Fee notices last: bulk, paced by the outbox window (handlers/fees/sending.py).
        Timer("fee_notice", fee_sending.find_due, fee_sending.send_notice),
        Timer("fee_delivery", fee_sending.find_sent, fee_sending.check_delivery),
        Timer("fee_campaign", fee_sending.find_finished, fee_sending.finish),
        # Announcements: bulk as well, paced by their own window (handlers/announcements).
        Timer("announcement", announcements.find_due, announcements.send_one),
        Timer("announcement_done", announcements.find_finished, announcements.finish),
        Timer("announcement_delete", notices.find_deletes, notices.check_delete),
    )


def drain_once(office: Office, batch: int = BATCH) -> DrainReport:
    """Handle every per-item timer that is due now."""
    started = perf_counter()
    counts: Counter[str] = Counter()
    for timer in timers(office):
        for outcome, n in run(office, timer, batch).items():
            counts[f"{timer.name}:{outcome}"] += n
    report = DrainReport(counts, perf_counter() - started)
    if report:
        log.info("drain: %s", report.summary())
    return report


def duties_once(office: Office, only: str | None = None) -> DrainReport:
    """Run the monthly duties whose moment has passed and that have not run yet."""
    started = perf_counter()
    counts = Counter({key: n for key, n in duties.run_due(office, only).items()
                      if not key.endswith(":already")})
    report = DrainReport(counts, perf_counter() - started)
    if report:
        log.info("duties: %s", report.summary())
    return report


def fees_once(office: Office) -> DrainReport:
    """The fee desk's calendar: notices whose date has come are prepared (and previewed),
    paid work of closed months is billed, the formal follow-up moves on."""
    started = perf_counter()
    counts = Counter({f"fees:{key}": n for key, n in fee_campaigns.run_calendar(office).items()})
    report = DrainReport(counts, perf_counter() - started)
    if report:
        log.info("fees: %s", report.summary())
    return report


def reports_once(office: Office, only: str | None = None) -> DrainReport:
    """The managers' daily digest and the monthly service report, each once when due."""
    started = perf_counter()
    counts: Counter[str] = Counter()
    for name, post in (("digest", daily_digest.run_due), ("report", monthly_report.run_due)):
        if only not in (None, name):
            continue
        try:
            outcome = post(office)
        except Exception:
            log.exception("reports: the %s failed", name)
            outcome = "failed"
        if outcome not in ("not_due", "already"):
            counts[f"{name}:{outcome}"] += 1
    report = DrainReport(counts, perf_counter() - started)
    if report:
        log.info("reports: %s", report.summary())
    return report


def run_due_now(office: Office) -> DrainReport:
    """Everything due by the office clock, now: the fee calendar, timers, monthly duties, the
    managers' digest and report."""
    return fees_once(office) + drain_once(office) + duties_once(office) + reports_once(office)
