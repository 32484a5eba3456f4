"""What every ``frontline`` command shares: the office from the settings, a refusal on stderr,
JSON on stdout. Nothing heavy is imported until a command asks for the office."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from bot.settings import Settings

if TYPE_CHECKING:
    from handlers.office import Office

errors = Console(stderr=True)


def office() -> Office:
    """The office of this installation, its database brought up to date first."""
    from bot.bootstrap import build_office, prepare_database

    settings = Settings()
    prepare_database(settings)
    return build_office(settings)


def fail(message: str) -> typer.Exit:
    """Say what is wrong on stderr; raise the result (exit code 2, nothing changed)."""
    errors.print(f"[red]{message}[/red]")
    return typer.Exit(2)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
