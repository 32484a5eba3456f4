"""Who may do what: the checks every use case makes before it changes anything.

Button data and typed answers are only references; these checks decide, at the moment of the
tap, whether this person may act on this order now.
"""

from __future__ import annotations

from typing import Final

from dialogs.statuses import Status
from handlers.office.caller import Caller
from handlers.office.people import is_staff
from locales import _
from storage.models import StaffChat, WorkOrder

OUT_OF_DATE: Final = _("This button is out of date; nothing was changed.")
# Customer-service staff who assign jobs and run callbacks (001 §2.4, §2.7).
ASSIGN_ROLES: Final = ("dispatcher", "manager", "admin")
CALLBACK_ROLES: Final = ("dispatcher", "manager", "admin", "butler")
SPOT_CHECK_ROLES: Final = ("manager", "admin")  # spot checks are the managers' (2.7.5)
# The desk's chats: dispatch, and the managers' (which stands in for it when none is bound).
DESK_CHATS: Final = ("dispatch", "managers")
# The chats an emergency alert reaches; staff there acknowledge it (001 §2.2.6).
ON_DUTY_PURPOSES: Final = ("emergency", *DESK_CHATS)


def is_desk(caller: Caller) -> bool:
    """Customer-service staff: they answer residents for the front desk and run callbacks."""
    return caller.person is not None and caller.person.role in CALLBACK_ROLES


def at_the_desk(caller: Caller, board: StaffChat | None) -> bool:
    """A dispatcher or manager, in one of the desk's chats (*board*) or privately."""
    if board is not None and board.purpose not in DESK_CHATS:
        return False
    return caller.person is not None and caller.person.role in ASSIGN_ROLES


def owns(caller: Caller, order: WorkOrder) -> bool:
    """A resident may act only on orders they reported or for a unit they are bound to."""
    if caller.person is None:
        return False
    if order.reporter_id == caller.person.id:
        return True
    return order.household_id in {u.household_id for u in caller.context().units}


def is_assignee(caller: Caller, order: WorkOrder) -> bool:
    """The technician who holds the job."""
    return caller.person is not None and order.assignee_id == caller.person.id


def is_technician_of(caller: Caller, trade: str) -> bool:
    """A bound technician of *trade*."""
    person = caller.person
    return person is not None and person.role == "technician" and trade in (person.trades or [])


def may_change_trade(caller: Caller, order: WorkOrder) -> bool:
    """The resident of a repair nobody has taken yet may change its kind of work."""
    return (order.status == Status.OPEN and order.kind == "repair" and not order.emergency
            and owns(caller, order))


def may_acknowledge(caller: Caller, board: StaffChat) -> bool:
    """Staff in a chat an emergency alert reaches may acknowledge it."""
    return board.purpose in ON_DUTY_PURPOSES and is_staff(caller.person)
