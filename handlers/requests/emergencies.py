"""Emergencies (gas, fire, sparks, a person in a lift, flooding): safety instructions first,
then the emergency order and the on-duty alert — never a long dialog first (SPEC, 001 §2.2.6)."""

from __future__ import annotations

from typing import Final

from sqlmodel import col, select

from dialogs.model import ReportEmergency
from dialogs.question_unit import home_of
from dialogs.triage import triage
from handlers.office.caller import Caller
from handlers.requests.new_orders import open_order
from handlers.work_orders import emergency_clock
from locales import Msg, Raw, _
from storage.models import EventLog, WorkOrder

SAFETY_INSTRUCTIONS: Final[dict[str, Msg]] = {
    "gas": _("⚠️ Gas smell: do NOT switch lights or appliances on or off, no flames, do not "
             "phone from inside. Open windows and doors, close the gas valve if you can reach "
             "it safely, and leave. Then call the estate hotline {hotline}."),
    "fire": _("🔥 Fire or smoke: leave at once by the stairs, never the lift. Close doors "
              "behind you, stay low under smoke. Call 119, then the estate hotline {hotline}."),
    "sparks": _("⚡ Sparks or burning smell: switch off the main breaker if you can do it "
                "safely, do not touch the socket or wires, never use water on it. Estate "
                "hotline: {hotline}."),
    "lift": _("🛗 Stay calm. Press the alarm button in the lift and keep away from the doors; "
              "do not try to force them open. Help is on the way. Estate hotline: {hotline}."),
    "flood": _("💧 Close the main water valve (usually beside the water meter), switch off "
               "power in wet rooms and keep away from sockets. Estate hotline: {hotline}."),
}
ALERTED: Final = "emergency_alerted"  # the event log's record of an alert
# Who handles each hazard, and where it most likely is, when it was reported with a button.
HAZARD_TRADES: Final[dict[str, tuple[str, str]]] = {
    "gas": ("gas", "unit"), "fire": ("security", "unit"), "lift": ("lift", "public"),
    "sparks": ("electrical", "unit"), "flood": ("plumbing", "unit"),
}


def report_emergency(caller: Caller, command: ReportEmergency) -> None:
    """Safety instructions first, then the emergency order and the on-duty alert."""
    hotline = Raw(caller.uow.office.rules.hotline)
    caller.reply(Msg(SAFETY_INSTRUCTIONS[command.hazard].msgid, {"hotline": hotline}))
    units = caller.context().units
    # A resident of several homes is not asked which first: the home the words name, else
    # none, and the alert lists their homes for staff to confirm by phone (order_view).
    household_id = home_of(None, command.text, units) if command.location == "unit" else None
    order = open_order(caller, WorkOrder(
        kind="repair", trade=command.trade, location=command.location,
        household_id=household_id, description=command.text, photos=list(command.photos),
        emergency=True,
        hazard=command.hazard, contact_phone=caller.context().roster_phone,
        preferred_time="@asap", callback_class=triage(command.text).callback_class or "other",
        number=""))
    # With an "I'm on it" button: the on-duty chat has its own clock (emergency_clock).
    emergency_clock.send_alert(caller.uow, order)
    # The album its photo came in, if any: the album's other photos join the order (album_rest).
    caller.log(ALERTED, order, hazard=command.hazard, album=caller.event.album)
    caller.reply(_("🚨 On-duty staff have been alerted ({number}). Stay safe; we will call you.",
              number=Raw(order.number)))


def album_rest(caller: Caller) -> bool:
    """A photo of the album whose first photo reported an emergency (an album comes one photo
    per update): kept on that order and shown to the on-duty staff, beside the alert, but not
    answered — the alert and the instructions were given. True if it was."""
    event = caller.event
    alerted = caller.session.exec(select(EventLog).where(
        EventLog.action == ALERTED, EventLog.telegram_user_id == event.user_id).order_by(
            col(EventLog.id).desc())).first()
    if alerted is None or alerted.order_id is None or alerted.detail.get("album") != event.album:
        return False
    order = caller.session.get(WorkOrder, alerted.order_id)
    if order is None:
        return False
    order.photos = [*order.photos, *event.photo_file_ids]
    caller.log("photos_added", order, photos=list(event.photo_file_ids))
    emergency_clock.send_photos(caller.uow, order, event.photo_file_ids)
    return True


def report_emergency_button(caller: Caller, hazard: str) -> None:
    """The emergency button: the same path as an emergency written in words."""
    trade, location = HAZARD_TRADES[hazard]
    report_emergency(caller, ReportEmergency("", hazard, trade, location))
