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

People who cannot be reached (a 403: they blocked the bot or left Telegram) are not tried
again: their messages are *held* (status ``parked``) and dispatch gets one phone task, edited
as more is held. When they write to the bot again (or unblock it) the held messages go out in
the order they were written; if they stay away, the messages expire after the office's
``held_messages_hours`` and the phone task says so. The phone task's buttons record how the
call went (reached, or not reachable: try again) for dispatchers and managers.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, bindparam, func, or_, select, update
from sqlmodel import col
from sqlmodel import select as model_select

from dialogs.buttons import Verb, tap
from dialogs.events import Button, Edit, InlineKeyboard, Priority, Say, inline
from handlers.office import Office
from handlers.office.calendar import wall_clock
from handlers.office.caller import Caller
from handlers.office.people import person_by_telegram, staff_chat, staff_chat_by_id, units_of
from handlers.office.permissions import ASSIGN_ROLES, DESK_CHATS, OUT_OF_DATE
from handlers.office.unit_of_work import OUTBOX, OUTBOX_COLUMNS, UnitOfWork
from locales import Msg, Raw, Text, _, lines
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
    edit_of: int | None = None  # handed over unread: the outbox id of the message it edits


def _pending(row: Any, message_id: int | None) -> Pending:
    return Pending(id=row.id, chat_id=row.chat_id, op=row.op, priority=row.priority,
                   text=row.text, keyboard=row.keyboard, photos=tuple(row.photos or ()),
                   message_id=message_id, callback_id=row.callback_id, alert=row.alert,
                   attempts=row.attempts, parts_sent=row.parts_sent, ref=row.ref)


_READY = or_(_C.not_before.is_(None), _C.not_before <= bindparam("now"))
# The private chats of people known to have blocked the bot: their rows are held, not tried.
_PERSON = Person.__table__  # type: ignore[attr-defined]
_UNREACHABLE = _C.chat_id.in_(select(_PERSON.c.telegram_user_id)
                              .where(_PERSON.c.blocked_bot.is_(True))).label("unreachable")
# Telegram's own words for it, recorded when a blocked person's row is held untried.
BLOCKED: Final = "Forbidden: bot was blocked by the user"
# Telegram's 403 (in its English) → what dispatch reads in its own language; the raw error
# stays in the row's last_error and in the log.
_WHY_UNREACHABLE: Final = (
    ("blocked by the user", _("blocked the bot")),
    ("deactivated", _("account deleted")),
    ("initiate conversation", _("never started the bot")),
    ("was deleted", _("the group was deleted")),
    ("kicked", _("the bot was removed")),
    ("not a member", _("the bot was removed")))
CALL_OUTCOMES: Final = ("reached", "unreachable")  # what dispatch records of the phone call
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
        _hold_back(office, chat_id, BLOCKED, row_id=None)
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


# A row cancelled (taken back by a Hold, or made needless by a payment) while the sender had
# it in hand went out all the same: the truth is that it was sent.
_MARK_SENT = (update(OUTBOX).where(_C.id == bindparam("row_id"),
                                   _C.status.in_(("pending", "cancelled")))
              .values(status="sent", telegram_message_id=bindparam("message_id"),
                      sent_at=bindparam("sent_at")))


def mark_sent(office: Office, marks: Sequence[tuple[int, int | None]]) -> None:
    """Record that Telegram accepted these rows, each with the message id a later edit will
    need: one statement and one transaction for all (the sender's group commit)."""
    now = office.clock.now()
    with office.engine.begin() as connection:
        connection.execute(_MARK_SENT, [{"row_id": row_id, "message_id": message_id,
                                         "sent_at": now} for row_id, message_id in marks])


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
    """Handle a 403: the chat cannot be reached. Returns True if staff were told (or their
    phone task was brought up to date)."""
    return _hold_back(office, None, reason, row_id=row_id)


