"""The README's tables say what the code does: the statuses, and where each rule lives."""

from __future__ import annotations

import re
from pathlib import Path

from dialogs.statuses import Status
from handlers.office.rules import OfficeRules

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table_after(heading: str) -> list[list[str]]:
    """The first table under *heading*: its body rows, split into cells."""
    lines = README.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i, line in enumerate(lines[start:], start) if not line.startswith("|")),
               len(lines))
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in lines[start + 2:end]]


def test_the_status_table_lists_exactly_the_statuses() -> None:
    listed = [row[0].strip("`") for row in _table_after("## Work orders")]
    assert listed == [status.value for status in Status]


def _rule_names(model: type[OfficeRules]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        nested = info.annotation
        if isinstance(nested, type) and hasattr(nested, "model_fields"):
            names.update(f"{name}.{sub}" for sub in nested.model_fields)
            names.update(f".{sub}" for sub in nested.model_fields)
    return names


def test_every_rule_names_a_file_that_exists_and_a_setting_that_does() -> None:
    rows = _table_after("## Where the rules live")
    assert len(rows) >= 20
    known = _rule_names(OfficeRules)
    for rule, files, setting in rows:
        for path in re.findall(r"`([^`]+)`", files):
            assert (ROOT / path).is_file(), f"{rule}: {path} does not exist"
        for name in re.findall(r"`([^`]+)`", setting):
            assert name in known, f"{rule}: {name} is not a setting of OfficeRules"
