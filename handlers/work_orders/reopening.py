"""Rework after the callback (001 §2.7.6): a resident's callback comment that says the fault
persists ("the ceiling is still leaking", "还是漏") reopens the confirmed order as rework — back
to the same technician, with their trade group told — and the resident hears so.

The callback desk (``handlers/callback_surveys``) sits below this one, so it is handed
:func:`reopen` (see ``handlers/reception/answers.py``) rather than importing it.
"""

from __future__ import annotations

from dialogs import cards
from dialogs.events import Say
from handlers.office.caller import Caller
from handlers.office.people import is_staff, staff_chat
from handlers.work_orders import appointments, states
from handlers.work_orders.hand_back import hand_back
from handlers.work_orders.notify import alert_managers, tell_assignee, view
from locales import Raw, Text, _, lines
from storage.models import Person, WorkOrder


def send_back(caller: Caller, order: WorkOrder, move_: states.Move, reason: str,
              to_technician: Text, **detail: object) -> bool:
    """Rework by *move_* — the resident's request on the done card, or the callback's reopen:
    the same technician is asked for a new visit window and gets *to_technician* and the job's
    card with its buttons; past the office's limit of reworks the managers hear too. False if
    the order moved on first."""
    if not states.may(caller, order, move_) or not states.move(
            caller.session, order, move_, caller.now, rework_count=order.rework_count + 1):
        return False
    caller.log("rework_requested", order, reason=reason, round=order.rework_count, **detail)
    technician = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    if technician is not None and not is_staff(technician):
        # They have left the office since the job was done: it goes to dispatch instead.
        hand_back(caller.uow, order, technician)
    else:
        # Going back is a new visit: its window is asked (and reminded) like a first one's,
        # before the job's card, which stays the newest message to act on.
        appointments.hand_over(caller, order, technician)
        tell_assignee(caller, order, to_technician)
    if order.rework_count >= caller.uow.office.rules.manager_after_reworks:
        alert_managers(caller, _("⚠️ {number}: the resident is still not satisfied after "
                                 "rework ({reason}). Please follow up.",
                                 number=Raw(order.number), reason=Raw(reason)))
        caller.log("escalated_to_managers", order, reason="not satisfied after rework")
    return True


def reopen(caller: Caller, order: WorkOrder, comment: str) -> bool:
    """The callback comment says the fault persists: reopen *order* as rework, tell the
    technician and their trade group, and the resident. False when it cannot be reopened (not
    the resident's, or not confirmed any more) — the comment is still passed on."""
    if not send_back(caller, order, states.REOPEN, comment, _(
            "🔁 {number} is reopened: the resident's callback says “{comment}”. Please go back "
            "and put it right.", number=Raw(order.number), comment=Raw(comment)),
            source="callback"):
        return False
    if order.assignee_id is None:  # handed back: the resident hears a new one is coming
        caller.reply(_("We are sorry it is still not right. {number} is reopened.",
                       number=Raw(order.number)))
        return True
    assignee = caller.session.get(Person, order.assignee_id)
    name = assignee.name if assignee else ""
    board = staff_chat(caller.session, "trade", order.trade)
    if board is not None:
        caller.uow.send(Say(board.chat_id, lines(
            cards.group_card(view(caller, order)),
            _("🔁 Reopened after the callback: “{comment}” — back to {name}.",
              comment=Raw(comment), name=Raw(name or "-")))))
    caller.reply(_("We are sorry it is still not right. {number} is reopened and goes back to "
                   "{name}, who will contact you to fix it.", number=Raw(order.number),
                   name=Raw(name) if name else _("the technician")))
    return True
