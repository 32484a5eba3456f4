"""The office's sense of time, injected so tests and the sandbox can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time, always timezone-aware."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by *delta*."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Put the clock at *moment*."""
        self._now = moment

