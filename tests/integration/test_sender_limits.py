"""The sender's limits on a fake clock: Telegram's windows, pacing, 429 pauses and storms."""

from __future__ import annotations

import random

import pytest

from bot.adapters.ratelimit import Limits, Pacer, RateLimiter, Window


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def send(limiter: RateLimiter, clock: Clock, chat_id: int, count: int = 1) -> None:
    """One request that Telegram answers at once."""
    assert limiter.wait(chat_id, clock.now) == 0
    limiter.reserve(chat_id, count, clock.now)
    limiter.settle(chat_id, count, clock.now)


def test_a_private_chat_gets_one_message_a_second() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(margin=0))
    send(limiter, clock, 101)
    assert limiter.wait(101, clock.now) == pytest.approx(1.0)
    assert limiter.wait(102, clock.now) == 0  # other chats are not held up
    clock.now += 1.0
    assert limiter.wait(101, clock.now) == 0


def test_a_group_gets_twenty_a_minute_in_a_burst_then_waits() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(margin=0, global_per_second=1000, burst=1000))
    for _ in range(20):
        send(limiter, clock, -5)
        clock.now += 0.1
    assert limiter.wait(-5, clock.now) == pytest.approx(60.0 - 2.0)


def test_an_album_counts_each_photo() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(margin=0, global_per_second=1000, burst=1000))
    send(limiter, clock, -5, count=10)
    for _ in range(10):
        send(limiter, clock, -5)
    assert limiter.wait(-5, clock.now) > 50


def test_the_global_rate_is_paced_after_a_short_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits(global_per_second=25, burst=3))
    for chat in (1, 2, 3):
        send(limiter, clock, chat)
    assert limiter.global_wait(clock.now) == pytest.approx(1 / 25)


def test_requests_still_out_count_against_the_window() -> None:
    window = Window(capacity=2, span=1.0)
    window.reserved = 2
    assert window.wait(0.0) > 0  # full of unanswered requests: Telegram may count them any time


def test_a_429_pauses_its_chat_and_a_storm_pauses_everyone() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits())
    assert not limiter.rate_limited(1, clock.now, 5)
    assert limiter.wait(1, clock.now) == pytest.approx(5)
    assert limiter.wait(2, clock.now) == 0
    assert not limiter.rate_limited(2, clock.now, 3)
    assert limiter.rate_limited(3, clock.now + 0.5, 3)  # three chats in a second: bot-wide
    assert limiter.wait(4, clock.now + 0.5) == pytest.approx(3)


def test_chats_that_cooled_down_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(Limits())
    for chat in range(1, 50):
        send(limiter, clock, chat)
        clock.now += 0.05
    assert len(limiter.blocked(clock.now)) < 25
    clock.now += 5
    assert limiter.blocked(clock.now) == set() and limiter._chats == {}


def test_pacer_refills_at_its_rate() -> None:
    pacer = Pacer(rate=10, burst=1)
    pacer.take(0.0, 1)
    assert pacer.wait(0.05) == pytest.approx(0.05)
    assert pacer.wait(0.1) == 0


@pytest.mark.parametrize("seed", range(5))
def test_telegram_never_counts_more_than_the_limit_whatever_the_latency(seed: int) -> None:
    """Telegram counts a request when it arrives, anywhere between leaving and answering."""
    rng = random.Random(seed)
    clock = Clock()
    limits = Limits(global_per_second=30, burst=30, margin=0)
    limiter = RateLimiter(limits)
    out: list[tuple[float, int]] = []  # (answer time, chat)
    arrivals: list[float] = []
    for _ in range(6000):  # one simulated millisecond per step
        clock.now += 0.001
        for done in [o for o in out if o[0] <= clock.now]:
            out.remove(done)
            limiter.settle(done[1], 1, clock.now)
        chat = rng.randrange(1, 10_000)
        if limiter.wait(chat, clock.now) == 0:
            limiter.reserve(chat, 1, clock.now)
            latency = rng.uniform(0.001, 0.4)
            arrivals.append(clock.now + rng.uniform(0, latency))
            out.append((clock.now + latency, chat))
    arrivals.sort()
    worst = max(sum(1 for b in arrivals[i:i + 40] if b - a < 1.0)
                for i, a in enumerate(arrivals))
    assert worst <= 30
    assert len(arrivals) >= 0.8 * 30 * 6  # and it still sends at nearly the full rate
