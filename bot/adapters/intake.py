"""Run the synchronous core off the event loop: one chat in order, different chats in parallel.

The core's ``handle(office, event)`` is one blocking database transaction. Both frameworks
would run it as concurrent tasks in whatever order the loop picks, and a resident's "photo,
then 'done'" must not be handled the other way round. So the adapters only *submit* events
here, in the order Telegram delivered them; each chat gets a FIFO, drained by the database
threads (one on SQLite, whose single writer makes more threads only collide on its lock;
more on PostgreSQL, where different chats then really run in parallel).

When the database is unavailable (``handle`` raises :class:`DatabaseUnavailable` after its own
retry), nothing was saved. In long polling the update is tried again with a capped back-off:
it is not confirmed to Telegram until it is committed, and later updates of its chat wait.
A webhook instead answers 500 at once (``retry_unavailable=False``) and Telegram redelivers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.thread_calls import run_in_thread
from dialogs.events import Event
from handlers.office.unit_of_work import DatabaseUnavailable

log = logging.getLogger(__name__)

HandleFn = Callable[[Event], None]
FIRST_RETRY = 0.1  # seconds before polling tries an update again while the database is down
LONGEST_RETRY = 5.0  # the back-off doubles up to this


class Intake:
    """Per-chat FIFOs in front of a thread pool; futures resolve when the event is committed."""

    def __init__(self, handle: HandleFn, *, pool: ThreadPoolExecutor | None = None,
                 workers: int = 1, on_handled: Callable[[], None] | None = None,
                 retry_unavailable: bool = True) -> None:
        self._handle = handle
        self._retry_unavailable = retry_unavailable
        self._closing = asyncio.Event()
        self._pool = pool or ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")
        # Hand the pool only as many events as it has threads (plus one ready to go): a
        # pool queue hundreds deep would make the sender's writes, which share the pool,
        # wait behind all of them.
        self._slots = asyncio.Semaphore(workers + 1)
        self._on_handled = on_handled
        self._queues: dict[int, deque[tuple[Event, asyncio.Future[bool]]]] = {}
        self._drainers: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Set by the adapters as their first getUpdates goes out: the runtime starts what
        # answering an update does not need (sender, scheduler, menus, warm-up) only then.
        self.receiving = asyncio.Event()
        self.handled = 0
        self.failed = 0
        # Seconds from submit to commit, kept for the benchmark's latency figures.
        self.latencies: list[float] | None = None

    @property
    def pending(self) -> int:
        """Events submitted and not yet committed."""
        return self._pending

    def submit(self, event: Event) -> asyncio.Future[bool]:
        """Queue *event* behind earlier events of its chat; resolves True once committed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(event.chat_id)
        self._pending += 1
        self._idle.clear()
        if queue is not None:
            queue.append((event, future))
            return future
        self._queues[event.chat_id] = deque([(event, future)])
        task = asyncio.create_task(self._drain(event.chat_id), name=f"intake:{event.chat_id}")
        self._drainers.add(task)
        task.add_done_callback(self._drainers.discard)
        return future

    async def wait_idle(self) -> None:
        """Wait until everything submitted so far is committed."""
        await self._idle.wait()

    async def close(self, grace: float = 30.0) -> None:
        """Finish queued work (for at most *grace* seconds); the pool's owner shuts it down.

        An update waiting for the database is not tried again: unconfirmed, it is redelivered
        after the restart.
        """
        self._closing.set()
        try:
            async with asyncio.timeout(grace):
                await self.wait_idle()
        except TimeoutError:
            log.warning("intake: %d events still unfinished at shutdown", self._pending)

    async def _drain(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                event, future = queue[0]
                started = time.perf_counter()
                ok = await self._run(event)
                queue.popleft()
                if ok:
                    self.handled += 1
                    if self.latencies is not None:
                        self.latencies.append(time.perf_counter() - started)
                else:
                    self.failed += 1
                if not future.done():
                    future.set_result(ok)
                self._pending -= 1
                if self._on_handled is not None:
                    self._on_handled()
        finally:
            del self._queues[chat_id]
            if self._pending == 0:
                self._idle.set()

    async def _run(self, event: Event) -> bool:
        """Handle *event* in a worker thread; False if it was not committed."""
        delay = FIRST_RETRY
        while True:
            try:
                async with self._slots:
                    await run_in_thread(self._pool, self._handle, event)
                return True
            except DatabaseUnavailable as error:
                if not self._retry_unavailable or self._closing.is_set():
                    log.warning("intake: %s not handled, the database is unavailable: %s",
                                event.key, error.__cause__ or error)
                    return False
                log.warning("intake: the database is unavailable; trying %s again in %.1fs: %s",
                            event.key, delay, error.__cause__ or error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), delay)
                delay = min(delay * 2, LONGEST_RETRY)
            except Exception:
                # A bug in one update must not stall its chat or the process; the traceback
                # is the lead's to read, and webhook mode answers 500 so Telegram redelivers.
                log.exception("intake: handling %s failed", event.key)
                return False
