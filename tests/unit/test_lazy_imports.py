"""The command line loads only what the command it runs needs.

Importing everything made `frontline run` without a token take seconds to say so, and every
start pay for the triage model and the report's libraries. Each case runs in a fresh
interpreter and looks at ``sys.modules`` afterwards: a regression guard, not a timing.
`frontline run` with a token is looked at as its first getUpdates goes out: what answering an
update does not need (the scheduler, the monthly report, the triage model …) comes after.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.emulator import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
# Heavy, and needed by only some commands (or only once the bot is running).
HEAVY = ("jieba", "opencc", "matplotlib", "openpyxl", "dialogs.triage._load", "pgserver",
         "playwright", "aiogram", "telegram", "aiohttp", "sqlalchemy", "alembic", "apscheduler")

PROBE = """
import json, sys
from bot.cli import main
code = None
if sys.argv[1:]:
    try:
        main()
    except SystemExit as stop:
        code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def probe(tmp_path: Path, *arguments: str,
          **settings: str) -> tuple[int | None, set[str], str]:
    """Run ``frontline ARGUMENTS`` (or only import the CLI) in a fresh interpreter, with only
    *settings* and no .env file: (exit code, modules loaded, what it printed on stderr)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONTLINE_")}
    env.update(settings, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], set(result["modules"]), done.stderr


def heavy_in(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


def test_importing_the_command_line_loads_no_desk_and_no_heavy_library(tmp_path: Path) -> None:
    _, modules, _ = probe(tmp_path)
    assert heavy_in(modules) == []
    assert not any(name.startswith("handlers.") for name in modules)


def test_frontline_run_without_a_token_says_so_before_loading_the_bot(tmp_path: Path) -> None:
    code, modules, said = probe(tmp_path, "run")
    assert code == 2
    assert "FRONTLINE_BOT_TOKEN is not set" in said
    assert heavy_in(modules) == []


def test_a_desk_command_loads_its_desk_but_not_the_triage_or_the_report(
        tmp_path: Path) -> None:
    """`frontline orders list` opens the database and the work orders, nothing more."""
    database = f"sqlite:///{tmp_path / 'office.db'}"
    code, modules, _ = probe(tmp_path, "orders", "list", "--json",
                             FRONTLINE_DATABASE_URL=database)
    assert code in (None, 0)
    assert "handlers.work_orders.records" in modules
    assert [name for name in ("jieba", "matplotlib", "openpyxl", "dialogs.triage._load",
                              "aiogram", "telegram") if name in modules] == []
    assert "alembic" in modules  # a new database: the migrations ran
    _, again, _ = probe(tmp_path, "orders", "list", "--json", FRONTLINE_DATABASE_URL=database)
    assert "alembic" not in again  # up to date: nothing to migrate, Alembic stays unloaded


def test_the_newest_migration_read_from_the_files_is_alembics_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, declared_head

    config = alembic_config(f"sqlite:///{tmp_path / 'office.db'}")
    assert declared_head() == ScriptDirectory.from_config(config).get_current_head()


# Not needed to answer the first update, so not loaded before the first getUpdates: the
# scheduler (the drain and the desks only it calls), the monthly report, the triage model
# (warmed up beside receiving), Alembic (the database is at head), the PostgreSQL dialect
# (on SQLite), and the desks the reception imports at their first use (handlers/reception/
# desks.py: fees, complaints, announcements, the desk tools) with their storage.
AFTER_RECEIVING = ("scheduler.drain", "handlers.callback_surveys.monthly_duties",
                   "handlers.monthly_report", "jieba", "opencc", "matplotlib", "openpyxl",
                   "alembic", "sqlalchemy.dialects.postgresql",
                   "handlers.fees", "storage.fees", "handlers.announcements.notices",
                   "handlers.front_desk.complaints", "handlers.front_desk.complaint_records",
                   "handlers.front_desk.complaint_handling", "handlers.front_desk.desk_tools")
# APScheduler too, but python-telegram-bot imports it itself (its JobQueue), bare or not.
AFTER_RECEIVING_BY_FRAMEWORK = {"aiogram": ("apscheduler",), "ptb": ()}

# Runs `frontline run`; the first time the adapter marks receiving as begun (as its first
# getUpdates goes out) the modules loaded so far are written to PROBE_OUT, and at the end
# those loaded by then.
RUN_PROBE = """
import json, os, sys
import bot.adapters.intake as intake

class Watched(type(intake.Intake(lambda event: None, workers=1).receiving)):
    def set(self):
        if not self.is_set():
            with open(os.environ["PROBE_OUT"], "w") as out:
                json.dump(sorted(sys.modules), out)
        super().set()

init = intake.Intake.__init__
def watched_init(self, *args, **kwargs):
    init(self, *args, **kwargs)
    self.receiving = Watched()
intake.Intake.__init__ = watched_init
from bot.cli import main
sys.argv = ["frontline", "run"]
try:
    main()
finally:
    print(json.dumps(sorted(sys.modules)))
"""


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The names in *names* that are in *modules*, themselves or by a submodule."""
    return [name for name in names
            if any(m == name or m.startswith(name + ".") for m in modules)]


@pytest.fixture
def emulator() -> Iterator[str]:
    """A Bot API emulator in its own process (this one stays free of the bot's modules)."""
    process = subprocess.Popen([sys.executable, "-m", "bot.emulator", "--token", TEST_TOKEN],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("EMULATOR_URL="), line
        yield line.strip().split("=", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for(check: object, within: float) -> None:
    deadline = time.monotonic() + within
    while not callable(check) or not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_frontline_run_polls_before_loading_what_answering_does_not_need(
        tmp_path: Path, emulator: str, framework: str) -> None:
    from storage.db import upgrade

    database = f"sqlite:///{tmp_path / 'office.db'}"
    upgrade(database)  # at head: starting the bot has nothing to migrate
    early = tmp_path / "early.json"
    log = tmp_path / "bot.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRONTLINE_")}
    env.update(PYTHONPATH=str(ROOT), PROBE_OUT=str(early), FRONTLINE_BOT_TOKEN=TEST_TOKEN,
               FRONTLINE_API_BASE=emulator, FRONTLINE_DATABASE_URL=database,
               FRONTLINE_FRAMEWORK=framework)
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", RUN_PROBE], cwd=tmp_path, env=env,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        wait_for(lambda: early.exists() and early.stat().st_size > 0, within=90)
        # What comes after receiving does come: the scheduler leads, the triage is warm, and
        # what start-up built is kept out of the collections from then on.
        wait_for(lambda: all(line in log.read_text() for line in (
            "scheduler: leading", "runtime: triage ready", "chat menus asked for",
            "start-up objects kept out of collections")), within=90)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, log.read_text()[-3000:]
    frozen = re.search(r"(\d+) start-up objects kept out of collections", log.read_text())
    assert frozen is not None and int(frozen.group(1)) > 50_000  # the frameworks, the model
    before = set(json.loads(early.read_text()))
    assert "handlers.reception.entry" in before  # the core answers from the first update
    assert loaded(before, AFTER_RECEIVING + AFTER_RECEIVING_BY_FRAMEWORK[framework]) == []
    after = set(json.loads(out.splitlines()[-1]))
    assert loaded(after, ("apscheduler", "scheduler.drain", "jieba")) == [
        "apscheduler", "scheduler.drain", "jieba"]
