"""Where a job goes: its trade's group, and the dispatcher whenever nobody there can take it.

A job whose trade has no bound group, or no technician of the trade on shift with room under
the cap of open jobs, goes to the dispatch chat at once with assign-to buttons — technicians of
any trade who are on shift and have room, least loaded first — so no job sits where nobody can
take it, and the resident is told that a dispatcher is arranging it (001 §2.4.3).

Every message with assign-to buttons carries the ref ``assign:<order>``; a newer one supersedes
the older (its buttons go), and taking the job closes the last one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlmodel import Session, col, func, select

from dialogs import cards
from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, InlineKeyboard, Priority, Say, inline
from dialogs.model import TRADE_NAMES
from handlers.office.people import alert_chats, staff_chat
from handlers.office.permissions import DESK_CHATS
from handlers.office.rules import OfficeRules
from handlers.office.unit_of_work import UnitOfWork
from handlers.work_orders import states
from handlers.work_orders.card_views import order_view
from handlers.work_orders.notify import supersede
from locales import Raw, Text, _, lines
from storage.models import Person, StaffChat, WorkOrder

MAX_CHOICES: Final = 12  # assign-to buttons on one message (two a row)


def card_ref(order_id: int | None) -> str:
    """The ref of the job card in the trade group."""
    return f"card:{order_id}"


def assign_ref(order_id: int | None) -> str:
    """The ref of the dispatcher's message with assign-to buttons."""
    return f"assign:{order_id}"


