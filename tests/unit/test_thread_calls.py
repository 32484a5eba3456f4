"""Calls from the database threads onto the loop: one wake-up for the calls that wait together,
run in the order posted; results and errors of work done in a thread come back as they would
from ``run_in_executor``."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.thread_calls import call_from_thread, run_in_thread, start_in_thread


def counting_wake_ups(loop: asyncio.AbstractEventLoop) -> list[int]:
    """Count the loop's ``call_soon_threadsafe`` calls (one self-pipe write each)."""
    wake_ups: list[int] = []
    real = loop.call_soon_threadsafe

    def counted(callback: Any, *args: Any, **kwargs: Any) -> Any:
        wake_ups.append(1)
        return real(callback, *args, **kwargs)

    loop.call_soon_threadsafe = counted  # type: ignore[method-assign, assignment]
    return wake_ups


async def test_calls_posted_while_the_loop_is_busy_share_one_wake_up_in_order() -> None:
    loop = asyncio.get_running_loop()
    wake_ups = counting_wake_ups(loop)
    seen: list[int] = []

    def post_all() -> None:
        for i in range(5):
            call_from_thread(loop, seen.append, i)

    thread = threading.Thread(target=post_all)
    thread.start()
    thread.join()  # the loop has not run meanwhile: all five wait together
    assert seen == []
    await asyncio.sleep(0.05)
    assert seen == [0, 1, 2, 3, 4]
    assert len(wake_ups) == 1
    thread = threading.Thread(target=call_from_thread, args=(loop, seen.append, 5))
    thread.start()
    thread.join()
    await asyncio.sleep(0.05)
    assert seen[-1] == 5 and len(wake_ups) == 2  # a later call wakes the loop again


async def test_a_failing_call_is_reported_and_the_next_still_runs() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    seen: list[str] = []

    def broken() -> None:
        raise ValueError("broken")

    def post() -> None:
        call_from_thread(loop, broken)
        call_from_thread(loop, seen.append, "after")

    thread = threading.Thread(target=post)
    thread.start()
    thread.join()
    await asyncio.sleep(0.05)
    assert seen == ["after"]
    assert isinstance(reported[0]["exception"], ValueError)


def test_a_closed_loop_refuses_calls() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    with pytest.raises(RuntimeError):
        call_from_thread(loop, print)


async def test_work_in_a_thread_returns_its_result_or_raises_its_error() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        worker = await run_in_thread(pool, threading.current_thread)
        assert worker is not threading.current_thread()
        assert await run_in_thread(pool, sum, [1, 2, 3]) == 6
        assert await run_in_thread(None, sum, [4]) == 4  # the loop's default executor

        def broken() -> None:
            raise KeyError("lost")

        with pytest.raises(KeyError, match="lost"):
            await run_in_thread(pool, broken)


async def test_cancelled_before_it_starts_the_work_never_runs() -> None:
    ran: list[str] = []
    release = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        busy = asyncio.ensure_future(run_in_thread(pool, release.wait))
        waiting = asyncio.ensure_future(run_in_thread(pool, ran.append, "ran"))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        assert await busy is True
    assert ran == []


async def test_work_started_without_waiting_runs_in_the_pool() -> None:
    loop = asyncio.get_running_loop()
    done = threading.Event()
    where: list[str] = []

    def work() -> None:
        where.append(threading.current_thread().name)
        done.set()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="db") as pool:
        start_in_thread(loop, pool, work)
        assert await asyncio.to_thread(done.wait, 5)
    assert where[0].startswith("db")
