"""The work order's life after intake: accept, on the way, new time, price, done, signature,
rework, cancel, damage. Every tap is re-authorised here; button data is only a reference.

States (see ``docs`` in README): open → accepted → on_way → in_progress → done → confirmed,
done → rework → … → done, and open/accepted/on_way → cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import col, or_, select

from dialogs import answers, cards
from dialogs.answers import parse_price
from dialogs.events import Button, Edit, InlineKeyboard, Priority, Say, inline
from dialogs.model import AnswerText, Outcome
from handlers import followups, surveys
from handlers.conversations import new_nonce
from handlers.people import alert_chats, staff_chat
from handlers.views import order_view
from handlers.visit import Visit
from locales import Raw, Text, _, lines
from storage.models import Person, WorkOrder

WORKING = ("accepted", "on_way", "in_progress", "rework")
CANCELLABLE = ("open", "accepted", "on_way")
FINISHED = ("confirmed", "cancelled")
STALE = _("This button is out of date; nothing was changed.")


def order_from_data(v: Visit, data: str) -> WorkOrder | None:
    """The order a button refers to (``verb:<id>[:…]``), or None if it does not exist."""
    parts = data.split(":")
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return v.session.get(WorkOrder, int(parts[1]))


def _view(v: Visit, order: WorkOrder) -> cards.OrderView:
    return order_view(v.session, order, v.uow.office.catalog, v.uow.office.timezone)


def owns(v: Visit, order: WorkOrder) -> bool:
    """A resident may act only on orders they reported or for a unit they are bound to."""
    if v.person is None:
        return False
    if order.reporter_id == v.person.id:
        return True
    return order.household_id in {u.household_id for u in v.context().units}


def is_assignee(v: Visit, order: WorkOrder) -> bool:
    return v.person is not None and order.assignee_id == v.person.id


def _tell_resident(v: Visit, order: WorkOrder, text: Text,
                   keyboard: InlineKeyboard | None = None) -> None:
    if order.reporter_chat_id is not None:
        v.uow.send(Say(order.reporter_chat_id, text, keyboard, priority=Priority.INTERACTIVE))


def _tell_assignee(v: Visit, order: WorkOrder, text: Text) -> None:
    assignee = v.session.get(Person, order.assignee_id) if order.assignee_id else None
    if assignee and assignee.telegram_user_id:
        v.uow.send(Say(assignee.telegram_user_id, text))
        _send_private_card(v, order, assignee.telegram_user_id)


def _send_private_card(v: Visit, order: WorkOrder, chat_id: int) -> None:
    view = _view(v, order)
    v.uow.send(Say(chat_id, cards.private_card(view), cards.private_card_keyboard(view),
                   ref=f"pcard:{order.id}"))


def _alert_managers(v: Visit, text: Text) -> None:
    for chat_id in alert_chats(v.session, "managers", "dispatch"):
        v.uow.send(Say(chat_id, text, priority=Priority.INTERACTIVE))


# -- the trade group ---------------------------------------------------------------------
def accept(v: Visit, order: WorkOrder) -> None:
    """First valid tap wins: a conditional update makes concurrent taps race-safe."""
    person = v.person
    if person is None or person.role != "technician":
        v.refuse(_("Only technicians can accept jobs. Bind yourself first with your staff code."))
        return
    if order.trade not in person.trades:
        v.refuse(_("This job is for another trade; nothing was changed."))
        return
    board = staff_chat(v.session, "trade", order.trade)
    if board is None or board.chat_id != v.chat_id:
        v.refuse(STALE)
        return
    if not hand_over(v, order, person, card_message_id=v.event.message_id):
        refuse_taken(v, order)
        return
    v.log("accepted", order)
    v.toast(_("You took {number}. The details are in your private chat with me.",
              number=Raw(order.number)))


def refuse_taken(v: Visit, order: WorkOrder) -> None:
    """Tell a late tapper who was first."""
    taker = v.session.get(Person, order.assignee_id) if order.assignee_id else None
    v.refuse(_("Already taken by {name}.", name=Raw(taker.name)) if taker else STALE)


def hand_over(v: Visit, order: WorkOrder, technician: Person, *,
              card_message_id: int | None = None) -> bool:
    """Make *technician* the assignee if the order is still open, and tell everyone.

    A conditional update makes concurrent taps race-safe: False means someone was first.
    Used by a technician's Accept and by a dispatcher's assignment.
    """
    result = v.session.execute(
        update(WorkOrder).where(col(WorkOrder.id) == order.id, col(WorkOrder.status) == "open")
        .values(status="accepted", assignee_id=technician.id, accepted_at=v.now))
    v.session.refresh(order)
    if getattr(result, "rowcount", 0) != 1:
        return False
    view = _view(v, order)
    board = staff_chat(v.session, "trade", order.trade)
    if board is not None:
        v.uow.send(Edit(board.chat_id, cards.taken_card(view), inline(),
                        message_id=card_message_id if board.chat_id == v.chat_id else None,
                        ref=f"card:{order.id}"))
    assert technician.telegram_user_id is not None
    if order.photos:
        v.uow.send(Say(technician.telegram_user_id, "", photos=tuple(order.photos)))
    _send_private_card(v, order, technician.telegram_user_id)
    _tell_resident(v, order, _("👷 {number} was accepted by {name} at {time}. They will contact "
                               "you at {phone}.", number=Raw(order.number),
                               name=Raw(technician.name), time=Raw(view.accepted),
                               phone=Raw(order.contact_phone or "-")))
    return True


# -- the technician, privately -----------------------------------------------------------
def on_way(v: Visit, order: WorkOrder) -> None:
    """The technician sets off; the resident is told."""
    if not is_assignee(v, order) or order.status not in ("accepted", "rework"):
        v.refuse(STALE)
        return
    order.status = "on_way"
    order.on_way_at = v.now
    v.log("on_way", order)
    _refresh_card(v, order)
    assert v.person is not None
    _tell_resident(v, order, _("🚶 {name} is on the way for {number}.",
                               name=Raw(v.person.name), number=Raw(order.number)))
    v.toast(_("The resident has been told."))


def _refresh_card(v: Visit, order: WorkOrder) -> None:
    """Edit the tapped private card in place instead of sending a new one."""
    view = _view(v, order)
    v.uow.send(Edit(v.chat_id, cards.private_card(view), cards.private_card_keyboard(view),
                    message_id=v.event.message_id, ref=f"pcard:{order.id}"))


def ask_about(v: Visit, order: WorkOrder, purpose: str) -> Outcome | None:
    """Start a short question (new time, price, done note, damage) after checking the tap."""
    allowed: dict[str, Callable[[], bool]] = {
        "new_time": lambda: is_assignee(v, order) and order.status in WORKING,
        "price": lambda: (is_assignee(v, order) and order.status in WORKING
                          and order.kind == "service" and order.price_confirmed_at is None),
        "done_note": lambda: is_assignee(v, order) and order.status in WORKING,
        "damage": lambda: is_assignee(v, order) and order.status not in FINISHED,
        "rework_reason": lambda: owns(v, order) and order.status == "done",
        "cancel_reason": lambda: owns(v, order) and order.status in CANCELLABLE,
    }
    if not allowed[purpose]():
        v.refuse(STALE)
        return None
    if purpose == "done_note" and order.kind == "service" and order.price_confirmed_at is None:
        v.refuse(_("Please confirm the price with the resident before finishing."))
        return None
    v.toast()
    assert order.id is not None
    return answers.ask(v.context(), new_nonce(), purpose, order.id, order.number)


def answer(v: Visit, command: AnswerText) -> None:
    """Apply an answer to a question asked earlier, re-checking the order's state now."""
    if command.purpose in followups.ANSWERS:
        followups.ANSWERS[command.purpose](v, command)
        return
    order = v.session.get(WorkOrder, command.subject_id)
    if order is None:
        v.reply(STALE)
        return
    handler = _ANSWERS[command.purpose]
    handler(v, order, command)


