"""The monthly service report in a real browser: the trainer jumps the sandbox clock to 09:00
on the next 1st, opens the managers' chat 管理群 and sees the report's headline figures and
its chart images (loaded, not broken). Leaves a screenshot in ``test-artifacts/sandbox/``.

The fixtures are in ``conftest.py`` (one sandbox and one page for this module), the
trainer's moves in ``browser.py``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import STEP, expect, message_with, open_chat, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("sandbox-report")]

REPORT = "客户服务信息统计分析汇总表"  # the report's headline, as the managers read it
CHARTS = "报表图表"  # the message the charts come with
REPORT_TIME = 4 * STEP  # the month is computed and its charts drawn after the jump


def test_the_next_1st_posts_the_report_with_its_charts_to_the_managers(page: Page) -> None:
    open_chat(page, "管理群")
    before = page.locator("#messages li.msg", has_text=REPORT).count()
    page.locator("[data-jump='next_first']").click()
    expect(page.locator("#clock-now"), "the clock shows 09:00 on the 1st").to_have_text(
        re.compile(r".* 1 \w+, 09:00"), timeout=REPORT_TIME)

    report = page.locator("#messages li.msg", has_text=REPORT).nth(before)
    expect(report, "the monthly report arrives in 管理群").to_be_visible(timeout=REPORT_TIME)
    for figure in ("工单", "回访", "评分"):
        expect(report, f"the report gives the figures of {figure}").to_contain_text(figure)

    charts = message_with(page, CHARTS)
    expect(charts, "the charts follow the report").to_be_visible(timeout=REPORT_TIME)
    images = report.locator("xpath=following-sibling::li//img[contains(@class, 'photo')]")
    expect(images.first, "the charts are shown as images").to_be_visible(timeout=REPORT_TIME)
    # The chat may be redrawn while the charts arrive (a late message, a new day label), which
    # detaches the elements found so far: each check below runs in the page in one go.
    widths = images.evaluate_all(
        """(charts) => Promise.all(charts.map(async (img) => {
            img.loading = "eager";  // the view loads images lazily
            await img.decode();  // rejects if the PNG is broken
            return img.naturalWidth;
        }))""")
    assert len(widths) >= 2, f"only {len(widths)} chart image(s) in 管理群"
    assert all(width > 0 for width in widths), f"a chart did not load: widths {widths}"
    report.evaluate("(item) => item.scrollIntoView()")
    shot(page, 20, "managers-see-the-monthly-report")
    images.last.evaluate("(img) => img.scrollIntoView()")
    shot(page, 21, "managers-see-the-report-charts")
