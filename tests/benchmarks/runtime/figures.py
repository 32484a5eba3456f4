"""What a run prints, and what it keeps for the summary: every figure of every run, so the
summary and the lines above it read the same numbers."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

Key = tuple[str, ...]  # e.g. ("throughput", "aiogram", "sqlite", "frontline")


@dataclass
class Figures:
    lines: list[str] = field(default_factory=list)
    runs: dict[Key, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, label: str, value: str) -> None:
        line = f"{label:<72} {value}"
        self.lines.append(line)
        print(line, flush=True)

    def note(self, key: Key, value: float) -> None:
        """Keep one run's figure under *key*."""
        self.runs[key].append(value)

    def median(self, key: Key) -> float | None:
        values = self.runs.get(key)
        return statistics.median(values) if values else None


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    """min / median / max of fresh runs: one quiet run alone says little on a shared box."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f} {unit}"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:.{digits}f} / {mid:.{digits}f} / {high:.{digits}f} {unit}"


def percentile(ordered: list[float], share: float) -> float:
    """The value below which *share* of the sorted *ordered* lie (nan for none)."""
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share) - 1))]
