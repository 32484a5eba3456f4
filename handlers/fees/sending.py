"""Sending approved fee notices (001 1.1.5), a batch at a time, and what became of each.

Approved notices are turned into outbox rows a batch at a time by the drain, at bulk
priority, in daytime hours, at most one per household per day, and never more than the
ladder's ``queue_window`` waiting in the outbox — so the balance is re-checked at the moment
each notice is written, and a payment recorded meanwhile stops it (``ledger.settle_notices``).
A notice and its outbox rows are written in one transaction, so a restart sends nobody twice.
A notice whose every message came back 403 (the resident blocked the bot) becomes a phone /
door task for staff; a household nobody of which uses the bot gets one at once. When nothing
of a campaign is left to send or to check, the managers get what became of each notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from sqlalchemy import exists
from sqlmodel import col, select

from dialogs import fees as texts
from dialogs.events import Priority, Say
from handlers.delivery import bulk
from handlers.fees import ledger
from handlers.fees.campaigns import NOTICE_TABLE, PREVIEW_CHATS, outcome_counts, pace
from handlers.fees.statement import Statement, load_many
from handlers.fees.tasks import raise_task
from handlers.fees.views import notice_view, paused_by, paused_many
from handlers.office.calendar import at_hour
from handlers.office.due_items import chats, keep, load_people
from handlers.office.unit_of_work import UnitOfWork
from locales import Raw, _
from storage.fees import FeeCampaign, FeeNotice
from storage.models import Household, Person, Residence

DELIVERY_CHECK: Final = timedelta(minutes=5)  # when to look whether a notice arrived


def find_due(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Approved notices due now, as many as the outbox window has room for (none at night)."""
    room = bulk.room(uow, pace(uow), limit)
    if room <= 0:
        return []
    query = select(FeeNotice.id).where(FeeNotice.state == "pending",
                                       col(FeeNotice.due_at) <= uow.now)
    if skip:
        query = query.where(col(FeeNotice.id).not_in(skip))
    query = query.order_by(col(FeeNotice.due_at), col(FeeNotice.id)).limit(room)
    ids = [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=FeeNotice))
           if i is not None]
    _prefetch(uow, ids)
    return ids


@dataclass
class _Batch:
    """What one batch of notices needs, loaded in a few queries instead of a dozen a notice
    (the batch holds the write lock; a resident's tap waits behind it)."""

    statements: dict[int, Statement] = field(default_factory=dict)
    paused: dict[int, str] = field(default_factory=dict)
    residents: dict[int, list[int]] = field(default_factory=dict)
    sent_today: set[int] = field(default_factory=set)


BATCH_KEY: Final = "fees.batch"


def _prefetch(uow: UnitOfWork, ids: Sequence[int]) -> None:
    if not ids:
        return
    session = uow.session
    notices = session.exec(select(FeeNotice).where(col(FeeNotice.id).in_(ids))).all()
    households = {n.household_id for n in notices}
    rows: list[object] = [*notices, *session.exec(select(Household).where(
        col(Household.id).in_(households))).all(), *session.exec(select(FeeCampaign).where(
        col(FeeCampaign.id).in_({n.campaign_id for n in notices}))).all()]
    keep(session, rows)
    today = ledger.office_day(uow.office, uow.now)
    batch = _Batch(
        statements=load_many(session, households, today, ledger.terms_of(uow.office)),
        paused=paused_many(session, households),
        residents={h: [] for h in households},
        sent_today=set(session.exec(select(FeeNotice.household_id).where(
            col(FeeNotice.household_id).in_(households), FeeNotice.sent_on == today)).all()))
    for household_id, chat in session.exec(
            select(Residence.household_id, Person.telegram_user_id)
            .join(Person, col(Person.id) == col(Residence.person_id))
            .where(col(Residence.household_id).in_(households),
                   col(Person.telegram_user_id).is_not(None),
                   col(Person.blocked_bot).is_(False)).order_by(col(Residence.id))):
        if chat is not None:
            batch.residents[household_id].append(chat)
    load_people(uow, {c for chats_ in batch.residents.values() for c in chats_})
    session.info[BATCH_KEY] = batch


