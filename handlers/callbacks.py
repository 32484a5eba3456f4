"""Callback duties, the staff's side: correct a callback class, record a phone or on-site
callback, note an unanswered call, close a corrective task, record managers' spot checks.

Every tap comes from a staff group and is re-checked here: the chat's purpose, the person's
role, the survey's state now. Button data is only a reference.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from dialogs import survey as texts
from dialogs.events import Edit, inline
from dialogs.model import AnswerText
from handlers import orders, surveys
from handlers.views import wall_clock
from handlers.visit import Visit
from handlers.windows import CALLBACK_CLASSES, survey_window
from locales import Raw, _, lines
from storage.followups import CallbackSurvey
from storage.models import Person, StaffChat, WorkOrder

CALLBACK_ROLES = ("dispatcher", "manager", "admin", "butler")  # CS staff who run callbacks
CHECK_ROLES = ("manager", "admin")  # spot checks are the managers' (2.7.5)
STAFF_ONLY = _("Only customer-service staff can do this.")
TOO_LATE = _("Too late to change: the callback has already happened.")


def _survey(v: Visit, board: StaffChat, survey_id: int, purposes: tuple[str, ...],
            roles: tuple[str, ...]) -> tuple[CallbackSurvey, WorkOrder] | None:
    """The survey, if this chat and this person may act on it; refuses politely otherwise."""
    if board.purpose not in purposes or v.person is None or v.person.role not in roles:
        v.refuse(STAFF_ONLY)
        return None
    # Locked while we decide: on PostgreSQL the drain may be moving this survey on right now.
    survey = v.session.get(CallbackSurvey, survey_id, with_for_update=True)
    order = v.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None:
        v.refuse(orders.STALE)
        return None
    return survey, order


def correct_class(v: Visit, board: StaffChat, survey_id: int, klass: str) -> None:
    """Staff correct the callback class (safety / leak / other) while the survey is pending."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"), CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if klass not in CALLBACK_CLASSES:
        v.refuse(orders.STALE)
        return
    if survey.state not in ("scheduled", "sent"):
        v.refuse(TOO_LATE)
        return
    office = v.uow.office
    assert survey.window_start is not None
    window = survey_window(survey.window_start, klass, office.timezone,
                           surveys.rules_of(office), now=v.now)
    before = survey.callback_class
    survey.callback_class, survey.window_end = klass, window.end
    order.callback_class = klass
    if survey.state == "scheduled":
        survey.due_at = window.push or v.now  # no daytime left: the drain raises a phone task
    else:
        survey.due_at = window.end
    v.log("callback_class_corrected", order, survey_id=survey_id, before=before, after=klass)
    tz = office.timezone
    push = window.push if survey.state == "scheduled" else survey.sent_at
    v.uow.send(Edit(v.chat_id, texts.class_notice(order.number, klass, wall_clock(push, tz),
                                                  wall_clock(window.end, tz)),
                    texts.class_keyboard(survey_id, klass), message_id=v.event.message_id,
                    ref=f"svn:{survey_id}"))
    v.toast(_("Callback class set to {klass}.", klass=texts.CLASS_NAMES[klass]))


