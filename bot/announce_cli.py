"""``frontline announce``: announcements and planned outages from a terminal.

``frontline announce --file notice.md [--audience …] [--at …] [--urgent]`` prepares one
(the preview goes to the managers' chat and is printed here); ``list``, ``show``, ``approve``,
``hold`` and ``recall`` follow it up. The announcement desk is imported by the
command that runs, so the CLI starts as fast as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli_support import fail as _fail
from bot.cli_support import office as _office
from bot.cli_support import print_json as _json

if TYPE_CHECKING:
    from dialogs.model import DraftAnnouncement

announce_app = typer.Typer(
    help="Announcements and planned outages: prepare one (--file), or follow one up.",
    invoke_without_command=True)
console = Console()
AUDIENCE_HELP = ("estate | buildings:1,3 | arrears | unmet[:words of the request] | staff | "
                 "trade:plumbing")


def _moment(text: str | None, name: str) -> str:
    from dialogs.announce import parse_moment

    if not text:
        return ""
    moment = parse_moment(text)
    if moment is None:
        raise _fail(f"{name} must be a local time like 2026-12-03 09:00, not {text!r}")
    return moment


def draft_of(text: str, audience: str, at: str | None, urgent: bool, photo: str,
             outage: str | None, starts: str | None, ends: str | None) -> DraftAnnouncement:
    """The terminal's options as the draft the bot's conversation would have produced."""
    from dialogs.announce import AUDIENCES, UTILITIES, parse_buildings
    from dialogs.model import DraftAnnouncement

    kind, _, detail = audience.partition(":")
    if kind not in AUDIENCES:
        raise _fail(f"unknown audience {audience!r}; one of: {AUDIENCE_HELP}")
    buildings: tuple[str, ...] = ()
    if kind == "buildings":
        found = parse_buildings(detail)
        if found is None:
            raise _fail("buildings:… needs building numbers, e.g. buildings:1,3")
        buildings = found
    if outage is not None and (outage not in UTILITIES or kind != "buildings"
                               or not starts or not ends):
        raise _fail(f"--outage {'|'.join(UTILITIES)} needs --audience buildings:… and "
                    "--from and --to")
    return DraftAnnouncement(
        text=text.strip(), photos=(photo,) if photo else (), audience=kind, buildings=buildings,
        trade=detail if kind == "trade" else "", service=detail if kind == "unmet" else "",
        utility=outage or "", starts=_moment(starts, "--from") if outage else "",
        ends=_moment(ends, "--to") if outage else "", send_at=_moment(at, "--at"),
        urgent=urgent)


@announce_app.callback()
def announce(
    context: typer.Context,
    file: Annotated[Path | None, typer.Option(
        "--file", help="The notice's text (Markdown or plain text), as residents read it")] = None,
    audience: Annotated[str, typer.Option(help=AUDIENCE_HELP)] = "estate",
    at: Annotated[str | None, typer.Option(
        "--at", help="Send from this local time (YYYY-MM-DD HH:MM); default: once approved")
    ] = None,
    urgent: Annotated[bool, typer.Option(help="May go out at night")] = False,
    photo: Annotated[str, typer.Option(help="A photo to send with it (file_id or path)")] = "",
    outage: Annotated[str | None, typer.Option(
        help="A planned outage of water | power | gas | lift (with --from, --to)")] = None,
    starts: Annotated[str | None, typer.Option("--from", help="Outage start, local")] = None,
    ends: Annotated[str | None, typer.Option("--to", help="Outage end, local")] = None,
    approve: Annotated[bool, typer.Option(
        help="Approve it at once (the office's own decision)")] = False,
) -> None:
    """Prepare an announcement from --file: the preview goes to the managers' chat."""
    if context.invoked_subcommand is not None:
        return
    if file is None:
        console.print(context.get_help())
        raise typer.Exit(0)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(f"cannot read {file}: {error}") from None
    from handlers.announcements import notices

    draft = draft_of(text, audience, at, urgent, photo, outage, starts, ends)
    office = _office()
    try:
        made = notices.prepare_from_cli(office, draft, approve=approve)
    except notices.NotPrepared as refused:
        raise _fail(str(refused)) from None
    [row] = notices.listing(office, made.id)
    console.print(row["preview"])


@announce_app.command("list")
def announce_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The latest announcements with their delivery figures."""
    from handlers.announcements import notices

    rows = notices.listing(_office())
    if as_json:
        _json(rows)
        return
    table = Table("id", "kind", "status", "audience", "send at", "recipients", "sent",
                  "blocked", "failed", "queued")
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], r["status"], r["audience"], r["send_at"],
                      str(r["total"]), str(r["sent"]), str(r["blocked"]), str(r["failed"]),
                      str(r["queued"]))
    console.print(table)


@announce_app.command("show")
def announce_show(announcement_id: int,
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One announcement: its figures and its preview."""
    from handlers.announcements import notices

    rows = notices.listing(_office(), announcement_id)
    if not rows:
        raise _fail(f"no announcement {announcement_id}")
    if as_json:
        _json(rows[0])
    else:
        console.print(rows[0]["preview"])
        console.print({k: v for k, v in rows[0].items() if k != "preview"})


def _decide(announcement_id: int, choice: str, correction: str = "") -> dict[str, int]:
    from handlers.announcements import notices

    try:
        return notices.decide_from_cli(_office(), announcement_id, choice, correction)
    except ValueError as error:
        raise _fail(str(error)) from None


@announce_app.command("approve")
def announce_approve(announcement_id: int) -> None:
    """Approve it: it goes out at its time, in daytime hours unless urgent."""
    _decide(announcement_id, "approve")
    console.print(f"announcement {announcement_id} approved")


@announce_app.command("hold")
def announce_hold(announcement_id: int) -> None:
    """Hold it: nothing more goes out until it is approved."""
    _decide(announcement_id, "hold")
    console.print(f"announcement {announcement_id} held")


@announce_app.command("recall")
def announce_recall(announcement_id: int, correction: Annotated[str, typer.Option(
        help="The corrected text: every resident whose copy arrived gets it (their copy "
             "is deleted too while Telegram lets us)")] = "") -> None:
    """Recall it: unsent copies stop, sent ones are deleted (or corrected when too old); with
    --correction every resident who got it gets the correction as well."""
    done = _decide(announcement_id, "recall", correction)
    console.print(f"announcement {announcement_id} recalled: {done['deleted']} deleted, "
                  f"{done['corrected']} corrected, {done['stopped']} stopped")
    if done["checking"]:
        console.print(f"  {done['checking']} of those stopped were going out at that moment: "
                      "any that arrived is deleted (or corrected) within minutes")
