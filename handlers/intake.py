"""Taking requests in: repairs, paid services, emergencies, front-desk questions, unmet demand."""

from __future__ import annotations

from sqlmodel import col, func, select

from dialogs import cards, repair, service
from dialogs.events import Priority, Say
from dialogs.menu import main_menu, menu_text
from dialogs.model import (
    Outcome,
    RecordDemand,
    ReportEmergency,
    SubmitRepair,
    SubmitService,
    ToFrontDesk,
)
from dialogs.triage import triage
from handlers import frontdesk
from handlers.conversations import new_nonce
from handlers.people import alert_chats, is_staff, staff_chat, unit_label
from handlers.views import order_view, wall_clock
from handlers.visit import Visit
from locales import Msg, Raw, _, lines
from storage.models import FrontDeskRequest, Household, UnmetDemand, WorkOrder

SAFETY_INSTRUCTIONS: dict[str, Msg] = {
    "gas": _("⚠️ Gas smell: do NOT switch lights or appliances on or off, no flames, do not "
             "phone from inside. Open windows and doors, close the gas valve if you can reach "
             "it safely, and leave. Then call the estate hotline {hotline}."),
    "fire": _("🔥 Fire or smoke: leave at once by the stairs, never the lift. Close doors "
              "behind you, stay low under smoke. Call 119, then the estate hotline {hotline}."),
    "sparks": _("⚡ Sparks or burning smell: switch off the main breaker if you can do it "
                "safely, do not touch the socket or wires, never use water on it. Estate "
                "hotline: {hotline}."),
    "lift": _("🛗 Stay calm. Press the alarm button in the lift and keep away from the doors; "
              "do not try to force them open. Help is on the way. Estate hotline: {hotline}."),
    "flood": _("💧 Close the main water valve (usually beside the water meter), switch off "
               "power in wet rooms and keep away from sockets. Estate hotline: {hotline}."),
}
FRONT_DESK_THANKS: dict[str, Msg] = {
    "complaint": _("We are sorry for the trouble, and thank you for telling us. Your complaint "
                   "{reference} has been recorded."),
    "enquiry": _("Thank you for your question. It has been recorded as {reference}."),
    "fee": _("Thank you. Your fee question has been recorded as {reference}."),
    "other": _("Thank you. Your message has been recorded as {reference}."),
}


def next_order_number(v: Visit) -> str:
    """'WO-20261122-0007': the office's date and a daily sequence."""
    day = v.now.astimezone(v.uow.office.timezone).strftime("%Y%m%d")
    prefix = f"WO-{day}-"
    last = v.session.exec(select(func.max(WorkOrder.number))
                          .where(col(WorkOrder.number).startswith(prefix))).one()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _household(v: Visit, household_id: int | None) -> Household | None:
    """The unit, only if this person is bound to it (never trust an id from a dialog blindly)."""
    units = {u.household_id for u in v.context().units}
    return v.session.get(Household, household_id) if household_id in units else None


def _open_order(v: Visit, order: WorkOrder) -> WorkOrder:
    """Store a new work order, post its card to the trade's group and tell the front desk."""
    order.number = next_order_number(v)
    order.created_at = v.now
    order.reporter_id = v.person.id if v.person else None
    order.reporter_chat_id = v.chat_id
    if not order.contact_name:
        order.contact_name = v.person.name if v.person and v.person.name else v.event.user_name
    v.session.add(order)
    v.session.flush()
    v.log("created", order, kind=order.kind, trade=order.trade, emergency=order.emergency)
    view = order_view(v.session, order, v.uow.office.catalog, v.uow.office.timezone)
    board = staff_chat(v.session, "trade", order.trade)
    if board is not None:
        v.uow.send(Say(board.chat_id, cards.group_card(view), cards.group_card_keyboard(view),
                       ref=f"card:{order.id}", priority=Priority.NOTICE))
    for chat_id in alert_chats(v.session, "dispatch"):
        notice = lines(_("New request:"), cards.group_card(view), _(
            "No job board is bound for this trade: please assign it.") if board is None
            else None)
        v.uow.send(Say(chat_id, notice, priority=Priority.NOTICE))
    return order


def submit_repair(v: Visit, command: SubmitRepair) -> None:
    """The resident confirmed a repair request: open the work order."""
    household = _household(v, command.household_id) if command.location == "unit" else None
    order = _open_order(v, WorkOrder(
        kind="repair", trade=command.trade, location=command.location,
        household_id=household.id if household else None, place=command.place,
        description=command.description, photos=list(command.photos),
        preferred_time=command.preferred_time, contact_phone=command.contact_phone,
        service_key=command.service_key, callback_class=_callback_class(command.description),
        number=""))
    _acknowledge(v, order)


def submit_service(v: Visit, command: SubmitService) -> None:
    """The resident booked a paid service: open the work order with its price list line."""
    item = v.uow.office.catalog.get(command.service_key)
    if item is None:
        v.reply(_("Sorry, that service is no longer offered. Nothing was booked."))
        return
    household = _household(v, command.household_id)
    order = _open_order(v, WorkOrder(
        kind="service", trade=item.trade, location="unit",
        household_id=household.id if household else None, description=command.note,
        preferred_time=command.preferred_time, contact_phone=command.contact_phone,
        service_key=item.key, price=item.fixed_price, number=""))
    _acknowledge(v, order)


