"""The announcement dialog's pure parts: typed times and buildings, and what counts as a
report of an outage's utility in any script."""

from __future__ import annotations

import pytest

from dialogs.announce import about_outage, parse_buildings, parse_moment, parse_period


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
