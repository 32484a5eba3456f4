"""The report as the managers read it in their chat: the headline figures, each with its change
against the previous month in brackets. Rendered in the chat's language when it is sent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from dialogs.model import TRADE_NAMES
from handlers.monthly_report.causes import CauseGroup, traditional
from handlers.monthly_report.report import Headline, Number, Report
from handlers.office.rules import OfficeRules
from locales import Localized, Raw, Text, _, lines

CAUSE_TRADES: Final = 3  # trades whose causes the message names (the workbook has all)
CAUSE_KEYWORDS: Final = 3
DEMAND_SHOWN: Final = 3
NO_FIGURE: Final = Raw("—")


def number(value: Number | None, kind: str) -> Text:
    """One figure as the managers read it: 12, 85 %, 4.3, 12 min, 5.2 h, 1280.50."""
    if value is None:
        return NO_FIGURE
    if kind == "minutes":
        return duration(float(value))
    if kind == "share":
        return Raw(f"{float(value):.0f} %" if float(value).is_integer() else
                   f"{float(value):.1f} %")
    if kind == "rating":
        return Raw(f"{float(value):.1f}")
    if kind == "yuan":
        return Raw(f"{Decimal(value):.2f}")
    return Raw(str(int(value)))


def duration(minutes: float, sign: str = "") -> Text:
    """12 min, 5.2 h or 3.1 days."""
    if minutes < 120:
        return _("{n} min", n=Raw(f"{sign}{minutes:.0f}"))
    if minutes < 48 * 60:
        return _("{n} h", n=Raw(f"{sign}{minutes / 60:.1f}"))
    return _("{n} days", n=Raw(f"{sign}{minutes / 1440:.1f}"))


def change(h: Headline) -> Text:
    """The change against last month: +3, −2, ±0, +4 min, +2.5 pt."""
    delta = h.change
    if delta is None:
        return NO_FIGURE
    if delta == 0:
        return Raw("±0")
    sign = "+" if delta > 0 else "−"
    size: Number = abs(delta)  # type: ignore[assignment]
    if h.kind == "minutes":
        return duration(float(size), sign)
    if h.kind == "share":
        return _("{n} pt", n=Raw(f"{sign}{float(size):.1f}".replace(".0", "")))
    if h.kind == "rating":
        return Raw(f"{sign}{float(size):.1f}")
    if h.kind == "yuan":
        return Raw(f"{sign}{Decimal(size):.2f}")
    return Raw(f"{sign}{int(size)}")


def figure(report: Report, key: str) -> Text:
    """"value (change)" of one headline figure."""
    h = report.headline(key)
    return _("{value} ({change})", value=number(h.value, h.kind), change=change(h))


def chat_message(report: Report, rules: OfficeRules, files: str = "") -> Text:
    """The headline figures of the month, for the managers' chat."""
    m = report.month

    def f(key: str) -> Text:
        return figure(report, key)

    cb = m.callbacks
    parts: list[Text | None] = [
        _("📊 Monthly service report for {month} (customer service statistics)",
          month=Raw(report.label)),
        _("In brackets: the change against {previous}.", previous=Raw(report.previous_label)),
        _("📥 Requests: {requests} — work orders {orders}, complaints/enquiries/fee questions "
          "{desk}, emergencies {emergencies}", requests=f("requests"), orders=f("work_orders"),
          desk=f("front_desk"), emergencies=f("emergencies")),
        _("⏱ First reply: median {median}, p90 {p90}", median=f("first_reply_median"),
          p90=f("first_reply_p90")),
        _("👷 Acceptance: median {median}, p90 {p90}", median=f("acceptance_median"),
          p90=f("acceptance_p90")),
        _("✅ Completion: median {median}, p90 {p90}", median=f("completion_median"),
          p90=f("completion_p90")),
        _("🎯 Accepted within {minutes} min: met {hits}, missed {misses}, {rate}",
          minutes=rules.dispatch_deadline_minutes, hits=f("dispatch_hits"),
          misses=f("dispatch_misses"), rate=f("dispatch_rate")),
        _("🕐 Answered by a person within {hours} h: met {hits}, missed {misses}, {rate}",
          hours=rules.response_deadline_hours, hits=f("response_hits"),
          misses=f("response_misses"), rate=f("response_rate")),
        _("🔁 Rework: {reworked} orders, {second} of them a second time",
          reworked=f("reworked"), second=f("second_rework")),
        _("⭐ Ratings: {count}, average {average}, satisfied {share}, dissatisfied {low}",
          count=f("ratings"), average=f("rating_average"), share=f("satisfied_share"),
          low=f("dissatisfied")),
        *_cause_lines(report.causes),
        _("🛠 Corrective tasks for dissatisfied ratings: raised {raised}, closed {closed}, "
          "still open {open}; time to close, median {median}", raised=f("corrective_raised"),
          closed=f("corrective_closed"), open=f("corrective_open"),
          median=f("corrective_close_median")),
        _("📞 Callbacks of {month}: {done} of {total} done, {share}; the rest are due by {due}.",
          month=Raw(report.label), done=f("callbacks_done"), total=f("callbacks"),
          share=f("callbacks_completion"), due=Raw(_day(cb.next_due_at, report))),
        *([_("📵 Of those, closed without reaching the resident (a wrong number, or {calls} "
             "unanswered calls): {count} — handled, not rated.",
             calls=rules.phone_attempts_unreachable, count=f("callbacks_unreachable"))]
          if cb.unreachable else []),
        _("📞 Callbacks of {month} done by {due}: {done} of {total}, {share} (the rule: 100 %).",
          month=Raw(report.previous_label), due=Raw(_day(cb.due_at, report)),
          done=cb.previous_done_by_due, total=cb.previous_total,
          share=f("callbacks_previous_by_due")),
        _("🏠 On site {onsite} (at least {needed}, {percent} %), {share}; 🔎 managers' spot "
          "checks {checks} (at least {checks_needed}); ☎️ phone tasks outstanding {phone}",
          onsite=f("onsite"), needed=cb.onsite_needed, percent=cb.onsite_percent,
          share=f("onsite_share"), checks=f("spot_checks"), checks_needed=cb.spot_checks_needed,
          phone=f("phone_outstanding")),
        _("🙋 Services we lack: {count} requests{services}", count=f("unmet_demand"),
          services=_demand(report)),
    ]
    if m.complaints is not None:
        by = m.complaints.by_severity
        parts.append(_(
            "📣 Complaints: {count} (major {major}, important {important}, minor {minor}, not "
            "graded yet {ungraded}); their deadlines met {hits}, missed {misses}, {rate}",
            count=f("complaints"), major=by.get("major", 0), important=by.get("important", 0),
            minor=by.get("minor", 0), ungraded=by.get("-", 0), hits=f("complaint_clock_hits"),
            misses=f("complaint_clock_misses"), rate=f("complaint_clock_rate")))
    if m.fees is not None:
        parts.append(_(
            "💰 Fees: billed {billed} yuan, collected {collected} yuan; in arrears at month "
            "end {households} households, {arrears} yuan; notices sent {notices}",
            billed=f("fees_billed"), collected=f("fees_collected"),
            households=f("fees_households_in_arrears"), arrears=f("fees_arrears"),
            notices=f("fees_notices")))
    if files and report.charted:
        parts.append(_("📎 Charts follow. Workbook and CSV: {path}", path=Raw(files)))
    elif files:
        parts.append(_("📎 No work orders in {month}, so no charts. Workbook and CSV: {path}",
                       month=Raw(report.label), path=Raw(files)))
    return lines(*parts)