def _hold_back(office: Office, chat_id: int | None, reason: str, *, row_id: int | None) -> bool:
    """Stop trying a chat that cannot be reached, in one transaction.

    A known person's waiting rows are held until they come back, bar bulk ones (a fee notice
    has its own phone / door task, and a newsletter is not worth holding), which are dropped;
    so is everything for a group (the bot must be added back and the group bound again). The
    person is flagged ``blocked_bot`` or the group ``active=False``. Dispatch hears once per
    absence: the first held message opens a phone task, later ones update its count.
    """
    with UnitOfWork(office) as uow:
        if row_id is not None:
            row = uow.session.get(Outbox, row_id)
            if row is None or row.status != "pending":
                return False
            chat_id = row.chat_id
        assert chat_id is not None
        waiting = _rows(uow, chat_id, "pending")
        earlier = _rows(uow, chat_id, "parked")
        who = _flag_unreachable(uow, chat_id)
        holds = chat_id > 0 and who is not None
        for lost in waiting:
            kept = holds and lost.priority < Priority.BULK
            lost.status, lost.last_error = ("parked" if kept else "undeliverable"), reason[:500]
            uow.session.add(lost)
        fresh = [lost.text for lost in waiting if lost.priority < Priority.BULK]
        dispatch = staff_chat(uow.session, "dispatch")
        told = bool(who is not None and fresh and dispatch is not None
                    and dispatch.chat_id != chat_id)
        if told and dispatch is not None and who is not None:
            if holds:
                texts = [lost.text for lost in earlier] + fresh
                notice = _("⚠️ {who} cannot be reached on Telegram ({reason}). Please phone "
                           "them. Held until they write to the bot again ({count}):\n"
                           "{excerpt}", who=who, reason=_why(reason), count=len(texts),
                           excerpt=_excerpt(texts[0]))
                # One phone task per absence: later held messages update its count.
                make = Edit if earlier else Say
                uow.send(make(dispatch.chat_id, notice, _call_keyboard(uow, chat_id),
                              ref=_phone_task(chat_id), priority=Priority.NOTICE))
            else:
                uow.send(Say(dispatch.chat_id, _(
                    "⚠️ The bot cannot post in the group {who} ({reason}). Please add the bot "
                    "back and bind the group again. Not delivered ({count}):\n{excerpt}",
                    who=who, reason=_why(reason), count=len(fresh), excerpt=_excerpt(fresh[0])),
                    priority=Priority.NOTICE))
        uow.log("message_undeliverable", chat_id=chat_id, outbox_id=row_id,
                held=len(waiting) if holds else 0, dropped=0 if holds else len(waiting),
                reason=reason[:200], staff_told=told)
        uow.commit()
    return told


def release_held(uow: UnitOfWork, chat_id: int) -> int:
    """The person is back (they wrote, or unblocked the bot): their held messages go out in
    the order they were written, and dispatch's phone task says no call is needed for them.
    Returns how many were held."""
    held = _rows(uow, chat_id, "parked")
    for row in held:
        row.status, row.last_error = "pending", ""
        uow.session.add(row)
    if held:
        _close_phone_task(uow, chat_id, _(
            "✅ {who} can be reached on Telegram again: the {count} held messages are on their "
            "way. No need to phone them about these.", who=_who(uow, chat_id), count=len(held)))
        uow.log("held_messages_released", chat_id=chat_id, count=len(held))
    return len(held)


def find_expired_held(uow: UnitOfWork, limit: int, skip: frozenset[int], *,
                      after: timedelta) -> Sequence[int]:
    """The chats with messages held longer than *after* (a scheduler timer's finder)."""
    query = (select(_C.chat_id).where(_C.status == "parked",
                                      _C.created_at <= uow.now - after)
             .group_by(_C.chat_id).order_by(func.min(_C.id)).limit(limit))
    if skip:
        query = query.where(_C.chat_id.not_in(skip))
    return [int(chat_id) for chat_id in uow.session.execute(query).scalars()]


