"""The office's terminal commands, run as the office runs them."""

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
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_creates_the_database(env: Path) -> None:
    code, _, _ = run("db", "upgrade")
    assert code == 0 and (env / "office.db").exists()
    assert run("db", "upgrade")[0] == 0  # idempotent


def test_import_reports_bad_rows_by_line_and_imports_the_rest(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text(
        "building,room,name,phone,fee_plan,monthly_fee\n"
        "1,101,张三,13800000001,monthly,280.50\n"
        "1,102,,13800000002,,\n"  # line 3: no name
        "1,103,李四,12,,\n"  # line 4: not a phone
        "1,104,王五,13800000004,weekly,\n"  # line 5: unknown plan
        "1,105,赵六,13800000005,quarterly,abc\n"  # line 6: fee not a number
        "2,201,钱七,13800000007,,\n", encoding="utf-8")
    code, out, err = run("households", "import", str(roster))
    assert code == 1
    for line in (3, 4, 5, 6):
        assert f"line {line}:" in err
    assert "2 created, 0 updated, 0 unchanged, 4 rejected" in out
    roster.write_text("building,room,name,phone\n1,101,张三丰,13800000001\n", encoding="utf-8")
    code, out, _ = run("households", "import", str(roster))
    assert code == 0 and "0 created, 1 updated, 0 unchanged, 0 rejected" in out
    code, out, _ = run("households", "import", str(roster))  # the same file again
    assert code == 0 and "0 created, 0 updated, 1 unchanged, 0 rejected" in out


def test_import_refuses_a_file_in_the_wrong_encoding_and_imports_nothing(env: Path) -> None:
    roster = env / "gbk.csv"
    roster.write_bytes("building,room,name,phone\n1,101,张三,13800000001\n".encode("gbk"))
    code, _, err = run("households", "import", str(roster))
    assert code == 2 and "UTF-8" in err
    code, out, _ = run("orders", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_import_refuses_a_file_without_the_required_columns(env: Path) -> None:
    roster = env / "bad.csv"
    roster.write_text("楼栋,房号\n1,101\n", encoding="utf-8")
    code, _, err = run("households", "import", str(roster))
    assert code == 2 and "building" in err


def test_codes_are_printed_and_written(env: Path) -> None:
    roster = env / "roster.csv"
    roster.write_text("building,room,name,phone\n1,101,张三,13800000001\n"
                      "1,102,李四,13800000002\n", encoding="utf-8")
    run("households", "import", str(roster))
    out_file = env / "codes.csv"
    code, _, _ = run("households", "codes", "--out", str(out_file))
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert code == 0 and lines[0] == "building,room,code" and len(lines) == 3
    assert all(line.split(",")[2].startswith("H-") for line in lines[1:])
    run("households", "codes", "--out", str(out_file))
    assert out_file.read_text(encoding="utf-8").splitlines() == lines  # stable until used


def test_invites_print_the_bare_code_on_the_last_line(env: Path) -> None:
    code, out, _ = run("invite", "staff", "--role", "technician", "--trade", "plumbing",
                       "--name", "张师傅")
    assert code == 0 and out.strip().splitlines()[-1].startswith("S-")
    code, out, _ = run("invite", "group", "--trade", "plumbing")
    assert code == 0 and out.strip().splitlines()[-1].startswith("G-")
    code, out, _ = run("invite", "group", "--role", "dispatch")
    assert code == 0 and out.strip().splitlines()[-1].startswith("G-")
    assert run("invite", "staff", "--role", "technician")[0] == 2  # no trade
    assert run("invite", "staff", "--role", "wizard")[0] == 2
    assert run("invite", "group", "--trade", "plumbing", "--role", "dispatch")[0] == 2
    assert run("invite", "group", "--trade", "astrology")[0] == 2


def test_orders_list_and_show_as_json(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.bootstrap import build_office
    from bot.settings import Settings
    from tests.support.estate import PLUMBERS, build_estate
    from tests.support.repairs import report_tap_leak

    run("db", "upgrade")
    office = build_office(Settings())
    estate = build_estate(office)
    number = report_tap_leak(estate)
    estate.plumber.taps("接单", chat_id=PLUMBERS)
    code, out, _ = run("orders", "list", "--json")
    orders = json.loads(out)
    assert code == 0 and len(orders) == 1
    assert {"number", "kind", "status", "trade", "building", "room", "assignee",
            "created_at"} <= orders[0].keys()
    assert orders[0]["status"] == "accepted" and orders[0]["building"] == "3"
    assert json.loads(run("orders", "list", "--status", "open", "--json")[1]) == []
    assert run("orders", "list", "--status", "bogus")[0] == 2
    code, out, _ = run("orders", "show", number, "--json")
    shown = json.loads(out)
    assert [e["action"] for e in shown["events"]] == ["created", "accepted"]
    assert run("orders", "show", "WO-19990101-0001")[0] == 2


def test_triage_prints_one_json_object_with_the_fields_in_order() -> None:
    code, out, _ = run("triage", "厨房水龙头一直滴水")
    result = json.loads(out)
    assert code == 0 and list(result) == ["intent", "trade", "location", "emergency",
                                          "callback_class", "service", "hazard", "severity"]
    assert result["trade"] == "plumbing" and result["service"] == "tap_valve"


def test_triage_jsonl_answers_line_by_line_and_reports_bad_lines() -> None:
    stdin = '{"text": "I smell gas"}\nnot json\n{"text": "電梯裡有人被困住了！"}\n'
    result = runner.invoke(app, ["triage", "--jsonl"], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and len(lines) == 3
    assert lines[0]["hazard"] == "gas" and "error" in lines[1] and lines[2]["hazard"] == "lift"
    assert "line 2" in result.stderr
