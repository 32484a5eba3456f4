"""The desk's tools in the dispatch chat (and a dispatcher's or manager's private chat):
``/find`` a work order by its number, a unit or a phone, with buttons to reassign or cancel
what it finds, and ``/history`` of a unit — its work orders, complaints and callbacks.

Only dispatchers and managers may use them (``permissions.at_the_desk``); every search and
every history shown is an event_log row, like the moves they lead to. A complaint about the
service centre appears only in admin/HR's private chat, as in every list the desk sees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlmodel import col, func, or_, select

from dialogs import cards
from dialogs.complaint_cards import SEVERITY_NAMES
from dialogs.complaint_cards import STATUS_NAMES as COMPLAINT_STATUS_NAMES
from dialogs.events import Button, InlineKeyboard, inline
from handlers.front_desk.complaint_chain import may_see
from handlers.office.caller import Caller
from handlers.office.people import (
    normalise_phone,
    person_by_id_name,
    phone_digits,
    unit_label,
)
from handlers.office.permissions import OUT_OF_DATE, at_the_desk
from handlers.work_orders import desk_moves, states
from handlers.work_orders.desk_moves import NOT_THE_DESK, tool_button
from handlers.work_orders.notify import view
from locales import Msg, Raw, Text, _, lines
from storage.complaints import Complaint
from storage.followups import CallbackSurvey
from storage.models import Household, StaffChat, WorkOrder

COMMANDS: Final = ("find", "history")
MAX_FOUND: Final = 8  # orders listed (each with its buttons) for one search
MAX_UNITS: Final = 3  # history buttons for one search
MAX_HISTORY: Final = 15  # rows of each kind in a unit's history
MIN_PHONE_DIGITS: Final = 4
ORDER_NUMBER: Final = re.compile(r"WO-[0-9-]+", re.IGNORECASE)
UNIT: Final = re.compile(r"([0-9A-Za-z]+)-([0-9A-Za-z]+)")
SURVEY_STATES: Final[dict[str, Msg]] = {
    "scheduled": _("planned"),
    "sent": _("asked, no answer yet"),
    "phone": _("phone callback due"),
    "done": _("done"),
}
USAGE: Final = _("Write what to look for after the command: /find WO-20261123-0012 (an order), "
                 "/find 3-1202 (a unit) or /find 13800000001 (at least {digits} digits of a "
                 "phone); /history 3-1202 shows a unit's orders, complaints and callbacks.",
                 digits=MIN_PHONE_DIGITS)


def command(caller: Caller, board: StaffChat | None) -> None:
    """/find or /history typed in the dispatch or managers' chat, or privately."""
    if not at_the_desk(caller, board):
        caller.reply(NOT_THE_DESK)
        return
    query = caller.event.text.strip()
    if not query:
        caller.reply(USAGE)
    elif caller.event.command == "find":
        find(caller, board, query)
    else:
        household = _unit(caller, query) or _unit_of_order(caller, query)
        if household is None:
            caller.reply(_("No unit or work order “{query}” on record.", query=Raw(query)))
            return
        show_history(caller, board, household)


def tapped(caller: Caller, board: StaffChat | None, action: str, subject_id: int) -> None:
    """A desk tool's button: reassign (the technicians to choose from), cancel, history."""
    if not at_the_desk(caller, board):
        caller.refuse(NOT_THE_DESK)
        return
    if action == "history":
        household = caller.session.get(Household, subject_id)
        if household is None:
            caller.refuse(OUT_OF_DATE)
            return
        caller.toast()
        show_history(caller, board, household)
        return
    order = caller.session.get(WorkOrder, subject_id)
    if order is None or action not in ("reassign", "cancel"):
        caller.refuse(OUT_OF_DATE)
    elif action == "reassign":
        desk_moves.choose_technician(caller, board, order)
    else:
        desk_moves.ask_cancel_reason(caller, board, order)


def reassign_to(caller: Caller, board: StaffChat | None, order_id: int,
                technician_id: int) -> None:
    """The technician chosen to take the order over."""
    order = caller.session.get(WorkOrder, order_id)
    if order is None:
        caller.refuse(OUT_OF_DATE)
        return
    desk_moves.reassign(caller, board, order, technician_id)


# -- /find -----------------------------------------------------------------------------------
def _unit(caller: Caller, query: str) -> Household | None:
    found = UNIT.fullmatch(query)
    if found is None:
        return None
    # Typed as the desk happens to: "a-101" is the roster's "A-101".
    return caller.session.exec(select(Household).where(
        func.upper(Household.building) == found.group(1).upper(),
        func.upper(Household.room) == found.group(2).upper())).first()


def _unit_of_order(caller: Caller, query: str) -> Household | None:
    order = caller.session.exec(select(WorkOrder).where(
        WorkOrder.number == query.upper())).first()
    if order is None or order.household_id is None:
        return None
    return caller.session.get(Household, order.household_id)


