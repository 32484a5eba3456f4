"""The main causes of dissatisfaction (001 §2.8.3: 找出客户对服务不满意的主要项目，分析原因):
keywords and recurring phrases in what dissatisfied residents said — a low rating's comment,
a rework reason, a complaint — overall, by trade and by technician, each with a few of the
residents' own words quoted.

Keywords are jieba.analyse's TF-IDF (as ``extract_tags`` computes it: a word's frequency in
the group's remarks times jieba.analyse's inverse document frequency, so "漏水" outweighs
"今天"), with the office's stop words added to jieba.analyse's (``data/stopwords.txt``).
Each remark is cut once and its words serve every group it belongs to (overall, its trade,
its technician): that keeps a month of 20,000 orders fast. Among the TF-IDF candidates, the
words most remarks mention come first. Phrases are pairs of adjacent words that recur in at
least two remarks of the group ("态度 差" → 态度差). Remarks are folded to Simplified Chinese
first (OpenCC t2s), so 態度 and 态度 count together; quotes keep the resident's own script.

jieba is initialised once per process, for triage, the FAQ and this report alike
(``dialogs.words`` loads the dictionary and the office's user dictionary into jieba's default
tokenizer). jieba.analyse itself is not imported: with jieba.posseg, which it loads and TF-IDF
does not need, and its IDF table as a dict of 270,000 words, it added ~120 MB to the process
that makes the report (the bot, on the 1st). Its stop words are read here, and its IDF table
(``jieba/analyse/idf.txt``) is compiled once per machine into cache files beside jieba's
dictionary (``dialogs.words.cached``): a marisa trie of the words and their weights by trie id,
mapped with mmap (~45 MB as a dict). Loaded once per process, under a lock.
"""

from __future__ import annotations

import ast
import logging
import re
import threading
import warnings
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import marisa_trie

from dialogs import words
from handlers.monthly_report.satisfaction import Voice

log = logging.getLogger(__name__)

STOPWORDS: Final = Path(__file__).parent / "data" / "stopwords.txt"
IDF_FORMAT: Final = 1  # part of the cache files' names: a new layout reads no older file
IDF_KIND: Final = "jieba-idf"
KEYWORDS: Final = 6  # per group
PHRASES: Final = 4
QUOTES: Final = 3
QUOTE_LENGTH: Final = 80
MIN_PHRASE_REMARKS: Final = 2
_WORD = re.compile(r"[\u4e00-\u9fff]{1,}|[A-Za-z]{3,}")
# One-character words that only glue a phrase together ("的时间", "没来"): a phrase needs a
# word of two characters or more, and no glue.
GLUE: Final = frozenset("的了着过是在也都就又还很没不有和与把被让给对说要会能"
                        "我你他她它这那啊吧呢吗呀")


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
    cut: Callable[[str], Iterable[str]]
    fold: Callable[[str], str]
    unfold: Callable[[str], str]
    idf: Idf  # jieba.analyse's inverse document frequencies
    stop: frozenset[str]  # jieba.analyse's stop words, the office's added


_tools: _Tools | None = None
_lock = threading.Lock()


def tools() -> _Tools:
    """jieba's tokenizer, its IDF table and stop words, and OpenCC, loaded once per process."""
    global _tools
    if _tools is not None:
        return _tools
    with _lock:
        if _tools is None:
            cut = words.tokenizer().cut
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import opencc
            idf = _idf_table()
            to_simplified: Any = opencc.OpenCC("t2s")
            to_traditional: Any = opencc.OpenCC("s2t")
            _tools = _Tools(cut=cut, fold=to_simplified.convert,
                            unfold=to_traditional.convert, idf=idf,
                            stop=frozenset(w.lower() for w in _stop_words()))
    return _tools


class Idf:
    """jieba.analyse's IDF table: a word's weight by its id in a marisa trie, and the median
    weight (its ``IDFLoader``'s), which unknown words get."""

    def __init__(self, trie: marisa_trie.Trie, weights: Sequence[float]) -> None:
        if len(weights) != len(trie) + 1:
            raise ValueError("the IDF weights do not match their words")
        self._trie = trie
        self._weights = weights  # by trie id, then the median
        self.median = float(weights[len(trie)])

    def get(self, word: str) -> float:
        """*word*'s weight, or the median for a word the table does not know."""
        found = self._trie.get(word)
        return self.median if found is None else float(self._weights[found])


