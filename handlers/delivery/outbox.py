"""The database side of delivering the outbox, free of any Telegram framework.

The sender (``bot/sender.py``) asks :func:`due` what may go now and reports each outcome
back here, one short transaction per outcome. Exactly one sender runs at a time (a leader
lock), so "claiming" a row is the sender's in-memory in-flight set, and a crash leaves no
half-claimed rows behind. A row Telegram accepted is marked sent together with its
message_id in one statement, straight after the call, so a restart never sends it twice.

Order rules:
- interactive (0) before notices (1) before bulk (2), then oldest first;
- within one chat and priority, strictly in id order; a row waiting for a retry holds back
  the rows behind it, but a row merely scheduled for later (``not_before``, never tried) does not;
- an edit waits until the message it edits was sent, and is dropped if that never happens;
- toasts (answers to button taps) ignore chat order: Telegram lets a tap wait only seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, or_, select, update
from sqlmodel import col
from sqlmodel import select as model_select

from dialogs.events import Priority, Say
from handlers.office import Office
from handlers.office.people import person_by_telegram, staff_chat, staff_chat_by_id, units_of
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import Msg, Raw, Text, _
from storage.db import read_connection, read_session
from storage.models import Household, Outbox, Person, Residence, StaffChat

log = logging.getLogger(__name__)

_C = OUTBOX.c
# What the sender needs of a row (not the timestamps, whose type conversion costs).
_COLUMNS = (_C.id, _C.chat_id, _C.op, _C.priority, _C.text, _C.keyboard, _C.photos, _C.ref,
            _C.edit_message_id, _C.edit_of, _C.callback_id, _C.alert, _C.attempts, _C.parts_sent,
            _C.not_before, _C.telegram_message_id)


@dataclass(frozen=True, slots=True)
class Pending:
    """An outbox row that may be sent now, with its edit target already resolved."""

    id: int
    chat_id: int
    op: str
    priority: int
    text: str
    keyboard: dict[str, Any] | None
    photos: tuple[str, ...]
    message_id: int | None  # the message to edit; for sends, the last part already sent
    callback_id: str
    alert: bool
    attempts: int
    parts_sent: int  # parts of a multi-part send (photos, then text) Telegram already has
    ref: str = ""


def _pending(row: Any, message_id: int | None) -> Pending:
    return Pending(id=row.id, chat_id=row.chat_id, op=row.op, priority=row.priority,
                   text=row.text, keyboard=row.keyboard, photos=tuple(row.photos or ()),
                   message_id=message_id, callback_id=row.callback_id, alert=row.alert,
                   attempts=row.attempts, parts_sent=row.parts_sent, ref=row.ref)


_READY = or_(_C.not_before.is_(None), _C.not_before <= bindparam("now"))
# Built once (the sender reads the outbox up to fifty times a second under load).
_DUE_TOASTS = (select(*_COLUMNS)
               .where(_C.status == "pending", _C.op == "toast", _READY,
                      _C.id.not_in(bindparam("busy_ids", expanding=True)))
               .order_by(_C.id).limit(bindparam("limit")))
# Rows waiting for a retry are fetched too, only to hold back the rows behind them.
_DUE_MESSAGES = (select(*_COLUMNS)
                 .where(_C.status == "pending", _C.op != "toast", or_(_READY, _C.attempts > 0),
                        _C.chat_id.not_in(bindparam("busy_chats", expanding=True)))
                 .order_by(_C.priority, _C.id).limit(bindparam("limit")))


def due(office: Office, *, limit: int = 200, exclude_chats: Collection[int] = (),
        exclude_ids: Collection[int] = ()) -> list[Pending]:
    """Rows that may be sent now: toasts first, then each free chat's next row, by priority."""
    now = office.clock.now()
    dropped: list[int] = []
    with read_connection(office.engine) as connection:
        result = [_pending(row, None) for row in connection.execute(
            _DUE_TOASTS, {"now": now, "busy_ids": list(exclude_ids), "limit": limit})]
        rows = list(connection.execute(
            _DUE_MESSAGES, {"now": now, "busy_chats": list(exclude_chats), "limit": limit}))
        targets = _edit_targets(connection, [r.edit_of for r in rows
                                             if r.op == "edit" and r.edit_message_id is None])
    seen: set[int] = set()
    for row in rows:
        if row.chat_id in seen:
            continue
        message_id = row.edit_message_id if row.op == "edit" else row.telegram_message_id
        if row.op == "edit" and message_id is None:
            status, message_id = targets.get(row.edit_of, ("missing", None))
            if status == "pending":
                continue  # its message is further back in this chat's queue; skip, keep looking
            if status != "sent" or message_id is None:
                dropped.append(row.id)
                continue
        seen.add(row.chat_id)
        if row.not_before is not None and row.not_before > now:
            continue  # waiting for its retry: the chat stays blocked at this priority
        result.append(_pending(row, message_id))
    if dropped:
        _set_status(office, dropped, "undeliverable", "the message to edit was never delivered")
    return result


