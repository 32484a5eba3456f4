"""What every ``frontline`` command shares: the office from the settings, a refusal on stderr,
JSON on stdout. Nothing heavy is imported until a command asks for the office."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from bot.settings import Settings

if TYPE_CHECKING:
    from handlers.office import Office
    from handlers.office.imports import ImportReport

errors = Console(stderr=True)
console = Console()


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


def read_csv(file: Path, columns: tuple[str, ...],
             header: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """The rows of an office's UTF-8 CSV, numbered by their line; the file is refused as a
    whole (nothing imported) when it cannot be read or lacks one of *columns*. *header* is
    the header line the message asks for (default: the columns)."""
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise fail(f"Cannot read {file}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise fail(f"{file} is not UTF-8 text (Excel: save as \"CSV UTF-8\"). "
                   "Nothing was imported.") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise fail(f"{file}: missing column(s) {', '.join(missing)}; the header must be "
                   f"{header or ','.join(columns)}. Nothing was imported.")
    return list(enumerate(reader, start=2))


def print_import_report(report: ImportReport, created: str = "created") -> None:
    """Each rejected line on stderr, the counts on stdout; exit 1 if a line was rejected."""
    for line, reason in report.errors:
        errors.print(f"line {line}: {reason}")
    console.print(f"{report.created} {created}, {report.updated} updated, {report.unchanged} "
                  f"unchanged, {len(report.errors)} rejected")
    if report.errors:
        raise typer.Exit(1)
