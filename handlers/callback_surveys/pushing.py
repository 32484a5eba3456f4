"""Pushing due callback surveys: the scheduler's drain takes each due survey one step — push it
in daytime, defer it to the morning, or turn it into a phone-callback task for the desk."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import col, select

from dialogs import survey as texts
from dialogs.events import Edit, InlineKeyboard, Priority, Say, inline
from dialogs.model import TRADE_NAMES
from handlers.callback_surveys.planning import CLOSED_STATES, push_moment, rules_of
from handlers.delivery.bulk import chats_posted
from handlers.office import Office
from handlers.office.calendar import wall_clock
from handlers.office.due_items import chats, keep, load_people
from handlers.office.people import unit_label
from handlers.office.permissions import DESK_CHATS
from handlers.office.unit_of_work import UnitOfWork
from locales import Localized, Raw, Text
from storage.followups import CallbackSurvey
from storage.models import Household, Outbox, WorkOrder

log = logging.getLogger(__name__)


def find_due(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Surveys whose next step is due (push, or window close), oldest first — loaded with
    their orders and residents in three queries, so the batch's steps query almost nothing."""
    query = select(CallbackSurvey).where(col(CallbackSurvey.due_at) <= uow.now)
    if skip:
        query = query.where(col(CallbackSurvey.id).not_in(skip))
    # SKIP LOCKED: a second drain (another process's run_due_now) takes other rows.
    rows = uow.session.exec(query.order_by(col(CallbackSurvey.due_at)).limit(limit)
                            .with_for_update(skip_locked=True)).all()
    if rows:
        keep(uow.session, rows)
        keep(uow.session, uow.session.exec(select(WorkOrder).where(
            col(WorkOrder.id).in_({r.order_id for r in rows}))).all())
        load_people(uow, {r.chat_id for r in rows if r.chat_id is not None})
    return [r.id for r in rows if r.id is not None]


def advance(uow: UnitOfWork, survey_id: int) -> str:
    """Take a due survey one step: push it, defer it to daytime, or raise the phone task."""
    survey = uow.session.get(CallbackSurvey, survey_id)
    if survey is None or survey.due_at is None or survey.due_at > uow.now:
        return "not_due"
    order = uow.session.get(WorkOrder, survey.order_id)
    assert order is not None
    if survey.state == "scheduled":
        return _push(uow, survey, order)
    if survey.state == "sent":
        return _to_phone(uow, survey, order, _unanswered_or_undelivered(uow, survey))
    survey.due_at = None  # nothing pending in other states
    return "cleared"


def back_off(uow: UnitOfWork, survey_id: int) -> None:
    """A survey that failed alone is retried later, ever less often (the office's back-off)."""
    survey = uow.session.get(CallbackSurvey, survey_id)
    if survey is not None and survey.due_at is not None:
        survey.attempts += 1
        survey.due_at = uow.now + uow.office.rules.survey_retry_delay(survey.attempts)


