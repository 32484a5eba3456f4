"""Train the learned triage model (`frontline triage train`). Needs scikit-learn (dev only).

Input: the shipped corpus (`data/corpus/*.jsonl`) and the project's labelled set
(`tests/data/triage-labelled.jsonl`); never a blind batch. Output: `data/model.json.gz`,
byte-for-byte the same for the same input (fixed seeds, sorted rows, gzip without timestamp).

The model: TF-IDF over character 1–3-grams and English words of the normalised text plus the
keyword layer's signals (`_features`), one LinearSVC (C=3) per head: intent, trade, location
and emergency. Chosen by 5-fold cross-validation on the training data (`cross_validate`,
printed by `frontline triage train --cv`) against logistic regression, complement naive Bayes,
other C values, 1–2 and 1–4 grams and jieba words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._features import features
from ._load import Model, corpus_dir, get_keyword_model
from ._model import encode

HEADS = ("intent", "trade", "location", "emergency")
C = 3.0  # LinearSVC regularisation, picked by 5-fold cross-validation (see cross_validate)
SEED = 0
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    labels: Mapping[str, str | None]
    lang: str
    variant: str | None
    source: str


def read_rows(paths: Iterable[Path]) -> list[Example]:
    """Rows of the JSONL files, in path order; a text seen before (exactly) is skipped."""
    seen: set[str] = set()
    out: list[Example] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                text = r["text"].strip()
            except (ValueError, KeyError, AttributeError) as error:
                raise ValueError(f"{path}:{number}: {error!r}") from error
            if not text or text in seen:
                continue
            seen.add(text)
            labels = {"intent": r["intent"], "trade": r.get("trade"),
                      "location": r.get("location"),
                      "emergency": "yes" if r.get("emergency") else "no"}
            out.append(Example(text, labels, r.get("lang", "?"), r.get("variant"), path.name))
    return out


def default_paths(root: Path | None = None) -> list[Path]:
    root = root or Path(__file__).resolve().parents[2]
    labelled = root / "tests" / "data" / "triage-labelled.jsonl"
    return sorted(corpus_dir().glob("*.jsonl")) + ([labelled] if labelled.exists() else [])


def featurize(model: Model, texts: Sequence[str]) -> list[list[str]]:
    from ._decide import keyword_scores

    out = []
    for text in texts:
        norm, scores = keyword_scores(model, text)
        out.append(features(norm, scores))
    return out


def _identity(x: list[str]) -> list[str]:
    return x


def _fit(feats: Sequence[list[str]], rows: Sequence[Example], c: float = C) -> tuple[Any, dict[
        str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, lowercase=False)
    x_all = vec.fit_transform(feats)
    heads: dict[str, Any] = {}
    for head in HEADS:
        idx = [i for i, r in enumerate(rows) if r.labels[head]]
        clf = LinearSVC(C=c, random_state=SEED, max_iter=20000)
        clf.fit(x_all[idx], [rows[i].labels[head] for i in idx])
        heads[head] = clf
    return vec, heads


def cross_validate(model: Model, rows: Sequence[Example], c: float = C,
                   feats: Sequence[list[str]] | None = None,
                   ) -> dict[str, dict[str, tuple[int, int]]]:
    """Stratified k-fold predictions; (hits, total) per head, overall and per language."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    feats = feats if feats is not None else featurize(model, [r.text for r in rows])
    strata = [f"{r.labels['intent']}/{r.labels['emergency']}/{r.lang}" for r in rows]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(strata, strata)
    pred: dict[str, dict[int, str]] = {h: {} for h in HEADS}
    for train, test in folds:
        vec, heads = _fit([feats[i] for i in train], [rows[i] for i in train], c)
        x = vec.transform([feats[i] for i in test])
        for head, clf in heads.items():
            for i, label in zip(test, clf.predict(x), strict=True):
                if rows[i].labels[head]:
                    pred[head][int(i)] = str(label)
    groups: dict[str, tuple[str, str] | None] = {"all": None}
    for lang_variant in sorted({(r.lang, r.variant or "") for r in rows}):
        groups["/".join(k for k in lang_variant if k)] = lang_variant
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for name, key in groups.items():
        out[name] = {}
        for head in HEADS:
            got = [(rows[i].labels[head], p) for i, p in pred[head].items()
                   if key is None or (rows[i].lang, rows[i].variant or "") == key]
            out[name][head] = (sum(a == b for a, b in got), len(got))
    return out


def encode_fitted(vec: Any, heads: Mapping[str, Any], meta: Mapping[str, Any]) -> bytes:
    """The model file's bytes for a fitted vectoriser and heads."""
    import numpy as np

    vocabulary = [str(f) for f in vec.get_feature_names_out()]
    spec_heads = [{"name": head, "classes": [str(k) for k in heads[head].classes_],
                   "intercept": [float(b) for b in heads[head].intercept_]} for head in HEADS]
    weights = np.hstack([np.asarray(heads[h].coef_).T for h in HEADS]).tolist()
    return encode(vocabulary, [float(v) for v in vec.idf_], spec_heads, weights, meta)


def train(paths: Sequence[Path] | None = None, c: float = C) -> tuple[bytes, dict[str, Any]]:
    """Fit on every row of `paths`; return the model file's bytes and a summary."""
    model = get_keyword_model()
    chosen = list(paths) if paths is not None else default_paths()
    rows = read_rows(chosen)
    feats = featurize(model, [r.text for r in rows])
    vec, heads = _fit(feats, rows, c)
    meta = {"trained_on": [p.name for p in chosen], "rows": len(rows), "C": c,
            "features": "char 1-3 grams, English words and pairs, keyword signals; tf-idf"}
    data = encode_fitted(vec, heads, meta)
    return data, {"rows": len(rows), "vocabulary": len(vec.vocabulary_), "bytes": len(data),
                  "files": [str(p) for p in chosen]}
