"""``frontline announce``, as the office runs it from a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text("building,room,name,phone\n3,1202,王芳,13800000001\n",
                                         encoding="utf-8")
    assert run("households", "import", "roster.csv")[0] == 0
    (tmp_path / "notice.md").write_text("管道检修，请提前储水。\n", encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_outage_is_prepared_decided_and_recalled_from_the_terminal(env: Path) -> None:
    code, out, _ = run("announce", "--file", "notice.md", "--outage", "water",
                       "--audience", "buildings:3", "--from", "2099-12-03 09:00",
                       "--to", "2099-12-03 17:00")
    assert code == 0
    assert "Announcement #1 — preview" in out and "To: Buildings 3" in out
    assert "Planned water outage, building 3: 2099-12-03 09:00 – 2099-12-03 17:00" in out
    assert "管道检修，请提前储水。" in out and "Waiting for approval." in out
    code, out, _ = run("announce", "list", "--json")
    [row] = json.loads(out)
    assert (row["kind"], row["status"], row["utility"], row["total"]) == (
        "outage", "prepared", "water", 0)
    assert run("announce", "approve", "1")[0] == 0
    code, _, err = run("announce", "approve", "1")
    assert code == 2 and "is approved; cannot approve" in err
    code, out, _ = run("announce", "recall", "1")
    assert code == 0 and "recalled: 0 deleted, 0 corrected, 0 stopped" in out
    assert json.loads(run("announce", "show", "1", "--json")[1])["status"] == "recalled"


def test_bad_options_get_one_clear_answer_and_change_nothing(env: Path) -> None:
    for args, said in (
            (("--audience", "everyone"), "unknown audience 'everyone'"),
            (("--audience", "buildings:"), "buildings:… needs building numbers"),
            (("--at", "tomorrow"), "--at must be a local time like 2026-12-03 09:00"),
            (("--outage", "water"), "--outage water|power|gas|lift needs --audience"),
            (("--audience", "buildings:9"), "There is no building 9 on the roster"),
            ((), "Nobody in this audience uses the bot yet")):
        code, _, err = run("announce", "--file", "notice.md", *args)
        assert code == 2 and said in err, (args, err)
    assert json.loads(run("announce", "list", "--json")[1]) == []
    code, _, err = run("announce", "--file", "missing.md")
    assert code == 2 and "cannot read missing.md" in err
