"""``frontline fees``, run as finance, the cashier and the managers run it."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from bot.cli import app
from storage.db import make_engine
from storage.models import Person

runner = CliRunner()

ROSTER = ("building,room,name,phone,fee_plan,monthly_fee\n"
          "3,1202,王芳,13800000001,quarterly,300.50\n"
          "3,1203,Li Lei,13800000002,monthly,280.00\n"
          "5,0101,赵敏,13800000003,semiannual,250.00\n")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRONTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run("households", "import", "roster.csv")[0] == 0
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(env: Path, name: str, text: str) -> str:
    (env / name).write_text(text, encoding="utf-8")
    return name


def test_bills_import_reports_bad_rows_by_line_and_a_reimport_updates(env: Path) -> None:
    name = write(env, "bills.csv", (
        "building,room,period_start,period_end,item,amount\n"
        "3,1203,2026-07-01,2026-07-31,management,280.00\n"
        "3,1203,2026-07-01,2026-07-31,parking,150\n"
        "9,9999,2026-07-01,2026-07-31,management,280.00\n"  # line 4: not on the roster
        "3,1203,2026-07-31,2026-07-01,management,280.00\n"  # line 5: ends before it starts
        "3,1203,2026-07-01,2026-07-31,water,12.345\n"  # line 6: a fraction of a fen
        "3,1203,July,2026-07-31,water,12\n"  # line 7: not a date
        "3,1203,2026-07-01,2026-07-31,service:WO-1,12\n"))  # line 8: reserved
    code, out, err = run("fees", "bills", "import", name)
    assert code == 1
    for line in (4, 5, 6, 7, 8):
        assert f"line {line}:" in err
    assert "2 created, 0 updated, 0 unchanged, 5 rejected" in out
    name = write(env, "bills2.csv", (
        "building,room,period_start,period_end,item,amount\n"
        "3,1203,2026-07-01,2026-07-31,management,280.00\n"
        "3,1203,2026-07-01,2026-07-31,parking,120.00\n"))
    code, out, _ = run("fees", "bills", "import", name)
    assert code == 0 and "0 created, 1 updated, 1 unchanged, 0 rejected" in out
    code, out, _ = run("fees", "statement", "3", "1203", "--on", "2026-07-11", "--json")
    data = json.loads(out)
    assert [(b["item"], b["principal"], b["late_fee"]) for b in data["bills"]] == [
        ("management", "280.00", "8.40"), ("parking", "120.00", "3.60")]
    assert data["total_due"] == "412.00"


def test_a_file_without_the_columns_imports_nothing(env: Path) -> None:
    name = write(env, "bad.csv", "building,room,amount\n3,1203,280\n")
    code, _, err = run("fees", "bills", "import", name)
    assert code == 2 and "missing column(s)" in err


def test_payments_pay_the_oldest_bill_first_and_the_statement_shows_it(env: Path) -> None:
    write(env, "bills.csv", (
        "building,room,period_start,period_end,item,amount\n"
        "3,1203,2026-07-01,2026-07-31,management,280.00\n"
        "3,1203,2026-08-01,2026-08-31,management,280.00\n"))
    assert run("fees", "bills", "import", "bills.csv")[0] == 0
    code, out, _ = run("fees", "payments", "record", "3", "1203", "300", "--paid-at",
                       "2026-07-05", "--receipt", "R-1")
    assert code == 0, out
    code, out, _ = run("fees", "statement", "3", "1203", "--on", "2026-08-11", "--json")
    data = json.loads(out)
    july, august = data["bills"]
    # July: 4 days × 280 × 3‰ = 3.36, then paid in full; August: 20 of 280 paid on Jul 5,
    # ten days of 260 × 3‰ = 7.80.
    assert (july["paid"], july["late_fee"]) == ("280.00", "3.36")
    assert (august["paid"], august["late_fee"]) == ("20.00", "7.80")
    assert data["total_due"] == "271.16"
    assert data["grows_on"] == "2026-08-12" and data["grows_by"] == "0.78"


def test_payments_import_is_idempotent_by_receipt_and_rejects_bad_rows(env: Path) -> None:
    write(env, "bills.csv", "building,room,period_start,period_end,item,amount\n"
                            "3,1203,2026-07-01,2026-07-31,management,280.00\n")
    run("fees", "bills", "import", "bills.csv")
    name = write(env, "bank.csv", (
        "building,room,amount,paid_at,receipt_no\n"
        "3,1203,100.00,2026-07-02 10:15,B-1\n"
        "3,1203,80.00,2026-07-03T09:00:00+08:00,B-2\n"
        "3,1203,0,2026-07-03,B-3\n"  # line 4: nothing paid
        "3,1203,50,2026-07-03,\n"  # line 5: no receipt number
        "3,1203,50,2099-01-01,B-5\n"  # line 6: in the future
        "3,1203,50,2026-07-03,B-1\n"))  # line 7: B-1 already stands for another payment
    code, out, err = run("fees", "payments", "import", name)
    assert code == 1 and "2 recorded, 0 updated, 0 unchanged, 4 rejected" in out
    for line in (4, 5, 6, 7):
        assert f"line {line}:" in err
    name = write(env, "bank2.csv", "building,room,amount,paid_at,receipt_no\n"
                                   "3,1203,100.00,2026-07-02 10:15,B-1\n"
                                   "3,1203,80.00,2026-07-03,B-2\n")
    code, out, _ = run("fees", "payments", "import", name)
    assert code == 0 and "0 recorded, 0 updated, 2 unchanged" in out
    data = json.loads(run("fees", "statement", "3", "1203", "--on", "2026-07-04",
                          "--json")[1])
    assert data["paid"] == "180.00"


def test_a_households_fee_history_lists_what_the_desk_recorded(env: Path) -> None:
    write(env, "bills.csv", "building,room,period_start,period_end,item,amount\n"
                            "3,1203,2026-07-01,2026-07-31,management,280.00\n")
    run("fees", "bills", "import", "bills.csv")
    run("fees", "payments", "record", "3", "1203", "100", "--paid-at", "2026-07-03",
        "--receipt", "R-9")
    code, out, _ = run("fees", "history", "3", "1203", "--json")
    data = json.loads(out)
    assert code == 0 and data["unit"] == "3-1203"
    assert [(e["what"], e.get("amount")) for e in data["events"]] == [
        ("bill", "280.00"), ("payment", "100.00")]
    assert run("fees", "history", "9", "9")[0] == 2


def test_arrears_as_json_and_csv_and_by_building(env: Path) -> None:
    write(env, "bills.csv", (
        "building,room,period_start,period_end,item,amount\n"
        "3,1203,2026-07-01,2026-07-31,management,280.00\n"
        "5,0101,2026-07-01,2026-12-31,management,1500.00\n"
        "3,1202,2026-07-01,2026-09-30,management,901.50\n"))
    run("fees", "bills", "import", "bills.csv")
    run("fees", "payments", "record", "3", "1202", "901.50", "--paid-at", "2026-07-01")
    out = run("fees", "arrears", "--json", "--on", "2026-07-11")[1]
    rows = json.loads(out)
    assert [(r["unit"], r["overdue_principal"], r["late_fee"], r["days_overdue"])
            for r in rows] == [("3-1203", "280.00", "8.40", 10), ("5-0101", "1500.00", "45.00",
                                                                   10)]
    out = run("fees", "arrears", "--csv", "--building", "5", "--on", "2026-07-11")[1]
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [(r["unit"], r["total_due"]) for r in parsed] == [("5-0101", "1545.00")]


def test_a_manager_waives_a_late_fee_with_a_reason(env: Path) -> None:
    write(env, "bills.csv", "building,room,period_start,period_end,item,amount\n"
                            "3,1203,2026-07-01,2026-07-31,management,280.00\n")
    run("fees", "bills", "import", "bills.csv")
    code, _, err = run("fees", "waive", "3", "1203", "2026-07-01", "--reason", "in hospital",
                       "--manager", "Nobody")
    assert code == 2 and "not a manager" in err
    engine = make_engine(f"sqlite:///{env / 'office.db'}")
    with Session(engine) as session:  # Zhou bound as a manager (through the bot, normally)
        session.add(Person(telegram_user_id=401, role="manager", name="Zhou"))
        session.commit()
    engine.dispose()
    before = json.loads(run("fees", "statement", "3", "1203", "--json")[1])
    assert before["late_fee"] != "0.00"
    code, _, err = run("fees", "waive", "3", "1203", "2026-07-01", "--manager", "Zhou",
                       "--reason", "")
    assert code == 2 and "reason" in err
    code, out, _ = run("fees", "waive", "3", "1203", "2026-07-01", "--manager", "401",
                       "--reason", "in hospital", "--amount", "5.00")
    assert code == 0 and "Waived 5.00" in out
    after = json.loads(run("fees", "statement", "3", "1203", "--json")[1])
    assert Decimal(before["late_fee"]) - Decimal(after["late_fee"]) == Decimal("5.00")
    assert after["bills"][0]["waived"] == "5.00"
    code, out, _ = run("fees", "waive", "3", "1203", "2026-07-01", "--manager", "Zhou",
                       "--reason", "in hospital")
    assert code == 0
    assert json.loads(run("fees", "statement", "3", "1203", "--json")[1])["late_fee"] == "0.00"


def test_campaign_show_and_the_ladder(env: Path) -> None:
    code, out, _ = run("fees", "campaign", "show", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run("fees", "ladder", "show", "--year", "2027", "--json")
    data = json.loads(out)
    assert data["ladder"]["late_fee"]["rate_per_day"] == "0.003"
    assert len(data["notices"]) == 54
    code, _, err = run("fees", "campaign", "approve", "99")
    assert code == 2 and "no campaign 99" in err


def test_bad_input_is_answered_and_changes_nothing(env: Path) -> None:
    for args in (("fees", "statement", "9", "9999"),
                 ("fees", "statement", "3", "1203", "--on", "tomorrow"),
                 ("fees", "payments", "record", "3", "1203", "-5"),
                 ("fees", "payments", "record", "3", "1203", "abc"),
                 ("fees", "payments", "record", "9", "9999", "10")):
        code, _, err = run(*args)
        assert code == 2 and err.strip()
    data = json.loads(run("fees", "statement", "3", "1203", "--json")[1])
    assert data["paid"] == "0.00" and data["bills"] == []
