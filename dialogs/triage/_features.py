"""Features of one normalised message for the learned triage model.

The same function feeds training (`_train`, through scikit-learn's vectoriser) and inference
(`_model`), so both always see identical features. Features are plain strings:

    c:xy    a character n-gram (n = 1..3) of the message with spaces folded, `^`/`$` at its ends
    w:词    a jieba word (whole message, no HMM: new words come from the user dictionary)
    b:a|b   two jieba words in a row
    k:...   a coarse keyword-layer signal (see `keyword_features`)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping

FEATURE_CHARS = 300  # messages are featurised on their first 300 normalised characters
_SPACE = re.compile(r"\s+")
_SKIP_WORD = re.compile(r"^[\s\W]*$")
NGRAMS = (1, 2, 3)

Cut = Callable[..., Iterable[str]]


def fold(text: str) -> str:
    """The normalised text with whitespace runs folded to one space, trimmed, capped."""
    return _SPACE.sub(" ", text[:FEATURE_CHARS]).strip()


def char_features(text: str) -> list[str]:
    padded = "^" + text + "$"
    out: list[str] = []
    size = len(padded)
    for n in NGRAMS:
        out.extend("c:" + padded[i:i + n] for i in range(size - n + 1))
    return out


def word_features(text: str, cut: Cut) -> list[str]:
    words = [w for w in cut(text, HMM=False) if not _SKIP_WORD.match(w)]
    out = ["w:" + w for w in words]
    out.extend(f"b:{a}|{b}" for a, b in itertools.pairwise(words))
    return out


def keyword_features(scores: Mapping[str, float]) -> list[str]:
    """Which keyword labels fired, bucketed by strength (the office's words as evidence)."""
    out: list[str] = []
    for name, score in scores.items():
        if name[:2] in ("i.", "t.", "l.") and score > 0:
            out.append(f"k:{name}:{'3' if score >= 3 else '2' if score >= 2 else '1'}")
    return out


def features(text: str, cut: Cut, scores: Mapping[str, float] | None = None) -> list[str]:
    """All features of a normalised message (`text` as returned by `Normalizer.__call__`)."""
    folded = fold(text)
    out = char_features(folded)
    out += word_features(folded, cut)
    if scores is not None:
        out += keyword_features(scores)
    return out
