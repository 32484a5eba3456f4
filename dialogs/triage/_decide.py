"""Score one normalised message against the model and decide every triage field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._emergency import ASK_ONLY, Signal
from ._features import features
from ._load import TRADES, HazardRule, Model
from ._model import Prediction
from ._text import CLAUSE_PUNCT

MAX_CHARS = 2000  # longer messages are triaged on their first 2,000 characters
_WINDOW = 16  # characters of clause looked at before/after a hazard for negation
_BENIGN_WINDOW = 48  # a harmless source may sit anywhere in the clause
_CLAUSE_TAIL = re.compile("[^" + re.escape(CLAUSE_PUNCT) + "]*$")
_CLAUSE_HEAD = re.compile("^[^" + re.escape(CLAUSE_PUNCT) + "]*")
_TOKEN_CONTEXT = 4  # characters of context either side of a token keyword
_HAN_RUN_LEFT = re.compile("[\u3400-\u9fff]*$")
_HAN_RUN_RIGHT = re.compile("[\u3400-\u9fff]*")
_HAS_WORD = re.compile(r"[a-z\u3400-\u9fff\U00020000-\U0002ffff]")
# Ties go to the more specific intent: a complaint that mentions a fee is a complaint.
_INTENT_ORDER = ("complaint", "fee", "repair", "service", "enquiry", "other")
# Ties between trades go to the one with the narrower crew.
# Trees and bushes are rarely mentioned unless they are the problem, so greenery beats the
# electrical or civil thing they touch ("树枝碰到电线了").
# A named fixture (tap, pipe) is more specific than the structure around it (wall, ceiling).
_TRADE_ORDER = ("lift", "gas", "security", "greenery", "hvac", "plumbing", "civil", "electrical",
                "cleaning", "other")
# Naming a piece of equipment is itself evidence of a repair or service request.
_FROM_TRADE = 0.7
_FAULT = 3.0  # an explicit fault ('坏了', 'leaking') outranks a side question about fees
_SERVICE_AT_HOME = 1.5  # bookings are for the home unless a common area is named
_TRADE_CAP = 3.0
_SECONDARY = 0.5  # intent words after "顺便/另外/by the way" count half: the main topic leads


@dataclass(frozen=True, slots=True)
class Decision:
    intent: str
    trade: str | None
    location: str | None
    emergency: bool
    callback_class: str | None
    service: str | None
    hazard: str | None
    severity: str | None
    uncertain: bool = False  # maybe an emergency: ask "is anyone in danger?"


OTHER = Decision("other", None, None, False, None, None, None, None)


def _clause(text: str, start: int, end: int, window: int = _WINDOW) -> tuple[str, str]:
    """The parts of the hazard's clause just before and just after it."""
    head = _CLAUSE_TAIL.search(text, max(0, start - window), start)
    tail = _CLAUSE_HEAD.match(text[end:end + window])
    return (head.group(0) if head else ""), (tail.group(0) if tail else "")


def _negated(model: Model, text: str, start: int, end: int, inner: str) -> bool:
    """True when a hazard mention is denied, resolved, or in the past within its clause."""
    before, after = _clause(text, start, end)
    _, later = _clause(text, start, end, _BENIGN_WINDOW)
    return bool(
        model.neg_before_re.search(before)
        or model.past_re.search(before)
        or model.past_re.search(later)  # "a small flood in the laundry room last week"
        or model.neg_after_re.search(after)
        or (inner and model.neg_inside_re.search(inner))
    )


def _denied(model: Model, text: str, start: int, end: int) -> bool:
    """A concept mention that is denied in its clause ("没有闻到煤气味", "no smoke").

    Only a negator before it counts: "the lift stopped" is the problem, not a resolution, so
    resolutions are the `cancel` guard's business. The past tense is only doubt.
    """
    before, _ = _clause(text, start, end)
    return bool(model.neg_before_re.search(before))


