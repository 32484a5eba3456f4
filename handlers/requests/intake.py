"""Taking requests in: a repair or paid service the resident confirmed, and free text written
outside any dialog, which triage sends down the right path."""

from __future__ import annotations

from dialogs import repair, service
from dialogs.menu import main_menu, menu_text
from dialogs.model import Outcome, SubmitRepair, SubmitService, ToFrontDesk
from dialogs.triage import triage
from handlers.front_desk import inbox
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.people import is_staff
from handlers.requests.new_orders import household_of, open_order
from handlers.work_orders.trade_change import send_receipt
from locales import _
from storage.models import WorkOrder


def submit_repair(caller: Caller, command: SubmitRepair) -> None:
    """The resident confirmed a repair request: open the work order."""
    household = household_of(caller, command.household_id) if command.location == "unit" else None
    order = open_order(caller, WorkOrder(
        kind="repair", trade=command.trade, location=command.location,
        household_id=household.id if household else None, place=command.place,
        description=command.description, photos=list(command.photos),
        preferred_time=command.preferred_time, contact_phone=command.contact_phone,
        service_key=command.service_key, callback_class=_callback_class(command.description),
        number=""))
    _acknowledge(caller, order)


def submit_service(caller: Caller, command: SubmitService) -> None:
    """The resident booked a paid service: open the work order with its price list line."""
    item = caller.uow.office.catalog.get(command.service_key)
    if item is None:
        caller.reply(_("Sorry, that service is no longer offered. Nothing was booked."))
        return
    household = household_of(caller, command.household_id)
    order = open_order(caller, WorkOrder(
        kind="service", trade=item.trade, location="unit",
        household_id=household.id if household else None, description=command.note,
        preferred_time=command.preferred_time, contact_phone=command.contact_phone,
        service_key=item.key, price=item.fixed_price, number=""))
    _acknowledge(caller, order)


def _acknowledge(caller: Caller, order: WorkOrder) -> None:
    send_receipt(caller, order)  # who takes it, and the kind of work to change in one tap


def _callback_class(description: str) -> str:
    return triage(description).callback_class or "other" if description else "other"


def free_text(caller: Caller, text: str) -> Outcome | None:
    """Understand text written outside any dialog and start the right flow (the reception has
    already checked it for danger)."""
    guess = triage(text)
    context = caller.context()
    if guess.intent == "repair":
        return repair.start_with_guess(context, new_nonce(), text, guess)
    if guess.intent == "service":
        return service.start_described(context, new_nonce(), text)
    if guess.intent in ("complaint", "enquiry", "fee"):
        inbox.take_in(caller, ToFrontDesk(guess.intent, text, guess.severity))
        return None
    name = caller.person.name if caller.person else caller.event.user_name
    caller.reply(menu_text(name), main_menu(is_staff(caller.person)))
    return None
