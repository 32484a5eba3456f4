"""Telegram's send limits as the outbox sender applies them, and its retry policy.

Sliding windows, the way Telegram states its limits ("20 per minute in a group"), counted
conservatively (see :class:`Window`), plus a pacer that spreads the global rate evenly, and
per-chat 429 pauses that widen to the whole bot when 429s come from several chats at once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

RESERVED_WAIT = 0.05  # seconds to look again when a window is full of unanswered requests
STORM_429S = 3  # 429s within a second that mean the bot-wide limit, not one chat's


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's limits and our retry policy; the defaults are Telegram's published ones."""

    global_per_second: float = 25.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    # Added to every window's span, for clocks that tick coarsely.
    margin: float = 0.01
    # Sends that may leave back to back before pacing applies; by default 50 ms worth of the
    # global rate (at least 3), so a high configured rate is not capped by the scan interval.
    burst: float | None = None
    max_in_flight: int = 32
    max_attempts: int = 10
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    poll_interval: float = 0.5  # for rows written by other processes (the scheduler)
    scan_interval: float = 0.02  # at least this long between two reads of the outbox
    batch: int = 200


class Window:
    """At most ``capacity`` sends in any ``span`` seconds, counted conservatively.

    A request is *reserved* when it leaves and *stamped* when its answer arrives. Telegram
    counted it somewhere in between, so "stamps in the window + requests still out" is never
    less than Telegram's own count — however the network delays or bunches them.
    """

    __slots__ = ("capacity", "reserved", "span", "stamps")

    def __init__(self, capacity: int, span: float) -> None:
        self.capacity, self.span = capacity, span
        self.stamps: deque[float] = deque()
        self.reserved = 0

    @classmethod
    def for_rate(cls, per_second: float, margin: float) -> Window:
        """30/s → 30 per 1 s; 0.5/s → 1 per 2 s."""
        if per_second >= 1:
            return cls(round(per_second), 1.0 + margin)
        return cls(1, 1.0 / per_second + margin)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        stamps = self.stamps
        while stamps and stamps[0] <= now - self.span:
            stamps.popleft()
        over = len(stamps) + self.reserved - self.capacity
        if over < 0:
            return 0.0
        if over >= len(stamps):
            return RESERVED_WAIT  # full of requests still out; an answer will wake us
        return stamps[over] + self.span - now

    @property
    def idle(self) -> bool:
        return not self.stamps and not self.reserved


class Pacer:
    """A token bucket: spreads sends evenly at ``rate``/s, with short bursts of ``burst``.

    The sliding windows are the hard limits; pacing keeps the global one from filling in a
    burst and then standing still for the rest of the second.
    """

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, 0.0

    def _refill(self, now: float) -> None:
        if now > self.stamp:  # callers may pass a "now" read a moment before the last one
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float, count: int) -> None:
        self._refill(now)
        self.tokens -= count


class RateLimiter:
    """The global window and pacer, one window per chat, and 429 pauses per chat."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.global_window = Window.for_rate(limits.global_per_second, limits.margin)
        burst = limits.burst or max(3.0, limits.global_per_second / 20)
        self.pacer = Pacer(limits.global_per_second, burst)
        self._chats: dict[int, Window] = {}
        self._busy_until: dict[int, float] = {}  # chats that cannot take a send right now
        self._paused_until: dict[int, float] = {}
        self._all_paused_until = 0.0
        self._recent_429s: deque[float] = deque()
        self._next_sweep = 0.0

    def _window(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id > 0:
                window = Window.for_rate(self.limits.private_per_second, self.limits.margin)
            else:
                per_minute = self.limits.group_per_minute
                capacity = max(1, round(per_minute))
                window = Window(capacity, 60.0 * capacity / per_minute + self.limits.margin)
            self._chats[chat_id] = window
        return window

    def paused(self, chat_id: int, now: float) -> float:
        """Seconds left in the chat's 429 window."""
        return max(0.0, self._paused_until.get(chat_id, 0.0) - now)

    def wait(self, chat_id: int, now: float) -> float:
        """Seconds until one more message to *chat_id* fits every limit."""
        return max(self.paused(chat_id, now), self._window(chat_id).wait(now),
                   self.global_wait(now))

    def global_wait(self, now: float) -> float:
        """Seconds until any chat can get one more message."""
        return max(self.global_window.wait(now), self.pacer.wait(now),
                   self._all_paused_until - now)

    def reserve(self, chat_id: int, count: int, now: float) -> None:
        """A request carrying *count* messages leaves for *chat_id* now."""
        self.pacer.take(now, count)
        self.global_window.reserved += count
        self._window(chat_id).reserved += count

    def settle(self, chat_id: int, count: int, now: float) -> None:
        """Its answer came back (success or not): count its messages as sent now."""
        for window in (self.global_window, self._window(chat_id)):
            window.reserved -= count
            window.stamps.extend([now] * count)
        self._busy_until[chat_id] = now + self._window(chat_id).wait(now)

    def pause(self, chat_id: int, until: float) -> None:
        """Keep away from *chat_id* until *until* (Telegram's retry_after)."""
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, 0.0))

    def rate_limited(self, chat_id: int, now: float, seconds: float) -> bool:
        """Take a 429 for *chat_id*; True if it looks bot-wide and all sending pauses.

        Our per-chat windows already match Telegram's, so 429s for several chats within a
        second mean the bot-wide limit is lower than configured: then everyone waits, instead
        of every other chat collecting a 429 of its own.
        """
        self.pause(chat_id, now + seconds)
        recent = self._recent_429s
        recent.append(now)
        while recent and recent[0] < now - 1.0:
            recent.popleft()
        if len(recent) >= STORM_429S:
            self._all_paused_until = max(self._all_paused_until, now + seconds)
            return True
        return False

    def next_free(self, now: float) -> float:
        """Seconds until the first blocked chat can take a message again (inf if none)."""
        times = [*self._busy_until.values(), *self._paused_until.values()]
        return max(0.0, min(times) - now) if times else float("inf")

    def blocked(self, now: float) -> set[int]:
        """Chats that cannot take a message now (forgetting the ones that have cooled down)."""
        for table in (self._busy_until, self._paused_until):
            for chat_id in [c for c, until in table.items() if until <= now]:
                del table[chat_id]
        if now >= self._next_sweep:  # idle windows are few and small: sweep once a second
            self._next_sweep = now + 1.0
            for chat_id in [c for c, w in self._chats.items()
                            if c not in self._busy_until and not w.wait(now) and w.idle]:
                del self._chats[chat_id]
        return set(self._busy_until) | set(self._paused_until)
