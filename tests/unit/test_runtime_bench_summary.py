"""The runtime benchmark's goals table judges the medians of the runs against the issue's goals
(a figure with ✓ or ✗, never an assertion of the benchmark's own)."""

from __future__ import annotations

from tests.benchmarks.runtime.figures import Figures, spread
from tests.benchmarks.runtime.summary import summary


def test_the_median_of_the_runs_is_judged_not_the_best() -> None:
    out = Figures()
    for rate in (1000.0, 1000.0, 1000.0):
        out.note(("updates/s", "aiogram", "", "bare echo"), rate)
    for rate in (900.0, 550.0, 500.0):  # best 90 %, median 55 %
        out.note(("updates/s", "aiogram", "sqlite", "frontline"), rate)
    for rate in (700.0, 610.0, 650.0):  # median 65 %
        out.note(("updates/s", "aiogram", "postgres", "frontline"), rate)
    table = summary(out, ["aiogram"], ["sqlite", "postgres"])
    assert table[2:] == [
        "| updates/s ≥ 60% of bare echo | aiogram, SQLite | 550 vs 1,000 (55%) | ✗ |",
        "| updates/s ≥ 60% of bare echo | aiogram, PostgreSQL | 650 vs 1,000 (65%) | ✓ |"]


def test_ptb_is_judged_against_its_aiohttp_echo() -> None:
    out = Figures()
    for who, polled, rss in (("frontline", 1.9, 130.0), ("bare echo, aiohttp (fair)", 1.0, 60.0),
                             ("bare echo, httpx (PTB default)", 0.5, 50.0)):
        out.note(("cold", "ptb", who, "polled"), polled)
        out.note(("cold", "ptb", who, "cpu"), polled)
        out.note(("cold", "ptb", who, "rss"), rss)
    assert summary(out, ["ptb"], ["sqlite"])[2:] == [
        "| cold start ≤ bare + 1.0 s | python-telegram-bot | 1.9 s vs 1.0 s (+0.9 s); "
        "CPU 1.9 vs 1.0 s | ✓ |",
        "| RSS ≤ bare + 60 MB | python-telegram-bot | 130 vs 60 MB (+70 MB) | ✗ |"]


def test_latency_goals_are_read_at_100_per_second_only() -> None:
    out = Figures()
    for rate, p99 in (("100", 14.0), ("200", 90.0)):
        out.note(("commit", "aiogram", "sqlite", "frontline", rate, "p50"), 5.0)
        out.note(("commit", "aiogram", "sqlite", "frontline", rate, "p99"), p99)
        out.note(("reply", "aiogram", "sqlite", "frontline", rate, "p50"), 9.0)
        out.note(("reply", "aiogram", "sqlite", "frontline", rate, "p99"), p99 * 3)
    out.note(("reply", "aiogram", "", "bare echo", "100", "p99"), 6.0)
    assert summary(out, ["aiogram"], ["sqlite"])[2:] == [
        "| update → commit p99 ≤ 15 ms at 100/s | aiogram, SQLite | p50 5.0 / p99 14.0 ms | ✓ |",
        "| update → reply sent p99 ≤ 30 ms at 100/s | aiogram, SQLite | p50 9.0 / p99 42.0 ms "
        "(bare p99 6.0 ms) | ✗ |"]


def test_nothing_measured_gives_no_table() -> None:
    assert summary(Figures(), ["aiogram", "ptb"], ["sqlite", "postgres"]) == []


def test_a_spread_is_min_median_max_and_one_run_is_one_figure() -> None:
    assert spread([3.0, 1.0, 2.0, 10.0, 4.0], "s") == "1.00 / 3.00 / 10.00 s"
    assert spread([412.4], "updates/s", 0) == "412 updates/s"
