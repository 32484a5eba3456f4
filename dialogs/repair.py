"""Report a repair (报修): what is wrong, where, photos, a convenient time, a phone, confirm.

Diagram: ``repair.mmd`` beside this file. Free text is triaged and the guess offered for
confirmation; an emergency leaves the dialog at once (the handler sends safety instructions
before anything else).
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from dialogs.events import Event, EventKind, Say, inline
from dialogs.flow import (
    button,
    cancel_button,
    phone_keyboard,
    refuse_input,
    stay,
    take_phone,
    take_time,
    take_unit,
    tapped,
    text_of,
    time_keyboard,
    unit_keyboard,
    unit_label,
)
from dialogs.model import (
    LOCATION_NAMES,
    TRADE_NAMES,
    TRADES,
    Conversation,
    DialogContext,
    Outcome,
    ReportEmergency,
    SubmitRepair,
    ToFrontDesk,
)
from dialogs.times import time_text
from dialogs.triage import Triage, triage
from locales import Raw, Text, _, lines

FLOW = "repair"
MAX_PHOTOS = 10


class Step(StrEnum):
    WHAT = "what"
    DETAIL = "detail"
    CHECK = "check"
    TRADE = "trade"
    WHERE = "where"
    UNIT = "unit"
    PLACE = "place"
    PHOTOS = "photos"
    TIME = "time"
    PHONE = "phone"
    CONFIRM = "confirm"


def start(context: DialogContext, nonce: str, photos: tuple[str, ...] = ()) -> Outcome:
    """Open the dialog by asking what is wrong (with *photos* already sent, kept)."""
    conversation = Conversation(FLOW, Step.WHAT, {"nonce": nonce, "photos": []})
    return _kept(_ask(conversation, context), _keep(conversation, photos))


def start_with_guess(context: DialogContext, nonce: str, text: str, guess: Triage,
                     photos: tuple[str, ...] = ()) -> Outcome:
    """Open the dialog from free text already triaged: offer the guess for confirmation."""
    conversation = Conversation(FLOW, Step.WHAT, {"nonce": nonce, "photos": []})
    kept = _keep(conversation, photos)
    return _kept(_take_description(conversation, context, text, guess), kept)


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Take one message or tap and move the dialog on."""
    choice = tapped(conversation, event)
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was sent."))])
    handler = _STEPS[Step(conversation.step)]
    if event.kind is EventKind.PHOTO and conversation.step != Step.PHOTOS:
        # A photo where words or a tap are wanted is kept for the request; its caption, if
        # any, is the answer to the question.
        kept = _keep(conversation, event.photo_file_ids)
        if event.text.strip():
            event = dataclasses.replace(event, kind=EventKind.TEXT, photo_file_ids=())
        return _kept(handler(conversation, event, context, None), kept)
    return handler(conversation, event, context, choice)


def _keep(conversation: Conversation, photos: tuple[str, ...]) -> bool:
    """Add *photos* to the request, up to the limit; whether any were added."""
    kept: list[str] = conversation.data.setdefault("photos", [])
    room = MAX_PHOTOS - len(kept)
    kept.extend(photos[:max(room, 0)])
    return bool(photos) and room > 0


def _kept(outcome: Outcome, kept: bool) -> Outcome:
    """Say in the first reply that the photo was kept (one message, not two)."""
    if kept and outcome.conversation is not None and outcome.replies and isinstance(
            outcome.replies[0], Say):
        first = outcome.replies[0]
        outcome.replies[0] = dataclasses.replace(first, text=lines(
            _("📎 Photo kept: it goes with your request."), first.text))
    return outcome


