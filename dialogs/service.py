"""Book a paid service (特约服务): pick from the price list, a time, a phone, confirm.

Diagram: ``service.mmd`` beside this file. A request the catalog does not cover is recorded as
unmet demand with an apology (001 §2.2.7) instead of being turned away.
"""

from __future__ import annotations

from enum import StrEnum

from dialogs.events import Event, Say, inline
from dialogs.flow import (
    button,
    cancel_button,
    phone_keyboard,
    refuse_input,
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
    CatalogItem,
    Conversation,
    DialogContext,
    Outcome,
    RecordDemand,
    SubmitService,
)
from dialogs.times import time_text
from dialogs.triage import triage
from locales import Localized, Raw, Text, _, lines

FLOW = "service"


class Step(StrEnum):
    PICK = "pick"
    DESCRIBE = "describe"
    PROPOSE = "propose"
    UNIT = "unit"
    TIME = "time"
    PHONE = "phone"
    CONFIRM = "confirm"


def price_text(item: CatalogItem) -> Text:
    """'20.00–40.00 yuan / lamp' or '35.00 yuan / hour', in the reader's language."""
    unit = Localized(item.units)
    if item.fixed_price is not None:
        return _("{price} yuan / {unit}", price=Raw(f"{item.fixed_price:.2f}"), unit=unit)
    if item.price_min is not None and item.price_max is not None:
        return _("{low}–{high} yuan / {unit}", low=Raw(f"{item.price_min:.2f}"),
                 high=Raw(f"{item.price_max:.2f}"), unit=unit)
    return _("price agreed on site")


def start(context: DialogContext, nonce: str, service_key: str | None = None) -> Outcome:
    """Open the dialog with the price list, or straight at a service the resident named."""
    conversation = Conversation(FLOW, Step.PICK, {"nonce": nonce})
    if service_key and _item(context, service_key):
        conversation.data["service"] = service_key
        return _after_pick(conversation, context)
    return _ask(conversation, context)


def start_described(context: DialogContext, nonce: str, text: str) -> Outcome:
    """Open the dialog from what the resident wrote: offer the matching service, if any."""
    return _match(Conversation(FLOW, Step.DESCRIBE, {"nonce": nonce}), context, text)


def step(conversation: Conversation, event: Event, context: DialogContext) -> Outcome:
    """Take one message or tap and move the booking on."""
    choice = tapped(conversation, event)
    if choice == "cancel":
        return Outcome(None, [Say(context.chat_id, _("Cancelled. Nothing was booked."))])
    return _STEPS[Step(conversation.step)](conversation, event, context, choice)


def _item(context: DialogContext, key: str | None) -> CatalogItem | None:
    return next((item for item in context.catalog if item.key == key), None)


def _ask(c: Conversation, context: DialogContext) -> Outcome:
    cancel = [cancel_button(c)]
    match Step(c.step):
        case Step.PICK:
            rows = [[button(c, _("{service} · {price}", service=Localized(i.names),
                                     price=price_text(i)), f"svc:{i.key}")]
                    for i in context.catalog]
            keyboard = inline(*rows, [button(c, _("Something else…"), "other")], cancel)
            text: Text = _("Which service would you like? Prices exclude materials.")
        case Step.DESCRIBE:
            keyboard = inline(cancel)
            text = _("What do you need? Describe it in a few words.")
        case Step.PROPOSE:
            item = _item(context, c.data["service"])
            assert item is not None
            keyboard = inline([button(c, _("✅ Yes"), "yes"), button(c, _("No"), "no")],
                              cancel)
            text = _("Do you mean: {service} ({price})?", service=Localized(item.names),
                     price=price_text(item))
        case Step.UNIT:
            keyboard = unit_keyboard(c, context)
            text = _("For which of your homes?")
        case Step.TIME:
            keyboard = time_keyboard(c, context)
            text = _("When should we come? Pick one or type a time.")
        case Step.PHONE:
            keyboard = phone_keyboard(c, context)
            text = _("Which phone number should we call? Tap or type one.")
        case Step.CONFIRM:
            keyboard = inline([button(c, _("📨 Book it"), "submit")], cancel)
            text = _summary(c, context)
    return Outcome(c, [Say(context.chat_id, text, keyboard)])


