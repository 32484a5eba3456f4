"""Triage accuracy on the labelled sets, and the data files' own guarantees.

These are accuracy thresholds, not timings: the benchmark (tests/benchmarks/triage_bench.py)
prints latency and start-up cost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.triage import triage
from dialogs.triage._load import _StrictLoader, get_model

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (ROOT.parent / "shared" / "triage-examples.jsonl",
                           Path("/work/shared/triage-examples.jsonl")) if p.exists()), None)
LABELLED = ROOT / "tests" / "data" / "triage-labelled.jsonl"
# Written apart from the training data and the rules, never trained or tuned on: measured once
# with the code before the learned model and once after (figures in the commit that added this).
BLIND = ROOT / "tests" / "data" / "triage-blind.jsonl"
# Emergencies in other words and their near misses, written for issue 14 in five batches; the
# concept lists of data/emergency.yaml were widened on batch 1, then measured on each later
# batch while it was still fresh and widened again: batch 2 recall 44/48 (flagged or asked
# 47/48), batch 3 31/31 (precision 31/32), batch 4 29/30 (30/30 asked, precision 29/29),
# batch 5 (code-switched, typos, run-ons) 24/25 (25/25 asked, precision 24/24).
# `expect`: flag, ask (a danger with no emergency path of its own: ask) or safe.
EMERGENCY_DEV = ROOT / "tests" / "data" / "triage-emergency-dev.jsonl"
# Safe messages with hazard words (a supply off during an outage, gas bills, fire drills, lift
# notices, smoke from a neighbour's offerings), with 19 emergencies and a fall as a check; the
# `routine` guard and the smoke sources were tuned on it: safe ones asked or flagged 15/77 -> 0.
SAFE_DEV = ROOT / "tests" / "data" / "triage-safe-dev.jsonl"


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def measure(data: list[dict[str, Any]]) -> dict[str, float]:
    got = [triage(r["text"]) for r in data]
    pairs = list(zip(data, got, strict=True))
    with_trade = [(r, g) for r, g in pairs if r["trade"]]
    flagged = [r for r, g in pairs if g.emergency]
    urgent = [g for r, g in pairs if r["emergency"]]
    asked = [g.emergency or g.emergency_uncertain for g in urgent]
    return {
        "intent": sum(g.intent == r["intent"] for r, g in pairs) / len(pairs),
        "trade": sum(g.trade == r["trade"] for r, g in with_trade) / len(with_trade),
        "location": sum(g.location == r["location"] for r, g in with_trade) / len(with_trade),
        "emergency recall": sum(g.emergency for g in urgent) / len(urgent),
        "emergency precision": sum(bool(r["emergency"]) for r in flagged) / max(len(flagged), 1),
        "emergency flagged or asked": sum(asked) / len(asked),
    }


TARGETS = {"intent": 0.95, "trade": 0.92, "location": 0.90, "emergency recall": 1.0,
           "emergency precision": 0.90, "emergency flagged or asked": 1.0}
# A regression guard, a little below what the blind batch gave after the English/Hong Kong
# corpus (en_hk_more.jsonl) and VETO -0.8: intent 98.1 %, trade 94.2 %, location 97.4 %,
# emergency recall 42/43 with the 43rd asked, precision 93.3 % (before: 96.1, 93.2, 97.9,
# 42/43, 82.4). Not targets to tune towards: new blind batches measure that.
BLIND_FLOOR = {"intent": 0.97, "trade": 0.93, "location": 0.96, "emergency recall": 0.95,
               "emergency precision": 0.91, "emergency flagged or asked": 1.0}
# Batch 3 (303 messages, 47 dangers of which 4 are falls, ask-only by design), measured before
# the outage fix: intent 95.7 %, trade 95.1 %, location 98.4 %, emergency recall 42/47 (45/47
# flagged or asked), precision 42/42, safe messages asked 6/256; after: the same, asked 4/256.
BLIND_3 = ROOT / "tests" / "data" / "triage-blind-3.jsonl"
BLIND_3_FLOOR = {"intent": 0.957, "trade": 0.951, "location": 0.983, "emergency recall": 0.893,
                 "emergency precision": 1.0, "emergency flagged or asked": 0.957}
FILES = [pytest.param(SHARED, id="shared-examples",
                      marks=pytest.mark.skipif(SHARED is None, reason="shared file not found")),
         pytest.param(LABELLED, id="labelled-set")]


@pytest.mark.parametrize("path", FILES)
def test_accuracy_meets_the_office_targets(path: Path) -> None:
    scores = measure(rows(path))
    below = {k: round(v, 3) for k, v in scores.items() if v < TARGETS[k]}
    assert not below, f"{path.name}: below target {below} (targets {TARGETS})"


@pytest.mark.parametrize(("path", "floor"), [pytest.param(BLIND, BLIND_FLOOR, id="batch-1"),
                                             pytest.param(BLIND_3, BLIND_3_FLOOR, id="batch-3")])
def test_the_blind_batch_does_not_regress(path: Path, floor: dict[str, float]) -> None:
    scores = measure(rows(path))
    below = {k: round(v, 3) for k, v in scores.items() if v < floor[k]}
    assert not below, f"{path.name}: below the floor {below} (floor {floor})"


def judged(data: list[dict[str, Any]]) -> tuple[dict[str, list[Any]], int]:
    """A dev set's failures by kind (`expect`: flag, ask or safe), and how many were flagged."""
    got = [(r, triage(r["text"])) for r in data]
    return {
        "missed": [r["text"] for r, g in got if r["expect"] == "flag" and not g.emergency],
        "wrong hazard": [(r["text"], g.hazard) for r, g in got
                         if r["expect"] == "flag" and g.emergency and g.hazard != r["hazard"]
                         and (r["hazard"], g.hazard) != ("fire", "sparks")],
        "unasked": [r["text"] for r, g in got
                    if r["expect"] == "ask" and not (g.emergency or g.emergency_uncertain)],
        "false alarms": [r["text"] for r, g in got if r["expect"] != "flag" and g.emergency],
        "asked though safe": [r["text"] for r, g in got
                              if r["expect"] == "safe" and g.emergency_uncertain],
    }, sum(g.emergency for _, g in got)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_every_emergency_in_other_words_is_flagged_in_every_language(lang: str) -> None:
    data = [r for r in rows(EMERGENCY_DEV) if r["lang"] == lang]
    failed, flagged = judged(data)
    assert not (failed["missed"] or failed["wrong hazard"] or failed["unasked"]), failed
    assert sum(r["expect"] == "flag" for r in data) >= 30
    assert 1 - len(failed["false alarms"]) / flagged >= 0.95, failed["false alarms"]


