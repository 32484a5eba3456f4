"""The report's charts as PNG files, labelled in the managers' language.

Chinese must render as Chinese, never as empty boxes ("tofu"): the charts are drawn with a CJK
font found through matplotlib's font manager (Noto Sans CJK from Debian's ``fonts-noto-cjk``,
Source Han Sans, WenQuanYi …). Without one the report refuses loudly, naming the package to
install, instead of posting boxes to the managers. :func:`glyphs_render` is the check: a known
string drawn with the font must look different from the same string drawn with a font that
has no Chinese (which draws boxes), and every character must have a glyph in the font.

Drawing uses matplotlib's object API (``Figure`` + the Agg canvas): no pyplot, no global
backend, nothing shown on a screen.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from dialogs.model import TRADE_NAMES
from dialogs.statuses import STATUS_NAMES
from handlers.monthly_report.report import Report
from locales import Language, Msg, Raw, Text, _, render

log = logging.getLogger(__name__)

APT_COMMAND: Final = "apt-get install -y fonts-noto-cjk"
# Preferred families, by language: Simplified and Traditional glyph forms differ slightly.
FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "zh_Hant": ("Noto Sans CJK TC", "Noto Sans CJK HK", "Source Han Sans TC",
                "Source Han Sans TW", "Noto Sans TC"),
    "default": ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
                "Noto Sans CJK JP", "Noto Sans CJK TC", "AR PL UMing CN"),
}
FILE_HINTS: Final = ("cjk", "wqy", "sourcehan", "notosanssc", "notosanstc", "droidsansfallback",
                     "uming", "ukai")
SAMPLE: Final = "客户服务统计分析汇总表满意報修"
NO_CJK_FONT: Final = "DejaVu Sans"  # matplotlib's own font: Latin only, Chinese is tofu
DPI: Final = 110
COLOURS: Final = ("#3b75af", "#ef8636", "#519e3e", "#c53a32", "#8d69b8", "#84584e",
                  "#d57dbe", "#7f7f7f", "#bcbc21", "#42bccd")


class MissingCJKFont(RuntimeError):
    """No font with Chinese glyphs is installed: the charts would show boxes."""

    def __init__(self) -> None:
        super().__init__(
            "The service report's charts need a font with Chinese characters and none is "
            f"installed. On Debian or Ubuntu: `{APT_COMMAND}` (then remove matplotlib's font "
            "cache, ~/.cache/matplotlib, if it was built before). Any Noto Sans CJK, Source "
            "Han Sans or WenQuanYi font will do.")


@dataclass(frozen=True, slots=True)
class Font:
    """A CJK font matplotlib can use: its family name and file."""

    family: str
    path: str


_fonts: dict[str, Font] = {}
_lock = threading.RLock()  # rcParams are process-wide: one drawing at a time


def cjk_font(language: str = "zh_Hans") -> Font:
    """The CJK font for *language*'s charts; raises :class:`MissingCJKFont` if none."""
    key = "zh_Hant" if language == "zh_Hant" else "default"
    if key in _fonts:
        return _fonts[key]
    from matplotlib import font_manager

    font = _find(font_manager, key)
    if font is None:
        # Fonts installed after matplotlib built its cache are not in it: add them by file.
        for path in font_manager.findSystemFonts():
            if any(h in Path(path).name.lower().replace("-", "") for h in FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    log.debug("charts: cannot load %s", path)
        font = _find(font_manager, key)
    if font is None or not has_glyphs(font, SAMPLE):
        raise MissingCJKFont
    _fonts[key] = font
    return font


def _find(font_manager: Any, key: str) -> Font | None:
    entries = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in (*FAMILIES[key], *FAMILIES["default"]):
        if family in entries:
            return Font(family, entries[family])
    return None


def has_glyphs(font: Font, text: str) -> bool:
    """Whether *font*'s file has a glyph for every character of *text* (index 0 = tofu)."""
    from matplotlib.ft2font import FT2Font

    face = FT2Font(font.path)
    return all(face.get_char_index(ord(c)) != 0 for c in text if not c.isspace())


def render_text(text: str, family: str) -> bytes:
    """*text* drawn in *family* on a small white canvas, as raw RGBA pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph … missing from font": that is the point
        figure = Figure(figsize=(4, 0.8), dpi=100)
        FigureCanvasAgg(figure)
        figure.text(0.02, 0.3, text, family=family, fontsize=20)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="raw")
        return buffer.getvalue()


def glyphs_render(font: Font, text: str = SAMPLE) -> bool:
    """*text* in *font* has real glyphs: every character is in the font, and the drawing
    differs from the tofu boxes a font without Chinese draws."""
    return has_glyphs(font, text) and render_text(text, font.family) != render_text(
        text, NO_CJK_FONT)


# -- the charts ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # file stem
    draw: Callable[[Any, Report, Callable[[Text], str]], None]
    # Fixed margins, not constrained layout: laying a figure out costs a second text pass,
    # about a third of the drawing time. Panels with labels on their left need the room.
    width: float = 9.0
    left: float = 0.16
    wspace: float = 0.2


def draw_charts(report: Report, folder: Path, language: Language) -> list[Path]:
    """Draw every chart of *report* into *folder*; the PNG paths in the order to post (none
    for a month without work orders: ``Report.charted``)."""
    if not report.charted:
        return []
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font(language)
    folder.mkdir(parents=True, exist_ok=True)

    def say(text: Text) -> str:
        return render(text, language)

    paths: list[Path] = []
    style: Any = {"font.family": [font.family, NO_CJK_FONT], "axes.unicode_minus": False,
             "axes.spines.top": False, "axes.spines.right": False, "font.size": 10}
    charts = [c for c in CHARTS if c.name != "fees" or report.month.fees is not None]
    with _lock, rc_context(style):
        for chart in charts:
            figure = Figure(figsize=(chart.width, 5), dpi=DPI)
            figure.subplots_adjust(left=chart.left, right=0.96, top=0.85, bottom=0.1,
                                   wspace=chart.wspace)
            FigureCanvasAgg(figure)
            chart.draw(figure, report, say)
            path = folder / f"{chart.name}.png"
            figure.savefig(path, format="png")
            paths.append(path)
    return paths


def _title(figure: Any, report: Report, say: Callable[[Text], str], title: Msg) -> None:
    figure.suptitle(f"{say(title)} · {report.label}", fontsize=14, fontweight="bold")


def _bars(ax: Any, labels: Sequence[str], values: Sequence[float], colour: str,
          horizontal: bool = True, fmt: str = "{:g}") -> None:
    if not values:
        ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    if horizontal:
        bars = ax.barh(list(labels)[::-1], list(values)[::-1], color=colour)
        ax.margins(x=0.22)  # room for the value labels
    else:
        bars = ax.bar(list(labels), list(values), color=colour)
        ax.margins(y=0.12)
    ax.bar_label(bars, labels=[fmt.format(v) for v in (
        list(values)[::-1] if horizontal else values)], padding=2, fontsize=9)


def _requests(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    m = report.month
    _title(figure, report, say, _("Requests"))
    left, middle, right = figure.subplots(1, 3)
    trades = sorted(m.by_trade.items(), key=lambda kv: -kv[1])
    _bars(left, [say(TRADE_NAMES.get(k, Raw(k))) for k, _v in trades],
          [v for _k, v in trades], COLOURS[0])
    left.set_title(say(_("By trade")))
    kinds = sorted(m.by_kind.items(), key=lambda kv: -kv[1])
    _bars(middle, [say(KIND_NAMES.get(k, Raw(k))) for k, _v in kinds],
          [v for _k, v in kinds], COLOURS[1])
    middle.set_title(say(_("By kind")))
    statuses = sorted(m.by_status.items(), key=lambda kv: -kv[1])
    _bars(right, [say(STATUS_NAMES.get(k, Raw(k))) for k, _v in statuses],
          [v for _k, v in statuses], COLOURS[2])
    right.set_title(say(_("Status at month end")))


def _buildings(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    m = report.month
    _title(figure, report, say, _("Requests by building"))
    ax = figure.subplots()
    rows = sorted(m.by_building.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    _bars(ax, [say(building_name(k)) for k, _v in rows], [v for _k, v in rows], COLOURS[0])


def _times(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    _title(figure, report, say, _("Response times (hours)"))
    ax = figure.subplots()
    steps = [(_("First reply"), "first_reply"), (_("Acceptance"), "acceptance"),
             (_("Completion"), "completion")]
    width = 0.2
    for n, (label, month, stat) in enumerate((
            (_("median"), report.month, "median"), (_("p90"), report.month, "p90"),
            (_("median, last month"), report.previous, "median"),
            (_("p90, last month"), report.previous, "p90"))):
        values = [(getattr(getattr(month, key), stat) or 0) / 60 for _s, key in steps]
        bars = ax.bar([i + (n - 1.5) * width for i in range(len(steps))], values, width,
                      label=say(label), color=COLOURS[n])
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], fontsize=8, padding=1)
    ax.set_xticks(range(len(steps)), [say(s) for s, _k in steps])
    ax.legend()


def _sla(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    m = report.month
    _title(figure, report, say, _("Deadlines met and missed"))
    ax = figure.subplots()
    rows = [(_("Accepted in time"), m.dispatch), (_("Work orders answered in 24 h"),
                                                  m.response_orders),
            (_("Front desk answered in 24 h"), m.response_desk)]
    if m.complaint_clocks is not None:
        rows.append((_("Complaint clocks"), m.complaint_clocks))
    labels = [say(label) for label, _c in rows][::-1]
    left = [0.0] * len(rows)
    for n, (name, read) in enumerate(((_("met"), "hits"), (_("missed"), "misses"),
                                      (_("still running"), "pending"))):
        values = [float(getattr(c, read)) for _l, c in rows][::-1]
        bars = ax.barh(labels, values, left=left, color=COLOURS[[2, 3, 7][n]], label=say(name))
        ax.bar_label(bars, labels=[f"{v:g}" if v else "" for v in values], label_type="center",
                     color="white", fontsize=9)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.legend(loc="lower right")


def _satisfaction(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    m = report.month
    _title(figure, report, say, _("Satisfaction (callback ratings 1–5)"))
    left, middle, right = figure.subplots(1, 3)
    _bars(left, ["1", "2", "3", "4", "5"], list(m.ratings.counts), COLOURS[0],
          horizontal=False)
    left.set_title(say(_("Ratings ({count})", count=m.ratings.total)))
    trades = sorted(((k, r) for k, r in m.ratings_by_trade.items() if r.average is not None),
                    key=lambda kv: kv[1].average or 0)
    _bars(middle, [say(TRADE_NAMES.get(k, Raw(k))) for k, _r in trades],
          [round(r.average or 0, 2) for _k, r in trades], COLOURS[1])
    middle.set_title(say(_("Average by trade")))
    middle.set_xlim(0, 5.5)
    people = sorted(((k, r) for k, r in m.ratings_by_technician.items()
                     if r.average is not None), key=lambda kv: kv[1].average or 0)[:15]
    _bars(right, [k for k, _r in people], [round(r.average or 0, 2) for _k, r in people],
          COLOURS[2])
    right.set_title(say(_("Average by technician")))
    right.set_xlim(0, 5.5)


def _causes(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    _title(figure, report, say, _("Main causes of dissatisfaction"))
    overall = next((g for g in report.causes if g.dimension == "overall"), None)
    left, right = figure.subplots(1, 2)
    if overall is None:
        for ax in (left, right):
            _bars(ax, [], [], COLOURS[3])
        return
    _bars(left, [c.term for c in overall.keywords], [c.mentions for c in overall.keywords],
          COLOURS[3])
    left.set_title(say(_("Keywords (remarks mentioning them)")))
    _bars(right, [c.term for c in overall.phrases], [c.mentions for c in overall.phrases],
          COLOURS[4])
    right.set_title(say(_("Recurring phrases")))


def _callbacks(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    cb = report.month.callbacks
    _title(figure, report, say, _("Callbacks"))
    ax = figure.subplots()
    rows = [(_("Done so far"), cb.done, cb.total), (_("On site"), cb.onsite, cb.onsite_needed),
            (_("Managers' spot checks"), cb.spot_checks, cb.spot_checks_needed),
            (_("Last month's, done by the due day"), cb.previous_done_by_due,
             cb.previous_total),
            (_("Corrective tasks closed"), report.month.corrective.closed,
             report.month.corrective.raised)]
    labels = [say(label) for label, _d, _n in rows]
    ax.bar(labels, [n for _l, _d, n in rows], color="#dddddd", label=say(_("required")))
    bars = ax.bar(labels, [d for _l, d, _n in rows], width=0.5, color=COLOURS[0],
                  label=say(_("done")))
    ax.bar_label(bars, labels=[f"{d} / {n}" for _l, d, n in rows], padding=2)
    ax.legend()
    ax.set_title(say(_("Phone tasks outstanding: {count}", count=cb.phone_outstanding)),
                 fontsize=10)


def _demand(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    _title(figure, report, say, _("Services residents asked for that we lack"))
    ax = figure.subplots()
    rows = list(report.demand[:15])
    _bars(ax, [d.service for d in rows], [d.count for d in rows], COLOURS[5])


def _fees(figure: Any, report: Report, say: Callable[[Text], str]) -> None:
    _title(figure, report, say, _("Fees (yuan)"))
    ax = figure.subplots()
    labels = [say(_("Billed")), say(_("Collected")), say(_("In arrears at month end"))]
    width = 0.38
    for n, (name, month) in enumerate(((_("this month"), report.month),
                                       (_("last month"), report.previous))):
        fees = month.fees
        values = [0.0, 0.0, 0.0] if fees is None else [
            float(fees.billed), float(fees.collected), float(fees.arrears)]
        bars = ax.bar([i + (n - 0.5) * width for i in range(3)], values, width,
                      label=say(name), color=COLOURS[n])
        ax.bar_label(bars, labels=[f"{v:,.2f}" for v in values], fontsize=8, padding=1)
    ax.set_xticks(range(3), labels)
    ax.legend()


KIND_NAMES: Final[dict[str, Msg]] = {
    "repair": _("repair"), "service": _("paid service"), "emergency": _("emergency"),
    "complaint": _("complaint"), "enquiry": _("enquiry"), "fee": _("fee question"),
    "other": _("message")}


def building_name(key: str) -> Text:
    """A building as the report names it: "Building 3", public areas, no unit."""
    if key == "public":
        return _("public areas")
    if key == "-":
        return _("no unit")
    return _("Building {building}", building=Raw(key))


CHARTS: Final = (Chart("requests", _requests, width=13, left=0.1, wspace=0.75),
                 Chart("buildings", _buildings, left=0.14),
                 Chart("times", _times, left=0.08), Chart("deadlines", _sla, left=0.22),
                 Chart("satisfaction", _satisfaction, width=13, left=0.05, wspace=0.45),
                 Chart("causes", _causes, width=11, left=0.1, wspace=0.35),
                 Chart("callbacks", _callbacks, left=0.08),
                 Chart("demand", _demand, left=0.16), Chart("fees", _fees, left=0.1))
