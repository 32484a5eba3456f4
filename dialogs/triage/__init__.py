"""Text triage for resident messages: intent, trade, in-unit vs public, emergency, service.

Pure and fast: the data files under `data/` (keywords, jieba user dictionary, vocabulary map)
are loaded once per process by `warm_up()` (called lazily by `triage()`); after that a message
costs well under a millisecond. `triage()` never raises; call `warm_up()` at start-up, which
does raise when a data file is broken, so a bad edit is caught before residents write in.

    >>> triage("厨房水龙头一直滴水").service
    'tap_valve'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from ._decide import OTHER, decide
from ._load import get_model, warm_up

__all__ = ["CallbackClass", "Hazard", "Intent", "Location", "Severity", "Trade", "Triage",
           "triage", "warm_up"]

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


def triage(text: str) -> Triage:
    """Classify one resident message. Never raises; unusable input is triaged as `other`."""
    if not isinstance(text, str) or not text.strip():
        return _FALLBACK
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
    )