def _token_windows(model: Model, text: str) -> list[tuple[int, int]]:
    """Short Chinese spans around each token-keyword character, merged when they touch.

    jieba costs ~5 µs per character, so only a few characters either side of a candidate are
    segmented; that is enough context to tell 门 (a door) from 门禁 or 部门.
    """
    assert model.token_char_re is not None
    windows: list[tuple[int, int]] = []
    for m in model.token_char_re.finditer(text):
        run = _HAN_RUN_LEFT.search(text, max(0, m.start() - _TOKEN_CONTEXT), m.start())
        start = run.start() if run else m.start()
        right = _HAN_RUN_RIGHT.match(text, m.end(), m.end() + _TOKEN_CONTEXT)
        end = right.end() if right else m.end()
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _collect(model: Model, text: str,
             ) -> tuple[dict[str, float], list[tuple[str, int, int]]]:
    """Sum feature weights; return them plus the hazards that are really asserted."""
    scores: dict[str, float] = {}
    hazards: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    aside = model.secondary_re.search(text)
    aside_at = aside.start() if aside else len(text)

    def add(features: tuple[tuple[str, float], ...], start: int, end: int, inner: str) -> None:
        for feature, weight in features:
            if feature.startswith("h."):
                if not _negated(model, text, start, end, inner):
                    hazards.append((feature[2:], start, end))
                else:  # remembered, so the concept rules do not re-assert a denied hazard
                    scores["n." + feature[2:]] = 1.0
            else:
                if start >= aside_at and feature.startswith("i."):
                    weight *= _SECONDARY
                scores[feature] = scores.get(feature, 0.0) + weight

    for pattern, table in model.passes:
        counted: set[str] = set()
        for m in pattern.finditer(text):
            phrase = m.group(0)
            features = table.get(phrase)  # None for a shield
            if features and phrase not in counted:  # once per message, however often repeated
                counted.add(phrase)
                add(features, m.start(), m.end(), "")
    if model.gap_first_re is not None:
        pos = 0
        while first := model.gap_first_re.search(text, pos):
            for name, gap_pattern in model.gap_index[first.group(0)]:
                hit = gap_pattern.match(text, first.start())
                if hit and name not in seen:
                    seen.add(name)
                    add(model.gap[name], hit.start(), hit.end(), hit.group(0))
            pos = first.start() + 1  # overlapping: 水管爆开 holds both 水管~爆 and 管~爆开
    if model.token_char_re is not None:
        for start, end in _token_windows(model, text):
            offset = start
            for token in model.cut(text[start:end], HMM=False):
                features = model.token.get(token)
                if features and token not in seen:
                    seen.add(token)
                    add(features, offset, offset + len(token), "")
                offset += len(token)
    if model.question_start is not None and "?" in text:
        pattern, weight = model.question_start
        if pattern.match(text):
            scores["i.enquiry"] = scores.get("i.enquiry", 0.0) + weight
    return scores, hazards


def _best(scores: dict[str, float], prefix: str, order: tuple[str, ...]) -> tuple[str, float]:
    best, best_score = order[-1], 0.0
    for label in order:  # strict '>' keeps the earlier label on ties
        score = scores.get(prefix + label, 0.0)
        if score > best_score:
            best, best_score = label, score
    return best, best_score


def _intent(scores: dict[str, float], text: str) -> str:
    boost = _FROM_TRADE * min(max(scores.get("t." + t, 0.0) for t in TRADES), _TRADE_CAP)
    adjusted = dict(scores)
    adjusted["i.repair"] = scores.get("i.repair", 0.0) + boost
    adjusted["i.service"] = scores.get("i.service", 0.0) + boost
    intent, score = _best(adjusted, "i.", _INTENT_ORDER)
    if score <= 0.0:
        return "enquiry" if "?" in text else "other"
    if intent in ("fee", "enquiry", "other") and scores.get("i.repair", 0.0) >= _FAULT:
        return "repair"  # "the corridor light is out; also, is my fee paid?" is a repair first
    return intent


def _location(model: Model, scores: dict[str, float], trade: str, intent: str) -> str:
    prior = model.location_prior.get(trade, {})
    unit = scores.get("l.unit", 0.0) + prior.get("unit", 0.0)
    if intent == "service":
        unit += _SERVICE_AT_HOME
    public = scores.get("l.public", 0.0) + prior.get("public", 0.0)
    return "public" if public > unit else "unit"


def _hazard(model: Model, text: str, found: list[tuple[str, int, int]]) -> HazardRule | None:
    for rule in model.hazards:  # data order is priority order
        if rule.requires and not any(r in text for r in rule.requires):
            continue
        for key, start, end in found:
            if key != rule.key:
                continue
            if rule.benign is not None:
                before, after = _clause(text, start, end, _BENIGN_WINDOW)
                if rule.benign.search(before + text[start:end] + after):
                    continue  # barbecue smoke, the igniter's spark: not an emergency
            return rule
    return None


def _service(model: Model, scores: dict[str, float], trade: str, intent: str) -> str | None:
    best, best_score = None, 1.999  # a catalog key needs a score of at least 2
    for rule in model.services:
        if rule.trade != trade or (rule.intent and rule.intent != intent):
            continue
        score = scores.get("s." + rule.key, 0.0)
        if score > best_score:
            best, best_score = rule.key, score
    return best


def _severity(scores: dict[str, float]) -> str:
    if scores.get("v.major", 0.0) >= 2:
        return "major"
    if scores.get("v.important", 0.0) >= 2:
        return "important"
    return "minor"


def keyword_scores(model: Model, raw: str) -> tuple[str, dict[str, float]]:
    """The normalised text and the keyword layer's scores (training features use these)."""
    text = model.normalize(raw[:MAX_CHARS])
    return text, _collect(model, text)[0]


@dataclass(frozen=True, slots=True)
class _Danger:
    hazard: str | None  # flagged as an emergency
    rule: HazardRule | None  # the keyword rule behind it, when one matched
    uncertain: bool


# The learned head's say (LinearSVC margins): it confirms an unsure or doubted concept above
# CONFIRM, and overrules a sure one below VETO (then the message is only uncertain); alone,
# above ASK, it makes a message uncertain. Picked by cross-validation on the training data
# (the whole pipeline, 5 folds): VETO -0.8 keeps every flagged emergency of -1.1 and cuts
# the false alarms; -0.7 already loses one.
CONFIRM = -0.3
VETO = -0.8
ASK = -0.3