def _acknowledge(v: Visit, order: WorkOrder) -> None:
    v.reply(lines(
        _("✅ Received: {number}.", number=Raw(order.number)),
        _("A technician will take it shortly; we will tell you who is coming and when, "
          "within 15 minutes."),
    ), main_menu(is_staff(v.person)))


def _callback_class(description: str) -> str:
    return triage(description).callback_class or "other" if description else "other"


def report_emergency(v: Visit, command: ReportEmergency) -> None:
    """Safety instructions first, then the emergency order and the on-duty alert."""
    hotline = Raw(v.uow.office.rules.hotline)
    v.reply(Msg(SAFETY_INSTRUCTIONS[command.hazard].msgid, {"hotline": hotline}))
    units = v.context().units
    household_id = units[0].household_id if units and command.location == "unit" else None
    order = _open_order(v, WorkOrder(
        kind="repair", trade=command.trade, location=command.location,
        household_id=household_id, description=command.text, emergency=True,
        hazard=command.hazard, contact_phone=v.context().roster_phone,
        preferred_time="@asap", callback_class=triage(command.text).callback_class or "other",
        number=""))
    view = order_view(v.session, order, v.uow.office.catalog, v.uow.office.timezone)
    reporter = Raw(order.contact_name or v.event.user_name)
    alert = lines(cards.group_card(view), _("Reported by {name}, tel. {phone}", name=reporter,
                                            phone=Raw(order.contact_phone or "-")))
    for chat_id in {*alert_chats(v.session, "emergency", "dispatch"),
                    *alert_chats(v.session, "managers")}:
        v.uow.send(Say(chat_id, alert, priority=Priority.INTERACTIVE))
    v.log("emergency_alerted", order, hazard=command.hazard)
    v.reply(_("🚨 On-duty staff have been alerted ({number}). Stay safe; we will call you.",
              number=Raw(order.number)))


# Who handles each hazard, and where it most likely is, when it was reported with a button.
HAZARD_TRADES: dict[str, tuple[str, str]] = {
    "gas": ("gas", "unit"), "fire": ("security", "unit"), "lift": ("lift", "public"),
    "sparks": ("electrical", "unit"), "flood": ("plumbing", "unit"),
}


def report_emergency_button(v: Visit, hazard: str) -> None:
    """The emergency button: the same path as an emergency written in words."""
    trade, location = HAZARD_TRADES[hazard]
    report_emergency(v, ReportEmergency("", hazard, trade, location))


def to_front_desk(v: Visit, command: ToFrontDesk) -> None:
    """Record a complaint, enquiry or fee question and promise an answer within 24 hours."""
    units = v.context().units
    request = FrontDeskRequest(
        kind=command.kind, severity=command.severity, person_id=v.person.id if v.person else None,
        household_id=units[0].household_id if units else None, chat_id=v.chat_id,
        text=command.text, created_at=v.now,
        due_at=v.now + v.uow.office.rules.response_deadline)
    v.session.add(request)
    v.session.flush()
    reference = Raw(frontdesk.reference(request.id))
    v.log("front_desk_request", kind=command.kind, request_id=request.id)
    due = Raw(wall_clock(request.due_at, v.uow.office.timezone))
    v.reply(lines(Msg(FRONT_DESK_THANKS[command.kind].msgid, {"reference": reference}),
                  _("The front desk will answer you here within 24 hours (by {due}).", due=due)))
    purposes = ["dispatch", *(["managers"] if command.severity == "major" else [])]
    for purpose in purposes:
        for chat_id in alert_chats(v.session, purpose):
            v.uow.send(Say(chat_id, frontdesk.notice(v.session, request),
                           frontdesk.reply_keyboard(request.id), ref=f"fd:{request.id}",
                           priority=Priority.NOTICE))


def record_demand(v: Visit, command: RecordDemand) -> None:
    """Apologise, record the wish with name and unit, promise an announcement (001 §2.2.7)."""
    household = _household(v, command.household_id)
    v.session.add(UnmetDemand(
        person_id=v.person.id if v.person else None,
        household_id=household.id if household else None,
        name=v.person.name if v.person else v.event.user_name,
        unit=unit_label(household) if household else "", request=command.request,
        created_at=v.now))
    v.log("unmet_demand", request=command.request)
    v.reply(_("Sorry, we do not offer this service yet. We have recorded your request and will "
              "announce it here when it becomes available."), main_menu(is_staff(v.person)))


def free_text(v: Visit, text: str) -> Outcome | None:
    """Understand text written outside any dialog and start the right flow."""
    guess = triage(text)
    context = v.context()
    if guess.emergency and guess.hazard:
        report_emergency(v, ReportEmergency(text, guess.hazard, guess.trade or "other",
                                            guess.location or "unit"))
        return None
    if guess.intent == "repair":
        return repair.start_with_guess(context, new_nonce(), text, guess)
    if guess.intent == "service":
        return service.start_described(context, new_nonce(), text)
    if guess.intent in ("complaint", "enquiry", "fee"):
        to_front_desk(v, ToFrontDesk(guess.intent, text, guess.severity))
        return None
    name = v.person.name if v.person else v.event.user_name
    v.reply(menu_text(name), main_menu(is_staff(v.person)))
    return None


