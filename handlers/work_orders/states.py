"""The work order's state machine: its statuses, the moves between them, and who may make each.

Every status change of a work order goes through :func:`move`, a conditional update that only
succeeds if the order is still in one of the move's source statuses — so two taps racing for
the same order (two technicians on Accept, a resident cancelling while the technician finishes)
cannot both win. ``work_order.mmd`` beside this file is generated from :data:`MOVES`
(``python -m handlers.work_orders.states``); a test fails when they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import update
from sqlmodel import Session, col

# Re-exported: the statuses are defined with their names in dialogs (the cards need them).
from dialogs.statuses import CANCELLABLE as CANCELLABLE
from dialogs.statuses import FINISHED as FINISHED
from dialogs.statuses import MAY_SET_OFF as MAY_SET_OFF
from dialogs.statuses import WORKING as WORKING
from dialogs.statuses import Status as Status
from handlers.office.caller import Caller
from handlers.office.permissions import ASSIGN_ROLES, is_assignee, is_technician_of, owns
from storage.models import WorkOrder


class Actor(StrEnum):
    """Who may make a move."""

    TECHNICIAN = "a technician of the order's trade"
    DISPATCHER = "a dispatcher or manager"
    ASSIGNEE = "the technician who holds the job"
    RESIDENT = "the resident (the reporter, or anyone bound to the unit)"
    OFFICE = "the office's clock (scheduler)"
    ADMIN = "the office admin, at the office computer (never a tap in the bot)"


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed change of status: from any of *sources* to *target*, by *actor*."""

    name: str
    sources: frozenset[Status]
    target: Status
    actor: Actor
    label: str  # what happens, in the office's words (the diagram's arrow)
    stamp: str | None = None  # the work order's timestamp column this move sets


ACCEPT: Final = Move("accept", frozenset({Status.OPEN}), Status.ACCEPTED, Actor.TECHNICIAN,
                     "technician taps Accept in the trade group (first tap wins)",
                     "accepted_at")
ASSIGN: Final = Move("assign", frozenset({Status.OPEN}), Status.ACCEPTED, Actor.DISPATCHER,
                     "dispatcher assigns a technician (first tap wins)", "accepted_at")
SET_OFF: Final = Move("set_off", MAY_SET_OFF, Status.ON_WAY,
                      Actor.ASSIGNEE, 'assignee "On my way"', "on_way_at")
# Paid work: the price is confirmed before work starts (2.4.4). Confirmed while the technician
# is coming, work starts; confirmed before they set off, the visit is still ahead (its "On my
# way", its reminders), so the order stays accepted.
CONFIRM_PRICE: Final = Move(
    "confirm_price", frozenset({Status.ON_WAY}), Status.IN_PROGRESS, Actor.RESIDENT,
    "resident confirms the price (paid work): work starts", "price_confirmed_at")
CONFIRM_PRICE_AHEAD: Final = Move(
    "confirm_price_ahead", frozenset({Status.ACCEPTED}), Status.ACCEPTED, Actor.RESIDENT,
    "resident confirms the price before the visit (the technician still sets off)",
    "price_confirmed_at")
FINISH: Final = Move("finish", WORKING, Status.DONE, Actor.ASSIGNEE,
                     'assignee "Done" (paid work only after the price is confirmed)', "done_at")
SIGN: Final = Move("sign", frozenset({Status.DONE}), Status.CONFIRMED, Actor.RESIDENT,
                   "resident confirms (the signature)", "confirmed_at")
AUTO_CONFIRM: Final = Move("auto_confirm", frozenset({Status.DONE}), Status.CONFIRMED,
                           Actor.OFFICE, "no answer within the auto-confirm time (noted)",
                           "confirmed_at")
ASK_REWORK: Final = Move("ask_rework", frozenset({Status.DONE}), Status.REWORK, Actor.RESIDENT,
                         "resident asks for rework with a reason (same technician)")
CANCEL: Final = Move("cancel", CANCELLABLE, Status.CANCELLED, Actor.RESIDENT,
                     "resident cancels with a reason (work not started)", "cancelled_at")
# The one way out of a finished order (001 §2.7.6): the callback shows the repair did not hold.
REOPEN: Final = Move("reopen", frozenset({Status.CONFIRMED}), Status.REWORK, Actor.RESIDENT,
                     "resident's callback comment says the fault persists (same technician)")

