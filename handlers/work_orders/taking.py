"""Taking a job: a technician's Accept in the trade group, a dispatcher's assignment.

First valid tap wins: the state machine's conditional update lets exactly one of two racing
taps take the order; the other is told who was first.
"""

from __future__ import annotations

from dialogs import cards
from dialogs.events import Edit, Say, inline
from handlers.office.caller import Caller
from handlers.office.people import is_staff, staff_chat
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE
from handlers.work_orders import appointments, emergency_clock, routing, states
from handlers.work_orders.notify import send_private_card, tell_resident, view
from handlers.work_orders.shifts import set_shift
from handlers.work_orders.trade_change import close_receipt
from locales import Raw, Text, _, lines
from storage.models import Person, StaffChat, WorkOrder


def accept(caller: Caller, order: WorkOrder) -> None:
    """A technician of the trade takes the job from the trade group's card."""
    person = caller.person
    if person is None or person.role != "technician":
        caller.refuse(_("Only technicians accept jobs. To give this one to a technician, "
                        "assign it in the dispatch chat.") if is_staff(person) else
                      _("Only technicians can accept jobs. Bind yourself first with your "
                        "staff code."))
        return
    if not states.acts_as(caller, states.ACCEPT.actor, order):
        caller.refuse(_("This job is for another trade; nothing was changed."))
        return
    board = staff_chat(caller.session, "trade", order.trade)
    if board is None or board.chat_id != caller.chat_id:
        caller.refuse(OUT_OF_DATE)
        return
    if order.status == states.Status.OPEN and not _has_room(caller, person):
        return
    was_off_shift = not person.on_shift
    if not hand_over(caller, order, person, states.ACCEPT,
                     card_message_id=caller.event.message_id):
        refuse_taken(caller, order)
        return
    caller.log("accepted", order)
    if was_off_shift:
        # They chose to take it, so they are working: new jobs count on them again (the
        # dispatcher still may not assign to someone off shift). Said in the toast, so the
        # job's card stays the newest message in their chat.
        set_shift(caller, True)
        caller.toast(_("You took {number} and are on shift again: new jobs count on you "
                       "(/shift off to stop). The details are in your private chat with me.",
                       number=Raw(order.number)), alert=True)
        return
    caller.toast(_("You took {number}. The details are in your private chat with me.",
                   number=Raw(order.number)))


def on_it(caller: Caller, board: StaffChat, order_id: int) -> None:
    """"✋ I'm on it" on an emergency alert. A technician of the job's trade with room for it
    is the one who goes: the job becomes theirs, as if accepted in the trade group (their
    private card, the resident told who is coming). Anyone else acknowledges it."""
    order = caller.session.get(WorkOrder, order_id)
    if not emergency_clock.may_take_it_on(caller, board, order):
        return
    assert order is not None
    person = caller.person
    if (person is not None and person.role == "technician"
            and order.status == states.Status.OPEN
            and states.acts_as(caller, states.ACCEPT.actor, order)
            and routing.room_for(caller.session, caller.uow.office.rules, person) > 0):
        if not hand_over(caller, order, person, states.ACCEPT):
            refuse_taken(caller, order)
            return
        emergency_clock.record_acknowledgement(caller, order)
        caller.log("accepted", order)
        caller.toast(_("You took {number}. The details are in your private chat with me.",
                       number=Raw(order.number)))
        return
    emergency_clock.acknowledge(caller, order)


def _has_room(caller: Caller, technician: Person, *, by_dispatch: bool = False) -> bool:
    """Whether *technician* may take one more job under the cap; if not, the tapper hears."""
    cap = caller.uow.office.rules.open_jobs_per_technician
    if routing.room_for(caller.session, caller.uow.office.rules, technician) > 0:
        return True
    caller.refuse(_("{name} already holds {cap} open jobs, the most one technician may hold.",
                    name=Raw(technician.name), cap=cap) if by_dispatch else
                  _("You already hold {cap} open jobs, the most one technician may hold. "
                    "Finish one first, or ask the dispatcher.", cap=cap))
    return False