def _summary(c: Conversation, context: DialogContext) -> Text:
    item = _item(context, c.data["service"])
    assert item is not None
    return lines(
        _("Please check your booking:"),
        _("Service: {service}", service=Localized(item.names)),
        _("Price: {price}", price=price_text(item)),
        _("Unit {unit}", unit=Raw(unit_label(c, context))),
        _("Time: {time}", time=time_text(c.data["time"])),
        _("Contact phone: {phone}", phone=Raw(c.data["phone"])),
        _("The technician confirms the final price with you in this chat before starting."),
    )


def _pick(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    if choice and choice.startswith("svc:") and _item(context, choice[4:]):
        c.data["service"] = choice[4:]
        return _after_pick(c, context)
    if choice == "other":
        c.step = Step.DESCRIBE
        return _ask(c, context)
    if text_of(event) is not None:
        return _describe(c, event, context, None)
    return refuse_input(c, context, event, _("Please pick a service from the list."))


def _describe(c: Conversation, event: Event, context: DialogContext,
              choice: str | None) -> Outcome:
    text = text_of(event)
    if text is None:
        return refuse_input(c, context, event, _("Please describe it in words."))
    return _match(c, context, text)


def _match(c: Conversation, context: DialogContext, text: str) -> Outcome:
    guess = triage(text)
    if guess.service and _item(context, guess.service):
        c.data.update(service=guess.service, request=text)
        c.step = Step.PROPOSE
        return _ask(c, context)
    return _not_offered(text, context, c)


def _not_offered(text: str, context: DialogContext, c: Conversation) -> Outcome:
    return Outcome(None, command=RecordDemand(
        text, context.units[0].household_id if context.units else None))


def _propose(c: Conversation, event: Event, context: DialogContext,
             choice: str | None) -> Outcome:
    if choice == "yes":
        return _after_pick(c, context)
    if choice == "no":
        return _not_offered(c.data.get("request", ""), context, c)
    return refuse_input(c, context, event, _("Please answer with the buttons above."))


def _after_pick(c: Conversation, context: DialogContext) -> Outcome:
    if len(context.units) > 1:
        c.step = Step.UNIT
    else:
        c.data["unit"] = context.units[0].household_id if context.units else None
        c.step = Step.TIME
    return _ask(c, context)


def _unit(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_unit(c, event, context, choice) or _ask_next(c, context, Step.TIME)


def _time(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_time(c, event, context, choice) or _ask_next(c, context, Step.PHONE)


def _phone(c: Conversation, event: Event, context: DialogContext, choice: str | None) -> Outcome:
    return take_phone(c, event, context, choice) or _ask_next(c, context, Step.CONFIRM)


def _ask_next(c: Conversation, context: DialogContext, next_step: Step) -> Outcome:
    c.step = next_step
    return _ask(c, context)


def _confirm(c: Conversation, event: Event, context: DialogContext,
             choice: str | None) -> Outcome:
    if choice != "submit":
        return refuse_input(c, context, event, _("Tap the button to book, or Cancel."))
    return Outcome(None, command=SubmitService(
        service_key=c.data["service"], household_id=c.data.get("unit"),
        preferred_time=c.data["time"], contact_phone=c.data["phone"],
        note=c.data.get("request", "")))


_STEPS = {
    Step.PICK: _pick, Step.DESCRIBE: _describe, Step.PROPOSE: _propose, Step.UNIT: _unit,
    Step.TIME: _time, Step.PHONE: _phone, Step.CONFIRM: _confirm,
}
