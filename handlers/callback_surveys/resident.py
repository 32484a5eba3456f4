"""The resident's side of a callback survey: the 1–5 tap, the optional comment, Skip."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import col

from dialogs import answers
from dialogs import survey as texts
from dialogs.events import Edit, Say, inline
from dialogs.model import AnswerText
from handlers.callback_surveys.corrective import corrective_chats, raise_corrective
from handlers.callback_surveys.persisting import fault_persists
from handlers.callback_surveys.planning import OPEN_STATES
from handlers.callback_surveys.pushing import (
    close_phone_task,
    phone_buttons,
    phone_card,
    phone_ref,
)
from handlers.office import conversations
from handlers.office.caller import Caller
from handlers.office.conversations import PROMPT
from handlers.office.people import alert_chats
from handlers.office.permissions import DESK_CHATS, OUT_OF_DATE, owns
from handlers.office.unit_of_work import UnitOfWork
from storage.followups import CallbackSurvey
from storage.models import WorkOrder


def _mine(caller: Caller, survey_id: int) -> tuple[CallbackSurvey, WorkOrder] | None:
    survey = caller.session.get(CallbackSurvey, survey_id)
    order = caller.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None or not owns(caller, order):
        return None
    return survey, order


def rate(caller: Caller, survey_id: int, rating: int) -> None:
    """The resident's 1–5; the first tap counts, a late one is noted but closes nothing."""
    found = _mine(caller, survey_id)
    if found is None or found[0].state == "scheduled" or rating not in texts.RATINGS:
        caller.refuse(OUT_OF_DATE)
        return
    survey, order = found
    late = _record_rating(caller, survey, rating)
    if late is None:
        caller.toast(texts.ALREADY)
        return
    caller.log("survey_answered", order, survey_id=survey_id, rating=rating, late=late)
    # Answered: the 1–5 buttons go (the thanks below says what was recorded).
    caller.uow.send(Edit(caller.chat_id, "", inline(), message_id=caller.event.message_id))
    dissatisfied = rating <= caller.uow.office.rules.dissatisfied_at_most
    if dissatisfied:
        raise_corrective(caller.uow, survey, order, "bot")
    if late:
        caller.reply(texts.late_thanks(order.number, rating))
        if survey.state == "phone":
            _refresh_phone_cards(caller.uow, survey, order)
    else:
        caller.reply(texts.thanks(order.number, rating, dissatisfied))
    caller.toast()
    if caller.dialog() is None:
        # Only when no other dialog is under way: it would be overwritten.
        outcome = answers.ask(caller.context(), conversations.new_nonce(), "survey_comment",
                              survey_id, order.number)
        caller.save_dialog(outcome.conversation)
        question = outcome.replies[0]
        assert isinstance(question, Say)
        # Under the dialogs' ref: answered or skipped, its Skip button goes (reception.prompts).
        caller.uow.send(dataclasses.replace(question, keyboard=texts.skip_keyboard(survey_id),
                                            ref=PROMPT))


def _record_rating(caller: Caller, survey: CallbackSurvey, rating: int) -> bool | None:
    """Record the tap if the survey is still unanswered: whether it came late (after the
    window closed or the phone task was raised), or None when another answer came first."""
    for _attempt in range(2):
        assert survey.window_end is not None
        late = survey.state == "phone" or caller.now >= survey.window_end
        values: dict[str, object] = {"rating": rating, "rated_at": caller.now,
                                     "rated_via": "bot", "late": late}
        if not late:
            values |= {"state": "done", "due_at": None}
        # Conditional on the state as read: of two taps racing, exactly one finds the survey
        # unanswered; and if the window closed in between (PostgreSQL lets the scheduler's
        # phone task commit after this read), the tap is judged again as a late answer.
        result = caller.session.execute(update(CallbackSurvey).where(
            col(CallbackSurvey.id) == survey.id, col(CallbackSurvey.rated_via) == "",
            col(CallbackSurvey.state) == survey.state).values(**values))
        caller.session.refresh(survey)
        if getattr(result, "rowcount", 0) == 1:
            return late
        if survey.rated_via or survey.state not in OPEN_STATES:
            return None
    return None


def _refresh_phone_cards(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> None:
    for chat_id in alert_chats(uow.session, *DESK_CHATS):
        uow.send(Edit(chat_id, phone_card(uow, survey, order), phone_buttons(uow, survey),
                      ref=phone_ref(survey)))


def skip_comment(caller: Caller, survey_id: int) -> None:
    """The resident has nothing to add: end the comment question."""
    if _mine(caller, survey_id) is None:
        caller.refuse(OUT_OF_DATE)
        return
    conversation = caller.dialog()
    if (conversation is not None and conversation.flow == answers.FLOW
            and conversation.step == "survey_comment"
            and conversation.data.get("subject_id") == survey_id):
        caller.save_dialog(None)
        caller.uow.send(Edit(caller.chat_id, texts.SKIPPED, inline(),
                             message_id=caller.event.message_id))
    caller.toast()


# Reopens the order as rework (handlers/work_orders/reopening.py, a desk above this one).
Reopen = Callable[[Caller, WorkOrder, str], bool]


def comment(caller: Caller, command: AnswerText, reopen: Reopen) -> None:
    """The resident's comment (or a typed "skip"); passed on when they were dissatisfied, and
    when it says the fault persists, which reopens the order as rework."""
    found = _mine(caller, command.subject_id)
    if found is None:
        caller.reply(OUT_OF_DATE)
        return
    survey, order = found
    text = command.text.strip()
    if text.lower() in answers.SAYS_NOTHING:
        caller.reply(texts.SKIPPED)
        return
    survey.comment = "\n".join(filter(None, [survey.comment, text]))[:4000]
    caller.log("survey_comment", order, survey_id=survey.id, text=text)
    reopened = fault_persists(caller.uow.office, text) and reopen(caller, order, text)
    if reopened and survey.state == "phone":
        # The job is being redone: nobody phones about it; the rework gets its own callback.
        close_phone_task(caller.uow, survey, order, "reworked", "")
    if survey.corrective_at is not None or reopened:
        for chat_id in corrective_chats(caller.session):
            caller.uow.send(Say(chat_id, texts.resident_comment(order.number, text, reopened)))
    if not reopened:
        caller.reply(texts.COMMENT_THANKS)
