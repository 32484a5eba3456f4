"""Corrective tasks: a rating of 2 or less (in the bot, by phone or on site) goes to the
technician's supervisors and dispatch (001 §2.7.6), and is closed with a note of what was done.

The card says whom to contact (unit, name, phone) and what the order was (number, trade or
service, what was reported and done, by whom). "Write the outcome" asks the colleague privately;
their next text is the note that closes the task, and every copy of the card — wherever it was
sent — shows who closed it, when, and the note, without its button.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import update
from sqlmodel import Session, col

from dialogs import survey as texts
from dialogs.events import Edit, Say, inline
from dialogs.model import AnswerText
from handlers.callback_surveys.pushing import contact_of, survey_id_of, what_of
from handlers.callback_surveys.staff_access import staff_survey
from handlers.delivery.bulk import chats_posted
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import alert_chats
from handlers.office.permissions import CALLBACK_ROLES, DESK_CHATS, OUT_OF_DATE, is_assignee
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, Text, _
from storage.followups import CallbackSurvey
from storage.models import Person, StaffChat, WorkOrder

# Who may close a corrective task: customer service, and the technician's supervisors (never
# the technician whose job it was: _own_job).
CLOSER_ROLES: Final = (*CALLBACK_ROLES, "technician")


def corrective_ref(survey_id: int | None) -> str:
    return f"corr:{survey_id}"


def raise_corrective(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder,
                     via: str) -> None:
    """Rating ≤ 2: a corrective task for the supervisors (managers' chat) and dispatch."""
    if survey.corrective_at is not None or survey.rating is None:
        return
    survey.corrective_at = uow.now
    case = _case(uow, survey, order)
    for chat_id in corrective_chats(uow.session):
        uow.send(Say(chat_id, texts.corrective_task(case),
                     texts.corrective_keyboard(survey_id_of(survey)),
                     ref=corrective_ref(survey.id)))
    uow.log("corrective_task", order=order, survey_id=survey.id, rating=survey.rating,
            via=via)


def _case(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> texts.Corrective:
    assert survey.rating is not None
    technician = uow.session.get(Person, order.assignee_id) if order.assignee_id else None
    return texts.Corrective(
        number=order.number, rating=survey.rating, via=survey.rated_via or "bot",
        contact=contact_of(uow, order), what=what_of(uow.office, order),
        reported=order.description, done=order.materials_note,
        technician=technician.name if technician else "")


def corrective_chats(session: Session) -> list[int]:
    # No supervisor is recorded per technician: supervisors work in the managers' chat.
    """The chats that receive corrective tasks: the managers' (supervisors) and dispatch."""
    return list(dict.fromkeys([*alert_chats(session, "managers"),
                               *alert_chats(session, "dispatch")]))


def ask_outcome(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """"Write the outcome": the colleague is asked, privately, what was done."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CLOSER_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.corrective_at is None or survey.corrected_at is not None:
        caller.refuse(_("Already closed."))
        return
    if is_assignee(caller, order):
        caller.refuse(_own_job(order))
        return
    caller.ask_privately("corrective_outcome", survey_id, order.number)


def close(caller: Caller, command: AnswerText) -> None:
    """The colleague's note closes the corrective task."""
    survey = caller.session.get(CallbackSurvey, command.subject_id)
    order = caller.session.get(WorkOrder, survey.order_id) if survey else None
    if (survey is None or order is None or survey.corrective_at is None
            or caller.person is None or caller.person.role not in CLOSER_ROLES):
        caller.reply(OUT_OF_DATE)
        return
    if is_assignee(caller, order):  # checked again: the question may be older than the rule
        caller.reply(_own_job(order))
        return
    note = command.text.strip()  # never empty words: the question insists (NEEDS_A_REASON)
    # Conditional: two colleagues closing at once — the first note counts.
    result = caller.session.execute(update(CallbackSurvey).where(
        col(CallbackSurvey.id) == survey.id, col(CallbackSurvey.corrected_at).is_(None))
        .values(corrected_at=caller.now, corrected_by=caller.person.id,
                correction_note=note[:1000]))
    caller.session.refresh(survey)
    if getattr(result, "rowcount", 0) != 1:
        closer = caller.session.get(Person, survey.corrected_by) if survey.corrected_by else None
        caller.reply(_("{number} was already closed by {name}.", number=Raw(order.number),
                       name=Raw(closer.name if closer else "-")))
        return
    caller.log("corrected", order, survey_id=survey.id, note=note)
    closed = texts.corrective_closed(_case(caller.uow, survey, order), caller.person.name,
                                     wall_clock(caller.now, caller.uow.office.timezone), note)
    ref = corrective_ref(survey.id)
    for chat_id in chats_posted(caller.uow, ref):
        caller.uow.send(Edit(chat_id, closed, inline(), ref=ref))
    caller.reply(_("Thank you. The corrective task for {number} is closed with your note.",
                   number=Raw(order.number)))


def _own_job(order: WorkOrder) -> Text:
    """A technician does not close the complaint about his own work."""
    return _("{number} was your own job: a supervisor or customer service closes its "
             "corrective task; nothing was changed.", number=Raw(order.number))

