"""The README's "First day with a real bot", followed to the letter in a fresh folder.

Its shell commands are read from the README and run as they stand (``uv run`` finds the project
through ``UV_PROJECT``; the folder is new, so no ``.env`` or database leaks in), with
``FRONTLINE_API_BASE`` pointing at a local emulator that stands in for Telegram: it knows only
the token and the username the walkthrough's ``.env`` gives, and keeps group privacy on. The
people's part — the admin's ``/start CODE``, ``/bindgroup CODE`` in a group the bot was added
to, a resident's household code — is done through the emulator, as the walkthrough says.
"""

from __future__ import annotations

import asyncio
import csv
import os
import re
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from bot.emulator.client import EmulatorClient
from tests.e2e.harness import READY_LINE, assert_local
from tests.e2e.phone import Phone
from tests.support.emulator import running_emulator
from tests.support.sandbox import ROOT, press_ctrl_c

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
SECTION = "## First day with a real bot"
RUN = "uv run frontline run"
DEAD_API = "http://127.0.0.1:9"  # until the bot runs, nothing may reach any Bot API


def walkthrough() -> list[str]:
    """The section's shell commands in order; a here-document is one command with its body."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else len(text)]
    commands: list[str] = []
    for _indent, body in re.findall(r"^([ \t]*)```bash\n(.*?)^\1```", section, re.M | re.S):
        lines = iter(textwrap.dedent(body).splitlines())
        for line in lines:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            here = re.search(r"<<-?'?(\w+)'?", line)
            if here:
                rest = []
                for more in lines:
                    rest.append(more)
                    if more.strip() == here.group(1):
                        break
                line = "\n".join([line, *rest])
            commands.append(line)
    return commands


def test_the_walkthrough_has_the_steps_a_newcomer_needs() -> None:
    commands = walkthrough()
    assert commands[-1] == RUN, "it ends by starting the bot"
    assert commands[0].startswith("cat > .env"), "it begins with the token in .env"
    for needed in ("FRONTLINE_BOT_TOKEN=", "FRONTLINE_BOT_USERNAME=", "db upgrade",
                   "households import", "households codes", "invite staff --role admin",
                   "invite group"):
        assert any(needed in command for command in commands), needed
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    for words in ("@BotFather", "/newbot", "privacy", "/bindgroup", "/start CODE", "t.me/"):
        assert words in section, words


def _env(api_base: str) -> dict[str, str]:
    assert_local(api_base)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "UV_"))}
    env.update({"FRONTLINE_API_BASE": api_base, "UV_PROJECT": str(ROOT),
                "UV_FROZEN": "1", "PYTHONUNBUFFERED": "1"})
    return env


def _dotenv(folder: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (folder / ".env").read_text().splitlines()
             if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _log(path: Path) -> str:
    return path.read_bytes().decode(errors="replace")


async def test_the_first_day_walkthrough_runs_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    outputs: dict[str, str] = {}
    commands = walkthrough()
    assert commands[-1] == RUN
    for command in commands[:-1]:
        done = await asyncio.to_thread(
            subprocess.run, ["bash", "-c", command], cwd=folder, env=_env(DEAD_API),
            capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
        outputs[command] = done.stdout

    def printed_by(part: str) -> str:
        return next(out for command, out in outputs.items() if part in command)

    settings = _dotenv(folder)
    username = settings["FRONTLINE_BOT_USERNAME"]
    admin_invite = printed_by("--role admin")
    admin_code = admin_invite.strip().splitlines()[-1]
    assert f"https://t.me/{username}?start={admin_code}" in admin_invite, \
        "with FRONTLINE_BOT_USERNAME set, an invite prints its t.me link"
    board_code = printed_by("invite group --trade plumbing").strip().splitlines()[-1]
    with (folder / "codes.csv").open(encoding="utf-8") as handle:
        household = next(row for row in csv.DictReader(handle))

    async with running_emulator(token=settings["FRONTLINE_BOT_TOKEN"], bot_username=username,
                                group_privacy=True) as emulator:
        log = tmp_path / "run.log"
        with log.open("wb") as out:
            bot = await asyncio.create_subprocess_exec(
                "bash", "-c", f"exec {RUN}", cwd=folder, env=_env(emulator.url), stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while READY_LINE not in _log(log):
                assert bot.returncode is None, _log(log)[-4000:]
                assert time.monotonic() < deadline, _log(log)[-4000:]
                await asyncio.sleep(0.1)
            assert f"@{username} up" in _log(log)

            async with EmulatorClient(emulator.url) as client:
                admin = await Phone.of(client, "Office admin", language_code="en")
                await admin.says(f"/start {admin_code}")
                await admin.sees("Office admin")
                plumbers = (await client.create_group("水电组", [admin.user_id],
                                                      added_by=admin.user_id))["id"]
                await admin.says(f"/bindgroup {board_code}", chat_id=plumbers)
                await admin.sees("✅", chat_id=plumbers)
                wang = await Phone.of(client, household["building"] + household["room"])
                await wang.says(f"/start {household['code']}")
                await wang.sees(f"{household['building']}-{household['room']}")

            await asyncio.to_thread(press_ctrl_c, bot.pid)
            assert await asyncio.wait_for(bot.wait(), 60) == 0, _log(log)[-4000:]
        finally:
            if bot.returncode is None:
                os.killpg(bot.pid, signal.SIGKILL)
    output = _log(log)
    assert "Traceback" not in output and "runtime: stopped" in output, output[-4000:]
