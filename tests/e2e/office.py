"""The office side of an end-to-end test: what the admin does with ``frontline`` commands.

Roster import, binding codes and invites go through the real CLI (Typer's runner, in this
process, so each command does not pay the interpreter's start-up again).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

ROSTER = [
    {"building": "3", "room": "1202", "name": "王芳", "phone": "13800000001"},
    {"building": "3", "room": "1203", "name": "Li Lei", "phone": "13800000002"},
    {"building": "5", "room": "0101", "name": "赵敏", "phone": "13800000003"},
]
STAFF = [  # (name, role, trades)
    ("张师傅", "technician", ["plumbing"]),
    ("赵师傅", "technician", ["plumbing"]),
    ("刘调度", "dispatcher", []),
]
GROUPS = [("plumbers", ["--trade", "plumbing"]), ("dispatch", ["--role", "dispatch"]),
          ("managers", ["--role", "managers"])]


@dataclass
class OfficeCodes:
    households: dict[str, str] = field(default_factory=dict)  # "3-1202" → code
    staff: dict[str, str] = field(default_factory=dict)  # name → code
    groups: dict[str, str] = field(default_factory=dict)  # purpose → code


def frontline(database_url: str, *args: str) -> str:
    """Run one ``frontline`` command against *database_url*; returns its stdout."""
    from bot.cli import app

    result = CliRunner().invoke(app, list(args), env={"FRONTLINE_DATABASE_URL": database_url},
                                catch_exceptions=False)
    assert result.exit_code == 0, f"frontline {' '.join(args)}:\n{result.output}"
    return result.stdout


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def set_up_office(database_url: str, workdir: Path) -> OfficeCodes:
    """Create the database, import the roster, print codes, issue staff and group invites."""
    codes = OfficeCodes()
    frontline(database_url, "db", "upgrade")
    roster = workdir / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROSTER[0]))
        writer.writeheader()
        writer.writerows(ROSTER)
    frontline(database_url, "households", "import", str(roster))
    out = workdir / "codes.csv"
    frontline(database_url, "households", "codes", "--out", str(out))
    with out.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            codes.households[f"{row['building']}-{row['room']}"] = row["code"]
    for name, role, trades in STAFF:
        trade_args = [arg for trade in trades for arg in ("--trade", trade)]
        output = frontline(database_url, "invite", "staff", "--role", role, *trade_args,
                           "--name", name)
        codes.staff[name] = last_line(output)
    for purpose, options in GROUPS:
        codes.groups[purpose] = last_line(frontline(database_url, "invite", "group", *options))
    return codes
