"""Taking a job: a technician's Accept in the trade group, a dispatcher's assignment.

First valid tap wins: the state machine's conditional update lets exactly one of two racing
taps take the order; the other is told who was first.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.events import Edit, Say, inline
from handlers.office.caller import Caller
from handlers.office.people import staff_chat
from handlers.office.permissions import ASSIGN_ROLES, OUT_OF_DATE
from handlers.work_orders import states
from handlers.work_orders.notify import send_private_card, tell_resident, view
from locales import Raw, _
from storage.models import Person, StaffChat, WorkOrder


def accept(caller: Caller, order: WorkOrder) -> None:
    """A technician of the trade takes the job from the trade group's card."""
    person = caller.person
    if person is None or person.role != "technician":
        caller.refuse(_("Only technicians can accept jobs. Bind yourself first with your staff "
                        "code."))
        return
    if not states.acts_as(caller, states.ACCEPT.actor, order):
        caller.refuse(_("This job is for another trade; nothing was changed."))
        return
    board = staff_chat(caller.session, "trade", order.trade)
    if board is None or board.chat_id != caller.chat_id:
        caller.refuse(OUT_OF_DATE)
        return
    if not hand_over(caller, order, person, states.ACCEPT,
                     card_message_id=caller.event.message_id):
        refuse_taken(caller, order)
        return
    caller.log("accepted", order)
    caller.toast(_("You took {number}. The details are in your private chat with me.",
                   number=Raw(order.number)))


def refuse_taken(caller: Caller, order: WorkOrder) -> None:
    """Tell a late tapper who was first."""
    taker = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    caller.refuse(_("Already taken by {name}.", name=Raw(taker.name)) if taker else OUT_OF_DATE)


def hand_over(caller: Caller, order: WorkOrder, technician: Person, how: states.Move, *,
              card_message_id: int | None = None) -> bool:
    """Make *technician* the assignee if the order is still open, and tell everyone.

    False means someone was first. Used by a technician's Accept and a dispatcher's assignment.
    """
    if not states.move(caller.session, order, how, caller.now, assignee_id=technician.id):
        return False
    shown = view(caller, order)
    board = staff_chat(caller.session, "trade", order.trade)
    if board is not None:
        caller.uow.send(Edit(board.chat_id, cards.taken_card(shown), inline(),
                             message_id=card_message_id if board.chat_id == caller.chat_id
                             else None, ref=f"card:{order.id}"))
    assert technician.telegram_user_id is not None
    if order.photos:
        caller.uow.send(Say(technician.telegram_user_id, "", photos=tuple(order.photos)))
    send_private_card(caller, order, technician.telegram_user_id)
    tell_resident(caller, order, _("👷 {number} was accepted by {name} at {time}. They will "
                                   "contact you at {phone}.", number=Raw(order.number),
                                   name=Raw(technician.name), time=Raw(shown.accepted),
                                   phone=Raw(order.contact_phone or "-")))
    return True


def trade_technicians(session: Session, trade: str) -> list[Person]:
    """The bound technicians of *trade*, oldest first."""
    people = session.exec(select(Person).where(Person.role == "technician",
                                               col(Person.telegram_user_id).is_not(None))
                          .order_by(col(Person.id))).all()
    return [p for p in people if trade in (p.trades or [])]


def assign(caller: Caller, board: StaffChat, order_id: int, technician_id: int) -> None:
    """A dispatcher's tap on "assign to …": the same first-wins rule as a technician's accept."""
    if board.purpose not in ("dispatch", "managers") or caller.person is None or (
            caller.person.role not in ASSIGN_ROLES):
        caller.refuse(_("Only dispatchers and managers can assign jobs."))
        return
    order = caller.session.get(WorkOrder, order_id)
    technician = caller.session.get(Person, technician_id)
    if (order is None or technician is None or technician.role != "technician"
            or order.trade not in (technician.trades or [])
            or technician.telegram_user_id is None):
        caller.refuse(OUT_OF_DATE)
        return
    if not hand_over(caller, order, technician, states.ASSIGN):
        refuse_taken(caller, order)
        return
    caller.log("assigned", order, technician_id=technician_id, technician=technician.name)
    caller.uow.send(Say(technician.telegram_user_id, _(
        "📋 {dispatcher} assigned {number} to you.", dispatcher=Raw(caller.person.name),
        number=Raw(order.number))))
    caller.uow.send(Edit(caller.chat_id, _("✅ {number} assigned to {name} by {dispatcher}.",
                                           number=Raw(order.number), name=Raw(technician.name),
                                           dispatcher=Raw(caller.person.name)), inline(),
                         message_id=caller.event.message_id))
    caller.toast(_("Assigned to {name}.", name=Raw(technician.name)))
