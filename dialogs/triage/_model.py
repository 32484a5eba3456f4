"""The learned part of triage: a linear model over `_features`, read from `data/model.json.gz`.

Written by `frontline triage train` (`_train.py`, scikit-learn's TfidfVectorizer + LinearSVC);
read and evaluated here in plain Python, so the bot needs neither scikit-learn nor numpy.
The file holds one shared vocabulary with its idf weights and, per head (intent, trade,
location, emergency), the classes, the intercepts and the weights, quantised to int16 with one
scale per head. Scores equal scikit-learn's `decision_function` up to that quantisation
(tests/unit/test_triage_model.py checks it against the library).
"""

from __future__ import annotations

import array
import base64
import gzip
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FORMAT = "frontline-triage-linear/1"


@dataclass(frozen=True, slots=True)
class Head:
    name: str
    classes: tuple[str, ...]
    offset: int  # first column of this head in the weight rows
    width: int  # columns: len(classes), or 1 for a two-class head
    intercept: tuple[float, ...]
    scale: float


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    margin: float  # best score minus the runner-up (two-class: |score|); small = unsure
    scores: Mapping[str, float]


def _array(code: str, data: str) -> array.array[Any]:
    out = array.array(code)
    out.frombytes(base64.b64decode(data))
    if sys.byteorder != "little":
        out.byteswap()
    return out


class LinearModel:
    """TF-IDF (sublinear tf, l2 norm) features times per-head weights, plus intercepts."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        if spec.get("format") != FORMAT:
            raise ValueError(f"triage model: unknown format {spec.get('format')!r}")
        vocab = spec["vocabulary"]
        self.vocabulary: dict[str, int] = {f: i for i, f in enumerate(vocab)}
        self.idf = _array("f", spec["idf"])
        self.heads: dict[str, Head] = {}
        columns = 0
        for h in spec["heads"]:
            classes = tuple(h["classes"])
            width = 1 if len(classes) == 2 else len(classes)
            self.heads[h["name"]] = Head(h["name"], classes, columns, width,
                                         tuple(float(b) for b in h["intercept"]),
                                         float(h["scale"]))
            columns += width
        self.columns = columns
        self.weights = _array("h", spec["weights"])
        if len(self.idf) != len(vocab) or len(self.weights) != len(vocab) * columns:
            raise ValueError("triage model: vocabulary, idf and weights disagree in size")
        self.meta: Mapping[str, Any] = spec.get("meta", {})

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        return cls(json.loads(gzip.decompress(data).decode("utf-8")))

    def raw_scores(self, features: Iterable[str]) -> list[float]:
        """Unscaled weighted sums per column, already divided by the l2 norm."""
        counts: dict[int, int] = {}
        vocab = self.vocabulary
        for f in features:
            i = vocab.get(f)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        width = self.columns
        acc = [0.0] * width
        if not counts:
            return acc
        weights, idf = self.weights, self.idf
        norm = 0.0
        for i, n in counts.items():
            x = (1.0 + math.log(n)) * idf[i]
            norm += x * x
            base = i * width
            acc = [a + x * w for a, w in zip(acc, weights[base:base + width], strict=True)]
        inv = 1.0 / math.sqrt(norm)
        return [a * inv for a in acc]

    def decision(self, raw: Sequence[float], head: str) -> list[float]:
        """scikit-learn's `decision_function` for one head (one value for two classes)."""
        h = self.heads[head]
        return [raw[h.offset + k] * h.scale + h.intercept[k] for k in range(h.width)]

    def predict(self, raw: Sequence[float], head: str) -> Prediction:
        h = self.heads[head]
        d = self.decision(raw, head)
        if h.width == 1:
            label = h.classes[1] if d[0] > 0 else h.classes[0]
            return Prediction(label, abs(d[0]), {h.classes[1]: d[0], h.classes[0]: -d[0]})
        order = sorted(range(h.width), key=lambda k: d[k], reverse=True)
        return Prediction(h.classes[order[0]], d[order[0]] - d[order[1]],
                          dict(zip(h.classes, d, strict=True)))


def encode(vocabulary: Sequence[str], idf: Sequence[float],
           heads: Sequence[Mapping[str, Any]], weights: Sequence[Sequence[float]],
           meta: Mapping[str, Any]) -> bytes:
    """Serialise a trained model; `weights[j]` is the row of feature j over all head columns.

    Each head carries `classes`, `intercept` and `columns` (its slice of the rows). The output
    is byte-for-byte the same for the same input (sorted keys, gzip without a timestamp).
    """
    width = sum(len(h["intercept"]) for h in heads)
    flat = array.array("h", bytes(2 * width * len(vocabulary)))
    out_heads = []
    col = 0
    for h in heads:
        n = len(h["intercept"])
        peak = max((abs(row[col + k]) for row in weights for k in range(n)), default=0.0)
        scale = peak / 32767 if peak > 0 else 1.0
        for j, row in enumerate(weights):
            for k in range(n):
                flat[j * width + col + k] = round(row[col + k] / scale)
        out_heads.append({"name": h["name"], "classes": list(h["classes"]),
                          "intercept": [round(float(b), 7) for b in h["intercept"]],
                          "scale": float(f"{scale:.9g}")})
        col += n
    idf_arr = array.array("f", idf)
    if sys.byteorder != "little":
        flat.byteswap()
        idf_arr.byteswap()
    spec = {"format": FORMAT, "vocabulary": list(vocabulary),
            "idf": base64.b64encode(idf_arr.tobytes()).decode("ascii"),
            "heads": out_heads, "weights": base64.b64encode(flat.tobytes()).decode("ascii"),
            "meta": dict(meta)}
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
