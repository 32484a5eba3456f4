"""When the office changes a deadline, what the resident is promised changes with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from handlers.office import Office
from handlers.office.rules import OfficeRules
from tests.conftest import make_office
from tests.support.estate import build_estate
from tests.support.repairs import report_tap_leak


def _office_with(tmp_path: Path, office: Office, **rules: int) -> Office:
    changed = make_office(f"sqlite:///{tmp_path / 'changed.db'}")
    return dataclasses.replace(changed, clock=office.clock,
                               rules=OfficeRules.model_validate(rules))


def test_the_promised_reply_time_is_the_offices_dispatch_deadline(
        tmp_path: Path, office: Office) -> None:
    estate = build_estate(_office_with(tmp_path, office, dispatch_deadline_minutes=30))
    report_tap_leak(estate)
    wang = estate.resident
    assert "30分钟内" in wang.last and "15分钟" not in wang.last


def test_the_front_desks_promise_is_the_offices_response_time(
        tmp_path: Path, office: Office) -> None:
    estate = build_estate(_office_with(tmp_path, office, response_deadline_hours=8))
    estate.neighbour.says("Does the estate plan a new playground next year?")  # not in the FAQ
    assert "within 8 hours" in estate.neighbour.last