def _new_time(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    if not (is_assignee(v, order) and order.status in WORKING):
        v.reply(STALE)
        return
    order.proposed_time = command.text
    v.log("time_proposed", order, time=command.text)
    assert v.person is not None
    keyboard = inline([Button(_("✅ That suits me"), f"ta:{order.id}:y"),
                       Button(_("✖ It does not suit me"), f"ta:{order.id}:n")])
    _tell_resident(v, order, _("🕒 {name} proposes a new time for {number}: {time}. "
                               "Does it suit you?", name=Raw(v.person.name),
                               number=Raw(order.number), time=Raw(command.text)), keyboard)
    v.reply(_("Sent to the resident; you will hear their answer here."))


def _price(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    amount = parse_price(command.text)
    if amount is None or not (is_assignee(v, order) and order.kind == "service"
                              and order.status in WORKING and order.price_confirmed_at is None):
        v.reply(STALE)
        return
    order.price = amount
    v.log("price_proposed", order, amount=str(amount))
    keyboard = inline([Button(_("✅ Confirm the price"), f"pa:{order.id}:y"),
                       Button(_("✖ Decline"), f"pa:{order.id}:n")])
    _tell_resident(v, order, _("💰 The price for {number} is {amount} yuan. Please confirm "
                               "before work starts.", number=Raw(order.number),
                               amount=cards.money(amount)), keyboard)
    v.reply(_("Price sent to the resident for confirmation."))


def _done(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    if not (is_assignee(v, order) and order.status in WORKING):
        v.reply(STALE)
        return
    order.status = "done"
    order.done_at = v.now
    order.materials_note = command.text[:1000]
    order.done_photos = [*order.done_photos, *command.photos]
    v.log("done", order, materials=command.text, photos=len(command.photos))
    if command.photos and order.reporter_chat_id is not None:
        v.uow.send(Say(order.reporter_chat_id, "", photos=command.photos))
    keyboard = inline([Button(_("✅ Confirm (sign)"), f"ok:{order.id}"),
                       Button(_("🔁 Ask for rework"), f"rw:{order.id}")])
    _tell_resident(v, order, lines(
        _("🔧 The work on {number} is done.", number=Raw(order.number)),
        _("Materials: {note}", note=Raw(command.text)) if command.text else None,
        _("Please check it. Confirming is your signature on the work order; if something is "
          "still wrong, ask for rework.")), keyboard)
    v.reply(_("Marked done. The resident has been asked to confirm."))


def _rework_reason(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    if not (owns(v, order) and order.status == "done"):
        v.reply(STALE)
        return
    order.status = "rework"
    order.rework_count += 1
    v.log("rework_requested", order, reason=command.text, round=order.rework_count)
    _tell_assignee(v, order, _("🔁 The resident asks for rework on {number}: {reason}",
                               number=Raw(order.number), reason=Raw(command.text)))
    if order.rework_count >= 2:
        _alert_managers(v, _("⚠️ {number}: the resident is still not satisfied after rework "
                             "({reason}). Please follow up.", number=Raw(order.number),
                             reason=Raw(command.text)))
        v.log("escalated_to_managers", order, reason="not satisfied after rework")
    v.reply(_("Sorry it is not right yet. {number} goes back to the same technician.",
              number=Raw(order.number)))


def _cancel_reason(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    if not (owns(v, order) and order.status in CANCELLABLE):
        v.reply(_("{number} can no longer be cancelled: work has started.",
                  number=Raw(order.number)))
        return
    was_open = order.status == "open"
    order.status = "cancelled"
    order.cancelled_at = v.now
    order.cancel_reason = command.text
    v.log("cancelled", order, reason=command.text)
    view = _view(v, order)
    board = staff_chat(v.session, "trade", order.trade)
    if was_open and board is not None:
        v.uow.send(Edit(board.chat_id, lines(cards.group_card(view), _("✖ Cancelled by the "
                                                                       "resident.")),
                        inline(), ref=f"card:{order.id}"))
    if order.assignee_id:
        _tell_assignee(v, order, _("✖ {number} was cancelled by the resident: {reason}",
                                   number=Raw(order.number), reason=Raw(command.text)))
    v.reply(_("{number} is cancelled.", number=Raw(order.number)))


def _damage(v: Visit, order: WorkOrder, command: AnswerText) -> None:
    if not is_assignee(v, order):
        v.reply(STALE)
        return
    v.log("damage_reported", order, text=command.text)
    assert v.person is not None
    _alert_managers(v, _("⚠️ Damage or loss reported by {name} on {number}: {text}",
                         name=Raw(v.person.name), number=Raw(order.number),
                         text=Raw(command.text)))
    v.reply(_("The manager has been told. Thank you for reporting it."))


_ANSWERS: dict[str, Callable[[Visit, WorkOrder, AnswerText], None]] = {
    "new_time": _new_time, "price": _price, "done_note": _done, "damage": _damage,
    "rework_reason": _rework_reason, "cancel_reason": _cancel_reason,
}


# -- the resident's answers --------------------------------------------------------------
def answer_time(v: Visit, order: WorkOrder, agreed: bool) -> None:
    """The resident accepts or declines the technician's proposed time."""
    if not owns(v, order) or not order.proposed_time or order.status in FINISHED:
        v.refuse(STALE)
        return
    proposed, order.proposed_time = order.proposed_time, ""
    if agreed:
        order.preferred_time = proposed
    v.log("time_agreed" if agreed else "time_declined", order, time=proposed)
    _tell_assignee(v, order, _("✅ The resident agreed to {time} for {number}.", time=Raw(
        proposed), number=Raw(order.number)) if agreed else _(
        "✖ The resident cannot make {time} for {number}; please call them to agree a time.",
        time=Raw(proposed), number=Raw(order.number)))
    v.toast(_("Thank you, the technician has been told."))


def answer_price(v: Visit, order: WorkOrder, agreed: bool) -> None:
    """The resident confirms (work may start) or declines the price (2.4.4)."""
    if (not owns(v, order) or order.price is None or order.price_confirmed_at is not None
            or order.status not in WORKING):
        v.refuse(STALE)
        return
    if agreed:
        order.price_confirmed_at = v.now
        order.status = "in_progress"
        v.log("price_confirmed", order, amount=str(order.price))
        _tell_assignee(v, order, _("✅ The resident confirmed {amount} yuan for {number}. You "
                                   "may start.", amount=cards.money(order.price),
                                   number=Raw(order.number)))
    else:
        v.log("price_declined", order, amount=str(order.price))
        order.price = None
        _tell_assignee(v, order, _("✖ The resident declined the price for {number}; please "
                                   "talk with them.", number=Raw(order.number)))
    v.toast(_("Thank you, the technician has been told."))


def confirm(v: Visit, order: WorkOrder) -> None:
    """The resident's signature on the work order."""
    if not owns(v, order) or order.status != "done":
        v.refuse(STALE)
        return
    order.status = "confirmed"
    order.confirmed_at = v.now
    v.log("confirmed", order, by="resident")
    surveys.schedule_survey(v.uow, order)
    _tell_assignee(v, order, _("✅ The resident confirmed {number}. Thank you!",
                               number=Raw(order.number)))
    v.reply(_("Thank you! {number} is confirmed and closed.", number=Raw(order.number)))
    v.toast()


# -- lists -------------------------------------------------------------------------------
def my_requests(v: Visit) -> None:
    """The resident's recent requests with status; cancellable ones get a button."""
    units = [u.household_id for u in v.context().units]
    person_id = v.person.id if v.person else None
    orders = v.session.exec(
        select(WorkOrder).where(or_(col(WorkOrder.reporter_id) == person_id,
                                    col(WorkOrder.household_id).in_(units)))
        .order_by(col(WorkOrder.id).desc()).limit(10)).all()
    if not orders:
        v.reply(_("You have no requests yet. Write what is wrong, or use /menu."))
        return
    views = [_view(v, order) for order in orders]
    buttons = [[Button(_("✖ Cancel {number}", number=Raw(o.number)), f"cx:{o.id}")]
               for o in views if o.status in CANCELLABLE]
    v.reply(lines(_("Your requests:"), *[cards.request_line(o) for o in views]),
            inline(*buttons))


def my_jobs(v: Visit) -> None:
    """A technician's open jobs, each with a button to bring its card back."""
    if v.person is None or v.person.role != "technician":
        v.refuse(_("This command is for technicians."))
        return
    orders = v.session.exec(
        select(WorkOrder).where(WorkOrder.assignee_id == v.person.id,
                                col(WorkOrder.status).in_([*WORKING, "done"]))
        .order_by(col(WorkOrder.id))).all()
    if not orders:
        v.reply(_("You have no open jobs. New jobs appear in your trade's group."))
        return
    views = [_view(v, order) for order in orders]
    v.reply(lines(_("Your open jobs:"), *[cards.request_line(o) for o in views]),
            inline(*[[Button(Raw(o.number), f"card:{o.id}")] for o in views]))


def show_card(v: Visit, order: WorkOrder) -> None:
    """Send the assignee's private card again."""
    if not is_assignee(v, order):
        v.refuse(STALE)
        return
    v.toast()
    _send_private_card(v, order, v.chat_id)