def waiting(office: Office) -> int:
    """How many rows still wait to be sent (rows scheduled for later and never tried aside)."""
    now = office.clock.now()
    query = (select(func.count()).select_from(OUTBOX)
             .where(_C.status == "pending",
                    or_(_C.not_before.is_(None), _C.not_before <= now, _C.attempts > 0)))
    with read_session(office.engine) as session:
        return int(session.execute(query).scalar() or 0)


def _edit_targets(connection: Connection, ids: list[int | None]
                  ) -> dict[int, tuple[str, int | None]]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = select(_C.id, _C.status, _C.telegram_message_id).where(_C.id.in_(wanted))
    return {r.id: (r.status, r.telegram_message_id) for r in connection.execute(query)}


def _set_status(office: Office, ids: list[int], status: str, error: str) -> None:
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.id.in_(ids), _C.status == "pending")
                           .values(status=status, last_error=error[:500]))


def mark_sent(office: Office, row_id: int, message_id: int | None) -> None:
    """Record that Telegram accepted the row, with the message id a later edit will need."""
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.id == row_id, _C.status == "pending")
                           .values(status="sent", telegram_message_id=message_id,
                                   sent_at=office.clock.now()))


def mark_sent_many(office: Office, marks: Sequence[tuple[int, int | None]]) -> None:
    """:func:`mark_sent` for several rows in one transaction (the sender's group commit)."""
    statement = (update(OUTBOX)
                 .where(_C.id == bindparam("row_id"), _C.status == "pending")
                 .values(status="sent", telegram_message_id=bindparam("message_id"),
                         sent_at=office.clock.now()))
    with office.engine.begin() as connection:
        connection.execute(statement, [{"row_id": row_id, "message_id": message_id}
                                       for row_id, message_id in marks])


def mark_progress(office: Office, row_id: int, parts_sent: int, message_id: int | None) -> None:
    """Remember that the first *parts_sent* parts of a multi-part send were delivered."""
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.id == row_id, _C.status == "pending")
                           .values(telegram_message_id=message_id, parts_sent=parts_sent,
                                   rate_limited=False))


def retry_later(office: Office, row_id: int, delay: timedelta, reason: str, *,
                parts_sent: int = 0, rate_limited: bool = False) -> int:
    """Try the row again after *delay*; returns how many attempts it has had.

    *rate_limited* says the delay is Telegram's retry_after, which a restarted sender honours.
    """
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.id == row_id, _C.status == "pending")
                           .values(attempts=_C.attempts + 1,
                                   not_before=office.clock.now() + delay,
                                   parts_sent=parts_sent, rate_limited=rate_limited,
                                   last_error=reason[:500]))
        attempts = connection.execute(select(_C.attempts).where(_C.id == row_id)).scalar()
    return int(attempts or 0)


def mark_failed(office: Office, row_id: int, reason: str) -> None:
    """Give up on a row Telegram refuses (bad request) or that kept failing."""
    _set_status(office, [row_id], "failed", reason)