def _batch(uow: UnitOfWork) -> _Batch | None:
    found = uow.session.info.get(BATCH_KEY)
    return found if isinstance(found, _Batch) else None


def send_notice(uow: UnitOfWork, notice_id: int) -> str:
    """Turn one approved notice into outbox rows — if it is still called for right now."""
    notice = uow.session.get(FeeNotice, notice_id)
    if notice is None or notice.state != "pending":
        return "skipped"
    campaign = uow.session.get(FeeCampaign, notice.campaign_id)
    household = uow.session.get(Household, notice.household_id)
    batch = _batch(uow)
    if batch is not None and household is not None and household.id not in batch.residents:
        batch = None  # not of this batch (retried alone): look everything up
    assert campaign is not None and household is not None and household.id is not None
    ladder = ledger.ladder_of(uow.office)
    sending, tz = ladder.sending, uow.office.timezone
    waits = bulk.wait_reason(uow, pace(uow), notice, campaign.status)
    if waits is not None:
        return waits
    paused = batch.paused.get(household.id, "") if batch else paused_by(uow.session,
                                                                          household.id)
    if paused:
        notice.state, notice.due_at, notice.outcome = "paused", None, f"paused by {paused}"
        return bulk.keep(uow, notice, "paused")
    statement = (batch.statements[household.id] if batch
                 else ledger.statement_of(uow, household.id))
    if statement.owed_through(campaign.period_start) <= 0:
        notice.state, notice.due_at, notice.outcome = "paid", None, ledger.PAID_BEFORE_SENT
        return bulk.keep(uow, notice, "paid")
    today = ledger.office_day(uow.office, uow.now)
    if batch is not None:
        already = household.id in batch.sent_today
    else:
        already = uow.session.exec(select(FeeNotice.id).where(
            FeeNotice.household_id == household.id, FeeNotice.sent_on == today,
            FeeNotice.id != notice.id).limit(1)).first() is not None
    if already:  # one fee message a household a day
        notice.due_at = at_hour(today + timedelta(days=1), sending.day_start, tz)
        return bulk.keep(uow, notice, "tomorrow")
    residents = (batch.residents[household.id] if batch
                 else ledger.resident_chats(uow.session, household.id))
    if not residents:
        notice.state, notice.due_at, notice.outcome = "unreachable", None, "nobody uses the bot"
        raise_task(uow, household, "phone", "no_chat", statement.total_due, notice_id=notice.id,
                   post=False)
        return bulk.keep(uow, notice, "no_chat")
    resumed: list[int] = []
    if notice.outcome == bulk.HELD_BACK:
        # Taken back by a Hold: some may have had it all the same (the sender had it in hand);
        # the others' outbox rows go again — not second ones, which would go too if the sender
        # still has the first in hand and hears back from Telegram later.
        ref = ledger.notice_ref(notice.id)
        reached = bulk.reached(uow, ref, residents)
        resumed = [chat_id for chat_id in residents
                   if chat_id not in reached and bulk.resume(uow, ref, chat_id)]
        residents = [chat_id for chat_id in residents
                     if chat_id not in reached and chat_id not in resumed]
        if not residents and not resumed:
            first = min((at for at in reached.values() if at is not None), default=uow.now)
            notice.state, notice.due_at, notice.outcome = "delivered", None, "delivered"
            notice.sent_at, notice.sent_on = first, ledger.office_day(uow.office, first)
            return bulk.keep(uow, notice, "delivered")
    text = texts.notice_text(notice_view(campaign, statement, household, ladder, today))
    keyboard = texts.notice_keyboard(household.id)
    for chat_id in residents:
        uow.send(Say(chat_id, text, keyboard, priority=Priority.BULK,
                     ref=ledger.notice_ref(notice.id)))
    notice.state, notice.sent_at, notice.sent_on = "sent", uow.now, today
    if batch is not None:
        batch.sent_today.add(household.id)
    notice.due_at = uow.now + DELIVERY_CHECK
    notice.amount_fen = int(statement.owed_through(campaign.period_start) * 100)
    uow.log("fee_notice_sent", household_id=household.id, notice_id=notice.id,
            campaign_id=campaign.id, kind=campaign.kind, chats=[*resumed, *residents])
    return bulk.keep(uow, notice, "sent")


