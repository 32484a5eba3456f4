"""Stopping on SIGINT or SIGTERM: once, cleanly, however the process was started.

``uv run`` forwards the terminal's Ctrl-C to its child a second time about 200 ms later, so a
shutdown that took a second SIGINT as "impatient, exit now" was cut short under the README's
``uv run frontline …``: sessions left open, the SQLite WAL not checkpointed, exit code 130.
Here the first signal asks for a stop and every later one is only noted: the shutdown is
bounded anyway (in-flight updates get at most 30 s), and ``kill -9`` stays for a wedged process.

The handlers are the process's own (``signal.signal``), installed before the event loop
exists, so a Ctrl-C during the synchronous start-up (migrations, loading the triage) is kept
too and the loop stops as soon as it runs; after the stop they stay ignoring, so the last
moments of the interpreter (joining worker threads) cannot be interrupted either.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from types import FrameType, TracebackType
from typing import Any

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """SIGINT/SIGTERM set the bound events once; repeats are logged and otherwise ignored.

    Use it around the whole command (``with StopSignals("runtime") as signals:``) and bind the
    event the async code waits on with :meth:`bind` from inside the running loop.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.requested = False  # a stop signal has arrived
        self.received = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: list[asyncio.Event] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        for sig in STOP_SIGNALS:
            self._previous[sig] = signal.getsignal(sig)
            signal.signal(sig, self._on_signal)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.requested:
            # Everything is closed. The interpreter's last garbage collection would walk the
            # whole heap (the triage's dictionaries and model: about 3 s here) only to free
            # memory the exit frees anyway; frozen objects are left out of it.
            gc.freeze()
        for sig, previous in self._previous.items():
            # Stopping: nothing may interrupt what is left of the process. Otherwise (the
            # command ended on its own, or in a test) the previous handlers come back.
            signal.signal(sig, signal.SIG_IGN if self.requested else previous)
        self._loop = None
        self._events.clear()

    def bind(self, event: asyncio.Event) -> asyncio.Event:
        """Set *event* on the first stop signal (at once if one came already); returns it."""
        self._loop = asyncio.get_running_loop()
        self._events.append(event)
        if self.requested:
            event.set()
        return event

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # A signal handler runs between two bytecodes of the main thread: only note the
        # signal here and let the loop do the rest (logging, setting events) in its own time.
        self.received += 1
        first = not self.requested
        self.requested = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(self._stop, signum, first)

    def _stop(self, signum: int, first: bool) -> None:
        name = signal.Signals(signum).name
        if first:
            log.info("%s: %s received, stopping", self.name, name)
            for event in self._events:
                event.set()
        else:
            log.info("%s: %s received again; already stopping, in-flight work finishes first",
                     self.name, name)
