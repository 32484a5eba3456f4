"""The learned part of triage: a linear model over `_features`, read from `data/model.json.gz`.

Written by `frontline triage train` (`_train.py`, scikit-learn's TfidfVectorizer + LinearSVC);
evaluated here in plain Python, so the bot needs neither scikit-learn nor numpy.
The file holds one shared vocabulary with its idf weights and, per head (intent, trade,
location, emergency), the classes, the intercepts and the weights, quantised to int16 with one
scale per head. Scores equal scikit-learn's `decision_function` up to that quantisation
(tests/unit/test_triage_model.py checks it against the library).

Memory: the model file read as JSON is ~57,000 feature strings in a dict and ready-made rows,
~68,000 objects (12 MB on the heap, ~20 MB of RSS, 0.1 s). Instead the first start compiles it
into two cache files beside jieba's (`dialogs.words`): the features in a marisa trie (feature →
id, ~150 KB) and, by id, the idf weights and the int16 weight rows (~2.5 MB). Both are mapped
with mmap, so the processes of the machine share the pages; later starts read no JSON at all.
The rows stay int16 in the file rather than ready to add (three times the size): the pages of
a mapped file that a process touched count in its RSS, and with large folios a kernel maps them
2 MB at a time, so over a day every page of the file counts.

Speed without numpy: the rows of a message's features are widened to one 48-bit lane per column
(weight + 32768, so lanes never go negative) and each read as one Python int; the score is then
one big-int multiply-add per feature with its tf-idf value in fixed point (1/4096). Lanes cannot
carry into each other: a message has at most ~1,300 distinct features (300 characters), each
term is below 2^34, so a lane stays below 2^45. (tests/unit/test_triage_model_compact.py checks
the scores against the same sums written plainly, column by column.)
"""

from __future__ import annotations

import array
import base64
import gzip
import hashlib
import json
import logging
import math
import mmap
import struct
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import marisa_trie

from dialogs.words import cache_name, cached, mapped, replace_file

log = logging.getLogger(__name__)
FORMAT = "frontline-triage-linear/1"
CACHE_KIND = "triage-model"
# The code that compiles the cache files (this module): a hash of its bytes is part of their
# names, so changed code never reads what the code before it wrote, with no number to bump.
COMPILER = Path(__file__)
_LANE = 6  # bytes per column in a packed row
_BIAS = 32768  # int16 weight + bias = an unsigned 16-bit lane value
_FIXED = 4096  # tf-idf values in fixed point
_FLIP_SIGN = bytes(b ^ 0x80 for b in range(256))  # int16 high byte -> biased uint16 high byte
# The rows file: the header's length (unsigned 64-bit), the header (JSON: heads, meta), padding
# to 8 bytes, then by feature id the idf (float32), the idf in fixed point (int32) and the rows.
_LENGTH = struct.Struct("<Q")


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


@dataclass(frozen=True, slots=True)
class _Parts:
    """A model as the cache files hold it: everything indexed by the feature's trie id."""

    features: marisa_trie.Trie
    header: bytes  # JSON: heads and meta
    idf: bytes  # float32, native order
    fixed_idf: bytes  # int32, native order
    weights: bytes  # int16, little-endian, one row of all columns per feature

    def rows_file(self) -> bytes:
        head = _LENGTH.pack(len(self.header)) + self.header
        return head + bytes(-len(head) % 8) + self.idf + self.fixed_idf + self.weights


def _compile(spec: Mapping[str, Any]) -> _Parts:
    """The parts of a model file's JSON, rows reordered from the vocabulary's to the trie's."""
    if spec.get("format") != FORMAT:
        raise ValueError(f"triage model: unknown format {spec.get('format')!r}")
    vocab: list[str] = spec["vocabulary"]
    columns = sum(1 if len(h["classes"]) == 2 else len(h["classes"]) for h in spec["heads"])
    idf = _array("f", spec["idf"])
    weights = base64.b64decode(spec["weights"])  # int16, little-endian
    features = marisa_trie.Trie(vocab)
    if len(features) != len(vocab) or len(idf) != len(vocab) or \
            len(weights) != 2 * len(vocab) * columns:
        raise ValueError("triage model: vocabulary, idf and weights disagree in size")
    row = 2 * columns
    by_id = [0] * len(vocab)  # vocabulary index of each trie id
    for index, feature in enumerate(vocab):
        by_id[features[feature]] = index
    header = {"heads": spec["heads"], "meta": spec.get("meta", {})}
    return _Parts(
        features=features,
        header=json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        idf=array.array("f", [idf[i] for i in by_id]).tobytes(),
        # tf-idf in fixed point for a feature seen once (most are), as raw_scores rounds it
        fixed_idf=array.array("i", [round(idf[i] * _FIXED) for i in by_id]).tobytes(),
        weights=b"".join([weights[i * row:i * row + row] for i in by_id]),
    )


def _spec(data: bytes) -> Any:
    return json.loads(gzip.decompress(data).decode("utf-8"))


