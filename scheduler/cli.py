"""``frontline jobs``: the office's view of what the bot is about to do.

The command is made here and registered by ``bot/cli.py``, which passes in how to open the
office: the scheduler package never imports bot/ (the composition root).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the agenda and the office are imported when the command runs
    from rich.console import Console

    from handlers.office import Office
    from scheduler.agenda import Planned


def jobs_command(open_office: Callable[[], Office]) -> Callable[..., None]:
    """The ``jobs`` command, reading the office that *open_office* builds from the settings."""

    def jobs(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
        = False,
        limit: Annotated[int, typer.Option(help="Show at most this many items, soonest first.")]
        = 200,
    ) -> None:
        """List what is scheduled: surveys, deadlines, escalations, monthly duties."""
        office = open_office()
        try:
            print_jobs(office, as_json=as_json, limit=limit)
        finally:
            office.engine.dispose()

    return jobs


def print_jobs(office: Office, *, as_json: bool = False, limit: int = 200,
               console: Console | None = None) -> None:
    """Print the agenda as a table (with totals by kind) or as JSON."""
    from rich.console import Console
    from rich.table import Table

    from scheduler.agenda import agenda, render_text

    items, counts = agenda(office, limit=max(limit, 1))
    if as_json:
        typer.echo(json.dumps([item.as_json(office.timezone) for item in items],
                              ensure_ascii=False, indent=2))
        return
    console = console or Console()
    table = Table(title=f"Scheduled ({office.timezone.key}, now "
                        f"{office.clock.now().astimezone(office.timezone):%Y-%m-%d %H:%M})")
    for column in ("due", "kind", "target", "window", "what happens"):
        table.add_column(column)
    for row in render_text(items, office):
        table.add_row(*row)
    console.print(table)
    console.print(_totals(items, counts))


def _totals(items: list[Planned], counts: dict[str, int]) -> str:
    total = sum(counts.values())
    by_kind = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()) if n)
    return f"Showing {len(items)} of {total}: {by_kind or 'nothing scheduled'}."
