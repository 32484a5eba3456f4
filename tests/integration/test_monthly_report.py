"""The monthly service report (客户服务信息统计分析汇总表, 001 §2.8.3) against a hand-built month.

November 2026 and a little of October are written row by row in
``tests/support/report_month.py``; every figure below is worked out by hand from those rows.
The report is made on 1 December at 09:00, its usual moment.

November's work orders (minutes from the report to each step):
  WO1 plumbing 3-1202   accepted 5, done 120, confirmed           → reply 5, accept 5, done 120
  WO2 plumbing 3-1203   accepted 30, rework twice, done at 2880   → reply 30, accept 30
  WO3 electrical 5-0101 emergency, assigned by dispatch at 10, done 120, auto-confirmed
  WO4 cleaning (paid)   cancelled after 10 min                    → counts for no deadline
  WO5 plumbing, public  nobody took it                            → both deadlines missed
  WO6 electrical        created 23:50 on the 30th                 → both clocks still running
  WO7 plumbing 5-0101   accepted 10, on the way at month end
  WO8 plumbing 3-1203   accepted 10, done 180; its callback went to the phone
Front desk: a complaint answered in 120 min, an enquiry in 2880 (late), a fee question
unanswered past its due time.
"""

from __future__ import annotations

import csv
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from handlers.monthly_report import charts
from handlers.monthly_report.message import chat_message
from handlers.monthly_report.publish import make_report
from handlers.monthly_report.report import Report, build
from handlers.monthly_report.service_levels import Durations, percentile
from handlers.office import Office
from handlers.office.clock import FakeClock
from locales import render
from tests.support.report_month import NOVEMBER, build_month, sh


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, Report]:
    """The month, written once for the module, and its report made on 1 December 09:00."""
    from tests.conftest import make_office

    folder = tmp_path_factory.mktemp("report")
    office = make_office(f"sqlite:///{folder / 'frontline.db'}", FakeClock(sh(12, 1, 9)))
    build_month(office)
    return office, build(office, NOVEMBER)


@pytest.fixture
def report(made: tuple[Office, Report]) -> Report:
    return made[1]


# (this month, last month) for every headline figure, worked out by hand.
EXPECTED = {
    "requests": (11, 3), "work_orders": (8, 2), "front_desk": (3, 1), "emergencies": (1, 0),
    # first replies, minutes: Nov 5, 10, 10, 10, 30 (orders), 120, 2880 (desk);
    # median the 4th of 7 = 10; p90 at rank 5.4: 120 + 0.4 × (2880 − 120) = 1224.
    # Oct: 5, 20 (orders), 30 (desk): median 20, p90 at rank 1.8: 20 + 0.8 × 10 = 28.
    "first_reply_median": (10, 20), "first_reply_p90": (1224, 28),
    # acceptance: Nov 5, 10, 10, 10, 30 → 10; rank 3.6: 10 + 0.6 × 20 = 22. Oct 5, 20.
    "acceptance_median": (10, 12.5), "acceptance_p90": (22, 18.5),
    # completion: Nov 120, 120, 180, 2880 → 150; rank 2.7: 180 + 0.7 × 2700 = 2070.
    "completion_median": (150, 1440), "completion_p90": (2070, 1440),
    # 15 min: hits WO1, WO3, WO7, WO8; misses WO2 (30), WO5 (never); WO6 pending.
    "dispatch_hits": (4, 1), "dispatch_misses": (2, 1), "dispatch_rate": (66.7, 50.0),
    # 24 h: orders hit 5 (all answered ones), miss WO5; desk hit 1, miss 2.
    "response_hits": (6, 3), "response_misses": (3, 0), "response_rate": (66.7, 100.0),
    "reworked": (1, 0), "second_rework": (1, 0),
    # ratings given in November: 4 (October's job, rated 1 Nov), 5, 2, 1.
    "ratings": (4, 1), "rating_average": (3.0, 5.0), "satisfied_share": (50.0, 100.0),
    "dissatisfied": (2, 0),
    # corrective tasks raised for WO2's 2 and WO3's 1; WO2's closed a day later, WO3's open.
    "corrective_raised": (2, 0), "corrective_closed": (1, 0), "corrective_open": (1, 0),
    "corrective_close_median": (1440, None),
    # callbacks of November (by confirmation): WO1, WO2, WO3 done, WO8 with the phone.
    "callbacks": (4, 2), "callbacks_done": (3, 1), "callbacks_unreachable": (0, 0),
    "callbacks_completion": (75.0, 50.0),
    "callbacks_previous_by_due": (100.0, None), "onsite": (1, 0), "onsite_share": (25.0, 0.0),
    "spot_checks": (1, 0), "phone_outstanding": (1, 0),
    "unmet_demand": (3, 1),
    # bills starting in November 2 × 300; paid in November 300; owed at month end: 5-0101's
    # October 300 and 3-1203's November 300 (paid on 2 December, after the month).
    "fees_billed": (Decimal("600.00"), Decimal("300.00")),
    "fees_collected": (Decimal("300.00"), Decimal("0.00")),
    "fees_arrears": (Decimal("600.00"), Decimal("300.00")),
    "fees_households_in_arrears": (2, 1), "fees_notices": (3, 0),
}


