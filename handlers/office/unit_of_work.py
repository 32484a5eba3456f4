"""A unit of work: one transaction holding the change, its event rows and its outbox rows.

Nothing is committed unless ``commit()`` is called; leaving the block otherwise rolls back,
so a failure half-way leaves no trace and sends nothing.

Event-log and outbox rows are append-only and never read back by the handler that writes
them, so they are queued as plain rows and written with one INSERT per table just before the
commit: building an ORM object and flushing it cost more than the rest of a typical update.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from operator import itemgetter
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Insert, Table, bindparam, or_, select
from sqlmodel import Session, col

from dialogs.events import (
    CommandMenu,
    Delete,
    InlineKeyboard,
    Keyboard,
    Outgoing,
    RemoveKeyboard,
    ReplyKeyboard,
    Say,
    Toast,
)
from handlers.office import Office
from handlers.office.people import (
    claim_and_who_is_writing,
    person_by_telegram,
    staff_chat_by_id,
    who_is_writing,
)
from locales import DEFAULT_LANGUAGE, Language, parse_language, render
from storage.bulk import BulkInsert
from storage.models import EventLog, Outbox, Person, ProcessedUpdate, WorkOrder

EVENT_LOG: Table = EventLog.__table__  # type: ignore[attr-defined]
OUTBOX: Table = Outbox.__table__  # type: ignore[attr-defined]
# Every outbox column a handler may set, with its default: one INSERT … VALUES for many rows
# needs the same keys in each.
OUTBOX_DEFAULTS: dict[str, Any] = {
    "priority": 0, "text": "", "keyboard": None, "photos": [], "ref": "",
    "edit_message_id": None, "edit_of": None, "callback_id": "", "alert": False,
    "status": "pending", "attempts": 0, "not_before": None}
EVENT_COLUMNS = ("order_id", "at", "actor_id", "telegram_user_id", "chat_id", "action", "detail")
OUTBOX_COLUMNS = ("chat_id", "op", *OUTBOX_DEFAULTS, "created_at")
INSERTS = {EVENT_LOG: BulkInsert(EVENT_LOG, EVENT_COLUMNS),
           OUTBOX: BulkInsert(OUTBOX, OUTBOX_COLUMNS)}
OUTBOX_ROW = itemgetter(*OUTBOX_COLUMNS)
LAST_ROW_ID = "SELECT last_insert_rowid()"  # outbox_listener is for SQLite (see Office)


@cache
def claim_statement(dialect: str) -> Insert:
    """The claim's ``INSERT … ON CONFLICT DO NOTHING`` in *dialect* ("sqlite" or
    "postgresql"), built once, like every statement run for each update. RETURNING, not
    rowcount: drivers disagree on the row count of ON CONFLICT inserts. The dialect is
    imported on first use: an office on SQLite never loads PostgreSQL's."""
    insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
    claim: Insert = (insert(ProcessedUpdate).values(key=bindparam("key"), at=bindparam("at"))
                     .on_conflict_do_nothing().returning(col(ProcessedUpdate.key)))
    return claim


# What an Edit by ref or by message id reads of the message it edits; built once, in Core
# (plain columns need none of the ORM's bookkeeping).
_O = OUTBOX.c
SHOWN_UNDER_REF = (
    select(_O.id, _O.op, _O.text, _O.keyboard, _O.edit_of)
    .where(_O.chat_id == bindparam("chat"), _O.ref == bindparam("ref"),
           or_(_O.op == "send", _O.op == "edit"))
    .order_by(_O.id.desc()).limit(1))
SENT_UNDER_REF = (select(_O.id)
                  .where(_O.chat_id == bindparam("chat"), _O.ref == bindparam("ref"),
                         _O.op == "send")
                  .order_by(_O.id.desc()).limit(1))
SENT_AS_MESSAGE = (select(_O.text)
                   .where(_O.chat_id == bindparam("chat"), _O.op == "send",
                          _O.telegram_message_id == bindparam("message"))
                   .order_by(_O.id.desc()).limit(1))

Item = TypeVar("Item")


class DatabaseUnavailable(Exception):
    """The database refused an event's transaction again after one retry: nothing was saved.

    The caller answers for it: a webhook with a 500 (Telegram redelivers the update), polling
    by trying the update again later (it is not confirmed to Telegram until it is committed).
    """


