"""The learned triage model in its compact form (a marisa trie of features and mapped rows,
cached beside jieba's dictionary) scores exactly as the model file's JSON does, summed plainly.

The reference below reads `data/model.json.gz` into dicts and lists and adds up each column
of each message on its own, in the same fixed point (1/4096) as `LinearModel.raw_scores`. Every
message of the labelled set and of both blind batches must get the very same floats and labels
(the blind batches are only inputs here: nothing is tuned on them). Then the cache files: built
once, read again, rebuilt when damaged, and the model kept in memory when no directory takes
them.
"""

from __future__ import annotations

import array
import base64
import gzip
import json
import math
import mmap
import sys
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from dialogs import words
from dialogs.triage import _model
from dialogs.triage._decide import keyword_scores
from dialogs.triage._features import features
from dialogs.triage._load import MODEL_FILE, data_dir, get_model
from dialogs.triage._model import LinearModel

DATA = Path(__file__).resolve().parents[1] / "data"
MESSAGES = ("triage-labelled.jsonl", "triage-blind.jsonl", "triage-blind-2.jsonl")


class PlainModel:
    """The model file as plain Python: feature → index, idf and int16 weights in lists."""

    def __init__(self, data: bytes) -> None:
        spec = json.loads(gzip.decompress(data).decode("utf-8"))
        self.index = {feature: i for i, feature in enumerate(spec["vocabulary"])}
        self.idf = self._numbers("f", spec["idf"])
        self.weights = self._numbers("h", spec["weights"])
        self.scales: list[float] = []
        self.heads: dict[str, tuple[list[str], list[int], list[float]]] = {}
        for head in spec["heads"]:
            width = 1 if len(head["classes"]) == 2 else len(head["classes"])
            first = len(self.scales)
            self.heads[head["name"]] = (head["classes"], list(range(first, first + width)),
                                        [float(b) for b in head["intercept"]])
            self.scales += [float(head["scale"])] * width

    @staticmethod
    def _numbers(code: str, data: str) -> list[Any]:
        out = array.array(code, base64.b64decode(data))
        if sys.byteorder != "little":
            out.byteswap()
        return out.tolist()

    def raw_scores(self, feats: Sequence[str]) -> list[float]:
        counts = Counter(self.index[f] for f in feats if f in self.index)
        width = len(self.scales)
        if not counts:
            return [0.0] * width
        sums = [0] * width
        norm = 0.0
        for i, n in counts.items():
            x = self.idf[i] if n == 1 else (1.0 + math.log(n)) * self.idf[i]
            q = round(x * 4096)
            for column in range(width):
                sums[column] += q * self.weights[i * width + column]
            norm += x * x
        inv = 1.0 / (4096 * math.sqrt(norm))
        return [total * inv * scale for total, scale in zip(sums, self.scales, strict=True)]

    def decide(self, raw: Sequence[float], head: str) -> tuple[list[float], str]:
        """The head's decision values and label: the best class, or the sign of two."""
        classes, columns, intercept = self.heads[head]
        values = [raw[c] + b for c, b in zip(columns, intercept, strict=True)]
        if len(values) == 1:
            return values, classes[1] if values[0] > 0 else classes[0]
        return values, classes[max(range(len(values)), key=lambda k: (values[k], -k))]


@pytest.fixture(scope="module")
def messages() -> list[list[str]]:
    model = get_model()
    out = []
    for name in MESSAGES:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(features(*keyword_scores(model, json.loads(line)["text"])))
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "frontline"


def test_the_compact_model_scores_every_message_as_the_plain_sums(
        messages: list[list[str]], cache: Path) -> None:
    model_file = data_dir() / MODEL_FILE
    plain = PlainModel(model_file.read_bytes())
    built = LinearModel.load(model_file)  # compiled and written
    mapped = LinearModel.load(model_file)  # read from the cache files
    assert isinstance(mapped._rows, mmap.mmap)
    in_memory = LinearModel.from_bytes(model_file.read_bytes())
    assert len(messages) > 1000
    labels: Counter[str] = Counter()
    for feats in messages:
        want = plain.raw_scores(feats)
        for model in (built, mapped, in_memory):
            got = model.raw_scores(feats)
            assert got == want, feats
            for head in plain.heads:
                values, label = plain.decide(want, head)
                assert model.decision(got, head) == values
                assert model.predict(got, head).label == label
                labels[label] += 1
    assert set(labels) >= set(built.heads["intent"].classes)  # every class was told apart


def test_the_cache_is_built_once_then_read_and_rebuilt_when_damaged(
        messages: list[list[str]], cache: Path) -> None:
    model_file = data_dir() / MODEL_FILE
    first = LinearModel.load(model_file)
    files = sorted(cache.glob("triage-model-*"))
    assert [f.suffix for f in files] == [".rows", ".trie"]
    assert [f.stat().st_mode & 0o777 for f in files] == [0o644, 0o644]
    stamps = [f.stat().st_mtime_ns for f in files]
    again = LinearModel.load(model_file)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not rebuilt
    rows = files[0]
    rows.write_bytes(rows.read_bytes()[:-2])  # a short file: not trusted
    rebuilt = LinearModel.load(model_file)
    assert rows.stat().st_size == len(first._rows)
    for feats in messages[::25]:
        assert first.raw_scores(feats) == again.raw_scores(feats) == rebuilt.raw_scores(feats)


def test_changed_compile_code_builds_new_cache_files_in_place_of_the_old(
        messages: list[list[str]], cache: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The compile code's own bytes are part of the files' names: code changed without a
    format bump reads nothing the code before it wrote, and its files replace the old ones."""
    model_file = data_dir() / MODEL_FILE
    first = LinearModel.load(model_file)
    old = sorted(cache.glob("triage-model-*"))
    edited = tmp_path / "_model.py"
    edited.write_bytes(_model.COMPILER.read_bytes() + b"\n# the rows laid out otherwise\n")
    monkeypatch.setattr(_model, "COMPILER", edited)
    again = LinearModel.load(model_file)
    new = sorted(cache.glob("triage-model-*"))
    assert [f.suffix for f in new] == [".rows", ".trie"] and not set(new) & set(old)
    assert [again.raw_scores(f) for f in messages[::50]] \
        == [first.raw_scores(f) for f in messages[::50]]


def test_no_writable_cache_directory_keeps_the_model_in_memory(
        messages: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setattr(words, "cache_dirs", lambda: [blocked / "frontline"])
    model = LinearModel.load(data_dir() / MODEL_FILE)
    assert isinstance(model._rows, bytes)
    learned = get_model().learned
    assert learned is not None
    assert [model.raw_scores(f) for f in messages[::25]] \
        == [learned.raw_scores(f) for f in messages[::25]]


def test_the_cached_model_holds_almost_nothing_on_the_python_heap(cache: Path) -> None:
    """The JSON model held ~12 MB in ~68,000 objects (a dict of 57,000 features, ready rows)."""
    model_file = data_dir() / MODEL_FILE
    LinearModel.load(model_file)
    tracemalloc.start()
    try:
        model = LinearModel.load(model_file)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(model.features) > 50_000
    assert held < 256 * 1024