def test_every_headline_figure_and_its_previous_month(report: Report) -> None:
    got = {h.key: (h.value, h.previous) for h in report.headlines()}
    # the complaints desk's figures are there when its tables are (its own test fills them)
    complaint_figures = {k: got.pop(k) for k in list(got) if k.startswith("complaint")}
    assert complaint_figures in ({}, {"complaints": (0, 0), "complaint_clock_hits": (0, 0),
                                      "complaint_clock_misses": (0, 0),
                                      "complaint_clock_rate": (None, None)})
    assert got == EXPECTED


def test_requests_by_kind_trade_building_and_status_at_month_end(report: Report) -> None:
    m = report.month
    assert m.by_kind == {"repair": 6, "emergency": 1, "service": 1, "complaint": 1,
                         "enquiry": 1, "fee": 1}
    assert m.by_trade == {"plumbing": 5, "electrical": 2, "cleaning": 1}
    assert m.by_building == {"3": 6, "5": 3, "public": 1, "-": 1}
    # WO6 was accepted on 1 December: at the month's end it was still open.
    assert m.by_status == {"confirmed": 4, "cancelled": 1, "open": 2, "on_way": 1}
    assert m.desk_by_status == {"answered": 2, "open": 1}
    assert (m.dispatch.pending, m.response_orders.pending) == (1, 1)


def test_first_replies_are_split_into_work_orders_and_the_front_desk(report: Report) -> None:
    m = report.month
    assert m.first_reply_orders == Durations(5, 10, 22)  # 5,10,10,10,30: rank 3.6 → 22
    assert m.first_reply_desk == Durations(2, 1500, 2604)  # 120, 2880
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_satisfaction_by_trade_and_technician(report: Report) -> None:
    m = report.month
    assert m.ratings.counts == (1, 1, 0, 1, 1)
    assert {k: r.counts for k, r in m.ratings_by_trade.items()} == {
        "plumbing": (0, 1, 0, 0, 1), "electrical": (1, 0, 0, 1, 0)}
    assert {k: r.average for k, r in m.ratings_by_technician.items()} == {
        "张师傅": 3.5, "陈师傅": 2.5}