def expire_held(uow: UnitOfWork, chat_id: int, *, after: timedelta) -> str:
    """Messages held too long are dropped with a known outcome; dispatch's phone task says so."""
    held = [row for row in _rows(uow, chat_id, "parked")
            if row.created_at is not None and row.created_at <= uow.now - after]
    hours = int(after.total_seconds() // 3600)
    for row in held:
        row.status = "expired"
        row.last_error = f"held {hours} h for a person who could not be reached"
        uow.session.add(row)
    if not held:
        return "skipped"
    _close_phone_task(uow, chat_id, _(
        "⌛ {who} did not come back to Telegram within {hours} hours: {count} held messages "
        "were dropped. If you have not reached them by phone, please do.",
        who=_who(uow, chat_id), hours=hours, count=len(held)),
        _call_keyboard(uow, chat_id))  # the call is still to be made
    uow.log("held_messages_expired", chat_id=chat_id, count=len(held))
    return "expired"


def _rows(uow: UnitOfWork, chat_id: int, status: str) -> Sequence[Outbox]:
    return uow.session.exec(model_select(Outbox).where(
        Outbox.chat_id == chat_id, Outbox.status == status, Outbox.op != "toast")
        .order_by(col(Outbox.id))).all()


def _phone_task(chat_id: int) -> str:
    return f"reach:{chat_id}"


def _close_phone_task(uow: UnitOfWork, chat_id: int, text: Msg,
                      keyboard: InlineKeyboard | None = None) -> None:
    dispatch = staff_chat(uow.session, "dispatch")
    if dispatch is not None:
        uow.send(Edit(dispatch.chat_id, text, keyboard, ref=_phone_task(chat_id),
                      priority=Priority.NOTICE))


def _call_keyboard(uow: UnitOfWork, chat_id: int) -> InlineKeyboard | None:
    """How the call went, for the phone task about the person of *chat_id*."""
    person = person_by_telegram(uow.session, chat_id)
    if person is None:
        return None
    return inline([Button(_("📞 Reached by phone"), tap(Verb.HELD_CALL, person.id, "reached")),
                   Button(_("📵 Not reachable"), tap(Verb.HELD_CALL, person.id, "unreachable"))])


def record_call(caller: Caller, board: StaffChat, person_id: int, outcome: str) -> None:
    """A dispatcher or manager says how the phone call to a person who blocked the bot went:
    reached (the task is done), or not reachable (the buttons stay for another try)."""
    person = caller.session.get(Person, person_id)
    if (person is None or person.telegram_user_id is None or not person.blocked_bot
            or board.purpose not in DESK_CHATS or outcome not in CALL_OUTCOMES):
        caller.refuse(OUT_OF_DATE)  # they are back on Telegram: the task was closed
        return
    if caller.person is None or caller.person.role not in ASSIGN_ROLES:
        caller.refuse(_("Only dispatchers and managers can record this call."))
        return
    uow, chat_id = caller.uow, person.telegram_user_id
    held = len(_rows(uow, chat_id, "parked"))
    caller.log("held_messages_phoned", person_id=person.id, outcome=outcome, held=held,
               by=caller.person.name)
    who, by = _describe(uow, person), Raw(caller.person.name)
    time = Raw(wall_clock(caller.now, uow.office.timezone))
    still_held = _("{count} held messages go out when they write to the bot again.",
                   count=held) if held else None
    if outcome == "reached":
        text = lines(_("📞 {who} was reached by phone ({name}, {time}).", who=who, name=by,
                       time=time), still_held)
        keyboard = None
    else:
        text = lines(_("📵 {who} could not be reached by phone ({name}, {time}). Please try "
                       "again later.", who=who, name=by, time=time), still_held)
        keyboard = _call_keyboard(uow, chat_id)
    uow.send(Edit(caller.chat_id, text, keyboard, message_id=caller.event.message_id,
                  ref=_phone_task(chat_id)))
    caller.toast(_("Recorded. Thank you."))


def _why(error: str) -> Msg:
    """Why Telegram would not deliver, said in the staff's words instead of Telegram's."""
    said = error.lower()
    return next((why for words, why in _WHY_UNREACHABLE if words in said),
                _("Telegram refused delivery"))


def _excerpt(text: str) -> Raw:
    return Raw(text[:200] + ("…" if len(text) > 200 else ""))


def _flag_unreachable(uow: UnitOfWork, chat_id: int) -> Text | None:
    """Flag the person or group as unreachable; say who it is, or None if we do not know."""
    if chat_id > 0:
        person: Person | None = person_by_telegram(uow.session, chat_id)
        if person is None:
            return None
        person.blocked_bot = True
        uow.session.add(person)
        return _describe(uow, person)
    group = staff_chat_by_id(uow.session, chat_id)
    if group is None:
        return None
    group.active = False
    uow.session.add(group)
    return Raw(f"“{group.title or chat_id}”")


def _who(uow: UnitOfWork, chat_id: int) -> Text:
    person = person_by_telegram(uow.session, chat_id)
    return _describe(uow, person) if person is not None else Raw(str(chat_id))


def _describe(uow: UnitOfWork, person: Person) -> Raw:
    """Name, units and phone numbers: what dispatch needs to phone them."""
    units = ", ".join(u.label for u in units_of(uow.session, person))
    phones = [person.phone] if person.phone else list(uow.session.exec(
        model_select(Household.phone).join(Residence).where(
            Residence.person_id == person.id)).all())
    details = ", ".join(p for p in (units, *phones) if p)
    name = person.name or str(person.telegram_user_id)
    return Raw(f"{name} ({details})" if details else name)
