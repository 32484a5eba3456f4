"""What a trainer does in the sandbox's web view, for the browser tests.

The fixtures (``browser``, ``sandbox``, ``page``: one sandbox and one page per test module)
live in ``tests/e2e/conftest.py``; these helpers click and read as a person would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sandbox"
# Debian's Chromium (CHROMIUM_PATH: another one), and fonts for the Chinese texts and emoji.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
INSTALL_CHROMIUM = "apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STEP = 15_000  # ms a step may take: the first free text also loads the triage dictionaries
NUMBER = re.compile(r"WO-\d{8}-\d{4}")


# -- what a trainer does ---------------------------------------------------------------------
def expect(target: Locator, message: str) -> Any:
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(target, message)


def shot(page: Page, number: int, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{number:02d}-{name}.png")


def open_chat(page: Page, title: str) -> None:
    page.locator(f".chat-item:has(.chat-name:text-is('{title}'))").click()
    expect(page.locator("#chat-title"), f"the chat {title} opens").to_contain_text(title)


def act_as(page: Page, name: str) -> None:
    option = page.locator("#acting-as option", has_text=name).first
    page.select_option("#acting-as", value=option.get_attribute("value"))
    expect(page.locator("#composer-input"), f"acting as {name}").to_have_attribute(
        "placeholder", f"Message as {name}…")


def messages_with(page: Page, *texts: str) -> Locator:
    """Message bubbles (with their buttons) containing every one of *texts*, oldest first."""
    found = page.locator("#messages li.msg")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def message_with(page: Page, *texts: str) -> Locator:
    return messages_with(page, *texts).last


@contextmanager
def new_message(page: Page, *texts: str, what: str) -> Iterator[Locator]:
    """Wait, after the block, for one more message containing *texts* than before it.

    Counting matters: the demo history already holds older prompts with the same buttons
    ("没有照片", "提交" …), and a test that found one of those would tap a stale button.
    """
    matching = messages_with(page, *texts)
    before = matching.count()
    fresh = matching.nth(before)
    yield fresh
    expect(fresh, what).to_be_visible(timeout=STEP)


def tap(page: Page, label: str, *, on: str = "", data_ends: str = "") -> None:
    """Press the newest inline button labelled *label* (on a message containing *on*) — or,
    with *data_ends*, the one whose callback data ends so (a label that follows the day)."""
    css = (f'.inline-keyboard button[data-callback$="{data_ends}"]' if data_ends
           else ".inline-keyboard button")
    found = page.locator(css) if data_ends else page.locator(css, has_text=label)
    messages = page.locator("#messages li.msg").filter(has=found)
    if on:
        messages = messages.filter(has_text=on)
    button = (messages.last.locator(css) if data_ends
              else messages.last.locator(css, has_text=label)).first
    expect(button, f"a “{label or data_ends}” button is shown").to_be_visible(timeout=STEP)
    button.click()


def write(page: Page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")
    expect(page.locator("#messages li.msg.out", has_text=text).last,
           f"“{text}” appears as sent").to_be_visible(timeout=STEP)
