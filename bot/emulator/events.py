"""The live event feed: what the web view and ``wait_for`` helpers watch.

Every change (new message, edit, deletion, callback answer, chat creation, ...) becomes one
JSON event with an increasing ``seq``. A bounded ring buffer lets late subscribers (an SSE
client reconnecting with Last-Event-ID) catch up without the emulator growing forever.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

JSON = dict[str, Any]

_CLOSED: JSON = {"type": "_closed"}


class Subscription:
    """An async iterator of events; also exposes the underlying ``queue``."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self._bus = bus
        self.queue: asyncio.Queue[JSON] = asyncio.Queue(maxsize=maxsize)
        self.closed = False
        self.overflowed = False

    def _offer(self, event: JSON) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A consumer this far behind is stuck; cut it off rather than grow without bound.
            self.overflowed = True
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._bus._subscribers.discard(self)
        # Wake a consumer blocked in get(); drop an old event if needed to make room.
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(_CLOSED)

    async def get(self, wait: float | None = None) -> JSON | None:
        """Next event, or None when closed or after ``wait`` seconds."""
        if self.closed and self.queue.empty():
            return None
        if not self.queue.empty():
            event = self.queue.get_nowait()  # no wait_for: a zero wait must still see it
        else:
            try:
                event = await asyncio.wait_for(self.queue.get(), wait)
            except TimeoutError:
                return None
        return None if event is _CLOSED else event

    def __aiter__(self) -> AsyncIterator[JSON]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[JSON]:
        while True:
            event = await self.get()
            if event is None:
                return
            yield event

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self, history: int = 10_000) -> None:
        self.seq = 0
        self.recent: deque[JSON] = deque(maxlen=history)
        self._subscribers: set[Subscription] = set()

    def publish(self, event: JSON) -> JSON:
        self.seq += 1
        event["seq"] = self.seq
        self.recent.append(event)
        for sub in tuple(self._subscribers):
            sub._offer(event)
        return event

    def subscribe(self, since: int | None = None, maxsize: int = 50_000) -> Subscription:
        """Subscribe to new events; with ``since``, first replay buffered events after it."""
        sub = Subscription(self, maxsize)
        if since is not None:
            for event in self.recent:
                if event["seq"] > since:
                    sub._offer(event)
        if not sub.closed:
            self._subscribers.add(sub)
        return sub

    def close_all(self) -> None:
        for sub in tuple(self._subscribers):
            sub.close()
