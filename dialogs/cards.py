"""How a work order reads in each place: the trade group's job card, the technician's private
card, the resident's notices, the request list. Pure functions of an :class:`OrderView`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dialogs.buttons import Verb, tap
from dialogs.events import Button, InlineKeyboard, inline
from dialogs.model import TRADE_NAMES, TRADES
from dialogs.statuses import MAY_SET_OFF, STATUS_NAMES, WORKING, Status
from dialogs.times import time_text
from locales import Msg, Raw, Text, _, lines

HAZARD_NAMES: dict[str, Msg] = {
    "gas": _("gas smell"),
    "fire": _("fire or smoke"),
    "sparks": _("sparks or burning smell"),
    "lift": _("person trapped in a lift"),
    "flood": _("burst pipe or flooding"),
}


@dataclass(frozen=True, slots=True)
class OrderView:
    """What the cards need to know about one work order."""

    id: int
    number: str
    kind: str
    status: str
    trade: str
    location: str
    unit: str  # "3-1202", empty for public-area reports without a unit
    place: str
    description: str
    preferred_time: str
    created: str  # local wall-clock time, already formatted
    emergency: bool = False
    hazard: str | None = None
    photos: tuple[str, ...] = ()
    contact_name: str = ""
    contact_phone: str = ""
    assignee_name: str = ""
    accepted: str = ""
    service_name: Text = ""
    price_line: Text = ""
    price: Decimal | None = None
    price_confirmed: bool = False
    proposed_time: str = ""
    checklist: tuple[str, ...] = field(default=())
    cancel_reason: str = ""
    visit: str = ""  # the visit window agreed with the resident, already formatted
    visit_typed: bool = False  # the visit is words the technician typed: nothing reminds of it
    # A unit job whose unit is not known (an emergency from a resident of several homes,
    # whose words named none): the resident's homes, for staff to confirm by phone.
    homes: tuple[str, ...] = ()


def where_text(order: OrderView) -> Text:
    """'Unit 3-1202' or 'Public area: lobby of building 3'."""
    if order.location == "public":
        return _("Public area: {place}", place=Raw(order.place or "-"))
    if not order.unit and order.homes:
        return _("Unit not known: the resident has several homes ({units}); confirm which "
                 "by phone.", units=Raw(", ".join(order.homes)))
    return _("Unit {unit}", unit=Raw(order.unit or "-"))


def _headline(order: OrderView) -> Text:
    what = order.service_name or TRADE_NAMES.get(order.trade, "")
    if order.emergency:
        return _("🚨 EMERGENCY {number} · {what}", number=Raw(order.number), what=what)
    return _("{number} · {what}", number=Raw(order.number), what=what)


def _when(order: OrderView) -> Text | None:
    """The visit agreed with the resident; until one is, the time they said suits them."""
    if order.visit:
        return lines(_("Agreed visit: {time}", time=Raw(order.visit)),
                     _("(Typed, not a visit window: nobody is reminded of it, and a missed "
                       "visit is not noticed.)") if order.visit_typed else None)
    if order.preferred_time:
        return _("Convenient time: {time}", time=time_text(order.preferred_time))
    return None


def money(amount: Decimal) -> Raw:
    return Raw(f"{amount:.2f}")


def group_card(order: OrderView, *, when: bool = True) -> Text:
    """The job card in the trade group: no resident name or phone before acceptance; without
    the time when not *when*."""
    return lines(
        _headline(order),
        where_text(order),
        _("Problem: {text}", text=Raw(order.description)) if order.description else None,
        _("Hazard: {hazard}", hazard=HAZARD_NAMES[order.hazard]) if order.hazard else None,
        _when(order) if when else None,
        order.price_line or None,
        _("Photos: {count}", count=len(order.photos)) if order.photos else None,
        _("Reported: {time}", time=Raw(order.created)),
    )


def group_card_keyboard(order: OrderView) -> InlineKeyboard:
    return inline([Button(_("✋ Accept"), tap(Verb.ACCEPT, order.id))])


def taken_card(order: OrderView) -> Text:
    """The group card after someone accepted it: without the visit time, which is the
    technician's and the resident's to agree and move (shown here, it would go stale)."""
    return lines(group_card(order, when=False), _("✅ Taken by {name} at {time}",
                                      name=Raw(order.assignee_name), time=Raw(order.accepted)))


def private_card(order: OrderView) -> Text:
    """The accepting technician's full card, with the resident's name and phone."""
    checklist = [Raw(f"• {step}") for step in order.checklist]
    return lines(
        _headline(order),
        _("Status: {status}", status=STATUS_NAMES.get(order.status, order.status)),
        where_text(order),
        _("Resident: {name}, tel. {phone}", name=Raw(order.contact_name or "-"),
          phone=Raw(order.contact_phone or "-")),
        _("Problem: {text}", text=Raw(order.description)) if order.description else None,
        _when(order),
        _("Proposed new time: {time} (waiting for the resident)",
          time=time_text(order.proposed_time)) if order.proposed_time else None,
        order.price_line or None,
        (_("Price agreed: {amount} yuan", amount=money(order.price)) if order.price_confirmed
         else _("Price proposed: {amount} yuan (waiting for the resident)",
                amount=money(order.price))) if order.price is not None else None,
        _("Checklist:") if checklist else None,
        *checklist,
    )


def private_card_keyboard(order: OrderView) -> InlineKeyboard:
    """The technician's next steps, by status; handlers re-check every tap."""
    if order.status not in WORKING:
        return inline()
    paid = order.kind == "service"
    first: list[Button] = []
    if order.status in MAY_SET_OFF:
        first.append(Button(_("🚶 On my way"), tap(Verb.SET_OFF, order.id)))
    first.append(Button(_("🕒 Propose another time"), tap(Verb.PROPOSE_TIME, order.id)))
    second: list[Button] = []
    if paid and not order.price_confirmed:
        second.append(Button(_("💰 Propose the price"), tap(Verb.PROPOSE_PRICE, order.id)))
    else:
        second.append(Button(_("✅ Done"), tap(Verb.FINISH, order.id)))
    return inline(first, second, [Button(_("⚠️ Report damage or loss"),
                                         tap(Verb.REPORT_DAMAGE, order.id))])