# -- prompts -----------------------------------------------------------------------------
def _ask(conversation: Conversation, context: DialogContext) -> Outcome:
    """Send the question of the conversation's current step."""
    c, data = conversation, conversation.data
    cancel = [cancel_button(c)]
    match Step(c.step):
        case Step.WHAT:
            trade_buttons = [button(c, TRADE_NAMES[t], f"trade:{t}") for t in TRADES[:9]]
            keyboard = inline(trade_buttons[0:3], trade_buttons[3:6], trade_buttons[6:9], cancel)
            text: Text = _("What is wrong? Describe it in your own words, or pick a category.")
        case Step.DETAIL:
            keyboard = inline([button(c, _("Skip"), "skip")], cancel)
            text = _("{trade}: describe the problem in a few words.",
                     trade=TRADE_NAMES[data["trade"]])
        case Step.CHECK:
            other_place = "public" if data["location"] == "unit" else "unit"
            keyboard = inline(
                [button(c, _("✅ Yes"), "yes")],
                [button(c, _("Another trade"), "retrade"),
                 button(c, _("No, {where}", where=LOCATION_NAMES[other_place]),
                        f"loc:{other_place}")],
                # A misread message reaches the right desk in one tap.
                [button(c, _("💬 It's a complaint"), "desk:complaint"),
                 button(c, _("❓ It's a question"), "desk:enquiry")],
                cancel)
            text = _("{trade}, {where} — right?", trade=TRADE_NAMES[data["trade"]],
                     where=LOCATION_NAMES[data["location"]])
        case Step.TRADE:
            trade_buttons = [button(c, TRADE_NAMES[t], f"trade:{t}") for t in TRADES]
            keyboard = inline(trade_buttons[0:3], trade_buttons[3:6], trade_buttons[6:10],
                              cancel)
            text = _("Which kind of work is it?")
        case Step.WHERE:
            keyboard = inline([button(c, _("🏠 In my home"), "unit"),
                               button(c, _("🏢 Public area"), "public")], cancel)
            text = _("Where is the problem?")
        case Step.UNIT:
            keyboard = unit_keyboard(c, context)
            text = _("Which of your homes?")
        case Step.PLACE:
            keyboard = inline(cancel)
            text = _("Where exactly? (for example: building 3, 5th floor corridor)")
        case Step.PHOTOS:
            label = _("Done with photos") if data["photos"] else _("No photos")
            keyboard = inline([button(c, label, "photos_done")], cancel)
            text = _("Send photos if you have them (several are fine), then tap the button.")
        case Step.TIME:
            keyboard = time_keyboard(c, context)
            text = _("When is convenient for the technician to come? Pick one or type it.")
        case Step.PHONE:
            keyboard = phone_keyboard(c, context)
            text = _("Which phone number should the technician call? Tap or type one.")
        case Step.CONFIRM:
            keyboard = inline([button(c, _("📨 Submit"), "submit")], cancel)
            text = summary(conversation, context)
    return Outcome(conversation, [Say(context.chat_id, text, keyboard)])


def summary(conversation: Conversation, context: DialogContext) -> Text:
    """The request as it will be sent."""
    data = conversation.data
    where: Text
    if data["location"] == "public":
        where = _("Public area: {place}", place=Raw(data.get("place", "")))
    else:
        where = _("Unit {unit}", unit=Raw(unit_label(conversation, context)))
    return lines(
        _("Please check your repair request:"),
        _("Trade: {trade}", trade=TRADE_NAMES[data["trade"]]),
        where,
        _("Problem: {text}", text=Raw(data.get("description") or "-")),
        _("Photos: {count}", count=len(data["photos"])),
        _("Convenient time: {time}", time=time_text(data["time"])),
        _("Contact phone: {phone}", phone=Raw(data["phone"])),
    )


