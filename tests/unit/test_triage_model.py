"""The learned triage model: hand-written inference equals scikit-learn's, training reproduces
the shipped file byte for byte, and the file is what the data says.

scikit-learn is a dev dependency, so these always run in CI; without it (a production install)
they are skipped with a message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.triage._load import MODEL_FILE, data_dir, get_keyword_model, get_model
from dialogs.triage._model import LinearModel

sklearn = pytest.importorskip("sklearn", reason="scikit-learn (dev dependency) not installed")

from dialogs.triage import _train  # noqa: E402  (needs scikit-learn)

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "triage-labelled.jsonl"


@pytest.fixture(scope="module")
def small() -> tuple[list[_train.Example], list[list[str]]]:
    rows = _train.read_rows([LABELLED])
    return rows, _train.featurize(get_keyword_model(), [r.text for r in rows])


def test_hand_written_inference_matches_scikit_learn(
        small: tuple[list[_train.Example], list[list[str]]]) -> None:
    rows, feats = small
    train_idx = [i for i in range(len(rows)) if i % 4]
    test_idx = [i for i in range(len(rows)) if not i % 4]
    vec, heads = _train._fit([feats[i] for i in train_idx], [rows[i] for i in train_idx])
    data = _train.encode_fitted(vec, heads, meta={})
    model = LinearModel.from_bytes(data)
    x = vec.transform([feats[i] for i in test_idx])
    for head, clf in heads.items():
        want = clf.decision_function(x)
        peak = float(abs(clf.coef_).max())
        for row, i in enumerate(test_idx):
            got = model.decision(model.raw_scores(feats[i]), head)
            expected = [float(v) for v in (want[row] if want.ndim > 1 else [want[row]])]
            # int16 weights: each weight is off by at most peak/65534, times an l2-normed x
            assert got == pytest.approx(expected, abs=peak * 1e-3), (head, rows[i].text)
        labels = clf.predict(x)
        ours = [model.predict(model.raw_scores(feats[i]), head).label for i in test_idx]
        agree = sum(a == b for a, b in zip(ours, labels, strict=True)) / len(ours)
        assert agree >= 0.99, head


def test_training_is_reproducible() -> None:
    first, _ = _train.train([LABELLED])
    second, _ = _train.train([LABELLED])
    assert first == second


def test_the_shipped_model_is_what_frontline_triage_train_builds() -> None:
    data, summary = _train.train()
    shipped = (data_dir() / MODEL_FILE).read_bytes()
    assert shipped == data, ("dialogs/triage/data/model.json.gz is out of date: run "
                             f"`frontline triage train` ({summary['rows']} rows)")


def test_the_blind_batch_is_never_training_data() -> None:
    names = [p.name for p in _train.default_paths()]
    assert "triage-labelled.jsonl" in names and names
    assert not any("blind" in n for n in names)
    meta = get_model().learned
    assert meta is not None and not any("blind" in n for n in meta.meta["trained_on"])


def test_the_model_covers_every_label() -> None:
    model = get_model().learned
    assert model is not None
    assert set(model.heads["intent"].classes) == {"repair", "service", "complaint", "enquiry",
                                                  "fee", "other"}
    assert len(model.heads["trade"].classes) == 10
    assert set(model.heads["location"].classes) == {"public", "unit"}
    assert set(model.heads["emergency"].classes) == {"no", "yes"}


def test_a_message_with_no_known_feature_scores_the_intercepts() -> None:
    model = get_model().learned
    assert model is not None
    raw = model.raw_scores([])
    assert model.decision(raw, "location") == [model.heads["location"].intercept[0]]


def test_a_broken_model_file_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        LinearModel.from_spec({"format": "something else"})
