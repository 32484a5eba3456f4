"""A job given back by a technician who no longer works for the office: it is open again, with
nobody holding it, and before the dispatcher with assign-to buttons — the way a job nobody in
its trade can take is offered (``routing.send_to_dispatch``); its card in the trade group has
its Accept button again; the resident hears that a new technician will be assigned. Its
dispatch deadline starts over (``deadlines``). An emergency is alerted to the on-duty chats
again and its clock starts over (``emergency_clock``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.events import Edit, Priority, Say, inline
from handlers.office.people import staff_chat
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import deadlines, emergency_clock, routing, states
from handlers.work_orders.appointments import drop_window
from handlers.work_orders.card_views import order_view
from handlers.work_orders.notify import close_for_resident, pcard_ref, quote_ref, time_ref
from locales import Raw, _, lines
from storage.models import Person, WorkOrder


def held_by(session: Session, person_id: int) -> list[WorkOrder]:
    """The jobs *person_id* holds now (taken and not yet done), oldest first."""
    return list(session.exec(select(WorkOrder).where(
        WorkOrder.assignee_id == person_id,
        col(WorkOrder.status).in_([s.value for s in states.HAND_BACK.sources]))
        .order_by(col(WorkOrder.id))).all())


def hand_back(uow: UnitOfWork, order: WorkOrder, previous: Person) -> bool:
    """*order* is nobody's again: open, offered to dispatch. False if it is no longer
    *previous*'s (someone moved it first); nothing is changed then."""
    # A price *previous* quoted that the resident has not confirmed is theirs, not the next
    # technician's: it is withdrawn, as when the desk reassigns the job.
    quoted = order.price is not None and order.price_confirmed_at is None
    withdrawn = {"price": None, "price_reason": ""} if quoted else {}
    if not states.move(uow.session, order, states.HAND_BACK, uow.now,
                       still={"assignee_id": previous.id,
                              **({"price_confirmed_at": None} if quoted else {})},
                       assignee_id=None, proposed_time="", on_way_at=None, **withdrawn):
        return False
    uow.log("handed_back", order=order, previous_id=previous.id, previous=previous.name)
    drop_window(uow, order, previous)  # the visit they agreed is off, its buttons too
    shown = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    if previous.telegram_user_id is not None:
        uow.send(Edit(previous.telegram_user_id, lines(cards.private_card(shown), _(
            "✖ You no longer work for the office: this job is no longer yours.")), inline(),
            ref=pcard_ref(order.id)))
    board = staff_chat(uow.session, "trade", order.trade)
    if board is not None:  # open again: anyone of the trade may take it from the board
        uow.send(Edit(board.chat_id, cards.group_card(shown), cards.group_card_keyboard(shown),
                      ref=routing.card_ref(order.id)))
    # A dispatch chat standing in for the on-duty chat has it in the emergency's alert instead.
    offered = routing.send_to_dispatch(uow, order, _(
        "🔁 Back to dispatch: {name} no longer works for the office.", name=Raw(previous.name)),
        routing.REASONS["handed_back"], skip=routing.alert_is_dispatch(uow.session, order))
    uow.log("sent_to_dispatch", order=order, reason="handed_back", offered=offered)
    deadlines.restart_dispatch_deadline(uow, order)  # chased again if nobody takes it
    emergency_clock.realert(uow, order, _(  # an emergency's clock starts over
        "🚨 Back with nobody: {name} no longer works for the office.", name=Raw(previous.name)))
    close_for_resident(uow, order, time_ref(order.id), "")
    if quoted:
        close_for_resident(uow, order, quote_ref(order.id), _(
            "✖ The price for {number} was withdrawn: the new technician will send their own.",
            number=Raw(order.number)))
    if order.reporter_chat_id is not None:
        uow.send(Say(order.reporter_chat_id, _(
            "👷 {number}: {name} can no longer come, so a new technician will be assigned; "
            "we will tell you who is coming.", number=Raw(order.number),
            name=Raw(previous.name)), priority=Priority.INTERACTIVE))
    return True
