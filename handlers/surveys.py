"""Callback surveys, the resident's side: planned when an order is confirmed, pushed in daytime
inside the window, answered 1–5 with an optional comment; unanswered ones become phone tasks.

The drain calls :func:`advance` for each due survey; the router calls :func:`rate`,
:func:`skip_comment` and :func:`comment`. Staff-side taps are in ``handlers/callbacks.py``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from dialogs import answers
from dialogs import survey as texts
from dialogs.events import Edit, Priority, Say
from dialogs.model import TRADE_NAMES, AnswerText
from handlers import conversations, orders
from handlers.office import Office
from handlers.people import alert_chats, unit_label
from handlers.timers import chats, keep, load_people
from handlers.uow import UnitOfWork
from handlers.views import wall_clock
from handlers.visit import Visit
from handlers.windows import SurveyRules, callback_class, push_moment, survey_window
from locales import Localized, Raw, Text
from storage.followups import CallbackSurvey
from storage.models import Household, Person, WorkOrder

log = logging.getLogger(__name__)

SKIP_WORDS = frozenset({"skip", "no", "none", "-", "跳过", "没有", "无", "不用", "略過", "沒有"})
OPEN_STATES = ("scheduled", "sent", "phone")  # a callback not yet done (2.7.3)


def rules_of(office: Office) -> SurveyRules:
    return SurveyRules(day_start=office.rules.survey_day_start,
                       day_end=office.rules.survey_day_end)


def schedule_survey(uow: UnitOfWork, order: WorkOrder) -> int:
    """Plan the callback for an order that was just confirmed; once per order. Returns the
    survey's id.

    Called in the same unit of work as the confirmation, so a survey exists for every
    confirmed order or for none. This is the whole cost of a timer: one row (a Core insert —
    an ORM object costs several times more), one history event, and the dispatch notice.
    """
    assert order.id is not None
    office = uow.office
    klass = callback_class(order.callback_class, order.trade)
    window = survey_window(order.confirmed_at or uow.now, klass, office.timezone,
                           rules_of(office), now=uow.now)
    survey_id = _insert_once(uow.session, {
        "order_id": order.id, "callback_class": klass, "state": "scheduled",
        "window_start": window.start, "window_end": window.end,
        # No daytime left in the window: due at once, and the drain raises the phone task.
        "due_at": window.push or window.start, "chat_id": order.reporter_chat_id,
        "created_at": uow.now})
    if survey_id is None:  # planned before (a repeated confirmation): nothing more to do
        existing = uow.session.exec(select(CallbackSurvey.id)
                                    .where(CallbackSurvey.order_id == order.id)).one()
        assert existing is not None
        return existing
    uow.log("survey_scheduled", order=order, survey_id=survey_id, callback_class=klass,
            push=window.push.isoformat() if window.push else None,
            window_end=window.end.isoformat())
    tz = office.timezone
    for chat_id in chats(uow, "dispatch"):
        uow.send(Say(chat_id, texts.class_notice(order.number, klass,
                                                 wall_clock(window.push, tz),
                                                 wall_clock(window.end, tz)),
                     texts.class_keyboard(survey_id, klass), ref=f"svn:{survey_id}",
                     priority=Priority.NOTICE))
    return survey_id


def _insert_once(session: Session, values: dict[str, object]) -> int | None:
    """Insert the survey unless the order has one (its unique key): the new id, or None."""
    table = CallbackSurvey.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(table).values(**values)
                 .on_conflict_do_nothing(index_elements=["order_id"]).returning(table.c.id))
    found = session.execute(statement).scalar_one_or_none()
    return int(found) if found is not None else None


# -- the drain ---------------------------------------------------------------------------
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
        return _to_phone(uow, survey, order, "the window closed without an answer in the bot")
    survey.due_at = None  # nothing pending in other states
    return "cleared"


def back_off(uow: UnitOfWork, survey_id: int) -> None:
    """A survey that failed alone is retried later, ever less often (5 min … 6 h)."""
    survey = uow.session.get(CallbackSurvey, survey_id)
    if survey is not None and survey.due_at is not None:
        survey.attempts += 1
        delay = min(6 * 3600, 300 * 2 ** min(survey.attempts - 1, 10))
        survey.due_at = uow.now + timedelta(seconds=delay)


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
        return _to_phone(uow, survey, order, "no daytime left in the window")
    if moment > now:
        survey.due_at = moment  # night-time (e.g. catching up after an outage): wait
        return "deferred"
    if survey.chat_id is None or _unreachable(uow, survey.chat_id):
        return _to_phone(uow, survey, order, "the resident cannot be reached in the bot")
    assert survey.id is not None
    uow.send(Say(survey.chat_id, texts.question(order.number, _what(office, order)),
                 texts.rating_keyboard(survey.id), ref=f"survey:{survey.id}",
                 priority=Priority.NOTICE))
    survey.state, survey.sent_at, survey.due_at = "sent", now, survey.window_end
    uow.log("survey_sent", order=order, survey_id=survey.id)
    return "sent"


def _unreachable(uow: UnitOfWork, chat_id: int) -> bool:
    person = load_people(uow, {chat_id}).get(chat_id)
    return person is not None and person.blocked_bot


def _what(office: Office, order: WorkOrder) -> Text:
    item = office.catalog.get(order.service_key) if order.kind == "service" else None
    return Localized(item.names) if item else TRADE_NAMES.get(order.trade, Raw(order.trade))


def _to_phone(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder, reason: str) -> str:
    survey.state, survey.phone_task_at, survey.due_at = "phone", uow.now, None
    for chat_id in chats(uow, "dispatch", "managers"):
        uow.send(Say(chat_id, phone_card(uow, survey, order),
                     texts.phone_keyboard(_id(survey)), ref=f"phone:{survey.id}",
                     priority=Priority.NOTICE))
    uow.log("callback_phone_task", order=order, survey_id=survey.id, reason=reason)
    return "phone"


def phone_card(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> Text:
    """The phone-callback task as it reads now (attempts, a late answer in the bot)."""
    household = uow.session.get(Household, order.household_id) if order.household_id else None
    return texts.phone_task(
        order.number, unit_label(household) if household else order.place,
        order.contact_name, order.contact_phone,
        wall_clock(survey.window_end, uow.office.timezone), survey.phone_attempts,
        survey.rating if survey.rated_via == "bot" else None)


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
                     texts.corrective_keyboard(_id(survey)), ref=f"corr:{survey.id}"))
    uow.log("corrective_task", order=order, survey_id=survey.id, rating=survey.rating,
            via=via)


def corrective_chats(session: Session) -> list[int]:
    # No supervisor is recorded per technician: supervisors work in the managers' chat.
    return list(dict.fromkeys([*alert_chats(session, "managers"),
                               *alert_chats(session, "dispatch")]))


def _id(survey: CallbackSurvey) -> int:
    assert survey.id is not None
    return survey.id


# -- the resident's taps -----------------------------------------------------------------
def _mine(v: Visit, survey_id: int) -> tuple[CallbackSurvey, WorkOrder] | None:
    survey = v.session.get(CallbackSurvey, survey_id)
    order = v.session.get(WorkOrder, survey.order_id) if survey else None
    if survey is None or order is None or not orders.owns(v, order):
        return None
    return survey, order


def rate(v: Visit, survey_id: int, rating: int) -> None:
    """The resident's 1–5; the first tap counts, a late one is noted but closes nothing."""
    found = _mine(v, survey_id)
    if found is None or found[0].state == "scheduled" or rating not in texts.RATINGS:
        v.refuse(orders.STALE)
        return
    survey, order = found
    assert survey.window_end is not None
    late = survey.state == "phone" or v.now >= survey.window_end
    values: dict[str, object] = {"rating": rating, "rated_at": v.now, "rated_via": "bot",
                                 "late": late}
    if not late:
        values |= {"state": "done", "due_at": None}
    # Conditional: of two taps racing, exactly one finds the survey unanswered.
    result = v.session.execute(update(CallbackSurvey).where(
        col(CallbackSurvey.id) == survey_id, col(CallbackSurvey.rated_via) == "",
        col(CallbackSurvey.state).in_(OPEN_STATES)).values(**values))
    v.session.refresh(survey)
    if getattr(result, "rowcount", 0) != 1:
        v.toast(texts.ALREADY)
        return
    v.log("survey_answered", order, survey_id=survey_id, rating=rating, late=late)
    if rating <= texts.DISSATISFIED:
        raise_corrective(v.uow, survey, order, "bot")
    if late:
        v.reply(texts.late_thanks(order.number, rating))
        if survey.state == "phone":
            _refresh_phone_cards(v.uow, survey, order)
    else:
        v.reply(texts.thanks(order.number, rating))
    v.toast()
    if conversations.load(v.session, v.chat_id, v.event.user_id) is None:
        # Only when no other dialog is under way: it would be overwritten.
        outcome = answers.ask(v.context(), conversations.new_nonce(), "survey_comment",
                              survey_id, order.number)
        conversations.save(v.session, v.chat_id, v.event.user_id, outcome.conversation, v.now)
        question = outcome.replies[0]
        assert isinstance(question, Say)
        v.uow.send(dataclasses.replace(question, keyboard=texts.skip_keyboard(survey_id)))


