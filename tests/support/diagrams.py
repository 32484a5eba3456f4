"""Read the Mermaid state diagrams beside the dialogs (``dialogs/*.mmd``): states and arrows.

Only what the diagram tests need: ``A --> B`` and ``A --> B: label`` lines of a
``stateDiagram-v2``; ``%%`` comments and ``note … end note`` blocks are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.support.transcripts import START, Move

ARROW = re.compile(r"^\s*(\S+)\s+-->\s+([^\s:]+)\s*(?::.*)?$")


@dataclass(frozen=True, slots=True)
class Diagram:
    states: frozenset[str]
    arrows: frozenset[Move]


def read(path: Path) -> Diagram:
    """The states and arrows drawn in the diagram at *path*."""
    arrows: set[Move] = set()
    in_note = False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("note "):
            in_note = True
        if in_note:
            in_note = stripped != "end note"
            continue
        if stripped.startswith("%%") or not stripped:
            continue
        found = ARROW.match(line)
        if found:
            arrows.add(Move(found[1], found[2]))
    states = {end for arrow in arrows for end in (arrow.source, arrow.target)} - {START}
    return Diagram(frozenset(states), frozenset(arrows))


def not_drawn(diagram: Diagram, moves: Iterable[Move],
              name: Callable[[str], str] = str) -> set[Move]:
    """The *moves* (steps named as the diagram names them by *name*) that have no arrow."""
    named = {Move(_name(m.source, name), _name(m.target, name)) for m in moves}
    return named - diagram.arrows


def _name(step: str, name: Callable[[str], str]) -> str:
    return step if step == START else name(step)
