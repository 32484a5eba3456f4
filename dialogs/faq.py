"""Matching a resident's question to the office's FAQ: BM25 over the question variants.

Pure and fast once built: the text is folded to Simplified Chinese (OpenCC t2s), cut with
jieba (with the office's words, `dialogs.words`) plus character pairs for Chinese, and English
words crudely stemmed; each variant is a document, an entry scores its best variant, and the
score is divided by what the question would score against itself, so it reads 0–1 whatever
its length. The office's threshold (``OfficeRules.faq_min_score``) decides what is answered.

Two guards keep a wrong answer from being given where "I'll ask the desk" is right: an entry
with topics answers only a question that names one of them (the parcels answer is not for
"Can I keep a dog?", which shares only "keep"), and a question that names a place or service
outside the estate (a pharmacy, the bus, a school) gets no answer at all (the office hours are
not the supermarket's). A topic or place of several words is named when all its words are.
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from dialogs.words import tokenizer
from locales import Localized

K1: Final = 1.2
B: Final = 0.75
# Words of the question the FAQ has never seen lower the score: a question about the bus
# timetable that shares only "what time" with the office hours is not about office hours.
COVERAGE_WEIGHT: Final = 0.5
UNSEEN_DF: Final = 0.5
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about which question it is (in every question, or nearly).
STOPWORDS: Final = frozenset((
    "的", "了", "吗", "呢", "吧", "啊", "呀", "么", "嘛", "我", "我们",
    "我家", "你", "你们", "您", "他", "她", "是", "在", "有", "要", "想",
    "怎么", "怎样", "怎麼", "什么", "什麼", "可以", "可不可以", "能", "能不能",
    "会", "请问", "请", "一下", "和", "跟", "到", "去", "就", "都", "也",
    "还", "这", "那", "哪", "哪里", "哪儿", "吗？", "？", "，", "。", "！",
    "、", "是不是", "多少", "几", "个", "给", "让", "被", "把", "为",
    "为什么", "一张", "一个", "帮我", "帮忙", "麻烦", "你好", "谢谢",
    "a", "an", "the", "is", "are", "am", "do", "does", "did", "i", "my", "me", "we", "our",
    "you", "your", "can", "could", "would", "will", "should", "how", "what", "when", "where",
    "who", "which", "to", "of", "in", "on", "at", "for", "and", "or", "it", "this", "that",
    "there", "be", "have", "has", "with", "from", "about", "please", "much", "many", "get",
    "got", "need", "any", "some", "someone", "something", "just", "now", "it's", "i'm",
    "can't", "don't",
))
_lock = threading.Lock()
_tools: dict[str, Any] = {}


def _load() -> tuple[Any, Any]:
    """jieba's cut (with the office's words) and OpenCC's t2s converter, built once per
    process."""
    with _lock:
        if not _tools:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import opencc
            _tools["cut"] = tokenizer().lcut
            _tools["t2s"] = opencc.OpenCC("t2s").convert
    return _tools["cut"], _tools["t2s"]


def _stem(word: str) -> str:
    """'parcels' → 'parcel', 'cutting' → 'cut', 'parties' → 'party': crude, but the same
    function folds the FAQ's variants, so it only needs to be consistent."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            return word
    return word


def tokens(text: str) -> list[str]:
    """The words of *text* that can tell one question from another."""
    cut, t2s = _load()
    folded = t2s(text.lower())
    found: list[str] = [_stem(w) for w in _WORD.findall(folded) if w not in STOPWORDS]
    for run in _CJK.findall(folded):
        found += [w for w in cut(run) if w.strip() and w not in STOPWORDS]
        found += [run[i:i + 2] for i in range(len(run) - 1)]  # pairs catch other cuts
    return [w for w in found if w not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question the office answers: its variants (any language), its answer and the
    topics (any language) one of which a question must name to get it (none: any question)."""

    key: str
    questions: tuple[str, ...]
    answer: Localized
    topics: tuple[str, ...] = ()


def phrase(text: str) -> frozenset[str]:
    """The words a question must have to name *text* (empty: it says nothing). A final English
    "e" is dropped, as the crude stem does for "packages" → "packag" but not for "package"."""
    return _folded(tokens(text))


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("e") and w.isascii() else w
                     for w in words)


def _names(words: frozenset[str], phrases: Iterable[frozenset[str]]) -> bool:
    return any(p and p <= words for p in phrases)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    score: float  # 0–1: how well the best variant matches, against the question itself


@dataclass
class FaqIndex:
    """BM25 over every variant of every entry."""

    entries: Mapping[str, FaqEntry]
    docs: list[tuple[str, Counter[str], int]] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    average: float = 1.0
    topics: dict[str, tuple[frozenset[str], ...]] = field(default_factory=dict)
    outside: tuple[frozenset[str], ...] = ()

    @classmethod
    def build(cls, entries: Iterable[FaqEntry], outside: Iterable[str] = ()) -> FaqIndex:
        """*outside*: places and services outside the estate; a question naming one gets no
        answer."""
        index = cls({e.key: e for e in entries})
        index.outside = tuple(phrase(p) for p in outside)
        for entry in index.entries.values():
            if entry.topics:
                index.topics[entry.key] = tuple(phrase(t) for t in entry.topics)
            for question in entry.questions:
                words = tokens(question)
                if words:
                    index.docs.append((entry.key, Counter(words), len(words)))
                    index.df.update(set(words))
        index.average = sum(n for _, _, n in index.docs) / max(len(index.docs), 1)
        return index

    def _idf(self, word: str) -> float:
        n, df = len(self.docs), self.df.get(word, UNSEEN_DF)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _bm25(self, query: Sequence[str], doc: Counter[str], length: int) -> float:
        total = 0.0
        for word in query:
            tf = doc.get(word, 0)
            if tf:
                norm = tf + K1 * (1 - B + B * length / self.average)
                total += self._idf(word) * tf * (K1 + 1) / norm
        return total

    def rank(self, text: str) -> list[Match]:
        """Every entry that may answer *text* with its score, best first: none when it names a
        place outside the estate, and no entry whose topics it does not name."""
        words = tokens(text)
        query = [w for w in words if w in self.df]
        named = _folded(words)
        if not query or _names(named, self.outside):
            return []
        best = self._bm25(query, Counter(query), len(query))
        coverage = (sum(self._idf(w) for w in query) / sum(self._idf(w) for w in words)
                    ) ** COVERAGE_WEIGHT
        scores: dict[str, float] = {}
        for key, doc, length in self.docs:
            if key not in self.topics or _names(named, self.topics[key]):
                scores[key] = max(scores.get(key, 0.0), self._bm25(query, doc, length))
        return sorted((Match(key, min(score / best, 1.0) * coverage)
                       for key, score in scores.items() if score > 0), key=lambda m: -m.score)

    def match(self, text: str, min_score: float) -> Match | None:
        """The entry that answers *text*, if one matches well enough."""
        ranked = self.rank(text)
        return ranked[0] if ranked and ranked[0].score >= min_score else None
