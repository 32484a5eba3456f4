"""Text triage for resident messages: intent, trade, in-unit vs public, emergency, service.

Pure and fast: the data files under `data/` (keywords, jieba user dictionary, vocabulary map)
are loaded once per process by `warm_up()` (called lazily by `triage()`); after that a message
costs well under a millisecond. `triage()` never raises; call `warm_up()` at start-up, which
does raise when a data file is broken, so a bad edit is caught before residents write in.

    >>> triage("厨房水龙头一直滴水").service
    'tap_valve'

Layers, in order: normalisation (`_text`: OpenCC t2s, the Cantonese/Taiwan vocabulary and typo
table in `data/t2s_phrases.yaml`), the office's keywords (`data/keywords.yaml`), recall-first
emergency concepts (`data/emergency.yaml`), and a learned linear model (`data/model.json.gz`,
rebuilt by `frontline triage train` from `data/corpus/` and the labelled set) that decides
intent, trade and location with the keywords as part of its evidence. `overrides:` in
keywords.yaml has the last word.

For the in-dialog hazard check, `danger(text)` says whether a free-text message is an
emergency (`hazard`) or might be one (`uncertain`: ask "Is anyone in danger…?").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from ._decide import MAX_CHARS, OTHER, _denied, decide
from ._emergency import Concepts, Signal, build_concepts
from ._load import _phrases, get_model, warm_up

__all__ = ["CallbackClass", "Concepts", "Danger", "Hazard", "Intent", "Location", "Severity",
           "Signal", "Trade", "Triage", "compile_concepts", "concept_signal", "danger", "triage",
           "warm_up"]

Intent = Literal["repair", "service", "complaint", "enquiry", "fee", "other"]
Trade = Literal["plumbing", "electrical", "gas", "hvac", "lift", "civil", "security", "greenery",
                "cleaning", "other"]
Location = Literal["unit", "public"]
Hazard = Literal["gas", "fire", "lift", "sparks", "flood"]
CallbackClass = Literal["safety", "leak", "other"]
Severity = Literal["major", "important", "minor"]


@dataclass(frozen=True, slots=True)
class Triage:
    intent: Intent
    trade: Trade | None  # None unless intent in (repair, service)
    location: Location | None  # None unless intent in (repair, service)
    emergency: bool
    callback_class: CallbackClass | None  # None unless repair/service
    service: str | None  # paid-service catalog key when it matches, else None
    hazard: Hazard | None  # which emergency, when emergency is True
    severity: Severity | None  # suggested complaint severity, only for complaints
    # Maybe an emergency (never True together with `emergency`): ask the resident one Yes/No
    # question, "Is anyone in danger, or is something burning, leaking gas or flooding now?"
    # Not part of `as_dict()`, so `frontline triage --jsonl` keeps its format.
    emergency_uncertain: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready dict in the documented field order."""
        return {
            "intent": self.intent,
            "trade": self.trade,
            "location": self.location,
            "emergency": self.emergency,
            "callback_class": self.callback_class,
            "service": self.service,
            "hazard": self.hazard,
            "severity": self.severity,
        }


_FALLBACK = Triage("other", None, None, False, None, None, None, None)


# The thread's last text and its triage. One update asks about its text up to four times
# (the hazard check first, then the desk or the dialog step that takes it in), always on one
# thread; a memo of one text per thread answers the repeats.
_last = threading.local()


def triage(text: str) -> Triage:
    """Classify one resident message. Never raises; unusable input is triaged as `other`."""
    if not isinstance(text, str) or not text.strip():
        return _FALLBACK
    last: tuple[str, Triage] | None = getattr(_last, "pair", None)
    if last is not None and last[0] == text:
        return last[1]
    found = _classify(text)
    _last.pair = (text, found)
    return found


def _classify(text: str) -> Triage:
    try:
        d = decide(get_model(), text)
    except Exception:  # triage is advisory: a bad guess must never break intake
        d = OTHER
    # The decision module only produces labels validated against these literals at load time.
    # String casts: `Trade | None` evaluated at run time would build a typing union per call.
    return Triage(
        intent=cast("Intent", d.intent),
        trade=cast("Trade | None", d.trade),
        location=cast("Location | None", d.location),
        emergency=d.emergency,
        callback_class=cast("CallbackClass | None", d.callback_class),
        service=d.service,
        hazard=cast("Hazard | None", d.hazard),
        severity=cast("Severity | None", d.severity),
        emergency_uncertain=d.uncertain and not d.emergency,
    )


@dataclass(frozen=True, slots=True)
class Danger:
    """The emergency part of triage, for checking every free-text message in a dialog."""

    hazard: Hazard | None  # an emergency: go down the emergency path now
    uncertain: bool  # not sure: ask "Is anyone in danger…? Yes / No"

    @property
    def emergency(self) -> bool:
        return self.hazard is not None


def danger(text: str) -> Danger:
    """Is this text an emergency, or might it be one? Never raises; well under 1 ms."""
    t = triage(text)
    return Danger(t.hazard, t.emergency_uncertain)


def normalize(text: str) -> str:
    """Text in the one form triage reads it (Simplified Chinese, the vocabulary map, lower
    case, English stems), so the office's own phrases match however a resident writes."""
    return get_model().normalize(text)


def compile_concepts(spec: Mapping[str, Any]) -> Concepts:
    """An office's own concept list (``concepts`` / ``rules`` / ``guards``, the layout of
    ``data/emergency.yaml``), compiled with triage's normaliser: written once in any of our
    languages, it matches Traditional, Cantonese, Simplified and English alike. Raises
    ValueError when a rule names a concept the list does not define."""
    model = get_model()
    return build_concepts(spec, lambda items: _phrases(model.normalize, items), keys=None)


def concept_signal(concepts: Concepts, text: str) -> Signal:
    """Which rule of *concepts* the text asserts (``sure``), only suggests, or denies — a
    mention after a negator ("不漏了", "no longer leaking") does not count."""
    model = get_model()
    normalized = model.normalize(text[:MAX_CHARS])
    return concepts.signal(normalized, lambda t, a, b: _denied(model, t, a, b))
