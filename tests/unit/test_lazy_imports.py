"""The command line loads only what the command it runs needs.

Importing everything made `frontline run` without a token take seconds to say so, and every
start pay for the triage model and the report's libraries. Each case runs in a fresh
interpreter and looks at ``sys.modules`` afterwards: a regression guard, not a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