def _compile_idf(table: Path) -> tuple[marisa_trie.Trie, array[float]]:
    weights: dict[str, float] = {}
    with table.open(encoding="utf-8") as lines:
        for line in lines:
            word, value = line.strip().split(" ")
            weights[word] = float(value)
    trie = marisa_trie.Trie(weights)
    by_id = array("d", bytes(8 * (len(trie) + 1)))
    for word, weight in weights.items():
        by_id[trie[word]] = weight
    by_id[len(trie)] = sorted(weights.values())[len(weights) // 2]
    return trie, by_id


def _idf_table() -> Idf:
    """jieba.analyse's IDF table, from the cache files (compiled on the machine's first
    report), or in memory when no cache directory is writable."""
    table = Path(str(resources.files("jieba").joinpath("analyse", "idf.txt")))
    name = words.cache_name(IDF_KIND, IDF_FORMAT, table.stat())
    compiled = cache(lambda: _compile_idf(table))

    def read(directory: Path) -> Idf | None:
        trie_path, weights_path = directory / f"{name}.trie", directory / f"{name}.weights"
        if not (trie_path.is_file() and weights_path.is_file()):
            return None
        try:
            return Idf(marisa_trie.Trie().mmap(str(trie_path)),
                       memoryview(words.mapped(weights_path)).cast("d"))
        except (OSError, ValueError, RuntimeError, TypeError) as exc:
            log.warning("causes: cannot read the cached IDF table %s (%s); building it again",
                        weights_path, exc)
            return None

    def write(directory: Path) -> None:
        trie, weights = compiled()
        words.replace_file(directory / f"{name}.trie", trie.save)
        words.replace_file(directory / f"{name}.weights",
                           lambda path: Path(path).write_bytes(weights.tobytes()))

    found = words.cached("jieba.analyse's IDF table", read, write, kind=IDF_KIND, name=name)
    if found is not None:
        return found
    log.warning("causes: no writable cache directory; the IDF table is kept in memory")
    trie, weights = compiled()
    return Idf(trie, weights)


def _stop_words() -> set[str]:
    """jieba.analyse's stop words (``KeywordExtractor.STOP_WORDS``, a literal in its source,
    read from there) and the office's (one a line, ``#`` comments)."""
    source = resources.files("jieba").joinpath("analyse", "tfidf.py").read_text("utf-8")
    stop: set[str] | None = None
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and any(isinstance(t, ast.Name) and t.id == "STOP_WORDS"
                        for t in node.targets)):
            stop = set(ast.literal_eval(node.value.args[0]))  # STOP_WORDS = set((…))
    if stop is None:
        raise LookupError("jieba.analyse's STOP_WORDS not found in jieba/analyse/tfidf.py")
    office = STOPWORDS.read_text(encoding="utf-8").splitlines()
    return stop | {w for w in office if w and not w.startswith("#")}


def traditional(text: str) -> str:
    """*text* in Traditional Chinese (keywords are counted in Simplified)."""
    return tools().unfold(text)


def quote(voice: Voice) -> str:
    """The remark as quoted in the report: "…" with the order number."""
    text = " ".join(voice.text.split())
    if len(text) > QUOTE_LENGTH:
        text = text[:QUOTE_LENGTH - 1] + "…"
    return f"「{text}」({voice.number})"


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
    cut: dict[str, list[str]] = {}  # each distinct remark is cut once
    remarks = []
    for voice in voices:
        folded = t.fold(voice.text)
        if folded not in cut:
            cut[folded] = [w for w in t.cut(folded)
                           if _WORD.fullmatch(w) and w.lower() not in t.stop]
        remarks.append(_Remark(voice, folded, cut[folded]))
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
    return [_group(dimension, name, members, t) for dimension, name, members in groups]


def _busiest(item: tuple[str, list[_Remark]]) -> tuple[int, str]:
    return -len(item[1]), item[0]


def tf_idf(members: Sequence[_Remark], t: _Tools, top: int) -> list[tuple[str, float]]:
    """jieba.analyse's TF-IDF over words already cut once per remark."""
    freq: Counter[str] = Counter(w for r in members for w in r.words if len(w) >= 2)
    weights = _weights(freq, t)
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _weights(freq: Counter[str], t: _Tools) -> dict[str, float]:
    """``extract_tags``'s weights: a word's share of the words times its IDF, an unknown
    word's at the median IDF (in its order of operations, to the last bit)."""
    total = sum(freq.values())
    return {w: n * (t.idf.get(w) / total) for w, n in freq.items()}


def extract_tags(text: str, top: int) -> list[str]:
    """``jieba.analyse.extract_tags(text, topK=top)``: the *top* words of *text* by TF-IDF, in
    its order (ties in the order the words first appear)."""
    t = tools()
    freq = Counter(w for w in t.cut(text) if len(w.strip()) >= 2 and w.lower() not in t.stop)
    weights = _weights(freq, t)
    return sorted(weights, key=weights.__getitem__, reverse=True)[:top]


def _group(dimension: str, name: str, members: list[_Remark], t: _Tools) -> CauseGroup:
    candidates = []
    for term, weight in tf_idf(members, t, KEYWORDS * 3):
        holding = [r for r in members if term in r.words]
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
        pairs = {_join(a, b) for a, b in zip(r.words, r.words[1:], strict=False)
                 if max(len(a), len(b)) >= 2 and a not in GLUE and b not in GLUE}
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
    folded = tools().fold(request.strip())
    for term in extract_tags(folded, 3):
        if _WORD.fullmatch(term):
            return term
    return folded[:20] or "-"
