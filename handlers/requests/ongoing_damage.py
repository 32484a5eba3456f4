"""Harm still happening, reported with a complaint (water coming in, an exit blocked): stop
the damage first, then handle the complaint (001 第四篇 4(6)③).

An urgent work order opens at once — its card goes to the trade's group and the on-duty chat
hears — and then the complaint dialog goes on with its next question, carrying the order.
"""

from __future__ import annotations

from dialogs import complaint as complaint_dialog
from dialogs.events import Priority, Say
from dialogs.model import ReportOngoingDamage
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.people import alert_chats
from handlers.requests.new_orders import open_order
from locales import Raw, _
from storage.models import WorkOrder


def report(caller: Caller, command: ReportOngoingDamage) -> None:
    """Open the urgent order, tell the on-duty staff, then ask the complaint's next question."""
    context = caller.context()
    unit = (context.units[0].household_id if context.units and command.location == "unit"
            else None)
    order = open_order(caller, WorkOrder(
        kind="repair", trade=command.trade, location="unit" if unit else "public",
        household_id=unit, description=command.text, preferred_time="@asap",
        contact_phone=context.roster_phone, number=""))
    caller.log("ongoing_damage", order, reported_with="complaint")
    for chat_id in alert_chats(caller.session, "emergency", "dispatch"):
        caller.uow.send(Say(chat_id, _(
            "🚨 Damage still happening, reported with a complaint: {number}. Please send "
            "someone now. {text}", number=Raw(order.number), text=Raw(command.text[:300])),
            priority=Priority.INTERACTIVE))
    caller.reply(_("🚨 We are sending someone now to stop the damage: urgent job {number}. "
                   "Then we will deal with your complaint.", number=Raw(order.number)))
    assert order.id is not None
    caller.start_dialog(complaint_dialog.after_damage(context, new_nonce(), command, order.id))
