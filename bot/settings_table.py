"""Every ``FRONTLINE_*`` variable with its default and meaning, from the models themselves.

``frontline settings --markdown`` prints the table the README carries between its
``settings table`` markers; ``tests/unit/test_readme_settings.py`` fails when the two differ,
so a new setting or rule cannot go undocumented.
"""

from __future__ import annotations

import typing
from datetime import time
from typing import Annotated, Any, Literal

import typer
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from bot.settings import Settings

BEGIN = "<!-- settings table: `uv run frontline settings --markdown` prints it -->"
END = "<!-- end of the settings table -->"
RULES_PATH_MEANING = ("the office's rules file (YAML, keys as the rules below, nested ones "
                      "as `callback_windows: {leak: 4}`); a variable wins over the file")


def _default(value: Any) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or value == "":
        return "—"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _meaning(info: FieldInfo) -> str:
    meaning = info.description or ""
    extra = info.json_schema_extra
    manual = extra.get("manual") if isinstance(extra, dict) else None
    if typing.get_origin(info.annotation) is Literal:
        meaning += f"; one of: {', '.join(str(a) for a in typing.get_args(info.annotation))}"
    if manual:
        meaning += f" ({manual})"
    return meaning


def settings_rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for the installation's settings, then the office's rules."""
    # Here, not at the top: importing the handlers costs the whole CLI's start-up.
    from handlers.office.rules import ENV_PREFIX, RULES_PATH_VARIABLE, OfficeRules

    rows = [(ENV_PREFIX + name.upper(), _default(info.get_default(call_default_factory=True)),
             _meaning(info)) for name, info in Settings.model_fields.items()]
    rows.append((RULES_PATH_VARIABLE, "—", RULES_PATH_MEANING))

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            default = info.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                walk(type(default), f"{prefix}{name.upper()}__")
                continue
            rows.append((prefix + name.upper(), _default(default), _meaning(info)))

    walk(OfficeRules, ENV_PREFIX)
    return rows


def settings_markdown() -> str:
    """The README's settings table, markers included."""
    lines = [BEGIN, "| variable | default | meaning (unit) |", "|---|---|---|"]
    for variable, default, meaning in settings_rows():
        cells = (f"`{variable}`", f"`{default}`" if default != "—" else default, meaning)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def settings_command(
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print the README's table (Markdown).")] = False,
) -> None:
    """Every FRONTLINE_* setting and office rule: its default and what it means."""
    if markdown:
        typer.echo(settings_markdown(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("variable", "default", "meaning (unit)")
    for row in settings_rows():
        table.add_row(*row)
    Console().print(table)