def record_call(v: Visit, board: StaffChat, survey_id: int, via: str, rating: int) -> None:
    """The result of a phone or on-site callback: the callback is done."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"), CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if via not in ("phone", "onsite") or rating not in texts.RATINGS:
        v.refuse(orders.STALE)
        return
    assert v.person is not None
    values: dict[str, object] = {"state": "done", "due_at": None, "rating": rating,
                                 "rated_via": via, "rated_by": v.person.id,
                                 "rated_at": v.now}
    if via == "onsite":
        values |= {"onsite_at": v.now, "onsite_by": v.person.id}
    # Conditional: two colleagues recording the same call at once — the first one counts.
    result = v.session.execute(update(CallbackSurvey).where(
        col(CallbackSurvey.id) == survey_id, col(CallbackSurvey.state) == "phone")
        .values(**values))
    v.session.refresh(survey)
    if getattr(result, "rowcount", 0) != 1:
        v.refuse(_("This callback was already recorded."))
        return
    v.log("callback_recorded", order, survey_id=survey_id, rating=rating, via=via)
    if rating <= texts.DISSATISFIED:
        surveys.raise_corrective(v.uow, survey, order, via)
    v.uow.send(Edit(v.chat_id, texts.callback_done(order.number, rating, via, v.person.name),
                    texts.note_keyboard(survey_id), message_id=v.event.message_id,
                    ref=f"phone:{survey_id}"))
    v.toast(_("Recorded. Thank you."))


def no_answer(v: Visit, board: StaffChat, survey_id: int) -> None:
    """A call nobody answered: counted on the task, which stays open."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"), CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.state != "phone":
        v.refuse(_("This callback was already recorded."))
        return
    survey.phone_attempts += 1
    v.log("callback_no_answer", order, survey_id=survey_id, attempt=survey.phone_attempts)
    v.uow.send(Edit(v.chat_id, surveys.phone_card(v.uow, survey, order),
                    texts.phone_keyboard(survey_id), message_id=v.event.message_id,
                    ref=f"phone:{survey_id}"))
    v.toast(_("Noted. Please try again later."))


def ask_note(v: Visit, board: StaffChat, survey_id: int) -> None:
    """Ask the colleague, in their private chat, what the resident said."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"), CALLBACK_ROLES)
    if found is None:
        return
    v.ask_privately("phone_result", survey_id, found[1].number)


def note(v: Visit, command: AnswerText) -> None:
    """The colleague's note on a callback, kept with the survey."""
    survey = v.session.get(CallbackSurvey, command.subject_id)
    order = v.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None or v.person is None or v.person.role not in (
            CALLBACK_ROLES):
        v.reply(orders.STALE)
        return
    line = f"[{v.person.name}] {command.text.strip()}"
    survey.comment = "\n".join(filter(None, [survey.comment, line]))[:4000]
    v.log("callback_note", order, survey_id=survey.id, text=command.text)
    v.reply(_("Noted on {number}.", number=Raw(order.number)))


def corrected(v: Visit, board: StaffChat, survey_id: int) -> None:
    """The corrective task is done."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"),
                    (*CALLBACK_ROLES, "technician"))
    if found is None:
        return
    survey, order = found
    if survey.corrective_at is None or survey.corrected_at is not None:
        v.refuse(_("Already closed."))
        return
    assert v.person is not None and survey.rating is not None
    survey.corrected_at, survey.corrected_by = v.now, v.person.id
    v.log("corrected", order, survey_id=survey_id)
    assignee = v.session.get(Person, order.assignee_id) if order.assignee_id else None
    name = assignee.name if assignee else ""
    v.uow.send(Edit(v.chat_id, lines(
        texts.corrective_task(order.number, survey.rating, name, survey.rated_via),
        _("✔ Corrected by {name} at {time}.", name=Raw(v.person.name),
          time=Raw(wall_clock(v.now, v.uow.office.timezone)))), inline(),
        message_id=v.event.message_id))
    v.toast(_("Thank you."))


def spot_check(v: Visit, board: StaffChat, survey_id: int) -> None:
    """A manager re-checked a finished callback with the resident (2.7.5)."""
    found = _survey(v, board, survey_id, ("managers",), CHECK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.state != "done" or survey.spot_checked_at is not None:
        v.refuse(_("Already checked, or the callback is not done yet."))
        return
    assert v.person is not None
    survey.spot_checked_at, survey.spot_checked_by = v.now, v.person.id
    v.log("callback_spot_checked", order, survey_id=survey_id)
    v.toast(_("Spot check of {number} recorded.", number=Raw(order.number)))


def onsite(v: Visit, board: StaffChat, survey_id: int) -> None:
    """A colleague visited the resident for this callback (2.7.4: ≥ 5 % on site)."""
    found = _survey(v, board, survey_id, ("dispatch", "managers"), CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.onsite_at is not None:
        v.refuse(_("Already recorded."))
        return
    assert v.person is not None
    survey.onsite_at, survey.onsite_by = v.now, v.person.id
    v.log("callback_onsite", order, survey_id=survey_id)
    v.toast(_("On-site callback for {number} recorded.", number=Raw(order.number)))
