"""The README keeps step with the code: its settings table is the one generated from the
models, it documents every setting, and it points at nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from bot.settings_table import BEGIN, END, settings_markdown, settings_rows
from handlers.office.rules import OfficeRules

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "the README has lost its settings table markers"
    return text[text.index(BEGIN):text.index(END) + len(END)] + "\n"


def test_the_readme_settings_table_is_the_generated_one() -> None:
    assert _readme_table() == settings_markdown(), (
        "README.md's settings table is out of date: paste the output of "
        "`uv run frontline settings --markdown` over it (markers included)")


def test_every_setting_and_rule_has_a_row_with_a_meaning() -> None:
    variables = {variable for variable, _, meaning in settings_rows() if meaning.strip()}
    for name in Settings.model_fields:
        assert f"FRONTLINE_{name.upper()}" in variables, name
    for name in OfficeRules.model_fields:
        assert any(v == f"FRONTLINE_{name.upper()}" or v.startswith(
            f"FRONTLINE_{name.upper()}__") for v in variables), name
    for named in ("WEBHOOK_SECRET", "WEBHOOK_LISTEN", "SEND_RATE_PER_SECOND",
                  "PRIVATE_CHAT_PER_SECOND", "GROUP_CHAT_PER_MINUTE"):
        assert f"| `FRONTLINE_{named}` |" in _readme_table(), named


def test_the_command_prints_the_same_table() -> None:
    result = CliRunner().invoke(app, ["settings", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout == settings_markdown()


def test_the_readme_points_at_nothing_outside_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"\.\./", text), "README.md links a path outside the repository"
    for target in re.findall(r"\]\(([^)#]+)\)", text):  # Markdown links to files
        if "://" not in target:
            assert (README.parent / target).exists(), target


def test_triage_jsonl_is_documented_as_reading_stdin() -> None:
    text = README.read_text(encoding="utf-8")
    assert "triage --jsonl <" in text and "--jsonl for a file" not in text
