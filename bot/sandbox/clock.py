"""The sandbox's clock: real time plus an offset that only the web view's clock control moves.

The bot's handlers, the outbox sender and the emulator's message dates all read this one
clock, so "+1 day" makes a survey or an escalation due everywhere at once. The offset (not
the absolute time) is kept in ``clock.json``: a restarted sandbox carries on where the
trainer left it, and time keeps flowing in between as it does in a real office.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

Jump = Literal["hour", "day", "next_nine", "next_first"]
JUMPS: tuple[Jump, ...] = ("hour", "day", "next_nine", "next_first")
MORNING = time(9, 0)  # the office opens and daytime surveys may go out


class SandboxClock:
    """``now()`` = real UTC time + offset. Thread-safe: handlers read it from worker threads."""

    def __init__(self, timezone: ZoneInfo, path: Path | None = None,
                 offset: timedelta = timedelta(0)) -> None:
        self.timezone = timezone
        self.path = path
        self._offset = offset
        self._lock = threading.Lock()

    @classmethod
    def load(cls, timezone: ZoneInfo, path: Path) -> SandboxClock:
        """The clock as the last run left it (no file, or a broken one: real time)."""
        offset = timedelta(0)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            offset = timedelta(seconds=float(data["offset_seconds"]))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("sandbox: %s is unreadable; starting at the real time", path)
        return cls(timezone, path, offset)

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Unix seconds on this clock (what the emulator stamps messages with)."""
        return self.now().timestamp()

    def local_now(self) -> datetime:
        return self.now().astimezone(self.timezone)

    def set_offset(self, offset: timedelta) -> None:
        """Set the offset directly (seeding history "yesterday"); saved like any move."""
        with self._lock:
            self._offset = offset
        self.save()

    def advance(self, jump: Jump) -> timedelta:
        """Move forward by an hour, a day, to the next 09:00 local or to 09:00 on the next 1st
    (the monthly report); returns the step."""
        with self._lock:
            step = step_for(jump, datetime.now(UTC) + self._offset, self.timezone)
            self._offset += step
        self.save()
        return step

    def target(self, jump: Jump, start: datetime | None = None) -> datetime:
        """Where *jump* would take the clock from *start* (default: now)."""
        now = self.now() if start is None else start
        return now + step_for(jump, now, self.timezone)

    def move_to(self, moment: datetime) -> None:
        """Set the clock to *moment*, never backwards (a clock jump walks through the moments
        follow-ups fall due, so each happens — and is dated — when it would have)."""
        with self._lock:
            self._offset = max(self._offset, moment - datetime.now(UTC))
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"offset_seconds": self._offset.total_seconds()}),
                       encoding="utf-8")
        os.replace(tmp, self.path)  # atomic: a crash never leaves half a file

    def describe(self) -> dict[str, object]:
        """What the web view's clock panel shows."""
        local = self.local_now()
        return {"iso": local.isoformat(timespec="seconds"),
                "timestamp": local.timestamp(),
                "timezone": str(self.timezone),
                "offset_seconds": round(self._offset.total_seconds())}


def step_for(jump: Jump, now: datetime, timezone: ZoneInfo) -> timedelta:
    """How far to move for *jump*; "next 09:00" is always strictly in the future."""
    if jump == "hour":
        return timedelta(hours=1)
    if jump == "day":
        return timedelta(days=1)
    local = now.astimezone(timezone)
    if jump == "next_first":  # the monthly report's morning (its default day and time)
        first = local.date().replace(day=1)
        month_after = (first + timedelta(days=32)).replace(day=1)
        return datetime.combine(month_after, MORNING, tzinfo=timezone) - local
    target = datetime.combine(local.date(), MORNING, tzinfo=timezone)
    if target <= local:
        target = datetime.combine(local.date() + timedelta(days=1), MORNING, tzinfo=timezone)
    return target - local
