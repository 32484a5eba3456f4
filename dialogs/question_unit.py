"""One question before a question or fee question from a resident of several homes is filed:
"Which of your homes?" — when the words name none of them. The front desk answers about a
unit (its fees, its water), so it is never filed silently under the first one."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from dialogs.events import Event, Say
from dialogs.flow import take_unit, tapped, unit_keyboard
from dialogs.model import Conversation, DialogContext, Outcome, ToFrontDesk, Unit
from locales import _

FLOW: Final = "question_unit"
# Between a building and its room as residents write it: 3-1202, 3栋1202, 3 號樓 1202, 3/1202.
_BETWEEN: Final = r"(?:\s*(?:-|/|栋|棟|幢|号楼|號樓|座)\s*|\s+)"


def named_unit(text: str, units: tuple[Unit, ...]) -> int | None:
    """The one of *units* the words name (by building and room, or by a room only one of
    them has), or None when they name none or more than one."""
    words = unicodedata.normalize("NFKC", text).upper()

    def found(pattern: str) -> bool:
        return re.search(rf"(?<![0-9A-Z]){pattern}(?![0-9A-Z])", words) is not None

    parts = [(u, *u.label.upper().partition("-")[::2]) for u in units]
    full = {u.household_id for u, building, room in parts
            if room and found(re.escape(building) + _BETWEEN + re.escape(room))}
    if len(full) == 1:
        return full.pop()
    if full:
        return None
    rooms = {u.household_id for u, _building, room in parts if room and found(re.escape(room))}
    return rooms.pop() if len(rooms) == 1 else None


def home_of(chosen: int | None, words: str, units: tuple[Unit, ...]) -> int | None:
    """The resident's home a request is filed under: the one they chose, if it is theirs,
    their only one, or the one *words* name — never one picked among several (None then, or
    with no home at all)."""
    if chosen is not None and chosen in {u.household_id for u in units}:
        return chosen
    if len(units) == 1:
        return units[0].household_id
    return named_unit(words, units)


def ask(context: DialogContext, nonce: str, command: ToFrontDesk) -> Outcome:
    """Ask which home *command* is about, keeping it to file once answered."""
    conversation = Conversation(FLOW, "unit", {
        "nonce": nonce, "kind": command.kind, "text": command.text,
        "severity": command.severity, "faq_question": command.faq_question_id})
    return Outcome(conversation, [Say(context.chat_id, _("Which of your homes?"),
                                      unit_keyboard(conversation, context))])


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """A home tapped: the question is filed under it."""
    refused = take_unit(conversation, event, context, tapped(conversation, event))
    if refused is not None:
        return refused
    data = conversation.data
    return Outcome(None, command=ToFrontDesk(data["kind"], data["text"], data["severity"],
                                             household_id=data["unit"],
                                             faq_question_id=data.get("faq_question")))
