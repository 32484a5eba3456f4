"""The announcement dialog's pure parts: typed times and buildings, and what counts as a
report of an outage's utility in any script."""

from __future__ import annotations

import pytest

from dialogs.announce import (
    about_outage,
    asks_when,
    parse_buildings,
    parse_moment,
    parse_period,
)


@pytest.mark.parametrize(("text", "utility", "about"), [
    ("停水了", "water", True), ("冇水", "water", True), ("我家冇水呀", "water", True),
    ("no water since this morning", "water", True), ("Water is off", "water", True),
    ("停電了", "power", True), ("no electricity", "power", True),
    ("没有煤气了", "gas", True), ("電梯壞咗", "lift", True), ("lift is not working", "lift", True),
    ("厨房水龙头一直滴水", "water", False), ("停水了", "power", False),
    ("没有热水", "water", False), ("the lift is noisy", "lift", False),
])
def test_what_reports_an_outage(text: str, utility: str, about: bool) -> None:
    assert about_outage(text, utility) is about


@pytest.mark.parametrize(("text", "utility", "asks"), [
    ("什么时候来水？", "water", True), ("几点恢复供水", "water", True),
    ("幾時有水", "water", True),
    ("水什么时候能来", "water", True), ("when will the water be back?", "water", True),
    ("What time does the power go off tomorrow?", "power", True), ("幾點停電", "power", True),
    ("电梯几点恢复", "lift", True), ("电梯几点恢复", "power", False),
    ("什么时候来水？", "gas", False), ("热水器什么时候能来修", "water", False),
    ("明天天气什么时候好转", "gas", False), ("停水了", "water", False),
    ("几点下班？", "water", False), ("When is the water bill due?", "water", False),
])
def test_what_asks_when_an_outage_starts_or_ends(text: str, utility: str, asks: bool) -> None:
    assert asks_when(text, utility) is asks


@pytest.mark.parametrize(("text", "period"), [
    ("2026-12-03 09:00 - 17:00", ("2026-12-03 09:00", "2026-12-03 17:00")),
    ("2026/12/3 9:00 至 2026/12/4 8:30", ("2026-12-03 09:00", "2026-12-04 08:30")),
    ("２０２６-12-03 09:00 ~ 12:00", ("2026-12-03 09:00", "2026-12-03 12:00")),
    ("2026-12-03 17:00 - 09:00", None),  # ends before it starts
    ("2026-13-03 09:00 - 17:00", None), ("tomorrow morning", None),
])
def test_an_outage_period(text: str, period: tuple[str, str] | None) -> None:
    assert parse_period(text) == period


def test_moments_and_buildings() -> None:
    assert parse_moment(" 2026-12-03 9:05 ") == "2026-12-03 09:05"
    assert parse_moment("2026-12-03 24:00") is None
    assert parse_buildings("1, 3栋 5、3") == ("1", "3", "5")
    assert parse_buildings("A座") is None and parse_buildings(" ") is None
