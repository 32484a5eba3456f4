"""Load the triage data files once per process and compile them into one immutable `Model`.

The only I/O in triage happens here, and only on the first call (module-level cache): the
files under `data/`, OpenCC's own t2s dictionaries, jieba's (through `dialogs.words`, which
also reads the office's user dictionary, `data/userdict.txt`), and the learned model's cache
files beside jieba's (`_model.LinearModel.load`; the first start compiles them from
`data/model.json.gz`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dialogs.words import tokenizer

from ._emergency import Concepts, build_concepts
from ._model import LinearModel
from ._text import CLAUSE_PUNCT, Normalizer, trie_pattern

log = logging.getLogger(__name__)
MODEL_FILE = "model.json.gz"

Features = tuple[tuple[str, float], ...]
GapIndex = Mapping[str, tuple[tuple[str, re.Pattern[str]], ...]]

# Labels the public API promises; the data files are checked against these at load time so a
# typo in keywords.yaml fails loudly at start-up instead of mis-triaging quietly.
INTENTS = ("repair", "service", "complaint", "enquiry", "fee", "other")
TRADES = ("plumbing", "electrical", "gas", "hvac", "lift", "civil", "security", "greenery",
          "cleaning", "other")
LOCATIONS = ("unit", "public")
HAZARDS = ("gas", "fire", "lift", "sparks", "flood")
SEVERITIES = ("major", "important")
SERVICE_KEYS = ("fluorescent_lamp", "switch", "tap_valve", "gas_water_heater", "gas_stove",
                "toilet_cistern", "air_conditioner", "water_pipe_install", "household_cleaning")
GAP_CHARS = 12  # most characters a `~` may skip inside one clause (Chinese)
GAP_CHARS_EN = 40  # English needs more characters for the same few words
_NOT_PUNCT = "[^" + re.escape(CLAUSE_PUNCT) + "]"


@dataclass(frozen=True, slots=True)
class HazardRule:
    key: str
    report_as: str
    trade: str
    trade_from: tuple[str, ...]
    report_as_if_trade: Mapping[str, str]
    requires: tuple[str, ...]
    benign: re.Pattern[str] | None  # a harmless source in the same clause cancels the hazard


@dataclass(frozen=True, slots=True)
class ServiceRule:
    key: str
    trade: str
    intent: str | None


@dataclass(frozen=True, slots=True)
class Model:
    normalize: Normalizer
    passes: tuple[tuple[re.Pattern[str], Mapping[str, Features]], ...]
    gap_first_re: re.Pattern[str] | None  # first parts of all `A~B` phrases
    gap_index: GapIndex  # first part -> (name, full pattern) to try there
    gap: Mapping[str, Features]  # name -> features
    token: Mapping[str, Features]
    token_char_re: re.Pattern[str] | None  # characters that start or end a token keyword
    cut: Any  # jieba.cut; typed loosely because jieba ships no type hints
    hazards: tuple[HazardRule, ...]
    neg_before_re: re.Pattern[str]
    neg_inside_re: re.Pattern[str]
    neg_after_re: re.Pattern[str]
    past_re: re.Pattern[str]
    secondary_re: re.Pattern[str]
    question_start: tuple[re.Pattern[str], float] | None
    location_prior: Mapping[str, Mapping[str, float]]
    services: tuple[ServiceRule, ...]
    concepts: Concepts
    learned: LinearModel | None  # None before the first `frontline triage train`
    overrides: tuple[tuple[re.Pattern[str], Mapping[str, str]], ...]


def _data(name: str) -> str:
    return (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")


def data_dir() -> Path:
    return Path(str(resources.files(__package__) / "data"))


def corpus_dir() -> Path:
    return data_dir() / "corpus"


def _learned() -> LinearModel | None:
    path = data_dir() / MODEL_FILE
    if not path.exists():
        log.warning("triage: no %s yet, keywords only (run `frontline triage train`)",
                    MODEL_FILE)
        return None
    return LinearModel.load(path)


def _overrides(norm: Normalizer, spec: Any,
               ) -> tuple[tuple[re.Pattern[str], Mapping[str, str]], ...]:
    """`overrides: {phrase: {intent: .., trade: .., location: ..}}`: the office's last word."""
    out = []
    allowed = {"intent": INTENTS, "trade": TRADES, "location": LOCATIONS}
    for phrase, fields in (spec or {}).items():
        if not isinstance(fields, dict) or not fields:
            raise ValueError(f"triage data: override {phrase!r} needs intent/trade/location")
        labels = {str(k): _check(str(v), allowed.get(str(k), ()), f"override {k}")
                  for k, v in fields.items()}
        out.append((re.compile(_alternation(norm, [phrase])), labels))
    return tuple(out)


