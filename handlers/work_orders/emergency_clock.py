"""Emergencies on their own clock: the on-duty chat acknowledges with a button within minutes
(``emergency_ack_minutes``, 5), else the alert repeats and the managers hear (001 §2.2.6).

The alert is in the on-duty chat (or dispatch without one) and the managers' chat, each copy
under the ref ``sos:<order>`` with an "I'm on it" button. The first tap wins: it is recorded in
``followup_mark`` (kind ``emergency_ack``, unique per order), every copy shows who took it and
loses its button. A technician of the job's trade who taps it takes the job (``taking.on_it``:
the resident hears who is coming, as after an Accept); anyone else acknowledges it, and the
resident hears who is arranging help. A technician who accepts the job from the trade group
counts as well: the order is no longer open, nothing repeats. Without an
on-duty chat the alert in dispatch is dispatch's one message about the emergency: it carries
the assign-to buttons too when nobody in a group can take the job (``routing``).

An emergency that is nobody's again before it is finished (its technician left the office,
``hand_back``) starts over: it is alerted again, saying why, the earlier acknowledgement and
repeat no longer count (their marks go; the event log keeps who it was), and its clock runs
from that alert — kept in the ``emergency_realerted`` mark's moment, moved on by each restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, exists
from sqlmodel import Session, col, select

from dialogs import cards
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, InlineKeyboard, Priority, Say, inline
from handlers.delivery.bulk import chats_posted
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.due_items import mark, marked, restart, started
from handlers.office.permissions import OUT_OF_DATE, may_acknowledge
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import routing, states
from handlers.work_orders.card_views import order_view
from locales import Raw, Text, _, lines
from storage.followups import FollowupMark
from storage.models import StaffChat, WorkOrder

ACK: Final = "emergency_ack"  # the on-duty chat acknowledged (detail: by, person_id)
UNACKED: Final = "emergency_unacked"  # nobody did in time: repeated, managers alerted
REALERTED: Final = "emergency_realerted"  # nobody's again, alerted anew: its clock's start


def alert_ref(order_id: int | None) -> str:
    return f"sos:{order_id}"


def _alert_text(uow: UnitOfWork, order: WorkOrder) -> Text:
    view = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    return lines(cards.group_card(view), _("Reported by {name}, tel. {phone}",
                                           name=Raw(order.contact_name or "-"),
                                           phone=Raw(order.contact_phone or "-")))


def _ack_button(order_id: int | None) -> Button:
    return Button(_("✋ I'm on it"), tap(Verb.ACK_EMERGENCY, order_id))


@dataclass(frozen=True, slots=True)
class _Assigning:
    """In a dispatch chat the alert stands in for (no on-duty chat): why the job needs the
    dispatcher, the line above the assign-to buttons, and the buttons."""

    text: Text
    keyboard: InlineKeyboard


def _assigning(uow: UnitOfWork, order: WorkOrder, chat_id: int) -> _Assigning | None:
    """The assign-to part of the alert in *chat_id*, while the job is open and nobody in a
    group can take it, or it is nobody's again (``realert``) — in the dispatch chats the alert
    reaches anyway (``routing.alert_is_dispatch``)."""
    if (chat_id not in routing.alert_is_dispatch(uow.session, order)
            or order.status != states.Status.OPEN or order.id is None):
        return None
    reason = routing.why_dispatch(uow.session, uow.office.rules, order) or (
        "handed_back" if marked(uow.session, REALERTED, order.id) else None)
    if reason is None:
        return None
    choices = routing.candidates(uow.session, uow.office.rules)
    return _Assigning(lines(routing.REASONS[reason], routing.assign_line(choices)),
                      routing.assign_keyboard(order.id, choices))


def send_alert(uow: UnitOfWork, order: WorkOrder, heading: Text | None = None) -> None:
    """The alert with its "I'm on it" button (and the assign-to buttons in a dispatch chat it
    stands in for) to the on-duty chats; every earlier copy loses its buttons, in whichever
    chat it went to (one that is no longer the on-duty or managers' chat too).

    The order's photos go first, above the alert's text, to each chat that has not had the
    alert before: with the first alert, to all of them. A repeated alert goes to the chats that
    have them just above it, so it does not send them again (each photo is one more message in
    a group's 20 a minute), except to a chat bound since, which has seen nothing. The sender
    puts the text and its buttons in a message of their own after the photos, and that message
    is the one an Edit by the alert's ref changes.
    """
    minutes = uow.office.rules.emergency_ack_minutes
    text = lines(heading, _alert_text(uow, order),
                 _("Tap “I'm on it” within {minutes} minutes, or the managers are alerted.",
                   minutes=minutes))
    ref = alert_ref(order.id)
    alerted = chats_posted(uow, ref)
    for chat_id in alerted:
        uow.send(Edit(chat_id, "", inline(), ref=ref))
    for chat_id in routing.on_duty_chats(uow.session):
        assigning = _assigning(uow, order, chat_id)
        uow.send(Say(chat_id, lines(text, assigning.text if assigning else None),
                     inline([_ack_button(order.id)],
                            *(assigning.keyboard.rows if assigning else ())),
                     photos=() if chat_id in alerted else tuple(order.photos), ref=ref,
                     priority=Priority.INTERACTIVE))


def realert(uow: UnitOfWork, order: WorkOrder, heading: Text) -> None:
    """*order* is nobody's again: if it is an emergency not yet finished, its clock starts over
    from now — "I'm on it" works again, and with nobody acknowledging it repeats to the managers
    once more — and the alert goes again under *heading*."""
    if not order.emergency or order.status in states.FINISHED or order.id is None:
        return
    restart(uow, REALERTED, order.id, clearing=(ACK, UNACKED))
    uow.log("emergency_realerted", order=order)
    send_alert(uow, order, heading)


def send_photos(uow: UnitOfWork, order: WorkOrder, photos: Sequence[str]) -> None:
    """Photos that came for the emergency after its alert (the rest of its album): to every
    chat the alert went to, as urgent as the alert — while the emergency is not finished.

    The alert's "Photos: N" is the count it was sent with; each later photo's caption says
    whose it is and how many there are now (a caption costs no message, where editing the
    alert would have to rebuild whatever it shows by then)."""
    if not photos or order.status in states.FINISHED:
        return
    caption = _("🚨 {number}: more from the resident, {count} photos so far.",
                number=Raw(order.number), count=len(order.photos))
    for chat_id in chats_posted(uow, alert_ref(order.id)):
        uow.send(Say(chat_id, caption, photos=tuple(photos), priority=Priority.INTERACTIVE))


def close_alert(uow: UnitOfWork, order: WorkOrder, outcome: Text) -> None:
    """Every copy of the alert, in every chat it went to, shows *outcome* instead of its
    button — a dispatch chat's copy keeping its assign-to buttons while the job still waits
    for someone to hold it (acknowledged, but not taken)."""
    text = lines(_alert_text(uow, order), outcome)
    for chat_id in chats_posted(uow, alert_ref(order.id)):
        assigning = _assigning(uow, order, chat_id)
        uow.send(Edit(chat_id, lines(text, assigning.text if assigning else None),
                      assigning.keyboard if assigning else inline(), ref=alert_ref(order.id)))


def acknowledged_by(session: Session, order_id: int | None) -> str | None:
    """Who acknowledged the emergency, if anyone did."""
    found = session.exec(select(FollowupMark).where(FollowupMark.kind == ACK,
                                                    FollowupMark.subject_id == order_id)).first()
    return str(found.detail.get("by", "")) if found is not None else None


def may_take_it_on(caller: Caller, board: StaffChat, order: WorkOrder | None) -> bool:
    """Whether the caller may answer the alert with "I'm on it" now; if not, they hear why."""
    if order is None or not order.emergency or order.status in states.FINISHED:
        caller.refuse(OUT_OF_DATE)
        return False
    if not may_acknowledge(caller, board):
        caller.refuse(_("Only the office's staff can acknowledge an emergency."))
        return False
    earlier = acknowledged_by(caller.session, order.id)
    if earlier is not None:
        caller.refuse(_("Already acknowledged by {name}.", name=Raw(earlier)))
        return False
    return True


def record_acknowledgement(caller: Caller, order: WorkOrder) -> str:
    """The first "I'm on it": recorded once per order (the clock stops); the tapper's name."""
    assert caller.person is not None and order.id is not None
    name = caller.person.name
    mark(caller.uow, ACK, order.id, by=name, person_id=caller.person.id)
    caller.log("emergency_acknowledged", order, by=name)
    return name


def acknowledge(caller: Caller, order: WorkOrder) -> None:
    """"I'm on it" from staff who will not go themselves (a dispatcher, a manager, another
    trade's technician): everyone sees who has it, and the resident hears who is arranging
    help — not that this person is coming."""
    name = record_acknowledgement(caller, order)
    time = wall_clock(caller.now, caller.uow.office.timezone)
    close_alert(caller.uow, order, _("✅ {name} is on it (acknowledged at {time}).",
                                     name=Raw(name), time=Raw(time)))
    if order.reporter_chat_id is not None:
        caller.uow.send(Say(order.reporter_chat_id, _(
            "🚨 {number}: {name} at the office has your emergency and is arranging help; they "
            "will call you at {phone}. If it gets worse, call the estate hotline {hotline}.",
            number=Raw(order.number), name=Raw(name), phone=Raw(order.contact_phone or "-"),
            hotline=Raw(caller.uow.office.rules.hotline)), priority=Priority.INTERACTIVE))
    caller.toast(_("Thank you. The resident has been told you are arranging help."))


# -- the clock -----------------------------------------------------------------------------
def alert_clock() -> ColumnElement[Any]:
    """When an emergency's "I'm on it" clock runs from: its latest alert (the first, at the
    report, or the one after it was nobody's again)."""
    return started(REALERTED, col(WorkOrder.id), col(WorkOrder.created_at))


def find_unacknowledged(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                        after: timedelta) -> Sequence[int]:
    """Open emergencies nobody acknowledged within *after* of their latest alert (the first, or
    the one after they were nobody's again), not yet repeated."""
    def unmarked(kind: str) -> ColumnElement[bool]:
        return ~exists().where(col(FollowupMark.kind) == kind,
                               col(FollowupMark.subject_id) == col(WorkOrder.id))
    alerted = alert_clock()
    query = select(WorkOrder.id).where(col(WorkOrder.emergency),
                                       col(WorkOrder.status) == states.Status.OPEN,
                                       alerted <= uow.now - after,
                                       unmarked(ACK), unmarked(UNACKED))
    if skip:
        query = query.where(col(WorkOrder.id).not_in(skip))
    query = query.order_by(alerted).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=WorkOrder))
            if i is not None]


def repeat_alert(uow: UnitOfWork, order_id: int) -> str:
    """Nobody acknowledged in time: the alert again, with its button, to the on-duty chat
    and the managers."""
    order = uow.session.get(WorkOrder, order_id)
    if (order is None or order.status != states.Status.OPEN
            or acknowledged_by(uow.session, order_id) is not None):
        return "not_due"
    mark(uow, UNACKED, order_id)
    minutes = uow.office.rules.emergency_ack_minutes
    # The copy in the managers' chat is their alert: it says nobody answered, with the button.
    send_alert(uow, order, _("🚨 REPEATED: nobody has acknowledged {number} within {minutes} "
                             "minutes. Managers: please make sure someone is on the way now.",
                             number=Raw(order.number), minutes=minutes))
    uow.log("emergency_not_acknowledged", order=order, minutes=minutes)
    return "repeated"