# -- who can take a job ------------------------------------------------------------------
def open_jobs(session: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """How many jobs each technician holds now (accepted and not yet done)."""
    ids = [i for i in person_ids]
    if not ids:
        return {}
    rows = session.exec(select(WorkOrder.assignee_id, func.count())
                        .where(col(WorkOrder.assignee_id).in_(ids),
                               col(WorkOrder.status).in_([s.value for s in states.WORKING]))
                        .group_by(col(WorkOrder.assignee_id))).all()
    counts = {person_id: int(count) for person_id, count in rows if person_id is not None}
    return {i: counts.get(i, 0) for i in ids}


def technicians(session: Session) -> list[Person]:
    """Every bound technician, oldest first."""
    return list(session.exec(select(Person).where(Person.role == "technician",
                                                  col(Person.telegram_user_id).is_not(None))
                             .order_by(col(Person.id))).all())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A technician who could take a job now, and how many jobs they already hold."""

    person: Person
    load: int


def candidates(session: Session, rules: OfficeRules, trade: str | None = None) -> list[Candidate]:
    """Technicians on shift with room under the cap (of *trade*, or of any trade), least
    loaded first."""
    people = [p for p in technicians(session)
              if p.on_shift and (trade is None or trade in (p.trades or []))]
    loads = open_jobs(session, [p.id for p in people if p.id is not None])
    found = [Candidate(p, loads.get(p.id or 0, 0)) for p in people]
    return sorted((c for c in found if c.load < rules.open_jobs_per_technician),
                  key=lambda c: (c.load, c.person.id or 0))


def room_for(session: Session, rules: OfficeRules, person: Person) -> int:
    """How many more jobs *person* may take under the cap."""
    assert person.id is not None
    return rules.open_jobs_per_technician - open_jobs(session, [person.id])[person.id]


def why_dispatch(session: Session, rules: OfficeRules, order: WorkOrder) -> str | None:
    """Why nobody in a trade group can take *order* ("no_group", "no_technician"), or None."""
    if staff_chat(session, "trade", order.trade) is None:
        return "no_group"
    if not candidates(session, rules, order.trade):
        return "no_technician"
    return None


# -- the messages --------------------------------------------------------------------------
def assign_keyboard(order_id: int, choices: Sequence[Candidate]) -> InlineKeyboard:
    """One button per technician: name, trade and the jobs they hold."""
    buttons = [Button(technician_label(c), tap(Verb.ASSIGN, order_id, c.person.id))
               for c in choices[:MAX_CHOICES]]
    return two_a_row(buttons)


def technician_label(choice: Candidate) -> Text:
    """A technician as a button shows them: name, trade and the jobs they hold."""
    return _("👷 {name} · {trade} · {jobs}", name=Raw(choice.person.name),
             trade=TRADE_NAMES.get((choice.person.trades or ["other"])[0],
                                   TRADE_NAMES["other"]), jobs=choice.load)


def two_a_row(buttons: list[Button]) -> InlineKeyboard:
    return inline(*[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


REASONS: Final = {
    "no_group": _("No group takes this kind of job: please assign it."),
    "no_technician": _("No technician of this trade is on shift with room for another job: "
                       "please assign it."),
    "handed_back": _("Nobody holds this job now: please assign it."),  # ``hand_back``
}


def assign_line(choices: Sequence[Candidate]) -> Text:
    """What the dispatcher is asked above the assign-to buttons (or told without any)."""
    return (_("Assign it to (jobs each holds now):") if choices else
            _("No technician is on shift with room for another job: please arrange it by "
              "phone."))


def send_to_dispatch(uow: UnitOfWork, order: WorkOrder, heading: Text,
                     reason: Text | None = None, *, skip: frozenset[int] = frozenset()) -> int:
    """Put *order* before the dispatcher with assign-to buttons (not in the chats in *skip*,
    where another message carries them); an older such message loses its buttons, there too.
    Returns how many technicians were offered."""
    assert order.id is not None
    office = uow.office
    view = order_view(uow.session, order, office.catalog, office.timezone)
    choices = candidates(uow.session, office.rules)
    text = lines(heading, cards.group_card(view), reason, assign_line(choices))
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        supersede(uow, chat_id, assign_ref(order.id))
        if chat_id in skip:
            continue
        uow.send(Say(chat_id, text, assign_keyboard(order.id, choices), ref=assign_ref(order.id),
                     priority=Priority.INTERACTIVE))
    return len(choices)


def on_duty_chats(session: Session) -> list[int]:
    """Where an emergency's alert goes: the on-duty chat (dispatch without one) and the
    managers' chat."""
    return list(dict.fromkeys([*alert_chats(session, "emergency", "dispatch"),
                               *alert_chats(session, "managers")]))


def alert_is_dispatch(session: Session, order: WorkOrder) -> frozenset[int]:
    """The dispatch chats an emergency's alert reaches anyway (no on-duty chat is bound):
    there the alert is the one message about it, carrying the assign-to buttons when nobody
    in a group can take it (``emergency_clock``) — not a second message beside it."""
    if not order.emergency:
        return frozenset()
    return frozenset(alert_chats(session, *DESK_CHATS)) & frozenset(on_duty_chats(session))


def close_dispatch(uow: UnitOfWork, order: WorkOrder, text: Text) -> None:
    """The dispatcher's assign-to message (if any) shows *text* instead, without buttons."""
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        uow.send(Edit(chat_id, text, inline(), ref=assign_ref(order.id)))


def post_card(uow: UnitOfWork, order: WorkOrder, board: StaffChat) -> None:
    """The job card with its Accept button in the trade group."""
    view = order_view(uow.session, order, uow.office.catalog, uow.office.timezone)
    uow.send(Say(board.chat_id, cards.group_card(view), cards.group_card_keyboard(view),
                 ref=card_ref(order.id), priority=Priority.NOTICE))


def route(uow: UnitOfWork, order: WorkOrder) -> str | None:
    """Post a new (or re-traded) open order: the trade group's card, and the dispatcher — with
    assign-to buttons when nobody in the group can take it, else as a notice. Returns why it
    went to dispatch, or None."""
    session, office = uow.session, uow.office
    board = staff_chat(session, "trade", order.trade)
    if board is not None:
        post_card(uow, order, board)
    reason = why_dispatch(session, office.rules, order)
    alerted = alert_is_dispatch(session, order)
    if reason is not None:
        offered = send_to_dispatch(uow, order, _("New request:"), REASONS[reason], skip=alerted)
        uow.log("sent_to_dispatch", order=order, reason=reason, offered=offered)
        return reason
    view = order_view(session, order, office.catalog, office.timezone)
    for chat_id in alert_chats(session, "dispatch"):
        if chat_id not in alerted:
            uow.send(Say(chat_id, lines(_("New request:"), cards.group_card(view)),
                         priority=Priority.NOTICE))
    return None