class UnitOfWork:
    """``with UnitOfWork(office) as uow: …; uow.commit()``."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self.now: datetime = office.clock.now()
        self._language_hints: dict[int, Language] = {}
        self._queued: dict[Table, list[tuple[Any, ...]]] = {EVENT_LOG: [], OUTBOX: []}
        self._batches: dict[Callable[[UnitOfWork, list[Any]], None], list[Any]] = {}
        self._handed: list[tuple[int, list[tuple[Any, ...]]]] = []  # for outbox_listener
        self._reach_changed = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = Session(self.office.engine, expire_on_commit=False)
        self.session.begin()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.session.in_transaction():
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Write everything of this event at once: domain rows, event log, outbox (and what
        rides along, ``Office.ride_along``)."""
        self.write_queued()
        ride_along = self.office.ride_along
        landed = ride_along(self.session.connection) if ride_along is not None else None
        try:
            self.session.commit()
        except BaseException:
            if landed is not None:
                landed(False)
            raise
        if landed is not None:
            landed(True)
        if (self._handed or self._reach_changed) and self.office.outbox_listener is not None:
            self.office.outbox_listener(self._handed, reach_changed=self._reach_changed)

    def reach_changed(self) -> None:
        """Say, at commit, that this unit of work changed who can be reached (see
        :class:`~handlers.office.OutboxListener`)."""
        self._reach_changed = True

    def batch(self, write: Callable[[UnitOfWork, list[Item]], None]) -> list[Item]:
        """A list to queue items on that *write* turns into rows, all in one go, when this unit
        of work writes its queued rows (before its event-log and outbox rows, so *write* may
        log and send). For rows that would otherwise cost a statement each: a timer pass
        plans the callback surveys of hundreds of confirmed orders in one unit of work."""
        return self._batches.setdefault(write, [])

    def write_queued(self) -> None:
        """Write the queued batches, then the event-log and outbox rows (before a query that
        must see them)."""
        for write, items in list(self._batches.items()):
            if items:
                taken = items[:]
                items.clear()
                write(self, taken)
        for table, rows in self._queued.items():
            if rows:
                # On the session's connection: plain rows need none of the ORM's bookkeeping.
                connection = self.session.connection()
                INSERTS[table].write(connection, rows)
                if table is OUTBOX and self.office.outbox_listener is not None:
                    last = connection.exec_driver_sql(LAST_ROW_ID).scalar_one()
                    self._handed.append((last, rows[:]))
                rows.clear()

    # -- idempotent intake ---------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """Mark *key* handled; False if it already was (a redelivered update or tap).

        One ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike): no savepoint,
        no read first, and two processes racing on the same key cannot both win.
        """
        connection = self.session.connection()
        inserted = connection.execute(claim_statement(connection.dialect.name),
                                      {"key": key, "at": self.now})
        return inserted.first() is not None

    def claim_and_find_writer(self, key: str, user_id: int,
                              chat_id: int) -> tuple[bool, Person | None]:
        """:meth:`claim` *key*, then ``people.who_is_writing``: (False, None) if the key was
        handled before. On PostgreSQL in one statement (the claim a CTE of the read), a round
        trip less; SQLite has no INSERT in a CTE."""
        dialect = self.session.connection().dialect.name
        if dialect == "postgresql":
            return claim_and_who_is_writing(self.session, claim_statement(dialect), key,
                                            user_id, chat_id, self.now)
        if not self.claim(key):
            return False, None
        return True, who_is_writing(self.session, user_id, chat_id, self.now)

    # -- history -------------------------------------------------------------------------
    def log(self, action: str, *, order: WorkOrder | None = None, actor: Person | None = None,
            telegram_user_id: int | None = None, chat_id: int | None = None,
            **detail: Any) -> None:
        """Append one event row: who, when, what, from which chat."""
        self._queued[EVENT_LOG].append((  # in the order of EVENT_COLUMNS
            order.id if order else None, self.now, actor.id if actor else None,
            telegram_user_id if telegram_user_id is not None else
            (actor.telegram_user_id if actor else None), chat_id, action, detail))

    # -- the outbox ----------------------------------------------------------------------
    def hint_language(self, chat_id: int, language: Language) -> None:
        """Use *language* for *chat_id* when no stored preference exists (before binding)."""
        self._language_hints[chat_id] = language

    def language_of(self, chat_id: int) -> Language:
        """The recipient's language: the person's choice, the group's, or the default."""
        if chat_id in self._language_hints:
            return self._language_hints[chat_id]
        if chat_id > 0:
            person = person_by_telegram(self.session, chat_id)
            stored = parse_language(person.language) if person else None
        else:
            group = staff_chat_by_id(self.session, chat_id)
            stored = parse_language(group.language) if group else None
        return stored or DEFAULT_LANGUAGE

    def send(self, *items: Outgoing) -> None:
        """Queue messages; they leave only if this unit of work commits (written with it).

        An :class:`Edit` by ``ref`` with no message under that ref is dropped (there is
        nothing to edit); an Edit with empty text keeps the message's text and changes only
        its keyboard.
        """
        for item in items:
            values = self._outbox_values(item)
            if values is not None:
                self._queued[OUTBOX].append(
                    OUTBOX_ROW({**OUTBOX_DEFAULTS, **values, "created_at": self.now}))

    def _outbox_values(self, item: Outgoing) -> dict[str, Any] | None:
        if isinstance(item, Toast):
            return {"chat_id": item.user_id, "op": "toast", "callback_id": item.callback_id,
                    "text": render(item.text, self.language_of(item.user_id)),
                    "alert": item.alert}
        if isinstance(item, Delete):
            return {"chat_id": item.chat_id, "op": "delete", "priority": item.priority,
                    "edit_message_id": item.message_id}
        language = self.language_of(item.chat_id)
        if isinstance(item, CommandMenu):
            return {"chat_id": item.chat_id, "op": "commands", "priority": item.priority,
                    "keyboard": {"commands": [[name, render(text, language)]
                                              for name, text in item.commands]}}
        text = render(item.text, language)
        if isinstance(item, Say):
            return {"chat_id": item.chat_id, "op": "send", "priority": item.priority,
                    "text": text, "keyboard": keyboard_json(item.keyboard, language),
                    "photos": list(item.photos), "ref": item.ref}
        edit_of = None
        if item.message_id is None and item.ref:
            self.write_queued()  # the message being edited may have been queued just now
            connection = self.session.connection()
            where = {"chat": item.chat_id, "ref": item.ref}
            # What the message shows now: its send, or the last edit of it (all rows under the
            # ref after its send are edits of it); an edit by ref names its send.
            shown = connection.execute(SHOWN_UNDER_REF, where).first()
            if shown is None:
                return None
            edit_of = shown.id if shown.op == "send" else shown.edit_of
            if edit_of is None:  # an edit by message id that carried the ref
                edit_of = connection.execute(SENT_UNDER_REF, where).scalar()
                if edit_of is None:
                    return None
            shown_text, shown_keyboard = shown.text, shown.keyboard
            if not text:
                if not _has_buttons(shown_keyboard) and not _has_buttons(
                        keyboard_json(item.keyboard, language)):
                    return None  # already without buttons: nothing would change
                text = shown_text
        elif not text and item.message_id is not None:
            text = self.session.connection().execute(
                SENT_AS_MESSAGE, {"chat": item.chat_id, "message": item.message_id}
            ).scalar() or ""
        if not text:
            return None
        return {"chat_id": item.chat_id, "op": "edit", "priority": item.priority, "text": text,
                "keyboard": keyboard_json(item.keyboard, language) or {"inline": []},
                "edit_message_id": item.message_id, "edit_of": edit_of, "ref": item.ref}


def _has_buttons(keyboard: Mapping[str, Any] | None) -> bool:
    return bool(keyboard and any(keyboard.get("inline") or []))


def keyboard_json(keyboard: Keyboard | None, language: Language) -> dict[str, Any] | None:
    """Describe a keyboard in the outbox's neutral form, labels rendered for the recipient."""
    if keyboard is None:
        return None
    if isinstance(keyboard, RemoveKeyboard):
        return {"remove": True}
    if isinstance(keyboard, InlineKeyboard):
        return {"inline": [[{"text": render(b.text, language), "data": b.data} for b in row]
                           for row in keyboard.rows]}
    assert isinstance(keyboard, ReplyKeyboard)
    return {"reply": [[{"text": render(b.text, language), "contact": b.request_contact}
                       for b in row] for row in keyboard.rows],
            "one_time": keyboard.one_time}

