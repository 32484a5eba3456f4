"""How well typed visit times are read: ``uv run python tests/benchmarks/visit_times_bench.py
[file.jsonl]`` (default tests/data/visit-times-blind.jsonl: text, typed_at, start, end; null
start/end when the words give no concrete time). Prints figures only, never the texts."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

from dialogs.visit_times import typed_window
from handlers.office.rules import SLOTS, AppointmentRules

DEFAULT = Path(__file__).resolve().parents[1] / "data" / "visit-times-blind.jsonl"


def main(path: Path) -> None:
    rules = AppointmentRules()
    halves = {slot: rules.window(slot) for slot in SLOTS}
    point = timedelta(minutes=rules.typed_time_minutes)
    exact = wrong = missed = false = nulls = windows = 0
    day = start = end = 0  # how the wrong ones are wrong: the day, the start, only the end
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        now = datetime.fromisoformat(row["typed_at"])
        window = typed_window(row["text"], now, halves, point)
        got = None if window is None else (
            datetime.combine(window.day, window.opens, tzinfo=now.tzinfo),
            datetime.combine(window.day, window.closes, tzinfo=now.tzinfo))
        if row["start"] is None:
            nulls += 1
            false += got is not None
            continue
        windows += 1
        want = (datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"]))
        if got is None:
            missed += 1
        elif got == want:
            exact += 1
        else:
            wrong += 1
            if got[0].date() != want[0].date():
                day += 1
            elif got[0] != want[0]:
                start += 1
            else:
                end += 1
    print(f"windows: {exact}/{windows} exact, {wrong} wrong, {missed} missed; "
          f"no-time lines: {false}/{nulls} read as a window")
    print(f"wrong: {day} on another day, {start} starting at another time, {end} only ending "
          f"at another time; the office's half-days: "
          + ", ".join(f"{slot} {w[0]:%H:%M}–{w[1]:%H:%M}" for slot, w in halves.items()))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
