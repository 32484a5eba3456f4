"""What an import of the office's files did (the roster, finance's bills, the cashier's
payments): rows created, updated, left as they were, and the lines rejected with why."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """One import's counts; ``errors`` holds (line number, reason) of each rejected row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: int = 0  # chats unlinked from a unit the roster now lists for someone else
    errors: list[tuple[int, str]] = field(default_factory=list)
