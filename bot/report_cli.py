"""``frontline report``: the monthly service report (客户服务信息统计分析汇总表) in a folder —
PNG charts, an XLSX workbook, CSV files — and the chat message on the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.settings import Settings

errors = Console(stderr=True)


def report_command(
    month: Annotated[str | None, typer.Option(
        help="The month, YYYY-MM (default: the month before this one)")] = None,
    out: Annotated[Path, typer.Option(
        help="The folder for the charts, the workbook and the CSV files")] = Path("."),
    language: Annotated[str | None, typer.Option(
        help="zh_Hans | zh_Hant | en (default: the managers' chat's language)")] = None,
) -> None:
    """Make the monthly service report: charts (PNG), workbook (XLSX), CSV; print the message.

    Requests are counted as they stood at the month's end; callbacks as of now (they are
    due by the 10th of the next month). See handlers/monthly_report/figures.py for how each
    figure is derived.
    """
    # The report's desk (charts, workbook) loads only for this command.
    from bot.bootstrap import build_office, prepare_database
    from handlers.monthly_report.charts import MissingCJKFont
    from handlers.monthly_report.message import chat_message
    from handlers.monthly_report.months import month_label, parse_month
    from handlers.monthly_report.publish import make_report, managers_language
    from handlers.office.calendar import month_key, shift_month
    from locales import LANGUAGES, Language, parse_language, render

    chosen: Language | None = None
    if language is not None:
        chosen = parse_language(language)
        if chosen is None:
            errors.print(f"[red]Unknown language {language!r}; one of: "
                         f"{', '.join(LANGUAGES)}[/red]")
            raise typer.Exit(2)
    settings = Settings()
    prepare_database(settings)
    office = build_office(settings)
    try:
        key = parse_month(month) if month else shift_month(
            month_key(office.clock.now(), office.timezone), -1)
    except ValueError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    chosen = chosen or managers_language(office)
    try:
        report, files = make_report(office, key, out, language=chosen)
    except MissingCJKFont as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    sys.stdout.write(render(chat_message(report, office.rules), chosen) + "\n\n")
    errors.print(f"Report of {month_label(key)}: {len(files.all())} files in {files.folder}")
    for path in files.all():
        print(path)
