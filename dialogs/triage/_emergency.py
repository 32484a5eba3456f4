"""Recall-first emergency concepts (`data/emergency.yaml`): which dangers a message may describe.

The keyword hazards of `keywords.yaml` catch the usual phrasings; these rules catch the rest by
ideas that occur together (a lift and someone inside, a pipe and a burst, a stove and a smell),
then guards decide whether the message is sure, only possibly an emergency, or not one at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

HAZARD_KEYS = ("lift", "gas", "fire", "sparks", "flood")
# Dangers with no emergency path of their own (glass about to fall, a child on a balcony
# railing): their rules only ever ask "Is anyone in danger…?", they never flag.
ASK_ONLY = ("fall",)
Denied = Callable[[str, int, int], bool]  # (text, start, end) -> this mention is negated


@dataclass(frozen=True, slots=True)
class Signal:
    sure: str | None  # a hazard the concepts assert, guards passed
    unsure: str | None  # a hazard the concepts suggest, or a sure one put in doubt
    doubt: bool  # a question, what-if, past event, thanks, fee or status talk (not urgent)
    cancelled: bool  # a concept rule fired but the danger was denied or explained away
    certain: bool = False  # a `certain` rule fired: the learned head cannot veto `sure`


NONE = Signal(None, None, False, False)


@dataclass(frozen=True, slots=True)
class Concepts:
    concepts: Mapping[str, re.Pattern[str]]
    certain: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]  # priority order
    sure: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    unsure: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    cancel: re.Pattern[str]
    hazard_cancel: Mapping[str, re.Pattern[str]]
    doubt: re.Pattern[str]
    urgent: re.Pattern[str]
    routine: re.Pattern[str]  # an outage, a bill, a notice, noise: the learned head alone is mute
    # Set phrases read as if absent ("thanks again" is no "again"); an office's own list only.
    ignore: re.Pattern[str] | None = None

    def present(self, text: str, denied: Denied | None = None) -> set[str]:
        """Concepts in the text; a mention that `denied` says is negated does not count.

        Denial is only looked into for concepts of a rule whose concepts are all mentioned:
        most messages mention none, and the clause checks cost more than the searches.
        """
        mentioned = {name for name, rx in self.concepts.items() if rx.search(text)}
        if denied is None or not mentioned:
            return mentioned
        needed = {c for rules in (self.certain, self.sure, self.unsure) for _, alts in rules
                  for alt in alts if mentioned.issuperset(alt) for c in alt}
        return {name for name in needed
                if any(not denied(text, m.start(), m.end())
                       for m in self.concepts[name].finditer(text))}

    def signal(self, text: str, denied: Denied | None = None,
               asserted: str | None = None) -> Signal:
        """Judge the concept rules, and `asserted` (a hazard the keyword layer found).

        A cancel ("fixed now") stands for what was said before it: a rule whose concepts are
        all said after the last cancel ("修好了两天又坏了", fixed, then broke again) still fires.
        """
        if self.ignore is not None:
            text = self.ignore.sub(" ", text)
        found = self.present(text, denied)
        certain = _first(self.certain, found)
        sure = asserted or certain or _first(self.sure, found)
        unsure = _first(self.unsure, found)
        if sure is None and unsure is None:
            return NONE
        cancelled = bool(self.cancel.search(text)) and not self._said_after_cancel(text, denied)
        if not cancelled:
            rx = self.hazard_cancel.get(sure or unsure or "")
            cancelled = bool(rx and rx.search(text))
            if cancelled and sure and unsure and sure != unsure:
                sure, cancelled = None, False  # the other hazard still stands, unsure
        if cancelled:
            return Signal(None, None, False, True)
        doubt = bool(self.doubt.search(text)) and not self.urgent.search(text)
        if doubt and sure:
            return Signal(None, sure, True, False)
        return Signal(sure, None if sure else unsure, doubt, False, certain is not None)


    def _said_after_cancel(self, text: str, denied: Denied | None) -> bool:
        """Does a whole rule come after the last cancel phrase?"""
        *_, last = self.cancel.finditer(text)
        tail = text[last.end():]
        found = self.present(tail, None if denied is None
                             else lambda _t, a, b: denied(text, last.end() + a, last.end() + b))
        return any(_first(rules, found) for rules in (self.certain, self.sure))


def _first(rules: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...], found: set[str],
           ) -> str | None:
    for hazard, alternatives in rules:
        if any(all(c in found for c in needed) for needed in alternatives):
            return hazard
    return None


def build_concepts(spec: Mapping[str, Any], alternation: Any,
                   keys: Collection[str] | None = HAZARD_KEYS + ASK_ONLY) -> Concepts:
    """Compile the YAML; `alternation(items)` turns a phrase list into a regex (from `_load`).

    *keys* are the rule names the YAML may use (None: any, for an office's own concept list).
    """
    concepts = {str(name): re.compile(alternation(items))
                for name, items in spec["concepts"].items()}

    def rules(level: str) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
        out = []
        for hazard, levels in spec["rules"].items():
            if keys is not None and hazard not in keys:
                raise ValueError(f"triage data: unknown emergency hazard {hazard!r}")
            alts = tuple(tuple(str(c) for c in needed) for needed in levels.get(level, []))
            if alts and hazard in ASK_ONLY and level != "unsure":
                raise ValueError(f"triage data: {hazard!r} can only ask (rules: unsure)")
            for needed in alts:
                for c in needed:
                    if c not in concepts:
                        raise ValueError(f"triage data: unknown emergency concept {c!r}")
            if alts:
                out.append((str(hazard), alts))
        return tuple(out)

    guards = spec.get("guards", {})
    return Concepts(
        concepts=concepts,
        certain=rules("certain"),
        sure=rules("sure"),
        unsure=rules("unsure"),
        cancel=re.compile(alternation(guards.get("cancel", []))),
        hazard_cancel={str(h): re.compile(alternation(items))
                       for h, items in guards.get("hazard", {}).items()},
        doubt=re.compile(alternation(guards.get("doubt", []))),
        urgent=re.compile(alternation(guards.get("urgent", []))),
        routine=re.compile(alternation(guards.get("routine", []))),
        ignore=re.compile(alternation(guards["ignore"])) if guards.get("ignore") else None,
    )