def request_line(order: OrderView) -> Text:
    """One line of the resident's /my list."""
    what = order.service_name or TRADE_NAMES.get(order.trade, "")
    return _("{number} · {what} · {status}", number=Raw(order.number), what=what,
             status=STATUS_NAMES.get(order.status, order.status))



# -- the resident's receipt, and changing the kind of work ---------------------------------
def receipt(order: OrderView, minutes: int, to_dispatch: bool) -> Text:
    """What the resident is promised when the request is in (001 §2.4.3)."""
    return lines(
        _("✅ Received: {number}.", number=Raw(order.number)),
        _("No technician for “{trade}” is free right now, so a dispatcher is arranging one "
          "for you; we will tell you who is coming.",
          trade=TRADE_NAMES.get(order.trade, TRADE_NAMES["other"])) if to_dispatch else
        _("A technician will take it shortly; we will tell you who is coming and when, "
          "within {minutes} minutes.", minutes=minutes),
    )


def may_change_trade(order: OrderView) -> bool:
    """A repair nobody has taken yet may still change its kind of work."""
    return order.kind == "repair" and order.status == Status.OPEN and not order.emergency


def receipt_keyboard(order: OrderView, menu: InlineKeyboard) -> InlineKeyboard:
    """The receipt's buttons: change the kind of work while nobody took it, then the menu."""
    change = [Button(_("🔀 Not {trade}? Change it", trade=TRADE_NAMES.get(
        order.trade, TRADE_NAMES["other"])), tap(Verb.CHANGE_TRADE, order.id))]
    return InlineKeyboard(((tuple(change),) if may_change_trade(order) else ()) + menu.rows)


def trade_choices(order: OrderView) -> InlineKeyboard:
    """Every other kind of work, one tap each, and a way to keep the current one."""
    others = [Button(TRADE_NAMES[t], tap(Verb.SET_TRADE, order.id, t)) for t in TRADES
              if t != order.trade]
    keep = Button(_("↩ Keep {trade}", trade=TRADE_NAMES.get(order.trade, TRADE_NAMES["other"])),
                  tap(Verb.SET_TRADE, order.id, order.trade))
    return inline(*[others[i:i + 3] for i in range(0, len(others), 3)], [keep])


# -- the resident's side of a job: the finished work ------------------------------------------
def done_notice(order: OrderView, note: str, *, asking: bool = True) -> Text:
    """The finished work as the resident reads it; while *asking*, with what to do next."""
    return lines(
        _("🔧 The work on {number} is done.", number=Raw(order.number)),
        _("Materials: {note}", note=Raw(note)) if note else None,
        _("Price agreed: {amount} yuan", amount=money(order.price))
        if order.price is not None and order.price_confirmed else None,
        _("Please check it. Confirming is your signature on the work order; if something is "
          "still wrong, ask for rework.") if asking else None,
    )


def done_keyboard(order: OrderView) -> InlineKeyboard:
    return inline([Button(_("✅ Confirm (sign)"), tap(Verb.SIGN, order.id)),
                   Button(_("🔁 Ask for rework"), tap(Verb.ASK_REWORK, order.id))])