def refuse_taken(caller: Caller, order: WorkOrder) -> None:
    """Tell a late tapper who was first."""
    taker = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    caller.refuse(_("Already taken by {name}.", name=Raw(taker.name)) if taker else OUT_OF_DATE)


def hand_over(caller: Caller, order: WorkOrder, technician: Person, how: states.Move, *,
              card_message_id: int | None = None, closing: Text | None = None,
              heads_up: Text | None = None) -> bool:
    """Make *technician* the assignee if the order is still open, and tell everyone.

    False means someone was first. Used by a technician's Accept and a dispatcher's assignment
    (whose *heads_up* tells the technician who gave them the job, before its card).
    """
    if not states.move(caller.session, order, how, caller.now, assignee_id=technician.id):
        return False
    shown = view(caller, order)
    board = staff_chat(caller.session, "trade", order.trade)
    if board is not None:
        caller.uow.send(Edit(board.chat_id, cards.taken_card(shown), inline(),
                             message_id=card_message_id if board.chat_id == caller.chat_id
                             else None, ref=routing.card_ref(order.id)))
    # The dispatcher's assign-to buttons (if any) go: the job is taken.
    routing.close_dispatch(caller.uow, order, closing or cards.taken_card(shown))
    if order.emergency:  # someone holds it: the on-duty alert's clock stops
        emergency_clock.close_alert(caller.uow, order, _("✅ Taken by {name} at {time}",
                                                         name=Raw(technician.name),
                                                         time=Raw(shown.accepted)))
    close_receipt(caller.uow, order)
    assert technician.telegram_user_id is not None
    if heads_up is not None:
        caller.uow.send(Say(technician.telegram_user_id, heads_up))
    if order.photos:
        caller.uow.send(Say(technician.telegram_user_id, "", photos=tuple(order.photos)))
    # The question of when comes first: the job's card stays the newest message, to act on.
    appointments.ask_window(caller, order, technician.telegram_user_id)
    send_private_card(caller, order, technician.telegram_user_id)
    tell_resident(caller, order, _("👷 {number} was accepted by {name} at {time}. They will "
                                   "contact you at {phone}.", number=Raw(order.number),
                                   name=Raw(technician.name), time=Raw(shown.accepted),
                                   phone=Raw(order.contact_phone or "-")))
    return True


def assign(caller: Caller, board: StaffChat, order_id: int, technician_id: int) -> None:
    """A dispatcher's tap on "assign to …": the same first-wins rule as a technician's accept."""
    only_dispatch = _("Only dispatchers and managers can assign jobs.")
    if board.purpose not in DESK_CHATS or caller.person is None:
        caller.refuse(only_dispatch)
        return
    order = caller.session.get(WorkOrder, order_id)
    if order is not None and not states.acts_as(caller, states.ASSIGN.actor, order):
        caller.refuse(only_dispatch)
        return
    technician = caller.session.get(Person, technician_id)
    # Any trade: a dispatcher sends whoever can do the job (a leak to a plumber, say).
    if (order is None or technician is None or technician.role != "technician"
            or technician.telegram_user_id is None):
        caller.refuse(OUT_OF_DATE)
        return
    if order.status == states.Status.OPEN and not technician.on_shift:
        caller.refuse(_("{name} is off shift now; nothing was changed.",
                        name=Raw(technician.name)))
        return
    if order.status == states.Status.OPEN and not _has_room(caller, technician,
                                                            by_dispatch=True):
        return
    dispatcher = caller.person.name
    closing = lines(cards.group_card(view(caller, order)), _(
        "✅ {number} assigned to {name} by {dispatcher}.", number=Raw(order.number),
        name=Raw(technician.name), dispatcher=Raw(dispatcher)))
    heads_up = _("📋 {dispatcher} assigned {number} to you.", dispatcher=Raw(dispatcher),
                 number=Raw(order.number))
    if not hand_over(caller, order, technician, states.ASSIGN, closing=closing,
                     heads_up=heads_up):
        refuse_taken(caller, order)
        return
    caller.log("assigned", order, technician_id=technician_id, technician=technician.name)
    caller.toast(_("Assigned to {name}.", name=Raw(technician.name)))