def test_safe_messages_with_hazard_words_are_neither_flagged_nor_asked_about() -> None:
    data = rows(SAFE_DEV)
    failed, _ = judged(data)
    assert not any(failed.values()), {k: v for k, v in failed.items() if v}
    assert sum(r["expect"] == "safe" for r in data) >= 60
    assert sum(r["expect"] == "flag" for r in data) >= 15


def test_labelled_set_covers_every_label_and_language() -> None:
    data = rows(LABELLED)
    assert len(data) >= 350
    for field, values, least in (
        ("intent", ("repair", "service", "complaint", "enquiry", "fee", "other"), 10),
        ("trade", ("plumbing", "electrical", "gas", "hvac", "lift", "civil", "security",
                   "greenery", "cleaning", "other"), 10),
        ("location", ("unit", "public"), 10),
        ("lang", ("zh-Hans", "zh-Hant", "en"), 50),
    ):
        for value in values:
            assert sum(r[field] == value for r in data) >= least, (field, value)
    assert sum(r["emergency"] for r in data) >= 25
    hazards = {triage(r["text"]).hazard for r in data if r["emergency"]}
    assert hazards == {"gas", "fire", "lift", "sparks", "flood"}


def test_fast_traditional_conversion_matches_opencc() -> None:
    import opencc

    converter, normalize = opencc.OpenCC("t2s"), get_model().normalize
    texts = [r["text"] for r in rows(LABELLED) if r["lang"] == "zh-Hant"]
    texts += ["乾坤大挪移好乾", "頭髮很乾", "一目瞭然", "著名的樓盤"]
    for text in texts:
        basic = normalize.basic(text)
        assert normalize.to_simplified(basic) == converter.convert(basic), text


def test_data_files_keep_no_and_off_as_words() -> None:
    assert yaml.load("words: [no, off, on, yes]", Loader=_StrictLoader) == {
        "words": ["no", "off", "on", "yes"]}


def test_data_files_refuse_a_repeated_weight() -> None:
    with pytest.raises(ValueError, match="repeated"):
        yaml.load("repair:\n  2: [a]\n  2: [b]\n", Loader=_StrictLoader)
