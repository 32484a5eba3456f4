"""``frontline``: the office's command line (Typer + Rich)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.announce_cli import announce_app
from bot.cli_support import fail as _fail
from bot.cli_support import office as _office
from bot.cli_support import print_import_report, read_csv
from bot.fees_cli import fees_app
from bot.report_cli import report_command
from bot.run_cli import run_command
from bot.sandbox.command import sandbox
from bot.settings import Settings
from bot.settings_table import settings_command
from scheduler.cli import jobs_command

# The handlers (SQLAlchemy, the office's rules) are imported inside each command that uses
# them, so `frontline run` without a token, or `--help`, answers at once; a regression test
# (tests/unit/test_lazy_imports.py) keeps it that way.

app = typer.Typer(help="Frontline — the property office's Telegram front desk.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
households_app = typer.Typer(help="The household roster.", no_args_is_help=True)
invite_app = typer.Typer(help="One-time invite codes for staff and group chats.",
                         no_args_is_help=True)
staff_app = typer.Typer(help="The office's staff: who works here, removing someone who left.",
                        no_args_is_help=True)
orders_app = typer.Typer(help="Work orders.", no_args_is_help=True)
complaints_app = typer.Typer(help="Complaints (投诉) and their clocks.", no_args_is_help=True)
rules_app = typer.Typer(help="The office's rules: deadlines, windows, quotas.",
                        no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(households_app, name="households")
app.add_typer(invite_app, name="invite")
app.add_typer(staff_app, name="staff")
app.add_typer(orders_app, name="orders")
app.add_typer(complaints_app, name="complaints")
app.add_typer(rules_app, name="rules")
app.add_typer(fees_app, name="fees")
app.add_typer(announce_app, name="announce")
app.command("run")(run_command)
app.command("sandbox")(sandbox)
app.command("settings")(settings_command)
app.command("report")(report_command)
app.command("jobs")(jobs_command(lambda: _office()))

console = Console()
errors = Console(stderr=True)
REQUIRED_COLUMNS = ("building", "room", "name", "phone")


@rules_app.command("show")
def rules_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the rules in force and where each value came from (default, file, environment)."""
    from handlers.office.rules import load_rules, rules_in_force

    try:
        rows = rules_in_force(load_rules())
    except (ValueError, OSError) as error:
        raise _fail(f"The office's rules are not valid: {error}") from None
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("rule", "value", "meaning", "from")
    for row in rows:
        table.add_row(row["rule"], row["value"], row["meaning"], row["from"])
    console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or upgrade it to the latest schema."""
    from bot.bootstrap import prepare_database

    settings = Settings()
    prepare_database(settings)
    console.print(f"Database is up to date: {settings.database_url}")


@households_app.command("import")
def households_import(
    file: Annotated[Path, typer.Argument(help="CSV: building,room,name,phone"
                                              "[,fee_plan,monthly_fee], UTF-8, header row")],
) -> None:
    """Import or update households; bad rows are reported and the rest still import."""
    from rich.progress import Progress

    from handlers.office.imports import ImportReport
    from handlers.registration import roster

    rows = read_csv(file, REQUIRED_COLUMNS, "building,room,name,phone[,fee_plan,monthly_fee]")
    office = _office()
    report = ImportReport()
    with Progress(console=errors, transient=True, disable=len(rows) < 500) as progress:
        task = progress.add_task("Importing", total=len(rows))
        for start in range(0, len(rows), 500):
            roster.import_households(office, rows[start:start + 500], report)
            progress.advance(task, len(rows[start:start + 500]))
    if report.unlinked:
        console.print(f"{report.unlinked} chats unlinked from units the roster now lists for "
                      "someone else (each was told)")
    print_import_report(report)


@households_app.command("codes")
def households_codes(
    out: Annotated[Path | None, typer.Option(help="Write building,room,code to this CSV")] = None,
) -> None:
    """Print a one-time binding code for each household (for letters or door notices)."""
    from handlers.registration import roster

    codes = roster.household_codes(_office())
    if out is not None:
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["building", "room", "code"])
            writer.writerows(codes)
        console.print(f"{len(codes)} codes written to {out}")
        return
    table = Table("building", "room", "code")
    for row in codes:
        table.add_row(*row)
    console.print(table)


def _print_invite(code: str) -> None:
    username = Settings().bot_username
    if username:
        console.print(f"Link: https://t.me/{username}?start={code}")
    print(code)  # the bare code alone on the last line, for office scripts


@invite_app.command("staff")
def invite_staff(
    role: Annotated[str, typer.Option(help="technician|dispatcher|manager|admin|butler")],
    trade: Annotated[list[str] | None, typer.Option(help="A trade (repeatable)")] = None,
    name: Annotated[str, typer.Option(help="The staff member's name")] = "",
    rank: Annotated[str, typer.Option(help="A manager's rank: supervisor|director")] = "",
) -> None:
    """A one-time code a staff member sends as /start CODE to the bot."""
    from handlers.registration import roster

    try:
        code = roster.create_invite(_office(), "staff", role, trade or [], name, rank)
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print(f"Staff invite for {name or role}: send /start {code} to the bot.")
    _print_invite(code)


@invite_app.command("group")
def invite_group(
    trade: Annotated[list[str] | None, typer.Option(help="A trade whose job board this group is "
                                                     "(repeatable)")] = None,
    role: Annotated[str | None, typer.Option(help="dispatch|managers|emergency")] = None,
) -> None:
    """A one-time code a staff member sends as /bindgroup CODE in a group chat."""
    from handlers.registration import roster

    if bool(trade) == (role is not None):
        raise _fail("Give --trade (one or more) or --role, not both.")
    try:
        code = roster.create_invite(_office(), "group", role or "", trade or [])
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print("In the group chat, a registered staff member sends: "
                  f"/bindgroup {code}")
    print(code)


@staff_app.command("list")
def staff_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Everyone who works for the office, with the jobs each holds now."""
    from handlers.registration import roster

    rows = roster.list_staff(_office())
    table = Table("name", "role", "telegram id", "trades", "on shift", "jobs")
    for row in rows:
        table.add_row(row["name"], row["role"], str(row["telegram_user_id"] or ""),
                      ", ".join(row["trades"]), "yes" if row["on_shift"] else "no",
                      str(row["jobs"]))
    _emit(rows, as_json, table)