# -- steps -------------------------------------------------------------------------------
def _what(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    if choice and choice.startswith("trade:") and choice[6:] in TRADES:
        c.data["trade"] = choice[6:]
        c.step = Step.DETAIL
        return _ask(c, context)
    text = text_of(event)
    if text is None:
        return refuse_input(c, context, event, _("Please describe the problem in words, "
                                                 "or pick a category."))
    return _take_description(c, context, text, triage(text))


def _take_description(c: Conversation, context: DialogContext, text: str,
                      guess: Triage) -> Outcome:
    if guess.emergency and guess.hazard:
        return Outcome(None, command=ReportEmergency(
            text=text, hazard=guess.hazard, trade=guess.trade or "other",
            location=guess.location or "unit"))
    if guess.intent in ("complaint", "enquiry", "fee"):
        return Outcome(None, command=ToFrontDesk(guess.intent, text, guess.severity))
    c.data.update(description=text, trade=guess.trade or "other",
                  location=guess.location or "unit", service=guess.service)
    c.step = Step.CHECK
    return _ask(c, context)


def _detail(c: Conversation, event: Event, context: DialogContext,
            choice: str | None) -> Outcome:
    if choice != "skip":
        text = text_of(event)
        if text is None:
            return refuse_input(c, context, event, _("Please describe the problem in words."))
        c.data["description"] = text
    return _go_where(c, context)


def _check(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    if choice == "yes":
        return _after_where(c, context)
    if choice == "retrade":
        c.step = Step.TRADE
        return _ask(c, context)
    if choice in ("loc:unit", "loc:public"):
        c.data["location"] = choice[4:]
        return _after_where(c, context)
    if choice in ("desk:complaint", "desk:enquiry"):
        guessed = f"repair/{c.data['trade']}/{c.data['location']}"
        return Outcome(None, command=ToFrontDesk(choice[5:], c.data.get("description", ""),
                                                 corrected_from=guessed))
    if text_of(event) is not None:
        # They wrote more instead of answering: treat it as a fuller description.
        return _take_description(c, context, f"{c.data['description']} {event.text.strip()}",
                                 triage(event.text))
    return refuse_input(c, context, event, _("Please answer with the buttons above."))


def _trade(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    if choice and choice.startswith("trade:") and choice[6:] in TRADES:
        c.data["trade"] = choice[6:]
        return _go_where(c, context)
    return refuse_input(c, context, event, _("Please pick one of the buttons above."))


def _go_where(c: Conversation, context: DialogContext) -> Outcome:
    if not context.units:
        # Staff and residents without a unit can only report public areas (001 §2.2.5).
        c.data["location"] = "public"
        c.step = Step.PLACE
        return _ask(c, context)
    c.step = Step.WHERE
    return _ask(c, context)


def _where(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    if choice in ("unit", "public"):
        c.data["location"] = choice
        return _after_where(c, context)
    return refuse_input(c, context, event, _("Please pick one of the buttons above."))


def _after_where(c: Conversation, context: DialogContext) -> Outcome:
    if c.data["location"] == "public":
        c.step = Step.PLACE
    elif not context.units:
        c.data["location"] = "public"
        c.step = Step.PLACE
    elif len(context.units) > 1:
        c.step = Step.UNIT
    else:
        c.data["unit"] = context.units[0].household_id
        c.step = Step.PHOTOS
    return _ask(c, context)


def _unit(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_unit(c, event, context, choice) or _ask_next(c, context, Step.PHOTOS)


def _ask_next(c: Conversation, context: DialogContext, next_step: Step) -> Outcome:
    c.step = next_step
    return _ask(c, context)


def _place(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    text = text_of(event)
    if text is None or len(text) > 200:
        return refuse_input(c, context, event, _("Please tell me the place in a few words."))
    c.data["place"] = text
    c.step = Step.PHOTOS
    return _ask(c, context)


def _photos(c: Conversation, event: Event, context: DialogContext,
            choice: str | None) -> Outcome:
    if choice == "photos_done":
        c.step = Step.TIME
        return _ask(c, context)
    if event.kind is EventKind.PHOTO:
        photos: list[str] = c.data["photos"]
        room = MAX_PHOTOS - len(photos)
        photos.extend(event.photo_file_ids[:room])
        if event.text.strip() and not c.data.get("description"):
            c.data["description"] = event.text.strip()
        if room <= 0:
            return stay(c, context, _("That is enough photos ({limit}).", limit=MAX_PHOTOS))
        return _ask(c, context)
    if text_of(event) is not None:
        c.data["description"] = " ".join(filter(None, [c.data.get("description"),
                                                       event.text.strip()]))
        return stay(c, context, _("Added to the description."))
    return refuse_input(c, context, event, _("Send photos, or tap the button to go on."))


def _time(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_time(c, event, context, choice) or _ask_next(c, context, Step.PHONE)


def _phone(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_phone(c, event, context, choice) or _ask_next(c, context, Step.CONFIRM)


def _confirm(c: Conversation, event: Event, context: DialogContext,
             choice: str | None) -> Outcome:
    if choice != "submit":
        return refuse_input(c, context, event, _("Tap Submit to send the request, "
                                                 "or Cancel."))
    data = c.data
    return Outcome(None, command=SubmitRepair(
        description=data.get("description", ""), trade=data["trade"],
        location=data["location"], household_id=data.get("unit"),
        place=data.get("place", ""), photos=tuple(data["photos"]),
        preferred_time=data["time"], contact_phone=data["phone"],
        service_key=data.get("service")))


_STEPS = {
    Step.WHAT: _what, Step.DETAIL: _detail, Step.CHECK: _check, Step.TRADE: _trade,
    Step.WHERE: _where, Step.UNIT: _unit, Step.PLACE: _place, Step.PHOTOS: _photos,
    Step.TIME: _time, Step.PHONE: _phone, Step.CONFIRM: _confirm,
}

