"""``frontline fees``: the fee desk's terminal commands (finance, the cashier, the managers)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli_support import fail as _fail
from bot.cli_support import office as _office
from bot.cli_support import print_import_report as _report
from bot.cli_support import print_json as _json
from bot.cli_support import read_csv as _read_csv

fees_app = typer.Typer(help="Fees: bills, payments, statements, arrears, notice campaigns.",
                       no_args_is_help=True)
bills_app = typer.Typer(help="Bills per household and period.", no_args_is_help=True)
payments_app = typer.Typer(help="Payments received.", no_args_is_help=True)
campaign_app = typer.Typer(help="Notice campaigns of the ladder.", no_args_is_help=True)
ladder_app = typer.Typer(help="The fee ladder in force.", no_args_is_help=True)
fees_app.add_typer(bills_app, name="bills")
fees_app.add_typer(payments_app, name="payments")
fees_app.add_typer(campaign_app, name="campaign")
fees_app.add_typer(ladder_app, name="ladder")

console = Console()
errors = Console(stderr=True)


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{name} must be a date, YYYY-MM-DD (got {text!r})") from None


# -- bills --------------------------------------------------------------------------------
@bills_app.command("import")
def bills_import(
    file: Annotated[Path, typer.Argument(help="CSV: building,room,period_start,period_end,"
                                              "item,amount (UTF-8, header row)")],
) -> None:
    """Import finance's bills; a re-import updates amounts and never duplicates."""
    from handlers.fees import ledger

    rows = _read_csv(file, ledger.BILL_COLUMNS)
    _report(ledger.import_bills(_office(), rows), "created")


@bills_app.command("generate")
def bills_generate(
    on: Annotated[str | None, typer.Option(help="Bill the periods containing this day "
                                                "(default: today)")] = None,
) -> None:
    """Generate the management fee of each plan's current period from the roster's fees."""
    from handlers.fees import ledger
    from handlers.fees.ladder import period_containing
    from handlers.office.unit_of_work import UnitOfWork

    office = _office()
    day = _day(on, "--on") or ledger.office_day(office)
    ladder = ledger.ladder_of(office)
    with UnitOfWork(office) as uow:
        for plan, rule in ladder.plans.items():
            period = period_containing(rule.months, day)
            made = ledger.generate_bills(uow, plan, period, rule.months)
            console.print(f"{plan}: {made} bills for {period.label()}")
        uow.commit()