def test_the_causes_of_dissatisfaction_come_with_the_residents_words(report: Report) -> None:
    groups = {(g.dimension, g.name): g for g in report.causes}
    overall = groups[("overall", "")]
    # two low ratings' comments, two rework reasons, one complaint
    assert overall.remarks == 5
    keywords = {c.term: c for c in overall.keywords}
    assert keywords["态度"].mentions == 3 and keywords["漏水"].mentions == 2
    assert overall.keywords[0].term == "态度"  # what most residents said comes first
    assert [c.term for c in overall.phrases] == ["态度差"]
    assert set(keywords["漏水"].quotes) == {"「水龙头还在漏水」(WO2)",
                                          "「还是漏水，师傅态度差」(WO2)"}
    assert 2 <= len(keywords["态度"].quotes) <= 3
    plumbing = groups[("trade", "plumbing")]
    assert plumbing.remarks == 3 and plumbing.keywords[0].term in ("漏水", "态度")
    assert groups[("technician", "陈师傅")].remarks == 1
    electrical = {c.term for c in groups[("trade", "electrical")].keywords}
    assert {"收费", "太贵"} <= electrical
    # a colleague's phone note is quoted without the "[name]" it was signed with
    assert any("「业主说电工收费太贵」(WO3)" in c.quotes for c in groups[("trade",
                                                                         "electrical")].keywords)
    assert groups[("complaints", "")].remarks == 1


def test_wishes_for_services_we_lack_are_grouped_by_service(report: Report) -> None:
    assert [(d.service, d.count, d.examples) for d in report.demand] == [
        ("搬家", 2, ("想预约搬家服务", "能帮忙搬家吗")), ("寄养", 1, ("有没有宠物寄养",))]


def test_the_callbacks_section_counts_the_duties_of_2_7(report: Report) -> None:
    cb = report.month.callbacks
    assert (cb.total, cb.done, cb.phone_open) == (4, 3, 1)
    assert (cb.previous_total, cb.previous_done_by_due) == (2, 2)
    assert cb.due_at == sh(11, 10, 9) and cb.next_due_at == sh(12, 10, 9)
    assert (cb.onsite, cb.onsite_needed, cb.spot_checks, cb.spot_checks_needed) == (1, 1, 1, 3)


def test_the_same_report_made_in_march_reads_the_same(made: tuple[Office, Report]) -> None:
    office, report = made
    later = build(office, NOVEMBER, as_of=sh(3, 1, 9, year=2027))
    stable = ("requests", "first_reply_p90", "completion_median", "dispatch_misses",
              "response_rate", "ratings", "fees_arrears")
    assert {k: later.headline(k).value for k in stable} == {
        k: report.headline(k).value for k in stable}


ZH_LINES = (
    "📊 2026-11 客户服务信息统计分析汇总表",
    "括号内为与 2026-10 相比的变化。",
    "📥 请求：11（+8） — 工单 8（+6），投诉/咨询/费用问题 3（+2），紧急情况 1（+1）",
    "⏱ 首次答复：中位数 10 分钟（−10 分钟），P90 20.4 小时（+19.9 小时）",
    "👷 接单：中位数 10 分钟（−2 分钟），P90 22 分钟（+4 分钟）",
    "✅ 完工：中位数 2.5 小时（−21.5 小时），P90 34.5 小时（+10.5 小时）",
    "🎯 15 分钟内接单：达标 4（+3），未达标 2（+1），66.7 %（+16.7 个百分点）",
    "🕐 24 小时内有人答复：达标 6（+3），未达标 3（+3），66.7 %（−33.3 个百分点）",
    "🔁 返工：1（+1） 张工单，其中 1（+1） 张为第二次返工",
    "⭐ 评分：4（+3） 条，平均 3.0（−2.0），满意 50 %（−50 个百分点），不满意 2（+2）",
    "😞 主要不满意原因（5 条意见）：态度 (3)、漏水 (2)、水龙头 (1)",
    "🛠 不满意评价的整改任务：新增 2（+2），已关闭 1（+1），未关闭 1（+1）；"
    "关闭用时中位数 24.0 小时（—）",
    "📞 2026-11 的回访：已完成 3（+2）/4（+2），75 %（+25 个百分点）；"
    "其余须在 2026-12-10 前完成。",
    "📞 2026-10 的回访在 2026-11-10 前完成：2/2，100 %（—）（要求 100 %）。",
    "🏠 上门回访 1（+1）（至少 1，5 %），25 %（+25 个百分点）；🔎 主管抽查 1（+1）（至少 3）；"
    "☎️ 待办电话任务 1（+1）",
    "🙋 尚未提供的服务：3（+2） 条需求 — 搬家 2、寄养 1",
    "💰 费用：应收 600.00（+300.00） 元，实收 300.00（+300.00） 元；月末欠费 2（+1） 户，"
    "共 600.00（+300.00） 元；已发通知 3（+3）",
)