def _push(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> str:
    office, now = uow.office, uow.now
    assert survey.window_end is not None
    rules = rules_of(office)
    moment = push_moment(now, survey.window_end, office.timezone, rules.day_start,
                         rules.day_end)
    if moment is None:
        # After downtime, or a window with no daytime left: pushing now would break the
        # window or the daytime rule, so the callback goes to a person instead.
        log.info("survey %s for %s not pushed: no daytime left before its window closed at "
                 "%s; raising a phone task", survey.id, order.number, survey.window_end)
        return _to_phone(uow, survey, order, "no_daytime")
    if moment > now:
        survey.due_at = moment  # night-time (e.g. catching up after an outage): wait
        return "deferred"
    if survey.chat_id is None or _unreachable(uow, survey.chat_id):
        return _to_phone(uow, survey, order, "unreachable")
    assert survey.id is not None
    uow.send(Say(survey.chat_id, texts.question(order.number, what_of(office, order)),
                 texts.rating_keyboard(survey.id), ref=f"survey:{survey.id}",
                 priority=Priority.NOTICE))
    survey.state, survey.sent_at, survey.due_at = "sent", now, survey.window_end
    uow.log("survey_sent", order=order, survey_id=survey.id)
    return "sent"


def _unanswered_or_undelivered(uow: UnitOfWork, survey: CallbackSurvey) -> str:
    """Sent and not answered — or sent to the outbox and never delivered (blocked since,
    parked): then the resident never saw a survey, and the phone task must not say otherwise.
    """
    delivered = uow.session.exec(select(Outbox.id).where(
        Outbox.chat_id == survey.chat_id, Outbox.ref == f"survey:{survey.id}",
        Outbox.op == "send", Outbox.status == "sent")).first()
    return "unanswered" if delivered is not None else "undelivered"


def _unreachable(uow: UnitOfWork, chat_id: int) -> bool:
    person = load_people(uow, {chat_id}).get(chat_id)
    return person is not None and person.blocked_bot


def what_of(office: Office, order: WorkOrder) -> Text:
    """What the order was for: its paid service, else its trade."""
    item = office.catalog.get(order.service_key) if order.kind == "service" else None
    return Localized(item.names) if item else TRADE_NAMES.get(order.trade, Raw(order.trade))


def _to_phone(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder, reason: str) -> str:
    """The callback goes to a person; *reason* (one of ``texts.PHONE_REASONS``) is kept, so
    the task says truly whether the resident ever had a survey in the bot."""
    survey.state, survey.phone_task_at, survey.due_at = "phone", uow.now, None
    survey.phone_reason = reason
    for chat_id in chats(uow, *DESK_CHATS):
        uow.send(Say(chat_id, phone_card(uow, survey, order),
                     phone_buttons(uow, survey), ref=phone_ref(survey),
                     priority=Priority.NOTICE))
    uow.log("callback_phone_task", order=order, survey_id=survey.id, reason=reason)
    return "phone"


def phone_card(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> Text:
    """The phone-callback task as it reads now (attempts, a late answer in the bot)."""
    tz = uow.office.timezone
    return texts.phone_task(
        order.number, contact_of(uow, order), survey.phone_reason or "unanswered",
        wall_clock(survey.sent_at, tz), wall_clock(survey.window_end, tz),
        survey.phone_attempts, survey.rating if survey.rated_via == "bot" else None)


def phone_ref(survey: CallbackSurvey) -> str:
    """The ref every copy of the survey's phone task is sent under."""
    return f"phone:{survey.id}"


def phone_buttons(uow: UnitOfWork, survey: CallbackSurvey) -> InlineKeyboard:
    """The phone task's buttons as they stand: "Could not reach" once the office's unanswered
    calls are made."""
    return texts.phone_keyboard(survey_id_of(survey), survey.phone_attempts
                                >= uow.office.rules.phone_attempts_unreachable)


def close_phone_task(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder, outcome: str,
                     by: str) -> bool:
    """Close an open phone task without a rating (*outcome*, one of ``CLOSED_STATES``):
    every copy of its card says why, without buttons. False if it was not open any more."""
    assert outcome in CLOSED_STATES
    # Conditional: a colleague recording the call at the same moment — the first one counts.
    result = uow.session.execute(update(CallbackSurvey).where(
        col(CallbackSurvey.id) == survey.id, col(CallbackSurvey.state) == "phone")
        .values(state=outcome, closed_at=uow.now, due_at=None))
    uow.session.refresh(survey)
    if getattr(result, "rowcount", 0) != 1:
        return False
    text = texts.phone_closed(order.number, contact_of(uow, order), outcome,
                              survey.phone_attempts, by)
    ref = phone_ref(survey)
    for chat_id in chats_posted(uow, ref):
        uow.send(Edit(chat_id, text, inline(), ref=ref))
    uow.log("callback_phone_closed", order=order, survey_id=survey.id, outcome=outcome,
            attempts=survey.phone_attempts)
    return True


def contact_of(uow: UnitOfWork, order: WorkOrder) -> texts.Contact:
    """Where and whom to call about *order*: its unit (or public place), name and phone."""
    household = uow.session.get(Household, order.household_id) if order.household_id else None
    return texts.Contact(unit_label(household) if household else order.place,
                         order.contact_name, order.contact_phone)


def survey_id_of(survey: CallbackSurvey) -> int:
    """The survey's id (it is always stored by now)."""
    assert survey.id is not None
    return survey.id
