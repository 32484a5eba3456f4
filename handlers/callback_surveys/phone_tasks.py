"""Callback duties, the staff's side: correct a callback class, record a phone or on-site
callback, note an unanswered call, close a task that cannot be reached (wrong number, or the
office's unanswered calls made), record managers' spot checks.

Every tap comes from a staff group and is re-checked here: the chat's purpose, the person's
role, the survey's state now. Button data is only a reference.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from dialogs import survey as texts
from dialogs.events import Edit, InlineKeyboard
from dialogs.model import AnswerText
from handlers.callback_surveys.corrective import raise_corrective
from handlers.callback_surveys.planning import CALLBACK_CLASSES, rules_of, survey_window
from handlers.callback_surveys.pushing import close_phone_task, phone_buttons, phone_card
from handlers.callback_surveys.staff_access import staff_survey
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.permissions import CALLBACK_ROLES, DESK_CHATS, OUT_OF_DATE, SPOT_CHECK_ROLES
from locales import Raw, Text, _
from storage.followups import CallbackSurvey
from storage.models import StaffChat, WorkOrder

TOO_LATE = _("Too late to change: the callback has already happened.")


def correct_class(caller: Caller, board: StaffChat, survey_id: int, klass: str) -> None:
    """Staff correct the callback class (safety / leak / other) while the survey is pending."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if klass not in CALLBACK_CLASSES:
        caller.refuse(OUT_OF_DATE)
        return
    if survey.state not in ("scheduled", "sent"):
        caller.refuse(TOO_LATE)
        return
    office = caller.uow.office
    assert survey.window_start is not None
    window = survey_window(survey.window_start, klass, office.timezone,
                           rules_of(office), now=caller.now)
    before = survey.callback_class
    survey.callback_class, survey.window_end = klass, window.end
    order.callback_class = klass
    if survey.state == "scheduled":
        survey.due_at = window.push or caller.now  # no daytime left: the drain raises a phone task
    else:
        survey.due_at = window.end
    caller.log("callback_class_corrected", order, survey_id=survey_id, before=before, after=klass)
    tz = office.timezone
    push = window.push if survey.state == "scheduled" else survey.sent_at
    caller.uow.send(Edit(caller.chat_id, texts.class_notice(order.number, klass,
                                                            wall_clock(push, tz),
                                                            wall_clock(window.end, tz)),
                    texts.class_keyboard(survey_id, klass), message_id=caller.event.message_id,
                    ref=f"svn:{survey_id}"))
    caller.toast(_("Callback class set to {klass}.", klass=texts.CLASS_NAMES[klass]))


def record_call(caller: Caller, board: StaffChat, survey_id: int, via: str, rating: int) -> None:
    """The result of a phone or on-site callback: the callback is done."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if via not in ("phone", "onsite") or rating not in texts.RATINGS:
        caller.refuse(OUT_OF_DATE)
        return
    assert caller.person is not None
    values: dict[str, object] = {"state": "done", "due_at": None, "rating": rating,
                                 "rated_via": via, "rated_by": caller.person.id,
                                 "rated_at": caller.now}
    if via == "onsite":
        values |= {"onsite_at": caller.now, "onsite_by": caller.person.id}
    if survey.rated_via == "bot":
        # The resident's late tap is kept beside the call's result (the card showed it).
        values["bot_rating"] = survey.rating
    # Conditional: two colleagues recording the same call at once — the first one counts.
    result = caller.session.execute(update(CallbackSurvey).where(
        col(CallbackSurvey.id) == survey_id, col(CallbackSurvey.state) == "phone")
        .values(**values))
    caller.session.refresh(survey)
    if getattr(result, "rowcount", 0) != 1:
        caller.refuse(_("This callback was already recorded."))
        return
    caller.log("callback_recorded", order, survey_id=survey_id, rating=rating, via=via,
               bot_rating=survey.bot_rating)
    if rating <= caller.uow.office.rules.dissatisfied_at_most:
        raise_corrective(caller.uow, survey, order, via)
    _update_task(caller, survey_id, texts.callback_done(order.number, rating, via,
                                                         caller.person.name, survey.bot_rating),
                 texts.note_keyboard(survey_id))
    caller.toast(_("Recorded. Thank you."))


def no_answer(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """A call nobody answered: counted on the task, which stays open."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.state != "phone":
        caller.refuse(_("This callback was already recorded."))
        return
    survey.phone_attempts += 1
    caller.log("callback_no_answer", order, survey_id=survey_id, attempt=survey.phone_attempts)
    _update_task(caller, survey_id, phone_card(caller.uow, survey, order),
                 phone_buttons(caller.uow, survey))
    caller.toast(_("Noted. Please try again later."))


