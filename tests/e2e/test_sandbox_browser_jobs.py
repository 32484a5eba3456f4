"""Every job has a taker, emergencies run on their own clock, buttons stay true — in a real
browser, as the office would use the sandbox (issue 15's walk).

- Li Lei (3-1203, English) books household cleaning: no group takes cleaning, so the card is in
  调度台 at once with assign-to buttons and Li Lei hears that a dispatcher is arranging it;
  刘调度 assigns 周师傅, who gets the job privately, picks the visit window Li Lei asked for,
  and Li Lei agrees to it.
- 王芳 (3-1202) smells gas: the on-duty chat 值班群 has the alert with "✋ 我来处理"; 孙师傅
  taps it, and every copy (值班群, 管理群) says who has it and loses its button; 王芳 hears who
  is coming.
- 王芳 books an air-conditioner repair (80–200 yuan on the price list): 孙师傅 takes it in
  燃气空调接单群, agrees the window with her, and quotes 350; he is asked for the reason,
  gives it, and 调度台 is told; 王芳 reads the reason with the list price and confirms; after
  done and her signature no card of the job keeps a button.

Every step leaves a screenshot (30–39) in ``test-artifacts/sandbox/``. The fixtures are in
``conftest.py`` (one sandbox and one page for this module), the trainer's moves in
``browser.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import (
    NUMBER,
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

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("sandbox-jobs")]

HOTLINE = "400-000-0000"  # the demo office's hotline (OfficeRules.hotline)


def number_in(message: Locator) -> str:
    found = NUMBER.search(message.inner_text())
    assert found, message.inner_text()
    return found.group(0)


def no_buttons(message: Locator, what: str) -> None:
    expect(message.locator(".inline-keyboard button"), what).to_have_count(0, timeout=STEP)


def agree_the_window(page: Page, technician: str, resident: str, number: str,
                     suits: str, agreed: str) -> None:
    """After the job is taken: the technician picks the window the resident asked for
    (offered first, marked as hers), the resident agrees to it, and the technician hears.

    The residents ask for "as soon as possible": the soonest window the office offers, on
    whatever day the test runs ("tomorrow morning" is no window on a Friday)."""
    open_chat(page, technician)
    act_as(page, technician)
    with new_message(page, number, "已请业主确认", what="the window goes to the resident"):
        tap(page, "业主方便的时间", on=number)
    open_chat(page, resident)
    act_as(page, resident)
    with new_message(page, number, agreed, what="the resident has agreed the window"):
        tap(page, suits, on=number)
    no_buttons(message_with(page, number, agreed), "the window question is closed")
    open_chat(page, technician)
    expect(message_with(page, number, "业主同意"), f"{technician} hears the resident agreed"
           ).to_be_visible(timeout=STEP)


def test_a_cleaning_job_no_group_takes_is_assigned_by_the_dispatcher(page: Page) -> None:
    open_chat(page, "Li Lei")
    act_as(page, "Li Lei")
    with new_message(page, "Do you mean", "Household cleaning", what="the service is guessed"):
        write(page, "Could someone do a household cleaning of our flat?")
    with new_message(page, "When should we come", what="the bot asks for a time"):
        tap(page, "Yes", on="Household cleaning")
    with new_message(page, "Which phone number", what="the bot asks for a phone"):
        tap(page, "As soon as possible")
    with new_message(page, "Please check your booking", "13800000002",
                     what="the booking to check"):
        tap(page, "Use 13800000002")
    with new_message(page, "Received", what="the booking gets a number") as receipt:
        tap(page, "Book it")
    expect(receipt, "Li Lei is told a dispatcher arranges it, not a 15-minute promise"
           ).to_contain_text("a dispatcher is arranging one")
    number = number_in(receipt)
    shot(page, 30, "orphan-resident-hears-a-dispatcher-arranges-it")

    open_chat(page, "调度台")
    act_as(page, "刘调度")
    card = message_with(page, number, "没有群组接这类工单")
    expect(card, "the dispatch desk has the job at once").to_be_visible(timeout=STEP)
    for name in ("张师傅", "周师傅", "孙师傅"):  # technicians of any trade, with their load
        expect(card.locator("button", has_text=name), f"an assign-to {name} button"
               ).to_be_visible()
    shot(page, 31, "orphan-dispatch-has-assign-to-buttons")
    tap(page, "周师傅", on=number)
    assigned = message_with(page, number, "已由刘调度派给周师傅")
    expect(assigned, "the card says who assigned it to whom").to_be_visible(timeout=STEP)
    no_buttons(assigned, "the assign-to buttons are gone")
    expect(page.locator("#toast"), "a toast confirms it").to_contain_text("已派给周师傅")

    open_chat(page, "周师傅")
    expect(message_with(page, number, "刘调度已将工单"), "周师傅 is told who assigned it"
           ).to_be_visible(timeout=STEP)
    expect(message_with(page, number, "Li Lei", "13800000002"),
           "周师傅 gets the resident's name and phone privately").to_be_visible()
    open_chat(page, "Li Lei")
    expect(message_with(page, number, "周师傅"), "Li Lei hears who is coming"
           ).to_be_visible(timeout=STEP)
    agree_the_window(page, "周师傅", "Li Lei", number, "That suits me", "You agreed")
    shot(page, 32, "orphan-technician-hears-the-window-is-agreed")


def test_a_gas_smell_is_taken_on_by_the_gas_technician_in_the_on_duty_chat(page: Page) -> None:
    """孙师傅 does gas: his "I'm on it" makes the job his, so 王芳 hears who is coming."""
    open_chat(page, "王芳")
    act_as(page, "王芳")
    with new_message(page, "已通知值班人员", what="the on-duty staff are alerted") as told:
        write(page, "厨房里煤气味很重，怎么办")
    expect(message_with(page, "切勿开关电灯"), "she gets the safety advice first"
           ).to_be_visible()
    number = number_in(told)
    shot(page, 33, "gas-resident-gets-advice-and-a-number")

    open_chat(page, "值班群")
    act_as(page, "孙师傅")
    alert = message_with(page, number, "燃气")
    expect(alert, "the on-duty chat has the alert").to_be_visible(timeout=STEP)
    expect(alert, "with the reporter's phone").to_contain_text("13800000001")
    expect(alert.locator("button", has_text="我来处理"), "and “✋ 我来处理”").to_be_visible()
    shot(page, 34, "gas-on-duty-chat-has-the-alert")
    tap(page, "我来处理", on=number)
    taken = message_with(page, number, "孙师傅已于")
    expect(taken, "the alert says who took it").to_contain_text("接单", timeout=STEP)
    no_buttons(taken, "the alert loses its button")
    expect(page.locator("#toast"), "a toast tells him the job is his").to_contain_text("您已接单")
    shot(page, 35, "gas-on-duty-chat-shows-who-is-on-it")

    open_chat(page, "管理群")
    copy = message_with(page, number, "燃气")
    expect(copy, "the managers' copy is edited too").to_contain_text("孙师傅已于",
                                                                      timeout=STEP)
    no_buttons(copy, "the managers' copy loses its button")
    open_chat(page, "王芳")
    expect(message_with(page, number, "孙师傅", "接单"),
           "王芳 hears who is coming").to_be_visible(timeout=STEP)
    expect(message_with(page, "切勿开关电灯", HOTLINE),
           "the hotline is in the safety advice she had first").to_be_visible()


def test_a_quote_above_the_range_is_explained_and_the_done_card_keeps_no_buttons(
        page: Page) -> None:
    open_chat(page, "王芳")
    act_as(page, "王芳")
    with new_message(page, "请选择服务项目", what="the price list opens"):
        tap(page, "预约有偿服务")
    with new_message(page, "希望什么时间上门", what="the bot asks for a time"):
        tap(page, "空调器维修")
    with new_message(page, "拨打哪个电话", what="the bot asks for a phone"):
        tap(page, "尽快")
    with new_message(page, "请核对您的预约", "80.00–200.00", what="the booking to check"):
        tap(page, "使用 13800000001")
    with new_message(page, "已受理", what="the booking gets a number") as receipt:
        tap(page, "确认预约")
    number = number_in(receipt)

    open_chat(page, "燃气空调接单群")
    act_as(page, "孙师傅")
    tap(page, "接单", on=number)
    no_buttons(message_with(page, number, "孙师傅"), "the group card says who took it")
    agree_the_window(page, "孙师傅", "王芳", number, "时间可以", "已确认")

    open_chat(page, "孙师傅")
    act_as(page, "孙师傅")
    with new_message(page, number, "价格", what="the bot asks for the price"):
        tap(page, "报价", on=number)
    with new_message(page, "超出收费标准", "80.00–200.00", what="a reason is asked for"):
        write(page, "350")
    shot(page, 36, "quote-above-the-range-asks-for-a-reason")
    with new_message(page, "报价已发给业主确认", what="the quote goes to the resident"):
        write(page, "350 压缩机启动电容和风扇电机都要换")

    open_chat(page, "调度台")
    flagged = message_with(page, "报价超出收费标准", number)
    expect(flagged, "dispatch is told of the quote").to_be_visible(timeout=STEP)
    expect(flagged, "with the amount, the list and the reason").to_contain_text("350.00")
    expect(flagged, "with the list price").to_contain_text("80.00–200.00")
    expect(flagged, "with the reason").to_contain_text("风扇电机")
    shot(page, 37, "quote-dispatch-is-told")

    open_chat(page, "王芳")
    act_as(page, "王芳")
    quote = message_with(page, number, "350.00")
    expect(quote, "王芳 reads the reason beside the list price").to_contain_text("风扇电机",
                                                                              timeout=STEP)
    expect(quote, "and the list price").to_contain_text("80.00–200.00")
    tap(page, "确认价格", on=number)
    no_buttons(message_with(page, number, "350.00"), "the quote loses its buttons")

    open_chat(page, "孙师傅")
    act_as(page, "孙师傅")
    with new_message(page, number, "提交完工", what="the bot asks for photos or a note"):
        tap(page, "完工", on=number)
    with new_message(page, "添加", what="the note is taken"):
        write(page, "更换启动电容和风扇电机，试机正常")
    with new_message(page, "已标记完工", what="the job is marked done"):
        tap(page, "提交完工", on=number)
    shot(page, 38, "done-technician-marks-done")

    open_chat(page, "王芳")
    done = message_with(page, number, "更换启动电容和风扇电机")
    expect(done, "王芳 sees the work and the agreed price").to_contain_text("350.00",
                                                                          timeout=STEP)
    with new_message(page, number, "已确认并结单", what="the order is confirmed and closed"):
        tap(page, "确认签字", on=number)
    no_buttons(message_with(page, number, "更换启动电容和风扇电机"),
               "the resident's done card loses its buttons")

    open_chat(page, "孙师傅")
    expect(message_with(page, number, "业主已签字确认"), "孙师傅 hears it is signed"
           ).to_be_visible(timeout=STEP)
    cards = page.locator("#messages li.msg").filter(has_text=number)
    expect(cards.filter(has_text="状态：已确认").last, "his card shows the agreed price"
           ).to_contain_text("已确认价格：350.00")
    expect(cards.locator(".inline-keyboard button"),
           "no card of the finished job keeps a button").to_have_count(0, timeout=STEP)
    shot(page, 39, "done-technician-cards-have-no-buttons")