def find_sent(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Notices handed to the outbox whose delivery is due to be checked."""
    query = select(FeeNotice.id).where(FeeNotice.state == "sent",
                                       col(FeeNotice.due_at) <= uow.now)
    if skip:
        query = query.where(col(FeeNotice.id).not_in(skip))
    query = query.order_by(col(FeeNotice.due_at), col(FeeNotice.id)).limit(limit)
    return [i for i in uow.session.exec(query.with_for_update(skip_locked=True, of=FeeNotice))
            if i is not None]


def check_delivery(uow: UnitOfWork, notice_id: int) -> str:
    """Every notice ends with a known outcome: delivered, or a staff task in its place."""
    notice = uow.session.get(FeeNotice, notice_id)
    if notice is None or notice.state != "sent":
        return "skipped"
    statuses = set(bulk.tally(uow, ledger.notice_ref(notice.id)))
    delivered = bulk.outcome(statuses)
    if delivered == "delivered":
        notice.state, notice.due_at, notice.outcome = "delivered", None, "delivered"
        return bulk.keep(uow, notice, "delivered")
    if delivered == "waiting":
        notice.due_at = uow.now + DELIVERY_CHECK
        return bulk.keep(uow, notice, "waiting")
    if delivered == "cancelled":
        notice.state, notice.due_at, notice.outcome = "paid", None, ledger.PAID_BEFORE_SENT
        return bulk.keep(uow, notice, "paid")
    household = uow.session.get(Household, notice.household_id)
    assert household is not None and household.id is not None
    notice.state, notice.due_at = "unreachable", None
    notice.outcome = "not delivered: " + ", ".join(sorted(statuses)) if statuses else "lost"
    raise_task(uow, household, "phone", "blocked", ledger.statement_of(uow, household.id)
               .total_due, notice_id=notice.id, post=True)
    uow.log("fee_notice_undelivered", household_id=household.id, notice_id=notice.id)
    return bulk.keep(uow, notice, "task")


def find_finished(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Approved campaigns with nothing left to send or to check (a paused notice may still
    go once its dispute is resolved; a later notice of the plan supersedes it)."""
    n = NOTICE_TABLE.c
    open_notices = exists().where(n.campaign_id == col(FeeCampaign.id),
                                  n.state.in_(("pending", "sent", "paused")))
    query = select(FeeCampaign.id).where(FeeCampaign.status == "approved", ~open_notices)
    if skip:
        query = query.where(col(FeeCampaign.id).not_in(skip))
    return [i for i in uow.session.exec(query.order_by(col(FeeCampaign.id)).limit(limit))
            if i is not None]


def finish(uow: UnitOfWork, campaign_id: int) -> str:
    """A campaign is done: the managers get what became of each notice."""
    campaign = uow.session.get(FeeCampaign, campaign_id)
    if campaign is None or campaign.status != "approved":
        return "skipped"
    counts = outcome_counts(uow, campaign_id)
    campaign.status, campaign.finished_at = "done", uow.now
    uow.session.add(campaign)
    text = _("✅ {notice} ({plan}) of {date} is done: {delivered} delivered, {paid} paid before "
             "it was sent, {paused} paused by a dispute or a receipt, {tasks} handed to staff "
             "as phone or door tasks, {other} other.", notice=texts.NOTICE_NAMES[campaign.kind],
             plan=texts.PLAN_NAMES[campaign.plan], date=Raw(campaign.notice_date.isoformat()),
             delivered=counts.get("delivered", 0), paid=counts.get("paid", 0),
             paused=counts.get("paused", 0), tasks=counts.get("unreachable", 0),
             other=sum(n for state, n in counts.items() if state not in (
                 "delivered", "paid", "paused", "unreachable")))
    for chat_id in chats(uow, *PREVIEW_CHATS):
        uow.send(Say(chat_id, text, priority=Priority.NOTICE))
    uow.log("fee_campaign_done", campaign_id=campaign_id, outcomes=counts)
    return "done"
