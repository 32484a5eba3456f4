"""The database side of delivering the outbox, free of any Telegram framework.

The sender (``bot/sender.py``) asks :func:`due` what may go now (or takes the rows a unit of
work of its process has just committed, :func:`committed`, without reading them back) and
reports each outcome back here, one short transaction per outcome (deliveries several at
once). Exactly one sender runs at a time (a leader lock), so "claiming" a row is the sender's
in-memory in-flight set, and a crash leaves no half-claimed rows behind. A row Telegram
accepted is marked sent together with its message_id in one statement, straight after the
call, so a restart never sends it twice.

Order rules:
- interactive (0) before notices (1) before bulk (2), then oldest first;
- within one chat and priority, strictly in id order; a row waiting for a retry holds back
  the rows behind it, but a row merely scheduled for later (``not_before``, never tried) does not;
- an edit waits until the message it edits was sent, and is dropped if that never happens;
- toasts (answers to button taps) ignore chat order: Telegram lets a tap wait only seconds.

A chat that cannot be reached (a 403) is not tried again; what happens to its messages and who
is told is in ``unreachable.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, func, or_, select, update

from handlers.delivery.unreachable import hold_back
from handlers.office import Office
from handlers.office.unit_of_work import OUTBOX, OUTBOX_COLUMNS
from storage.db import read_connection, read_session
from storage.models import Person, StaffChat

_C = OUTBOX.c
# What the sender needs of a row (not the timestamps, whose type conversion costs).
_COLUMNS = (_C.id, _C.chat_id, _C.op, _C.priority, _C.text, _C.keyboard, _C.photos, _C.ref,
            _C.edit_message_id, _C.edit_of, _C.callback_id, _C.alert, _C.attempts, _C.parts_sent,
            _C.parts_message_ids, _C.not_before, _C.telegram_message_id)


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
    parts_message_ids: tuple[int, ...] = ()  # the messages of those parts
    edit_of: int | None = None  # handed over unread: the outbox id of the message it edits


def _pending(row: Any, message_id: int | None) -> Pending:
    return Pending(id=row.id, chat_id=row.chat_id, op=row.op, priority=row.priority,
                   text=row.text, keyboard=row.keyboard, photos=tuple(row.photos or ()),
                   message_id=message_id, callback_id=row.callback_id, alert=row.alert,
                   attempts=row.attempts, parts_sent=row.parts_sent, ref=row.ref,
                   parts_message_ids=tuple(row.parts_message_ids or ()))


_READY = or_(_C.not_before.is_(None), _C.not_before <= bindparam("now"))
# The private chats of people known to have blocked the bot: their rows are held, not tried.
_PERSON = Person.__table__  # type: ignore[attr-defined]
_UNREACHABLE = _C.chat_id.in_(select(_PERSON.c.telegram_user_id)
                              .where(_PERSON.c.blocked_bot.is_(True))).label("unreachable")
# Telegram's own words for it, recorded when a blocked person's row is held untried.
BLOCKED: Final = "Forbidden: bot was blocked by the user"
# Built once (the sender reads the outbox up to fifty times a second under load).
_DUE_TOASTS = (select(*_COLUMNS)
               .where(_C.status == "pending", _C.op == "toast", _READY,
                      _C.id.not_in(bindparam("busy_ids", expanding=True)))
               .order_by(_C.id).limit(bindparam("limit")))
# Rows waiting for a retry are fetched too, only to hold back the rows behind them.
_DUE_MESSAGES = (select(*_COLUMNS, _UNREACHABLE)
                 .where(_C.status == "pending", _C.op != "toast", or_(_READY, _C.attempts > 0),
                        _C.chat_id.not_in(bindparam("busy_chats", expanding=True)))
                 .order_by(_C.priority, _C.id).limit(bindparam("limit")))


@dataclass(frozen=True, slots=True)
class Due:
    """What one read of the outbox found.

    When *complete* (asked for, and neither query hit its limit), the sender also learns how
    far the outbox went (*newest*, the highest id in the same snapshot), the chats whose other
    rows are still waiting behind the ones returned (*waiting*), the chats of the rows written
    since the id it passed as *since* (*written*; None if it did not say or they were too
    many), and the people known to have blocked the bot (*unreachable*): enough to send a row
    handed over at commit without reading it back (``bot/sender.py``).
    """

    rows: list[Pending]
    complete: bool = False
    newest: int = 0
    waiting: frozenset[int] = frozenset()
    written: frozenset[int] | None = None
    unreachable: frozenset[int] = frozenset()


_NEWEST = select(func.max(_C.id))
WRITTEN_TRACKED = 500  # rows written between two reads whose chats the sender learns
_WRITTEN = (select(_C.id, _C.chat_id).where(_C.id > bindparam("since"), _C.op != "toast")
            .order_by(_C.id).limit(WRITTEN_TRACKED + 1))
# A row scheduled for later and never tried waits unseen by the scan: while one exists, the
# scan cannot vouch that a chat it did not see has nothing waiting.
_SCHEDULED = select(_C.id).where(_C.status == "pending", _C.attempts == 0,
                                 _C.not_before > bindparam("now")).limit(1)
_BLOCKED = select(_PERSON.c.telegram_user_id).where(_PERSON.c.blocked_bot.is_(True))


def due(office: Office, *, limit: int = 200, exclude_chats: Collection[int] = (),
        exclude_ids: Collection[int] = (), vouch: bool = False, since: int = -1) -> Due:
    """Rows that may be sent now: toasts first, then each free chat's next row, by priority;
    with *vouch*, what a complete read vouches for too (a few more statements)."""
    now = office.clock.now()
    dropped: list[int] = []
    with read_connection(office.engine) as connection:
        toasts = list(connection.execute(
            _DUE_TOASTS, {"now": now, "busy_ids": list(exclude_ids), "limit": limit}))
        rows = list(connection.execute(
            _DUE_MESSAGES, {"now": now, "busy_chats": list(exclude_chats), "limit": limit}))
        targets = _edit_targets(connection, [r.edit_of for r in rows
                                             if r.op == "edit" and r.edit_message_id is None])
        complete = vouch and len(toasts) < limit and len(rows) < limit and connection.execute(
            _SCHEDULED, {"now": now}).first() is None
        written: frozenset[int] | None = None
        if complete:  # read in the same snapshot as the rows
            newest = connection.execute(_NEWEST).scalar() or 0
            if since >= 0:
                recent = list(connection.execute(_WRITTEN, {"since": since}))
                if len(recent) <= WRITTEN_TRACKED:
                    written = frozenset(row.chat_id for row in recent)
            unreachable = frozenset(connection.execute(_BLOCKED).scalars())
    result = [_pending(row, None) for row in toasts]
    seen: set[int] = set()
    waiting: set[int] = set()
    held: set[int] = set()
    for row in rows:
        if row.chat_id in seen:
            waiting.add(row.chat_id)
            continue
        if row.unreachable:
            held.add(row.chat_id)
            seen.add(row.chat_id)
            continue
        message_id = (row.edit_message_id if row.op in ("edit", "delete")
                      else row.telegram_message_id)
        if row.op == "edit" and message_id is None:
            status, message_id = targets.get(row.edit_of, ("missing", None))
            if status == "pending":
                waiting.add(row.chat_id)
                continue  # its message is further back in this chat's queue; skip, keep looking
            if status != "sent" or message_id is None:
                dropped.append(row.id)
                continue
        seen.add(row.chat_id)
        if row.not_before is not None and row.not_before > now:
            waiting.add(row.chat_id)
            continue  # waiting for its retry: the chat stays blocked at this priority
        result.append(_pending(row, message_id))
    if dropped:
        _set_status(office, dropped, "undeliverable", "the message to edit was never delivered")
    for chat_id in held:
        hold_back(office, chat_id, BLOCKED, row_id=None)
    if not complete:
        return Due(result)
    return Due(result, True, newest, frozenset(waiting), written, unreachable)


def committed(batches: Sequence[tuple[int, Sequence[Sequence[Any]]]]) -> list[Pending]:
    """The outbox rows a unit of work just committed, as the sender would read them back.

    Each batch is (the id of its last row, its rows in the order of ``OUTBOX_COLUMNS``); the
    rows of one INSERT have consecutive ids (SQLite gives each new row the highest id + 1,
    and the writer holds the database's write lock throughout). An edit whose message is known
    only by its outbox id has no message id here but that id (*edit_of*).
    """
    pending: list[Pending] = []
    for last, rows in batches:
        for offset, values in enumerate(rows, start=last - len(rows) + 1):
            row = dict(zip(OUTBOX_COLUMNS, values, strict=True))
            pending.append(Pending(
                id=offset, chat_id=row["chat_id"], op=row["op"], priority=row["priority"],
                text=row["text"], keyboard=row["keyboard"], photos=tuple(row["photos"] or ()),
                message_id=row["edit_message_id"], callback_id=row["callback_id"],
                alert=row["alert"], attempts=0, parts_sent=0, ref=row["ref"],
                edit_of=row["edit_of"]))
    return pending


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


# A row cancelled (taken back by a Hold or a recall, or made needless by a payment) while the
# sender had it in hand went out all the same: the truth is that it was sent, and a recall
# deletes what it finds sent. (Not ``in_()``: its expanding parameter cannot go in an
# executemany, and several marks are one.)
_IN_HAND = or_(_C.status == "pending", _C.status == "cancelled")
_MARK_SENT = (update(OUTBOX).where(_C.id == bindparam("row_id"), _IN_HAND)
              .values(status="sent", telegram_message_id=bindparam("message_id"),
                      sent_at=bindparam("sent_at")))


def mark_sent(office: Office, marks: Sequence[tuple[int, int | None]]) -> None:
    """Record that Telegram accepted these rows, each with the message id a later edit will
    need: one statement and one transaction for all (the sender's group commit)."""
    with office.engine.begin() as connection:
        write_marks(connection, marks, office.clock.now())


def write_marks(connection: Connection, marks: Sequence[tuple[int, int | None]],
                now: datetime) -> None:
    """:func:`mark_sent` in a transaction the caller commits (a unit of work's, on SQLite:
    ``bot/sent_marks.py``)."""
    connection.execute(_MARK_SENT, [{"row_id": row_id, "message_id": message_id,
                                     "sent_at": now} for row_id, message_id in marks])


def mark_progress(office: Office, row_id: int, parts_sent: int, message_id: int | None,
                  message_ids: Sequence[int]) -> None:
    """Remember that the first *parts_sent* parts of a multi-part send were delivered: their
    messages *message_ids*, and *message_id*, the row's message so far. Written for a row
    cancelled meanwhile too (see ``_MARK_SENT``): its photos are in the chat all the same."""
    with office.engine.begin() as connection:
        connection.execute(update(OUTBOX).where(_C.id == row_id, _IN_HAND)
                           .values(telegram_message_id=message_id, parts_sent=parts_sent,
                                   parts_message_ids=list(message_ids), rate_limited=False))


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
    """Handle a 403: the chat cannot be reached. Returns True if staff were told (or their
    phone task was brought up to date)."""
    return hold_back(office, None, reason, row_id=row_id)
