"""The learned part of triage: a linear model over `_features`, read from `data/model.json.gz`.

Written by `frontline triage train` (`_train.py`, scikit-learn's TfidfVectorizer + LinearSVC);
evaluated here in plain Python, so the bot needs neither scikit-learn nor numpy.
The file holds one shared vocabulary with its idf weights and, per head (intent, trade,
location, emergency), the classes, the intercepts and the weights, quantised to int16 with one
scale per head. Scores equal scikit-learn's `decision_function` up to that quantisation
(tests/unit/test_triage_model.py checks it against the library).

Memory and speed without numpy: the weights stay as the file stores them, one flat run of
int16 (2 bytes per feature and column, ~2 MB). A row used in scoring is widened to one 48-bit
lane per column (weight + 32768, so lanes never go negative) and read as one Python int; the
score is then one big-int multiply-add per feature with its tf-idf value in fixed point
(1/4096). The rows of the most common features (`HOT_DF`) are widened once at load, the rest
per message. Lanes cannot carry into each other: a message has at most ~1,300 distinct
features (300 characters), each term is below 2^34, so a lane stays below 2^45. (Keeping every
row as a ready-made int cost ~8 MB more resident memory for the same scores.)
"""

from __future__ import annotations

import array
import base64
import gzip
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

FORMAT = "frontline-triage-linear/1"
_LANE = 6  # bytes per column in a packed row
_BIAS = 32768  # int16 weight + bias = an unsigned 16-bit lane value
_FIXED = 4096  # tf-idf values in fixed point
_FLIP_SIGN = bytes(b ^ 0x80 for b in range(256))  # int16 high byte -> biased uint16 high byte
# Rows kept ready as ints: features seen in at least this many training messages. ~11,600 of
# 57,000 features, but ~92 % of the known features of a message the model never saw (38,000
# features were seen in one training message each).
HOT_DF = 3


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


def _swapped(weights: array.array[Any]) -> bytes:
    copy = array.array(weights.typecode, weights)
    copy.byteswap()
    return copy.tobytes()


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
        self._scales = [1.0] * columns
        for h in self.heads.values():
            self._scales[h.offset:h.offset + h.width] = [h.scale] * h.width
        self._weights = weights.tobytes() if sys.byteorder == "little" else _swapped(weights)
        self._row16 = 2 * columns  # bytes of one feature's int16 row
        self._row_bytes = columns * _LANE  # bytes of one row widened to lanes
        # tf-idf in fixed point for a feature seen once (most are), as raw_scores rounds it
        self._fixed_idf = array.array("i", [round(x * _FIXED) for x in self.idf])
        # smooth idf = ln((1 + rows) / (1 + df)) + 1, highest for df = 1
        limit = max(self.idf, default=0.0) - math.log((1 + HOT_DF) / 2) + 1e-4
        common = [i for i, x in enumerate(self.idf) if x <= limit]
        self._hot: list[int | None] = [None] * len(vocab)
        for i, row in zip(common, self._rows(common), strict=True):
            self._hot[i] = row
        self.meta: Mapping[str, Any] = spec.get("meta", {})

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        return cls(json.loads(gzip.decompress(data).decode("utf-8")))

    def _rows(self, indices: Iterable[int]) -> list[int]:
        """The weight rows of these features, each widened to lanes and read as one int."""
        weights, w = self._weights, self._row16
        rows = b"".join([weights[i * w:i * w + w] for i in indices])
        lanes = bytearray(len(rows) * (_LANE // 2))
        lanes[0::_LANE] = rows[0::2]
        lanes[1::_LANE] = rows[1::2].translate(_FLIP_SIGN)
        packed, size, read = memoryview(lanes), self._row_bytes, int.from_bytes
        return [read(packed[at:at + size], "little") for at in range(0, len(lanes), size)]

    def raw_scores(self, features: Iterable[str]) -> list[float]:
        """Weighted sums per column (head scales applied), divided by the l2 norm."""
        found: Counter[int | None] = Counter(map(self.vocabulary.get, features))  # loops in C
        found.pop(None, None)  # features the model does not know
        counts = cast("Counter[int]", found)
        if not counts:
            return [0.0] * self.columns
        hot = self._hot
        rare = iter(self._rows([i for i in counts if hot[i] is None]))
        idf, fixed = self.idf, self._fixed_idf
        total = 0
        fixed_sum = 0
        norm = 0.0
        for i, n in counts.items():
            if n == 1:
                x = idf[i]
                q = fixed[i]
            else:
                x = (1.0 + math.log(n)) * idf[i]
                q = round(x * _FIXED)
            row = hot[i]
            total += q * (next(rare) if row is None else row)
            fixed_sum += q
            norm += x * x
        blob = total.to_bytes(self._row_bytes, "little")
        offset = _BIAS * fixed_sum
        inv = 1.0 / (_FIXED * math.sqrt(norm))
        return [(int.from_bytes(blob[k:k + _LANE], "little") - offset) * inv * scale
                for k, scale in zip(range(0, self._row_bytes, _LANE), self._scales, strict=True)]

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
