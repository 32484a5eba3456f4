"""End-to-end fixtures: an emulator in this process, the office set up through the CLI, and
the real ``frontline run`` as a child process pointed at the emulator — never at Telegram.

Each test gets its own temp dir, database, emulator port and webhook port, so the suite runs
under pytest-xdist.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import unavailable
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, INSTALL_CHROMIUM, STEP
from tests.e2e.harness import BotProcess, assert_local, free_port, safe_env
from tests.e2e.office import OfficeCodes, set_up_office
from tests.support.sandbox import RunningSandbox, start_sandbox

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REAL_TELEGRAM = "api.telegram.org"
# Replies in a scenario come several to a chat; Telegram's 1/s would only make tests slow.
QUICK_LIMITS = {"FRONTLINE_PRIVATE_CHAT_PER_SECOND": "30",
                "FRONTLINE_GROUP_CHAT_PER_MINUTE": "1200"}


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run at all if the environment points the bot at the real Bot API."""
    if REAL_TELEGRAM in os.environ.get("FRONTLINE_API_BASE", ""):
        raise pytest.UsageError("FRONTLINE_API_BASE points at api.telegram.org; the end-to-end "
                                "tests only ever talk to the local emulator")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _only_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything in this process that reads settings without being told gets a dead port."""
    if REAL_TELEGRAM in os.environ.get("FRONTLINE_API_BASE", ""):
        pytest.fail("FRONTLINE_API_BASE points at the real Bot API", pytrace=False)
    monkeypatch.setenv("FRONTLINE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.delenv("FRONTLINE_BOT_TOKEN", raising=False)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'frontline.db'}"


@pytest.fixture
def codes(database_url: str, tmp_path: Path) -> OfficeCodes:
    return set_up_office(database_url, tmp_path)


@dataclass
class Launch:
    """How to start ``frontline run`` for one test (call it; it returns the process)."""

    tmp_path: Path
    database_url: str
    processes: list[BotProcess]

    def __call__(self, framework: str, api_base: str, *, webhook: bool = False,
                 **env: str) -> BotProcess:
        assert_local(api_base)
        settings = {"FRONTLINE_DATABASE_URL": self.database_url,
                    "FRONTLINE_FRAMEWORK": framework, **QUICK_LIMITS, **env}
        url = None
        if webhook:
            port = free_port()
            url = f"http://127.0.0.1:{port}/telegram/{secrets.token_hex(4)}"
            settings |= {"FRONTLINE_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                         "FRONTLINE_WEBHOOK_SECRET": secrets.token_urlsafe(24)}
        process = BotProcess(safe_env(api_base, **settings), self.tmp_path / "bot.log",
                             webhook_url=url, cwd=self.tmp_path)
        self.processes.append(process)
        return process


@pytest.fixture
def launch(tmp_path: Path, database_url: str) -> Iterator[Launch]:
    processes: list[BotProcess] = []
    yield Launch(tmp_path, database_url, processes)
    for process in processes:
        process.cleanup()


# -- the sandbox in a browser: one sandbox and one page per browser-test module -----------
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the browser tests need playwright (a dev dependency)", "uv sync")
    if not CHROMIUM.exists():
        unavailable(f"THE BROWSER TESTS DID NOT RUN: no Chromium at {CHROMIUM}",
                    INSTALL_CHROMIUM)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """One sandbox for the module; at the end, Ctrl-C must stop it cleanly and keep its state.

    The stop is checked here rather than in a test of its own, so that no test order (or
    pytest-xdist's distribution of tests over workers) can stop it before the others ran.
    """
    data = tmp_path_factory.mktemp("sandbox-data")
    running = start_sandbox(data, data.parent, name="browser-sandbox")
    try:
        yield running
        assert running.interrupt() == 0, running.stderr()
        assert "Traceback" not in running.stderr(), running.stderr()
        assert (data / "chats.json").exists(), "--data keeps the chats"
    finally:
        running.kill()


@pytest.fixture(scope="module")
def page(browser: Browser, sandbox: RunningSandbox) -> Iterator[Page]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sandbox.url)
    page.wait_for_selector("body[data-ready='true']", timeout=STEP)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
