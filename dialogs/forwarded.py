"""One question when someone forwards a message that reads like a repair or an emergency:
"You forwarded this — is it about your home? Yes / No".

A forwarded message is someone else's words (a neighbour's, a family chat's) — or their photo
and its caption — so it is not filed as the forwarder's own report until they say so. Yes → it
is read as their own message, the photo kept with the report, the emergency path first if it
is one; No → thanks, nothing is opened, and if it sounded like danger the hotline is given for
whoever is in it. A dialog under way is paused meanwhile and
goes on after the answer.
"""

from __future__ import annotations

from typing import Final

from dialogs.events import Event, EventKind, Say, inline
from dialogs.flow import button, tapped
from dialogs.model import Conversation, DialogContext, Outcome, ResumeWith
from locales import Raw, _

FLOW: Final = "forwarded"
EXCERPT: Final = 120  # characters of the forwarded words quoted back in the question


def ask(context: DialogContext, nonce: str, text: str, urgent: bool,
        paused: Conversation | None, photos: tuple[str, ...] = ()) -> Outcome:
    """Pause *paused* (if any) and ask whether the forwarded *text* (a photo's caption, with
    *photos*) is about their home."""
    conversation = Conversation(FLOW, "ask", {
        "nonce": nonce, "text": text, "urgent": urgent, "photos": list(photos),
        "paused": None if paused is None else {"flow": paused.flow, "step": paused.step,
                                               "data": paused.data}})
    quoted = text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
    keyboard = inline([button(conversation, _("Yes, my home"), "yes"),
                       button(conversation, _("No, someone else's"), "no")])
    return Outcome(conversation, [Say(context.chat_id, _(
        "You forwarded this — is it about your home?\n“{quoted}”", quoted=Raw(quoted)),
        keyboard)])


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Yes: their own words now (danger checked first). No: nothing is opened."""
    data = conversation.data
    paused_data = data.get("paused")
    paused = None if paused_data is None else Conversation(
        paused_data["flow"], paused_data["step"], paused_data["data"])
    choice = tapped(conversation, event)
    if event.kind is EventKind.PHOTO and event.forwarded and not event.text.strip():
        # The rest of a forwarded album (only its first photo carries the caption): kept with
        # the question, quietly — one question for the whole album.
        kept = {**data, "photos": [*data.get("photos", ()), *event.photo_file_ids]}
        return Outcome(Conversation(conversation.flow, conversation.step, kept), [])
    if choice == "yes":
        return Outcome(paused, [], ResumeWith(data["text"], check_danger=True,
                                              photos=tuple(data.get("photos", ()))))
    if choice == "no":
        thanks = (_("Thank you. Nothing was opened for your home. If someone is in danger "
                    "there, they should call the hotline {hotline} now.",
                    hotline=Raw(context.hotline)) if data.get("urgent") else
                  _("Thank you. Nothing was opened for your home; whoever it is about can "
                    "write to us themselves."))
        return Outcome(paused, [Say(context.chat_id, thanks)])
    # Anything else: the question stays; the reception checks new words for danger first.
    return Outcome(conversation, [Say(context.chat_id, _("Please tap Yes or No above."))])