def test_the_chat_message_gives_each_headline_figure_with_its_change(report: Report) -> None:
    from handlers.office.rules import OfficeRules

    text = render(chat_message(report, OfficeRules(), "/reports/2026-11"), "zh_Hans")
    for line in ZH_LINES:
        assert line in text, line
    assert "😞 主要不滿意原因（5 條意見）：態度 (3)、漏水 (2)" in render(
        chat_message(report, OfficeRules()), "zh_Hant")  # keywords in the reader's script
    english = render(chat_message(report, OfficeRules()), "en")
    assert "📥 Requests: 11 (+8) — work orders 8 (+6)" in english
    assert "💰 Fees: billed 600.00 (+300.00) yuan, collected 300.00 (+300.00) yuan" in english
    assert "Callbacks of 2026-10 done by 2026-11-10: 2 of 2, 100 % (—)" in english
    assert "态度 (3)" in english  # the residents' own words stay as they wrote them


def test_the_workbook_opens_its_numbers_are_numbers_and_match_the_message(
        made: tuple[Office, Report], tmp_path: Path) -> None:
    office, _report = made
    report, files = make_report(office, NOVEMBER, tmp_path, as_of=sh(12, 1, 9),
                                language="en")
    assert files.workbook is not None
    book = load_workbook(files.workbook)
    assert book.sheetnames == ["Summary", "Requests", "Response times", "Deadlines",
                               "Satisfaction", "Causes of dissatisfaction", "Callbacks",
                               "Services we lack", "Fees"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
    summary = {row[1]: row[2:5] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    message = render(chat_message(report, office.rules), "en")
    for key, (value, previous) in EXPECTED.items():
        now, before, _change = summary[key]
        assert now == pytest.approx(value) if value is not None else now is None, key
        assert before == pytest.approx(previous) if previous is not None else before is None
        assert not isinstance(now, str) and not isinstance(before, str), key
    for key in ("requests", "work_orders", "dispatch_hits", "response_misses", "ratings",
                "callbacks_done", "unmet_demand"):
        assert f"{summary[key][0]} (" in message, key
    assert f"billed {summary['fees_billed'][0]:.2f} (" in message
    requests = {row[1]: row[3] for row in book["Requests"].iter_rows(min_row=2, values_only=True)}
    assert requests["trade:plumbing"] == 5 and requests["building:public"] == 1
    assert sum(v for k, v in requests.items() if k.startswith("kind:")) == summary["requests"][0]
    satisfaction = list(book["Satisfaction"].iter_rows(min_row=2, values_only=True))
    assert satisfaction[0][2:8] == (1, 1, 0, 1, 1, 4)
    causes = list(book["Causes of dissatisfaction"].iter_rows(min_row=2, values_only=True))
    assert any(row[4] == "态度" and row[5] == 3 and row[7] for row in causes)


def test_the_csv_files_hold_the_same_tables(made: tuple[Office, Report],
                                            tmp_path: Path) -> None:
    office, _report = made
    _r, files = make_report(office, NOVEMBER, tmp_path, as_of=sh(12, 1, 9))
    names = sorted(p.name for p in files.csv)
    assert "service-report-2026-11-summary.csv" in names and len(names) == 9
    summary = next(p for p in files.csv if p.name.endswith("-summary.csv"))
    with summary.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row[1]: row for row in csv.reader(handle)}
    assert rows["requests"][2:4] == ["11", "3"]
    assert rows["fees_arrears"][2] == "600.00"


def test_the_charts_are_pngs_whose_chinese_is_real_glyphs(made: tuple[Office, Report],
                                                          tmp_path: Path) -> None:
    _office, report = made
    font = charts.cjk_font("zh_Hans")
    assert charts.has_glyphs(font, charts.SAMPLE)
    assert charts.glyphs_render(font, "客户服务信息统计分析汇总表")
    # the tofu render is what a font without Chinese draws: it must differ from ours
    assert charts.render_text("满意度", font.family) != charts.render_text("满意度",
                                                                           charts.NO_CJK_FONT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = charts.draw_charts(report, tmp_path, "zh_Hans")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []  # every character of every chart had a glyph
    assert [p.name for p in paths] == [f"{c.name}.png" for c in charts.CHARTS]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_a_chart_drawn_without_a_cjk_font_would_differ(made: tuple[Office, Report],
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _office, report = made
    [real] = [p for p in charts.draw_charts(report, tmp_path / "real", "zh_Hans")
              if p.name == "requests.png"]
    tofu = charts.Font(charts.NO_CJK_FONT, "")
    monkeypatch.setattr(charts, "cjk_font", lambda language="zh_Hans": tofu)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        [boxes] = [p for p in charts.draw_charts(report, tmp_path / "tofu", "zh_Hans")
                   if p.name == "requests.png"]
    assert any("missing from font" in str(w.message) for w in caught)
    assert real.read_bytes() != boxes.read_bytes()


def test_without_a_cjk_font_the_report_refuses_and_names_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(charts, "_fonts", {})
    monkeypatch.setattr(charts, "_find", lambda manager, key: None)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(charts.MissingCJKFont, match="apt-get install -y fonts-noto-cjk"):
        charts.cjk_font("zh_Hans")


def test_the_on_site_share_counts_the_months_own_callbacks_never_over_100(
        tmp_path: Path) -> None:
    # Both October callbacks were visited early on 1 November (before the October report's
    # moment): they are October's callbacks done on site, not November's (else November reads
    # 3 on site of 4, and a month with more such visits than callbacks over 100 %).
    from sqlmodel import Session, col, select

    from storage.followups import CallbackSurvey
    from tests.conftest import make_office

    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(sh(12, 1, 9)))
    build_month(office)
    with Session(office.engine) as session:
        for survey in session.exec(select(CallbackSurvey).where(
                col(CallbackSurvey.window_start) < sh(11, 1))):
            survey.onsite_at = sh(11, 1, 8)
            session.add(survey)
        session.commit()
    report = build(office, NOVEMBER)
    assert (report.month.callbacks.onsite, report.previous.callbacks.onsite) == (1, 2)
    assert report.headline("onsite_share").value == 25.0
    assert report.headline("onsite_share").previous == 100.0


def test_the_callbacks_chart_shows_corrective_tasks_closed_of_raised(report: Report) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    charts._callbacks(figure, report, lambda text: render(text, "en"))
    figure.canvas.draw()
    [ax] = figure.axes
    bars = dict(zip([t.get_text() for t in ax.get_xticklabels()],
                    [t.get_text() for t in ax.texts], strict=True))
    assert bars["Corrective tasks closed"] == "1 / 2"  # WO2's closed, WO3's open


def test_staff_who_left_since_still_count_as_staff_in_the_month_they_worked(
        tmp_path: Path) -> None:
    # 张师傅 and 刘调度 leave in December: November's report, made again, must still credit
    # their ratings to 张师傅 and count their steps as the office's first replies.
    from handlers.registration import roster
    from tests.conftest import make_office

    office = make_office(f"sqlite:///{tmp_path / 'frontline.db'}", FakeClock(sh(12, 1, 9)))
    ids = build_month(office)
    before = build(office, NOVEMBER).month
    for key in ("zhang", "liu"):
        roster.remove_staff(office, ids.people[key], by="office admin")
    after = build(office, NOVEMBER).month
    assert ({k: r.average for k, r in after.ratings_by_technician.items()}
            == {k: r.average for k, r in before.ratings_by_technician.items()})
    assert after.first_reply_orders == before.first_reply_orders
    office.engine.dispose()
