"""``frontline jobs``: what the bot is about to do, as the office reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bot.cli import app as frontline
from handlers.office import Office
from handlers.office.clock import FakeClock
from scheduler.cli import print_jobs
from scheduler.drain import duties_once
from tests.support.estate import build_estate
from tests.support.orders import confirm, finish, open_order, order_row


def test_jobs_lists_surveys_deadlines_escalations_and_duties(
        office: Office, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    estate = build_estate(office)
    duties_once(office)  # this month's duties have run
    waiting = open_order(office, estate.neighbour)
    unsigned = open_order(office, estate.resident, status="accepted", assignee=estate.plumber)
    finish(office, unsigned)
    signed = open_order(office, estate.neighbour, status="accepted", assignee=estate.plumber2)
    finish(office, signed)
    confirm(office, signed)
    capsys.readouterr()

    print_jobs(office, as_json=True)
    items = json.loads(capsys.readouterr().out)
    by_kind = {(item["kind"], item["target"]): item for item in items}
    waiting_no, unsigned_no, signed_no = (order_row(office, i).number
                                          for i in (waiting, unsigned, signed))
    survey = by_kind[("survey", signed_no)]
    assert survey["due"] == "2026-11-23T11:00:00+08:00"
    assert survey["window_end"] == "2026-11-25T10:00:00+08:00"
    assert by_kind[("dispatch_deadline", waiting_no)]["due"] == "2026-11-23T10:14:00+08:00"
    assert by_kind[("no_response", waiting_no)]["due"] == "2026-11-24T10:00:00+08:00"
    assert by_kind[("auto_confirm", unsigned_no)]["due"] == "2026-11-25T10:00:00+08:00"
    assert by_kind[("duty:callbacks_list", "2026-12")]["due"] == "2026-12-01T09:00:00+08:00"
    assert [item["due"] for item in items] == sorted(item["due"] for item in items)

    print_jobs(office, limit=2, console=Console(width=200))
    table = capsys.readouterr().out
    assert "dispatch_deadline" in table and waiting_no in table
    assert "Showing 2 of" in table


def test_the_jobs_command_reads_the_configured_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(frontline, ["jobs", "--json"])
    assert result.exit_code == 0, result.output
    kinds = [item["kind"] for item in json.loads(result.stdout)]
    assert kinds and all(kind.startswith("duty:") for kind in kinds)  # an empty office