def rate_limit_windows(office: Office) -> dict[int, datetime]:
    """Chats still inside a 429 window, so a restarted sender keeps away from them."""
    now = office.clock.now()
    query = (select(_C.chat_id, _C.not_before)
             .where(_C.status == "pending", _C.not_before > now,
                    _C.rate_limited.is_(True)))
    windows: dict[int, datetime] = {}
    with read_session(office.engine) as session:
        for chat_id, until in session.execute(query):
            windows[chat_id] = max(until, windows.get(chat_id, until))
    return windows


def migrate_chat(office: Office, old_chat_id: int, new_chat_id: int) -> None:
    """Follow a group that became a supergroup: its binding and its waiting messages move."""
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.chat_id == old_chat_id,
                                                _C.status == "pending")
                           .values(chat_id=new_chat_id))
        staff = StaffChat.__table__  # type: ignore[attr-defined]
        connection.execute(update(staff).where(staff.c.chat_id == old_chat_id)
                           .values(chat_id=new_chat_id))


def mark_undeliverable(office: Office, row_id: int, reason: str) -> bool:
    """Handle a 403: the chat is gone for us. Returns True if staff were told.

    In one transaction: all of the chat's waiting rows are dropped with it (each would fail
    the same way), the person is flagged ``blocked_bot`` or the group ``active=False``, and
    the dispatch group gets a notice with what did not arrive — unless all of it was bulk
    (a broadcast to many blocked residents must not flood the dispatchers).
    """
    with UnitOfWork(office) as uow:
        row = uow.session.get(Outbox, row_id)
        if row is None or row.status != "pending":
            return False
        chat_id = row.chat_id
        dropped = uow.session.exec(model_select(Outbox).where(
            Outbox.chat_id == chat_id, Outbox.status == "pending", Outbox.op != "toast")
            .order_by(col(Outbox.id))).all()
        for lost in dropped:
            lost.status, lost.last_error = "undeliverable", reason[:500]
            uow.session.add(lost)
        who = _flag_unreachable(uow, chat_id)
        worth_telling = [lost.text for lost in dropped if lost.priority < Priority.BULK]
        dispatch = staff_chat(uow.session, "dispatch")
        told = bool(who is not None and worth_telling and dispatch is not None
                    and dispatch.chat_id != chat_id)
        if told and dispatch is not None and who is not None:
            uow.send(Say(dispatch.chat_id, _notice(who, chat_id, reason, worth_telling),
                         priority=Priority.NOTICE))
        uow.log("message_undeliverable", chat_id=chat_id, outbox_id=row_id,
                dropped=len(dropped), reason=reason[:200], staff_told=told)
        uow.commit()
    return told


def _flag_unreachable(uow: UnitOfWork, chat_id: int) -> Text | None:
    """Flag the person or group as unreachable; say who it is, or None if we do not know."""
    if chat_id > 0:
        person: Person | None = person_by_telegram(uow.session, chat_id)
        if person is None:
            return None
        person.blocked_bot = True
        uow.session.add(person)
        units = ", ".join(u.label for u in units_of(uow.session, person))
        phones = [person.phone] if person.phone else list(uow.session.exec(
            model_select(Household.phone).join(Residence).where(
                Residence.person_id == person.id)).all())
        details = ", ".join(p for p in (units, *phones) if p)
        return Raw(f"{person.name or chat_id} ({details})" if details else
                   person.name or str(chat_id))
    group = staff_chat_by_id(uow.session, chat_id)
    if group is None:
        return None
    group.active = False
    uow.session.add(group)
    return Raw(f"“{group.title or chat_id}”")


def _notice(who: Text, chat_id: int, reason: str, texts: list[str]) -> Msg:
    first = texts[0]
    excerpt = Raw(first[:200] + ("…" if len(first) > 200 else ""))
    if chat_id > 0:
        return _("⚠️ {who} cannot be reached on Telegram ({reason}). Please contact them "
                 "another way. Not delivered ({count}):\n{excerpt}", who=who, reason=Raw(reason),
                 count=len(texts), excerpt=excerpt)
    return _("⚠️ The bot cannot post in the group {who} ({reason}). Please add the bot back "
             "and bind the group again. Not delivered ({count}):\n{excerpt}", who=who,
             reason=Raw(reason), count=len(texts), excerpt=excerpt)
