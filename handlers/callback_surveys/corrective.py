"""Corrective tasks: a rating of 2 or less (in the bot, by phone or on site) goes to the
technician's supervisors and dispatch (001 §2.7.6), and is closed when corrected."""

from __future__ import annotations

from sqlmodel import Session

from dialogs import survey as texts
from dialogs.events import Edit, Say, inline
from handlers.callback_surveys.pushing import survey_id_of
from handlers.callback_surveys.staff_access import staff_survey
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import alert_chats
from handlers.office.permissions import CALLBACK_ROLES
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, _, lines
from storage.followups import CallbackSurvey
from storage.models import Person, StaffChat, WorkOrder


def raise_corrective(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder,
                     via: str) -> None:
    """Rating ≤ 2: a corrective task for the supervisors (managers' chat) and dispatch."""
    if survey.corrective_at is not None or survey.rating is None:
        return
    survey.corrective_at = uow.now
    technician = uow.session.get(Person, order.assignee_id) if order.assignee_id else None
    for chat_id in corrective_chats(uow.session):
        uow.send(Say(chat_id, texts.corrective_task(order.number, survey.rating,
                                                    technician.name if technician else "",
                                                    via),
                     texts.corrective_keyboard(survey_id_of(survey)), ref=f"corr:{survey.id}"))
    uow.log("corrective_task", order=order, survey_id=survey.id, rating=survey.rating,
            via=via)


def corrective_chats(session: Session) -> list[int]:
    # No supervisor is recorded per technician: supervisors work in the managers' chat.
    """The chats that receive corrective tasks: the managers' (supervisors) and dispatch."""
    return list(dict.fromkeys([*alert_chats(session, "managers"),
                               *alert_chats(session, "dispatch")]))


def corrected(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """The corrective task is done."""
    found = staff_survey(caller, board, survey_id, ("dispatch", "managers"),
                    (*CALLBACK_ROLES, "technician"))
    if found is None:
        return
    survey, order = found
    if survey.corrective_at is None or survey.corrected_at is not None:
        caller.refuse(_("Already closed."))
        return
    assert caller.person is not None and survey.rating is not None
    survey.corrected_at, survey.corrected_by = caller.now, caller.person.id
    caller.log("corrected", order, survey_id=survey_id)
    assignee = caller.session.get(Person, order.assignee_id) if order.assignee_id else None
    name = assignee.name if assignee else ""
    caller.uow.send(Edit(caller.chat_id, lines(
        texts.corrective_task(order.number, survey.rating, name, survey.rated_via),
        _("✔ Corrected by {name} at {time}.", name=Raw(caller.person.name),
          time=Raw(wall_clock(caller.now, caller.uow.office.timezone)))), inline(),
        message_id=caller.event.message_id))
    caller.toast(_("Thank you."))
