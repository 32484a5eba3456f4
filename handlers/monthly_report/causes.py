"""The main causes of dissatisfaction (001 §2.8.3: 找出客户对服务不满意的主要项目，分析原因):
keywords and recurring phrases in what dissatisfied residents said — a low rating's comment,
a rework reason, a complaint — overall, by trade and by technician, each with a few of the
residents' own words quoted.

Keywords are jieba.analyse's TF-IDF (``extract_tags``: term frequency in the group's remarks
times jieba's inverse document frequency, so "漏水" outweighs "今天"), with the office's
stop words added (``data/stopwords.txt``). Phrases are pairs of adjacent words that recur in
at least two remarks of the group ("师傅 迟到", "态度 差" → 迟到、态度差). Remarks are folded to
Simplified Chinese first (OpenCC t2s), so 漏水 and 漏水 written in Traditional count together;
quotes keep the resident's own script.

jieba is initialised once per process, the way triage does it (``dialogs.triage.warm_up``
loads the dictionary and the office's user dictionary into jieba's default tokenizer, which
``jieba.analyse`` uses); the stop words are added once, under a lock.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from handlers.monthly_report.figures import Voice

log = logging.getLogger(__name__)

STOPWORDS: Final = Path(__file__).parent / "data" / "stopwords.txt"
KEYWORDS: Final = 6  # per group
PHRASES: Final = 4
QUOTES: Final = 3
QUOTE_LENGTH: Final = 80
MIN_PHRASE_REMARKS: Final = 2
_WORD = re.compile(r"[\u4e00-\u9fff]{1,}|[A-Za-z]{3,}")


@dataclass(frozen=True, slots=True)
class Cause:
    """A keyword or phrase, how many remarks mention it, and some of them quoted."""

    term: str
    weight: float
    mentions: int
    quotes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CauseGroup:
    """What one group of remarks (everyone, a trade, a technician, the complaints) says."""

    dimension: str  # overall | trade | technician | complaints
    name: str  # the trade key, the technician's name, or ""
    remarks: int
    keywords: tuple[Cause, ...]
    phrases: tuple[Cause, ...]


@dataclass(slots=True)
class _Tools:
    extract: Callable[..., list[tuple[str, float]]]
    cut: Callable[[str], Iterable[str]]
    fold: Callable[[str], str]
    unfold: Callable[[str], str]


_tools: _Tools | None = None
_lock = threading.Lock()


def tools() -> _Tools:
    """jieba.analyse and OpenCC, loaded once per process."""
    global _tools
    if _tools is not None:
        return _tools
    with _lock:
        if _tools is None:
            from dialogs.triage import warm_up

            warm_up()  # jieba's dictionary and the office's user dictionary, once
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba
                import jieba.analyse
                import opencc
            jieba.analyse.set_stop_words(str(STOPWORDS))
            to_simplified: Any = opencc.OpenCC("t2s")
            to_traditional: Any = opencc.OpenCC("s2t")
            _tools = _Tools(extract=jieba.analyse.extract_tags, cut=jieba.cut,
                            fold=to_simplified.convert, unfold=to_traditional.convert)
    return _tools


def traditional(text: str) -> str:
    """*text* in Traditional Chinese (keywords are counted in Simplified)."""
    return tools().unfold(text)


def quote(voice: Voice) -> str:
    """The remark as quoted in the report: "…" with the order number."""
    text = " ".join(voice.text.split())
    if len(text) > QUOTE_LENGTH:
        text = text[:QUOTE_LENGTH - 1] + "…"
    return f"「{text}」({voice.number})"


def _stop_words() -> frozenset[str]:
    words = STOPWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in words if w.strip() and not w.startswith("#"))


@dataclass(slots=True)
class _Remark:
    voice: Voice
    folded: str
    words: list[str]


def analyse(voices: Sequence[Voice]) -> list[CauseGroup]:
    """Keywords and phrases overall, per trade, per technician and for complaints."""
    if not voices:
        return []
    t = tools()
    stop = _stop_words()
    remarks = []
    for voice in voices:
        folded = t.fold(voice.text)
        words = [w for w in t.cut(folded) if _WORD.fullmatch(w) and w.lower() not in stop]
        remarks.append(_Remark(voice, folded, words))
    groups: list[tuple[str, str, list[_Remark]]] = [("overall", "", remarks)]
    by_trade: dict[str, list[_Remark]] = defaultdict(list)
    by_tech: dict[str, list[_Remark]] = defaultdict(list)
    complaints = []
    for r in remarks:
        if r.voice.trade:
            by_trade[r.voice.trade].append(r)
        if r.voice.technician:
            by_tech[r.voice.technician].append(r)
        if r.voice.source == "complaint":
            complaints.append(r)
    groups += [("trade", k, v) for k, v in sorted(by_trade.items(), key=_busiest)]
    groups += [("technician", k, v) for k, v in sorted(by_tech.items(), key=_busiest)]
    if complaints:
        groups.append(("complaints", "", complaints))
    return [_group(dimension, name, members, t, stop) for dimension, name, members in groups]


def _busiest(item: tuple[str, list[_Remark]]) -> tuple[int, str]:
    return -len(item[1]), item[0]


def _group(dimension: str, name: str, members: list[_Remark], t: _Tools,
           stop: frozenset[str]) -> CauseGroup:
    text = "\n".join(r.folded for r in members)
    candidates = []
    for term, weight in t.extract(text, topK=KEYWORDS * 3, withWeight=True):
        if term.lower() in stop or not _WORD.fullmatch(term):
            continue
        holding = [r for r in members if term in r.folded]
        if holding:
            candidates.append(Cause(term, round(float(weight), 4), len(holding),
                                    _quotes(holding)))
    # TF-IDF picks the telling words; among them, what most residents said comes first.
    keywords = sorted(candidates, key=lambda c: (-c.mentions, -c.weight, c.term))[:KEYWORDS]
    return CauseGroup(dimension, name, len(members), tuple(keywords),
                      tuple(_phrases(members)))


def _phrases(members: list[_Remark]) -> list[Cause]:
    """Adjacent word pairs said in at least two remarks, most remarks first."""
    seen: Counter[str] = Counter()
    holders: dict[str, list[_Remark]] = defaultdict(list)
    for r in members:
        pairs = {_join(a, b) for a, b in zip(r.words, r.words[1:], strict=False)}
        for pair in pairs:
            seen[pair] += 1
            holders[pair].append(r)
    ranked = sorted((p for p, n in seen.items() if n >= MIN_PHRASE_REMARKS),
                    key=lambda p: (-seen[p], -len(p), p))
    return [Cause(p, float(seen[p]), seen[p], _quotes(holders[p])) for p in ranked[:PHRASES]]


def _join(a: str, b: str) -> str:
    return f"{a} {b}" if a.isascii() and b.isascii() else a + b


def _quotes(holding: list[_Remark]) -> tuple[str, ...]:
    """Up to three remarks, the lowest ratings first, each text once."""
    chosen: list[str] = []
    texts: set[str] = set()
    for r in sorted(holding, key=lambda r: (r.voice.rating or 9, len(r.voice.text))):
        if r.voice.text in texts:
            continue
        texts.add(r.voice.text)
        chosen.append(quote(r.voice))
        if len(chosen) == QUOTES:
            break
    return tuple(chosen)


def service_of(request: str) -> str:
    """What a resident asked for, as one word to group wishes by ("想预约搬家服务" → 搬家)."""
    t = tools()
    folded = t.fold(request.strip())
    for term, _weight in t.extract(folded, topK=3, withWeight=True):
        if _WORD.fullmatch(term):
            return str(term)
    return folded[:20] or "-"