def _day(moment: datetime, report: Report) -> str:
    return moment.astimezone(report.timezone).strftime("%Y-%m-%d")


def _cause_lines(groups: tuple[CauseGroup, ...]) -> list[Text]:
    overall = next((g for g in groups if g.dimension == "overall"), None)
    if overall is None or not overall.keywords:
        return [_("😊 No dissatisfied comments, rework reasons or complaints this month.")]
    shown: list[Text] = [_("😞 Main causes of dissatisfaction ({count} remarks): {keywords}",
                           count=overall.remarks, keywords=_keywords(overall))]
    for group in [g for g in groups if g.dimension == "trade"][:CAUSE_TRADES]:
        if not group.keywords:
            continue
        shown.append(_("   {trade}: {keywords} — {quote}",
                       trade=TRADE_NAMES.get(group.name, Raw(group.name)),
                       keywords=_keywords(group), quote=Raw(group.keywords[0].quotes[0])))
    return shown


def _keywords(group: CauseGroup) -> Text:
    """The keywords as the reader writes them: folded to Simplified for counting, so a
    Traditional-Chinese chat gets them back in Traditional."""
    text = "、".join(f"{c.term} ({c.mentions})" for c in group.keywords[:CAUSE_KEYWORDS])
    return Localized({"zh_Hans": text, "en": text, "zh_Hant": traditional(text)})


def _demand(report: Report) -> Text:
    if not report.demand:
        return ""
    return Raw(" — " + "、".join(f"{d.service} {d.count}"
                                 for d in report.demand[:DEMAND_SHOWN]))
