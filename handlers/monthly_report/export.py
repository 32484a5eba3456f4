"""The report as a workbook (XLSX, one sheet per section) and as CSV files (one per sheet).

Cells hold real numbers (int, float, Decimal for money), never numbers written as text, so a
manager can sum and chart them; each sheet's header row is frozen. Labels are in the managers'
language; every sheet also carries the machine key of each row, so a script reads the same
file whatever the language.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from dialogs.model import TRADE_NAMES
from dialogs.statuses import STATUS_NAMES
from handlers.monthly_report.charts import KIND_NAMES, building_name
from handlers.monthly_report.figures import Month
from handlers.monthly_report.report import Report
from handlers.monthly_report.satisfaction import Ratings
from handlers.monthly_report.service_levels import Clock, Durations
from locales import Language, Msg, Raw, Text, _, render

Cell = str | int | float | Decimal | None
SHEET_TITLE_LIMIT: Final = 31  # Excel's limit


@dataclass(frozen=True, slots=True)
class Sheet:
    """One section: its name (file stem), title, header and rows."""

    name: str
    title: Msg
    header: tuple[Text, ...]
    rows: list[tuple[Cell, ...]]


def file_stem(report: Report) -> str:
    return f"service-report-{report.label}"


def sheets(report: Report, language: Language) -> list[Sheet]:
    """Every section of the report as a table."""
    def say(text: Text) -> str:
        return render(text, language)

    m, p = report.month, report.previous
    result = [
        Sheet("summary", _("Summary"),
              (_("Figure"), _("Key"), _("This month"), _("Last month"), _("Change")),
              [(say(h.label), h.key, _cell(h.value), _cell(h.previous), _cell(h.change))
               for h in report.headlines()]),
        Sheet("requests", _("Requests"),
              (_("Breakdown"), _("Key"), _("Name"), _("This month"), _("Last month")),
              _requests(m, p, say)),
        Sheet("times", _("Response times"),
              (_("Step"), _("Key"), _("Requests"), _("Median (min)"), _("p90 (min)"),
               _("Median last month (min)"), _("p90 last month (min)")),
              [(say(label), key, d.count, _cell(d.median), _cell(d.p90), _cell(q.median),
                _cell(q.p90)) for label, key, d, q in _times(m, p)]),
        Sheet("deadlines", _("Deadlines"),
              (_("Deadline"), _("Key"), _("Met"), _("Missed"), _("Still running"),
               _("Met (%)")),
              [(say(label), key, c.hits, c.misses, c.pending,
                None if c.rate is None else round(c.rate * 100, 1))
               for label, key, c in _clocks(m)]),
        Sheet("satisfaction", _("Satisfaction"),
              (_("Group"), _("Name"), "1", "2", "3", "4", "5", _("Ratings"), _("Average"),
               _("Satisfied (%)")),
              _ratings(m, say)),
        Sheet("causes", _("Causes of dissatisfaction"),
              (_("Group"), _("Name"), _("Remarks"), _("Type"), _("Keyword or phrase"),
               _("Remarks mentioning it"), _("Weight"), _("Quote 1"), _("Quote 2"),
               _("Quote 3")),
              _causes(report, say)),
        Sheet("callbacks", _("Callbacks"), (_("Figure"), _("Key"), _("Value"), _("Required")),
              _callbacks(m, say)),
        Sheet("demand", _("Services we lack"),
              (_("Service"), _("Requests"), _("Units"), _("Example 1"), _("Example 2"),
               _("Example 3")),
              [(d.service, d.count, d.units, *_pad(d.examples, 3)) for d in report.demand]),
    ]
    if m.fees is not None:
        result.append(Sheet("fees", _("Fees"), (_("Figure"), _("Key"), _("This month"),
                                                _("Last month")), _fees(m, p, say)))
    return result


def _cell(value: Any) -> Cell:
    if isinstance(value, float):
        return round(value, 2)
    return value  # type: ignore[no-any-return]


def _pad(values: Sequence[str], size: int) -> list[str | None]:
    return [*values[:size], *[None] * (size - len(values[:size]))]


def _requests(m: Month, p: Month, say: Callable[[Text], str]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for breakdown, key, now, before, name in (
            (_("kind"), "kind", m.by_kind, p.by_kind,
             lambda k: KIND_NAMES.get(k, Raw(k))),
            (_("trade"), "trade", m.by_trade, p.by_trade,
             lambda k: TRADE_NAMES.get(k, Raw(k))),
            (_("building"), "building", m.by_building, p.by_building, building_name),
            (_("status at month end"), "status", m.by_status, p.by_status,
             lambda k: STATUS_NAMES.get(k, Raw(k))),
            (_("complaint severity"), "severity",
             m.complaints.by_severity if m.complaints else {},
             p.complaints.by_severity if p.complaints else {},
             lambda k: SEVERITY_NAMES.get(k, Raw(k)))):
        for k in sorted(set(now) | set(before), key=lambda k: (-now.get(k, 0), k)):
            rows.append((say(breakdown), f"{key}:{k}", say(name(k)), now.get(k, 0),
                         before.get(k, 0)))
    return rows


def _times(m: Month, p: Month) -> list[tuple[Msg, str, Durations, Durations]]:
    return [(_("First reply, all requests"), "first_reply", m.first_reply, p.first_reply),
            (_("First reply, work orders"), "first_reply_orders", m.first_reply_orders,
             p.first_reply_orders),
            (_("First reply, front desk"), "first_reply_desk", m.first_reply_desk,
             p.first_reply_desk),
            (_("Acceptance"), "acceptance", m.acceptance, p.acceptance),
            (_("Completion"), "completion", m.completion, p.completion)]


def _clocks(m: Month) -> list[tuple[Msg, str, Clock]]:
    rows = [(_("Accepted within the dispatch deadline"), "dispatch", m.dispatch),
            (_("24-hour rule, work orders"), "response_orders", m.response_orders),
            (_("24-hour rule, front desk"), "response_desk", m.response_desk),
            (_("24-hour rule, all"), "response", m.response)]
    if m.complaints is not None:
        rows.append((_("Complaint clocks"), "complaints", m.complaints.clocks))
        rows += [(DUTIES.get(duty, _("Complaint clocks")), f"complaints:{duty}", clock)
                 for duty, clock in sorted(m.complaints.by_duty.items())]
    return rows


DUTIES: Final[dict[str, Msg]] = {
    "response": _("Complaints: a human word within 24 h"),
    "first_step": _("Complaints: taken up by the supervisor or director"),
    "answer": _("Complaints: a clear answer (major)"),
    "resolve": _("Complaints: resolved"),
    "verdict": _("Complaints: the resident's verdict"),
}


def _ratings(m: Month, say: Callable[[Text], str]) -> list[tuple[Cell, ...]]:
    def row(group: Text, name: str, r: Ratings) -> tuple[Cell, ...]:
        return (say(group), name, *r.counts, r.total,
                None if r.average is None else round(r.average, 2),
                None if r.satisfied_share is None else round(r.satisfied_share * 100, 1))

    rows = [row(_("overall"), "", m.ratings)]
    rows += [row(_("trade"), say(TRADE_NAMES.get(k, Raw(k))), r)
             for k, r in sorted(m.ratings_by_trade.items())]
    rows += [row(_("technician"), k, r) for k, r in sorted(m.ratings_by_technician.items())]
    return rows


SEVERITY_NAMES: Final[dict[str, Msg]] = {
    "major": _("major"), "important": _("important"), "minor": _("minor"),
    "-": _("not graded yet")}
DIMENSIONS: Final[dict[str, Msg]] = {
    "overall": _("overall"), "trade": _("trade"), "technician": _("technician"),
    "complaints": _("complaints")}


def _causes(report: Report, say: Callable[[Text], str]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for g in report.causes:
        name = say(TRADE_NAMES.get(g.name, Raw(g.name))) if g.dimension == "trade" else g.name
        for kind, causes in ((_("keyword"), g.keywords), (_("phrase"), g.phrases)):
            for c in causes:
                rows.append((say(DIMENSIONS[g.dimension]), name, g.remarks, say(kind), c.term,
                             c.mentions, c.weight, *_pad(c.quotes, 3)))
    return rows


def _callbacks(m: Month, say: Callable[[Text], str]) -> list[tuple[Cell, ...]]:
    cb = m.callbacks
    return [
        (say(_("Callbacks of the month")), "total", cb.total, None),
        (say(_("Done so far")), "done", cb.done, cb.total),
        (say(_("Closed, resident not reached")), "unreachable", cb.unreachable, None),
        (say(_("Waiting as phone tasks")), "phone_open", cb.phone_open, 0),
        (say(_("Last month's callbacks")), "previous_total", cb.previous_total, None),
        (say(_("Last month's, done by the due day")), "previous_done_by_due",
         cb.previous_done_by_due, cb.previous_total),
        (say(_("On site")), "onsite", cb.onsite, cb.onsite_needed),
        (say(_("Managers' spot checks")), "spot_checks", cb.spot_checks, cb.spot_checks_needed),
        (say(_("Phone tasks outstanding, all months")), "phone_outstanding",
         cb.phone_outstanding, 0),
    ]


def _fees(m: Month, p: Month, say: Callable[[Text], str]) -> list[tuple[Cell, ...]]:
    assert m.fees is not None
    before = p.fees
    rows: list[tuple[Cell, ...]] = [
        (say(_("Billed (yuan)")), "billed", m.fees.billed, before.billed if before else None),
        (say(_("Bills")), "bills", m.fees.bills, before.bills if before else None),
        (say(_("Collected (yuan)")), "collected", m.fees.collected,
         before.collected if before else None),
        (say(_("Payments")), "payments", m.fees.payments, before.payments if before else None),
        (say(_("Principal in arrears at month end (yuan)")), "arrears", m.fees.arrears,
         before.arrears if before else None),
        (say(_("Households in arrears")), "households_in_arrears",
         m.fees.households_in_arrears, before.households_in_arrears if before else None)]
    kinds = sorted(set(m.fees.notices) | set(before.notices if before else {}))
    rows += [(say(_("Notices sent: {kind}", kind=Raw(kind))), f"notices:{kind}",
              m.fees.notices.get(kind, 0), (before.notices.get(kind, 0) if before else None))
             for kind in kinds]
    return rows


# -- writing ------------------------------------------------------------------------------
def write_workbook(report: Report, path: Path, language: Language) -> Path:
    """The XLSX workbook: one sheet per section, header rows frozen, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets(report, language):
        ws = book.create_sheet(_sheet_title(render(sheet.title, language), book.sheetnames))
        ws.append([render(h, language) for h in sheet.header])
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            ws.append(list(row))
        ws.freeze_panes = "A2"
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column[:200])
            ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _sheet_title(title: str, taken: list[str]) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    title = title[:SHEET_TITLE_LIMIT]
    while title in taken:
        title = title[:SHEET_TITLE_LIMIT - 1] + "_"
    return title


def write_csv(report: Report, folder: Path, language: Language) -> list[Path]:
    """One CSV per sheet (UTF-8 with a BOM, so Excel opens the Chinese as Chinese)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in sheets(report, language):
        path = folder / f"{file_stem(report)}-{sheet.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([render(h, language) for h in sheet.header])
            writer.writerows(["" if c is None else c for c in row] for row in sheet.rows)
        paths.append(path)
    return paths
