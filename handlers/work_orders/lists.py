"""The lists a person asks for: a resident's requests, a technician's open jobs."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, or_, select

from dialogs import cards
from dialogs.buttons import Verb, tap
from dialogs.events import Button, InlineKeyboard, inline
from handlers.office.caller import Caller
from handlers.office.permissions import ASSIGN_ROLES
from handlers.work_orders import appointments, states
from handlers.work_orders.notify import view
from locales import Raw, Text, _, lines
from storage.models import WorkOrder

# Built once: the menu's "my requests" is a common tap, and building the statement and its
# cache key cost more than running it.
MY_REQUESTS = (select(WorkOrder)
               .where(or_(col(WorkOrder.reporter_id) == bindparam("person"),
                          col(WorkOrder.household_id).in_(bindparam("units", expanding=True))))
               .order_by(col(WorkOrder.id).desc()).limit(10))


def my_requests(caller: Caller) -> None:
    """The resident's recent requests with status; cancellable ones get a button."""
    units = [u.household_id for u in caller.context().units]
    person_id = caller.person.id if caller.person else None
    orders = caller.session.exec(MY_REQUESTS, params={"person": person_id, "units": units}).all()
    if not orders:
        caller.reply(_("You have no requests yet. Write what is wrong, or use /menu."))
        return
    views = [view(caller, order) for order in orders]
    buttons = [[Button(_("✖ Cancel {number}", number=Raw(o.number)),
                       tap(Verb.CANCEL_ORDER, o.id))]
               for o in views if o.status in states.CANCELLABLE]
    # A job nobody took yet may change its kind of work (a wrong guess costs one tap).
    buttons += [[Button(_("🔀 {number}: change the kind of work", number=Raw(o.number)),
                        tap(Verb.CHANGE_TRADE, o.id))]
                for o in views if cards.may_change_trade(o)]
    # A visit still to come may move (the technician is told, the reminders move).
    buttons += [[Button(_("📅 {number}: another visit time", number=Raw(number)),
                        tap(Verb.MOVE_VISIT, order_id))]
                for order_id, number in appointments.movable(orders, caller.session)]
    caller.reply(lines(_("Your requests:"), *[cards.request_line(o) for o in views]),
                 inline(*buttons))


def my_jobs(caller: Caller) -> None:
    """A technician's open jobs, each with a button to bring its card back, and their shift;
    for the desk (dispatchers, managers), the jobs nobody holds yet."""
    if caller.person is not None and caller.person.role in ASSIGN_ROLES:
        caller.toast()
        caller.reply(waiting_jobs(caller))
        return
    if caller.person is None or caller.person.role != "technician":
        caller.refuse(_("This command is for technicians."))
        return
    caller.toast()
    caller.reply(*jobs_message(caller))


def waiting_jobs(caller: Caller) -> Text:
    """The open jobs nobody has taken, oldest first: what the desk has to place."""
    orders = caller.session.exec(select(WorkOrder).where(
        col(WorkOrder.status) == states.Status.OPEN).order_by(col(WorkOrder.id)).limit(20)).all()
    if not orders:
        return _("Every job has a technician: none is waiting.")
    views = [view(caller, order) for order in orders]
    return lines(_("Waiting for a technician (assign them in the dispatch chat):"),
                 *[_("{line} · since {time}", line=cards.request_line(o), time=Raw(o.created))
                   for o in views])


def jobs_message(caller: Caller) -> tuple[Text, InlineKeyboard]:
    """The technician's open jobs and shift, with a button per job and one for the shift."""
    person = caller.person
    assert person is not None
    orders = caller.session.exec(
        select(WorkOrder).where(WorkOrder.assignee_id == person.id,
                                col(WorkOrder.status).in_([*states.WORKING, states.Status.DONE]))
        .order_by(col(WorkOrder.id))).all()
    views = [view(caller, order) for order in orders]
    shift = Button(_("⚪ Go off shift"), tap(Verb.SHIFT, "off")) if person.on_shift else Button(
        _("🟢 Go on shift"), tap(Verb.SHIFT, "on"))
    text = lines(
        _("🟢 You are on shift: new jobs of your trade count on you.") if person.on_shift else
        _("⚪ You are off shift: new jobs go to others or to the dispatcher."),
        _("Your open jobs:") if views else
        _("You have no open jobs. New jobs appear in your trade's group."),
        *[cards.request_line(o) for o in views])
    return text, inline(*[[Button(Raw(o.number), tap(Verb.SHOW_CARD, o.id))] for o in views],
                        [shift])
