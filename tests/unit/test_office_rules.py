"""The office's rules: the manuals' defaults, overridden by the office's file and the
environment, with each value's origin shown; nonsense is refused with a reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from handlers.office.rules import OfficeRules, load_rules, rules_in_force


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    for name in list(os.environ):
        if name.startswith("FRONTLINE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir("/")  # no .env file of a developer's checkout


def test_the_defaults_are_the_manuals_numbers() -> None:
    rules = OfficeRules()
    assert rules.dispatch_deadline == timedelta(minutes=15)  # 001 §2.4.3
    assert rules.auto_confirm_after == timedelta(hours=48)  # 001 §2.5.5
    assert rules.response_deadline == timedelta(hours=24)  # 004
    assert (rules.callback_windows.safety, rules.callback_windows.leak,
            rules.callback_windows.other) == (2, 3, 2)  # 001 第四篇 2(3)④
    assert (rules.survey_day_start, rules.survey_day_end) == (9, 20)
    assert rules.manager_after_reworks == 2
    assert (rules.onsite_callback_percent, rules.manager_spot_checks) == (5, 3)  # 2.7.4–5
    assert rules.callbacks_due_day == 10  # 2.7.3


def test_the_offices_file_overrides_the_default_and_the_environment_overrides_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("dispatch_deadline_minutes: 20\nauto_confirm_hours: 72\n"
                    "callback_windows:\n  leak: 5\n", encoding="utf-8")
    monkeypatch.setenv("FRONTLINE_RULES_PATH", str(path))
    monkeypatch.setenv("FRONTLINE_AUTO_CONFIRM_HOURS", "36")
    rules = load_rules()
    assert rules.dispatch_deadline_minutes == 20
    assert rules.auto_confirm_hours == 36
    assert rules.callback_windows.leak == 5 and rules.callback_windows.safety == 2
    origin = {row["rule"]: row["from"] for row in rules_in_force(rules)}
    assert origin["dispatch_deadline_minutes"] == f"rules file {path}"
    assert origin["auto_confirm_hours"] == "environment FRONTLINE_AUTO_CONFIRM_HOURS"
    assert origin["callback_windows.leak"] == f"rules file {path}"
    assert origin["response_deadline_hours"] == "default (004)"


def test_a_missing_rules_file_is_an_error_not_a_silent_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_RULES_PATH", str(tmp_path / "nope.yaml"))
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        load_rules()


@pytest.mark.parametrize("values", [
    {"survey_day_start": 20, "survey_day_end": 9},
    {"dispatch_deadline_minutes": 0},
    {"callbacks_list_day": 12, "callbacks_due_day": 10},
    {"onsite_callback_percent": 101},
])
def test_rules_that_make_no_sense_are_refused(values: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        OfficeRules.model_validate(values)


def test_survey_retries_back_off_to_the_cap() -> None:
    rules = OfficeRules()
    assert [rules.survey_retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert rules.survey_retry_delay(50) == timedelta(hours=6)
