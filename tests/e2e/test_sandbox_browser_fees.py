"""The fee desk in a real browser: the demo estate's households have fee plans and bills, and
王芳 (3-1202) has paid nothing since last month. The trainer jumps the clock to the next 1st:
the overdue notice's preview reaches the managers' chat 管理群; 黄经理 approves it; 王芳 gets
her notice, opens her statement, taps "I have paid" and sends a photo of the receipt; 刘调度
confirms it in 调度台; she gets the receipt, nothing is due any more, and no reminder of hers
is left to send. Every step leaves a screenshot in ``test-artifacts/sandbox/``.

The fixtures are in ``conftest.py`` (one sandbox and one page for this module), the
trainer's moves in ``browser.py``.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import (
    STEP,
    act_as,
    expect,
    message_with,
    new_message,
    open_chat,
    shot,
    tap,
    write,
)
from tests.support.sandbox import RunningSandbox

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("sandbox-fees")]

OVERDUE = "催款通知书"  # the overdue notice's name on the managers' preview
NOTICE = "3-1202 催款通知"  # the notice as 王芳 reads it
JUMP_TIME = 4 * STEP  # a month's walk: every follow-up on the way, then the 1st's notices


def test_an_overdue_notice_is_approved_paid_with_a_receipt_photo_and_stops(
        page: Page, sandbox: RunningSandbox) -> None:
    open_chat(page, "管理群")
    act_as(page, "黄经理")
    with new_message(page, OVERDUE, "批准", what="the 1st's overdue notices are previewed"):
        page.locator("[data-jump='next_first']").click()
        expect(page.locator("#clock-now"), "the clock shows 09:00 on the 1st").to_have_text(
            re.compile(r".* 1 \w+, 09:00"), timeout=JUMP_TIME)
    preview = message_with(page, OVERDUE, "批准")
    expect(preview, "the preview counts the households in arrears").to_contain_text("户")
    expect(preview, "it shows a sample in each language").to_contain_text("Overdue notice")
    shot(page, 30, "managers-see-the-overdue-preview")
    tap(page, "批准", on=OVERDUE)
    expect(message_with(page, OVERDUE, "已由 黄经理 批准"), "the preview says who approved"
           ).to_be_visible(timeout=STEP)
    shot(page, 31, "manager-approves")

    open_chat(page, "王芳")
    act_as(page, "王芳")
    notice = message_with(page, NOTICE)
    expect(notice, "王芳 receives her overdue notice").to_be_visible(timeout=JUMP_TIME)
    expect(notice, "it states the late fee").to_contain_text("滞纳金")
    shot(page, 32, "resident-gets-the-notice")
    with new_message(page, "💰 3-1202", "应缴合计", what="her statement opens"):
        tap(page, "我的费用", on=NOTICE)
    with new_message(page, "缴费收据照片", what="the bot asks for the receipt's photo"):
        tap(page, "我已缴费", on="应缴合计")
    shot(page, 33, "resident-opens-the-statement")
    with new_message(page, "客服将核对", what="the receipt is taken; reminders wait"):
        page.click("#attach-button")
        page.click("[data-attach='sample']")
    shot(page, 34, "resident-sends-the-receipt-photo")

    open_chat(page, "调度台")
    act_as(page, "刘调度")
    card = message_with(page, "3-1202", "业主称已缴")
    expect(card, "the desk gets the receipt to check").to_be_visible(timeout=STEP)
    # A card whose buttons are edited later goes as text, just after the photo it carries.
    photo = card.locator("xpath=preceding-sibling::li[1]//img[contains(@class, 'photo')]")
    expect(photo, "her photo comes with it").to_have_count(1)
    card.evaluate("(item) => item.scrollIntoView()")  # atomic: the chat may be redrawn meanwhile
    tap(page, "确认", on="业主称已缴")
    expect(message_with(page, "3-1202", "已由 刘调度 确认"), "the card says who confirmed"
           ).to_be_visible(timeout=STEP)
    shot(page, 35, "desk-confirms-the-receipt")

    open_chat(page, "王芳")
    act_as(page, "王芳")
    expect(message_with(page, "已收到缴费", "您的费用已全部缴清"),
           "王芳 gets the receipt: fully paid").to_be_visible(timeout=STEP)
    with new_message(page, "💰 3-1202", "没有应缴费用", what="her statement: nothing due"):
        write(page, "/fees")
    shot(page, 36, "resident-is-paid-up")

    with sqlite3.connect(sandbox.data / "frontline.db") as database:
        home = database.execute(
            "SELECT id FROM household WHERE building = '3' AND room = '1202'").fetchone()[0]
        waiting = database.execute(
            "SELECT count(*) FROM fee_notice WHERE household_id = ? "
            "AND state IN ('pending', 'paused')", (home,)).fetchone()[0]
        billed, paid = database.execute(
            "SELECT (SELECT sum(amount_fen) FROM fee_bill WHERE household_id = ?), "
            "(SELECT sum(amount_fen) FROM fee_payment WHERE household_id = ?)",
            (home, home)).fetchone()
    assert waiting == 0, "a reminder of 王芳's is still waiting to be sent"
    assert paid >= billed, "her payment is recorded and covers every bill"