def close_unreached(caller: Caller, board: StaffChat, survey_id: int, outcome: str) -> None:
    """A wrong number (at any time), or could not reach after the office's unanswered calls:
    the task closes without a rating, and no reminder lists it again."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if outcome not in ("unreachable", "wrong_number"):
        caller.refuse(OUT_OF_DATE)
        return
    if survey.state != "phone":
        caller.refuse(_("This callback was already recorded."))
        return
    needed = caller.uow.office.rules.phone_attempts_unreachable
    if outcome == "unreachable" and survey.phone_attempts < needed:
        caller.refuse(texts.give_up_too_soon(needed))
        return
    assert caller.person is not None
    if not close_phone_task(caller.uow, survey, order, outcome, caller.person.name):
        caller.refuse(_("This callback was already recorded."))
        return
    caller.toast(_("Recorded. Thank you."))


def _update_task(caller: Caller, survey_id: int, text: Text, keyboard: InlineKeyboard) -> None:
    """Edit the tapped phone-task card in place (every copy shares its ref)."""
    caller.uow.send(Edit(caller.chat_id, text, keyboard, message_id=caller.event.message_id,
                         ref=f"phone:{survey_id}"))


def ask_note(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """Ask the colleague, in their private chat, what the resident said."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    caller.ask_privately("phone_result", survey_id, found[1].number)


def note(caller: Caller, command: AnswerText) -> None:
    """The colleague's note on a callback, kept with the survey."""
    survey = caller.session.get(CallbackSurvey, command.subject_id)
    order = caller.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None or caller.person is None or caller.person.role not in (
            CALLBACK_ROLES):
        caller.reply(OUT_OF_DATE)
        return
    line = f"[{caller.person.name}] {command.text.strip()}"
    survey.comment = "\n".join(filter(None, [survey.comment, line]))[:4000]
    caller.log("callback_note", order, survey_id=survey.id, text=command.text)
    caller.reply(_("Noted on {number}.", number=Raw(order.number)))


def spot_check(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """A manager re-checked a finished callback with the resident (2.7.5)."""
    found = staff_survey(caller, board, survey_id, ("managers",), SPOT_CHECK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.state != "done" or survey.spot_checked_at is not None:
        caller.refuse(_("Already checked, or the callback is not done yet."))
        return
    assert caller.person is not None
    survey.spot_checked_at, survey.spot_checked_by = caller.now, caller.person.id
    caller.log("callback_spot_checked", order, survey_id=survey_id)
    caller.toast(_("Spot check of {number} recorded.", number=Raw(order.number)))


def onsite(caller: Caller, board: StaffChat, survey_id: int) -> None:
    """A colleague visited the resident for this callback (2.7.4: ≥ 5 % on site)."""
    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)
    if found is None:
        return
    survey, order = found
    if survey.onsite_at is not None:
        caller.refuse(_("Already recorded."))
        return
    assert caller.person is not None
    survey.onsite_at, survey.onsite_by = caller.now, caller.person.id
    caller.log("callback_onsite", order, survey_id=survey_id)
    caller.toast(_("On-site callback for {number} recorded.", number=Raw(order.number)))
