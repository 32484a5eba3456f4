"""Telegram-like send limits: sliding-window logs per chat and for the whole bot.

A sliding log (timestamps of recent sends) rather than a token bucket, because it gives an
exact ``retry_after`` (when the oldest send in the window expires), which is what the
outbox under test must honour.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass
class RateLimits:
    global_per_second: float = 30
    private_per_second: float = 1
    group_per_minute: float = 20
    # Seconds of arrival jitter forgiven: a sender pacing exactly at the limit can reach the
    # server 0.98 s apart; Telegram tolerates such short bursts, so the emulator does too.
    tolerance: float = 0.1


class _Window:
    """At most ``capacity`` events in any ``span``-second window."""

    __slots__ = ("capacity", "slack", "span", "stamps")

    def __init__(self, capacity: int, span: float, slack: float = 0.0) -> None:
        self.capacity = capacity
        self.span = span
        self.slack = min(slack, span / 2)
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        stamps, span = self.stamps, self.span - self.slack
        while stamps and stamps[0] <= now - span:
            stamps.popleft()
        if len(stamps) < self.capacity:
            return 0.0
        return stamps[len(stamps) - self.capacity] + span - now

    def add(self, now: float, count: int = 1) -> None:
        self.stamps.extend([now] * count)


def _window_for_rate(per_second: float) -> tuple[int, float]:
    """Turn a rate into (capacity, span): 30/s -> 30 per 1 s; 0.5/s -> 1 per 2 s."""
    if per_second >= 1:
        return round(per_second), 1.0
    return 1, 1.0 / per_second


class RateLimiter:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = _Window(*_window_for_rate(limits.global_per_second), limits.tolerance)
        self._chats: dict[int, _Window] = {}

    def _chat_window(self, chat_id: int, is_private: bool) -> _Window:
        window = self._chats.get(chat_id)
        if window is None:
            if is_private:
                rate = _window_for_rate(self.limits.private_per_second)
                window = _Window(*rate, self.limits.tolerance)
            else:
                capacity = max(1, round(self.limits.group_per_minute))
                span = 60.0 * capacity / self.limits.group_per_minute
                window = _Window(capacity, span, self.limits.tolerance)
            self._chats[chat_id] = window
        return window

    def retry_after(self, chat_id: int, is_private: bool, now: float) -> int | None:
        """None if a send to ``chat_id`` is allowed now, else whole seconds to wait (>= 1)."""
        wait = max(
            self._global.wait_time(now),
            self._chat_window(chat_id, is_private).wait_time(now),
        )
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, is_private: bool, now: float, count: int = 1) -> None:
        self._global.add(now, count)
        self._chat_window(chat_id, is_private).add(now, count)
