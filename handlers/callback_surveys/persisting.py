"""Does a resident's callback comment say the fault persists ("the ceiling is still leaking",
"还是漏", "仲係漏水")? Read with triage's normaliser against the office's own concept list
(``OfficeRules.fault_persists_path``), so a new way of saying it is one line of YAML."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

import yaml

from dialogs.triage import Concepts, compile_concepts, concept_signal
from handlers.office import Office

DEFAULT_PATH: Final = Path(__file__).parent / "data" / "fault_persists.yaml"


@cache
def load_concepts(path: Path | None = None) -> Concepts:
    """The office's list (default: the shipped one), compiled once per process; a broken file
    raises ValueError naming it."""
    source = path or DEFAULT_PATH
    try:
        return compile_concepts(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{source}: not a usable concept list ({error})") from error


def fault_persists(office: Office, text: str) -> bool:
    """True when *text* says the repaired fault is still there (not a worry or a what-if)."""
    return concept_signal(load_concepts(office.rules.fault_persists_path), text).sure is not None