# libyaml's parser when PyYAML has it (about 10x faster to load the data files).
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """YAML for word lists: `no`, `off`, `on` stay words, and a repeated key is an error.

    Plain YAML 1.1 turns the English negator `no` into False and silently keeps only the last of
    two `2:` lists in one table; both would quietly change triage.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(f"triage data: key {key!r} repeated on line "
                                 f"{key_node.start_mark.line + 1}")
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(name: str) -> Any:
    return yaml.load(_data(name), Loader=_StrictLoader)  # a SafeLoader subclass: no objects


class _Builder:
    """Collects (phrase, feature, weight) triples and splits them by phrase syntax.

    Plain phrases are kept per label group (the text before the dot of the feature name), so
    that a long phrase in one group never hides a word another group needs: 清理一下 is a repair
    request in `intents` and still leaves 清理 to say "cleaning" in `trades`.
    """

    def __init__(self, norm: Normalizer) -> None:
        self.norm = norm
        self.literal: dict[str, dict[str, list[tuple[str, float]]]] = {}
        self.shields: set[str] = set()
        self.gap: dict[str, list[tuple[str, float]]] = {}
        self.token: dict[str, list[tuple[str, float]]] = {}

    def add(self, phrases: Iterable[object], feature: str, weight: float) -> None:
        for raw in phrases:
            phrase = str(raw).strip()
            if not phrase:
                continue
            if phrase.startswith("=") and len(phrase) > 1:
                self.token.setdefault(self.norm.keyword(phrase[1:]), []).append((feature, weight))
            elif "~" in phrase:
                parts = tuple(self.norm.keyword(p.strip()) for p in phrase.split("~"))
                self.gap.setdefault("~".join(parts), []).append((feature, weight))
            elif key := self.norm.keyword(phrase):
                if feature == "x":
                    self.shields.add(key)
                else:
                    group = self.literal.setdefault(feature.split(".")[0], {})
                    group.setdefault(key, []).append((feature, weight))

    def add_weighted(self, table: Mapping[object, object], feature: str) -> None:
        """Add a `{weight: [phrases]}` table; non-numeric keys are settings and skipped."""
        for weight, phrases in table.items():
            if isinstance(weight, int | float) and isinstance(phrases, list):
                self.add(phrases, feature, float(weight))

    def passes(self) -> tuple[tuple[re.Pattern[str], dict[str, Features]], ...]:
        """One longest-match pass per label group; shields, trade and location phrases take
        part in every pass, so 'fire extinguisher' hides 'fire' in the hazard pass too."""
        # Things and places are nouns: 抽油烟机 must not leave 油烟 (a complaint cue) behind,
        # and 打不着火 (a gas fault) must not leave 着火. Verb phrases of the intent lists never
        # hide anything outside their own group: 往外冒 must not swallow 冒烟.
        nouns = {k for g in ("t", "l") for k in self.literal.get(g, {})} | self.shields
        out = []
        for _group, table in sorted(self.literal.items()):
            features = {k: tuple(v) for k, v in table.items()}
            out.append((re.compile(trie_pattern({*features, *nouns})), features))
        return tuple(out)


def _word(item: str) -> str:
    """Regex for one list item, with word boundaries when it is English."""
    body = re.escape(item).replace("\\ ", r"\s+")
    if item[:1].isascii() and item[:1].isalnum():
        body = r"(?<![a-z0-9'])" + body
    if item[-1:].isascii() and item[-1:].isalnum():
        body += r"(?![a-z0-9'])"
    return body


def _alternation(norm: Normalizer, items: Iterable[object]) -> str:
    words = sorted({norm.keyword(str(i)) for i in items} - {""}, key=len, reverse=True)
    return "(?:" + "|".join(_word(w) for w in words) + ")" if words else "(?!)"


def _phrases(norm: Normalizer, items: Iterable[object]) -> str:
    """A trie-shaped regex for a phrase list (fast to scan; English as whole words)."""
    return trie_pattern({norm.keyword(str(i)) for i in items} - {""})


def _gap_regex(keys: Iterable[str]) -> tuple[re.Pattern[str] | None, GapIndex, dict[str, str]]:
    """Compile `A~B` phrases, indexed by their first part.

    Scanning the whole text with one big alternation is slow (every position tries every
    phrase); instead a trie of first parts finds candidate positions and only the phrases that
    start there are tried.
    """
    names: dict[str, str] = {}
    compiled: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for i, key in enumerate(sorted(keys)):
        name = f"g{i}"
        names[name] = key
        parts = key.split("~")
        limit = GAP_CHARS_EN if all(p.isascii() for p in parts) else GAP_CHARS
        body = f"{_NOT_PUNCT}{{0,{limit}}}?".join(_word(p) for p in parts)
        compiled.setdefault(parts[0], []).append((name, re.compile(body)))
    if not compiled:
        return None, {}, names
    # A hit on a long first part must also try phrases whose first part is a prefix of it.
    index = {first: tuple(entry for other, entries in compiled.items()
                          if first.startswith(other) for entry in entries)
             for first in compiled}
    return re.compile(trie_pattern(compiled)), index, names


def _question_start(norm: Normalizer, spec: Mapping[object, object] | None,
                    ) -> tuple[re.Pattern[str], float] | None:
    """`{weight: [words]}`: a message that opens with one of the words and has a '?'."""
    if not spec:
        return None
    weight, words = next(iter(spec.items()))
    if not isinstance(weight, int | float) or not isinstance(words, list):
        raise ValueError("triage data: question_start must be {weight: [words]}")
    return re.compile(r"\W*" + _alternation(norm, words)), float(weight)


def _check(value: str, allowed: Iterable[str], where: str) -> str:
    if value not in allowed:
        raise ValueError(f"triage data: unknown {where} {value!r}")
    return value


def build(learned: bool = True) -> Model:
    phrases = _yaml("t2s_phrases.yaml") or {}
    norm = Normalizer({**phrases.get("phrases", {}), **phrases.get("typos", {})},
                      phrases.get("english", {}))
    kw: dict[str, Any] = _yaml("keywords.yaml")
    b = _Builder(norm)
    b.add(kw.get("shields", []), "x", 0.0)
    hazards: list[HazardRule] = []
    for key, spec in kw["hazards"].items():
        b.add(spec["phrases"], "h." + key, 1.0)
        hazards.append(HazardRule(
            key=key,
            report_as=_check(spec.get("report_as", key), HAZARDS, "hazard"),
            trade=_check(spec["trade"], TRADES, "trade"),
            trade_from=tuple(_check(t, TRADES, "trade") for t in spec.get("trade_from", [])),
            report_as_if_trade={_check(t, TRADES, "trade"): _check(h, HAZARDS, "hazard")
                                for t, h in spec.get("report_as_if_trade", {}).items()},
            requires=tuple(norm.keyword(str(r)) for r in spec.get("requires", [])),
            benign=re.compile(_alternation(norm, spec["benign"])) if spec.get("benign") else None,
        ))
    for group, labels, prefix in (("intents", INTENTS, "i."), ("trades", TRADES, "t."),
                                  ("severity", SEVERITIES, "v.")):
        for label, table in kw[group].items():
            b.add_weighted(table, prefix + _check(label, labels, group))
    for label in LOCATIONS:
        b.add_weighted(kw["locations"][label], "l." + label)
    prior = {_check(t, TRADES, "trade"): {_check(loc, LOCATIONS, "location"): float(w)
                                          for loc, w in sides.items()}
             for t, sides in kw["locations"].get("prior", {}).items()}
    services: list[ServiceRule] = []
    for key, spec in kw["services"].items():
        b.add_weighted(spec, "s." + _check(key, SERVICE_KEYS, "service"))
        intent = spec.get("intent")
        services.append(ServiceRule(key, _check(spec["trade"], TRADES, "trade"),
                                    _check(intent, INTENTS, "intent") if intent else None))
    b.add(kw.get("leak_cues", []), "w", 1.0)

    neg = kw["negation"]
    before, filler = _alternation(norm, neg["before"]), _alternation(norm, neg["filler"])
    gap_first_re, gap_index, gap_names = _gap_regex(b.gap)
    token_chars = "".join(sorted({c for t in b.token for c in t}))
    return Model(
        normalize=norm,
        passes=b.passes(),
        gap_first_re=gap_first_re,
        gap_index=gap_index,
        gap={name: tuple(b.gap[key]) for name, key in gap_names.items()},
        token={k: tuple(v) for k, v in b.token.items()},
        token_char_re=re.compile(f"[{re.escape(token_chars)}]") if token_chars else None,
        cut=tokenizer().cut,
        hazards=tuple(hazards),
        neg_before_re=re.compile(before + r"(?:\s*" + filler + r")*\s*$"),
        neg_inside_re=re.compile(before),
        neg_after_re=re.compile(_alternation(norm, neg["after"])),
        past_re=re.compile(_alternation(norm, neg["past"])),
        secondary_re=re.compile(_alternation(norm, kw.get("secondary", []))),
        question_start=_question_start(norm, kw.get("question_start")),
        location_prior=prior,
        services=tuple(services),
        concepts=build_concepts(_yaml("emergency.yaml"), lambda items: _phrases(norm, items)),
        learned=_learned() if learned else None,
        overrides=_overrides(norm, kw.get("overrides")),
    )


_model: Model | None = None
_failure: Exception | None = None  # a broken data file is reported once, not rebuilt per call
_lock = threading.Lock()


def get_model() -> Model:
    """The process-wide model, built on first use."""
    model = _model
    return model if model is not None else _build_once()[0]


def _build_once() -> tuple[Model, float]:
    global _model, _failure
    with _lock:  # two threads warming up at once must not build (and load jieba) twice
        if _model is not None:
            return _model, 0.0
        if _failure is not None:
            raise _failure
        started = time.perf_counter()
        try:
            _model = build()
        except Exception as exc:
            _failure = exc
            raise
        return _model, time.perf_counter() - started


_keyword_model: Model | None = None


def get_keyword_model() -> Model:
    """The data files without the learned model: what training builds its features from."""
    global _keyword_model
    with _lock:
        if _keyword_model is None:
            _keyword_model = build(learned=False)
        return _keyword_model


def warm_up() -> float:
    """Load everything now; return the seconds spent (0.0 when already loaded).

    Raises if a data file is broken, so call it at start-up: `triage()` itself never raises.
    """
    return 0.0 if _model is not None else _build_once()[1]
