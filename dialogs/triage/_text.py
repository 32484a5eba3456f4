"""Text normalisation for triage: Traditional → Simplified, dialect/vocabulary map, English stems.

Everything here is built once per process by `_load` and then only *used* per message, so the
per-call work is a handful of C-level `str.translate` / compiled-regex passes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import resources

# Clause punctuation: negation and gap patterns never reach across these.
CLAUSE_PUNCT = "，。！？；,.!?;:：\n\r\t、…~～"

# Typographic quotes and apostrophes residents paste from phones.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u3000": " "})
# Zero-width and joiner characters would otherwise split keywords invisibly.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")

# A few irregular English forms that suffix stripping gets wrong.
_IRREGULAR = {
    "burnt": "burn",
    "broken": "broke",
    "children": "child",
    "people": "person",
    "smoking": "smoking",  # people smoking is a complaint; keep it apart from 'smoke' (smok)
    "smoky": "smok",
    "flames": "flames",  # fire; 'the flame is yellow' (singular, stem flam) is a gas stove
    "odor": "odour",
    "blocked": "blocked",  # keep apart from 'block 5' (a building)
    "blocking": "blocked",
    "leaky": "leak",
    "smelly": "smell",
    "flickery": "flicker",
    "noisy": "noise",
}


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Reduce an English word to a crude stem so 'leaking', 'leaks', 'leaked' all become 'leak'.

    Keywords are stemmed with the same function, so the stems only need to be consistent, not
    linguistically correct ('pipe' and 'piping' both become 'pip').
    """
    if "'" in word:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif (len(w) > 4 and w.endswith("es") and w[-3] in "sxz") or w.endswith(("ches", "shes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    stripped = False
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            stripped = True
            break
    if stripped and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # clogged → clogg → clog, tripping → tripp → trip
    if len(w) > 3 and w.endswith("e") and w[-2] not in "aeiou":
        w = w[:-1]  # smoke → smok (= smoked), pipe/piping → pip
    return w


def _stem_match(m: re.Match[str]) -> str:
    return stem(m.group(0))


def _read_opencc(name: str) -> dict[str, str]:
    """Read one of OpenCC's own t2s dictionaries (tab-separated, first candidate wins)."""
    text = (resources.files("opencc") / "dictionary" / name).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        key, _, values = line.partition("\t")
        if key and values:
            table[key] = values.split(" ")[0]
    return table


_Trie = dict[str, "_Trie"]
_END = ""  # trie key marking "a phrase ends here" (never a real character)


def trie_pattern(phrases: Iterable[str]) -> str:
    """Build one regex alternation shaped like a trie, longest continuation first.

    A trie-shaped pattern lets the regex engine reject a position after one character instead
    of trying every phrase. ASCII words get word boundaries so 'gas' does not match 'gasket'.
    """
    root: _Trie = {}
    for phrase in sorted(set(phrases)):
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        if phrase:
            node[_END] = {}

    def render(node: _Trie, last: str) -> str:
        alts = [re.escape(ch) + render(child, ch) for ch, child in sorted(node.items()) if ch]
        if _END in node:  # children first: the regex then prefers the longer phrase
            alts.append("(?![a-z0-9])" if _ASCII_ALNUM.fullmatch(last) else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    alts = []
    for ch, child in sorted(root.items()):
        # The word-boundary check for English goes *after* the first character, so every
        # alternative starts with a literal and `re` can skip non-candidate positions quickly.
        head = re.escape(ch) + ("(?<![a-z0-9].)" if _ASCII_ALNUM.fullmatch(ch) else "")
        alts.append(head + render(child, ch))
    return "(?:" + "|".join(alts) + ")" if alts else "(?!)"


class Normalizer:
    """Turns raw resident text into the one canonical form every keyword is written in."""

    def __init__(self, phrase_map: Mapping[str, str], english_map: Mapping[str, str]) -> None:
        ts_phrases = _read_opencc("TSPhrases.txt")
        self._chars = str.maketrans(
            {k: v for k, v in _read_opencc("TSCharacters.txt").items() if len(k) == 1}
        )
        # OpenCC prefers a phrase entry over per-character conversion; keep only the phrases
        # whose result differs from the character table, the rest are redundant.
        self._ts_phrases = {k: v for k, v in ts_phrases.items() if k.translate(self._chars) != v}
        self._ts_re = re.compile(trie_pattern(self._ts_phrases))
        english = {self.basic(k): v.lower() for k, v in english_map.items()}
        self._en_re, self._en_sub = self._replacer(english)
        # Office-written keys may be Traditional or Simplified; canonicalise them first.
        local = {self.to_simplified(self.basic(k)): self.to_simplified(v) for k, v in
                 phrase_map.items()}
        self._map_re, self._map_sub = self._replacer(local)

    @staticmethod
    def _replacer(table: Mapping[str, str]) -> tuple[re.Pattern[str], Callable[[re.Match[str]],
                                                                                  str]]:
        pattern = re.compile(trie_pattern(table))

        def sub(m: re.Match[str]) -> str:
            return table.get(m.group(0), m.group(0))

        return pattern, sub

    @staticmethod
    def basic(text: str) -> str:
        """Width, case and invisible-character folding, no vocabulary changes."""
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
        return _INVISIBLE.sub("", text)

    def to_simplified(self, text: str) -> str:
        """OpenCC t2s (TSPhrases, then TSCharacters between them) with OpenCC's dictionaries."""
        out: list[str] = []
        pos = 0
        for m in self._ts_re.finditer(text):  # rare: most messages take the one-call path
            out.append(text[pos:m.start()].translate(self._chars))
            out.append(self._ts_phrases[m.group(0)])
            pos = m.end()
        if not out:
            return text.translate(self._chars)
        out.append(text[pos:].translate(self._chars))
        return "".join(out)

    def __call__(self, text: str) -> str:
        text = self.basic(text)
        text = self._en_re.sub(self._en_sub, text)
        text = self._map_re.sub(self._map_sub, self.to_simplified(text))
        return _ASCII_WORD.sub(_stem_match, text)

    def keyword(self, phrase: str) -> str:
        """Normalise a keyword exactly like message text, so both sides always agree."""
        return self(phrase)