def _cache_name(model_file: Path) -> str:
    code = hashlib.blake2b(COMPILER.read_bytes(), digest_size=8).hexdigest()  # ~14 KB: µs
    return cache_name(CACHE_KIND, code, model_file.stat())


class LinearModel:
    """TF-IDF (sublinear tf, l2 norm) features times per-head weights, plus intercepts."""

    def __init__(self, features: marisa_trie.Trie, rows_file: bytes | mmap.mmap) -> None:
        """A model from its trie and its rows file (`_Parts.rows_file`, or the cache mapped)."""
        view = memoryview(rows_file)
        (length,) = _LENGTH.unpack_from(view)
        header = json.loads(bytes(view[_LENGTH.size:_LENGTH.size + length]).decode("utf-8"))
        self.features = features
        self.heads: dict[str, Head] = {}
        columns = 0
        for h in header["heads"]:
            classes = tuple(h["classes"])
            width = 1 if len(classes) == 2 else len(classes)
            self.heads[h["name"]] = Head(h["name"], classes, columns, width,
                                         tuple(float(b) for b in h["intercept"]),
                                         float(h["scale"]))
            columns += width
        self.columns = columns
        self.meta: Mapping[str, Any] = header["meta"]
        self._scales = [1.0] * columns
        for head in self.heads.values():
            self._scales[head.offset:head.offset + head.width] = [head.scale] * head.width
        self._row16 = 2 * columns  # bytes of one feature's int16 row
        self._row_bytes = columns * _LANE  # bytes of one row widened to lanes
        n = len(features)
        at = _LENGTH.size + length
        at += -at % 8
        self.idf = view[at:at + 4 * n].cast("f")
        self._fixed_idf = view[at + 4 * n:at + 8 * n].cast("i")
        self._weights_at = at + 8 * n
        self._rows = rows_file
        if len(rows_file) != self._weights_at + n * self._row16:
            raise ValueError("triage model: the rows file does not match its features")

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        """The model of a model file's bytes, in memory."""
        return cls.from_spec(_spec(data))

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> LinearModel:
        parts = _compile(spec)
        return cls(parts.features, parts.rows_file())

    @classmethod
    def load(cls, model_file: Path) -> LinearModel:
        """The model of *model_file*, from the cache files (compiled and cached on the first
        start), or in memory when no cache directory is writable."""
        name = _cache_name(model_file)
        parts = cache(lambda: _compile(_spec(model_file.read_bytes())))

        def read(directory: Path) -> LinearModel | None:
            trie_path, rows_path = directory / f"{name}.trie", directory / f"{name}.rows"
            if not (trie_path.is_file() and rows_path.is_file()):
                return None
            try:
                return cls(marisa_trie.Trie().mmap(str(trie_path)), mapped(rows_path))
            except (OSError, ValueError, RuntimeError, TypeError, struct.error) as exc:
                log.warning("triage: cannot read the cached model %s (%s); building it again",
                            rows_path, exc)
                return None

        def write(directory: Path) -> None:
            replace_file(directory / f"{name}.trie", parts().features.save)
            replace_file(directory / f"{name}.rows",
                         lambda path: Path(path).write_bytes(parts().rows_file()))

        found = cached("the triage model", read, write, kind=CACHE_KIND, name=name)
        if found is not None:
            return found
        log.warning("triage: no writable cache directory; the model is kept in memory")
        return cls(parts().features, parts().rows_file())

    def raw_scores(self, features: Iterable[str]) -> list[float]:
        """Weighted sums per column (head scales applied), divided by the l2 norm."""
        found: Counter[int | None] = Counter(map(self.features.get, features))
        found.pop(None, None)  # features the model does not know
        counts = cast("Counter[int]", found)
        if not counts:
            return [0.0] * self.columns
        idf, fixed = self.idf, self._fixed_idf
        rows, start, w = self._rows, self._weights_at, self._row16
        lanes = bytearray(len(counts) * self._row_bytes)  # the message's rows, widened
        weights = b"".join([rows[start + i * w:start + i * w + w] for i in counts])
        lanes[0::_LANE] = weights[0::2]
        lanes[1::_LANE] = weights[1::2].translate(_FLIP_SIGN)
        packed, size, read = memoryview(lanes), self._row_bytes, int.from_bytes
        total = 0
        fixed_sum = 0
        norm = 0.0
        for at, (i, n) in zip(range(0, len(packed), size), counts.items(), strict=True):
            if n == 1:
                x = idf[i]
                q = fixed[i]
            else:
                x = (1.0 + math.log(n)) * idf[i]
                q = round(x * _FIXED)
            total += q * read(packed[at:at + size], "little")
            fixed_sum += q
            norm += x * x
        blob = total.to_bytes(size, "little")
        offset = _BIAS * fixed_sum
        inv = 1.0 / (_FIXED * math.sqrt(norm))
        return [(int.from_bytes(blob[k:k + _LANE], "little") - offset) * inv * scale
                for k, scale in zip(range(0, size, _LANE), self._scales, strict=True)]

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
