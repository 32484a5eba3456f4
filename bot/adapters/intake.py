"""Run the synchronous core off the event loop: one chat in order, different chats in parallel.

The core's ``handle(office, event)`` is one blocking database transaction. Both frameworks
would run it as concurrent tasks in whatever order the loop picks, and a resident's "photo,
then 'done'" must not be handled the other way round. So the adapters only *submit* events
here, in the order Telegram delivered them; each chat gets a FIFO, drained by the database
threads (one on SQLite, whose single writer makes more threads only collide on its lock;
more on PostgreSQL, where different chats then really run in parallel).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import OperationalError

from dialogs.events import Event

log = logging.getLogger(__name__)

HandleFn = Callable[[Event], None]
# A locked SQLite file or a dropped PostgreSQL connection may clear up; a bug will not.
_RETRIES = (0.05, 0.25, 1.0)


class Intake:
    """Per-chat FIFOs in front of a thread pool; futures resolve when the event is committed."""

    def __init__(self, handle: HandleFn, *, pool: ThreadPoolExecutor | None = None,
                 workers: int = 1, on_handled: Callable[[], None] | None = None) -> None:
        self._handle = handle
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
        """Finish queued work (for at most *grace* seconds); the pool's owner shuts it down."""
        try:
            async with asyncio.timeout(grace):
                await self.wait_idle()
        except TimeoutError:
            log.warning("intake: %d events still unfinished at shutdown", self._pending)

    async def _drain(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        loop = asyncio.get_running_loop()
        try:
            while queue:
                event, future = queue[0]
                started = time.perf_counter()
                ok = await self._run(loop, event)
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

    async def _run(self, loop: asyncio.AbstractEventLoop, event: Event) -> bool:
        """Handle *event* in a worker thread, retrying database hiccups a few times."""
        for delay in (*_RETRIES, None):
            try:
                async with self._slots:
                    await loop.run_in_executor(self._pool, self._handle, event)
                return True
            except OperationalError as error:
                if delay is None:
                    log.error("intake: gave up on %s after retries: %s", event.key, error)
                    return False
                log.warning("intake: retrying %s in %.2fs: %s", event.key, delay, error)
                await asyncio.sleep(delay)
            except Exception:
                # A bug in one update must not stall its chat or the process; the traceback
                # is the lead's to read, and webhook mode answers 500 so Telegram redelivers.
                log.exception("intake: handling %s failed", event.key)
                return False
        return False