def _danger(model: Model, text: str, scores: dict[str, float],
            found: list[tuple[str, int, int]], learned: Prediction | None) -> _Danger:
    """Keyword hazards, concept rules and the learned head, recall first.

    Flag when the keyword rules or the concept rules are sure and nothing puts it in doubt
    (unless the learned head strongly disagrees, which it may not for a `certain` rule or urgent
    words); also when the learned head agrees with a concept rule that is only unsure or
    doubted. Any other signal makes it `uncertain` (the learned head's alone not when the
    message is routine or its danger was cancelled); an ask-only danger (a fall) only asks.
    """
    rule = _hazard(model, text, found)
    asserted = {r.report_as for r in model.hazards for k, _, _ in found if k == r.key}
    denied = {r.report_as for r in model.hazards if scores.get("n." + r.key)} - asserted
    signal = model.concepts.signal(text, lambda t, a, b: _denied(model, t, a, b),
                                   rule.report_as if rule is not None else None)
    if signal.sure is not None and signal.sure in denied:
        signal = Signal(None, signal.sure, signal.doubt, False)  # "没有闻到煤气味": only unsure
    if learned is None:  # no model file: keywords and concepts only
        margin = CONFIRM if signal.sure else VETO
    else:
        margin = learned.margin if learned.label == "yes" else -learned.margin
    from_rule = rule if rule is not None and signal.sure == rule.report_as else None
    if signal.sure is not None and (margin > VETO or signal.certain):
        return _Danger(signal.sure, from_rule, False)
    maybe = signal.sure or signal.unsure
    if maybe is not None and margin > CONFIRM and maybe not in ASK_ONLY:
        return _Danger(maybe, from_rule, False)
    # The learned head alone asks too, unless a concept's danger was explained away or the
    # message is routine business: "家里停水了" must get the outage notice, not the question.
    alone = margin > ASK and not signal.cancelled and not model.concepts.routine.search(text)
    return _Danger(None, None, maybe is not None or alone)


def _override(model: Model, text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pattern, labels in model.overrides:
        if pattern.search(text):
            for k, v in labels.items():
                out.setdefault(k, v)
    return out


def decide(model: Model, raw: str) -> Decision:
    text = model.normalize(raw[:MAX_CHARS])
    if not _HAS_WORD.search(text):
        return OTHER  # empty, whitespace, emoji or punctuation only
    scores, found = _collect(model, text)
    learned = model.learned
    preds: dict[str, Prediction] = {}
    if learned is not None:
        raw_scores = learned.raw_scores(features(text, scores))
        preds = {h: learned.predict(raw_scores, h) for h in learned.heads}
    danger = _danger(model, text, scores, found, preds.get("emergency"))
    forced = _override(model, text)
    if danger.hazard is not None:
        intent = "repair"
        hazard: str | None = danger.hazard
        # A concept-only hazard takes the trades of the broadest keyword rule it could have been
        # (for fire: the smoke rule, so smoke from a socket is reported as sparks).
        rule = danger.rule or max((r for r in model.hazards if r.report_as == danger.hazard),
                                  key=lambda r: len(r.trade_from), default=None)
        trade = rule.trade if rule is not None else (preds["trade"].label if "trade" in preds
                                                     else "other")
        if rule is not None:
            named = [t for t in rule.trade_from if scores.get("t." + t, 0.0) >= 3]
            if named:  # the message names the thing: 插座冒烟 is electrical
                trade = max(named, key=lambda t: scores.get("t." + t, 0.0))
            elif "trade" in preds and preds["trade"].label in rule.trade_from:
                trade = preds["trade"].label
            hazard = rule.report_as_if_trade.get(trade, hazard)
        trade = forced.get("trade", trade)
    else:
        hazard = None
        intent = forced.get("intent") or (preds["intent"].label if "intent" in preds
                                          else _intent(scores, text))
        if intent not in ("repair", "service"):
            severity = _severity(scores) if intent == "complaint" else None
            return Decision(intent, None, None, False, None, None, None, severity,
                            danger.uncertain)
        if "trade" in forced:
            trade = forced["trade"]
        elif "trade" in preds:
            trade = preds["trade"].label
        else:
            trade, trade_score = _best(scores, "t.", _TRADE_ORDER)
            if trade_score <= 0.0:
                trade = "other"
    if "location" in forced:
        location = forced["location"]
    elif "location" in preds:
        location = preds["location"].label
    else:
        location = _location(model, scores, trade, intent)
    if intent == "service" and location == "public":
        intent = "repair"  # paid services are in-unit work; common areas are free repairs
    if trade == "security":
        callback = "safety"
    elif trade == "civil" and scores.get("w", 0.0) > 0:
        callback = "leak"
    else:
        callback = "other"
    # Catalog items are in-unit paid work.
    service = _service(model, scores, trade, intent) if location == "unit" else None
    return Decision(intent, trade, location, hazard is not None, callback, service, hazard, None,
                    danger.uncertain)