def find(caller: Caller, board: StaffChat | None, query: str) -> None:
    """The orders (and units) matching *query*: an order number, a unit, or phone digits."""
    orders: Sequence[WorkOrder]
    units: list[Household] = []
    newest = col(WorkOrder.id).desc()
    digits = normalise_phone(query)
    household = _unit(caller, query)
    if ORDER_NUMBER.fullmatch(query):
        orders = caller.session.exec(select(WorkOrder).where(
            col(WorkOrder.number).startswith(query.upper())).order_by(newest)).all()
    elif household is not None:
        units = [household]
        orders = caller.session.exec(select(WorkOrder).where(
            WorkOrder.household_id == household.id).order_by(newest)).all()
    elif len(digits) >= MIN_PHONE_DIGITS and re.fullmatch(r"[0-9+\s()-]+", query):
        units = list(caller.session.exec(select(Household).where(
            phone_digits(col(Household.phone)).contains(digits)).order_by(
                col(Household.id))).all())
        orders = caller.session.exec(select(WorkOrder).where(or_(
            phone_digits(col(WorkOrder.contact_phone)).contains(digits),
            col(WorkOrder.household_id).in_([u.id for u in units]))).order_by(newest)).all()
    elif UNIT.fullmatch(query):  # a unit, just not one on the roster
        orders = []
    else:
        caller.reply(USAGE)
        return
    caller.log("order_search", query=query, orders=len(orders), units=len(units))
    if not orders and not units:
        caller.reply(_("Nothing found for “{query}”.", query=Raw(query)))
        return
    shown = orders[:MAX_FOUND]
    caller.reply(lines(
        _("🔎 “{query}”: {count} work orders.", query=Raw(query), count=len(orders)),
        *[_order_line(caller, order) for order in shown],
        _("… and {count} older: narrow the search.", count=len(orders) - len(shown))
        if len(orders) > len(shown) else None,
        _("Units: {units}", units=Raw(", ".join(unit_label(u) for u in units)))
        if units else None), _keyboard(board, shown, units[:MAX_UNITS]))


def _day(caller: Caller, moment: datetime | None) -> str:
    return moment.astimezone(caller.uow.office.timezone).strftime("%Y-%m-%d") if moment else "-"


def _order_line(caller: Caller, order: WorkOrder) -> Text:
    household = caller.session.get(Household, order.household_id) if order.household_id \
        else None
    where = unit_label(household) if household else (order.place or "-")
    return _("{day} {line} · {where} · {technician}", day=Raw(_day(caller, order.created_at)),
             line=cards.request_line(view(caller, order)), where=Raw(where),
             technician=Raw(person_by_id_name(caller.session, order.assignee_id) or "-"))


def _keyboard(board: StaffChat | None, orders: Sequence[WorkOrder],
              units: Sequence[Household]) -> InlineKeyboard:
    """Reassign a held job, cancel one not finished; the history of each unit found."""
    rows: list[list[Button]] = []
    for order in orders:
        row = []
        if order.status in states.REASSIGN.sources:
            row.append(tool_button(board, _("🔁 Reassign {number}", number=Raw(order.number)),
                                   "reassign", order.id))
        if order.status in states.DESK_CANCEL.sources:
            row.append(tool_button(board, _("✖ Cancel {number}", number=Raw(order.number)),
                                   "cancel", order.id))
        if row:
            rows.append(row)
    rows += [[tool_button(board, _("📜 History of {unit}", unit=Raw(unit_label(u))), "history",
                          u.id)] for u in units]
    return inline(*rows)


# -- /history --------------------------------------------------------------------------------
def show_history(caller: Caller, board: StaffChat | None, household: Household) -> None:
    """A unit's work orders, complaints and callbacks, newest first, with dates and statuses."""
    newest_order = col(WorkOrder.id).desc()
    orders = caller.session.exec(select(WorkOrder).where(
        WorkOrder.household_id == household.id).order_by(newest_order)).all()
    complaints = [c for c in caller.session.exec(select(Complaint).where(
        Complaint.household_id == household.id).order_by(col(Complaint.id).desc())).all()
        if may_see(caller.session, caller.person, c)
        and not (board is not None and c.about_service_centre)]
    surveys = caller.session.exec(select(CallbackSurvey, WorkOrder).join(
        WorkOrder, col(WorkOrder.id) == col(CallbackSurvey.order_id)).where(
        WorkOrder.household_id == household.id).order_by(col(CallbackSurvey.id).desc())).all()
    caller.log("unit_history_viewed", household_id=household.id, unit=unit_label(household),
               orders=len(orders), complaints=len(complaints), callbacks=len(surveys))
    caller.reply(lines(
        _("📜 Unit {unit} ({name})", unit=Raw(unit_label(household)), name=Raw(household.name)),
        *_section(_("Work orders ({count}):", count=len(orders)),
                  [_order_line(caller, o) for o in orders]),
        *_section(_("Complaints ({count}):", count=len(complaints)), [_(
            "{day} {number} · {severity} · {status}", day=Raw(_day(caller, c.created_at)),
            number=Raw(c.number), severity=SEVERITY_NAMES.get(c.severity or "", Raw("-")),
            status=COMPLAINT_STATUS_NAMES.get(c.status, Raw(c.status))) for c in complaints]),
        *_section(_("Callbacks ({count}):", count=len(surveys)), [
            _survey_line(caller, survey, order) for survey, order in surveys])))


def _section(heading: Text, rows: Sequence[Text]) -> tuple[Text, ...]:
    shown = rows[:MAX_HISTORY]
    return lines(heading, *shown, _("… and {count} older", count=len(rows) - len(shown))
                 if len(rows) > len(shown) else None,
                 _("none") if not rows else None)


def _survey_line(caller: Caller, survey: CallbackSurvey, order: WorkOrder) -> Text:
    if survey.rating is not None:
        return _("{day} {number} · rated {rating}/5", day=Raw(_day(caller, survey.rated_at)),
                 number=Raw(order.number), rating=survey.rating)
    return _("{day} {number} · {state}", day=Raw(_day(caller, survey.window_start)),
             number=Raw(order.number), state=SURVEY_STATES.get(survey.state,
                                                               Raw(survey.state)))
