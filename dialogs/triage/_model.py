"""The learned part of triage: a linear model over `_features`, read from `data/model.json.gz`.

Written by `frontline triage train` (`_train.py`, scikit-learn's TfidfVectorizer + LinearSVC);
evaluated here by hand (one gather and one matrix-vector product in numpy, which the bot has
anyway through matplotlib), so the bot does not need scikit-learn.
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

import numpy as np

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
        weights = _array("h", spec["weights"])
        if len(self.idf) != len(vocab) or len(weights) != len(vocab) * columns:
            raise ValueError("triage model: vocabulary, idf and weights disagree in size")
        # Dequantised once: row j holds feature j's weights, each head's columns times its scale.
        scales = np.ones(columns, dtype=np.float32)
        for h in self.heads.values():
            scales[h.offset:h.offset + h.width] = h.scale
        self._w = (np.frombuffer(weights.tobytes(), dtype=np.int16).reshape(len(vocab), columns)
                   .astype(np.float32) * scales)
        self._idf = np.frombuffer(self.idf.tobytes(), dtype=np.float32)
        self.meta: Mapping[str, Any] = spec.get("meta", {})

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        return cls(json.loads(gzip.decompress(data).decode("utf-8")))

    def raw_scores(self, features: Iterable[str]) -> list[float]:
        """Weighted sums per column (head scales applied), divided by the l2 norm."""
        counts: dict[int, int] = {}
        vocab = self.vocabulary
        for f in features:
            i = vocab.get(f)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return [0.0] * self.columns
        idx = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        x = (1.0 + np.log(tf)) * self._idf[idx]
        acc = (x @ self._w[idx]) / math.sqrt(float(x @ x))
        return [float(v) for v in acc]

    def decision(self, raw: Sequence[float], head: str) -> list[float]:
        """scikit-learn's `decision_function` for one head (one value for two classes)."""
        h = self.heads[head]
        return [raw[h.offset + k] + h.intercept[k] for k in range(h.width)]

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