def _refresh_phone_cards(uow: UnitOfWork, survey: CallbackSurvey, order: WorkOrder) -> None:
    for chat_id in alert_chats(uow.session, "dispatch", "managers"):
        uow.send(Edit(chat_id, phone_card(uow, survey, order),
                      texts.phone_keyboard(_id(survey)), ref=f"phone:{survey.id}"))


def skip_comment(v: Visit, survey_id: int) -> None:
    """The resident has nothing to add: end the comment question."""
    conversation = conversations.load(v.session, v.chat_id, v.event.user_id)
    if (conversation is not None and conversation.flow == answers.FLOW
            and conversation.step == "survey_comment"
            and conversation.data.get("subject_id") == survey_id):
        conversations.save(v.session, v.chat_id, v.event.user_id, None, v.now)
        v.reply(texts.SKIPPED)
    v.toast()


def comment(v: Visit, command: AnswerText) -> None:
    """The resident's comment (or a typed "skip"); passed on when they were dissatisfied."""
    found = _mine(v, command.subject_id)
    if found is None:
        v.reply(orders.STALE)
        return
    survey, order = found
    text = command.text.strip()
    if text.lower() in SKIP_WORDS:
        v.reply(texts.SKIPPED)
        return
    survey.comment = "\n".join(filter(None, [survey.comment, text]))[:4000]
    v.log("survey_comment", order, survey_id=survey.id, text=text)
    if survey.corrective_at is not None:
        for chat_id in corrective_chats(v.session):
            v.uow.send(Say(chat_id, texts.resident_comment(order.number, text)))
    v.reply(texts.COMMENT_THANKS)
