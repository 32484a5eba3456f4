"""One question when a message might be an emergency: "Is anyone in danger, or is something
burning, leaking gas or flooding now? Yes / No".

Every free-text message, inside any dialog or outside one, is checked first (the reception
calls ``dialogs.triage.danger``). A clear emergency goes down the emergency path at once; an
uncertain one pauses whatever the person was doing and asks this. Yes → the emergency path;
No → the paused dialog (or the free-text intake) goes on with the same words. A photo's
caption is asked about the same way, and its photos (the rest of an album too) go on with the
answer either way. A false alarm costs one tap; a miss can cost a life.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from dialogs.events import Event, EventKind, Say, inline
from dialogs.flow import button, tapped
from dialogs.model import Conversation, DialogContext, Outcome, ReportEmergency, ResumeWith
from locales import _

FLOW: Final = "danger_check"
# The trade a "Yes" most likely means, for the safety instructions and the on-duty card.
HAZARD_OF_TRADE: Final = {"gas": "gas", "lift": "lift", "electrical": "sparks",
                          "plumbing": "flood", "civil": "flood", "security": "fire"}
QUESTION: Final = _("Is anyone in danger, or is something burning, leaking gas or flooding "
                    "now?")


class Step(StrEnum):
    ASK = "ask"


def ask(context: DialogContext, nonce: str, text: str, trade: str | None, location: str | None,
        paused: Conversation | None, photos: tuple[str, ...] = ()) -> Outcome:
    """Pause *paused* (if any) and ask whether *text* (a photo's caption, with *photos*) is an
    emergency."""
    conversation = Conversation(FLOW, Step.ASK, {
        "nonce": nonce, "text": text, "trade": trade or "other", "location": location or "unit",
        "photos": list(photos),
        "paused": None if paused is None else {"flow": paused.flow, "step": paused.step,
                                               "data": paused.data}})
    keyboard = inline([button(conversation, _("🚨 Yes, now"), "yes"),
                       button(conversation, _("No"), "no")])
    return Outcome(conversation, [Say(context.chat_id, QUESTION, keyboard)])


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Yes: the emergency path. No: back to what was paused, with the same words."""
    data = conversation.data
    choice = tapped(conversation, event)
    paused_data = data.get("paused")
    paused = None if paused_data is None else Conversation(
        paused_data["flow"], paused_data["step"], paused_data["data"])
    photos = tuple(data.get("photos", ()))
    if event.kind is EventKind.PHOTO and photos and not event.text.strip():
        # The rest of the album whose caption is asked about: kept with the question, quietly.
        kept = {**data, "photos": [*photos, *event.photo_file_ids]}
        return Outcome(Conversation(conversation.flow, conversation.step, kept), [])
    if choice == "yes":
        trade = data["trade"]
        return Outcome(None, [], ReportEmergency(data["text"], HAZARD_OF_TRADE.get(trade, "fire"),
                                                 trade, data["location"], photos))
    if choice == "no":
        return Outcome(paused, [], ResumeWith(data["text"], photos=photos))
    # Anything else (a new message): the question stays; the reception checks new words first.
    return Outcome(conversation, [Say(context.chat_id, _("Please tap Yes or No above."))])