@staff_app.command("remove")
def staff_remove(
    who: Annotated[str, typer.Argument(help="The staff member's name or Telegram id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
    by: Annotated[str, typer.Option(help="Who removes them, for the event log "
                                         "(default: this computer's user)")] = "",
) -> None:
    """Remove someone who no longer works for the office: their staff buttons stop working
    at once, and every job they hold goes back to the dispatcher to assign."""
    import getpass

    from handlers.registration import roster

    office = _office()
    try:
        person_id = roster.find_staff(office, who)
    except ValueError as error:
        raise _fail(str(error)) from None
    jobs = roster.staff_jobs(office, person_id)
    console.print(f"Remove {who} from the staff. "
                  + (f"These jobs go back to dispatch: {', '.join(jobs)}" if jobs else
                     "They hold no jobs."))
    if not yes and not typer.confirm("Remove?", default=False):
        raise _fail("Nothing was changed.")
    try:
        handed = roster.remove_staff(office, person_id, by or getpass.getuser())
    except ValueError as error:
        raise _fail(str(error)) from None
    console.print(f"Removed {who}; {len(handed)} jobs went back to dispatch"
                  + (f": {', '.join(handed)}" if handed else "."))


def _emit(data: Any, as_json: bool, table: Table | None = None) -> None:
    if as_json or table is None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(table)


@orders_app.command("list")
def orders_list(
    status: Annotated[str | None, typer.Option(help="Only this status")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """List work orders, newest first."""
    from handlers.work_orders import records

    if status is not None and status not in records.ORDER_STATUSES:
        raise _fail(f"Unknown status {status!r}; one of: {', '.join(records.ORDER_STATUSES)}")
    orders = records.list_orders(_office(), status)
    table = Table("number", "kind", "status", "trade", "unit", "assignee", "created_at")
    for o in orders:
        table.add_row(o["number"], o["kind"], o["status"], o["trade"], o["unit"] or o["place"],
                      o["assignee"] or "", o["created_at"])
    _emit(orders, as_json, table)


@orders_app.command("show")
def orders_show(
    number: str,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """One work order with its full history."""
    from handlers.work_orders import records

    order = records.show_order(_office(), number)
    if order is None:
        raise _fail(f"No work order {number}")
    table = Table("at", "action", "actor", "chat", "detail", title=f"{number} · {order['status']}")
    for e in order["events"]:
        table.add_row(e["at"], e["action"], e["actor"] or str(e["telegram_user_id"] or ""),
                      str(e["chat_id"] or ""), json.dumps(e["detail"], ensure_ascii=False))
    _emit(order, as_json, table)


@app.command("triage")
def triage_command(
    text: Annotated[str | None, typer.Argument(
        help="A resident's message; or `train` to rebuild the triage model")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Read JSON lines with a \"text\" "
                                        "field on stdin; write one result per line")] = False,
    cv: Annotated[bool, typer.Option("--cv", help="train: also print 5-fold "
                                     "cross-validation figures")] = False,
    check: Annotated[bool, typer.Option("--check", help="train: only check that the "
                                        "model file is up to date")] = False,
) -> None:
    """Show how Frontline reads a message: intent, trade, location, emergency …

    `frontline triage train` rebuilds dialogs/triage/data/model.json.gz from the corpus and
    the labelled set (same input, same file; needs the dev dependencies).
    """
    from dialogs.triage import triage

    if text == "train" and not jsonl:
        from dialogs.triage.cli import train_command

        raise typer.Exit(train_command(cv=cv, check=check, out=console.print))
    if jsonl == (text is not None):
        raise _fail("Give a TEXT, or --jsonl with JSON lines on stdin.")
    if text is not None:
        sys.stdout.write(json.dumps(triage(text).as_dict(), ensure_ascii=False) + "\n")
        return
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            message = record["text"]
            if not isinstance(message, str):
                raise TypeError("text is not a string")
        except (ValueError, KeyError, TypeError) as error:
            errors.print(f"line {number}: {error!r}; expected {{\"text\": \"…\"}}")
            sys.stdout.write(json.dumps({"error": f"line {number}: no text"}) + "\n")
            continue
        sys.stdout.write(json.dumps(triage(message).as_dict(), ensure_ascii=False) + "\n")


HR_HELP = "admin/HR: include complaints about the service centre (hidden from the desk)"


@complaints_app.command("list")
def complaints_list(
    status: Annotated[str | None, typer.Option(help="new|open|paused|resolved|closed")] = None,
    severity: Annotated[str | None, typer.Option(help="major|important|minor")] = None,
    hr: Annotated[bool, typer.Option("--hr", help=HR_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """List complaints, newest first."""
    from handlers.front_desk import complaint_records

    try:
        rows = complaint_records.list_complaints(_office(), status, severity, hr=hr)
    except ValueError as error:
        raise _fail(str(error)) from None
    table = Table("number", "severity", "status", "owner", "unit", "what", "created_at")
    for c in rows:
        table.add_row(c["number"], c["severity"] or "-", c["status"], c["owner_level"],
                      c["unit"] or "", c["what"][:40], c["created_at"])
    _emit(rows, as_json, table)


@complaints_app.command("show")
def complaints_show(
    number: str,
    hr: Annotated[bool, typer.Option("--hr", help=HR_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """One complaint with its clocks and its full history."""
    from handlers.front_desk import complaint_records

    found = complaint_records.show_complaint(_office(), number, hr=hr)
    if found is None:
        raise _fail(f"No complaint {number}")
    table = Table("at", "action", "actor", "detail", title=f"{number} · {found['status']}")
    for e in found["events"]:
        table.add_row(e["at"], e["action"], e["actor"] or "",
                      json.dumps(e["detail"], ensure_ascii=False))
    _emit(found, as_json, table)


@app.command("demand")
def demand(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Services residents asked for that the office does not offer yet."""
    from handlers.requests import unmet_demand

    rows = unmet_demand.list_demand(_office())
    table = Table("at", "name", "unit", "request")
    for row in rows:
        table.add_row(row["at"], row["name"], row["unit"] or "", row["request"])
    _emit(rows, as_json, table)


def main() -> None:
    app()