# -- statements and arrears ---------------------------------------------------------------
@fees_app.command("statement")
def statement(
    building: str, room: str,
    on: Annotated[str | None, typer.Option("--on", help="As of this day, YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """A household's bills with principal, paid and late fee as of a day, and the total due:
    the same figures the resident sees."""
    from handlers.fees.views import unit_statement

    data = unit_statement(_office(), building, room, _day(on, "--on"))
    if data is None:
        raise _fail(f"No household {building}-{room} on the roster")
    if as_json:
        _json(data)
        return
    table = Table("period", "item", "principal", "paid", "late fee",
                  title=f"{data['unit']} {data['name']} · as of {data['as_of']}")
    for bill in data["bills"]:
        table.add_row(f"{bill['period_start']}–{bill['period_end']}",
                      bill["work_order"] or bill["item"], bill["principal"], bill["paid"],
                      bill["late_fee"])
    console.print(table)
    console.print(f"Total due: {data['total_due']} (late fee {data['late_fee']}, "
                  f"credit {data['credit']})")


@fees_app.command("history")
def fee_history(
    building: str, room: str,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """A household's fee history: bills, payments, notices, disputes, receipts, tasks."""
    from handlers.fees import ledger

    data = ledger.history(_office(), building, room)
    if data is None:
        raise _fail(f"No household {building}-{room} on the roster")
    if as_json:
        _json(data)
        return
    table = Table("at", "what", "detail", title=f"{data['unit']} {data['name']} ({data['plan']})")
    for event in data["events"]:
        detail = {k: v for k, v in event.items() if k not in ("at", "what") and v}
        table.add_row(event["at"] or "", event["what"], json.dumps(detail, ensure_ascii=False))
    console.print(table)


@fees_app.command("arrears")
def arrears(
    building: Annotated[str | None, typer.Option(help="Only this building")] = None,
    on: Annotated[str | None, typer.Option("--on", help="As of this day, YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV output")] = False,
) -> None:
    """Households that owe, with what is overdue, the late fee and the total due."""
    from handlers.fees import ledger, tasks

    rows = ledger.arrears(_office(), building, _day(on, "--on"))
    if as_csv:
        sys.stdout.write(tasks.as_csv(rows))
        return
    if as_json:
        _json(rows)
        return
    table = Table("unit", "name", "phone", "plan", "overdue", "late fee", "total due", "since")
    for row in rows:
        table.add_row(row["unit"], row["name"], row["phone"], row["plan"],
                      row["overdue_principal"], row["late_fee"], row["total_due"],
                      row["oldest_unpaid"] or "")
    console.print(table)


@fees_app.command("waive")
def waive(
    building: str, room: str,
    period_start: Annotated[str, typer.Argument(help="The bill's period start, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="Why (kept with the waiver)")],
    manager: Annotated[str, typer.Option(help="The manager's name or Telegram id")],
    amount: Annotated[str | None, typer.Option(help="Only this much (default: all of it "
                                                    "so far)")] = None,
) -> None:
    """A manager waives a period's late fee, with a reason."""
    from handlers.fees import ledger
    from handlers.fees.money import yuan

    day = _day(period_start, "PERIOD_START")
    assert day is not None
    try:
        waived = ledger.waive_late_fee(_office(), building, room, day, reason, manager, amount)
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print(f"Waived {yuan(waived)} of late fee for {building}-{room}.")


@fees_app.command("tasks")
def fee_tasks(
    kind: Annotated[str | None, typer.Option(help="phone|letter|door|legal|collect")] = None,
    state: Annotated[str | None, typer.Option(help="planned|open|done")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV output (e.g. the letters)")] = False,
) -> None:
    """The formal follow-up list: phone calls, letters, door visits, legal steps, collections."""
    from handlers.fees import tasks

    rows = tasks.tasks_list(_office(), kind, state)
    if as_csv:
        sys.stdout.write(tasks.as_csv(rows))
        return
    if as_json:
        _json(rows)
        return
    table = Table("task", "kind", "state", "outcome", "unit", "name", "phone", "amount", "due")
    for row in rows:
        table.add_row(str(row["task"]), row["kind"], row["state"], row["outcome"],
                      f"{row['building']}-{row['room']}", row["name"], row["phone"],
                      row["amount"], row["due_on"] or "")
    console.print(table)


# -- payments -----------------------------------------------------------------------------
@payments_app.command("record")
def payments_record(
    building: str, room: str, amount: str,
    paid_at: Annotated[str | None, typer.Option(help="YYYY-MM-DD[ HH:MM] (default: "
                                                     "today)")] = None,
    receipt: Annotated[str | None, typer.Option(help="The receipt number")] = None,
) -> None:
    """Record one payment: it pays the oldest bill first and stops pending notices."""
    from handlers.fees import ledger
    from handlers.fees.money import yuan

    try:
        result = ledger.record_at_desk(_office(), building, room, amount, paid_at, receipt)
    except ValueError as error:
        raise _fail(str(error)) from None
    if result.duplicate:
        console.print(f"Receipt {receipt} was already recorded; nothing changed.")
        return
    console.print(f"Recorded {amount} for {building}-{room}; total due now "
                  f"{yuan(result.statement.total_due)}; {result.stopped} pending notice(s) "
                  "stopped.")


@payments_app.command("import")
def payments_import(
    file: Annotated[Path, typer.Argument(help="CSV: building,room,amount,paid_at,receipt_no")],
) -> None:
    """Import the cashier's or the bank's payments; receipt_no makes a re-import a no-op."""
    from handlers.fees import ledger

    rows = _read_csv(file, ledger.PAYMENT_COLUMNS)
    _report(ledger.import_payments(_office(), rows), "recorded")


# -- campaigns ----------------------------------------------------------------------------
@campaign_app.command("show")
def campaign_show(
    campaign_id: Annotated[int | None, typer.Argument(help="One campaign, with its "
                                                           "preview")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Prepared campaigns: households, totals per building, status, what became of each."""
    from handlers.fees import campaigns

    rows = campaigns.campaigns(_office(), campaign_id)
    if as_json:
        _json(rows)
        return
    table = Table("id", "notice", "plan", "date", "period", "households", "total", "status",
                  "notices")
    for row in rows:
        table.add_row(str(row["id"]), row["kind"], row["plan"], row["notice_date"],
                      f"{row['period_start']}–{row['period_end']}", str(row["households"]),
                      row["total"], row["status"], json.dumps(row["notices"]))
    console.print(table)
    if campaign_id is not None and rows:
        console.print(rows[0]["preview"])


def _decide(choice: str) -> Callable[..., None]:
    def command(campaign_id: int) -> None:
        from handlers.fees import campaigns

        try:
            campaign = campaigns.decide_from_cli(_office(), campaign_id, choice)
        except ValueError as error:
            raise _fail(str(error)) from None
        console.print(f"Campaign {campaign_id} is now {campaign.status}.")
    command.__doc__ = {"approve": "Approve a campaign (the office's own approval).",
                       "hold": "Hold a campaign: nothing more goes out."}[choice]
    return command


campaign_app.command("approve")(_decide("approve"))
campaign_app.command("hold")(_decide("hold"))


@campaign_app.command("exclude")
def campaign_exclude(
    campaign_id: int,
    units: Annotated[list[str], typer.Argument(help="BUILDING-ROOM, e.g. 3-1202")],
) -> None:
    """Leave households out of a campaign before their notices go."""
    from handlers.fees import campaigns

    pairs = []
    for unit in units:
        building, sep, room = unit.partition("-")
        if not sep or not building or not room:
            raise _fail(f"{unit!r} is not BUILDING-ROOM")
        pairs.append((building, room))
    try:
        campaigns.decide_from_cli(_office(), campaign_id, "exclude", pairs)
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print(f"Excluded {len(pairs)} household(s) from campaign {campaign_id}.")


@ladder_app.command("show")
def ladder_show(
    year: Annotated[int | None, typer.Option(help="List every notice date of this year")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The ladder in force (the office's file or the manual's) and its notice dates."""
    from handlers.fees.ladder import load_ladder, notices_in_year
    from handlers.office.rules import load_rules

    try:
        ladder = load_ladder(load_rules().fee_ladder_path)
    except (ValueError, OSError) as error:
        raise _fail(f"The fee ladder is not valid: {error}") from None
    notices = [{"date": n.on.isoformat(), "plan": n.plan, "notice": n.kind,
                "period_start": n.period.start.isoformat(),
                "period_end": n.period.end.isoformat(), "pay_by": n.pay_by.isoformat()}
               for n in notices_in_year(ladder, year or date.today().year)]
    if as_json:
        _json({"ladder": ladder.model_dump(mode="json"), "notices": notices})
        return
    console.print_json(json.dumps(ladder.model_dump(mode="json"), ensure_ascii=False))
    table = Table("date", "plan", "notice", "period", "pay by")
    for n in notices:
        table.add_row(n["date"], n["plan"], n["notice"],
                      f"{n['period_start']}–{n['period_end']}", n["pay_by"])
    console.print(table)
