"""The technician on the job, in the private chat: on the way, another time, the price, done,
damage or loss, the card again. Every tap and every answer is re-checked against the order now.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from dialogs import answers, cards
from dialogs.answers import parse_quote
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Priority, Say, inline
from dialogs.model import AnswerText, CatalogItem, Outcome
from dialogs.service import price_text
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE, is_assignee
from handlers.work_orders import appointments, states
from handlers.work_orders.notify import (
    alert_managers,
    close_for_resident,
    done_ref,
    quote_ref,
    redraw_private_card,
    refresh_private_card,
    send_private_card,
    tell_resident,
    time_ref,
    view,
)
from locales import Localized, Raw, _, lines
from storage.models import WorkOrder


def set_off(caller: Caller, order: WorkOrder) -> None:
    """The technician sets off; the resident is told."""
    if not states.may(caller, order, states.SET_OFF) or not states.move(
            caller.session, order, states.SET_OFF, caller.now):
        caller.refuse(OUT_OF_DATE)
        return
    caller.log("on_way", order)
    refresh_private_card(caller, order)
    assert caller.person is not None
    tell_resident(caller, order, _("🚶 {name} is on the way for {number}.",
                                   name=Raw(caller.person.name), number=Raw(order.number)))
    appointments.on_the_way(caller, order)
    caller.toast(_("The resident has been told."))


def _may_ask(caller: Caller, order: WorkOrder, purpose: str) -> bool:
    """Whether the question *purpose* may be asked about *order* by *caller* now."""
    working = is_assignee(caller, order) and order.status in states.WORKING
    if purpose == "price":
        return (working and order.kind == "service" and order.price_confirmed_at is None)
    if purpose == "damage":
        return is_assignee(caller, order) and order.status not in states.FINISHED
    if purpose == "rework_reason":
        return states.may(caller, order, states.ASK_REWORK)
    if purpose == "cancel_reason":
        return states.may(caller, order, states.CANCEL)
    return working  # new_time, done_note


def ask_about(caller: Caller, order: WorkOrder, purpose: str) -> Outcome | None:
    """Start a short question (new time, price, done note, damage, rework or cancel reason)."""
    if not _may_ask(caller, order, purpose):
        caller.refuse(OUT_OF_DATE)
        return None
    if purpose == "done_note" and order.kind == "service" and order.price_confirmed_at is None:
        caller.refuse(_("Please confirm the price with the resident before finishing."))
        return None
    caller.toast()
    assert order.id is not None
    return answers.ask(caller.context(), new_nonce(), purpose, order.id, order.number)


def new_time(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """The technician proposes another time; the resident agrees or declines (2.3.2)."""
    if not _may_ask(caller, order, "new_time"):
        caller.reply(OUT_OF_DATE)
        return
    order.proposed_time = command.text
    caller.log("time_proposed", order, time=command.text)
    assert caller.person is not None
    keyboard = inline([Button(_("✅ That suits me"), tap(Verb.ANSWER_TIME, order.id, "yes")),
                       Button(_("✖ It does not suit me"),
                              tap(Verb.ANSWER_TIME, order.id, "no"))])
    tell_resident(caller, order, _("🕒 {name} proposes a new time for {number}: {time}. "
                                   "Does it suit you?", name=Raw(caller.person.name),
                                   number=Raw(order.number), time=Raw(command.text)), keyboard,
                  ref=time_ref(order.id))
    caller.reply(_("Sent to the resident; you will hear their answer here."))


def off_the_list(item: CatalogItem | None, amount: Decimal) -> bool:
    """Whether *amount* is outside the catalog's price: below or above its range, or not a
    whole number of its fixed unit price (3 hours of cleaning at 35 is on the list)."""
    if item is None or item.price_min is None or item.price_max is None:
        return False  # no list price: agreed on site
    if item.fixed_price is not None:
        units = amount / item.fixed_price
        return units < 1 or units != units.to_integral_value()
    return not item.price_min <= amount <= item.price_max


def propose_price(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """The technician states the price; the resident confirms it before work starts (2.4.4).

    A price off the catalog's list needs a reason, written after it ("350 换了整个阀体"); the
    resident reads it with the list price, and the dispatcher is told."""
    quote = parse_quote(command.text)
    if quote is None or not _may_ask(caller, order, "price"):
        caller.reply(OUT_OF_DATE)
        return
    amount, reason = quote
    item = caller.uow.office.catalog.get(order.service_key)
    off_list = off_the_list(item, amount)
    if off_list and not reason:
        assert item is not None and order.id is not None
        caller.reply(_("{amount} yuan is off the price list ({price}). Please send the price "
                       "again with the reason after it, for example “{amount} two valves "
                       "replaced”; the dispatcher will see it.", amount=cards.money(amount),
                       price=price_text(item)))
        caller.start_dialog(answers.ask(caller.context(), new_nonce(), "price", order.id,
                                        order.number))
        return
    order.price = amount
    order.price_reason = reason[:500] if off_list else ""
    caller.log("price_proposed", order, amount=str(amount), off_list=off_list,
               reason=order.price_reason)
    keyboard = inline([Button(_("✅ Confirm the price"),
                              tap(Verb.ANSWER_PRICE, order.id, "yes")),
                       Button(_("✖ Decline"), tap(Verb.ANSWER_PRICE, order.id, "no"))])
    assert caller.person is not None
    tell_resident(caller, order, lines(
        _("💰 The price for {number} is {amount} yuan. Please confirm before work starts.",
          number=Raw(order.number), amount=cards.money(amount)),
        _("The price list says {price}; {name} explains: {reason}", price=price_text(item),
          name=Raw(caller.person.name), reason=Raw(order.price_reason))
        if off_list and item is not None else None), keyboard, ref=quote_ref(order.id))
    if off_list and item is not None:
        for chat_id in alert_chats(caller.session, *DESK_CHATS):
            caller.uow.send(Say(chat_id, _(
                "⚠️ Price off the list: {name} quoted {amount} yuan for {number} ({service}; "
                "the list says {price}). Reason: {reason}", name=Raw(caller.person.name),
                amount=cards.money(amount), number=Raw(order.number),
                service=Localized(item.names), price=price_text(item),
                reason=Raw(order.price_reason)), priority=Priority.INTERACTIVE))
    caller.reply(_("Price sent to the resident for confirmation."))


def finish(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """The technician reports the job done, with materials and photos; the resident signs."""
    if not states.may(caller, order, states.FINISH) or not states.move(
            caller.session, order, states.FINISH, caller.now,
            materials_note=command.text[:1000], proposed_time="",
            done_photos=[*order.done_photos, *command.photos]):
        caller.reply(OUT_OF_DATE)
        return
    caller.log("done", order, materials=command.text, photos=len(command.photos))
    if command.photos and order.reporter_chat_id is not None:
        caller.uow.send(Say(order.reporter_chat_id, "", photos=command.photos))
    shown = view(caller, order)
    tell_resident(caller, order, cards.done_notice(shown, command.text),
                  cards.done_keyboard(shown), ref=done_ref(order.id))
    redraw_private_card(caller.uow, order)  # done: the card's steps are over
    # A new time the resident never answered is moot once the work is done (proposed_time
    # was cleared with the move): its buttons go.
    close_for_resident(caller.uow, order, time_ref(order.id), "")
    appointments.close(caller.uow, order)
    caller.reply(_("Marked done. The resident has been asked to confirm."))


def report_damage(caller: Caller, order: WorkOrder, command: AnswerText) -> None:
    """Damage to or loss of the resident's property during work goes to the manager (2.5.6)."""
    if not _may_ask(caller, order, "damage"):
        caller.reply(OUT_OF_DATE)
        return
    caller.log("damage_reported", order, text=command.text)
    assert caller.person is not None
    alert_managers(caller, _("⚠️ Damage or loss reported by {name} on {number}: {text}",
                             name=Raw(caller.person.name), number=Raw(order.number),
                             text=Raw(command.text)))
    caller.reply(_("The manager has been told. Thank you for reporting it."))


def show_card(caller: Caller, order: WorkOrder) -> None:
    """Send the assignee's private card again."""
    if not is_assignee(caller, order):
        caller.refuse(OUT_OF_DATE)
        return
    caller.toast()
    send_private_card(caller, order, caller.chat_id)


ANSWERS: dict[str, Callable[[Caller, WorkOrder, AnswerText], None]] = {
    "new_time": new_time, "price": propose_price, "done_note": finish, "damage": report_damage,
}
