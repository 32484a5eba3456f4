"""Calls from the database threads onto the event loop, sharing the loop's wake-ups.

``loop.call_soon_threadsafe`` writes a byte to the loop's self-pipe on every call: a system
call in the calling thread, and one more turn of the loop to read it. A resident's update
makes three as its unit of work commits (the sent marks that rode on it settled, its outbox
rows handed to the sender, its own result), about a twentieth of the bot's CPU under load.
Here a call posted while earlier ones still wait for the loop joins them: one wake-up runs
them all, in the order they were posted, as ``call_soon_threadsafe`` would have.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

T = TypeVar("T")


class _LoopCalls:
    """The calls waiting for one loop, and whether a wake-up for them is on its way."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._calls: list[tuple[Callable[..., object], tuple[Any, ...]]] = []
        self._waking = False

    def post(self, callback: Callable[..., object], args: tuple[Any, ...]) -> None:
        with self._lock:
            self._calls.append((callback, args))
            if self._waking:
                return
            self._waking = True
        try:
            self._loop.call_soon_threadsafe(self._run)
        except RuntimeError:  # the loop has closed: nothing will run them
            with self._lock:
                self._calls.clear()
                self._waking = False
            raise

    def _run(self) -> None:
        with self._lock:
            calls, self._calls = self._calls, []
            self._waking = False
        for callback, args in calls:
            try:
                callback(*args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as error:  # as the loop treats a failing callback
                self._loop.call_exception_handler({
                    "message": f"Exception in {callback!r} called from a thread",
                    "exception": error})


_CALLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopCalls] = (
    weakref.WeakKeyDictionary())
_CALLS_LOCK = threading.Lock()


def call_from_thread(loop: asyncio.AbstractEventLoop, callback: Callable[..., object],
                     *args: Any) -> None:
    """``loop.call_soon_threadsafe(callback, *args)``, sharing a wake-up with the calls still
    waiting. Raises RuntimeError if the loop has closed."""
    calls = _CALLS.get(loop)
    if calls is None:
        with _CALLS_LOCK:
            calls = _CALLS.setdefault(loop, _LoopCalls(loop))
    calls.post(callback, args)


def _settle(future: asyncio.Future[T], result: T | None, error: BaseException | None) -> None:
    if future.done():  # its awaiter was cancelled
        return
    if error is None:
        future.set_result(result)  # type: ignore[arg-type]
    else:
        future.set_exception(error)


async def run_in_thread(pool: Executor | None, work: Callable[..., T], *args: Any) -> T:
    """``await loop.run_in_executor(pool, work, *args)``, its outcome brought back by
    :func:`call_from_thread`. Cancelled, it takes *work* out of the pool's queue if it has
    not started. Without *pool*, in the loop's default executor (as ``run_in_executor``)."""
    loop = asyncio.get_running_loop()
    if pool is None:  # only the loop reaches its default executor
        return await loop.run_in_executor(None, work, *args)
    future: asyncio.Future[T] = loop.create_future()

    def run() -> None:
        try:
            result = work(*args)
        except BaseException as error:
            call_from_thread(loop, _settle, future, None, error)
        else:
            call_from_thread(loop, _settle, future, result, None)

    queued = pool.submit(run)
    future.add_done_callback(lambda done: queued.cancel() if done.cancelled() else None)
    return await future


def start_in_thread(loop: asyncio.AbstractEventLoop, pool: Executor | None,
                    work: Callable[[], object]) -> None:
    """Run *work* in *pool* (without: the loop's default executor) and bring nothing back:
    *work* reports its own outcome, so no wake-up is spent on its end."""
    if pool is None:
        loop.run_in_executor(None, work)
    else:
        pool.submit(work)
