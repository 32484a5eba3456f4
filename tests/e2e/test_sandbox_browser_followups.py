"""The sandbox in a real browser: buttons never show empty boxes, and a clock jump dates what
falls due at its own moment (issue 15: the emoji font, item 5).

A trainer opens the dispatch chat, whose cards and buttons are full of emoji (🛡 💧 🔧 ☎ 📵),
and reads them; then presses "+1 day". The page declares a colour emoji face first in its font
stack (static/base.css) and the sandbox serves the installed font; the test draws each button's
emoji with the button's own font on a canvas and counts coloured pixels — an empty box (tofu)
or a black-and-white glyph has none.
"""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser import STEP, expect, open_chat, shot
from tests.support.sandbox import RunningSandbox

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("sandbox")]

# In the page: the first emoji of each visible button, drawn at 32 px with the button's own
# computed font; how many of the drawn pixels are clearly coloured (not grey or black).
COLOURED_PIXELS = """
async () => {
  await document.fonts.ready;
  const emoji = /\\p{Extended_Pictographic}/u;
  const out = [];
  for (const button of document.querySelectorAll('#messages button')) {
    const found = button.textContent.match(emoji);
    if (!found) continue;
    const family = getComputedStyle(button).fontFamily;
    await document.fonts.load(`32px ${family}`, found[0]);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext('2d');
    ctx.font = `32px ${family}`;
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#000';
    ctx.fillText(found[0], 4, 4);
    const data = ctx.getImageData(0, 0, 48, 48).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    out.push({label: button.textContent.trim(), emoji: found[0], family, coloured});
  }
  return out;
}
"""


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def test_the_page_declares_a_colour_emoji_font_first(page: Page,
                                                      sandbox: RunningSandbox) -> None:
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Frontline Emoji"'), family
    assert "Noto Color Emoji" in family
    declared = page.evaluate("""
        [...document.styleSheets].flatMap(s => [...s.cssRules])
          .filter(r => r instanceof CSSFontFaceRule)
          .map(r => r.style.getPropertyValue('font-family') + ' '
                    + r.style.getPropertyValue('src'))
    """)
    assert any("Frontline Emoji" in rule and "Noto Color Emoji" in rule
               and "/sandbox/fonts/emoji.ttf" in rule for rule in declared), declared
    status, body, kind = _get(f"{sandbox.url}sandbox/fonts/emoji.ttf")
    assert status == 200 and kind == "font/ttf" and body[:4] in (b"\x00\x01\x00\x00", b"true")


def test_buttons_with_emoji_are_drawn_in_colour_not_as_empty_boxes(page: Page) -> None:
    open_chat(page, "调度台")
    expect(page.locator("#messages button").first, "the dispatch chat has buttons"
           ).to_be_visible(timeout=STEP)
    drawn: list[dict[str, Any]] = page.evaluate(COLOURED_PIXELS)
    assert drawn, "no button with an emoji in the dispatch chat"
    pale = [d for d in drawn if d["coloured"] < 20]
    assert not pale, json.dumps(pale, ensure_ascii=False)
    shot(page, 31, "dispatch-buttons-in-colour")


def test_a_day_jump_leaves_no_burst_stamped_at_its_end(page: Page,
                                                       sandbox: RunningSandbox) -> None:
    before = page.evaluate("Date.parse(document.getElementById('clock-now').dateTime) / 1000")
    page.click("[data-jump='day']")
    page.wait_for_function(
        "before => Date.parse(document.getElementById('clock-now').dateTime) / 1000"
        " - before >= 86400 - 5", arg=before, timeout=60_000)
    after = page.evaluate("Date.parse(document.getElementById('clock-now').dateTime) / 1000")
    _, body, _ = _get(f"{sandbox.url}control/chats")
    dates = [m["date"] for chat in json.loads(body)
             for m in json.loads(_get(f"{sandbox.url}control/chats/{chat['id']}/messages")[1])
             ["messages"] if before < m["date"] <= after]
    # What fell due in the day came at its own moments: nothing piles up in the last minute
    # unless it was due then.
    assert sum(1 for d in dates if d > after - 60) <= max(1, len(dates) // 2), dates
    shot(page, 32, "after-a-day-jump")