# The desk's own moves (dispatch chat, /find): another technician takes over a held job and
# starts from "accepted"; or the office cancels a job that is not finished, with a reason.
REASSIGN: Final = Move("reassign", WORKING, Status.ACCEPTED, Actor.DISPATCHER,
                       "dispatcher reassigns it to another technician (who starts afresh)")
# A technician removed from the staff (``frontline staff remove``): every job they hold goes
# back to dispatch, unassigned, as if nobody had taken it yet.
HAND_BACK: Final = Move("hand_back", WORKING, Status.OPEN, Actor.ADMIN,
                        "the technician is removed from the staff: back to dispatch, unassigned")
DESK_CANCEL: Final = Move("desk_cancel", frozenset({Status.OPEN, *WORKING}), Status.CANCELLED,
                          Actor.DISPATCHER, "dispatcher cancels with a reason (resident told)",
                          "cancelled_at")

MOVES: Final = (ACCEPT, ASSIGN, SET_OFF, CONFIRM_PRICE, CONFIRM_PRICE_AHEAD, FINISH, SIGN,
                AUTO_CONFIRM, ASK_REWORK, CANCEL, REASSIGN, HAND_BACK, DESK_CANCEL, REOPEN)
SUBMITTED: Final = Status.OPEN  # every work order starts here


def price_move(order: WorkOrder) -> Move:
    """The move the resident's confirmation of the price makes on *order* now: before the
    technician sets off, the visit is still ahead; on the way, work starts."""
    return CONFIRM_PRICE_AHEAD if order.status in CONFIRM_PRICE_AHEAD.sources else CONFIRM_PRICE


def may(caller: Caller | None, order: WorkOrder, move_: Move) -> bool:
    """Whether *caller* may make *move_* on *order* now: its status and the caller's standing.

    ``None`` is the office itself (a scheduled job), which may make only the office's moves.
    """
    return order.status in move_.sources and acts_as(caller, move_.actor, order)


def acts_as(caller: Caller | None, actor: Actor, order: WorkOrder) -> bool:
    """Whether *caller* is *actor* for *order* (whatever its status)."""
    if actor is Actor.OFFICE or caller is None:
        return actor is Actor.OFFICE and caller is None
    if actor is Actor.ADMIN:
        return False  # the admin's moves are made at the office computer, not in the bot
    if actor is Actor.TECHNICIAN:
        return is_technician_of(caller, order.trade)
    if actor is Actor.DISPATCHER:
        return caller.person is not None and caller.person.role in ASSIGN_ROLES
    if actor is Actor.ASSIGNEE:
        return is_assignee(caller, order)
    return owns(caller, order)


def move(session: Session, order: WorkOrder, move_: Move, now: datetime, *,
         still: Mapping[str, Any] | None = None, **values: Any) -> bool:
    """Change *order*'s status by *move_* (with *values* for other columns) if it is still in
    one of the move's sources (and its columns still hold *still*); False if someone else
    changed it first. The order is refreshed.
    """
    changes: dict[str, Any] = {"status": move_.target.value, **values}
    if move_.stamp is not None:
        changes.setdefault(move_.stamp, now)
    unchanged = [getattr(WorkOrder, name) == value for name, value in (still or {}).items()]
    result = session.execute(
        update(WorkOrder).where(col(WorkOrder.id) == order.id,
                                col(WorkOrder.status).in_([s.value for s in move_.sources]),
                                *unchanged)
        .values(**changes))
    session.refresh(order)
    return getattr(result, "rowcount", 0) == 1


def mermaid() -> str:
    """The state diagram of :data:`MOVES`, as ``work_order.mmd`` holds it."""
    rows = ["%% A work order's life, generated from handlers/work_orders/states.py "
            "(python -m handlers.work_orders.states).",
            "%% Every arrow is an event_log row: who, when, which chat.",
            "stateDiagram-v2",
            f"    [*] --> {SUBMITTED}: resident submits (repair / paid service / emergency)"]
    for move_ in MOVES:
        for source in sorted(move_.sources, key=list(Status).index):
            rows.append(f"    {source} --> {move_.target}: {move_.label} [{move_.actor.name}]")
    rows += [f"    {status} --> [*]" for status in sorted(FINISHED, key=list(Status).index)]
    rows += ["    note right of accepted",
             "        at any working state the assignee may propose another time (the resident",
             "        agrees or declines) and report damage or loss (managers alerted)",
             "    end note"]
    return "\n".join(rows) + "\n"


DIAGRAM: Final = Path(__file__).with_name("work_order.mmd")

if __name__ == "__main__":
    DIAGRAM.write_text(mermaid(), encoding="utf-8")
