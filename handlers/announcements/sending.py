"""Sending approved announcements, a batch at a time, and telling the author how it went.

The drain turns due recipients' rows into outbox rows at bulk priority — daytime only
unless urgent, never more than the queue window waiting — each row ``queued`` in the same
transaction as its outbox row, so a restart sends nobody twice. When nothing of an
announcement is left to send or to hear back about, its author gets the delivery report once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from dialogs.events import Priority, Say
from handlers.announcements.notices import (
    ANNOUNCEMENT_TABLE,
    PREVIEW_CHATS,
    message,
    pace,
    ref,
    report,
)
from handlers.delivery import bulk
from handlers.office.due_items import chats, keep, load_people
from handlers.office.unit_of_work import UnitOfWork
from locales import parse_language
from storage.announcements import Announcement, AnnouncementDelivery


def find_due(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Recipients of approved announcements due now, as many as the outbox has room for
    (at night only those of urgent announcements)."""
    room = bulk.room(uow, pace(uow.office), limit, urgent=True)
    if room <= 0:
        return []
    query = (select(AnnouncementDelivery.id)
             .join(Announcement, col(Announcement.id) == col(AnnouncementDelivery.announcement_id))
             .where(AnnouncementDelivery.state == "pending",
                    col(AnnouncementDelivery.due_at) <= uow.now,
                    Announcement.status == "approved"))
    if not bulk.is_day(uow, pace(uow.office)):
        query = query.where(col(Announcement.urgent))
    if skip:
        query = query.where(col(AnnouncementDelivery.id).not_in(skip))
    query = query.order_by(col(AnnouncementDelivery.due_at), col(AnnouncementDelivery.id))
    ids = [i for i in uow.session.exec(query.limit(room).with_for_update(
        skip_locked=True, of=AnnouncementDelivery)) if i is not None]
    _prefetch(uow, ids)
    return ids


def _prefetch(uow: UnitOfWork, ids: Sequence[int]) -> None:
    """Load the batch's rows, announcements and people in three queries."""
    if not ids:
        return
    rows = uow.session.exec(select(AnnouncementDelivery).where(
        col(AnnouncementDelivery.id).in_(ids))).all()
    announcements = uow.session.exec(select(Announcement).where(col(Announcement.id).in_(
        {row.announcement_id for row in rows}))).all()
    keep(uow.session, [*rows, *announcements])
    load_people(uow, {row.chat_id for row in rows})


def send_one(uow: UnitOfWork, delivery_id: int) -> str:
    """Hand one recipient's copy to the outbox — if it is still called for right now."""
    delivery = uow.session.get(AnnouncementDelivery, delivery_id)
    if delivery is None or delivery.state != "pending":
        return "skipped"
    announcement = uow.session.get(Announcement, delivery.announcement_id)
    assert announcement is not None
    if announcement.ends_at is not None and announcement.ends_at <= uow.now:
        # An outage over before this copy's turn (approved late, or waiting for the
        # morning): telling of it now would only confuse; the report says so instead.
        delivery.state, delivery.due_at = "expired", None
        return bulk.keep(uow, delivery, "expired")
    waits = bulk.wait_reason(uow, pace(uow.office), delivery, announcement.status,
                             urgent=announcement.urgent)
    if waits is not None:
        return waits
    if delivery.queued_at is not None:
        # Taken back by a Hold: it went all the same (the sender had it in hand), or its
        # outbox row goes again — not a second one, which would go too if the sender
        # still has the first in hand and hears back from Telegram later.
        gone = bulk.reached(uow, ref(announcement.id), [delivery.chat_id])
        if gone or bulk.resume(uow, ref(announcement.id), delivery.chat_id):
            delivery.state, delivery.due_at = "queued", None
            return bulk.keep(uow, delivery, "delivered" if gone else "resumed")
    person = load_people(uow, {delivery.chat_id}).get(delivery.chat_id)
    if person is not None and person.blocked_bot:
        delivery.state, delivery.due_at = "skipped", None
        return bulk.keep(uow, delivery, "blocked")
    language = parse_language(delivery.language)
    if language is not None:
        uow.hint_language(delivery.chat_id, language)
    uow.send(Say(delivery.chat_id, message(uow, announcement),
                 photos=tuple(announcement.photos),
                 ref=ref(announcement.id), priority=Priority.BULK))
    delivery.state, delivery.due_at, delivery.queued_at = "queued", None, uow.now
    return bulk.keep(uow, delivery, "queued")


def find_finished(uow: UnitOfWork, limit: int, skip: frozenset[int]) -> Sequence[int]:
    """Approved announcements with nobody left to send to and nothing waiting in the outbox."""
    pending = exists().where(col(AnnouncementDelivery.announcement_id) == col(Announcement.id),
                             col(AnnouncementDelivery.state) == "pending")
    query = select(Announcement).where(Announcement.status == "approved", ~pending)
    if skip:
        query = query.where(col(Announcement.id).not_in(skip))
    found = [a.id for a in uow.session.exec(query.order_by(col(Announcement.id)))
             if a.id is not None and not bulk.tally(uow, ref(a.id))["pending"]]
    return found[:limit]


def finish(uow: UnitOfWork, announcement_id: int) -> str:
    """Done: its author (or the managers' chat, for the office's own) gets the report once."""
    announcement = uow.session.get(Announcement, announcement_id)
    # Conditional: a recall at the same moment wins, and the report is not sent then.
    if announcement is None or not bulk.claim(uow, ANNOUNCEMENT_TABLE, announcement_id,
                                              ("approved",), status="done",
                                              finished_at=uow.now):
        return "skipped"
    uow.session.refresh(announcement)
    to = ([announcement.author_chat_id] if announcement.author_chat_id is not None
          else chats(uow, *PREVIEW_CHATS))
    text = report(uow, announcement)
    for chat_id in to:
        uow.send(Say(chat_id, text, priority=Priority.NOTICE))
    uow.log("announcement_done", announcement_id=announcement.id)
    return "done"


def upcoming(session: Session, limit: int) -> tuple[list[tuple[str, str, datetime]],
                                                    dict[str, int]]:
    """Approved announcements with copies still to send, for the agenda: (kind, "#id",
    the first copy's moment), and how many copies wait."""
    d = AnnouncementDelivery
    waiting = (col(d.state) == "pending", col(d.due_at).is_not(None))
    count = int(session.exec(select(func.count()).select_from(d).where(*waiting)).one())
    rows = session.exec(select(d.announcement_id, func.min(d.due_at)).where(*waiting)
                        .group_by(col(d.announcement_id))
                        .order_by(func.min(d.due_at)).limit(limit)).all()
    return ([("announcement", f"#{number}", due) for number, due in rows if due is not None],
            {"announcement": count})
